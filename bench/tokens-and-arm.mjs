#!/usr/bin/env node
// Throughput and latency of the token endpoint and of authenticated ARM GETs, against a bare
// node:https server measured in the same run with the same client: the ratios are the result.
//
//   npm run build && node bench/tokens-and-arm.mjs [--duration 6] [--warmup 2] [--concurrency 16] [--json]
//                                                   [--cpu-prof <dir>]  (V8 CPU profile of the server)
//
// Phases (each: warm-up, then measurement), all on 127.0.0.1, TLS on every one:
//   baseline #1  GET on the bare https server (bench/lib/https-baseline.mjs), same request as the ARM GET
//   token        POST /{tenant}/oauth2/v2.0/token, client_credentials, admin application, ARM scope
//   baseline #2
//   ARM GET      GET /subscriptions/{sub}/resourceGroups/{rg}?api-version=2025-04-01, one bearer token
//   baseline #3
// A ratio divides a phase's req/s by the mean of the two baselines around it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Pool } from 'undici';
import { runLoad } from './lib/load.mjs';
import { parseBenchArgs } from './lib/args.mjs';
import { ROOT, cleanup, onCleanup, makeTempDir, startApimLocal, startBaseline, processCpuMs } from './lib/processes.mjs';

const { opts, durationMs, warmupMs, concurrency } = parseBenchArgs('tokens-and-arm.mjs');

const API_VERSION = '2025-04-01';
const RESOURCE_GROUP = 'bench-rg';

const abort = new AbortController();
const log = (m) => process.stderr.write(`bench: ${m}\n`);

async function main() {
  const tmp = makeTempDir('apim-local-bench-');

  // 1. The real server, from dist/, on a free port.
  const cpuProfDir = opts['cpu-prof'] ? path.resolve(opts['cpu-prof']) : undefined;
  if (cpuProfDir) fs.mkdirSync(cpuProfDir, { recursive: true });
  log('starting apim-local');
  const { server, connection, dataDir } = await startApimLocal(tmp, { nodeArgs: cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', cpuProfDir] : [] });
  const ca = fs.readFileSync(connection.caCertificatePath, 'utf8');
  const mgmt = new URL(connection.managementEndpoint);
  if (!['localhost', '127.0.0.1', '[::1]'].includes(mgmt.hostname)) throw new Error(`the management endpoint ${mgmt.origin} is not on this machine`);
  const serverOrigin = `https://127.0.0.1:${mgmt.port}`;

  // 2. The baseline: a bare node:https server with a certificate from the same CA (RSA 2048, same chain).
  const { loadOrCreateCa } = await import(pathToFileURL(path.join(ROOT, 'dist/tls/ca.js')).href);
  const issued = await (await loadOrCreateCa(dataDir)).issueServerCertificate(['localhost', '127.0.0.1']);
  const baseDir = path.join(tmp, 'baseline');
  fs.mkdirSync(baseDir, { mode: 0o700 });
  fs.writeFileSync(path.join(baseDir, 'cert.pem'), issued.certPem);
  fs.writeFileSync(path.join(baseDir, 'key.pem'), issued.keyPem, { mode: 0o600 });
  const { baseline, port: baselinePort } = await startBaseline(path.join(baseDir, 'cert.pem'), path.join(baseDir, 'key.pem'));
  const baselineOrigin = `https://127.0.0.1:${baselinePort}`;

  // 3. One keep-alive pool per server, one connection per in-flight request, trusting the local CA.
  const poolOptions = { connections: concurrency, pipelining: 1, connect: { ca } };
  const serverPool = new Pool(serverOrigin, poolOptions);
  const baselinePool = new Pool(baselineOrigin, poolOptions);
  onCleanup({ name: 'client pools', run: async () => { await Promise.all([serverPool.destroy(), baselinePool.destroy()]); }, runSync: () => {} });
  onCleanup({ name: 'load', run: async () => abort.abort(), runSync: () => {} });

  // 4. Set-up, checking each answer once: a token, a resource group, a GET of it.
  const tokenRequest = {
    path: `/${connection.tenantId}/oauth2/v2.0/token`, method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials', client_id: connection.clientId, client_secret: connection.clientSecret,
      scope: 'https://management.azure.com/.default',
    }).toString(),
  };
  const tokenRes = await expectJson(serverPool, tokenRequest, 200, 'token request');
  if (tokenRes.token_type !== 'Bearer' || typeof tokenRes.access_token !== 'string') throw new Error(`token response without a bearer token: ${JSON.stringify(tokenRes)}`);
  const authorization = `Bearer ${tokenRes.access_token}`;
  const groupPath = `/subscriptions/${connection.subscriptionId}/resourceGroups/${RESOURCE_GROUP}?api-version=${API_VERSION}`;
  await expectJson(serverPool, {
    path: groupPath, method: 'PUT', headers: { authorization, 'content-type': 'application/json' }, body: JSON.stringify({ location: 'westeurope' }),
  }, [200, 201], 'resource group PUT');
  const armRequest = { path: groupPath, method: 'GET', headers: { authorization } };
  const group = await expectJson(serverPool, armRequest, 200, 'resource group GET');
  if (group.name !== RESOURCE_GROUP) throw new Error(`resource group GET answered ${JSON.stringify(group)}`);
  // The baseline gets the same request line and headers as the ARM GET.
  const baselineRequest = armRequest;
  await expectJson(baselinePool, baselineRequest, 200, 'baseline GET');

  // 5. The phases.
  // Baselines alternate with the measured phases: each ratio divides by the mean of the two baselines
  // around it, so drift (JIT warm-up, other load on the machine) is seen and mostly cancelled.
  const base = (n) => ({ key: `baseline${n}`, label: `baseline #${n} (node:https)`, pool: baselinePool, request: baselineRequest, pid: baseline.child.pid });
  const phases = [
    base(1),
    { key: 'token', label: 'token (client_credentials)', pool: serverPool, request: tokenRequest, pid: server.child.pid, around: ['baseline1', 'baseline2'] },
    base(2),
    { key: 'armGet', label: 'ARM GET resource group', pool: serverPool, request: armRequest, pid: server.child.pid, around: ['baseline2', 'baseline3'] },
    base(3),
  ];
  const results = {};
  for (const phase of phases) {
    log(`${phase.label}: ${warmupMs / 1000} s warm-up, ${durationMs / 1000} s measured, ${concurrency} in flight`);
    const load = { pool: phase.pool, concurrency, request: () => phase.request, signal: abort.signal };
    if (warmupMs > 0) await runLoad({ ...load, durationMs: warmupMs });
    const serverCpu0 = processCpuMs(phase.pid);
    const clientCpu0 = process.cpuUsage();
    const r = await runLoad({ ...load, durationMs });
    const serverCpu1 = processCpuMs(phase.pid);
    const clientCpu = process.cpuUsage(clientCpu0);
    if (abort.signal.aborted) throw new Error('interrupted');
    for (const child of [server, baseline]) {
      if (!child.alive()) throw new Error(`${child.name} exited (${await child.exited}) during '${phase.label}':\n${child.output()}`);
    }
    const requests = r.completed + r.errors;
    r.serverCpuPct = serverCpu0 === undefined || serverCpu1 === undefined ? undefined : ((serverCpu1 - serverCpu0) / r.elapsedMs) * 100;
    r.serverCpuUsPerReq = serverCpu0 === undefined || serverCpu1 === undefined || requests === 0 ? undefined : ((serverCpu1 - serverCpu0) * 1000) / requests;
    r.clientCpuPct = ((clientCpu.user + clientCpu.system) / 1000 / r.elapsedMs) * 100;
    r.clientCpuUsPerReq = requests === 0 ? undefined : (clientCpu.user + clientCpu.system) / requests;
    results[phase.key] = r;
    if (r.errors > 0) log(`${phase.label}: ${r.errors} failed requests (${r.errorSamples.join('; ')}), statuses ${JSON.stringify(r.statuses)}`);
  }

  // 6. The table.
  const baselineRps = (p) => (p.around ? (results[p.around[0]].rps + results[p.around[1]].rps) / 2 : undefined);
  const ratios = Object.fromEntries(phases.filter((p) => p.around).map((p) => [p.key, results[p.key].rps / baselineRps(p)]));
  const baselines = phases.filter((p) => !p.around).map((p) => results[p.key].rps);
  const spread = (Math.max(...baselines) - Math.min(...baselines)) / (baselines.reduce((a, b) => a + b, 0) / baselines.length);
  // Server CPU per request against the baseline's: less sensitive than req/s to the client sharing the CPUs.
  const cpuCost = (p) => {
    const [a, b] = p.around.map((k) => results[k].serverCpuUsPerReq);
    return results[p.key].serverCpuUsPerReq / ((a + b) / 2);
  };
  const cpus = os.cpus();
  const lines = [
    '',
    `tokens-and-arm: node ${process.version}, ${cpus.length} CPU(s) ${cpus[0]?.model?.trim() ?? ''}, ${concurrency} requests in flight, ` +
      `${durationMs / 1000} s measured per phase after ${warmupMs / 1000} s warm-up, HTTPS keep-alive on 127.0.0.1`,
    '',
    table(
      ['phase', 'requests', 'errors', 'req/s', 'p50 ms', 'p99 ms', 'srv CPU %', 'srv CPU µs/req', 'client CPU %', 'ratio'],
      phases.map((p) => {
        const r = results[p.key];
        return [p.label, String(r.completed), String(r.errors), fixed(r.rps, 0), fixed(r.p50Ms, 2), fixed(r.p99Ms, 2),
          fixed(r.serverCpuPct, 0), fixed(r.serverCpuUsPerReq, 0), fixed(r.clientCpuPct, 0), p.around ? fixed(ratios[p.key], 3) : ''];
      }),
    ),
    '',
    `tokens/s ÷ baseline req/s  = ${fixed(ratios.token, 3)}   (baseline #1 and #2)`,
    `ARM GET/s ÷ baseline req/s = ${fixed(ratios.armGet, 3)}   (baseline #2 and #3)`,
    `server CPU per request ÷ baseline's: token ${fixed(cpuCost(phases[1]), 1)}×, ARM GET ${fixed(cpuCost(phases[3]), 1)}×`,
    `baseline spread (max - min) / mean = ${fixed(spread * 100, 0)}%: above ~20%, the machine was busy or still warming up; run again`,
    '',
  ];
  process.stdout.write(lines.join('\n') + '\n');
  if (opts.json) {
    process.stdout.write(JSON.stringify({
      bench: 'tokens-and-arm', node: process.version, cpus: cpus.length, concurrency, durationMs, warmupMs,
      ratios, baselineSpread: spread, phases: results,
    }, null, 2) + '\n');
  }

  // 7. Stop the server first when profiling, so its profile is written before the directory goes.
  const failed = Object.values(results).some((r) => r.errors > 0);
  await cleanup();
  if (cpuProfDir) log(`server CPU profile in ${cpuProfDir} (open in Chrome DevTools → Performance, or speedscope)`);
  return failed ? 1 : 0;
}

async function expectJson(pool, request, statuses, what) {
  const res = await pool.request(request);
  const text = await res.body.text();
  const expected = Array.isArray(statuses) ? statuses : [statuses];
  if (!expected.includes(res.statusCode)) throw new Error(`${what}: HTTP ${res.statusCode} ${text.slice(0, 500)}`);
  try { return JSON.parse(text); } catch { throw new Error(`${what}: not JSON: ${text.slice(0, 200)}`); }
}

function fixed(v, digits) {
  return v === undefined || Number.isNaN(v) ? '-' : v.toFixed(digits);
}

function table(head, rows) {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [fmt(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(fmt)].join('\n');
}

main().then(
  (code) => { process.exitCode = code; },
  async (e) => {
    if (!abort.signal.aborted) process.stderr.write(`bench: tokens-and-arm failed: ${e instanceof Error ? e.stack ?? e.message : e}\n`);
    await cleanup();
    process.exitCode = 1;
  },
);
