#!/usr/bin/env node
// The cost of a compiled policy expression per call, next to the same logic written in plain JavaScript,
// measured in one process, one after the other, several rounds: the ratio is the result.
//
//   npm run build && node bench/expressions.mjs [--round-ms 100] [--iterations N] [--rounds 5] [--json]
//
// Three expression sets the issue names, each evaluated against a request context as the gateway builds
// it (GatewayContext with headers, query and a buffered body):
//   header   @(context.Request.Headers.GetValueOrDefault("x-source", "none"))            target ≤ 1.5×
//   choose   @(context.Request.Url.Query.GetValueOrDefault("mode", "") == "mock")        target ≤ 1.5×
//   body     JObject body edit: parse, change two properties, serialize                   (reported)
// The JavaScript side does the same work the way a hand-written policy would (a header lookup with its
// default and comma-joined values; URLSearchParams on the raw query; JSON.parse/JSON.stringify).
// Both sides are timed the same way: the function of the context itself (the compiled expression's run,
// which the gateway calls as is; the JavaScript function), with no wrapper around either. Each round of a
// set makes as many calls as the JavaScript side makes in about --round-ms (or --iterations calls), so a
// round of a few-ns lookup lasts long enough to average out a busy machine's scheduling.
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values: opts } = parseArgs({ options: { iterations: { type: 'string' }, 'round-ms': { type: 'string', default: '100' }, rounds: { type: 'string', default: '5' }, json: { type: 'boolean', default: false } } });
const ROUND_MS = Number(opts['round-ms']);
const ROUNDS = Number(opts.rounds);

const { compileExpression } = await import(pathToFileURL(path.join(root, 'dist/gateway/expressions/index.js')).href);
const { GatewayContext } = await import(pathToFileURL(path.join(root, 'dist/gateway/runtime/context.js')).href);

function makeContext() {
  const req = { method: 'POST', url: '/api/items/1?mode=mock&x=1', headers: { host: 'gw.example:8443', 'x-source': 'abc', accept: 'application/json', 'content-type': 'application/json' }, socket: { remoteAddress: '127.0.0.1' }, once() {} };
  const ctx = new GatewayContext(req, { once() {} }, true);
  ctx.setRawQuery('mode=mock&x=1');
  ctx.path = '/items/1';
  ctx.requestBody = Buffer.from('{"id":1,"count":41,"name":"widget","tags":["a","b"]}');
  return ctx;
}

const cases = [
  {
    name: 'header', target: 1.5,
    expr: compileExpression('@(context.Request.Headers.GetValueOrDefault("x-source", "none"))', 'string'),
    js: (ctx) => { const v = ctx.headers['x-source']; return v === undefined ? 'none' : Array.isArray(v) ? v.join(',') : v; },
  },
  {
    name: 'choose', target: 1.5,
    expr: compileExpression('@(context.Request.Url.Query.GetValueOrDefault("mode", "") == "mock")', 'bool'),
    js: (ctx) => (new URLSearchParams(ctx.queryString()).getAll('mode').join(',') || '') === 'mock',
  },
  {
    name: 'body',
    expr: compileExpression('@{ var b = context.Request.Body.As<JObject>(preserveContent: true); b["count"] = (int)b["count"] + 1; b["added"] = "yes"; return b.ToString(Newtonsoft.Json.Formatting.None); }', 'string'),
    js: (ctx) => { const b = JSON.parse(ctx.requestBody.toString('utf8')); b.count = b.count + 1; b.added = 'yes'; return JSON.stringify(b); },
  },
];

/** ns per call over n calls. */
function time(fn, ctx, n) {
  let sink;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) sink = fn(ctx);
  const ns = Number(process.hrtime.bigint() - t0) / n;
  if (sink === undefined) throw new Error('no result');
  return ns;
}

/** Calls fn for about `ms` (the warm-up). */
function warmUp(fn, ctx, ms) {
  const end = performance.now() + ms;
  for (let batch = 100; performance.now() < end; batch = Math.min(batch * 2, 1_000_000)) time(fn, ctx, batch);
}

/** How many calls of fn take about `ms`: from the fastest of a few short timings (a busy machine only slows one down). */
function callsIn(fn, ctx, ms) {
  let best = Infinity;
  for (let k = 0; k < 5; k++) best = Math.min(best, time(fn, ctx, 10_000));
  return Math.max(1000, Math.round((ms * 1e6) / best));
}

const ctx = makeContext();
const results = [];
for (const c of cases) {
  const run = c.expr.run;
  const a = run(ctx), b = c.js(ctx);
  if (String(a) !== String(b)) throw new Error(`${c.name}: the expression gives ${a}, the JavaScript ${b}`);
  // Warm-up (which also sizes the rounds), then interleaved rounds; the median of each side.
  warmUp(run, ctx, ROUND_MS); warmUp(c.js, ctx, ROUND_MS);
  const n = opts.iterations ? Number(opts.iterations) : callsIn(c.js, ctx, ROUND_MS);
  const e = [], j = [];
  for (let r = 0; r < ROUNDS; r++) { e.push(time(run, ctx, n)); j.push(time(c.js, ctx, n)); }
  const median = (xs) => xs.sort((p, q) => p - q)[Math.floor(xs.length / 2)];
  const en = median(e), jn = median(j);
  results.push({ name: c.name, calls: n, expressionNs: +en.toFixed(1), javascriptNs: +jn.toFixed(1), ratio: +(en / jn).toFixed(2), target: c.target });
}

if (opts.json) console.log(JSON.stringify(results));
else {
  console.log(`policy expressions vs plain JavaScript, ${ROUNDS} rounds per set (median ns per call)`);
  for (const r of results) {
    const verdict = r.target === undefined ? '' : r.ratio <= r.target ? `  (target ≤ ${r.target}×: met)` : `  (target ≤ ${r.target}×: NOT met)`;
    console.log(`  ${r.name.padEnd(7)} expression ${r.expressionNs.toFixed(1).padStart(8)} ns   javascript ${r.javascriptNs.toFixed(1).padStart(8)} ns   ratio ${r.ratio}×${verdict}   (${r.calls} calls a round)`);
  }
}
