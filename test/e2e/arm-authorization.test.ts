// Role-based access with the unmodified @azure/arm-authorization and @azure/arm-resources: a principal
// can do what its role assignments allow at their scope and below, and nothing more. The other
// principals are applications made through apim-local's admin API (what `ad sp create-for-rbac` uses).
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { ResourceManagementClient } from '@azure/arm-resources';
import { AuthorizationManagementClient } from '@azure/arm-authorization';
import { startTestServer, request, type TestServer } from '../helpers/server.js';

const OWNER = '8e3af657-a8ff-443c-a75c-2fe8c4bcb635';
const CONTRIBUTOR = 'b24988ac-6180-42a0-ab88-20f7382dd24c';
const READER = 'acdd72a7-3385-48ef-bd42-f606fba81ae7';

let server: TestServer;
let sub: string;
let admin: { resources: ResourceManagementClient; authorization: AuthorizationManagementClient };
type App = { clientId: string; objectId: string; secret: string; resources: ResourceManagementClient; authorization: AuthorizationManagementClient };
let alice: App; // gets Contributor on rg-team
let bob: App;   // gets Reader on rg-team

async function newApp(displayName: string): Promise<App> {
  const token = (await server.credential().getToken('https://management.azure.com/.default')).token;
  const res = await request(`${server.connection.managementEndpoint}/apim-local/applications`, {
    method: 'POST', token, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ displayName }),
  });
  assert.equal(res.status, 201, res.text);
  const app = { clientId: res.body.appId as string, objectId: res.body.objectId as string, secret: res.body.password as string };
  const credential = server.credential(app.clientId, app.secret);
  return {
    ...app,
    resources: new ResourceManagementClient(credential, sub, server.armOptions()),
    authorization: new AuthorizationManagementClient(credential, sub, server.armOptions()),
  };
}

const roleId = (guid: string) => `/subscriptions/${sub}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;
const groupScope = (name: string) => `/subscriptions/${sub}/resourceGroups/${name}`;

/** Asserts a 403 AuthorizationFailed with Azure's whole message (the scope as the SDK sent it). */
async function assertForbidden(p: Promise<unknown>, app: App, action: string, scope: string): Promise<void> {
  await assert.rejects(p, (e: any) => {
    assert.equal(e.statusCode, 403, e.message);
    assert.equal(e.code, 'AuthorizationFailed');
    assert.equal(e.message, `The client '${app.objectId}' with object id '${app.objectId}' does not have authorization to perform action '${action}' over scope '${scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.`);
    return true;
  });
}

before(async () => {
  server = await startTestServer();
  sub = server.connection.subscriptionId;
  const credential = server.credential();
  admin = {
    resources: new ResourceManagementClient(credential, sub, server.armOptions()),
    authorization: new AuthorizationManagementClient(credential, sub, server.armOptions()),
  };
  alice = await newApp('alice');
  bob = await newApp('bob');
  await admin.resources.resourceGroups.createOrUpdate('rg-team', { location: 'westeurope' });
  await admin.resources.resourceGroups.createOrUpdate('rg-other', { location: 'westeurope' });
});
after(async () => { await server?.stop(); });

describe('a principal with no role assignment', () => {
  test('cannot read, create or list groups (403 AuthorizationFailed)', async () => {
    // arm-resources sends lower-case `resourcegroups`; the message echoes the scope as sent.
    await assertForbidden(alice.resources.resourceGroups.get('rg-team'), alice,
      'Microsoft.Resources/subscriptions/resourceGroups/read', `/subscriptions/${sub}/resourcegroups/rg-team`);
    await assertForbidden(alice.resources.resourceGroups.createOrUpdate('rg-team', { location: 'westeurope', tags: { by: 'alice' } }), alice,
      'Microsoft.Resources/subscriptions/resourceGroups/write', `/subscriptions/${sub}/resourcegroups/rg-team`);
    await assertForbidden(alice.resources.resourceGroups.createOrUpdate('rg-alice', { location: 'westeurope' }), alice,
      'Microsoft.Resources/subscriptions/resourceGroups/write', `/subscriptions/${sub}/resourcegroups/rg-alice`);
    await assertForbidden((async () => { for await (const _ of alice.resources.resourceGroups.list()) { /* none */ } })(), alice,
      'Microsoft.Resources/subscriptions/resourceGroups/read', `/subscriptions/${sub}`);
    const g = await admin.resources.resourceGroups.get('rg-team');
    assert.equal(g.tags, undefined, 'the refused write changed nothing');
    assert.equal((await admin.resources.resourceGroups.checkExistence('rg-alice')).body, false);
  });
});

describe('Contributor at a resource group', () => {
  let assignmentName: string;

  test('is granted with roleAssignments.create at the group scope (double-slash URL)', async () => {
    assignmentName = crypto.randomUUID();
    const a = await admin.authorization.roleAssignments.create(groupScope('rg-team'), assignmentName, {
      roleDefinitionId: roleId(CONTRIBUTOR), principalId: alice.objectId, principalType: 'ServicePrincipal',
    });
    assert.equal(a.name, assignmentName);
    assert.equal(a.id, `${groupScope('rg-team')}/providers/Microsoft.Authorization/roleAssignments/${assignmentName}`);
    assert.equal(a.scope, groupScope('rg-team'));
    assert.equal(a.principalId, alice.objectId);
    assert.equal(a.principalType, 'ServicePrincipal');
    assert.equal(a.roleDefinitionId?.split('/').pop(), CONTRIBUTOR);
    const got = await admin.authorization.roleAssignments.get(groupScope('rg-team'), assignmentName);
    assert.equal(got.principalId, alice.objectId);
  });

  test('then reads and writes in that group', async () => {
    const g = await alice.resources.resourceGroups.get('rg-team');
    assert.equal(g.name, 'rg-team');
    const updated = await alice.resources.resourceGroups.createOrUpdate('rg-team', { location: 'westeurope', tags: { by: 'alice' } });
    assert.deepEqual(updated.tags, { by: 'alice' });
    const patched = await alice.resources.resourceGroups.update('rg-team', { tags: { by: 'alice', v: '2' } });
    assert.deepEqual(patched.tags, { by: 'alice', v: '2' });
    const listed: string[] = [];
    for await (const rg of alice.resources.resourceGroups.list()) listed.push(rg.name!);
    assert.deepEqual(listed, ['rg-team'], 'the list shows only the groups the principal may read');
  });

  test('but not another group, nor a new group at subscription scope', async () => {
    await assertForbidden(alice.resources.resourceGroups.get('rg-other'), alice,
      'Microsoft.Resources/subscriptions/resourceGroups/read', `/subscriptions/${sub}/resourcegroups/rg-other`);
    await assertForbidden(alice.resources.resourceGroups.createOrUpdate('rg-alice', { location: 'westeurope' }), alice,
      'Microsoft.Resources/subscriptions/resourceGroups/write', `/subscriptions/${sub}/resourcegroups/rg-alice`);
    assert.equal((await admin.resources.resourceGroups.checkExistence('rg-alice')).body, false);
  });

  test('and cannot create role assignments (Contributor excludes Microsoft.Authorization/*/Write)', async () => {
    const name = crypto.randomUUID();
    await assertForbidden(alice.authorization.roleAssignments.create(groupScope('rg-team'), name, {
      roleDefinitionId: roleId(OWNER), principalId: alice.objectId, principalType: 'ServicePrincipal',
    }), alice, 'Microsoft.Authorization/roleAssignments/write', `${groupScope('rg-team')}/providers/Microsoft.Authorization/roleAssignments/${name}`);
    const mine = [];
    for await (const a of admin.authorization.roleAssignments.listForScope(`/subscriptions/${sub}`, { filter: `principalId eq '${alice.objectId}'` })) mine.push(a);
    assert.deepEqual(mine.map((a) => a.name), [assignmentName]);
  });

  test('deleting the assignment takes the access away again', async () => {
    const deleted = await admin.authorization.roleAssignments.delete(groupScope('rg-team'), assignmentName);
    assert.equal(deleted.name, assignmentName);
    await assertForbidden(alice.resources.resourceGroups.get('rg-team'), alice,
      'Microsoft.Resources/subscriptions/resourceGroups/read', `/subscriptions/${sub}/resourcegroups/rg-team`);
    await assertForbidden(alice.resources.resourceGroups.createOrUpdate('rg-team', { location: 'westeurope' }), alice,
      'Microsoft.Resources/subscriptions/resourceGroups/write', `/subscriptions/${sub}/resourcegroups/rg-team`);
  });
});

describe('Reader at a resource group', () => {
  test('allows GET but not PUT or DELETE', async () => {
    await admin.authorization.roleAssignments.create(groupScope('rg-team'), crypto.randomUUID(), {
      roleDefinitionId: roleId(READER), principalId: bob.objectId, principalType: 'ServicePrincipal',
    });
    assert.equal((await bob.resources.resourceGroups.get('rg-team')).name, 'rg-team');
    await assertForbidden(bob.resources.resourceGroups.createOrUpdate('rg-team', { location: 'westeurope', tags: { by: 'bob' } }), bob,
      'Microsoft.Resources/subscriptions/resourceGroups/write', `/subscriptions/${sub}/resourcegroups/rg-team`);
    await assertForbidden(bob.resources.resourceGroups.beginDeleteAndWait('rg-team'), bob,
      'Microsoft.Resources/subscriptions/resourceGroups/delete', `/subscriptions/${sub}/resourcegroups/rg-team`);
    assert.equal((await admin.resources.resourceGroups.checkExistence('rg-team')).body, true);
  });
});

describe('role definitions', () => {
  test('get Owner by GUID', async () => {
    const owner = await admin.authorization.roleDefinitions.get(`/subscriptions/${sub}`, OWNER);
    assert.equal(owner.name, OWNER);
    assert.equal(owner.roleName, 'Owner');
    assert.equal(owner.roleType, 'BuiltInRole');
    assert.equal(owner.id, `/subscriptions/${sub}/providers/Microsoft.Authorization/roleDefinitions/${OWNER}`);
    assert.deepEqual(owner.permissions?.[0].actions, ['*']);
    assert.deepEqual(owner.assignableScopes, ['/']);
  });

  test('list all, and $filter=roleName eq \'Reader\'', async () => {
    const all = [];
    for await (const d of admin.authorization.roleDefinitions.list(`/subscriptions/${sub}`)) all.push(d);
    const names = all.map((d) => d.roleName);
    for (const r of ['Owner', 'Contributor', 'Reader', 'User Access Administrator', 'Key Vault Secrets User', 'Azure Event Hubs Data Sender', 'API Management Service Contributor']) {
      assert.ok(names.includes(r), `${r} is listed`);
    }
    const readers = [];
    for await (const d of admin.authorization.roleDefinitions.list(`/subscriptions/${sub}`, { filter: "roleName eq 'Reader'" })) readers.push(d);
    assert.deepEqual(readers.map((d) => d.name), [READER]);
  });

  test('an unknown role definition is 404 RoleDefinitionDoesNotExist', async () => {
    await assert.rejects(admin.authorization.roleDefinitions.get(`/subscriptions/${sub}`, crypto.randomUUID()),
      (e: any) => e.statusCode === 404 && e.code === 'RoleDefinitionDoesNotExist');
  });

  test('any authenticated principal may read role definitions', async () => {
    const d = await alice.authorization.roleDefinitions.get(`/subscriptions/${sub}`, READER);
    assert.equal(d.roleName, 'Reader');
  });
});

describe('role assignments: listing and errors', () => {
  let atTeam: string;
  let atOther: string;

  before(async () => {
    atTeam = crypto.randomUUID();
    atOther = crypto.randomUUID();
    await admin.authorization.roleAssignments.create(groupScope('rg-team'), atTeam, { roleDefinitionId: roleId(CONTRIBUTOR), principalId: alice.objectId, principalType: 'ServicePrincipal' });
    await admin.authorization.roleAssignments.create(groupScope('rg-other'), atOther, { roleDefinitionId: roleId(READER), principalId: alice.objectId, principalType: 'ServicePrincipal' });
  });

  async function names(scope: string, filter?: string): Promise<string[]> {
    const out: string[] = [];
    for await (const a of admin.authorization.roleAssignments.listForScope(scope, filter ? { filter } : {})) out.push(a.name!);
    return out;
  }

  test('listForScope: without a filter at, above and below; atScope() at and above only', async () => {
    const adminOwner = (await names(`/subscriptions/${sub}`, `principalId eq '${server.connection.objectId}'`));
    assert.equal(adminOwner.length, 1, 'the admin holds Owner on the subscription');

    const teamAll = await names(groupScope('rg-team'));
    assert.ok(teamAll.includes(atTeam) && teamAll.includes(adminOwner[0]) && !teamAll.includes(atOther));

    const subAll = await names(`/subscriptions/${sub}`);
    assert.ok(subAll.includes(atTeam) && subAll.includes(atOther) && subAll.includes(adminOwner[0]));

    const subAtScope = await names(`/subscriptions/${sub}`, 'atScope()');
    assert.ok(subAtScope.includes(adminOwner[0]));
    assert.ok(!subAtScope.includes(atTeam) && !subAtScope.includes(atOther), 'atScope() leaves out assignments below');

    const teamAtScope = await names(groupScope('rg-team'), 'atScope()');
    assert.ok(teamAtScope.includes(atTeam) && teamAtScope.includes(adminOwner[0]) && !teamAtScope.includes(atOther));
  });

  test('listForScope with principalId eq', async () => {
    const alices = await names(`/subscriptions/${sub}`, `principalId eq '${alice.objectId}'`);
    assert.deepEqual(new Set(alices), new Set([atTeam, atOther]));
    const bobs = await names(`/subscriptions/${sub}`, `principalId eq '${bob.objectId}'`);
    assert.equal(bobs.length, 1);
    assert.deepEqual(await names(`/subscriptions/${sub}`, `principalId eq '${crypto.randomUUID()}'`), []);
  });

  test('the same principal, role and scope under another name: 409 RoleAssignmentExists', async () => {
    await assert.rejects(admin.authorization.roleAssignments.create(groupScope('rg-team'), crypto.randomUUID(), {
      roleDefinitionId: roleId(CONTRIBUTOR), principalId: alice.objectId, principalType: 'ServicePrincipal',
    }), (e: any) => {
      assert.equal(e.statusCode, 409);
      assert.equal(e.code, 'RoleAssignmentExists');
      assert.equal(e.message, 'The role assignment already exists.');
      return true;
    });
  });

  test('a name that is not a GUID: 400 InvalidRoleAssignmentId', async () => {
    await assert.rejects(admin.authorization.roleAssignments.create(groupScope('rg-team'), 'kv-role-assignment', {
      roleDefinitionId: roleId(READER), principalId: bob.objectId,
    }), (e: any) => {
      assert.equal(e.statusCode, 400);
      assert.equal(e.code, 'InvalidRoleAssignmentId');
      assert.equal(e.message, "The role assignment ID 'kv-role-assignment' is not valid. The role assignment ID must be a GUID.");
      return true;
    });
  });

  test('an unknown principal: 400 PrincipalNotFound', async () => {
    const ghost = crypto.randomUUID();
    await assert.rejects(admin.authorization.roleAssignments.create(groupScope('rg-team'), crypto.randomUUID(), {
      roleDefinitionId: roleId(READER), principalId: ghost, principalType: 'ServicePrincipal',
    }), (e: any) => {
      assert.equal(e.statusCode, 400);
      assert.equal(e.code, 'PrincipalNotFound');
      assert.ok(e.message.startsWith(`Principal ${ghost.replace(/-/g, '')} does not exist in the directory ${server.connection.tenantId}.`), e.message);
      return true;
    });
  });

  test('at the scope of a resource that does not exist: 404 ResourceNotFound', async () => {
    const scope = `${groupScope('rg-team')}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/nope`;
    await assert.rejects(admin.authorization.roleAssignments.create(scope, crypto.randomUUID(), {
      roleDefinitionId: roleId(READER), principalId: bob.objectId, principalType: 'ServicePrincipal',
    }), (e: any) => {
      assert.equal(e.statusCode, 404);
      assert.equal(e.code, 'ResourceNotFound');
      assert.equal(e.message, "The Resource 'Microsoft.ManagedIdentity/userAssignedIdentities/nope' under resource group 'rg-team' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix");
      return true;
    });
    await assert.rejects(admin.authorization.roleAssignments.create(groupScope('rg-none'), crypto.randomUUID(), {
      roleDefinitionId: roleId(READER), principalId: bob.objectId, principalType: 'ServicePrincipal',
    }), (e: any) => e.statusCode === 404 && e.code === 'ResourceGroupNotFound' && e.message === "Resource group 'rg-none' could not be found.");
  });

  test('deleting an assignment that does not exist: 204, no body', async () => {
    const token = (await server.credential().getToken('https://management.azure.com/.default')).token;
    const res = await request(`${server.connection.managementEndpoint}${groupScope('rg-team')}/providers/Microsoft.Authorization/roleAssignments/${crypto.randomUUID()}?api-version=2022-04-01`, { method: 'DELETE', token });
    assert.equal(res.status, 204);
    assert.equal(res.text, '');
    const viaSdk = await admin.authorization.roleAssignments.delete(groupScope('rg-team'), crypto.randomUUID());
    assert.equal(viaSdk.name, undefined);
  });

  test('deleting the group removes the assignments in it', async () => {
    await admin.resources.resourceGroups.createOrUpdate('rg-doomed', { location: 'westeurope' });
    const name = crypto.randomUUID();
    await admin.authorization.roleAssignments.create(groupScope('rg-doomed'), name, { roleDefinitionId: roleId(READER), principalId: bob.objectId, principalType: 'ServicePrincipal' });
    await admin.resources.resourceGroups.beginDeleteAndWait('rg-doomed', { updateIntervalInMs: 50 });
    assert.ok(!(await names(`/subscriptions/${sub}`)).includes(name));
  });
});
