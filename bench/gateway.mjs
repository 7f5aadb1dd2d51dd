#!/usr/bin/env node
// Throughput and latency through the API Management gateway, against reverse proxies measured in the
// same run with the same load tool and the same backend: the ratios are the result.
//
//   npm run build && node bench/gateway.mjs [--duration 10] [--warmup 2] [--connections 50] [--rounds 3] [--tls] [--json]
//                                            [--cpu-prof <dir>]  (V8 CPU profile of the gateway's process)
//
// Phases, each after a warm-up, all on 127.0.0.1, plain HTTP (the gateway serves http and https on one
// port; --tls measures the gateway and the minimal proxy over HTTPS instead):
//   direct     the backend itself (node:http, a 114-byte JSON answer)
//   nginx      nginx, 1 worker, upstream keep-alive          (skipped when nginx is not installed)
//   minimal    node:http + undici Pool.dispatch(), no policies: the ceiling of a Node data plane
//   fastify    fastify 5 + @fastify/http-proxy
//   gateway    apim-local's gateway: API policy with authentication-managed-identity (token cached) +
//              set-header with a {{named value}}; set up through the ARM API as a user would
// The phases run --rounds times, interleaved (direct, nginx, minimal, fastify, gateway, direct, ...), and
// each figure is the median over rounds: on a shared machine, drift hits every path alike.
// nginx's CPU column is its master process only (the worker does the work): shown as '-'.
// Load: wrk (-t1, --latency) when installed, else an undici loop in this process (noisier: it shares the
// CPUs). `apt-get install -y nginx wrk` installs both on Debian/Ubuntu.
// The backend, the minimal proxy and fastify run as child processes of this script (--role ...).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { Agent, Pool, fetch as undiciFetch } from 'undici';
import { runLoad } from './lib/load.mjs';
import { cleanup, onCleanup, makeTempDir, startApimLocal, spawnNode, processCpuMs } from './lib/processes.mjs';

const SELF = fileURLToPath(import.meta.url);
const { values: opts } = parseArgs({
  options: {
    role: { type: 'string' }, target: { type: 'string' },
    duration: { type: 'string', default: '10' }, warmup: { type: 'string', default: '2' },
    connections: { type: 'string', default: '50' }, concurrency: { type: 'string' }, rounds: { type: 'string', default: '3' }, tls: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false }, 'cpu-prof': { type: 'string' }, only: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

// ---------- child roles ----------
const BODY = JSON.stringify({ id: 'bench', name: 'bench', type: 'Microsoft.Bench/echo', location: 'westeurope', properties: { state: 'ok' } });
if (opts.role === 'backend') {
  const server = http.createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(BODY) });
    res.end(BODY);
  });
  server.keepAliveTimeout = 65_000;
  server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
  process.on('disconnect', () => process.exit(0));
} else if (opts.role === 'minimal') {
  // The minimal Node proxy: node:http server, undici Pool.dispatch() with a raw handler.
  const pool = new Pool(opts.target, { connections: 256, keepAliveTimeout: 30_000 });
  const handler = (req, res) => {
    const headers = req.headers;
    delete headers.host; delete headers.connection;
    pool.dispatch({ path: req.url, method: req.method, headers, body: req.method === 'GET' || req.method === 'HEAD' ? null : req }, {
      onConnect() {}, onError(err) { if (!res.headersSent) { res.writeHead(502); res.end(); } else res.destroy(err); },
      onHeaders(status, raw, resume) {
        const h = [];
        for (let i = 0; i < raw.length; i += 2) {
          const k = raw[i].toString('latin1');
          if (k.length === 10 && /^(connection|keep-alive)$/i.test(k)) continue;
          if (k.length === 17 && /^transfer-encoding$/i.test(k)) continue;
          h.push(k, raw[i + 1].toString('latin1'));
        }
        res.writeHead(status, h);
        this.resume = resume;
        return true;
      },
      onData(chunk) { if (res.write(chunk)) return true; res.once('drain', this.resume); return false; },
      onComplete() { res.end(); },
    });
  };
  let server;
  if (opts.tls) {
    const { default: https } = await import('node:https');
    server = https.createServer({ cert: fs.readFileSync(process.env.BENCH_CERT), key: fs.readFileSync(process.env.BENCH_KEY) }, handler);
  } else server = http.createServer(handler);
  server.keepAliveTimeout = 65_000;
  server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
  process.on('disconnect', () => process.exit(0));
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
const log = (m) => process.stderr.write(`bench: ${m}\n`);

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
  const mgmt = connection.managementEndpoint;
  const agent = new Agent({ connect: { ca: fs.readFileSync(connection.caCertificatePath, 'utf8') } });
  const fetch = (url, init) => undiciFetch(url, { ...init, dispatcher: agent });
  const tokenRes = await fetch(`${mgmt}/${connection.tenantId}/oauth2/v2.0/token`, {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: connection.clientId, client_secret: connection.clientSecret, scope: 'https://management.azure.com/.default' }),
  });
  const { access_token: token } = await tokenRes.json();
  const arm = async (method, p, body, api = '2024-05-01') => {
    const r = await fetch(`${mgmt}/subscriptions/${connection.subscriptionId}${p}?api-version=${api}`, {
      method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body && JSON.stringify(body),
    });
    const text = await r.text();
    if (r.status >= 300 && r.status !== 202) throw new Error(`${method} ${p}: ${r.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
  await arm('PUT', '/resourceGroups/bench-rg', { location: 'westeurope' }, '2025-04-01');
  const svcPath = '/resourceGroups/bench-rg/providers/Microsoft.ApiManagement/service/bench-apim';
  await arm('PUT', svcPath, { location: 'westeurope', sku: { name: 'Developer', capacity: 1 }, identity: { type: 'SystemAssigned' }, properties: { publisherEmail: 'a@contoso.com', publisherName: 'Contoso' } });
  let svc;
  for (let i = 0; i < 100; i++) { svc = await arm('GET', svcPath); if (svc.properties.provisioningState === 'Succeeded') break; await new Promise((r) => setTimeout(r, 100)); }
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

async function main() {
  if (opts.help) { process.stdout.write(fs.readFileSync(SELF, 'utf8').split('\n').slice(1, 19).join('\n') + '\n'); return 0; }
  const durationS = num('duration', 1, 120);
  const warmupS = num('warmup', 0, 30);
  if (opts.concurrency !== undefined) opts.connections = opts.concurrency; // bench/run-all.mjs passes the same flags to every script
  const connections = Math.round(num('connections', 1, 1000));
  const tls = opts.tls;
  const tmp = makeTempDir('apim-local-bench-gw-');
  const useWrk = wrkAvailable();
  if (!useWrk) log('wrk is not installed (apt-get install -y wrk): using the undici load loop in this process');

  const backend = await child('backend', ['--role', 'backend']);
  const target = `http://127.0.0.1:${backend.port}`;
  const cpuProfDir = opts['cpu-prof'] ? path.resolve(opts['cpu-prof']) : undefined;
  if (cpuProfDir) fs.mkdirSync(cpuProfDir, { recursive: true });
  log('starting apim-local');
  const { server, connection, dataDir } = await startApimLocal(tmp, { nodeArgs: cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', cpuProfDir] : [] });
  let certEnv = {};
  if (tls) {
    const { loadOrCreateCa } = await import(path.join(path.dirname(SELF), '../dist/tls/ca.js'));
    const issued = await (await loadOrCreateCa(dataDir)).issueServerCertificate(['localhost', '127.0.0.1']);
    fs.writeFileSync(path.join(tmp, 'cert.pem'), issued.certPem);
    fs.writeFileSync(path.join(tmp, 'key.pem'), issued.keyPem);
    certEnv = { BENCH_CERT: path.join(tmp, 'cert.pem'), BENCH_KEY: path.join(tmp, 'key.pem') };
  }
  const minimal = await child('minimal proxy', ['--role', 'minimal', '--target', target, ...(tls ? ['--tls'] : [])], certEnv);
  const fastify = await child('fastify', ['--role', 'fastify', '--target', target]);
  const nginx = startNginx(tmp, backend.port);
  if (!nginx) log('nginx is not installed (apt-get install -y nginx): skipping it');
  const gatewayPort = await setUpGateway(connection, backend.port);
  const scheme = tls ? 'https' : 'http';
  const ca = fs.readFileSync(connection.caCertificatePath, 'utf8');

  const phases = [
    { key: 'direct', label: 'backend directly', url: `${target}/bench/x`, pid: backend.pid },
    ...(nginx ? [{ key: 'nginx', label: 'nginx (1 worker, upstream keep-alive)', url: `http://127.0.0.1:${nginx.port}/bench/x`, pid: nginx.pid }] : []),
    { key: 'minimal', label: `minimal Node proxy (http + undici dispatch)${tls ? ', TLS' : ''}`, url: `${scheme}://127.0.0.1:${minimal.port}/bench/x`, pid: minimal.pid },
    { key: 'fastify', label: 'fastify + @fastify/http-proxy', url: `http://127.0.0.1:${fastify.port}/bench/x`, pid: fastify.pid },
    { key: 'gateway', label: `apim-local gateway (MI token + set-header {{nv}})${tls ? ', TLS' : ''}`, url: `${scheme}://127.0.0.1:${gatewayPort}/bench/x`, pid: server.child.pid },
  ].filter((p) => !opts.only || opts.only.split(',').includes(p.key) || p.key === 'minimal');

  // Check every path answers 200, and the gateway really sends the token and the named value.
  for (const p of phases) if (!p.url.startsWith('https')) await waitFor(p.url);
  const checkPool = new Pool(`${scheme}://127.0.0.1:${gatewayPort}`, { connect: { ca, servername: 'localhost' } });
  const probe = await checkPool.request({ path: '/bench/x', method: 'GET' });
  await probe.body.arrayBuffer();
  await checkPool.close();
  if (probe.statusCode !== 200) throw new Error(`the gateway answered ${probe.statusCode}`);

  const rounds = Math.round(num('rounds', 1, 20));
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
      rps: median(xs.map((x) => x.rps)), p50Ms: median(xs.map((x) => x.p50Ms)), p99Ms: median(xs.map((x) => x.p99Ms)),
      cpuUsPerReq: p.key === 'nginx' ? undefined : median(xs.map((x) => x.cpuUsPerReq)),
      errors: xs.reduce((a, x) => a + Number(x.errors || 0), 0), rounds: xs.map((x) => Math.round(x.rps)),
    }];
  }));

  async function measure(p) {
    let r;
    if (useWrk && !p.url.startsWith('https')) {
      if (warmupS > 0) await loadWithWrk(p.url, connections, warmupS);
      const c0 = processCpuMs(p.pid);
      r = await loadWithWrk(p.url, connections, durationS);
      const c1 = processCpuMs(p.pid);
      r.cpuUsPerReq = c0 === undefined ? undefined : ((c1 - c0) * 1000) / (r.rps * durationS);
    } else {
      const u = new URL(p.url);
      const pool = new Pool(u.origin, { connections, pipelining: 1, connect: { ca, servername: 'localhost' } });
      const load = { pool, concurrency: connections, request: () => ({ path: u.pathname, method: 'GET' }) };
      if (warmupS > 0) await runLoad({ ...load, durationMs: warmupS * 1000 });
      const c0 = processCpuMs(p.pid);
      const l = await runLoad({ ...load, durationMs: durationS * 1000 });
      const c1 = processCpuMs(p.pid);
      await pool.close();
      r = { rps: l.rps, p50Ms: l.p50Ms, p99Ms: l.p99Ms, errors: l.errors, cpuUsPerReq: c0 === undefined ? undefined : ((c1 - c0) * 1000) / (l.completed + l.errors) };
    }
    return r;
  }

  const f = (v, d) => (v === undefined || Number.isNaN(v) ? '-' : v.toFixed(d));
  const rows = phases.map((p) => [p.label, f(results[p.key].rps, 0), f(results[p.key].p50Ms, 2), f(results[p.key].p99Ms, 2), f(results[p.key].cpuUsPerReq, 1), String(results[p.key].errors), results[p.key].rounds.join(' ')]);
  const head = ['path', 'req/s', 'p50 ms', 'p99 ms', 'CPU µs/req', 'errors', 'req/s per round'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  const g = results.gateway?.rps;
  const cpus = os.cpus();
  process.stdout.write([
    '',
    `gateway: node ${process.version}, ${cpus.length} CPU(s) ${cpus[0]?.model?.trim() ?? ''}, load average ${os.loadavg()[0].toFixed(1)}, ${connections} connections, median of ${rounds} rounds of ${durationS} s per phase after ${warmupS} s warm-up, load: ${useWrk ? 'wrk -t1' : 'undici loop'}${tls ? ', TLS to the Node proxies' : ''}`,
    '',
    line(head), ...rows.map(line),
    '',
    ...(g ? [
      `gateway ÷ minimal Node proxy = ${f(g / results.minimal.rps, 3)}   (target ≥ 0.90)`,
      ...(results.fastify ? [`gateway ÷ fastify            = ${f(g / results.fastify.rps, 3)}   (target ≥ 1.5)`] : []),
      ...(results.nginx ? [`gateway ÷ nginx              = ${f(g / results.nginx.rps, 3)}`] : []),
    ] : []),
    '',
  ].join('\n') + '\n');
  if (opts.json) process.stdout.write(JSON.stringify({ bench: 'gateway', node: process.version, cpus: cpus.length, connections, durationS, rounds, tls, results }, null, 2) + '\n');
  await cleanup();
  if (cpuProfDir) log(`gateway CPU profile in ${cpuProfDir}`);
  return Object.values(results).some((r) => r.errors > 0) ? 1 : 0;
}
