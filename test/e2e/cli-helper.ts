// Runs the command line against a test server: in process (main(argv) with captured output and its
// exit code, the default), or as the real binary (`node bin/apim-local.js ...`) for what only a real
// process shows (exit status, the CA trusted with no NODE_EXTRA_CA_CERTS, no terminal for prompts).
// Both see the environment without NODE_EXTRA_CA_CERTS and APIM_LOCAL_DATA_DIR: the command line must
// trust the server through the CA named in connection.json, not through the test runner's settings.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { main } from '../../src/cli/main.js';
import { BIN, tempDir, type Connection } from '../helpers/server.js';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON; throws with the output when it is not. */
  json(): any;
}

export interface CliOptions {
  dataDir?: string;
  env?: Record<string, string | undefined>;
  /**
   * In process only: the answers typed at the prompts, in order (the questions go to stderr, as
   * readline writes them). Without it there is no terminal, as for the binary.
   */
  answers?: string[];
}

function cliEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: Record<string, string | undefined> = { ...process.env };
  delete env.NODE_EXTRA_CA_CERTS;
  delete env.APIM_LOCAL_DATA_DIR;
  Object.assign(env, extra);
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
  return env as NodeJS.ProcessEnv;
}

const fullArgs = (args: string[], options: CliOptions) => [...args, ...(options.dataDir ? ['--data-dir', options.dataDir] : [])];

function result(code: number | null, stdout: string, stderr: string): CliResult {
  return {
    code, stdout, stderr,
    json() {
      try { return JSON.parse(stdout); } catch { throw new Error(`stdout is not JSON (exit ${code}):\n${stdout}\nstderr:\n${stderr}`); }
    },
  };
}

/** The command line in this process: main(argv) with its own io. */
export async function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const answers = options.answers ? [...options.answers] : undefined;
  const code = await main(['node', 'apim-local', ...fullArgs(args, options)], {
    stdout: (text) => { stdout += text; },
    stderr: (text) => { stderr += text; },
    env: cliEnv(options.env),
    cwd: process.cwd(),
    prompt: answers && (async (question) => {
      stderr += question;
      const answer = answers.shift();
      if (answer === undefined) throw new Error(`no answer left for the prompt '${question}'`);
      return answer;
    }),
  });
  return result(code, stdout, stderr);
}

/** The real binary as a child process (stdin not a terminal). */
export async function runBinary(args: string[], options: Omit<CliOptions, 'answers'> = {}): Promise<CliResult> {
  const child = spawn(process.execPath, [BIN, ...fullArgs(args, options)], { env: cliEnv(options.env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => { stdout += d; });
  child.stderr.on('data', (d) => { stderr += d; });
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  return result(code, stdout, stderr);
}

/** Runs the command line and requires exit code 0; returns the result. */
export async function cliOk(args: string[], dataDir: string): Promise<CliResult> {
  const r = await runCli(args, { dataDir });
  if (r.code !== 0) throw new Error(`apim-local ${args.join(' ')} exited with ${r.code}:\n${r.stderr}`);
  return r;
}

/** A data directory whose connection.json signs in as another application (same server, same CA). */
export function dataDirFor(connection: Connection, clientId: string, clientSecret: string): string {
  const dir = tempDir('apim-local-cli-as-');
  const file = { ...connection, clientId, clientSecret, caCertificatePath: path.resolve(connection.dataDir, connection.caCertificatePath) };
  fs.writeFileSync(path.join(dir, 'connection.json'), JSON.stringify(file, null, 2));
  return dir;
}

/** The claims of a JWT, unverified. */
export function jwtClaims(token: string): Record<string, any> {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
}

export function jwtHeader(token: string): Record<string, any> {
  return JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString('utf8'));
}
