#!/usr/bin/env node
// Key Vault secret reads and durable writes (SQLite, synchronous=FULL: each acknowledged set is on
// disk), against a bare node:https server measured in the same run with the same client: the ratios
// are the result, with p50/p99 latencies.
//
//   npm run build && node bench/keyvault.mjs [--duration 6] [--warmup 2] [--concurrency 16] [--json]
//                                            [--cpu-prof <dir>]  (V8 CPU profile of the server)
//
// Phases (each: warm-up, then measurement), all on 127.0.0.1, TLS on every one:
//   baseline #1  GET on the bare https server (bench/lib/https-baseline.mjs), same request line as the secret GET
//   secret GET   GET {vaultUri}secrets/bench-secret/?api-version=2025-07-01, one bearer token (access policy vault)
//   baseline #2
//   secret SET   PUT {vaultUri}secrets/bench-set (a new version each time: a durable write)
//   baseline #3
// A ratio divides a phase's req/s by the mean of the two baselines around it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { Pool } from 'undici';
import { runLoad } from './lib/load.mjs';
import { parseBenchArgs } from './lib/args.mjs';
import { ROOT, cleanup, onCleanup, makeTempDir, startApimLocal, startBaseline, processCpuMs } from './lib/processes.mjs';

const { opts, durationMs, warmupMs, concurrency } = parseBenchArgs('keyvault.mjs');

const KV_API = '2025-07-01';
const RESOURCE_GROUP = 'bench-rg';
const abort = new AbortController();
const log = (m) => process.stderr.write(`bench: ${m}\n`);

async function main() {
  const tmp = makeTempDir('apim-local-bench-kv-');

  // 1. The real server, from dist/, on a free port.
  const cpuProfDir = opts['cpu-prof'] ? path.resolve(opts['cpu-prof']) : undefined;
  if (cpuProfDir) fs.mkdirSync(cpuProfDir, { recursive: true });
  log('starting apim-local');
  const { server, connection, dataDir } = await startApimLocal(tmp, { nodeArgs: cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', cpuProfDir] : [] });
  const ca = fs.readFileSync(connection.caCertificatePath, 'utf8');
  const mgmt = new URL(connection.managementEndpoint);
  const mgmtPool = new Pool(`https://127.0.0.1:${mgmt.port}`, { connections: 2, connect: { ca, servername: 'localhost' } });

  // 2. The baseline: a bare node:https server with a certificate from the same CA.
  const { loadOrCreateCa } = await import(pathToFileURL(path.join(ROOT, 'dist/tls/ca.js')).href);
  const issued = await (await loadOrCreateCa(dataDir)).issueServerCertificate(['localhost', '127.0.0.1']);
  const baseDir = path.join(tmp, 'baseline');
  fs.mkdirSync(baseDir, { mode: 0o700 });
  fs.writeFileSync(path.join(baseDir, 'cert.pem'), issued.certPem);
  fs.writeFileSync(path.join(baseDir, 'key.pem'), issued.keyPem, { mode: 0o600 });
  const { baseline, port: baselinePort } = await startBaseline(path.join(baseDir, 'cert.pem'), path.join(baseDir, 'key.pem'));

  // 3. Set-up through the public APIs: ARM token, resource group, a vault whose access policy lets the
  //    admin read and write secrets, a Key Vault token, one secret to read.
  const token = async (scope) => {
    const r = await expectJson(mgmtPool, {
      path: `/${connection.tenantId}/oauth2/v2.0/token`, method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: connection.clientId, client_secret: connection.clientSecret, scope }).toString(),
    }, 200, `token for ${scope}`);
    return `Bearer ${r.access_token}`;
  };
  const armAuth = await token('https://management.azure.com/.default');
  const group = `/subscriptions/${connection.subscriptionId}/resourceGroups/${RESOURCE_GROUP}`;
  await expectJson(mgmtPool, { path: `${group}?api-version=2025-04-01`, method: 'PUT', headers: { authorization: armAuth, 'content-type': 'application/json' }, body: JSON.stringify({ location: 'westeurope' }) }, [200, 201], 'resource group PUT');
  const vaultName = `bench-${crypto.randomBytes(4).toString('hex')}`;
  const vault = await expectJson(mgmtPool, {
    path: `${group}/providers/Microsoft.KeyVault/vaults/${vaultName}?api-version=2026-02-01`, method: 'PUT',
    headers: { authorization: armAuth, 'content-type': 'application/json' },
    body: JSON.stringify({ location: 'westeurope', properties: {
      tenantId: connection.tenantId, sku: { family: 'A', name: 'standard' }, enableRbacAuthorization: false,
      accessPolicies: [{ tenantId: connection.tenantId, objectId: connection.objectId, permissions: { secrets: ['get', 'set', 'list'] } }],
    } }),
  }, [200, 201], 'vault PUT');
  const vaultPort = new URL(vault.properties.vaultUri).port;
  const kvAuth = await token('https://vault.azure.net/.default');

  // 4. One keep-alive pool per server, one connection per in-flight request, trusting the local CA.
  const poolOptions = { connections: concurrency, pipelining: 1, connect: { ca, servername: 'localhost' } };
  const vaultPool = new Pool(`https://127.0.0.1:${vaultPort}`, poolOptions);
  const baselinePool = new Pool(`https://127.0.0.1:${baselinePort}`, poolOptions);
  onCleanup({ name: 'client pools', run: async () => { await Promise.all([vaultPool.destroy(), baselinePool.destroy(), mgmtPool.destroy()]); }, runSync: () => {} });
  onCleanup({ name: 'load', run: async () => abort.abort(), runSync: () => {} });

  const value = crypto.randomBytes(48).toString('base64');
  const putSecret = (name) => ({
    path: `/secrets/${name}?api-version=${KV_API}`, method: 'PUT', headers: { authorization: kvAuth, 'content-type': 'application/json' },
    body: JSON.stringify({ value, contentType: 'text/plain' }),
  });
  await expectJson(vaultPool, putSecret('bench-secret'), 200, 'secret PUT');
  const getRequest = { path: `/secrets/bench-secret/?api-version=${KV_API}`, method: 'GET', headers: { authorization: kvAuth } };
  const got = await expectJson(vaultPool, getRequest, 200, 'secret GET');
  if (got.value !== value) throw new Error(`secret GET answered ${JSON.stringify(got).slice(0, 200)}`);
  const setRequest = putSecret('bench-set');
  const baselineRequest = getRequest;
  await expectJson(baselinePool, baselineRequest, 200, 'baseline GET');

  // 5. The phases, baselines alternating with the measured ones.
  const base = (n) => ({ key: `baseline${n}`, label: `baseline #${n} (node:https)`, pool: baselinePool, request: baselineRequest, pid: baseline.child.pid });
  const phases = [
    base(1),
    { key: 'secretGet', label: 'secret GET (latest)', pool: vaultPool, request: getRequest, pid: server.child.pid, around: ['baseline1', 'baseline2'] },
    base(2),
    { key: 'secretSet', label: 'secret SET (durable)', pool: vaultPool, request: setRequest, pid: server.child.pid, around: ['baseline2', 'baseline3'] },
    base(3),
  ];
  const results = {};
  for (const phase of phases) {
    log(`${phase.label}: ${warmupMs / 1000} s warm-up, ${durationMs / 1000} s measured, ${concurrency} in flight`);
    const load = { pool: phase.pool, concurrency, request: () => phase.request, signal: abort.signal };
    if (warmupMs > 0) await runLoad({ ...load, durationMs: warmupMs });
    const serverCpu0 = processCpuMs(phase.pid);
    const r = await runLoad({ ...load, durationMs });
    const serverCpu1 = processCpuMs(phase.pid);
    if (abort.signal.aborted) throw new Error('interrupted');
    const requests = r.completed + r.errors;
    r.serverCpuUsPerReq = serverCpu0 === undefined || serverCpu1 === undefined || requests === 0 ? undefined : ((serverCpu1 - serverCpu0) * 1000) / requests;
    results[phase.key] = r;
    if (r.errors > 0) log(`${phase.label}: ${r.errors} failed requests (${r.errorSamples.join('; ')}), statuses ${JSON.stringify(r.statuses)}`);
  }

  // 6. The table.
  const baselineRps = (p) => (results[p.around[0]].rps + results[p.around[1]].rps) / 2;
  const ratios = Object.fromEntries(phases.filter((p) => p.around).map((p) => [p.key, results[p.key].rps / baselineRps(p)]));
  const baselines = phases.filter((p) => !p.around).map((p) => results[p.key].rps);
  const spread = (Math.max(...baselines) - Math.min(...baselines)) / (baselines.reduce((a, b) => a + b, 0) / baselines.length);
  const cpus = os.cpus();
  const lines = [
    '',
    `keyvault: node ${process.version}, ${cpus.length} CPU(s) ${cpus[0]?.model?.trim() ?? ''}, ${concurrency} requests in flight, ` +
      `${durationMs / 1000} s measured per phase after ${warmupMs / 1000} s warm-up, HTTPS keep-alive on 127.0.0.1, SQLite store`,
    '',
    table(
      ['phase', 'requests', 'errors', 'req/s', 'p50 ms', 'p99 ms', 'srv CPU µs/req', 'ratio'],
      phases.map((p) => {
        const r = results[p.key];
        return [p.label, String(r.completed), String(r.errors), fixed(r.rps, 0), fixed(r.p50Ms, 2), fixed(r.p99Ms, 2),
          fixed(r.serverCpuUsPerReq, 0), p.around ? fixed(ratios[p.key], 3) : ''];
      }),
    ),
    '',
    `secret GETs/s ÷ baseline req/s = ${fixed(ratios.secretGet, 3)}   (baseline #1 and #2)`,
    `secret SETs/s ÷ baseline req/s = ${fixed(ratios.secretSet, 3)}   (baseline #2 and #3; each set is fsync'ed)`,
    `baseline spread (max - min) / mean = ${fixed(spread * 100, 0)}%: above ~20%, the machine was busy or still warming up; run again`,
    '',
  ];
  process.stdout.write(lines.join('\n') + '\n');
  if (opts.json) {
    process.stdout.write(JSON.stringify({ bench: 'keyvault', node: process.version, cpus: cpus.length, concurrency, durationMs, warmupMs, ratios, baselineSpread: spread, phases: results }, null, 2) + '\n');
  }
  const failed = Object.values(results).some((r) => r.errors > 0);
  await cleanup();
  if (cpuProfDir) log(`server CPU profile in ${cpuProfDir}`);
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
    if (!abort.signal.aborted) process.stderr.write(`bench: keyvault failed: ${e instanceof Error ? e.stack ?? e.message : e}\n`);
    await cleanup();
    process.exitCode = 1;
  },
);
