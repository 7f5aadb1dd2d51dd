#!/usr/bin/env node
// The cost of a compiled policy expression per call, next to the same logic written in plain JavaScript,
// measured in one process, one after the other, several rounds: the ratio is the result.
//
//   npm run build && node bench/expressions.mjs [--iterations 500000] [--rounds 5] [--json]
//
// Three expression sets the issue names, each evaluated against a request context as the gateway builds
// it (GatewayContext with headers, query and a buffered body):
//   header   @(context.Request.Headers.GetValueOrDefault("x-source", "none"))            target ≤ 1.5×
//   choose   @(context.Request.Url.Query.GetValueOrDefault("mode", "") == "mock")        target ≤ 1.5×
//   body     JObject body edit: parse, change two properties, serialize                   (reported)
// The JavaScript side does the same work the way a hand-written policy would (a header lookup with its
// default and comma-joined values; URLSearchParams on the raw query; JSON.parse/JSON.stringify).
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values: opts } = parseArgs({ options: { iterations: { type: 'string', default: '500000' }, rounds: { type: 'string', default: '5' }, json: { type: 'boolean', default: false } } });
const N = Number(opts.iterations);
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

function time(fn, ctx) {
  let sink;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) sink = fn(ctx);
  const ns = Number(process.hrtime.bigint() - t0) / N;
  if (sink === undefined) throw new Error('no result');
  return ns;
}

const ctx = makeContext();
const results = [];
for (const c of cases) {
  const a = c.expr.run(ctx), b = c.js(ctx);
  if (String(a) !== String(b)) throw new Error(`${c.name}: the expression gives ${a}, the JavaScript ${b}`);
  // Warm-up, then interleaved rounds; the median of each side.
  time((x) => c.expr.run(x), ctx); time(c.js, ctx);
  const e = [], j = [];
  for (let r = 0; r < ROUNDS; r++) { e.push(time((x) => c.expr.run(x), ctx)); j.push(time(c.js, ctx)); }
  const median = (xs) => xs.sort((p, q) => p - q)[Math.floor(xs.length / 2)];
  const en = median(e), jn = median(j);
  results.push({ name: c.name, expressionNs: Math.round(en), javascriptNs: Math.round(jn), ratio: +(en / jn).toFixed(2), target: c.target });
}

if (opts.json) console.log(JSON.stringify(results));
else {
  console.log(`policy expressions vs plain JavaScript, ${N} calls × ${ROUNDS} rounds (median ns per call)`);
  for (const r of results) {
    const verdict = r.target === undefined ? '' : r.ratio <= r.target ? `  (target ≤ ${r.target}×: met)` : `  (target ≤ ${r.target}×: NOT met)`;
    console.log(`  ${r.name.padEnd(7)} expression ${String(r.expressionNs).padStart(6)} ns   javascript ${String(r.javascriptNs).padStart(6)} ns   ratio ${r.ratio}×${verdict}`);
  }
}
