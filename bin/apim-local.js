#!/usr/bin/env node
import { main } from '../dist/cli/main.js';

main(process.argv).catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
