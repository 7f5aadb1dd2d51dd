// An Event Hubs namespace in a browser: its Overview, the Event Hubs list with "+ Event Hub" (checked
// through Resource Manager), and the hub's Data Explorer showing events sent by the official SDK while
// it watches (AMQP over the namespace's WebSocket endpoint from the page, CBS put-token of the portal's
// Event Hubs token).
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ResourceManagementClient } from '@azure/arm-resources';
import { EventHubProducerClient } from '@azure/event-hubs';
import { SKIP, startPortal, type PortalHarness } from './harness.js';
import { armClient, nsPath } from '../helpers/eventhubs.js';
import { request } from '../helpers/server.js';

const RG = 'rg-portal-eh';
const NS = 'ehns-portal';
const HUB = 'orders';
const DATA_OWNER = 'f526a384-b230-433a-b45c-95f59c4a2dec';

let h: PortalHarness;
let nsId: string;
let port: number;
const oidOf = (token: string) => (JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as { oid: string }).oid;

describe('portal: event hubs', { skip: SKIP }, () => {
  before(async () => {
    h = await startPortal();
    const arm = armClient(h.server);
    await new ResourceManagementClient(h.server.credential(), h.server.connection.subscriptionId, h.server.armOptions()).resourceGroups.createOrUpdate(RG, { location: 'westeurope' });
    nsId = nsPath(h.server, RG, NS);
    const ns = await arm.call('PUT', nsId, { location: 'westeurope', sku: { name: 'Standard', tier: 'Standard', capacity: 1 } });
    assert.ok(ns.status < 300, ns.text);
    port = Number(new URL(ns.body.properties.serviceBusEndpoint).port);
    // Receiving and sending are data actions: the admin (Owner of the subscription) gets the data role, as in Azure.
    const sub = h.server.connection.subscriptionId;
    const assign = await request(`${h.server.connection.managementEndpoint}${nsId}/providers/Microsoft.Authorization/roleAssignments/${crypto.randomUUID()}?api-version=2022-04-01`, {
      method: 'PUT', token: await h.adminToken(), headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ properties: { roleDefinitionId: `/subscriptions/${sub}/providers/Microsoft.Authorization/roleDefinitions/${DATA_OWNER}`, principalId: oidOf(await h.adminToken()), principalType: 'ServicePrincipal' } }),
    });
    assert.ok(assign.status < 300, assign.text);
    await h.signInWithLink();
  });
  after(async () => { await h?.close(); });

  test('Overview, then Event Hubs > + Event Hub creates a hub', async () => {
    await h.page.goto(`${h.portalUrl}resource${nsId}/overview`);
    await h.page.getByText(`localhost:${port}`).waitFor();
    await h.checkBlade('eventhubs-namespace-overview');
    await h.page.getByRole('navigation', { name: 'Resource menu' }).getByRole('link', { name: 'Event Hubs' }).click();
    await h.page.getByRole('heading', { name: 'Event Hubs', level: 1 }).waitFor();
    await h.page.getByText('No event hubs yet.').waitFor();
    await h.page.getByRole('toolbar').getByRole('button', { name: 'Event Hub', exact: true }).click();
    await h.page.getByRole('textbox', { name: 'Name' }).fill(HUB);
    await h.page.getByRole('region', { name: 'Create Event Hub' }).getByRole('button', { name: 'Create' }).click();
    await h.page.getByRole('table', { name: 'Event Hubs' }).getByRole('link', { name: HUB }).waitFor();
    await h.checkBlade('eventhubs-hubs');
    const hub = await armClient(h.server).call('GET', `${nsId}/eventhubs/${HUB}`);
    assert.equal(hub.status, 200);
    assert.equal(hub.body.properties.partitionCount, 2);
  });

  test('Data Explorer: events sent while it watches appear live', async () => {
    await h.page.getByRole('table', { name: 'Event Hubs' }).getByRole('link', { name: HUB }).click();
    await h.page.getByRole('heading', { name: 'Data Explorer', level: 1 }).waitFor();
    await h.page.getByRole('button', { name: 'View events' }).click();
    await h.page.getByRole('status').getByText(/Receiving events/).waitFor();
    // The sender uses AMQP over TLS: the events cross from one transport to the other.
    const producer = new EventHubProducerClient(`localhost:${port}`, HUB, h.server.credential());
    try {
      const batch = await producer.createBatch();
      assert.ok(batch.tryAdd({ body: { orderId: 42, item: 'widget' }, properties: { source: 'portal-test' } }));
      assert.ok(batch.tryAdd({ body: 'plain text event' }));
      await producer.sendBatch(batch);
    } finally { await producer.close(); }
    const table = h.page.getByRole('table', { name: 'Events' });
    await table.getByRole('cell', { name: '{"orderId":42,"item":"widget"}' }).waitFor();
    await table.getByRole('cell', { name: 'plain text event' }).waitFor();
    await table.getByRole('cell', { name: '{"source":"portal-test"}' }).waitFor();
    await h.checkBlade('eventhub-data-explorer');
    await h.page.getByRole('button', { name: 'Stop' }).click();
    await h.page.getByRole('status').getByText('Stopped.').waitFor();
  });
});
