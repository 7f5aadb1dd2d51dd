#!/usr/bin/env node
// Runs the whole suite with node's test runner (TypeScript through tsx).
// The SDKs trust our local CA only through NODE_EXTRA_CA_CERTS, which node reads at start-up, so a
// test CA is made here first; every test server's data directory is seeded with it.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const caDir = path.join(os.tmpdir(), 'apim-local-test-ca');
fs.mkdirSync(caDir, { recursive: true });
const { loadOrCreateCa, loadOrIssueServerCertificate } = await import(path.join(root, 'dist/tls/ca.js'));
const ca = await loadOrCreateCa(caDir);
// The server certificate every test server would make on its first start (test/helpers/server.ts copies
// it too): made once here, in a directory of its own, and moved into place whole.
if (!fs.existsSync(path.join(caDir, 'server.pem'))) {
  const tmp = fs.mkdtempSync(path.join(caDir, 'server-'));
  await loadOrIssueServerCertificate(ca, tmp, ['localhost', '127.0.0.1', '::1']);
  fs.renameSync(path.join(tmp, 'server-key.pem'), path.join(caDir, 'server-key.pem'));
  fs.renameSync(path.join(tmp, 'server.pem'), path.join(caDir, 'server.pem'));
  fs.rmSync(tmp, { recursive: true, force: true });
}

function findTests(dir) {
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...findTests(p));
    else if (entry.name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const only = process.argv.slice(2);
const files = (only.length > 0 ? only : findTests(path.join(root, 'test'))).sort();
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', ...files], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, NODE_EXTRA_CA_CERTS: path.join(caDir, 'ca.pem'), APIM_LOCAL_TEST_CA_DIR: caDir },
});
process.exit(result.status ?? 1);
