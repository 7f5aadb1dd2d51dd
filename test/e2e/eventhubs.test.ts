// Event Hubs end to end: Microsoft.EventHub through Resource Manager (namespace, hub, consumer groups,
// authorization rules with listKeys/regenerateKeys), then the unmodified @azure/event-hubs
// EventHubProducerClient and EventHubConsumerClient against the namespace's AMQP port with the listKeys
// connection string and with a TokenCredential (RBAC data actions at the hub), REST send, and the same
// events read back after the server restarted.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { EventHubConsumerClient, EventHubProducerClient } from '@azure/event-hubs';
import { ResourceManagementClient } from '@azure/arm-resources';
import { AuthorizationManagementClient } from '@azure/arm-authorization';
import { request, startTestServer, type TestServer } from '../helpers/server.js';
import { armClient, nsPath, readEvents, type Arm } from '../helpers/eventhubs.js';
import { signSas } from '../../src/eventhubs/sas.js';
import { cliOk, runBinary } from './cli-helper.js';

const RG = 'eh-rg';
const NS = `ehns-${crypto.randomBytes(3).toString('hex')}`;
const HUB = 'orders';
const DATA_SENDER = '2b629674-e913-4c01-ae53-ef4638d8f975';
const DATA_RECEIVER = 'a638d3c7-ab3a-418d-83e6-5f17a39d4fde';
/** Refusals are checked once: the SDK's retries would only repeat them. */
const NO_RETRY = { maxRetries: 0, retryDelayInMs: 10 };

let server: TestServer;
let arm: Arm;
let connectionString: string;
let port: number;

before(async () => {
  server = await startTestServer();
  arm = armClient(server);
  await new ResourceManagementClient(server.credential(), server.connection.subscriptionId, server.armOptions()).resourceGroups.createOrUpdate(RG, { location: 'westeurope' });
});

after(async () => { await server?.stop(); });

test('Resource Manager: namespace, hub, consumer groups, rules and keys as Azure shapes them', async () => {
  const base = nsPath(server, RG, NS);
  const bad = await arm.call('PUT', `${nsPath(server, RG, 'ab')}`, { location: 'westeurope' });
  assert.equal(bad.status, 400, bad.text);
  const ns = await arm.call('PUT', base, { location: 'West Europe', sku: { name: 'Standard', tier: 'Standard', capacity: 1 }, properties: { disableLocalAuth: false } });
  assert.equal(ns.status, 201, ns.text);
  assert.equal(ns.body.type, 'Microsoft.EventHub/Namespaces');
  assert.deepEqual(ns.body.sku, { name: 'Standard', tier: 'Standard', capacity: 1 });
  assert.equal(ns.body.properties.provisioningState, 'Succeeded');
  assert.equal(ns.body.properties.disableLocalAuth, false);
  assert.match(ns.body.properties.serviceBusEndpoint, /^https:\/\/localhost:\d+\/$/);
  port = Number(new URL(ns.body.properties.serviceBusEndpoint).port);
  const again = await arm.call('PUT', `/subscriptions/${server.connection.subscriptionId}/resourceGroups/${RG}/providers/Microsoft.EventHub/namespaces/${NS.toUpperCase()}x`, { location: 'westeurope' });
  assert.equal(again.status, 201, 'another name is free');
  const taken = await arm.call('PUT', base.replace(`/resourceGroups/${RG}/`, '/resourceGroups/other-rg/'), { location: 'westeurope' });
  assert.notEqual(taken.status, 201, 'namespace names are global');

  const hub = await arm.call('PUT', `${base}/eventhubs/${HUB}`, { properties: { partitionCount: 2, messageRetentionInDays: 1 } });
  assert.equal(hub.status, 200, hub.text);
  assert.deepEqual(hub.body.properties.partitionIds, ['0', '1']);
  assert.deepEqual(hub.body.properties.retentionDescription, { cleanupPolicy: 'Delete', retentionTimeInHours: 24 });
  const tooMany = await arm.call('PUT', `${base}/eventhubs/${HUB}`, { properties: { partitionCount: 3 } });
  assert.equal(tooMany.status, 400, 'partition count is fixed on Standard');
  const cgs = await arm.call('GET', `${base}/eventhubs/${HUB}/consumergroups`);
  assert.deepEqual(cgs.body.value.map((c: { name: string }) => c.name), ['$Default']);
  assert.equal((await arm.call('DELETE', `${base}/eventhubs/${HUB}/consumergroups/$Default`)).status, 400);
  assert.equal((await arm.call('PUT', `${base}/eventhubs/${HUB}/consumergroups/audit`, { properties: { userMetadata: 'x' } })).status, 200);

  const rules = await arm.call('GET', `${base}/authorizationRules`);
  assert.deepEqual(rules.body.value.map((r: { name: string; properties: { rights: string[] } }) => [r.name, r.properties.rights]), [['RootManageSharedAccessKey', ['Listen', 'Manage', 'Send']]]);
  assert.ok(!/primaryKey|_private/.test(rules.text), 'rules never show keys');
  const keys = await arm.call('POST', `${base}/authorizationRules/RootManageSharedAccessKey/listKeys`);
  assert.equal(keys.status, 200, keys.text);
  assert.equal(keys.body.keyName, 'RootManageSharedAccessKey');
  assert.equal(keys.body.primaryKey.length, 44);
  assert.equal(keys.body.primaryConnectionString, `Endpoint=sb://localhost:${port}/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=${keys.body.primaryKey}`);
  connectionString = keys.body.primaryConnectionString;

  const sendRule = await arm.call('PUT', `${base}/eventhubs/${HUB}/authorizationRules/send-only`, { properties: { rights: ['Send'] } });
  assert.equal(sendRule.status, 200, sendRule.text);
  assert.equal((await arm.call('PUT', `${base}/eventhubs/${HUB}/authorizationRules/bad`, { properties: { rights: ['Manage'] } })).status, 400);
  const regen = await arm.call('POST', `${base}/eventhubs/${HUB}/authorizationRules/send-only/regenerateKeys`, { keyType: 'SecondaryKey' });
  const sendKeys = await arm.call('POST', `${base}/eventhubs/${HUB}/authorizationRules/send-only/listKeys`);
  assert.equal(regen.body.secondaryKey, sendKeys.body.secondaryKey);
  assert.match(sendKeys.body.primaryConnectionString, new RegExp(`;EntityPath=${HUB}$`));

  // A send-only rule sends but cannot read.
  const sender = new EventHubProducerClient(sendKeys.body.secondaryConnectionString);
  await sender.sendBatch([{ body: 'from the send-only rule' }], { partitionId: '0' });
  await sender.close();
  const cannot = new EventHubConsumerClient('$Default', sendKeys.body.primaryConnectionString, { retryOptions: NO_RETRY });
  await assert.rejects(readOne(cannot), /'Listen' claim/);
  await cannot.close();
});

/** Subscribes once and fails with the first error. */
async function readOne(consumer: EventHubConsumerClient): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const sub = consumer.subscribe('0', {
      async processEvents() { void sub.close(); resolve(); },
      async processError(err) { void sub.close(); reject(err); },
    }, { maxWaitTimeInSeconds: 1 });
  });
}

test('the unmodified SDK round-trips events with properties and partition keys (connection string)', async () => {
  const producer = new EventHubProducerClient(connectionString, HUB);
  const props = await producer.getEventHubProperties();
  assert.deepEqual(props.partitionIds, ['0', '1']);
  assert.equal(props.name, HUB);
  const batch = await producer.createBatch({ partitionKey: 'customer-7' });
  for (let i = 0; i < 3; i++) assert.ok(batch.tryAdd({ body: { order: i }, properties: { kind: 'order', n: i }, contentType: 'application/json', messageId: `m-${i}` }));
  await producer.sendBatch(batch);
  await producer.sendBatch([{ body: 'to partition 1', properties: { p: true } }], { partitionId: '1' });
  await producer.close();

  const consumer = new EventHubConsumerClient('$Default', connectionString, HUB);
  const events = await readEvents(consumer, 5);
  const info = await consumer.getPartitionProperties('1');
  await consumer.close();
  const orders = events.filter((e) => e.properties?.kind === 'order').sort((a, b) => a.sequenceNumber - b.sequenceNumber);
  assert.deepEqual(orders.map((e) => e.body), [{ order: 0 }, { order: 1 }, { order: 2 }]);
  assert.deepEqual(orders.map((e) => e.properties), [0, 1, 2].map((n) => ({ kind: 'order', n })));
  assert.ok(orders.every((e) => e.partitionKey === 'customer-7' && e.messageId === `m-${orders.indexOf(e)}` && e.contentType === 'application/json'));
  assert.ok(orders.every((e) => e.enqueuedTimeUtc instanceof Date && Math.abs(e.enqueuedTimeUtc.getTime() - Date.now()) < 60_000));
  const seqs = orders.map((e) => e.sequenceNumber);
  assert.deepEqual(seqs, [seqs[0], seqs[0] + 1, seqs[0] + 2], 'sequence numbers are dense within a partition');
  const p1 = events.find((e) => e.body === 'to partition 1');
  assert.ok(p1);
  assert.equal(info.lastEnqueuedSequenceNumber, p1.sequenceNumber);
  assert.equal(info.isEmpty, false);
  assert.equal(String(info.lastEnqueuedOffset), String(p1.offset));
});

test('a TokenCredential needs the Data Sender / Data Receiver roles at the hub; REST send with SAS', async () => {
  const cred = server.credential();
  const host = `localhost:${port}`;
  const producer = new EventHubProducerClient(host, HUB, cred, { retryOptions: NO_RETRY });
  await assert.rejects(producer.sendBatch([{ body: 'no role yet' }]), /'Send' claim/);
  await producer.close();

  const hubId = `${nsPath(server, RG, NS)}/eventhubs/${HUB}`;
  const authz = new AuthorizationManagementClient(cred, server.connection.subscriptionId, server.armOptions());
  for (const role of [DATA_SENDER, DATA_RECEIVER]) {
    await authz.roleAssignments.create(hubId, crypto.randomUUID(), {
      roleDefinitionId: `/subscriptions/${server.connection.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${role}`,
      principalId: server.connection.objectId, principalType: 'ServicePrincipal',
    });
  }
  const p2 = new EventHubProducerClient(host, HUB, cred);
  await p2.sendBatch([{ body: 'with entra', properties: { via: 'aad' } }], { partitionKey: 'k-aad' });
  await p2.close();

  // REST send: one event with BrokerProperties and a custom header, and a batch.
  const keys = await arm.call('POST', `${nsPath(server, RG, NS)}/authorizationRules/RootManageSharedAccessKey/listKeys`);
  const sas = signSas(`https://localhost:${port}/${HUB}`, 'RootManageSharedAccessKey', keys.body.primaryKey, Math.floor(Date.now() / 1000) + 600);
  const one = await request(`https://localhost:${port}/${HUB}/messages`, {
    method: 'POST', body: 'rest body', headers: { authorization: sas, brokerproperties: '{"PartitionKey":"rest-k"}', 'x-origin': 'rest', 'content-type': 'text/plain' },
  });
  assert.equal(one.status, 201, one.text);
  const batch = await request(`https://localhost:${port}/${HUB}/messages`, {
    method: 'POST', headers: { authorization: sas, 'content-type': 'application/vnd.microsoft.servicebus.json' },
    body: JSON.stringify([{ Body: 'rest batch 1', UserProperties: { b: 1 } }, { Body: 'rest batch 2' }]),
  });
  assert.equal(batch.status, 201, batch.text);
  const unauth = await request(`https://localhost:${port}/${HUB}/messages`, { method: 'POST', body: 'x', headers: { authorization: sas.replace(/sig=[^&]+/, 'sig=AAAA') } });
  assert.equal(unauth.status, 401);

  const consumer = new EventHubConsumerClient('$Default', host, HUB, cred);
  const events = await readEvents(consumer, 9);
  await consumer.close();
  const aad = events.find((e) => e.body === 'with entra');
  assert.ok(aad);
  assert.equal(aad.partitionKey, 'k-aad');
  assert.deepEqual(aad.properties, { via: 'aad' });
  const rest = events.find((e) => Buffer.isBuffer(e.body) ? e.body.toString() === 'rest body' : e.body === 'rest body');
  assert.ok(rest, 'the REST event is read');
  assert.equal(rest.partitionKey, 'rest-k');
  assert.equal(rest.properties?.['x-origin'], 'rest');
  assert.ok(events.some((e) => String(e.body) === 'rest batch 2'));
});

test('command line: eventhubs namespace|eventhub create/show/list/delete, authorization-rule keys list, eventhub tail', async () => {
  const dir = server.dataDir;
  const ns2 = `${NS}-cli`;
  const created = (await cliOk(['eventhubs', 'namespace', 'create', '-g', RG, '-n', ns2, '--sku', 'Basic'], dir)).json();
  assert.equal(created.sku.name, 'Basic');
  assert.equal((await cliOk(['eventhubs', 'namespace', 'show', '-g', RG, '-n', ns2], dir)).json().name, ns2);
  const names = (await cliOk(['eventhubs', 'namespace', 'list', '-g', RG], dir)).json().map((n: { name: string }) => n.name);
  assert.ok(names.includes(NS) && names.includes(ns2));
  const hub = (await cliOk(['eventhubs', 'eventhub', 'create', '-g', RG, '--namespace-name', ns2, '-n', 'h1', '--partition-count', '2', '--retention-time-in-hours', '12'], dir)).json();
  assert.deepEqual(hub.properties.retentionDescription, { cleanupPolicy: 'Delete', retentionTimeInHours: 12 });
  assert.equal((await cliOk(['eventhubs', 'eventhub', 'list', '-g', RG, '--namespace-name', ns2], dir)).json().length, 1);
  const keys = (await cliOk(['eventhubs', 'namespace', 'authorization-rule', 'keys', 'list', '-g', RG, '--namespace-name', ns2, '-n', 'RootManageSharedAccessKey'], dir)).json();
  assert.match(keys.primaryConnectionString, /^Endpoint=sb:\/\/localhost:\d+\/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=/);
  // tail (the real binary, printing as events arrive): events already there, from the beginning.
  const producer = new EventHubProducerClient(keys.primaryConnectionString, 'h1');
  await producer.sendBatch([{ body: 'tail me', properties: { t: 1 } }], { partitionKey: 'pk' });
  await producer.close();
  const tail = await runBinary(['eventhubs', 'eventhub', 'tail', '-g', RG, '--namespace-name', ns2, '-n', 'h1', '--from-beginning', '--count', '1', '--timeout', '20'], { dataDir: dir });
  assert.equal(tail.code, 0, tail.stderr);
  const line = JSON.parse(tail.stdout.trim().split('\n')[0]);
  assert.equal(line.body, 'tail me');
  assert.equal(line.partitionKey, 'pk');
  assert.deepEqual(line.properties, { t: 1 });
  await cliOk(['eventhubs', 'eventhub', 'delete', '-g', RG, '--namespace-name', ns2, '-n', 'h1'], dir);
  await cliOk(['eventhubs', 'namespace', 'delete', '-g', RG, '-n', ns2], dir);
  assert.ok(!(await cliOk(['eventhubs', 'namespace', 'list', '-g', RG], dir)).json().some((n: { name: string }) => n.name === ns2));
});

test('events survive a restart; the namespace keeps its port and sequence numbers continue', async () => {
  const before = new EventHubConsumerClient('$Default', connectionString, HUB);
  const p0 = await before.getPartitionProperties('0');
  await before.close();
  await server.stop();
  server = await startTestServer({ dataDir: server.dataDir });
  arm = armClient(server);
  const ns = await arm.call('GET', nsPath(server, RG, NS));
  assert.equal(Number(new URL(ns.body.properties.serviceBusEndpoint).port), port);
  const producer = new EventHubProducerClient(connectionString, HUB);
  await producer.sendBatch([{ body: 'after restart' }], { partitionId: '0' });
  await producer.close();
  const consumer = new EventHubConsumerClient('$Default', connectionString, HUB);
  const events = await readEvents(consumer, 10);
  await consumer.close();
  assert.equal(events.length, 10, 'every event from before the restart, and the new one');
  const after = events.find((e) => e.body === 'after restart');
  assert.ok(after);
  assert.equal(after.sequenceNumber, p0.lastEnqueuedSequenceNumber + 1);
  assert.ok(events.some((e) => e.body === 'with entra'));
});
