#!/usr/bin/env node
// The cost of the retry policy, against the same gateway calling the same backend without it, measured in
// one run, phases interleaved over rounds: the ratios are the result.
//
//   npm run build && node bench/retry.mjs [--duration 5] [--warmup 1] [--concurrency 16] [--rounds 3] [--json]
//
// The backend (node:http, in this process) answers /fail with 503 and /ok with 200. Phases, all through
// apim-local's gateway over plain HTTP on 127.0.0.1, set up through the ARM API as a user would:
//   single-503   GET /plain/fail: no retry, one backend call, the 503 is the answer       (the baseline)
//   retry-503    GET /retried/fail under <retry condition="@(context.Response.StatusCode == 503)"
//                count="3" interval="0" first-fast-retry="true"><forward-request /></retry>: four backend
//                calls per request, the last 503 is the answer
//   single-200   GET /plain/ok
//   retry-200    GET /retried/ok: the same retry, whose condition is false at once (one backend call):
//                the cost of the policy itself
// Ratio lines: retry-503 ÷ single-503 in req/s (≈ 1/4 would mean a retried attempt costs as much as a
// call), the same per backend call ((req/s × 4) ÷ single), and retry-200 ÷ single-200 (the wrapper's own
// cost; target ≥ 0.9).
import http from 'node:http';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { armSession, benchInstance } from './lib/arm.mjs';
import { runLoad } from './lib/load.mjs';
import { cleanup, makeTempDir, startApimLocal } from './lib/processes.mjs';

const { values: opts } = parseArgs({
  options: {
    duration: { type: 'string', default: '5' }, warmup: { type: 'string', default: '1' }, concurrency: { type: 'string', default: '16' },
    rounds: { type: 'string', default: '3' }, json: { type: 'boolean', default: false },
  },
});
const log = (m) => process.stderr.write(`bench: ${m}\n`);
const ATTEMPTS = 4;

async function main() {
  let backendCalls = 0;
  const backend = http.createServer((req, res) => {
    backendCalls++;
    req.resume();
    const status = req.url.includes('/fail') ? 503 : 200;
    const body = JSON.stringify({ status });
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  backend.keepAliveTimeout = 65_000;
  await new Promise((r) => backend.listen(0, '127.0.0.1', r));
  const backendUrl = `http://127.0.0.1:${backend.address().port}`;

  const tmp = makeTempDir('apim-local-bench-retry-');
  const { connection } = await startApimLocal(tmp);
  const { arm } = await armSession(connection);
  const { svcPath, svc } = await benchInstance(arm);
  const api = `${svcPath}/apis/retry`;
  await arm('PUT', api, { properties: { displayName: 'Retry', path: 'retry', serviceUrl: backendUrl, protocols: ['http', 'https'], subscriptionRequired: false } });
  for (const op of ['plain', 'retried']) await arm('PUT', `${api}/operations/${op}`, { properties: { displayName: op, method: 'GET', urlTemplate: `/${op}/*` } });
  await arm('PUT', `${api}/operations/retried/policies/policy`, { properties: { format: 'rawxml', value: `<policies><inbound><base /></inbound>
    <backend><retry condition="@(context.Response.StatusCode == 503)" count="3" interval="0" first-fast-retry="true"><forward-request /></retry></backend>
    <outbound><base /></outbound><on-error><base /></on-error></policies>` } });
  const origin = `http://127.0.0.1:${new URL(svc.properties.gatewayUrl).port}`;

  // Checks: the retried call made four backend calls, the plain one one.
  const pool = new Pool(origin, { connections: Number(opts.concurrency), pipelining: 1 });
  const once = async (p) => { const before = backendCalls; const r = await pool.request({ path: p, method: 'GET' }); await r.body.arrayBuffer(); return { status: r.statusCode, calls: backendCalls - before }; };
  const checks = [['/retry/plain/fail', 503, 1], ['/retry/retried/fail', 503, ATTEMPTS], ['/retry/plain/ok', 200, 1], ['/retry/retried/ok', 200, 1]];
  for (const [p, status, calls] of checks) {
    const got = await once(p);
    if (got.status !== status || got.calls !== calls) throw new Error(`${p}: ${got.status} after ${got.calls} backend calls, expected ${status} after ${calls}`);
  }

  const phases = [
    { key: 'single-503', path: '/retry/plain/fail', status: 503 },
    { key: 'retry-503', path: '/retry/retried/fail', status: 503 },
    { key: 'single-200', path: '/retry/plain/ok', status: 200 },
    { key: 'retry-200', path: '/retry/retried/ok', status: 200 },
  ];
  const results = Object.fromEntries(phases.map((p) => [p.key, []]));
  const concurrency = Number(opts.concurrency);
  for (let round = 1; round <= Number(opts.rounds); round++) {
    for (const p of phases) {
      const request = () => ({ path: p.path, method: 'GET' });
      const ok = (s) => s === p.status;
      await runLoad({ pool, concurrency, durationMs: Number(opts.warmup) * 1000, request, ok });
      const before = backendCalls;
      const r = await runLoad({ pool, concurrency, durationMs: Number(opts.duration) * 1000, request, ok });
      if (r.errors > 0) throw new Error(`${p.key}: ${r.errors} errors (${r.errorSamples.join('; ')})`);
      results[p.key].push({ ...r, backendCallsPerRequest: (backendCalls - before) / r.completed });
      log(`round ${round} ${p.key}: ${r.rps.toFixed(0)} req/s, p50 ${r.p50Ms.toFixed(2)} ms`);
    }
  }
  await pool.close();
  backend.close();
  backend.closeAllConnections();

  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const summary = Object.fromEntries(phases.map((p) => [p.key, {
    rps: median(results[p.key].map((r) => r.rps)), p50Ms: median(results[p.key].map((r) => r.p50Ms)), p99Ms: median(results[p.key].map((r) => r.p99Ms)),
    backendCallsPerRequest: median(results[p.key].map((r) => r.backendCallsPerRequest)),
  }]));
  const ratios = {
    'retry-503 ÷ single-503 (req/s)': summary['retry-503'].rps / summary['single-503'].rps,
    'retry-503 per backend call ÷ single-503 (req/s × 4 ÷ req/s)': (summary['retry-503'].rps * ATTEMPTS) / summary['single-503'].rps,
    'retry-200 ÷ single-200 (req/s, the policy\'s own cost; target ≥ 0.9)': summary['retry-200'].rps / summary['single-200'].rps,
    'retry-503 ÷ single-503 (p50 latency)': summary['retry-503'].p50Ms / summary['single-503'].p50Ms,
  };
  console.log('phase        req/s     p50 ms   p99 ms   backend calls/req');
  for (const p of phases) {
    const s = summary[p.key];
    console.log(`${p.key.padEnd(12)} ${s.rps.toFixed(0).padStart(7)} ${s.p50Ms.toFixed(2).padStart(8)} ${s.p99Ms.toFixed(2).padStart(8)} ${s.backendCallsPerRequest.toFixed(2).padStart(10)}`);
  }
  for (const [k, v] of Object.entries(ratios)) console.log(`${k}: ${v.toFixed(2)}`);
  if (opts.json) console.log(JSON.stringify({ summary, ratios }, null, 2));
  return 0;
}

main().then(async (code) => { await cleanup(); process.exitCode = code; }, async (e) => {
  process.stderr.write(`bench: retry failed: ${e instanceof Error ? e.stack ?? e.message : e}\n`);
  await cleanup();
  process.exitCode = 1;
});
