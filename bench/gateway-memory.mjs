#!/usr/bin/env node
// Memory of the API Management gateway while a large request body goes through it, against the minimal
// Node proxy (bench/lib/minimal-proxy.mjs) measured in the same run with the same client and backend:
// the ratio is the result. A gateway that streams grows by a few MB whatever the body's size; one that
// buffers grows by the body's size.
//
//   npm run build && node bench/gateway-memory.mjs [--size 100] [--rounds 3] [--json]
//
// A first upload of --size MB through each path (POST, content-length, 1 MB writes that respect
// back-pressure), then --rounds more, interleaved: minimal proxy, gateway, minimal proxy, gateway, ...
//   minimal  node:http + undici Pool.dispatch(), no policies (the same proxy as bench/gateway.mjs)
//   gateway  apim-local's gateway, one process (`start --gateway-workers 1`), an API whose policy has
//            authentication-managed-identity (the seed's scenario), set up through the ARM API
// Both forward to one backend that reads the body, counts its bytes and answers them; a path whose count
// is not the size is an error. RSS is sampled every 20 ms from /proc/<pid>/status of the proxy process:
// 'growth' is the peak during an upload minus the RSS just before it. The first upload's growth includes
// what the process keeps afterwards (heap and buffer pools growing to the traffic); the later rounds'
// median is the steady cost of one upload. Both get a ratio.
// It also prints whether the backend received bytes before the client had sent its last one (streaming).
// The flags of bench/run-all.mjs (--duration, --warmup, --concurrency) are accepted and ignored.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { armSession, benchInstance } from './lib/arm.mjs';
import { runMinimalProxy } from './lib/minimal-proxy.mjs';
import { cleanup, makeTempDir, startApimLocal, spawnNode } from './lib/processes.mjs';

const SELF = fileURLToPath(import.meta.url);
const { values: opts } = parseArgs({
  options: {
    role: { type: 'string' }, target: { type: 'string' },
    size: { type: 'string', default: '100' }, rounds: { type: 'string', default: '3' }, json: { type: 'boolean', default: false },
    duration: { type: 'string' }, warmup: { type: 'string' }, concurrency: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
const log = (m) => process.stderr.write(`bench: ${m}\n`);

// ---------- child roles ----------
if (opts.role === 'backend') {
  // Reads each body to its end, then answers how many bytes it got. It tells the bench over IPC when the
  // first byte of an upload arrives, so the bench can tell streaming from buffering without clocks.
  const server = http.createServer((req, res) => {
    let bytes = 0;
    req.on('data', (d) => { if (bytes === 0) process.send({ type: 'first-byte' }); bytes += d.length; });
    req.on('end', () => { res.writeHead(200, { 'content-type': 'application/json' }); res.end(JSON.stringify({ bytes })); });
  });
  server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
  process.on('disconnect', () => process.exit(0));
} else if (opts.role === 'minimal') {
  runMinimalProxy({ target: opts.target });
} else {
  main().then((code) => { process.exitCode = code; }, async (e) => {
    process.stderr.write(`bench: gateway-memory failed: ${e instanceof Error ? e.stack ?? e.message : e}\n`);
    await cleanup();
    process.exitCode = 1;
  });
}

// ---------- the run ----------
function num(name, min, max) {
  const v = Number(opts[name]);
  if (!Number.isInteger(v) || v < min || v > max) { process.stderr.write(`--${name}: '${opts[name]}' is not an integer between ${min} and ${max}\n`); process.exit(2); }
  return v;
}

async function child(name, args) {
  const c = spawnNode(name, [SELF, ...args], { ipc: true, graceMs: 2000 });
  const port = await new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${name} did not start:\n${c.output()}`)), 15_000);
    c.child.once('message', (m) => { clearTimeout(t); resolve(m.port); });
    c.exited.then((code) => { clearTimeout(t); reject(new Error(`${name} exited (${code}):\n${c.output()}`)); });
  });
  return { proc: c, port, pid: c.child.pid };
}

/** Resident set size of a process, in bytes, from /proc; undefined where there is no /proc. */
function rssOf(pid) {
  try {
    const kb = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? undefined : Number(kb) * 1024;
  } catch {
    return undefined;
  }
}

/** ARM set-up: an instance with a system-assigned identity, an API to the backend, POST /upload, the MI policy. */
async function setUpGateway(connection, backendPort) {
  const { arm } = await armSession(connection);
  const { svcPath, svc } = await benchInstance(arm);
  await arm('PUT', `${svcPath}/apis/bench`, { properties: { displayName: 'Bench', path: 'bench', serviceUrl: `http://127.0.0.1:${backendPort}`, protocols: ['http', 'https'], subscriptionRequired: false } });
  await arm('PUT', `${svcPath}/apis/bench/operations/upload`, { properties: { displayName: 'upload', method: 'POST', urlTemplate: '/upload' } });
  await arm('PUT', `${svcPath}/apis/bench/policies/policy`, { properties: { format: 'rawxml', value:
    '<policies><inbound><base /><authentication-managed-identity resource="api://backend" /></inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>' } });
  return new URL(svc.properties.gatewayUrl).port;
}

/**
 * Uploads `total` bytes to http://127.0.0.1:{port}/bench/upload, sampling the RSS of `pid` every 20 ms.
 * Returns the RSS before, the peak, the bytes the backend counted, MB/s, and whether the backend had
 * received a byte when the client wrote its last chunk.
 */
async function upload(port, pid, total, backend) {
  const chunk = Buffer.alloc(1024 * 1024, 1);
  let firstByte = false;
  const onMessage = (m) => { if (m?.type === 'first-byte') firstByte = true; };
  backend.proc.child.on('message', onMessage);
  const before = rssOf(pid);
  let peak = before;
  const poll = setInterval(() => { const v = rssOf(pid); if (v !== undefined && (peak === undefined || v > peak)) peak = v; }, 20);
  let streamed;
  const started = process.hrtime.bigint();
  try {
    const answer = await new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, path: '/bench/upload', method: 'POST', headers: { 'content-length': total, 'content-type': 'application/octet-stream' } }, (res) => {
        let s = '';
        res.on('data', (d) => { s += d; });
        res.on('end', () => (res.statusCode === 200 ? resolve(s) : reject(new Error(`HTTP ${res.statusCode}: ${s.slice(0, 300)}`))));
      });
      req.on('error', reject);
      let sent = 0;
      const pump = () => {
        while (sent < total) {
          const n = Math.min(chunk.length, total - sent);
          sent += n;
          if (sent >= total) streamed = firstByte;
          if (!req.write(n === chunk.length ? chunk : chunk.subarray(0, n)) && sent < total) { req.once('drain', pump); return; }
        }
        req.end();
      };
      pump();
    });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const v = rssOf(pid);
    if (v !== undefined && (peak === undefined || v > peak)) peak = v;
    return { before, peak, growth: before === undefined ? undefined : peak - before, bytes: JSON.parse(answer).bytes, mbPerS: total / 1048576 / seconds, streamed };
  } finally {
    clearInterval(poll);
    backend.proc.child.off('message', onMessage);
  }
}

async function main() {
  if (opts.help) {
    const lines = fs.readFileSync(SELF, 'utf8').split('\n');
    process.stdout.write(lines.slice(1, lines.findIndex((l) => l.startsWith('import '))).join('\n') + '\n');
    return 0;
  }
  const sizeMb = num('size', 1, 4096);
  const rounds = num('rounds', 1, 20);
  const total = sizeMb * 1024 * 1024;
  if (rssOf(process.pid) === undefined) { log('no /proc/<pid>/status on this system: RSS cannot be measured'); return 1; }
  const tmp = makeTempDir('apim-local-bench-gwmem-');

  const backend = await child('backend', ['--role', 'backend']);
  const minimal = await child('minimal proxy', ['--role', 'minimal', '--target', `http://127.0.0.1:${backend.port}`]);
  log('starting apim-local --gateway-workers 1');
  const gw = await startApimLocal(path.join(tmp, 'apim-local'), { extraArgs: ['--gateway-workers', '1'] });
  const gatewayPort = await setUpGateway(gw.connection, backend.port);

  const paths = [
    { key: 'minimal', label: 'minimal Node proxy (http + undici dispatch)', port: minimal.port, pid: minimal.pid },
    { key: 'gateway', label: 'apim-local gateway, 1 process (MI token policy)', port: gatewayPort, pid: gw.server.child.pid },
  ];
  const samples = Object.fromEntries(paths.map((p) => [p.key, []]));
  let errors = 0;
  for (let round = 0; round <= rounds; round++) {
    for (const p of paths) {
      log(`${round === 0 ? 'first upload' : `round ${round}/${rounds}`}: ${p.label}: ${sizeMb} MB`);
      const r = await upload(p.port, p.pid, total, backend);
      if (r.bytes !== total) { errors++; log(`${p.label}: the backend counted ${r.bytes} bytes, not ${total}`); }
      samples[p.key].push(r);
    }
  }

  const median = (xs) => { const v = xs.filter((x) => x !== undefined).sort((a, b) => a - b); return v.length ? v[Math.floor((v.length - 1) / 2)] : undefined; };
  const mb = (v) => (v === undefined ? '-' : (v / 1048576).toFixed(1));
  const results = Object.fromEntries(paths.map((p) => {
    const [first, ...xs] = samples[p.key];
    return [p.key, {
      label: p.label, rssBefore: first.before, firstGrowth: first.growth, rssPeak: Math.max(...samples[p.key].map((x) => x.peak)),
      growth: median(xs.map((x) => x.growth)), growthPerRound: xs.map((x) => x.growth),
      mbPerS: median(xs.map((x) => x.mbPerS)), streamed: samples[p.key].every((x) => x.streamed),
    }];
  }));
  const g = results.gateway;
  const m = results.minimal;
  const ratio = (a, b) => (b > 0 ? (a / b).toFixed(2) : '- (the minimal proxy did not grow)');
  const peakRatio = g.rssPeak / m.rssPeak;
  const head = ['path', 'RSS before MB', 'first upload growth MB', 'growth MB (median)', 'growth per round MB', 'peak MB', 'MB/s', 'streamed'];
  const rows = paths.map((p) => { const r = results[p.key]; return [r.label, mb(r.rssBefore), mb(r.firstGrowth), mb(r.growth), r.growthPerRound.map(mb).join(' '), mb(r.rssPeak), r.mbPerS.toFixed(0), r.streamed ? 'yes' : 'no']; });
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  const cpus = os.cpus();
  process.stdout.write([
    '',
    `gateway-memory: node ${process.version}, ${cpus.length} CPU(s) ${cpus[0]?.model?.trim() ?? ''}, load average ${os.loadavg()[0].toFixed(1)}, ${sizeMb} MB per upload, median of ${rounds} rounds, plain HTTP`,
    '',
    line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line),
    '',
    `RSS growth, first upload: gateway ÷ minimal proxy = ${ratio(g.firstGrowth, m.firstGrowth)}`,
    `RSS growth, later uploads: gateway ÷ minimal proxy = ${ratio(g.growth, m.growth)}`,
    `RSS growth of the gateway ÷ body size: first upload ${(g.firstGrowth / total).toFixed(3)}, later ${(g.growth / total).toFixed(3)}   (a gateway that buffers the body: ≥ 1)`,
    `peak RSS: gateway ÷ minimal proxy = ${peakRatio.toFixed(2)}   (the gateway process also holds the ARM, Entra and Key Vault planes)`,
    '',
  ].join('\n') + '\n');
  if (opts.json) {
    process.stdout.write(JSON.stringify({ bench: 'gateway-memory', node: process.version, cpus: cpus.length, loadAverage: os.loadavg()[0], sizeMb, rounds, results,
      ratios: { firstGrowth: m.firstGrowth > 0 ? g.firstGrowth / m.firstGrowth : undefined, growth: m.growth > 0 ? g.growth / m.growth : undefined, peak: peakRatio },
      gatewayGrowthPerBodyByte: { first: g.firstGrowth / total, later: g.growth / total } }, null, 2) + '\n');
  }
  await cleanup();
  return errors > 0 ? 1 : 0;
}
