// A node --test reporter that writes each test file's wall time, longest first, when the run ends:
//   node scripts/run-tests.mjs --test-reporter=./scripts/test-file-times.mjs --test-reporter-destination=times.txt
// Each file runs in a process of its own; its top-level tests' durations are summed per file, and the
// file's own duration (from start to its last event) is what the suite's slots spend on it.
export default async function* fileTimes(source) {
  const files = new Map();
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    const { file, nesting, details, name } = event.data;
    if (!file || nesting !== 0) continue;
    const entry = files.get(file) ?? { file, ms: 0, tests: 0, fileMs: 0 };
    // The file itself is reported as a top-level test named by its path.
    if (name === file || file.endsWith(name)) entry.fileMs = details.duration_ms;
    else { entry.ms += details.duration_ms; entry.tests += 1; }
    files.set(file, entry);
  }
  const rows = [...files.values()].sort((a, b) => Math.max(b.fileMs, b.ms) - Math.max(a.fileMs, a.ms));
  let total = 0;
  for (const r of rows) {
    const ms = Math.max(r.fileMs, r.ms);
    total += ms;
    yield `${(ms / 1000).toFixed(1).padStart(7)} s  ${String(r.tests).padStart(3)} top-level  ${r.file.replace(/.*\.test-build\//, '')}\n`;
  }
  yield `${(total / 1000).toFixed(1).padStart(7)} s  in all (slot time)\n`;
}
