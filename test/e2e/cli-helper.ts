// Runs the real command line (`node bin/apim-local.js ...`) as a child process against a test server.
// NODE_EXTRA_CA_CERTS is removed from its environment: the command line must trust the server through
// the CA named in connection.json, not through the test runner's settings.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { BIN, tempDir, type Connection } from '../helpers/server.js';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON; throws with the output when it is not. */
  json(): any;
}

export async function runCli(args: string[], options: { dataDir?: string; env?: Record<string, string | undefined> } = {}): Promise<CliResult> {
  const env: Record<string, string | undefined> = { ...process.env };
  delete env.NODE_EXTRA_CA_CERTS;
  delete env.APIM_LOCAL_DATA_DIR;
  Object.assign(env, options.env);
  const fullArgs = [BIN, ...args, ...(options.dataDir ? ['--data-dir', options.dataDir] : [])];
  const child = spawn(process.execPath, fullArgs, { env: env as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => { stdout += d; });
  child.stderr.on('data', (d) => { stderr += d; });
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  return {
    code, stdout, stderr,
    json() {
      try { return JSON.parse(stdout); } catch { throw new Error(`stdout is not JSON (exit ${code}):\n${stdout}\nstderr:\n${stderr}`); }
    },
  };
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
