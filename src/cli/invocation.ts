// One run of the command line: its io (the process's, or captured ones in tests) and its exit code, bound
// to commander's root command. Kept apart from command.ts so `start` loads none of the az-style commands'
// modules (HTTP client, output formatting).
import { CommanderError, type Command } from 'commander';

/** The outside world of one invocation: the process's in bin/apim-local.js, captured ones in tests. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Asks a question and returns the answer; absent when there is no terminal to ask on (then --yes is needed). */
  prompt?: (question: string) => Promise<string>;
  /** A child process (`apim-local az`) may use this process's stdin, stdout and stderr directly. */
  inheritStdio?: boolean;
}

/** The io of a real process: its streams, environment and, on a terminal, readline on stdin. */
export function processIo(): CliIo {
  return {
    stdout: (text) => { process.stdout.write(text); },
    stderr: (text) => { process.stderr.write(text); },
    env: process.env,
    cwd: process.cwd(),
    prompt: process.stdin.isTTY ? askOnTerminal : undefined,
    inheritStdio: true,
  };
}

async function askOnTerminal(question: string): Promise<string> {
  const readline = await import('node:readline/promises');
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await rl.question(question);
  } finally {
    rl.close();
  }
}

/** One invocation: its io and the exit code its command sets. Bound to the root command by main(). */
export interface Invocation {
  io: CliIo;
  exitCode: number;
}

const invocations = new WeakMap<Command, Invocation>();

export function bindInvocation(program: Command, invocation: Invocation): void {
  invocations.set(program, invocation);
}

export function invocationOf(command: Command): Invocation {
  let root = command;
  while (root.parent) root = root.parent;
  const found = invocations.get(root);
  if (!found) throw new Error(`The command '${command.name()}' runs outside main().`);
  return found;
}

/** Commander's exit callback for the az-style commands: help → 0, any usage error → 2. */
export function usageExit(err: CommanderError): never {
  const ok = err.code === 'commander.helpDisplayed' || err.code === 'commander.version';
  throw new CommanderError(ok ? 0 : 2, err.code, err.message);
}

