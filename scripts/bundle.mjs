#!/usr/bin/env node
// Bundles the command (bin/apim-local.js's dist/bundle/main.js) and the gateway worker into a few ES
// modules with esbuild, after tsc has checked and compiled src/ into dist/. A process then loads a few
// large files instead of ~600 small ones (our ~300 modules and Kysely's ~280): module loading was most of a
// server start. Packages stay outside the bundle (node_modules), but Kysely, whose many small modules
// were the costliest to load, and jose; packages that read files beside their own code (WASM, native
// addons) must stay outside.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const INLINE = new Set(['kysely', 'jose']);
const outdir = path.join(root, 'dist/bundle');
fs.rmSync(outdir, { recursive: true, force: true });
await build({
  // The worker sits beside the chunks: src/gateway/workers/pool.ts forks `worker.js` from its own folder.
  entryPoints: { main: path.join(root, 'src/cli/main.ts'), worker: path.join(root, 'src/gateway/workers/worker.ts') },
  outdir, bundle: true, splitting: true, format: 'esm', platform: 'node', target: 'node20', sourcemap: true,
  external: Object.keys(pkg.dependencies).filter((d) => !INLINE.has(d)).flatMap((d) => [d, `${d}/*`]),
  logLevel: 'warning',
});
