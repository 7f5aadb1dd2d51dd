// Managed identity helpers for tests: the environment `apim-local identity env` gives a resource, and
// the real ManagedIdentityCredential run in a child process with it.
import { execFile } from 'node:child_process';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { promisify } from 'node:util';
import { ROOT, request, type TestServer } from './server.js';

const run = promisify(execFile);

export interface IdentityEnv { IDENTITY_ENDPOINT: string; IDENTITY_HEADER: string; AZURE_POD_IDENTITY_AUTHORITY_HOST: string }

export async function identityEnv(server: TestServer, resourceId: string): Promise<IdentityEnv> {
  const token = (await server.credential().getToken('https://management.azure.com/.default')).token;
  const r = await request(`${server.connection.managementEndpoint}/apim-local/identity-env`, {
    method: 'POST', token, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ resourceId }),
  });
  if (r.status !== 200) throw new Error(`identity-env: ${r.status} ${r.text}`);
  return r.body as IdentityEnv;
}

/** Runs ManagedIdentityCredential.getToken(scope) in a fresh process with exactly these MI variables. */
export async function probeManagedIdentity(env: Record<string, string>, scope: string, clientId?: string): Promise<{ token?: string; error?: { name: string; message: string } }> {
  const clean: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !/^(IDENTITY_|MSI_|IMDS_|AZURE_)/.test(k)) clean[k] = v;
  }
  const { stdout } = await run(process.execPath, [path.join(ROOT, 'test/helpers/mi-probe.mjs'), scope, ...(clientId ? [clientId] : [])], {
    env: { ...clean, ...env }, cwd: ROOT, timeout: 60_000,
  });
  return JSON.parse(stdout);
}

/**
 * A counting relay: plain HTTP in front of the server's HTTPS endpoint, so a test can count how many
 * requests a client made (the SDKs allow http for managed identity endpoints).
 */
export async function countingRelay(target: string): Promise<{ url: string; count: () => number; close: () => Promise<void> }> {
  let n = 0;
  const t = new URL(target);
  const server = http.createServer((req, res) => {
    n++;
    const upstream = https.request({ host: t.hostname, port: t.port, path: req.url, method: req.method, headers: { ...req.headers, host: t.host } }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => { res.writeHead(502); res.end(); });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as import('node:net').AddressInfo).port;
  return { url: `http://127.0.0.1:${port}`, count: () => n, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
