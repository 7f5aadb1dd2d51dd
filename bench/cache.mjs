#!/usr/bin/env node
// A cache-lookup hit against the minimal proxy, measured in the same run with the same load loop and the
// same backend: the ratio is the result. A hit answers from the gateway's built-in cache without the
// backend, so it should beat a proxy that has to ask the backend (target: ratio ≥ 1).
//
//   npm run build && node bench/cache.mjs [--duration 6] [--warmup 2] [--concurrency 16] [--json]
//
// Phases, plain HTTP on 127.0.0.1, interleaved over 3 rounds (median):
//   minimal        node:http + undici Pool.dispatch() to the backend, no policies (bench/lib/minimal-proxy.mjs)
//   gateway        apim-local's gateway (one process), an API without policies: forwards every call
//   gateway-cache  the same gateway, an API whose policy is cache-lookup + cache-store (internal cache):
//                  after the first call every answer is a hit
// The backend (a child process, node:http) answers a 1 KB JSON body; it counts its calls, and the script
// checks that the cached API reached it once.
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import { parseBenchArgs } from './lib/args.mjs';
import { armSession, benchInstance } from './lib/arm.mjs';
import { runLoad } from './lib/load.mjs';
import { runMinimalProxy } from './lib/minimal-proxy.mjs';
import { cleanup, makeTempDir, spawnNode, startApimLocal } from './lib/processes.mjs';

const SELF = fileURLToPath(import.meta.url);
const role = process.argv.includes('--role') ? process.argv[process.argv.indexOf('--role') + 1] : undefined;

if (role === 'backend') {
  const body = JSON.stringify({ items: Array.from({ length: 16 }, (_, i) => ({ id: i, name: `item-${i}`, tags: ['a', 'b', 'c'] })) });
  let calls = 0;
  const server = http.createServer((req, res) => {
    calls++;
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  server.keepAliveTimeout = 65_000;
  server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
  process.on('message', (m) => { if (m?.type === 'calls') process.send({ type: 'calls', calls }); });
  process.on('disconnect', () => process.exit(0));
} else if (role === 'minimal') {
  runMinimalProxy({ target: process.argv[process.argv.indexOf('--target') + 1] });
} else {
  await main().then(() => cleanup(), async (e) => { process.stderr.write(`${e?.stack ?? e}\n`); await cleanup(); process.exit(1); });
}

/** A child with an IPC channel that reports { port } once it listens. */
async function child(name, args) {
  const c = spawnNode(name, [SELF, ...args], { ipc: true, graceMs: 2000 });
  const port = await new Promise((resolve, reject) => {
    c.child.once('message', (m) => resolve(m.port));
    c.exited.then((code) => reject(new Error(`${name} exited (${code}):\n${c.output()}`)));
  });
  return { ...c, port };
}

async function main() {
  const { opts, durationMs, warmupMs, concurrency } = parseBenchArgs('cache.mjs');
  const backend = await child('backend', ['--role', 'backend']);
  const backendUrl = `http://127.0.0.1:${backend.port}`;
  const backendCalls = () => new Promise((resolve) => { backend.child.once('message', (m) => resolve(m.calls)); backend.child.send({ type: 'calls' }); });
  const minimal = await child('minimal proxy', ['--role', 'minimal', '--target', backendUrl]);

  const { connection } = await startApimLocal(makeTempDir('apim-bench-cache-'));
  const { arm } = await armSession(connection);
  const { svcPath, svc } = await benchInstance(arm);
  const gatewayPort = new URL(svc.properties.gatewayUrl).port;
  for (const [name, policy] of [['plain', undefined], ['cached', '<cache-lookup vary-by-developer="false" vary-by-developer-groups="false" caching-type="internal" />']]) {
    await arm('PUT', `${svcPath}/apis/${name}`, { properties: { displayName: name, path: name, serviceUrl: backendUrl, protocols: ['http', 'https'], subscriptionRequired: false } });
    await arm('PUT', `${svcPath}/apis/${name}/operations/get`, { properties: { displayName: 'get', method: 'GET', urlTemplate: '/*' } });
    if (policy) {
      await arm('PUT', `${svcPath}/apis/${name}/policies/policy`, { properties: { format: 'rawxml', value: `<policies><inbound><base />${policy}</inbound><backend><base /></backend><outbound><base /><cache-store duration="3600" /></outbound><on-error><base /></on-error></policies>` } });
    }
  }

  const phases = [
    { key: 'minimal', origin: `http://127.0.0.1:${minimal.port}`, path: '/items' },
    { key: 'gateway', origin: `http://127.0.0.1:${gatewayPort}`, path: '/plain/items' },
    { key: 'gateway-cache', origin: `http://127.0.0.1:${gatewayPort}`, path: '/cached/items' },
  ];
  const results = Object.fromEntries(phases.map((p) => [p.key, []]));
  for (let round = 0; round < 3; round++) {
    for (const p of phases) {
      const pool = new Pool(p.origin, { connections: concurrency, pipelining: 1 });
      const load = { pool, concurrency, request: () => ({ path: p.path, method: 'GET' }) };
      const before = await backendCalls();
      if (warmupMs > 0) await runLoad({ ...load, durationMs: warmupMs });
      const r = await runLoad({ ...load, durationMs });
      await pool.close();
      r.backendCalls = (await backendCalls()) - before;
      if (r.errors > 0) throw new Error(`${p.key}: ${r.errors} errors (${r.errorSamples.join('; ')})`);
      results[p.key].push(r);
    }
  }
  // The cached API reaches the backend only for the misses before its first answer was stored.
  const cachedMisses = results['gateway-cache'].reduce((n, r) => n + r.backendCalls, 0);
  const median = (xs, f) => xs.map(f).sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const summary = Object.fromEntries(phases.map((p) => [p.key, {
    rps: Math.round(median(results[p.key], (r) => r.rps)), p50Ms: +median(results[p.key], (r) => r.p50Ms).toFixed(3), p99Ms: +median(results[p.key], (r) => r.p99Ms).toFixed(3),
  }]));
  const ratio = (a, b) => +(summary[a].rps / summary[b].rps).toFixed(2);
  const out = {
    concurrency, durationMs, phases: summary,
    ratios: { 'gateway-cache/minimal': ratio('gateway-cache', 'minimal'), 'gateway-cache/gateway': ratio('gateway-cache', 'gateway') },
    backendCallsOfCachedApi: cachedMisses,
  };
  if (opts.json) { console.log(JSON.stringify(out)); return; }
  console.log(`cache-lookup hit vs proxies, ${concurrency} connections, ${durationMs / 1000} s × 3 rounds (median)`);
  for (const p of phases) console.log(`  ${p.key.padEnd(14)} ${String(summary[p.key].rps).padStart(7)} req/s   p50 ${summary[p.key].p50Ms} ms   p99 ${summary[p.key].p99Ms} ms`);
  const r = out.ratios['gateway-cache/minimal'];
  console.log(`  ratio gateway-cache ÷ minimal: ${r}× (target ≥ 1: ${r >= 1 ? 'met' : 'NOT met'})`);
  console.log(`  ratio gateway-cache ÷ gateway (no cache): ${out.ratios['gateway-cache/gateway']}×`);
  console.log(`  backend calls of the cached API: ${cachedMisses} (at most one per connection, before the first answer was stored: ${cachedMisses <= concurrency ? 'yes' : 'NO'})`);
}
