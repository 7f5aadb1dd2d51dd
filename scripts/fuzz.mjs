#!/usr/bin/env node
// The long fuzz run (`npm run fuzz`): the property tests of test/{unit,e2e}/fuzz-*.test.ts, each property
// given an even share of FUZZ_SECONDS (default 300) and as many cases as fit in it, instead of the few
// hundred the ordinary suite runs. A failure prints fast-check's counterexample and seed; replay it with
// FUZZ_SEED=<seed> node scripts/run-tests.mjs <file>. Run `npx tsc -p tsconfig.json` first (the tests
// runner needs dist/ for the test CA).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const seconds = Number(process.env.FUZZ_SECONDS ?? 300);
if (!Number.isFinite(seconds) || seconds <= 0) {
  process.stderr.write(`FUZZ_SECONDS: '${process.env.FUZZ_SECONDS}' is not a positive number of seconds\n`);
  process.exit(2);
}
const files = ['unit', 'e2e'].flatMap((d) => {
  const dir = path.join(root, 'test', d);
  return fs.readdirSync(dir).filter((f) => /^fuzz-.*\.test\.ts$/.test(f)).map((f) => path.join(dir, f));
}).sort();
// Properties per file (one fc.assert per test), for the share of time each gets.
const properties = files.reduce((n, f) => n + (fs.readFileSync(f, 'utf8').match(/fc\.assert\(/g) ?? []).length, 0);
// Two files run at once (run-tests.mjs: --test-concurrency=2).
const perProperty = Math.max(1000, Math.floor((seconds * 1000 * 2) / Math.max(1, properties)));
process.stderr.write(`fuzz: ${properties} properties in ${files.length} files, ${Math.round(perProperty / 1000)} s each (FUZZ_SECONDS=${seconds})\n`);
const result = spawnSync(process.execPath, [path.join(root, 'scripts', 'run-tests.mjs'), ...files], {
  cwd: root, stdio: 'inherit',
  env: { ...process.env, FUZZ_RUNS: String(1e9), FUZZ_TIME_MS: String(perProperty) },
});
process.exit(result.status ?? 1);
