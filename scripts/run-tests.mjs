#!/usr/bin/env node
// Runs the whole suite with node's test runner (TypeScript transpiled once by esbuild, below).
// The SDKs trust our local CA only through NODE_EXTRA_CA_CERTS, which node reads at start-up, so a
// test CA is made here first; every test server's data directory is seeded with it.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

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

function findFiles(dir, suffix) {
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...findFiles(p, suffix));
    else if (entry.name.endsWith(suffix)) out.push(p);
  }
  return out;
}

// The tests and the sources they import are transpiled to JavaScript once here (esbuild, as tsx would,
// without type checks: `npm run typecheck` does those), into .test-build/ beside src/ and test/. The ~100
// test processes then load plain JavaScript: tsx's loader hooks sit on every import of every process,
// and cost each more than a second of CPU.
const BUILD = path.join(root, '.test-build');
fs.rmSync(BUILD, { recursive: true, force: true });
await build({
  // The portal's .ts modules too: unit tests import its pure logic (portal/src/api).
  entryPoints: ['src', 'test', 'portal/src'].flatMap((dir) => findFiles(path.join(root, dir), '.ts')),
  outdir: BUILD, outbase: root, format: 'esm', platform: 'node', target: 'node20', sourcemap: 'inline', logLevel: 'warning',
});
const compiled = (file) => path.join(BUILD, path.relative(root, path.resolve(root, file))).replace(/\.ts$/, '.js');

// Arguments: test files to run (all by default), and node --test flags passed on as they are
// (e.g. --test-reporter=scripts/test-file-times.mjs --test-reporter-destination=times.txt).
const args = process.argv.slice(2);
const flags = args.filter((a) => a.startsWith('--'));
const only = args.filter((a) => !a.startsWith('--'));
const files = (only.length > 0 ? only : findFiles(path.join(root, 'test'), '.test.ts')).sort().map(compiled);
// A reporter of one's own (with its destination) comes beside the usual one, which node drops when given any.
const reporters = flags.some((f) => f.startsWith('--test-reporter=')) && !flags.includes('--test-reporter=spec')
  ? ['--test-reporter=spec', '--test-reporter-destination=stdout'] : [];
const result = spawnSync(process.execPath, ['--enable-source-maps', '--test', '--test-concurrency=2', ...reporters, ...flags, ...files], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, NODE_EXTRA_CA_CERTS: path.join(caDir, 'ca.pem'), APIM_LOCAL_TEST_CA_DIR: caDir },
});
process.exit(result.status ?? 1);
