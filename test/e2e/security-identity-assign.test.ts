// Issue #10, finding 1 (critical), written as the attack: a Contributor on its own resource group
// attaches a user-assigned identity from another group it has no rights on, to use that identity's
// access. Azure requires Microsoft.ManagedIdentity/userAssignedIdentities/assign/action on every identity
// a request attaches (LinkedAuthorizationFailed otherwise); PUT and PATCH alike, and nothing changes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { ResourceManagementClient } from '@azure/arm-resources';
import { AuthorizationManagementClient } from '@azure/arm-authorization';
import { ManagedServiceIdentityClient } from '@azure/arm-msi';
import { ApiManagementClient } from '@azure/arm-apimanagement';
import { startTestServer, request, type TestServer } from '../helpers/server.js';

const CONTRIBUTOR = 'b24988ac-6180-42a0-ab88-20f7382dd24c';
const MI_OPERATOR = 'f1a07417-d97a-45cb-824c-7a7467783830';

let server: TestServer;
let sub: string;
let victimIdentityId: string;
let attacker: { objectId: string; apim: ApiManagementClient };
let adminAuth: AuthorizationManagementClient;

before(async () => {
  server = await startTestServer();
  sub = server.connection.subscriptionId;
  const cred = server.credential();
  const rm = new ResourceManagementClient(cred, sub, server.armOptions());
  await rm.resourceGroups.createOrUpdate('victim-rg', { location: 'westeurope' });
  await rm.resourceGroups.createOrUpdate('attacker-rg', { location: 'westeurope' });
  const uai = await new ManagedServiceIdentityClient(cred, sub, server.armOptions()).userAssignedIdentities.createOrUpdate('victim-rg', 'payments-reader', { location: 'westeurope' });
  victimIdentityId = uai.id!;

  const token = (await cred.getToken('https://management.azure.com/.default')).token;
  const res = await request(`${server.connection.managementEndpoint}/apim-local/applications`, {
    method: 'POST', token, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ displayName: 'mallory' }),
  });
  assert.equal(res.status, 201, res.text);
  adminAuth = new AuthorizationManagementClient(cred, sub, server.armOptions());
  await adminAuth.roleAssignments.create(`/subscriptions/${sub}/resourceGroups/attacker-rg`, crypto.randomUUID(), {
    roleDefinitionId: `/subscriptions/${sub}/providers/Microsoft.Authorization/roleDefinitions/${CONTRIBUTOR}`, principalId: res.body.objectId, principalType: 'ServicePrincipal',
  });
  attacker = { objectId: res.body.objectId, apim: new ApiManagementClient(server.credential(res.body.appId, res.body.password), sub, server.armOptions()) };
  await attacker.apim.apiManagementService.beginCreateOrUpdateAndWait('attacker-rg', 'mallory-apim', {
    location: 'westeurope', sku: { name: 'Developer', capacity: 1 }, publisherEmail: 'm@contoso.com', publisherName: 'M',
  });
});
after(async () => { await server?.stop(); });

function linkedFailure(e: any): true {
  assert.equal(e.statusCode, 403, e.message);
  assert.equal(e.code, 'LinkedAuthorizationFailed');
  assert.equal(e.message, `The client '${attacker.objectId}' with object id '${attacker.objectId}' has permission to perform action 'Microsoft.ApiManagement/service/write' on scope '/subscriptions/${sub}/resourceGroups/attacker-rg/providers/Microsoft.ApiManagement/service/mallory-apim'; however, it does not have permission to perform action(s) 'Microsoft.ManagedIdentity/userAssignedIdentities/assign/action' on the linked scope(s) '${victimIdentityId}' (respectively) or the linked scope(s) are invalid.`);
  return true;
}

test('attack: PATCH of its own instance attaching an identity from another group is refused (403 LinkedAuthorizationFailed), nothing changes', async () => {
  await assert.rejects(attacker.apim.apiManagementService.beginUpdateAndWait('attacker-rg', 'mallory-apim', {
    identity: { type: 'UserAssigned', userAssignedIdentities: { [victimIdentityId]: {} } },
  }), linkedFailure);
  const after1 = await attacker.apim.apiManagementService.get('attacker-rg', 'mallory-apim');
  assert.equal(after1.identity?.type ?? 'None', 'None', 'the instance did not get the identity');
});

test('attack: PUT with the identity is refused the same way; an identity that does not exist is not revealed either', async () => {
  const body = { location: 'westeurope', sku: { name: 'Developer', capacity: 1 }, publisherEmail: 'm@contoso.com', publisherName: 'M' } as const;
  await assert.rejects(attacker.apim.apiManagementService.beginCreateOrUpdateAndWait('attacker-rg', 'mallory-apim', {
    ...body, identity: { type: 'SystemAssigned, UserAssigned', userAssignedIdentities: { [victimIdentityId]: {} } },
  }), linkedFailure);
  const missing = victimIdentityId.replace('payments-reader', 'no-such-identity');
  await assert.rejects(attacker.apim.apiManagementService.beginCreateOrUpdateAndWait('attacker-rg', 'mallory-apim', {
    ...body, identity: { type: 'UserAssigned', userAssignedIdentities: { [missing]: {} } },
  }), (e: any) => { assert.equal(e.code, 'LinkedAuthorizationFailed', 'no existence probe'); return true; });
  assert.equal((await attacker.apim.apiManagementService.get('attacker-rg', 'mallory-apim')).identity?.type ?? 'None', 'None');
});

test('with Managed Identity Operator on that identity, the same PATCH succeeds; keeping it attached later needs no new grant', async () => {
  const ra = await adminAuth.roleAssignments.create(victimIdentityId, crypto.randomUUID(), {
    roleDefinitionId: `/subscriptions/${sub}/providers/Microsoft.Authorization/roleDefinitions/${MI_OPERATOR}`, principalId: attacker.objectId, principalType: 'ServicePrincipal',
  });
  const updated = await attacker.apim.apiManagementService.beginUpdateAndWait('attacker-rg', 'mallory-apim', {
    identity: { type: 'UserAssigned', userAssignedIdentities: { [victimIdentityId]: {} } },
  });
  assert.equal(updated.identity?.type, 'UserAssigned');
  assert.ok(Object.keys(updated.identity?.userAssignedIdentities ?? {}).some((k) => k.toLowerCase() === victimIdentityId.toLowerCase()));
  await adminAuth.roleAssignments.delete(victimIdentityId, ra.name!);
  // An identity already attached is not "added" by an unrelated update.
  const again = await attacker.apim.apiManagementService.beginUpdateAndWait('attacker-rg', 'mallory-apim', { tags: { touched: 'yes' } });
  assert.equal(again.tags?.touched, 'yes');
});
