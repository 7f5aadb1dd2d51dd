#!/usr/bin/env node
// Event Hubs, two ratios measured in one run:
//   1. gateway throughput with log-to-eventhub on every call (system-assigned identity, Data Sender on
//      the hub) vs the same API without it, interleaved rounds (target ≥ 0.8×);
//   2. events/s written through apim-local's AMQP endpoint (a rhea sender with batches of 100, each
//      accepted after it is stored) vs a bare rhea sender → rhea receiver pair in this process (no store).
//
//   npm run build && node bench/eventhubs.mjs [--duration 5] [--concurrency 16] [--rounds 2] [--events 20000] [--json]
//
// The API answers with return-response (no backend), so ratio 1 isolates the policy's cost.
import crypto from 'node:crypto';
import fs from 'node:fs';

import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import rhea from 'rhea';
import { Pool } from 'undici';
import { armSession, benchInstance } from './lib/arm.mjs';
import { runLoad } from './lib/load.mjs';
import { cleanup, makeTempDir, startApimLocal } from './lib/processes.mjs';

const { values: opts } = parseArgs({
  options: {
    duration: { type: 'string', default: '5' }, concurrency: { type: 'string', default: '16' }, rounds: { type: 'string', default: '2' },
    events: { type: 'string', default: '20000' }, warmup: { type: 'string' }, json: { type: 'boolean', default: false },
  },
});
const log = (m) => process.stderr.write(`bench: ${m}\n`);
const BATCH = 100;
const DATA_SENDER = '2b629674-e913-4c01-ae53-ef4638d8f975';

async function main() {
  const tmp = makeTempDir('apim-local-bench-eh-');
  const { connection } = await startApimLocal(tmp, { extraArgs: ['--gateway-workers', '1'] });
  const { arm, fetch } = await armSession(connection);
  const { svcPath, svc } = await benchInstance(arm);
  const ns = `benchns-${crypto.randomBytes(3).toString('hex')}`;
  const nsPath = `/resourceGroups/bench-rg/providers/Microsoft.EventHub/namespaces/${ns}`;
  const nsDoc = await arm('PUT', nsPath, { location: 'westeurope' }, '2024-01-01');
  await arm('PUT', `${nsPath}/eventhubs/logs`, { properties: { partitionCount: 2 } }, '2024-01-01');
  await arm('PUT', `${nsPath}/eventhubs/amqp`, { properties: { partitionCount: 1 } }, '2024-01-01');
  await arm('PUT', `${nsPath}/eventhubs/logs/providers/Microsoft.Authorization/roleAssignments/${crypto.randomUUID()}`, {
    properties: { roleDefinitionId: `/subscriptions/${connection.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${DATA_SENDER}`, principalId: svc.identity.principalId, principalType: 'ServicePrincipal' },
  }, '2022-04-01');
  await arm('PUT', `${svcPath}/loggers/eh`, { properties: { loggerType: 'azureEventHub', credentials: { name: 'logs', endpointAddress: `${ns}.servicebus.windows.net`, identityClientId: 'SystemAssigned' } } });
  for (const [api, withLog] of [['plain', false], ['logged', true]]) {
    await arm('PUT', `${svcPath}/apis/${api}`, { properties: { displayName: api, path: api, protocols: ['https'], subscriptionRequired: false } });
    await arm('PUT', `${svcPath}/apis/${api}/operations/get`, { properties: { displayName: 'Get', method: 'GET', urlTemplate: '/*' } });
    const logPolicy = withLog ? '<log-to-eventhub logger-id="eh">@(context.Request.Method + " " + context.Request.Url.Path + " " + context.RequestId)</log-to-eventhub>' : '';
    await arm('PUT', `${svcPath}/apis/${api}/policies/policy`, { properties: { format: 'rawxml', value: `<policies><inbound>${logPolicy}<return-response><set-status code="200" reason="OK" /><set-body>ok</set-body></return-response></inbound><backend /><outbound /><on-error /></policies>` } });
  }

  // 1. gateway throughput, interleaved rounds.
  const gatewayUrl = svc.properties.gatewayUrl;
  const ca = fs.readFileSync(connection.caCertificatePath, 'utf8');
  const concurrency = Number(opts.concurrency);
  const durationMs = Number(opts.duration) * 1000;
  const pool = new Pool(gatewayUrl, { connections: concurrency, connect: { ca } });
  const warm = (p) => runLoad({ pool, concurrency, durationMs: 1000, request: () => ({ method: 'GET', path: `/${p}/x` }) });
  await warm('plain'); await warm('logged');
  const results = { plain: [], logged: [] };
  for (let r = 0; r < Number(opts.rounds); r++) {
    for (const p of ['plain', 'logged']) {
      const res = await runLoad({ pool, concurrency, durationMs, request: () => ({ method: 'GET', path: `/${p}/x` }) });
      if (res.errors) throw new Error(`${p}: ${res.errors} errors: ${res.errorSamples.join('; ')}`);
      results[p].push(res.rps);
      log(`${p} round ${r + 1}: ${res.rps.toFixed(0)} req/s (p99 ${res.p99Ms.toFixed(1)} ms)`);
    }
  }
  await pool.close();
  const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
  const plainRps = median(results.plain);
  const loggedRps = median(results.logged);

  // 2. events/s through AMQP (stored) vs a bare rhea pair.
  const keys = await arm('POST', `${nsPath}/authorizationRules/RootManageSharedAccessKey/listKeys`, undefined, '2024-01-01');
  const port = Number(new URL(nsDoc.properties.serviceBusEndpoint).port);
  const total = Number(opts.events);
  const amqpEps = await sendEvents({ host: 'localhost', port, ca, hub: 'amqp', keyName: keys.keyName, key: keys.primaryKey, total });
  const bareEps = await bareRhea(total);
  const out = {
    gateway: { plainRps, loggedRps, ratio: loggedRps / plainRps, target: 0.8 },
    amqp: { storedEventsPerSecond: amqpEps, bareRheaEventsPerSecond: bareEps, ratio: amqpEps / bareEps },
  };
  if (opts.json) process.stdout.write(`${JSON.stringify(out)}\n`);
  else {
    process.stdout.write(`gateway with log-to-eventhub: ${loggedRps.toFixed(0)} req/s vs without: ${plainRps.toFixed(0)} req/s  ratio ${out.gateway.ratio.toFixed(2)}x (target >= 0.8x)\n`);
    process.stdout.write(`AMQP events stored: ${amqpEps.toFixed(0)}/s vs bare rhea pair: ${bareEps.toFixed(0)}/s  ratio ${out.amqp.ratio.toFixed(2)}x\n`);
  }
  await cleanup();
  return 0;
}

/** Batches of BATCH events (Event Hubs' batch format), each awaited before the next window fills: events/s. */
async function sendEvents({ host, port, ca, hub, keyName, key, total }) {
  const c = rhea.create_container();
  const conn = c.connect({ host, port, transport: 'tls', ca: [ca], servername: host, username: keyName, reconnect: false });
  await new Promise((resolve, reject) => { conn.once('connection_open', resolve); conn.once('disconnected', (ctx) => reject(ctx.error ?? new Error('disconnected'))); });
  const replyTo = `cbs-${crypto.randomUUID()}`;
  const cbsOut = conn.open_sender({ target: { address: '$cbs' } });
  const cbsIn = conn.open_receiver({ name: replyTo, source: { address: '$cbs' }, target: { address: replyTo } });
  const audience = `sb://${host}:${port}/${hub}`;
  const se = Math.floor(Date.now() / 1000) + 3600;
  const sr = encodeURIComponent(audience);
  const sig = crypto.createHmac('sha256', key).update(`${sr}\n${se}`).digest('base64');
  await new Promise((resolve) => cbsOut.once('sendable', resolve));
  const answered = new Promise((resolve) => cbsIn.once('message', resolve));
  cbsOut.send({ message_id: '1', reply_to: replyTo, body: `SharedAccessSignature sr=${sr}&sig=${encodeURIComponent(sig)}&se=${se}&skn=${keyName}`, application_properties: { operation: 'put-token', type: 'servicebus.windows.net:sastoken', name: audience } });
  await answered;
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

main().then((code) => { process.exitCode = code; }, async (e) => {
  process.stderr.write(`bench: eventhubs failed: ${e instanceof Error ? e.stack ?? e.message : e}\n`);
  await cleanup();
  process.exitCode = 1;
});

