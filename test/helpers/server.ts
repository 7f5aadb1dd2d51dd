// Starts the real server (`bin/apim-local.js start`) as a child process on free ports with a fresh data
// directory seeded with the test CA, and hands tests its connection file and ready-made SDK options.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { ClientSecretCredential } from '@azure/identity';
import type { ConnectionInfo } from '../../src/main.js';

/** The repository: the nearest folder up with a package.json (tests also run transpiled, from .test-build/). */
export const ROOT = (() => {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!fs.existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  return dir;
})();
export const BIN = path.join(ROOT, 'bin/apim-local.js');

/** connection.json, as src/main.ts writes it. */
export type Connection = ConnectionInfo;

export interface TestServer {
  connection: Connection;
  dataDir: string;
  child: ChildProcess;
  /** Output the server wrote (stderr), for assertions and for debugging a failure. */
  output(): string;
  /** ClientSecretCredential for the admin application (or other credentials). */
  credential(clientId?: string, secret?: string): ClientSecretCredential;
  /** Options for the classic ARM SDK clients. */
  armOptions(): { endpoint: string; credentialScopes: string[] };
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface StartOptions {
  dataDir?: string;
  store?: string;
  args?: string[];
  env?: Record<string, string>;
}

export function tempDir(prefix = 'apim-local-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/**
 * Seeds the data directory with the CA that NODE_EXTRA_CA_CERTS trusts (set by scripts/run-tests.mjs), and
 * with the server certificate it issued there, which a first start would otherwise make again.
 */
export function seedTestCa(dataDir: string): void {
  fs.mkdirSync(dataDir, { recursive: true });
  const caDir = process.env.APIM_LOCAL_TEST_CA_DIR;
  if (!caDir) throw new Error('APIM_LOCAL_TEST_CA_DIR is not set: run the tests with `npm test` (scripts/run-tests.mjs)');
  for (const f of ['ca.pem', 'ca-key.pem']) {
    const dest = path.join(dataDir, f);
    if (!fs.existsSync(dest)) fs.copyFileSync(path.join(caDir, f), dest);
  }
  const ca = fs.readFileSync(path.join(dataDir, 'ca.pem'), 'utf8');
  if (ca !== fs.readFileSync(path.join(caDir, 'ca.pem'), 'utf8')) return; // a test's own CA
  for (const f of ['server.pem', 'server-key.pem']) {
    const src = path.join(caDir, f);
    const dest = path.join(dataDir, f);
    if (fs.existsSync(src) && !fs.existsSync(dest)) fs.copyFileSync(src, dest);
  }
}

export async function startTestServer(options: StartOptions = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? tempDir();
  fs.mkdirSync(dataDir, { recursive: true });
  seedTestCa(dataDir);
  const connectionFile = path.join(dataDir, 'connection.json');
  const args = [BIN, 'start', '--data-dir', dataDir, '--port', '0', ...(options.store ? ['--store', options.store] : []), ...(options.args ?? [])];
  // APIM_LOCAL_TEST_CPU_PROFILE_DIR: each test server writes a CPU profile there when it stops (to see where a test's time goes).
  const profile = process.env.APIM_LOCAL_TEST_CPU_PROFILE_DIR;
  const child = spawn(process.execPath, [...(profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : []), ...args], { env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d) => { output += d; });
  child.stderr!.on('data', (d) => { output += d; });
  let exited: number | null | undefined;
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => { exited = code; resolve(code); }));

  const deadline = Date.now() + 30_000;
  let connection: Connection | undefined;
  while (Date.now() < deadline) {
    if (exited !== undefined) throw new Error(`server exited with ${exited}:\n${output}`);
    try {
      const c = JSON.parse(fs.readFileSync(connectionFile, 'utf8')) as Connection;
      if (c.pid === child.pid) { connection = c; break; }
    } catch { /* not written yet */ }
    await sleep(50);
  }
  if (!connection) { child.kill('SIGKILL'); throw new Error(`server did not start within 30 s:\n${output}`); }
  const conn = connection;
  return {
    connection: conn,
    dataDir,
    child,
    output: () => output,
    credential: (clientId = conn.clientId, secret = conn.clientSecret) =>
      new ClientSecretCredential(conn.tenantId, clientId, secret, { authorityHost: conn.authorityHost, disableInstanceDiscovery: true }),
    armOptions: () => ({ endpoint: conn.managementEndpoint, credentialScopes: ['https://management.azure.com/.default'] }),
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (exited !== undefined) return exited;
      child.kill(signal);
      return exit;
    },
  };
}

/** A PostgreSQL store URL with a schema of its own, or undefined when APIM_LOCAL_TEST_PG is not set. */
export function postgresStoreUrl(): string | undefined {
  const base = process.env.APIM_LOCAL_TEST_PG;
  if (!base) return undefined;
  const url = new URL(base);
  url.searchParams.set('schema', `t_${crypto.randomBytes(6).toString('hex')}`);
  return url.toString();
}

/** Drops the schemas of postgresStoreUrl() URLs (a test file's `after`). */
export async function dropPostgresSchemas(urls: string[]): Promise<void> {
  const base = process.env.APIM_LOCAL_TEST_PG;
  if (!base || urls.length === 0) return;
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: base });
  await client.connect();
  try {
    for (const u of urls) await client.query(`DROP SCHEMA IF EXISTS ${new URL(u).searchParams.get('schema')} CASCADE`);
  } finally { await client.end(); }
}

/** Plain HTTPS request to the server (undici fetch trusts NODE_EXTRA_CA_CERTS). */
export async function request(url: string, init: RequestInit & { token?: string } = {}): Promise<{ status: number; headers: Headers; body: any; text: string }> {
  const headers = new Headers(init.headers);
  if (init.token) headers.set('authorization', `Bearer ${init.token}`);
  const res = await fetch(url, { ...init, headers });
  const text = await res.text();
  let body: any;
  try { body = text ? JSON.parse(text) : undefined; } catch { body = undefined; }
  return { status: res.status, headers: res.headers, body, text };
}
