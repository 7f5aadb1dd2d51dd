// What `az resource list/show/create` and `az apim update` send, through the official SDKs: the
// generic resources list with ARM's `$filter` and `$expand`, the generic GET and PUT (whose path has an
// empty parentResourcePath), and API Management's PUT without `identity` (az's update) on instances with
// and without identities.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ResourceManagementClient } from '@azure/arm-resources';
import { ManagedServiceIdentityClient } from '@azure/arm-msi';
import { ApiManagementClient, type ApiManagementServiceResource } from '@azure/arm-apimanagement';
import { startTestServer, request, type TestServer } from '../helpers/server.js';
import { all } from '../helpers/apim.js';

let server: TestServer;
let rm: ResourceManagementClient;
let apim: ApiManagementClient;
const RG = 'filter-rg';
const OTHER = 'filter-other';

before(async () => {
  server = await startTestServer();
  const cred = server.credential();
  const sub = server.connection.subscriptionId;
  rm = new ResourceManagementClient(cred, sub, server.armOptions());
  apim = new ApiManagementClient(cred, sub, server.armOptions());
  const msi = new ManagedServiceIdentityClient(cred, sub, server.armOptions());
  await rm.resourceGroups.createOrUpdate(RG, { location: 'westeurope', tags: { env: 'dev' } });
  await rm.resourceGroups.createOrUpdate(OTHER, { location: 'eastus', tags: { env: 'prod' } });
  await msi.userAssignedIdentities.createOrUpdate(RG, 'orders-id', { location: 'westeurope', tags: { team: 'orders', Env: 'dev' } });
  await msi.userAssignedIdentities.createOrUpdate(RG, 'billing-id', { location: 'westeurope', tags: { team: 'billing' } });
  await msi.userAssignedIdentities.createOrUpdate(OTHER, 'orders-prod', { location: 'eastus', tags: { team: 'orders' } });
});
after(async () => { await server?.stop(); });

const names = async (filter?: string, group?: string) => (await all(group ? rm.resources.listByResourceGroup(group, { filter }) : rm.resources.list({ filter })))
  .map((r) => r.name!).sort();

test('resources list: $filter on name, resourceGroup, resourceType, location, substringof, and/or/not, as ARM', async () => {
  assert.deepEqual(await names(), ['billing-id', 'orders-id', 'orders-prod']);
  assert.deepEqual(await names(`resourceGroup eq '${RG.toUpperCase()}'`), ['billing-id', 'orders-id'], 'az resource list -g');
  assert.deepEqual(await names("resourceGroup eq 'filter-rg' and name eq 'orders-id'"), ['orders-id']);
  assert.deepEqual(await names("resourceType eq 'Microsoft.ManagedIdentity/userAssignedIdentities' and location eq 'eastus'"), ['orders-prod']);
  assert.deepEqual(await names("resourceType eq 'Microsoft.KeyVault/vaults'"), []);
  assert.deepEqual(await names("substringof('orders', name)"), ['orders-id', 'orders-prod']);
  assert.deepEqual(await names("substringof('other', resourceGroup) or name eq 'billing-id'"), ['billing-id', 'orders-prod']);
  assert.deepEqual(await names("not (name ne 'billing-id')"), ['billing-id']);
  assert.deepEqual(await names("substringof('orders', name)", RG), ['orders-id'], 'a group\'s list filters too');
});

test('resources list: tag filters alone (name; name and value: one tag, tags left out; prefix), refused combined', async () => {
  assert.deepEqual(await names("tagName eq 'TEAM'"), ['billing-id', 'orders-id', 'orders-prod']);
  const byValue = await all(rm.resources.list({ filter: "tagname eq 'team' and tagvalue eq 'orders'" }));
  assert.deepEqual(byValue.map((r) => r.name).sort(), ['orders-id', 'orders-prod']);
  assert.ok(byValue.every((r) => r.tags === undefined), 'ARM leaves the tags out of a tag name and value filter');
  assert.deepEqual(await names("tagName eq 'env' and tagValue eq 'dev'"), ['orders-id'], 'one tag with that name and that value');
  assert.deepEqual(await names("startswith(tagName, 'te')"), ['billing-id', 'orders-id', 'orders-prod']);
  const sub = server.connection.subscriptionId;
  const token = (await server.credential().getToken('https://management.azure.com/.default')).token;
  for (const bad of ["resourceGroup eq 'filter-rg' and tagName eq 'team'", "tagValue eq 'orders'", "name eq", "owner eq 'x'"]) {
    const r = await request(`${server.connection.managementEndpoint}/subscriptions/${sub}/resources?api-version=2021-04-01&$filter=${encodeURIComponent(bad)}`, { token });
    assert.equal(r.status, 400, bad);
    assert.deepEqual(r.body.error, { code: 'InvalidFilterInQueryString', message: `Invalid $filter '${bad}' specified in the query string.` });
  }
  const groups = (await all(rm.resourceGroups.list({ filter: "tagName eq 'env' and tagValue eq 'prod'" }))).map((g) => g.name);
  assert.deepEqual(groups, [OTHER]);
});

test('resources list: $expand createdTime,changedTime,provisioningState (what az resource list asks)', async () => {
  const [r] = await all(rm.resources.list({ filter: "name eq 'orders-id'", expand: 'createdTime,changedTime,provisioningState' }));
  assert.ok(r.createdTime instanceof Date && r.changedTime instanceof Date);
  assert.equal(r.provisioningState, 'Succeeded');
  assert.equal((r as { properties?: unknown }).properties, undefined);
  await assert.rejects(all(rm.resources.list({ expand: 'everything' })), (e: { statusCode?: number }) => e.statusCode === 400);
});

test('generic resource GET and PUT by namespace and type (az resource show/create: an empty parentResourcePath)', async () => {
  const got = await rm.resources.get(RG, 'Microsoft.ManagedIdentity', '', 'userAssignedIdentities', 'orders-id', '2023-01-31');
  assert.equal(got.name, 'orders-id');
  assert.match(String((got.properties as Record<string, unknown>).principalId), /^[0-9a-f-]{36}$/);
  const made = await rm.resources.beginCreateOrUpdateAndWait(RG, 'Microsoft.ManagedIdentity', '', 'userAssignedIdentities', 'generic-id', '2023-01-31', { location: 'westeurope', properties: {} });
  assert.match(String((made.properties as Record<string, unknown>).clientId), /^[0-9a-f-]{36}$/);
  assert.equal((await rm.resources.getById(made.id!, '2023-01-31')).name, 'generic-id');
});

test('API Management: az apim update semantics (no identity property without identities; a PUT without identity keeps them)', async () => {
  const base = { location: 'westeurope', sku: { name: 'Developer', capacity: 1 }, publisherEmail: 'admin@contoso.com', publisherName: 'Contoso' };
  const created = await apim.apiManagementService.beginCreateOrUpdateAndWait(RG, 'upd-apim', base);
  assert.equal(created.identity, undefined, 'Azure answers no identity for an instance without one');
  assert.equal((await apim.apiManagementService.get(RG, 'upd-apim')).identity, undefined);
  // az apim update --enable-managed-identity true: GET, identity added where none is, PUT.
  const current = await apim.apiManagementService.get(RG, 'upd-apim');
  const enabled = await apim.apiManagementService.beginCreateOrUpdateAndWait(RG, 'upd-apim', { ...current, identity: current.identity ?? { type: 'SystemAssigned' } });
  assert.equal(enabled.identity?.type, 'SystemAssigned');
  const principalId = enabled.identity!.principalId;
  assert.match(principalId!, /^[0-9a-f-]{36}$/);
  // az apim update --publisher-name X: GET, identity set to None (omitted), PUT: the identity stays.
  const again = await apim.apiManagementService.get(RG, 'upd-apim');
  const renamed = await apim.apiManagementService.beginCreateOrUpdateAndWait(RG, 'upd-apim', { ...again, identity: undefined, publisherName: 'Other' } as ApiManagementServiceResource);
  assert.equal(renamed.publisherName, 'Other');
  assert.equal(renamed.identity?.principalId, principalId, 'the same system-assigned identity');
  // Removing is explicit: type None.
  const none = await apim.apiManagementService.beginCreateOrUpdateAndWait(RG, 'upd-apim', { ...base, identity: { type: 'None' } });
  assert.equal(none.identity, undefined);
  const token = (await server.credential().getToken('https://graph.microsoft.com/.default')).token;
  const gone = await request(`${server.connection.managementEndpoint}/v1.0/servicePrincipals/${principalId}`, { token });
  assert.equal(gone.status, 404, 'its principal is deleted');
});
