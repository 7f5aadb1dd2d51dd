#!/usr/bin/env node
// Builds the portal (portal/ → dist/portal) with Vite, then checks its first-load budget: the JavaScript
// index.html loads at start (its module script and modulepreloads), gzipped, must stay under 1 MB.
//   --if-stale   build only when a file under portal/ is newer than the last build (npm test uses it)
//   --check      check the budget of the existing build only
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const src = path.join(root, 'portal');
const out = path.join(root, 'dist/portal');
const stamp = path.join(out, '.build-stamp');
export const FIRST_LOAD_BUDGET = 1024 * 1024;

function newestMtime(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : fs.statSync(p).mtimeMs);
  }
  return newest;
}

/** The JavaScript files index.html loads before any blade: its module scripts and modulepreloads. */
export function firstLoad(dir = out) {
  const html = fs.readFileSync(path.join(dir, 'index.html'), 'utf8');
  const refs = [...html.matchAll(/<(?:script[^>]*\ssrc|link[^>]*rel="modulepreload"[^>]*\shref)="\/portal\/([^"]+\.js)"/g)].map((m) => m[1]);
  const files = [...new Set(refs)].map((f) => {
    const raw = fs.readFileSync(path.join(dir, f));
    return { file: f, bytes: raw.length, gzip: zlib.gzipSync(raw, { level: 9 }).length };
  });
  return { files, gzip: files.reduce((n, f) => n + f.gzip, 0), bytes: files.reduce((n, f) => n + f.bytes, 0) };
}

const args = new Set(process.argv.slice(2));
if (!args.has('--check')) {
  const stale = !fs.existsSync(stamp) || newestMtime(src) > fs.statSync(stamp).mtimeMs;
  if (!args.has('--if-stale') || stale) {
    const started = Date.now();
    const { build } = await import('vite');
    await build({ configFile: path.join(src, 'vite.config.ts'), logLevel: 'warn' });
    fs.writeFileSync(stamp, new Date().toISOString() + '\n');
    process.stderr.write(`portal built into dist/portal in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  }
}
const load = firstLoad();
process.stderr.write(`portal first load: ${load.files.length} JavaScript file(s), ${(load.bytes / 1024).toFixed(0)} KiB, ${(load.gzip / 1024).toFixed(0)} KiB gzipped (budget ${FIRST_LOAD_BUDGET / 1024} KiB)\n`);
if (load.files.length === 0) { process.stderr.write('portal: index.html loads no JavaScript?\n'); process.exit(1); }
if (load.gzip > FIRST_LOAD_BUDGET) { process.stderr.write('portal: first load over budget\n'); process.exit(1); }
