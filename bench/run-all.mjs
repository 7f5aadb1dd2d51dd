#!/usr/bin/env node
// Runs every bench script in bench/ (the *.mjs files beside this one), one after the other, with the
// arguments given here (e.g. `npm run bench -- --duration 3`). Exits non-zero if any of them failed.
// The scripts measure the compiled server in dist/: build it first (`npm run build`).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(benchDir, '..');
const self = path.basename(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);

if (!fs.existsSync(path.join(root, 'dist/cli/main.js'))) {
  process.stderr.write('bench: dist/ is missing: run `npm run build` first\n');
  process.exit(1);
}
warnIfStale();

const scripts = fs.readdirSync(benchDir).filter((f) => f.endsWith('.mjs') && f !== self).sort();
let current;
let interrupted;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  // The running script stops its own children and removes its files; wait for it, then stop.
  process.on(signal, () => {
    interrupted = signal;
    if (current) current.kill(signal); else process.exit(128 + (os.constants.signals[signal] ?? 2));
  });
}

const failed = [];
for (const script of scripts) {
  process.stderr.write(`\n=== bench/${script} ${args.join(' ')}\n`);
  const started = Date.now();
  const { code, signal } = await new Promise((resolve) => {
    current = spawn(process.execPath, [path.join(benchDir, script), ...args], { cwd: root, stdio: 'inherit' });
    current.on('exit', (c, s) => resolve({ code: c, signal: s }));
    current.on('error', (e) => { process.stderr.write(`bench: cannot start ${script}: ${e.message}\n`); resolve({ code: 1, signal: null }); });
  });
  current = undefined;
  process.stderr.write(`=== bench/${script}: ${signal ? `stopped by ${signal}` : `exit ${code}`} after ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  if (signal || interrupted) process.exit(128 + (os.constants.signals[signal ?? interrupted] ?? 2));
  if (code !== 0) failed.push(script);
}
if (failed.length > 0) {
  process.stderr.write(`bench: failed: ${failed.join(', ')}\n`);
  process.exit(1);
}

/** A warning when a source file is newer than its compiled output: the numbers would be of old code. */
function warnIfStale() {
  const stale = [];
  const walk = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) {
        const out = path.join(root, 'dist', path.relative(path.join(root, 'src'), p)).replace(/\.ts$/, '.js');
        if (!fs.existsSync(out) || fs.statSync(out).mtimeMs < fs.statSync(p).mtimeMs) stale.push(path.relative(root, p));
      }
    }
  };
  try { walk(path.join(root, 'src')); } catch { return; }
  if (stale.length > 0) {
    process.stderr.write(`bench: warning: dist/ is older than ${stale.slice(0, 5).join(', ')}${stale.length > 5 ? ` and ${stale.length - 5} more` : ''}: run \`npm run build\` to measure the current code\n`);
  }
}
