#!/usr/bin/env node
// Event Hubs, measured in one run:
//   1. gateway throughput with log-to-eventhub on every call (system-assigned identity, Data Sender on
//      the hub) vs the same API without it, interleaved rounds (the issue's target: ≥ 0.8×), for two APIs:
//        return-response  the API answers itself (no backend): the cheapest call there is, so the
//                         policy's cost is the largest share of it: the worst case;
//        proxy            the API forwards to a local backend (node:http, as bench/gateway.mjs): the
//                         realistic case of "gateway throughput";
//        no-role          return-response again, logging to a hub the identity may not send to: every
//                         send fails (the issue: "without the role the API still answers at normal
//                         speed"); the hub must stay empty;
//      with the server's CPU time per request (its /proc stat; the AMQP endpoint and the store run in the
//      same process, so the cost of receiving and storing the events is counted) and, at the end, a
//      check that every logged call's event was stored (a dropped event would flatter the ratio);
//   2. events/s written through apim-local's AMQP endpoint (a rhea sender with batches of 100, each
//      accepted after it is stored) vs a bare rhea sender → rhea receiver pair in this process (no store).
//
//   npm run build && node bench/eventhubs.mjs [--duration 3] [--concurrency 16] [--rounds 4] [--events 20000]
//                    [--only return-response,proxy,no-role,amqp] [--cpu-prof <dir>] [--json]
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import rhea from 'rhea';
import { Pool } from 'undici';
import { armSession, benchInstance } from './lib/arm.mjs';
import { runLoad } from './lib/load.mjs';
import { cleanup, makeTempDir, processCpuMs, spawnNode, startApimLocal } from './lib/processes.mjs';

const SELF = fileURLToPath(import.meta.url);
const { values: opts } = parseArgs({
  options: {
    role: { type: 'string' },
    duration: { type: 'string', default: '3' }, concurrency: { type: 'string', default: '16' }, rounds: { type: 'string', default: '4' },
    events: { type: 'string', default: '20000' }, warmup: { type: 'string' }, json: { type: 'boolean', default: false },
    only: { type: 'string', default: 'return-response,proxy,no-role,amqp' }, 'cpu-prof': { type: 'string' },
  },
});
const log = (m) => process.stderr.write(`bench: ${m}\n`);
const BATCH = 100;
const DATA_SENDER = '2b629674-e913-4c01-ae53-ef4638d8f975';
const CASES = ['return-response', 'proxy', 'no-role', 'amqp'];

// The backend of the proxy case (a child process, as in bench/gateway.mjs): a 114-byte JSON answer.
if (opts.role === 'backend') {
  const body = JSON.stringify({ id: 'bench', name: 'bench', type: 'Microsoft.Bench/echo', location: 'westeurope', properties: { state: 'ok' } });
  const server = http.createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  server.keepAliveTimeout = 65_000;
  server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
  process.on('disconnect', () => process.exit(0));
} else {
  main().then((code) => { process.exitCode = code; }, async (e) => {
    process.stderr.write(`bench: eventhubs failed: ${e instanceof Error ? e.stack ?? e.message : e}\n`);
    await cleanup();
    process.exitCode = 1;
  });
}

async function startBackend() {
  const c = spawnNode('backend', [SELF, '--role', 'backend'], { ipc: true, graceMs: 2000 });
  const port = await new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`the backend did not start:\n${c.output()}`)), 15_000);
    c.child.once('message', (m) => { clearTimeout(t); resolve(m.port); });
    c.exited.then((code) => { clearTimeout(t); reject(new Error(`the backend exited (${code}):\n${c.output()}`)); });
  });
  return port;
}

async function main() {
  const only = opts.only.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = only.filter((k) => !CASES.includes(k));
  if (unknown.length) { process.stderr.write(`--only: unknown case ${unknown.join(', ')} (cases: ${CASES.join(', ')})\n`); return 2; }
  const tmp = makeTempDir('apim-local-bench-eh-');
  const cpuProfDir = opts['cpu-prof'] ? path.resolve(opts['cpu-prof']) : undefined;
  if (cpuProfDir) fs.mkdirSync(cpuProfDir, { recursive: true });
  const { server, connection } = await startApimLocal(tmp, { nodeArgs: cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', cpuProfDir] : [], extraArgs: ['--gateway-workers', '1'] });
  const serverPid = server.child.pid;
  const { arm } = await armSession(connection);
  const { svcPath, svc } = await benchInstance(arm);
  const ns = `benchns-${crypto.randomBytes(3).toString('hex')}`;
  const nsPath = `/resourceGroups/bench-rg/providers/Microsoft.EventHub/namespaces/${ns}`;
  const nsDoc = await arm('PUT', nsPath, { location: 'westeurope' }, '2024-01-01');
  await arm('PUT', `${nsPath}/eventhubs/logs`, { properties: { partitionCount: 2 } }, '2024-01-01');
  await arm('PUT', `${nsPath}/eventhubs/amqp`, { properties: { partitionCount: 1 } }, '2024-01-01');
  await arm('PUT', `${nsPath}/eventhubs/norole`, { properties: { partitionCount: 1 } }, '2024-01-01');
  await arm('PUT', `${nsPath}/eventhubs/logs/providers/Microsoft.Authorization/roleAssignments/${crypto.randomUUID()}`, {
    properties: { roleDefinitionId: `/subscriptions/${connection.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${DATA_SENDER}`, principalId: svc.identity.principalId, principalType: 'ServicePrincipal' },
  }, '2022-04-01');
  await arm('PUT', `${svcPath}/loggers/eh`, { properties: { loggerType: 'azureEventHub', credentials: { name: 'logs', endpointAddress: `${ns}.servicebus.windows.net`, identityClientId: 'SystemAssigned' } } });
  // No role on hub `norole`: every send of this logger is refused.
  await arm('PUT', `${svcPath}/loggers/eh-norole`, { properties: { loggerType: 'azureEventHub', credentials: { name: 'norole', endpointAddress: `${ns}.servicebus.windows.net`, identityClientId: 'SystemAssigned' } } });
  const keys = await arm('POST', `${nsPath}/authorizationRules/RootManageSharedAccessKey/listKeys`, undefined, '2024-01-01');
  const amqpPort = Number(new URL(nsDoc.properties.serviceBusEndpoint).port);
  const ca = fs.readFileSync(connection.caCertificatePath, 'utf8');

  // The APIs: {case} without the policy, {case}-logged with it, otherwise alike.
  const gatewayCases = only.filter((c) => c !== 'amqp');
  const backendPort = gatewayCases.includes('proxy') ? await startBackend() : undefined;
  const logPolicy = (logger) => `<log-to-eventhub logger-id="${logger}">@(context.Request.Method + " " + context.Request.Url.Path + " " + context.RequestId)</log-to-eventhub>`;
  const prefix = { 'return-response': 'rr', proxy: 'proxy', 'no-role': 'nr' };
  const apis = [];
  for (const c of gatewayCases) {
    for (const logged of [false, true]) {
      const api = `${prefix[c]}${logged ? '-logged' : ''}`;
      const serviceUrl = c === 'proxy' ? { serviceUrl: `http://127.0.0.1:${backendPort}` } : {};
      const policy = logged ? logPolicy(c === 'no-role' ? 'eh-norole' : 'eh') : '';
      const inbound = c === 'proxy' ? `<base />${policy}` : `${policy}<return-response><set-status code="200" reason="OK" /><set-body>ok</set-body></return-response>`;
      await arm('PUT', `${svcPath}/apis/${api}`, { properties: { displayName: api, path: api, protocols: ['https'], subscriptionRequired: false, ...serviceUrl } });
      await arm('PUT', `${svcPath}/apis/${api}/operations/get`, { properties: { displayName: 'Get', method: 'GET', urlTemplate: '/*' } });
      await arm('PUT', `${svcPath}/apis/${api}/policies/policy`, { properties: { format: 'rawxml', value: `<policies><inbound>${inbound}</inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>` } });
      apis.push({ case: c, logged, api });
    }
  }

  // 1. gateway throughput, interleaved rounds: every API once per round.
  const gatewayUrl = svc.properties.gatewayUrl;
  const concurrency = Number(opts.concurrency);
  const durationMs = Number(opts.duration) * 1000;
  const warmupMs = opts.warmup !== undefined ? Number(opts.warmup) * 1000 : 1000;
  const pool = new Pool(gatewayUrl, { connections: concurrency, connect: { ca } });
  let loggedRequests = 0;
  const load = async (a, ms) => {
    const res = await runLoad({ pool, concurrency, durationMs: ms, request: () => ({ method: 'GET', path: `/${a.api}/x` }) });
    if (res.errors) throw new Error(`${a.api}: ${res.errors} errors: ${res.errorSamples.join('; ')}`);
    if (a.logged && a.case !== 'no-role') loggedRequests += res.completed;
    return res;
  };
  for (const a of apis) await load(a, warmupMs);
  const samples = new Map(apis.map((a) => [a.api, []]));
  // With --cpu-prof, the phases' times on the monotonic clock V8's profile uses, to read it per phase.
  const phases = [];
  for (let r = 0; r < Number(opts.rounds); r++) {
    // Every other round in reverse order: each pair is measured plain → logged, then logged → plain, so
    // that a drift of the machine's speed within a round weighs on both sides alike.
    for (const a of r % 2 ? [...apis].reverse() : apis) {
      const cpu0 = processCpuMs(serverPid);
      const startUs = Number(process.hrtime.bigint() / 1000n);
      const res = await load(a, durationMs);
      phases.push({ api: a.api, round: r + 1, startUs, endUs: Number(process.hrtime.bigint() / 1000n), requests: res.completed });
      const cpu = processCpuMs(serverPid);
      const cpuUsPerReq = cpu0 !== undefined && cpu !== undefined ? ((cpu - cpu0) * 1000) / res.completed : undefined;
      samples.get(a.api).push({ rps: res.rps, cpuUsPerReq });
      log(`${a.api} round ${r + 1}: ${res.rps.toFixed(0)} req/s (p99 ${res.p99Ms.toFixed(1)} ms${cpuUsPerReq !== undefined ? `, server CPU ${cpuUsPerReq.toFixed(0)} µs/req` : ''})`);
    }
  }
  await pool.close();
  const median = (a) => {
    const v = a.filter((x) => x !== undefined).sort((x, y) => x - y);
    if (v.length === 0) return undefined;
    const m = Math.floor(v.length / 2);
    return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
  };
  const gateway = {};
  for (const c of gatewayCases) {
    const of = (logged) => samples.get(apis.find((a) => a.case === c && a.logged === logged).api);
    const [plain, logged] = [of(false), of(true)];
    const plainRps = median(plain.map((s) => s.rps));
    const loggedRps = median(logged.map((s) => s.rps));
    const plainCpu = median(plain.map((s) => s.cpuUsPerReq));
    const loggedCpu = median(logged.map((s) => s.cpuUsPerReq));
    // The ratio is the median of the rounds' ratios: each round's two APIs ran next to each other, on the
    // same machine speed, while the speed of this shared machine moves by a third between rounds.
    const roundRatios = plain.map((p, i) => logged[i].rps / p.rps);
    const roundCpuRatios = plain.map((p, i) => (p.cpuUsPerReq && logged[i].cpuUsPerReq ? p.cpuUsPerReq / logged[i].cpuUsPerReq : undefined));
    gateway[c] = {
      plainRps, loggedRps, ratio: median(roundRatios), target: 0.8, roundRatios,
      plainCpuUsPerReq: plainCpu, loggedCpuUsPerReq: loggedCpu, cpuRatio: median(roundCpuRatios),
    };
  }
  // Every logged call's event must be in the hub (the sender drops events only when its queue is full).
  let stored;
  let storedNoRole;
  if (gatewayCases.includes('no-role')) {
    storedNoRole = await countEvents({ host: 'localhost', port: amqpPort, ca, hub: 'norole', partitions: 1, keyName: keys.keyName, key: keys.primaryKey });
    log(`events stored in the hub without the role: ${storedNoRole} (0 expected)`);
  }
  if (gatewayCases.some((c) => c !== 'no-role')) {
    const deadline = Date.now() + 10_000;
    do {
      stored = await countEvents({ host: 'localhost', port: amqpPort, ca, hub: 'logs', partitions: 2, keyName: keys.keyName, key: keys.primaryKey });
      if (stored >= loggedRequests) break;
      await new Promise((r) => setTimeout(r, 200));
    } while (Date.now() < deadline);
    log(`events stored in the hub: ${stored} for ${loggedRequests} logged calls`);
  }

  // 2. events/s through AMQP (stored) vs a bare rhea pair.
  let amqp;
  if (only.includes('amqp')) {
    const total = Number(opts.events);
    const amqpEps = await sendEvents({ host: 'localhost', port: amqpPort, ca, hub: 'amqp', keyName: keys.keyName, key: keys.primaryKey, total });
    const bareEps = await bareRhea(total);
    amqp = { storedEventsPerSecond: amqpEps, bareRheaEventsPerSecond: bareEps, ratio: amqpEps / bareEps };
  }
  const out = { loadAverage: os.loadavg()[0], gateway, events: stored !== undefined ? { loggedRequests, stored } : undefined, storedWithoutRole: storedNoRole, amqp };
  if (opts.json) process.stdout.write(`${JSON.stringify(out)}\n`);
  else {
    const label = {
      'return-response': 'API answers with return-response (no backend; worst case)', proxy: 'API proxies to a local backend (realistic)',
      'no-role': 'return-response, the logger\'s identity without the role (every send refused)',
    };
    for (const [c, g] of Object.entries(gateway)) {
      process.stdout.write(`gateway, ${label[c]}: with log-to-eventhub ${g.loggedRps.toFixed(0)} req/s vs without ${g.plainRps.toFixed(0)} req/s  ratio ${g.ratio.toFixed(2)}x (target >= 0.8x; per round ${g.roundRatios.map((x) => x.toFixed(2)).join(' ')})`
        + (g.cpuRatio !== undefined ? `; server CPU ${g.loggedCpuUsPerReq.toFixed(0)} vs ${g.plainCpuUsPerReq.toFixed(0)} µs/req (${g.cpuRatio.toFixed(2)}x)` : '') + '\n');
    }
    if (out.events) process.stdout.write(`events stored: ${stored} of ${loggedRequests} logged calls${stored < loggedRequests ? '  (EVENTS MISSING)' : ''}\n`);
    if (storedNoRole !== undefined) process.stdout.write(`events stored without the role: ${storedNoRole}${storedNoRole > 0 ? '  (SHOULD BE NONE)' : ''}\n`);
    if (amqp) process.stdout.write(`AMQP events stored: ${amqp.storedEventsPerSecond.toFixed(0)}/s vs bare rhea pair: ${amqp.bareRheaEventsPerSecond.toFixed(0)}/s  ratio ${amqp.ratio.toFixed(2)}x\n`);
    process.stdout.write(`(load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} CPUs)\n`);
  }
  await cleanup();
  if (cpuProfDir) {
    fs.writeFileSync(path.join(cpuProfDir, 'phases.json'), JSON.stringify(phases, null, 1));
    log(`server CPU profile in ${cpuProfDir}, the measured phases' times in ${path.join(cpuProfDir, 'phases.json')}`);
  }
  return (out.events && stored < loggedRequests) || storedNoRole > 0 ? 1 : 0;
}

/** A connection with a SAS token put for `hub` on its CBS node; returns it and a request/reply helper for `$management`. */
async function openHub({ host, port, ca, hub, keyName, key }) {
  const c = rhea.create_container();
  const conn = c.connect({ host, port, transport: 'tls', ca: [ca], servername: host, username: keyName, reconnect: false });
  await new Promise((resolve, reject) => { conn.once('connection_open', resolve); conn.once('disconnected', (ctx) => reject(ctx.error ?? new Error('disconnected'))); });
  const request = async (node, message) => {
    const replyTo = `${node}-${crypto.randomUUID()}`;
    const out = conn.open_sender({ target: { address: node } });
    const inn = conn.open_receiver({ name: replyTo, source: { address: node }, target: { address: replyTo } });
    await new Promise((resolve) => out.once('sendable', resolve));
    const answered = new Promise((resolve) => inn.once('message', (ctx) => resolve(ctx.message)));
    out.send({ message_id: crypto.randomUUID(), reply_to: replyTo, ...message });
    const m = await answered;
    out.close(); inn.close();
    return m;
  };
  const audience = `sb://${host}:${port}/${hub}`;
  const se = Math.floor(Date.now() / 1000) + 3600;
  const sr = encodeURIComponent(audience);
  const sig = crypto.createHmac('sha256', key).update(`${sr}\n${se}`).digest('base64');
  await request('$cbs', { body: `SharedAccessSignature sr=${sr}&sig=${encodeURIComponent(sig)}&se=${se}&skn=${keyName}`, application_properties: { operation: 'put-token', type: 'servicebus.windows.net:sastoken', name: audience } });
  return { conn, request };
}

/** How many events the hub's partitions hold (last sequence number + 1 each: nothing expired in a bench). */
async function countEvents({ partitions, ...o }) {
  const { conn, request } = await openHub(o);
  let n = 0;
  for (let p = 0; p < partitions; p++) {
    const m = await request('$management', { application_properties: { operation: 'READ', type: 'com.microsoft:partition', name: o.hub, partition: String(p) } });
    const status = m.application_properties?.['status-code'];
    if (status !== 200) throw new Error(`$management READ partition ${p}: ${status} ${m.application_properties?.['status-description']}`);
    n += Number(m.body.last_enqueued_sequence_number) + 1;
  }
  conn.close();
  return n;
}

/** Batches of BATCH events (Event Hubs' batch format), each awaited before the next window fills: events/s. */
async function sendEvents({ total, ...o }) {
  const { conn } = await openHub(o);
  const hub = o.hub;
  const sender = conn.open_sender({ target: { address: hub } });
  await new Promise((resolve) => sender.once('sendable', resolve));
  const batch = rhea.message.encode({ body: rhea.message.data_sections(Array.from({ length: BATCH }, (_, i) => rhea.message.encode({ body: rhea.message.data_section(Buffer.from(`event ${i} ${'x'.repeat(200)}`)) }))) });
  const batches = Math.ceil(total / BATCH);
  const t0 = performance.now();
  let settled = 0;
  await new Promise((resolve, reject) => {
    let sent = 0;
    const pump = () => { while (sent < batches && sender.sendable() && sent - settled < 8) { sender.send(batch, undefined, 0x80013700); sent++; } };
    sender.on('accepted', () => { settled++; if (settled === batches) resolve(); else pump(); });
    sender.on('rejected', (ctx) => reject(new Error(JSON.stringify(ctx.delivery.remote_state))));
    sender.on('sendable', pump);
    pump();
  });
  const eps = (batches * BATCH) / ((performance.now() - t0) / 1000);
  conn.close();
  return eps;
}

/** The same batches from a rhea sender to a rhea receiver over loopback TCP, accepted on arrival (no store). */
async function bareRhea(total) {
  const server = rhea.create_container();
  server.on('message', (ctx) => ctx.delivery.accept());
  const listener = server.listen({ port: 0, host: '127.0.0.1' });
  await new Promise((r) => listener.once('listening', r));
  const port = listener.address().port;
  const client = rhea.create_container();
  const conn = client.connect({ host: '127.0.0.1', port, reconnect: false });
  const sender = conn.open_sender({ target: { address: 'bare' } });
  await new Promise((resolve) => sender.once('sendable', resolve));
  const batch = rhea.message.encode({ body: rhea.message.data_sections(Array.from({ length: BATCH }, (_, i) => rhea.message.encode({ body: rhea.message.data_section(Buffer.from(`event ${i} ${'x'.repeat(200)}`)) }))) });
  const batches = Math.ceil(total / BATCH);
  const t0 = performance.now();
  let settled = 0;
  await new Promise((resolve) => {
    let sent = 0;
    const pump = () => { while (sent < batches && sender.sendable() && sent - settled < 8) { sender.send(batch, undefined, 0x80013700); sent++; } };
    sender.on('accepted', () => { settled++; if (settled === batches) resolve(); else pump(); });
    sender.on('sendable', pump);
    pump();
  });
  const eps = (batches * BATCH) / ((performance.now() - t0) / 1000);
  conn.close();
  listener.close();
  return eps;
}

