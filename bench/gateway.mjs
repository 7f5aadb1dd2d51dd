#!/usr/bin/env node
// Throughput and latency through the API Management gateway, against reverse proxies measured in the
// same run with the same load tool and the same backend: the ratios are the result.
//
//   npm run build && node bench/gateway.mjs [--duration 10] [--warmup 2] [--connections 50] [--rounds 3]
//                    [--gateway-workers 2] [--only <phase>,...] [--tls] [--json]
//                    [--cpu-prof <dir>]  (V8 CPU profiles of the gateways' processes)
//
// Phases (their keys are what --only takes; minimal always runs), each after a warm-up, all on 127.0.0.1,
// plain HTTP (the gateway serves http and https on one port; --tls measures the gateways and the minimal
// proxies over HTTPS instead):
//   direct           the backend itself (node:http, a 114-byte JSON answer)
//   nginx            nginx, 1 worker, upstream keep-alive           (skipped when nginx is not installed)
//   minimal          node:http + undici Pool.dispatch(), no policies: the ceiling of a Node data plane
//   minimal-headers  the same, adding the request headers the gateway sends the backend and the minimal
//                    proxy does not (authorization: Bearer with the gateway's own token, x-bench,
//                    x-forwarded-for): the cost of the bytes the policies add, without running policies
//   minimal-cluster  the minimal proxy in n node:cluster workers (the primary accepts and hands connections
//                    out round-robin): the ceiling of n Node processes        (n = --gateway-workers; n > 1)
//   fastify          fastify 5 + @fastify/http-proxy
//   gateway          apim-local's gateway, one process (`start --gateway-workers 1`): API policy with
//                    authentication-managed-identity (token cached) + set-header with a {{named value}};
//                    set up through the ARM API as a user would
//   gateway-workers  the same on a second server started with `--gateway-workers n`: the server and n-1
//                    forked workers                                                             (n > 1)
// The phases run --rounds times, interleaved (direct, nginx, minimal, ..., gateway-workers, direct, ...),
// and each figure is the median over rounds: on a shared machine, drift hits every path alike.
// CPU µs/req is the CPU time of the process and all its descendants (/proc/<pid>/stat) per request: the
// gateway server and its workers, the cluster primary and its workers, nginx's master and worker;
// 'procs' says how many processes that was.
// Ratio lines, each of req/s and of CPU per request: gateway (n) ÷ minimal (target ≥ 0.90), ÷ fastify
// (target ≥ 1.5), ÷ minimal-cluster (same number of processes); gateway (1) ÷ minimal, ÷ minimal-headers
// (the policy runtime's own cost), ÷ nginx (1 worker).
// Load: wrk (-t1, --latency) when installed, else an undici loop in this process (noisier: it shares the
// CPUs; HTTPS always uses it). `apt-get install -y nginx wrk` installs both on Debian/Ubuntu.
// The backend and the Node proxies run as child processes of this script (--role ...).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import { armSession, benchInstance } from './lib/arm.mjs';
import { runLoad } from './lib/load.mjs';
import { runMinimalProxy } from './lib/minimal-proxy.mjs';
import { cleanup, onCleanup, makeTempDir, startApimLocal, spawnNode, childPids, processTreeCpuMs, treeCpuDelta } from './lib/processes.mjs';

const SELF = fileURLToPath(import.meta.url);
const { values: opts } = parseArgs({
  options: {
    role: { type: 'string' }, target: { type: 'string' }, headers: { type: 'string' }, 'cluster-workers': { type: 'string' },
    duration: { type: 'string', default: '10' }, warmup: { type: 'string', default: '2' },
    connections: { type: 'string', default: '50' }, concurrency: { type: 'string' }, rounds: { type: 'string', default: '3' }, tls: { type: 'boolean', default: false },
    'gateway-workers': { type: 'string', default: '2' },
    json: { type: 'boolean', default: false }, 'cpu-prof': { type: 'string' }, only: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

/** The phases' keys (what --only takes), in the order they run in each round. */
const PHASE_KEYS = ['direct', 'nginx', 'minimal', 'minimal-headers', 'minimal-cluster', 'fastify', 'gateway', 'gateway-workers'];

// ---------- child roles ----------
const BODY = JSON.stringify({ id: 'bench', name: 'bench', type: 'Microsoft.Bench/echo', location: 'westeurope', properties: { state: 'ok' } });
if (opts.role === 'backend') {
  let last; // the last request's headers, for the checks: asked for over IPC ({ type: 'last-request' })
  const server = http.createServer((req, res) => {
    last = req.headers;
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(BODY) });
    res.end(BODY);
  });
  server.keepAliveTimeout = 65_000;
  server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
  process.on('message', (m) => { if (m?.type === 'last-request') process.send({ type: 'last-request', headers: last }); });
  process.on('disconnect', () => process.exit(0));
} else if (opts.role === 'minimal') {
  // minimal, minimal-headers (--headers <json>) and minimal-cluster (--cluster-workers <n>): bench/lib/minimal-proxy.mjs.
  runMinimalProxy({
    target: opts.target,
    addHeaders: opts.headers ? JSON.parse(opts.headers) : undefined,
    tls: opts.tls ? { cert: fs.readFileSync(process.env.BENCH_CERT), key: fs.readFileSync(process.env.BENCH_KEY) } : undefined,
    workers: opts['cluster-workers'] ? Number(opts['cluster-workers']) : 0,
  });
} else if (opts.role === 'fastify') {
  const { default: Fastify } = await import('fastify');
  const { default: proxy } = await import('@fastify/http-proxy');
  const app = Fastify({ logger: false });
  await app.register(proxy, { upstream: opts.target });
  await app.listen({ port: 0, host: '127.0.0.1' });
  process.send({ port: app.server.address().port });
  process.on('disconnect', () => process.exit(0));
} else {
  main().then((code) => { process.exitCode = code; }, async (e) => {
    process.stderr.write(`bench: gateway failed: ${e instanceof Error ? e.stack ?? e.message : e}\n`);
    await cleanup();
    process.exitCode = 1;
  });
}

// ---------- the run ----------
function num(name, min, max) {
  const v = Number(opts[name]);
  if (!Number.isFinite(v) || v < min || v > max) { process.stderr.write(`--${name}: '${opts[name]}' is not between ${min} and ${max}\n`); process.exit(2); }
  return v;
}
// A function declaration (hoisted): main() starts above and logs before this line is reached.
function log(m) { process.stderr.write(`bench: ${m}\n`); }

async function child(name, args, env) {
  const c = spawnNode(name, [SELF, ...args], { ipc: true, graceMs: 2000, env: { ...process.env, ...env } });
  const port = await new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${name} did not start:\n${c.output()}`)), 15_000);
    c.child.once('message', (m) => { clearTimeout(t); resolve(m.port); });
    c.exited.then((code) => { clearTimeout(t); reject(new Error(`${name} exited (${code}):\n${c.output()}`)); });
  });
  return { proc: c, port, pid: c.child.pid };
}

function startNginx(tmp, backendPort) {
  const nginx = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => fs.existsSync(p)) ?? (spawnSync('which', ['nginx']).stdout?.toString().trim() || undefined);
  if (!nginx) return undefined;
  const dir = path.join(tmp, 'nginx');
  fs.mkdirSync(path.join(dir, 'logs'), { recursive: true });
  const port = 20000 + Math.floor(Math.random() * 20000);
  fs.writeFileSync(path.join(dir, 'nginx.conf'), `
worker_processes 1; pid ${dir}/nginx.pid; error_log ${dir}/logs/error.log; daemon off;
events { worker_connections 4096; }
http {
  access_log off; client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  upstream backend { server 127.0.0.1:${backendPort}; keepalive 64; }
  server { listen 127.0.0.1:${port}; location / { proxy_pass http://backend; proxy_http_version 1.1; proxy_set_header Connection ""; } }
}`);
  const proc = spawn(nginx, ['-p', dir, '-c', path.join(dir, 'nginx.conf')], { stdio: 'ignore' });
  onCleanup({ name: 'nginx', run: async () => { proc.kill('SIGTERM'); }, runSync: () => proc.kill('SIGKILL') });
  return { port, pid: proc.pid, proc };
}

async function waitFor(url) {
  for (let i = 0; i < 100; i++) {
    try { const r = await fetch(url); await r.arrayBuffer(); if (r.status < 500) return r.status; } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer`);
}

/** ARM set-up of the gateway: instance with a system-assigned identity, named value, API, operation, policy. */
async function setUpGateway(connection, backendPort) {
  const { arm } = await armSession(connection);
  const { svcPath, svc } = await benchInstance(arm);
  await arm('PUT', `${svcPath}/namedValues/bench-header`, { properties: { displayName: 'bench-header', value: 'from-named-value', secret: false } });
  await arm('PUT', `${svcPath}/apis/bench`, { properties: { displayName: 'Bench', path: 'bench', serviceUrl: `http://127.0.0.1:${backendPort}`, protocols: ['http', 'https'], subscriptionRequired: false } });
  await arm('PUT', `${svcPath}/apis/bench/operations/get`, { properties: { displayName: 'get', method: 'GET', urlTemplate: '/*' } });
  await arm('PUT', `${svcPath}/apis/bench/policies/policy`, { properties: { format: 'rawxml', value: `<policies>
  <inbound>
    <base />
    <authentication-managed-identity resource="api://backend" />
    <set-header name="x-bench" exists-action="override"><value>{{bench-header}}</value></set-header>
  </inbound>
  <backend><base /></backend>
  <outbound><base /></outbound>
  <on-error><base /></on-error>
</policies>` } });
  return new URL(svc.properties.gatewayUrl).port;
}

function wrkAvailable() {
  return spawnSync('wrk', ['--version']).error === undefined;
}

async function loadWithWrk(url, connections, seconds) {
  const out = await new Promise((resolve, reject) => {
    const p = spawn('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', url]);
    let s = '';
    p.stdout.on('data', (d) => { s += d; });
    p.on('exit', (code) => (code === 0 ? resolve(s) : reject(new Error(`wrk exited ${code}: ${s}`))));
  });
  const ms = (v, unit) => Number(v) * ({ us: 0.001, ms: 1, s: 1000 }[unit] ?? 1);
  const pct = (p) => { const m = new RegExp(`\\s${p}%\\s+([\\d.]+)(us|ms|s)`).exec(out); return m ? ms(m[1], m[2]) : NaN; };
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
  const timeouts = Number(/Socket errors:.*timeout (\d+)/.exec(out)?.[1] ?? 0);
  return { rps, p50Ms: pct(50), p99Ms: pct(99), errors: non2xx + timeouts };
}

/** Sends one GET through `origin` and returns the headers the backend received. */
async function probe(origin, ca, backend) {
  const pool = new Pool(origin, { connect: { ca, servername: 'localhost' } });
  try {
    const r = await pool.request({ path: '/bench/x', method: 'GET' });
    await r.body.arrayBuffer();
    if (r.statusCode !== 200) throw new Error(`${origin} answered ${r.statusCode}`);
  } finally { await pool.close(); }
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => { backend.proc.child.off('message', on); reject(new Error('the backend did not report its last request')); }, 5000);
    const on = (m) => { if (m?.type === 'last-request') { clearTimeout(t); backend.proc.child.off('message', on); resolve(m.headers); } };
    backend.proc.child.on('message', on);
    backend.proc.child.send({ type: 'last-request' });
  });
}

/** The request headers `b` has and `a` has not, or with another value (both as the backend saw them). */
function addedHeaders(a, b) {
  return Object.fromEntries(Object.entries(b).filter(([k, v]) => a[k] !== v));
}

/** Throws unless the gateway sent the backend its managed-identity token and the named value. */
function checkGatewayHeaders(added, name) {
  if (!/^Bearer \S{20,}$/.test(added.authorization ?? '')) throw new Error(`${name} did not send a bearer token to the backend: ${JSON.stringify(added)}`);
  if (added['x-bench'] !== 'from-named-value') throw new Error(`${name} did not send the named value to the backend: ${JSON.stringify(added)}`);
}

async function main() {
  if (opts.help) {
    const lines = fs.readFileSync(SELF, 'utf8').split('\n');
    process.stdout.write(lines.slice(1, lines.findIndex((l) => l.startsWith('import '))).join('\n') + '\n');
    return 0;
  }
  const durationS = num('duration', 1, 120);
  const warmupS = num('warmup', 0, 30);
  if (opts.concurrency !== undefined) opts.connections = opts.concurrency; // bench/run-all.mjs passes the same flags to every script
  const connections = Math.round(num('connections', 1, 1000));
  const rounds = Math.round(num('rounds', 1, 20));
  const n = num('gateway-workers', 1, 64);
  if (!Number.isInteger(n)) { process.stderr.write(`--gateway-workers: '${opts['gateway-workers']}' is not an integer\n`); return 2; }
  const only = opts.only?.split(',').map((k) => k.trim()).filter(Boolean);
  const unknown = only?.filter((k) => !PHASE_KEYS.includes(k));
  if (unknown?.length) { process.stderr.write(`--only: unknown phase ${unknown.join(', ')} (phases: ${PHASE_KEYS.join(', ')})\n`); return 2; }
  const wanted = (key) => (!only || only.includes(key) || key === 'minimal') && (n > 1 || (key !== 'minimal-cluster' && key !== 'gateway-workers'));
  const tls = opts.tls;
  const scheme = tls ? 'https' : 'http';
  const tmp = makeTempDir('apim-local-bench-gw-');
  const useWrk = wrkAvailable();
  if (!useWrk) log('wrk is not installed (apt-get install -y wrk): using the undici load loop in this process');

  const backend = await child('backend', ['--role', 'backend']);
  const target = `http://127.0.0.1:${backend.port}`;
  const cpuProfDir = opts['cpu-prof'] ? path.resolve(opts['cpu-prof']) : undefined;
  if (cpuProfDir) fs.mkdirSync(cpuProfDir, { recursive: true });
  const nodeArgs = cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', cpuProfDir] : [];
  // Two servers set up alike: one process, and n. The first also issues the certificates for --tls, and
  // its token is what minimal-headers sends, so it always runs.
  const startGateway = async (workers) => {
    log(`starting apim-local --gateway-workers ${workers}`);
    const s = await startApimLocal(path.join(tmp, `gateway-workers-${workers}`), { nodeArgs, extraArgs: ['--gateway-workers', String(workers)], name: `apim-local --gateway-workers ${workers}` });
    const port = await setUpGateway(s.connection, backend.port);
    return { ...s, port, pid: s.server.child.pid, ca: fs.readFileSync(s.connection.caCertificatePath, 'utf8') };
  };
  const gw1 = await startGateway(1);
  const gwN = wanted('gateway-workers') ? await startGateway(n) : undefined;
  let certEnv = {};
  if (tls) {
    const { loadOrCreateCa } = await import(path.join(path.dirname(SELF), '../dist/tls/ca.js'));
    const issued = await (await loadOrCreateCa(gw1.dataDir)).issueServerCertificate(['localhost', '127.0.0.1']);
    fs.writeFileSync(path.join(tmp, 'cert.pem'), issued.certPem);
    fs.writeFileSync(path.join(tmp, 'key.pem'), issued.keyPem);
    certEnv = { BENCH_CERT: path.join(tmp, 'cert.pem'), BENCH_KEY: path.join(tmp, 'key.pem') };
  }
  const proxyArgs = ['--role', 'minimal', '--target', target, ...(tls ? ['--tls'] : [])];
  const minimal = await child('minimal proxy', proxyArgs, certEnv);

  // What the gateway sends the backend that the minimal proxy does not, for the same client request:
  // minimal-headers adds exactly that.
  const viaMinimal = await probe(`${scheme}://127.0.0.1:${minimal.port}`, gw1.ca, backend);
  const viaGateway = await probe(`${scheme}://127.0.0.1:${gw1.port}`, gw1.ca, backend);
  const added = addedHeaders(viaMinimal, viaGateway);
  checkGatewayHeaders(added, 'the gateway');
  const dropped = Object.keys(viaMinimal).filter((k) => !(k in viaGateway));
  const addedBytes = Object.entries(added).reduce((a, [k, v]) => a + k.length + v.length + 4, 0);
  log(`the gateway adds ${Object.keys(added).join(', ')} (${addedBytes} bytes) to the backend request${dropped.length ? `; drops ${dropped.join(', ')}` : ''}`);
  if (gwN) {
    // One new connection per probe: connections go round-robin to the n processes.
    for (let i = 0; i < n; i++) checkGatewayHeaders(addedHeaders(viaMinimal, await probe(`${scheme}://127.0.0.1:${gwN.port}`, gwN.ca, backend)), `the gateway with ${n} processes`);
    const workers = childPids(gwN.pid).length;
    if (workers < n - 1) log(`warning: apim-local --gateway-workers ${n} has ${workers} child process(es), not ${n - 1} workers`);
  }

  const minimalHeaders = wanted('minimal-headers') ? await child('minimal proxy + headers', [...proxyArgs, '--headers', JSON.stringify(added)], certEnv) : undefined;
  if (minimalHeaders) {
    const seen = await probe(`${scheme}://127.0.0.1:${minimalHeaders.port}`, gw1.ca, backend);
    const expected = { ...viaMinimal, ...added };
    const diff = [...Object.keys(addedHeaders(seen, expected)), ...Object.keys(addedHeaders(expected, seen))];
    if (diff.length) throw new Error(`minimal-headers does not send what the gateway sends: ${diff.join(', ')}`);
  }
  const minimalCluster = wanted('minimal-cluster') ? await child(`minimal proxy cluster ×${n}`, [...proxyArgs, '--cluster-workers', String(n)], certEnv) : undefined;
  const fastify = wanted('fastify') ? await child('fastify', ['--role', 'fastify', '--target', target]) : undefined;
  const nginx = wanted('nginx') ? startNginx(tmp, backend.port) : undefined;
  if (wanted('nginx') && !nginx) log('nginx is not installed (apt-get install -y nginx): skipping it');

  const viaTls = tls ? ', TLS' : '';
  const phases = [
    wanted('direct') && { key: 'direct', name: 'backend', label: 'backend directly', url: `${target}/bench/x`, pid: backend.pid },
    nginx && { key: 'nginx', name: 'nginx', label: 'nginx (1 worker, upstream keep-alive)', url: `http://127.0.0.1:${nginx.port}/bench/x`, pid: nginx.pid },
    { key: 'minimal', name: 'minimal', label: `minimal Node proxy (http + undici dispatch)${viaTls}`, url: `${scheme}://127.0.0.1:${minimal.port}/bench/x`, pid: minimal.pid, ca: gw1.ca },
    minimalHeaders && { key: 'minimal-headers', name: 'minimal + headers', label: `minimal + the gateway's request headers${viaTls}`, url: `${scheme}://127.0.0.1:${minimalHeaders.port}/bench/x`, pid: minimalHeaders.pid, ca: gw1.ca },
    minimalCluster && { key: 'minimal-cluster', name: `minimal cluster ×${n}`, label: `minimal, node:cluster ${n} workers${viaTls}`, url: `${scheme}://127.0.0.1:${minimalCluster.port}/bench/x`, pid: minimalCluster.pid, ca: gw1.ca },
    fastify && { key: 'fastify', name: 'fastify', label: 'fastify + @fastify/http-proxy', url: `http://127.0.0.1:${fastify.port}/bench/x`, pid: fastify.pid },
    wanted('gateway') && { key: 'gateway', name: 'gateway ×1', label: `apim-local gateway, 1 process (MI token + set-header {{nv}})${viaTls}`, url: `${scheme}://127.0.0.1:${gw1.port}/bench/x`, pid: gw1.pid, ca: gw1.ca },
    gwN && { key: 'gateway-workers', name: `gateway ×${n}`, label: `apim-local gateway, ${n} processes (--gateway-workers ${n})${viaTls}`, url: `${scheme}://127.0.0.1:${gwN.port}/bench/x`, pid: gwN.pid, ca: gwN.ca },
  ].filter(Boolean);
  for (const p of phases) if (!p.url.startsWith('https')) await waitFor(p.url);

  const samples = Object.fromEntries(phases.map((p) => [p.key, []]));
  for (let round = 1; round <= rounds; round++) {
    for (const p of phases) {
      log(`round ${round}/${rounds}: ${p.label}: ${warmupS} s warm-up, ${durationS} s measured, ${connections} connections`);
      samples[p.key].push(await measure(p));
    }
  }
  const median = (xs) => { const v = xs.filter((x) => x !== undefined && !Number.isNaN(x)).sort((a, b) => a - b); return v.length ? v[Math.floor((v.length - 1) / 2)] : undefined; };
  const results = Object.fromEntries(phases.map((p) => {
    const xs = samples[p.key];
    return [p.key, {
      label: p.label,
      rps: median(xs.map((x) => x.rps)), p50Ms: median(xs.map((x) => x.p50Ms)), p99Ms: median(xs.map((x) => x.p99Ms)),
      cpuUsPerReq: median(xs.map((x) => x.cpuUsPerReq)), processes: Math.max(...xs.map((x) => x.processes ?? 0)) || undefined,
      errors: xs.reduce((a, x) => a + Number(x.errors || 0), 0), rounds: xs.map((x) => Math.round(x.rps)),
    }];
  }));

  async function measure(p) {
    let r;
    let requests;
    let cpu0;
    if (useWrk && !p.url.startsWith('https')) {
      if (warmupS > 0) await loadWithWrk(p.url, connections, warmupS);
      cpu0 = processTreeCpuMs(p.pid);
      r = await loadWithWrk(p.url, connections, durationS);
      requests = r.rps * durationS;
    } else {
      const u = new URL(p.url);
      const pool = new Pool(u.origin, { connections, pipelining: 1, connect: { ca: p.ca, servername: 'localhost' } });
      const load = { pool, concurrency: connections, request: () => ({ path: u.pathname, method: 'GET' }) };
      if (warmupS > 0) await runLoad({ ...load, durationMs: warmupS * 1000 });
      cpu0 = processTreeCpuMs(p.pid);
      const l = await runLoad({ ...load, durationMs: durationS * 1000 });
      r = { rps: l.rps, p50Ms: l.p50Ms, p99Ms: l.p99Ms, errors: l.errors };
      requests = l.completed + l.errors;
      await pool.close();
    }
    const cpu = treeCpuDelta(cpu0, processTreeCpuMs(p.pid));
    return { ...r, cpuUsPerReq: cpu && requests > 0 ? (cpu.ms * 1000) / requests : undefined, processes: cpu?.processes };
  }

  // Ratios: [numerator, denominator, note, target req/s ratio]. With n = 1, gateway stands for gateway (n).
  const gN = results['gateway-workers'] ? 'gateway-workers' : n === 1 ? 'gateway' : undefined;
  const ratios = [
    [gN, 'minimal', 'the issue\'s target', 0.9],
    [gN, 'fastify', 'the issue\'s target', 1.5],
    ['gateway-workers', 'minimal-cluster', 'the same number of processes'],
    ['gateway', 'minimal', 'one process each'],
    ['gateway', 'minimal-headers', 'the policy runtime\'s own cost'],
    ['gateway', 'nginx', 'one worker each'],
  ].filter(([a, b], i, all) => results[a]?.rps && results[b]?.rps && all.findIndex(([x, y]) => x === a && y === b) === i).map(([a, b, note, target]) => {
    const name = (k) => phases.find((p) => p.key === k).name;
    const cpu = results[a].cpuUsPerReq !== undefined && results[b].cpuUsPerReq ? results[a].cpuUsPerReq / results[b].cpuUsPerReq : undefined;
    return { of: a, to: b, name: `${name(a)} ÷ ${name(b)}`, rps: results[a].rps / results[b].rps, cpuPerReq: cpu, note, target };
  });

  const f = (v, d) => (v === undefined || Number.isNaN(v) ? '-' : v.toFixed(d));
  const table = (head, rows) => {
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const line = (r) => r.map((c, i) => (i === 0 || i === r.length - 1 && head[i] === '' ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
    return [line(head), ...rows.map(line)];
  };
  const cpus = os.cpus();
  process.stdout.write([
    '',
    `gateway: node ${process.version}, ${cpus.length} CPU(s) ${cpus[0]?.model?.trim() ?? ''}, load average ${os.loadavg()[0].toFixed(1)}, ${connections} connections, median of ${rounds} rounds of ${durationS} s per phase after ${warmupS} s warm-up, load: ${!useWrk ? 'undici loop' : tls ? 'wrk -t1, and the undici loop for HTTPS' : 'wrk -t1'}${tls ? ', TLS to the gateways and the minimal proxies' : ''}`,
    '',
    ...table(['path', 'req/s', 'p50 ms', 'p99 ms', 'CPU µs/req', 'procs', 'errors', 'req/s per round'],
      phases.map((p) => { const r = results[p.key]; return [p.label, f(r.rps, 0), f(r.p50Ms, 2), f(r.p99Ms, 2), f(r.cpuUsPerReq, 1), String(r.processes ?? '-'), String(r.errors), r.rounds.join(' ')]; })),
    '',
    ...table(['ratio', 'req/s', 'CPU/req', ''], ratios.map((q) => [q.name, f(q.rps, 3), f(q.cpuPerReq, 3),
      q.target ? `target req/s ≥ ${q.target.toFixed(2)}: ${q.rps >= q.target ? 'met' : 'not met'}` : q.note])),
    '',
  ].join('\n') + '\n');
  if (opts.json) {
    process.stdout.write(JSON.stringify({
      bench: 'gateway', node: process.version, cpus: cpus.length, loadAverage: os.loadavg()[0], connections, durationS, warmupS, rounds, tls,
      gatewayWorkers: n, load: useWrk ? 'wrk' : 'undici', addedHeaders: { names: Object.keys(added), bytes: addedBytes }, results, ratios,
    }, null, 2) + '\n');
  }
  await cleanup();
  if (cpuProfDir) log(`CPU profiles of the gateways' processes in ${cpuProfDir}`);
  return Object.values(results).some((r) => r.errors > 0) ? 1 : 0;
}
