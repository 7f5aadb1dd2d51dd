// Microsoft.Authorization/permissions with the unmodified @azure/arm-authorization: the caller's own
// effective actions at a resource group or a resource (what the portal reads to enable or disable Save),
// for an Owner, a Reader and a principal with no role.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { ResourceManagementClient } from '@azure/arm-resources';
import { AuthorizationManagementClient, type Permission } from '@azure/arm-authorization';
import { ManagedServiceIdentityClient } from '@azure/arm-msi';
import { startTestServer, request, type TestServer } from '../helpers/server.js';

const READER = 'acdd72a7-3385-48ef-bd42-f606fba81ae7';

let server: TestServer;
let sub: string;
let owner: AuthorizationManagementClient;
type App = { objectId: string; authorization: AuthorizationManagementClient; token: () => Promise<string> };
let reader: App;
let nobody: App;

async function newApp(displayName: string): Promise<App> {
  const token = (await server.credential().getToken('https://management.azure.com/.default')).token;
  const res = await request(`${server.connection.managementEndpoint}/apim-local/applications`, {
    method: 'POST', token, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ displayName }),
  });
  assert.equal(res.status, 201, res.text);
  const credential = server.credential(res.body.appId as string, res.body.password as string);
  return {
    objectId: res.body.objectId as string,
    authorization: new AuthorizationManagementClient(credential, sub, server.armOptions()),
    token: async () => (await credential.getToken('https://management.azure.com/.default')).token,
  };
}

async function all(it: AsyncIterable<Permission>): Promise<Permission[]> {
  const out: Permission[] = [];
  for await (const p of it) out.push(p);
  return out;
}

before(async () => {
  server = await startTestServer();
  sub = server.connection.subscriptionId;
  const credential = server.credential();
  owner = new AuthorizationManagementClient(credential, sub, server.armOptions());
  const resources = new ResourceManagementClient(credential, sub, server.armOptions());
  await resources.resourceGroups.createOrUpdate('rg-perm', { location: 'westeurope' });
  await new ManagedServiceIdentityClient(credential, sub, server.armOptions()).userAssignedIdentities.createOrUpdate('rg-perm', 'id-perm', { location: 'westeurope' });
  reader = await newApp('perm-reader');
  nobody = await newApp('perm-nobody');
  await owner.roleAssignments.create(`/subscriptions/${sub}/resourceGroups/rg-perm`, crypto.randomUUID(), {
    roleDefinitionId: `/subscriptions/${sub}/providers/Microsoft.Authorization/roleDefinitions/${READER}`, principalId: reader.objectId, principalType: 'ServicePrincipal',
  });
});
after(async () => { await server?.stop(); });

test('an Owner (the admin, at the subscription) gets actions * at a group and at a resource', async () => {
  const atGroup = await all(owner.permissions.listForResourceGroup('rg-perm'));
  assert.deepEqual(atGroup, [{ actions: ['*'], notActions: [], dataActions: [], notDataActions: [] }]);
  const atResource = await all(owner.permissions.listForResource('rg-perm', 'Microsoft.ManagedIdentity', '', 'userAssignedIdentities', 'id-perm'));
  assert.deepEqual(atResource, atGroup);
});

test('a Reader at the group gets */read there and below, nothing at the subscription', async () => {
  const atGroup = await all(reader.authorization.permissions.listForResourceGroup('rg-perm'));
  assert.deepEqual(atGroup, [{ actions: ['*/read'], notActions: [], dataActions: [], notDataActions: [] }]);
  const atResource = await all(reader.authorization.permissions.listForResource('rg-perm', 'Microsoft.ManagedIdentity', '', 'userAssignedIdentities', 'id-perm'));
  assert.deepEqual(atResource, atGroup);
  // The subscription scope (not in the SDK, but in Azure's API): the group's assignment does not reach up.
  const res = await request(`${server.connection.managementEndpoint}/subscriptions/${sub}/providers/Microsoft.Authorization/permissions?api-version=2015-07-01`, { token: await reader.token() });
  assert.equal(res.status, 200, res.text);
  assert.deepEqual(res.body, { value: [] });
});

test('a principal with no role gets an empty list (asking needs no permission)', async () => {
  assert.deepEqual(await all(nobody.authorization.permissions.listForResourceGroup('rg-perm')), []);
  assert.deepEqual(await all(nobody.authorization.permissions.listForResource('rg-perm', 'Microsoft.ManagedIdentity', '', 'userAssignedIdentities', 'id-perm')), []);
});

test('errors: a missing group is 404 ResourceGroupNotFound; an unknown api-version is refused', async () => {
  await assert.rejects(owner.permissions.listForResourceGroup('rg-none').next(), (e: any) => e.statusCode === 404 && e.code === 'ResourceGroupNotFound');
  const res = await request(`${server.connection.managementEndpoint}/subscriptions/${sub}/resourceGroups/rg-perm/providers/Microsoft.Authorization/permissions?api-version=2099-01-01`,
    { token: await nobody.token() });
  assert.equal(res.status, 400, res.text);
  assert.equal(res.body.error.code, 'NoRegisteredProviderFound');
  assert.match(res.body.error.message, /2022-04-01/);
});
