// AMQP over WebSockets (what the portal's live event view runs in the browser): the unmodified
// @azure/event-hubs producer and consumer with `webSocketOptions: { webSocket: <undici's WebSocket> }` and
// a Bearer TokenCredential reach the namespace at wss://localhost:{port}/$servicebus/websocket (subprotocol
// AMQPWSB10), authenticated by CBS exactly as over TLS: without a data role the send is refused.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { WebSocket } from 'undici';
import { EventHubConsumerClient, EventHubProducerClient, type WebSocketImpl } from '@azure/event-hubs';
import { AuthorizationManagementClient } from '@azure/arm-authorization';
import { ResourceManagementClient } from '@azure/arm-resources';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { armClient, nsPath, readEvents } from '../helpers/eventhubs.js';

const RG = 'ehws-rg';
const NS = 'ehws-ns';
const HUB = 'live';
const DATA_OWNER = 'f526a384-b230-433a-b45c-95f59c4a2dec';
let server: TestServer;
let port: number;
/** undici's WebSocket as the SDK's WebSocketImpl (the browser's WebSocket has the same surface), counting the sockets made. */
let sockets = 0;
class CountingWebSocket extends WebSocket {
  constructor(url: string, protocols: string | string[]) { super(url, protocols); sockets++; }
}
const webSocketOptions = { webSocket: CountingWebSocket as unknown as WebSocketImpl };
const NO_RETRY = { maxRetries: 0 };

before(async () => {
  server = await startTestServer();
  const arm = armClient(server);
  await new ResourceManagementClient(server.credential(), server.connection.subscriptionId, server.armOptions()).resourceGroups.createOrUpdate(RG, { location: 'westeurope' });
  const ns = await arm.call('PUT', nsPath(server, RG, NS), { location: 'westeurope', sku: { name: 'Standard', tier: 'Standard', capacity: 1 } });
  assert.ok(ns.status < 300, ns.text);
  port = Number(new URL(ns.body.properties.serviceBusEndpoint).port);
  const hub = await arm.call('PUT', `${nsPath(server, RG, NS)}/eventhubs/${HUB}`, { properties: { partitionCount: 2 } });
  assert.ok(hub.status < 300, hub.text);
});
after(async () => { await server?.stop(); });

test('without a data role the namespace refuses the caller over WebSockets (CBS), as over TLS', async () => {
  const producer = new EventHubProducerClient(`localhost:${port}`, HUB, server.credential(), { webSocketOptions, retryOptions: NO_RETRY });
  await assert.rejects(producer.getEventHubProperties(), (e: Error & { code?: string }) => e.code === 'UnauthorizedError' || /claim|unauthori/i.test(e.message));
  await producer.close();
});

test('with Azure Event Hubs Data Owner, events sent over WebSockets are read over WebSockets', async () => {
  const authz = new AuthorizationManagementClient(server.credential(), server.connection.subscriptionId, server.armOptions());
  await authz.roleAssignments.create(nsPath(server, RG, NS), crypto.randomUUID(), {
    roleDefinitionId: `/subscriptions/${server.connection.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${DATA_OWNER}`,
    principalId: server.connection.objectId, principalType: 'ServicePrincipal',
  });
  const producer = new EventHubProducerClient(`localhost:${port}`, HUB, server.credential(), { webSocketOptions });
  await producer.sendBatch([{ body: { n: 1 }, properties: { via: 'ws' } }, { body: 'two' }], { partitionKey: 'ws-key' });
  const props = await producer.getEventHubProperties();
  assert.deepEqual(props.partitionIds, ['0', '1']);
  await producer.close();
  const consumer = new EventHubConsumerClient('$Default', `localhost:${port}`, HUB, server.credential(), { webSocketOptions });
  const events = await readEvents(consumer, 2);
  await consumer.close();
  assert.ok(sockets >= 2, `the clients connected over WebSockets (${sockets})`);
  assert.deepEqual(events.map((e) => e.body), [{ n: 1 }, 'two']);
  assert.deepEqual(events[0].properties, { via: 'ws' });
  assert.equal(events[0].partitionKey, 'ws-key');
});

test('an upgrade elsewhere, or without the AMQPWSB10 subprotocol, is refused', async () => {
  const open = (path: string, protocols: string[]) => new Promise<string>((resolve) => {
    const ws = new WebSocket(`wss://localhost:${port}${path}`, protocols);
    ws.onopen = () => { resolve(`open:${ws.protocol}`); ws.close(); };
    ws.onerror = () => resolve('refused');
  });
  assert.equal(await open('/$servicebus/websocket', ['AMQPWSB10']), 'open:AMQPWSB10');
  assert.equal(await open('/$servicebus/websocket', ['mqtt']), 'refused');
  assert.equal(await open('/elsewhere', ['AMQPWSB10']), 'refused');
});
