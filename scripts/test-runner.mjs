// node's test runner over the given files, in the order given, two at a time, each in a process of its
// own (`node --test` would sort them by name: scripts/run-tests.mjs orders them). The spec reporter goes
// to stdout; `--test-reporter=<module> --test-reporter-destination=<file>` pairs add reporters.
//   node scripts/test-runner.mjs [--test-reporter=M --test-reporter-destination=F]... file.js...
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { run } from 'node:test';
import { spec } from 'node:test/reporters';

const args = process.argv.slice(2);
const value = (flag) => args.filter((a) => a.startsWith(`${flag}=`)).map((a) => a.slice(flag.length + 1));
const modules = value('--test-reporter');
const destinations = value('--test-reporter-destination');
if (modules.length !== destinations.length) {
  process.stderr.write('test-runner: each --test-reporter needs its --test-reporter-destination\n');
  process.exit(2);
}
const files = args.filter((a) => !a.startsWith('--'));

const reporters = [{ reporter: new spec(), out: process.stdout }];
for (const [i, m] of modules.entries()) {
  const mod = await import(m === 'spec' || m === 'tap' || m === 'dot' ? `node:test/reporters` : pathToFileURL(path.resolve(m)).href);
  const reporter = m === 'spec' ? new mod.spec() : m === 'tap' || m === 'dot' ? mod[m] : mod.default;
  reporters.push({ reporter, out: destinations[i] === 'stdout' ? process.stdout : fs.createWriteStream(destinations[i]) });
}

const stream = run({ files, concurrency: 2 });
// Every reporter reads every event: one stream of events, copied to each.
const copies = reporters.map(({ reporter, out }) => {
  const copy = new PassThrough({ objectMode: true });
  copy.compose(reporter).pipe(out);
  return copy;
});
stream.on('data', (event) => {
  // A failed test, or a file that failed to run, fails the run (a failing `todo` test does not, as with node --test).
  if (event.type === 'test:fail' && !event.data.todo) process.exitCode = 1;
  for (const c of copies) c.write(event);
});
stream.on('end', () => { for (const c of copies) c.end(); });
