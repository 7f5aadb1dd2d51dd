// Role matching: Azure's wildcards in actions and data actions, notActions per permission block, the
// built-in roles' ids, and scope inheritance of role assignments.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RoleDefinitions } from '../../../src/authz/role-definitions.js';
import { AuthzPlane, scopeWithin, scopeKey, OWNER_ROLE_ID } from '../../../src/authz/index.js';
import { BUILT_IN_ROLES, type BuiltInRole } from '../../../src/authz/builtin-roles.js';
import { openStore } from '../../../src/store/db.js';
import { systemClock } from '../../../src/common/clock.js';

const defs = new RoleDefinitions();
const role = (name: string) => {
  const r = defs.getByName(name);
  assert.ok(r, `built-in role ${name}`);
  return r;
};

test('the built-in roles later issues need, with Azure\'s ids', () => {
  const expected: Record<string, string> = {
    Owner: '8e3af657-a8ff-443c-a75c-2fe8c4bcb635',
    Contributor: 'b24988ac-6180-42a0-ab88-20f7382dd24c',
    Reader: 'acdd72a7-3385-48ef-bd42-f606fba81ae7',
    'User Access Administrator': '18d7d88d-d35e-4fb5-a5c3-7773c20a72d9',
    'Key Vault Administrator': '00482a5a-887f-4fb3-b363-3b7fe8e74483',
    'Key Vault Secrets User': '4633458b-17de-408a-b874-0445c86b69e6',
    'Key Vault Secrets Officer': 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7',
    'Key Vault Certificate User': 'db79e9a7-68ee-4b58-9aeb-b90e7c24fcba',
    'Key Vault Certificates Officer': 'a4417e6f-fecd-4de8-b567-7b0420556985',
    'Key Vault Reader': '21090545-7ca7-4776-b22c-e363652d74d2',
    'Azure Event Hubs Data Sender': '2b629674-e913-4c01-ae53-ef4638d8f975',
    'Azure Event Hubs Data Receiver': 'a638d3c7-ab3a-418d-83e6-5f17a39d4fde',
    'Azure Event Hubs Data Owner': 'f526a384-b230-433a-b45c-95f59c4a2dec',
    'API Management Service Contributor': '312a565d-c81f-4fd8-895a-4e21e48d571c',
    'API Management Service Reader Role': '71522526-b88f-4d52-b57f-d31fc3546d0d',
  };
  for (const [name, id] of Object.entries(expected)) {
    assert.equal(role(name).role.name, id, name);
    assert.equal(defs.get(id)?.role.roleName, name);
    assert.equal(defs.get(`/subscriptions/x/providers/Microsoft.Authorization/roleDefinitions/${id.toUpperCase()}`)?.role.roleName, name, 'by full id, any case');
  }
  assert.equal(OWNER_ROLE_ID, expected.Owner);
  assert.equal(new Set(BUILT_IN_ROLES.map((r) => r.name)).size, BUILT_IN_ROLES.length, 'ids are unique');
  assert.equal(defs.get('00000000-0000-0000-0000-000000000000'), undefined);
});

test('Owner: every action, but no data action', () => {
  const owner = role('Owner');
  for (const a of ['Microsoft.Resources/subscriptions/resourceGroups/write', 'Microsoft.Authorization/roleAssignments/write', 'Anything/at/all']) assert.ok(owner.allowsAction(a), a);
  assert.equal(owner.allowsDataAction('Microsoft.KeyVault/vaults/secrets/getSecret/action'), false);
});

test('Contributor: everything but writing and deleting authorization (notActions, any case)', () => {
  const c = role('Contributor');
  assert.ok(c.allowsAction('Microsoft.Resources/subscriptions/resourceGroups/write'));
  assert.ok(c.allowsAction('Microsoft.ApiManagement/service/write'));
  assert.ok(c.allowsAction('Microsoft.Authorization/roleAssignments/read'));
  assert.equal(c.allowsAction('Microsoft.Authorization/roleAssignments/write'), false);
  assert.equal(c.allowsAction('microsoft.authorization/ROLEASSIGNMENTS/WRITE'), false);
  assert.equal(c.allowsAction('Microsoft.Authorization/roleAssignments/delete'), false);
  assert.equal(c.allowsAction('Microsoft.Authorization/elevateAccess/Action'), false);
});

test('Reader: */read matches any read, across slashes, and nothing else', () => {
  const r = role('Reader');
  assert.ok(r.allowsAction('Microsoft.Resources/subscriptions/resourceGroups/read'));
  assert.ok(r.allowsAction('microsoft.keyvault/vaults/read'));
  assert.equal(r.allowsAction('Microsoft.Resources/subscriptions/resourceGroups/write'), false);
  assert.equal(r.allowsAction('Microsoft.Resources/subscriptions/resourceGroups/readX'), false, 'anchored at the end');
  assert.equal(r.allowsAction('Microsoft.KeyVault/vaults/listKeys/action'), false);
});

test('User Access Administrator: role assignments but not resources', () => {
  const u = role('User Access Administrator');
  assert.ok(u.allowsAction('Microsoft.Authorization/roleAssignments/write'));
  assert.ok(u.allowsAction('Microsoft.Resources/subscriptions/resourceGroups/read'));
  assert.equal(u.allowsAction('Microsoft.Resources/subscriptions/resourceGroups/write'), false);
});

test('data actions: Key Vault roles', () => {
  const user = role('Key Vault Secrets User');
  assert.ok(user.allowsDataAction('Microsoft.KeyVault/vaults/secrets/getSecret/action'));
  assert.equal(user.allowsDataAction('Microsoft.KeyVault/vaults/secrets/setSecret/action'), false);
  assert.equal(user.allowsAction('Microsoft.KeyVault/vaults/secrets/getSecret/action'), false, 'a data action is not an action');
  const officer = role('Key Vault Secrets Officer');
  assert.ok(officer.allowsDataAction('Microsoft.KeyVault/vaults/secrets/setSecret/action'));
  assert.equal(officer.allowsDataAction('Microsoft.KeyVault/vaults/certificates/create/action'), false);
  const admin = role('Key Vault Administrator');
  assert.ok(admin.allowsDataAction('Microsoft.KeyVault/vaults/certificates/create/action'));
  assert.ok(admin.allowsAction('Microsoft.KeyVault/vaults/accessPolicies/read'), 'vaults/*/read');
  assert.equal(admin.allowsAction('Microsoft.KeyVault/vaults/write'), false);
});

test('wildcards are the only pattern characters; notActions apply within their own block', () => {
  const custom: BuiltInRole = {
    name: '11111111-2222-3333-4444-555555555555', roleName: 'Custom', description: '',
    permissions: [
      { actions: ['Contoso.Web/sites/*', 'Contoso.Web/a.b/read'], notActions: ['Contoso.Web/sites/*/delete'], dataActions: ['Contoso.Data/*/get/action'], notDataActions: ['Contoso.Data/secret/*'] },
      { actions: ['Contoso.Web/sites/keep/delete'], notActions: [], dataActions: [], notDataActions: [] },
    ],
  };
  const r = new RoleDefinitions([custom]).get(custom.name)!;
  assert.ok(r.allowsAction('Contoso.Web/sites/s1/write'));
  assert.equal(r.allowsAction('Contoso.Web/sites/s1/delete'), false, 'notAction of the same block');
  assert.ok(r.allowsAction('Contoso.Web/sites/keep/delete'), 'another block grants it');
  assert.ok(r.allowsAction('Contoso.Web/a.b/read'));
  assert.equal(r.allowsAction('Contoso.Web/aXb/read'), false, "'.' is literal");
  assert.equal(r.allowsAction('Contoso.Web/sites'), false);
  assert.ok(r.allowsDataAction('Contoso.Data/x/y/get/action'));
  assert.equal(r.allowsDataAction('Contoso.Data/secret/get/action'), false);
  assert.equal(r.allowsDataAction('Contoso.Data/x/put/action'), false);
});

test('scopes: an assignment applies at its scope and below, by whole segments, in any case', () => {
  const sub = '/subscriptions/s1';
  assert.ok(scopeWithin(`${sub}/resourceGroups/rg`, sub));
  assert.ok(scopeWithin(`${sub}/resourceGroups/RG/providers/X.Y/z/n`, `${sub}/resourcegroups/rg`));
  assert.ok(scopeWithin(`${sub}/resourceGroups/rg/`, `${sub}/resourceGroups/rg`));
  assert.equal(scopeWithin(`${sub}/resourceGroups/rg-a`, `${sub}/resourceGroups/rg`), false);
  assert.equal(scopeWithin(sub, `${sub}/resourceGroups/rg`), false);
  assert.ok(scopeWithin(sub, '/'));
  assert.ok(scopeWithin('/', ''));
  assert.equal(scopeKey('/Subscriptions/S1/'), '/subscriptions/s1');
});

test('AuthzPlane.isAllowed: role assignments at the scope or any parent', async () => {
  const store = await openStore({ kind: 'sqlite', file: ':memory:' });
  try {
    const authz = new AuthzPlane(store.db, systemClock);
    const p = '22222222-2222-2222-2222-222222222222';
    const rg = '/subscriptions/s1/resourceGroups/team';
    const assign = (name: string, scope: string, roleName: string) => authz.assignments.create({
      name, scope, roleDefinitionId: `/providers/Microsoft.Authorization/roleDefinitions/${role(roleName).role.name}`,
      roleDefinitionGuid: role(roleName).role.name, principalId: p, principalType: 'ServicePrincipal', createdBy: null,
    });
    assert.equal(await authz.isAllowed(p, 'Microsoft.Resources/subscriptions/resourceGroups/read', rg), false, 'nothing before an assignment');
    await assign('30000000-0000-0000-0000-000000000001', rg, 'Contributor');
    assert.ok(await authz.isAllowed(p, 'Microsoft.Resources/subscriptions/resourceGroups/write', rg));
    assert.ok(await authz.isAllowed(p, 'Contoso.Web/sites/write', `${rg}/providers/Contoso.Web/sites/s1`), 'below the scope');
    assert.ok(await authz.isAllowed(p.toUpperCase(), 'Microsoft.Resources/subscriptions/resourceGroups/read', rg.toUpperCase()), 'ids in any case');
    assert.equal(await authz.isAllowed(p, 'Microsoft.Resources/subscriptions/resourceGroups/read', '/subscriptions/s1/resourceGroups/team2'), false, 'a sibling');
    assert.equal(await authz.isAllowed(p, 'Microsoft.Resources/subscriptions/resourceGroups/write', '/subscriptions/s1'), false, 'above the scope');
    assert.equal(await authz.isAllowed(p, 'Microsoft.Authorization/roleAssignments/write', rg), false);
    assert.equal(await authz.isAllowed('33333333-3333-3333-3333-333333333333', 'Microsoft.Resources/subscriptions/resourceGroups/read', rg), false, 'another principal');
    assert.equal(await authz.isDataActionAllowed(p, 'Microsoft.KeyVault/vaults/secrets/getSecret/action', rg), false);
    await assign('30000000-0000-0000-0000-000000000002', '/subscriptions/s1', 'Key Vault Secrets User');
    assert.ok(await authz.isDataActionAllowed(p, 'Microsoft.KeyVault/vaults/secrets/getSecret/action', `${rg}/providers/Microsoft.KeyVault/vaults/v1`));
    assert.equal(await authz.isAllowed(p, 'Microsoft.Resources/subscriptions/resourceGroups/write', '/subscriptions/s1'), false, 'the data role grants no action');
    await authz.assignments.delete('30000000-0000-0000-0000-000000000001');
    assert.equal(await authz.isAllowed(p, 'Microsoft.Resources/subscriptions/resourceGroups/read', rg), false, 'gone with the assignment');
  } finally {
    await store.close();
  }
});
