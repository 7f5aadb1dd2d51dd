#!/usr/bin/env node
// Runs the whole suite with node's test runner (TypeScript transpiled once by esbuild, below).
// The SDKs trust our local CA only through NODE_EXTRA_CA_CERTS, which node reads at start-up, so a
// test CA is made here first; every test server's data directory is seeded with it.
import { spawn } from 'node:child_process';
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

// Arguments: test files to run (all by default), and reporters of one's own, each with its destination
// (--test-reporter=./scripts/test-file-times.mjs --test-reporter-destination=times.txt), beside the spec
// reporter on stdout.
const args = process.argv.slice(2);
const flags = args.filter((a) => a.startsWith('--'));
const only = args.filter((a) => !a.startsWith('--'));
// The longest files start first, so that none is left running alone at the end; the browser files
// (which wait on chromium about half their time) each beside a file that keeps the CPU busy, not beside
// each other. The rest follow in name order. (Measured: scripts/test-file-times.mjs.) `node --test`
// sorts its files by name; scripts/test-runner.mjs keeps this order.
const LONG_FIRST = [
  'test/e2e/az-cli.test.ts', 'test/portal/portal-keyvault.test.ts', 'test/e2e/gateway-workers.test.ts',
  'test/portal/portal-apim.test.ts', 'test/e2e/policy-snippets.test.ts', 'test/portal/portal-apis.test.ts',
  'test/e2e/gateway-authentication.test.ts', 'test/portal/portal-shell.test.ts', 'test/e2e/apim-custom-domains.test.ts',
  'test/portal/portal-deploy.test.ts', 'test/e2e/gateway-cache-limits.test.ts', 'test/portal/portal-eventhubs.test.ts',
];
const rank = (f) => { const i = LONG_FIRST.indexOf(path.relative(root, path.resolve(root, f))); return i < 0 ? LONG_FIRST.length : i; };
// A folder stands for its test files.
const named = only.flatMap((f) => (fs.statSync(path.resolve(root, f)).isDirectory() ? findFiles(path.resolve(root, f), '.test.ts') : [f]));
const files = (only.length > 0 ? named : findFiles(path.join(root, 'test'), '.test.ts')).sort()
  .sort((a, b) => rank(a) - rank(b)).map(compiled);

// Short test files run a few to a process: a process of its own cost each file about a second of start-up
// and imports (node, the test runner, the Azure SDKs, the gateway's modules and its C# parser), more than
// most unit files test for. A group is a generated file importing its members: their tests report under
// it; each member's own before/after hooks still start and stop what it uses (a server each).
// Alone: the long files above, and files that set process-wide state (environment variables).
// Files asked for by name run alone, unless there are many of them.
const ALONE = new Set(['test/e2e/keyvault-managed-identity.test.ts', ...LONG_FIRST]);
const GROUPS = { 'test/unit': 4 };
const groups = [];
const grouped = new Set();
for (const [dir, n] of Object.entries(GROUPS)) {
  const prefix = path.join(BUILD, dir) + path.sep;
  const members = files.filter((f) => f.startsWith(prefix) && !ALONE.has(path.relative(BUILD, f).replace(/\.js$/, '.ts')));
  if (members.length <= 2 * n) continue;
  for (let g = 0; g < n; g++) {
    const file = path.join(BUILD, dir, `group-${g + 1}-of-${n}.test.js`);
    const mine = members.filter((_, i) => i % n === g);
    // Every member is loaded before the first test runs (a root `before` waiting for the imports). With
    // plain imports, members that wait for a module with top-level await (the C# parser's init) load late:
    // node:test runs the root `after` hooks as soon as the tests registered so far are done, and a member
    // registering its `after` while they ran had it run at once, under its own tests (a dropped schema).
    const imports = mine.map((m) => `  import(${JSON.stringify(`./${path.relative(path.dirname(file), m)}`)}),\n`).join('');
    fs.writeFileSync(file, `import { before } from 'node:test';\nconst loading = Promise.all([\n${imports}]);\nbefore(() => loading);\n`);
    for (const m of mine) grouped.add(m);
    groups.push(file);
  }
}
const runFiles = [...files.filter((f) => !grouped.has(f)), ...groups];
// One chromium for the run's browser tests, when installed (test/helpers/browser.ts): each file opens a
// context of its own in it instead of a browser of its own.
const { hasChromium, launchBrowserServer, BROWSER_WS_ENV } = await import(path.join(BUILD, 'test/helpers/browser.js'));
const browser = hasChromium() ? await launchBrowserServer() : undefined;
// --enable-source-maps here reaches every test process: node's runner passes its own flags on.
const child = spawn(process.execPath, ['--enable-source-maps', path.join(root, 'scripts/test-runner.mjs'), ...flags, ...runFiles], {
  cwd: root,
  stdio: 'inherit',
  env: {
    ...process.env, NODE_EXTRA_CA_CERTS: path.join(caDir, 'ca.pem'), APIM_LOCAL_TEST_CA_DIR: caDir,
    ...(browser ? { [BROWSER_WS_ENV]: browser.wsEndpoint() } : {}),
  },
});
const status = await new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))));
await browser?.close();
process.exit(status);
