// The options every load-loop bench script takes: --duration, --warmup, --concurrency, --json, --cpu-prof.
import { parseArgs } from 'node:util';

export function parseBenchArgs(script) {
  const { values: opts } = parseArgs({
    options: {
      duration: { type: 'string', default: '6' },
      warmup: { type: 'string', default: '2' },
      concurrency: { type: 'string', default: '16' },
      json: { type: 'boolean', default: false },
      'cpu-prof': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    allowPositionals: false,
  });
  if (opts.help) {
    process.stdout.write(`usage: node bench/${script} [--duration s] [--warmup s] [--concurrency n] [--json] [--cpu-prof dir]\n`);
    process.exit(0);
  }
  const num = (name, min, max) => {
    const v = Number(opts[name]);
    if (!Number.isFinite(v) || v < min || v > max) { process.stderr.write(`--${name}: '${opts[name]}' is not between ${min} and ${max}\n`); process.exit(2); }
    return v;
  };
  return {
    opts,
    durationMs: num('duration', 0.5, 60) * 1000,
    warmupMs: num('warmup', 0, 30) * 1000,
    concurrency: Math.round(num('concurrency', 1, 256)),
  };
}
