// The `apim-local` command: `start`, az-style commands over the ARM API, and `az` (the real Azure CLI). main() touches no process
// state: it writes through the io it is given and returns the exit code (bin/apim-local.js sets it).
import { Command, CommanderError } from 'commander';
import { registerStart } from './start.js';
import { bindInvocation, processIo, usageExit, type CliIo, type Invocation } from './invocation.js';

/** Runs one command line (`argv` as process.argv: node, script, arguments); resolves to its exit code. */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const program = new Command('apim-local')
    .description('Azure API Management managed identities, Resource Manager, Entra ID and Key Vault, locally')
    .showHelpAfterError()
    // Set before the subcommands are made: they inherit both.
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .exitOverride();
  const invocation: Invocation = { io, exitCode: 0 };
  bindInvocation(program, invocation);
  registerStart(program);
  // The az-style commands (registered after this) exit with 2 on usage errors, as az does. A server
  // start does not load them: their modules (and the HTTP client's) would only slow every start.
  program.exitOverride(usageExit);
  if (argv[2] !== 'start') (await import('./commands/index.js')).registerAzStyleCommands(program);
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode;
    throw e;
  }
  return invocation.exitCode;
}
