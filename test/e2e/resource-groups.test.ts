// @azure/arm-resources against the real server: resource groups created, listed, paged and deleted.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ResourceManagementClient } from '@azure/arm-resources';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
let client: ResourceManagementClient;

before(async () => {
  server = await startTestServer();
  client = new ResourceManagementClient(server.credential(), server.connection.subscriptionId, server.armOptions());
});
after(async () => { await server?.stop(); });

test('create returns 201 then 200, get and list see the group', async () => {
  const created = await client.resourceGroups.createOrUpdate('rg-one', { location: 'West Europe', tags: { env: 'test' } });
  assert.equal(created.id, `/subscriptions/${server.connection.subscriptionId}/resourceGroups/rg-one`);
  assert.equal(created.location, 'westeurope');
  assert.equal(created.properties?.provisioningState, 'Succeeded');
  const again = await client.resourceGroups.createOrUpdate('RG-ONE', { location: 'westeurope', tags: { env: 'changed' } });
  assert.equal(again.name, 'rg-one', 'the name keeps the casing it was created with');
  assert.deepEqual(again.tags, { env: 'changed' });
  const got = await client.resourceGroups.get('Rg-One');
  assert.deepEqual(got.tags, { env: 'changed' });
  const names: string[] = [];
  for await (const g of client.resourceGroups.list()) names.push(g.name!);
  assert.ok(names.includes('rg-one'));
});

test('list pages with $top and nextLink', async () => {
  for (let i = 0; i < 5; i++) await client.resourceGroups.createOrUpdate(`page-${i}`, { location: 'westeurope' });
  const pages: number[] = [];
  for await (const p of client.resourceGroups.list({ top: 2 }).byPage()) pages.push(p.length);
  assert.ok(pages.length >= 3, `expected several pages, got ${JSON.stringify(pages)}`);
  assert.ok(pages.every((n) => n <= 2));
});

test('a group in another location is a 409 InvalidResourceGroupLocation', async () => {
  await assert.rejects(client.resourceGroups.createOrUpdate('rg-one', { location: 'eastus' }), (e: any) => {
    assert.equal(e.statusCode, 409);
    assert.equal(e.code, 'InvalidResourceGroupLocation');
    return true;
  });
});

test('delete polls to completion and the group is gone', async () => {
  await client.resourceGroups.createOrUpdate('rg-gone', { location: 'westeurope' });
  await client.resourceGroups.beginDeleteAndWait('rg-gone', { updateIntervalInMs: 50 });
  assert.equal((await client.resourceGroups.checkExistence('rg-gone')).body, false);
  await assert.rejects(client.resourceGroups.get('rg-gone'), (e: any) => e.statusCode === 404 && e.code === 'ResourceGroupNotFound');
});
