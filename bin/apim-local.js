#!/usr/bin/env node
// dist/bundle (scripts/bundle.mjs): the command in a few modules, which load much faster than dist/cli's many.
import { main } from '../dist/bundle/main.js';

// main() returns the exit code; the process ends when nothing is left to do (`start` keeps serving).
main(process.argv).then((code) => { process.exitCode = code; }, (e) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
