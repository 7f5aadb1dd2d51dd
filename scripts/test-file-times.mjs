// A node --test reporter that writes, when the run ends, each test file's time (its top-level tests'
// durations summed), longest first, with when its first and last results arrived (seconds into the run):
//   node scripts/run-tests.mjs --test-reporter=./scripts/test-file-times.mjs --test-reporter-destination=times.txt
// What it shows: which files to start first (scripts/run-tests.mjs LONG_FIRST) and what is left at the end.
export default async function* fileTimes(source) {
  const t0 = Date.now();
  const files = new Map();
  for await (const event of source) {
    // Events name the transpiled file or, through its source map, the .ts one: one entry for both.
    const file = event.data?.file?.replace(/.*\/(test\/)/, '$1').replace(/\.[jt]s$/, '');
    if (!file) continue;
    const at = (Date.now() - t0) / 1000;
    const entry = files.get(file) ?? { file, ms: 0, tests: 0, first: at, last: at };
    entry.last = at;
    files.set(file, entry);
    if ((event.type === 'test:pass' || event.type === 'test:fail') && event.data.nesting === 0) {
      entry.ms += event.data.details.duration_ms;
      entry.tests += 1;
    }
  }
  let total = 0;
  for (const r of [...files.values()].sort((a, b) => b.ms - a.ms)) {
    total += r.ms;
    yield `${(r.ms / 1000).toFixed(1).padStart(7)} s  ${String(r.tests).padStart(3)} top-level  ${r.first.toFixed(0).padStart(4)}–${r.last.toFixed(0).padEnd(4)} ${r.file}\n`;
  }
  yield `${(total / 1000).toFixed(1).padStart(7)} s  in all\n`;
}
