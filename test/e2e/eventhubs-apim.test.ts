// API Management → Event Hubs: azureEventHub loggers (managed identity: system-assigned or a user-assigned
// client id; connection string kept as a secret named value) and log-to-eventhub. A call through the
// gateway produces an event the official EventHubConsumerClient reads; without the Data Sender role the
// API still answers and nothing is written (the error is in the server log and the calls' traces); 300 KB is
// truncated to 200 KB; the namespace firewall with trusted services admits the system-assigned identity only.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { EventHubConsumerClient, type ReceivedEventData } from '@azure/event-hubs';
import type { ApiManagementClient } from '@azure/arm-apimanagement';
import { AuthorizationManagementClient } from '@azure/arm-authorization';
import { ManagedServiceIdentityClient } from '@azure/arm-msi';
import { ResourceManagementClient } from '@azure/arm-resources';
import { request, startTestServer, type TestServer } from '../helpers/server.js';
import { createApimInstance } from '../helpers/apim.js';
import { armClient, nsPath, readEvents, type Arm } from '../helpers/eventhubs.js';
import { cliOk } from './cli-helper.js';

const RG = 'eh-apim-rg';
const SVC = 'apim-eh';
const NS = `ehapim-${crypto.randomBytes(3).toString('hex')}`;
const DATA_SENDER = '2b629674-e913-4c01-ae53-ef4638d8f975';

let server: TestServer;
let arm: Arm;
let apim: ApiManagementClient;
let gatewayUrl: string;
let connectionString: string;
let seen: ReceivedEventData[] = [];

async function assign(scope: string, principalId: string) {
  await new AuthorizationManagementClient(server.credential(), server.connection.subscriptionId, server.armOptions()).roleAssignments.create(scope, crypto.randomUUID(), {
    roleDefinitionId: `/subscriptions/${server.connection.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${DATA_SENDER}`,
    principalId, principalType: 'ServicePrincipal',
  });
}

/** The events of `hub` so far (each test's read starts from the beginning: a hub's events are few). */
async function eventsOf(hub: string, count: number, timeoutMs = 8000): Promise<ReceivedEventData[]> {
  const consumer = new EventHubConsumerClient('$Default', connectionString, hub);
  try { return await readEvents(consumer, count, timeoutMs); } finally { await consumer.close(); }
}

const text = (e: ReceivedEventData) => (Buffer.isBuffer(e.body) ? e.body.toString('utf8') : String(e.body));

before(async () => {
  server = await startTestServer();
  arm = armClient(server);
  const cred = server.credential();
  const sub = server.connection.subscriptionId;
  await new ResourceManagementClient(cred, sub, server.armOptions()).resourceGroups.createOrUpdate(RG, { location: 'westeurope' });
  const uai = await new ManagedServiceIdentityClient(cred, sub, server.armOptions()).userAssignedIdentities.createOrUpdate(RG, 'eh-uai', { location: 'westeurope' });
  const { service, apim: client } = await createApimInstance(server, RG, SVC, { type: 'SystemAssigned, UserAssigned', userAssignedIdentities: { [uai.id!]: {} } });
  apim = client;
  gatewayUrl = service.gatewayUrl!;

  const base = nsPath(server, RG, NS);
  assert.equal((await arm.call('PUT', base, { location: 'westeurope', sku: { name: 'Standard' } })).status, 201);
  for (const hub of ['logs', 'norole']) assert.equal((await arm.call('PUT', `${base}/eventhubs/${hub}`, { properties: { partitionCount: 1 } })).status, 200);
  connectionString = (await arm.call('POST', `${base}/authorizationRules/RootManageSharedAccessKey/listKeys`)).body.primaryConnectionString;
  // Data Sender: the system-assigned identity on hub `logs`, the user-assigned one on the namespace.
  await assign(`${base}/eventhubs/logs`, service.identity!.principalId!);
  await assign(base, uai.principalId!);

  const endpointAddress = `${NS}.servicebus.windows.net`;
  const loggers: [string, Record<string, string>][] = [
    ['eh-system', { name: 'logs', endpointAddress, identityClientId: 'SystemAssigned' }],
    ['eh-user', { name: 'logs', endpointAddress, identityClientId: uai.clientId! }],
    ['eh-norole', { name: 'norole', endpointAddress, identityClientId: 'SystemAssigned' }],
    ['eh-cs', { name: 'logs', connectionString }],
  ];
  for (const [id, credentials] of loggers) await apim.logger.createOrUpdate(RG, SVC, id, { loggerType: 'azureEventHub', credentials });

  await apim.api.beginCreateOrUpdateAndWait(RG, SVC, 'orders', { displayName: 'Orders', path: 'orders', protocols: ['https'], subscriptionRequired: false });
  await apim.apiOperation.createOrUpdate(RG, SVC, 'orders', 'post', { displayName: 'Post', method: 'POST', urlTemplate: '/*' });
  const log = (logger: string, body: string, extra = '') => `<when condition="@(context.Request.Headers.GetValueOrDefault(&quot;x-logger&quot;,&quot;&quot;) == &quot;${logger}&quot;)"><log-to-eventhub logger-id="${logger}"${extra}>${body}</log-to-eventhub></when>`;
  await apim.apiPolicy.createOrUpdate(RG, SVC, 'orders', 'policy', {
    format: 'rawxml',
    value: `<policies><inbound><choose>
      ${log('eh-system', '@("system:" + context.Request.Headers.GetValueOrDefault("x-tag",""))', ' partition-key="@(context.Request.Headers.GetValueOrDefault(&quot;x-tag&quot;,&quot;&quot;))"')}
      ${log('eh-user', '@("user:" + context.Request.Headers.GetValueOrDefault("x-tag",""))')}
      ${log('eh-norole', '@("norole:" + context.Request.Headers.GetValueOrDefault("x-tag",""))')}
      ${log('eh-cs', '@(context.Request.Body.As<string>())')}
      </choose><return-response><set-status code="200" reason="OK" /><set-body>logged</set-body></return-response></inbound><backend /><outbound /><on-error /></policies>`,
  });
});

after(async () => { await server?.stop(); });

const call = (logger: string, tag: string, body = '{}') => request(`${gatewayUrl}/orders/x`, { method: 'POST', body, headers: { 'x-logger': logger, 'x-tag': tag, 'content-type': 'text/plain' } });

test('the connection string credential is a secret: never shown by GET or list', async () => {
  const got = await apim.logger.get(RG, SVC, 'eh-cs');
  assert.match(got.credentials!.connectionString, /^\{\{Logger-Credentials--[0-9a-f]+\}\}$/);
  const sys = await apim.logger.get(RG, SVC, 'eh-system');
  assert.equal(sys.credentials!.identityClientId, 'SystemAssigned');
});

test('command line: apim logger create|show|list|delete', async () => {
  const dir = server.dataDir;
  const base = ['-g', RG, '-n', SVC];
  const made = (await cliOk(['apim', 'logger', 'create', ...base, '--logger-id', 'cli-logger', '--event-hub-name', 'logs', '--connection-string', connectionString, '--description', 'from the CLI'], dir)).json();
  assert.equal(made.loggerType, 'azureEventHub');
  assert.equal(made.credentials.name, 'logs');
  assert.match(made.credentials.connectionString, /^\{\{Logger-Credentials--[0-9a-f]+\}\}$/, 'the connection string is kept as a secret named value');
  const shown = (await cliOk(['apim', 'logger', 'show', ...base, '--logger-id', 'cli-logger'], dir)).json();
  assert.equal(shown.description, 'from the CLI');
  const ids = (await cliOk(['apim', 'logger', 'list', ...base], dir)).json().map((l: { name: string }) => l.name);
  assert.ok(ids.includes('cli-logger') && ids.includes('eh-system'));
  await cliOk(['apim', 'logger', 'delete', ...base, '--logger-id', 'cli-logger', '--yes'], dir);
  assert.ok(!(await cliOk(['apim', 'logger', 'list', ...base], dir)).json().some((l: { name: string }) => l.name === 'cli-logger'));
});

test('system-assigned identity with Data Sender, user-assigned by client id, and a connection string log through the gateway', async () => {
  const a = await call('eh-system', 'sys-1');
  assert.equal(a.status, 200, a.text);
  assert.equal(a.text, 'logged');
  assert.equal((await call('eh-user', 'usr-1')).status, 200);
  const big = 'x'.repeat(300 * 1024);
  assert.equal((await call('eh-cs', 'cs', big)).status, 200);
  seen = await eventsOf('logs', 3);
  const sys = seen.find((e) => text(e) === 'system:sys-1');
  assert.ok(sys, `system event read: ${seen.map(text).map((t) => t.slice(0, 30)).join(', ')}`);
  assert.equal(sys.partitionKey, 'sys-1');
  assert.ok(seen.some((e) => text(e) === 'user:usr-1'), 'user-assigned event read');
  const truncated = seen.find((e) => text(e).startsWith('xxx'));
  assert.ok(truncated, 'the large event arrived');
  assert.equal(text(truncated).length, 200 * 1024, 'truncated to 200 KB as Azure documents');
});

test('without the role the API still answers, nothing is written, and the logger error is in the server log and the trace', async () => {
  const r = await call('eh-norole', 'nr-1');
  assert.equal(r.status, 200);
  assert.equal(r.text, 'logged');
  // The error comes from the send, off the request path.
  for (let i = 0; i < 50 && !/eh-norole/.test(server.output()); i++) await sleep(100);
  assert.match(server.output(), /logger 'eh-norole': 1 event\(s\) not sent to event hub 'norole': .*Send/);
  const consumer = new EventHubConsumerClient('$Default', connectionString, 'norole');
  const info = await consumer.getPartitionProperties('0');
  await consumer.close();
  assert.equal(info.isEmpty, true, 'nothing was written');
  // The logger's error shows in the trace of the calls after it (APIM's debug tracing, as the portal's Test tab).
  const cred = await apim.gateway.listDebugCredentials(RG, SVC, 'managed', { credentialsExpireAfter: 'PT1H', apiId: `/subscriptions/${server.connection.subscriptionId}/resourceGroups/${RG}/providers/Microsoft.ApiManagement/service/${SVC}/apis/orders`, purposes: ['tracing'] });
  const traced = await request(`${gatewayUrl}/orders/x`, { method: 'POST', body: '{}', headers: { 'x-logger': 'eh-norole', 'x-tag': 'nr-2', 'content-type': 'text/plain', 'Apim-Debug-Authorization': cred.token! } });
  assert.equal(traced.status, 200);
  const trace = await apim.gateway.listTrace(RG, SVC, 'managed', { traceId: traced.headers.get('apim-trace-id')! });
  const inbound = (trace.traceEntries as Record<string, { source: string; data: { source?: string; severity?: string; message?: string } }[]>).inbound;
  const message = inbound.find((e) => e.source === 'trace' && e.data.source === 'log-to-eventhub');
  assert.equal(message?.data.severity, 'error', JSON.stringify(inbound));
  assert.match(message.data.message ?? '', /^logger 'eh-norole': 1 event\(s\) not sent to event hub 'norole': amqp:unauthorized-access: .*'Send' claim/);
});

test('the namespace firewall with trusted services admits the system-assigned identity only', async () => {
  const base = nsPath(server, RG, NS);
  const nrs = await arm.call('PUT', `${base}/networkRuleSets/default`, {
    properties: { defaultAction: 'Deny', trustedServiceAccessEnabled: true, ipRules: [{ ipMask: '127.0.0.1', action: 'Allow' }], publicNetworkAccess: 'Enabled' },
  });
  assert.equal(nrs.status, 200, nrs.text);
  assert.equal((await call('eh-system', 'fw-sys')).status, 200);
  assert.equal((await call('eh-user', 'fw-usr')).status, 200);
  for (let i = 0; i < 50 && !/eh-user.*fw|eh-user': 1 event/.test(server.output()); i++) await sleep(100);
  assert.match(server.output(), /logger 'eh-user': 1 event\(s\) not sent to event hub 'logs': .*Ip has been prevented/);
  const events = await eventsOf('logs', seen.length + 1);
  assert.ok(events.some((e) => text(e) === 'system:fw-sys'), 'the trusted system-assigned identity got through');
  assert.ok(!events.some((e) => text(e) === 'user:fw-usr'), 'the user-assigned identity did not');
});
