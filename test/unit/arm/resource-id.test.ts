// Resource Manager path parsing: scopes, provider chains, child and extension types, actions, and the
// paths that are refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseArmPath, pathSegments, scopeAsSent, idKey } from '../../../src/arm/resource-id.js';
import { ProviderRegistry, type ResourceTypeRegistration } from '../../../src/arm/registry.js';
import { resourcesProvider } from '../../../src/arm/providers/resources.js';
import { authorizationProvider } from '../../../src/arm/providers/authorization.js';
import { RoleDefinitions } from '../../../src/authz/role-definitions.js';
import type { ArmContext } from '../../../src/arm/context.js';
import { isAzureError } from '../../../src/common/errors.js';

const S = '3f1c2a4e-5b6d-4e7f-8a9b-0c1d2e3f4a5b';
const G = 'c0ffee00-0000-4000-8000-000000000001';
const handler = async () => ({ status: 200 });
const type = (t: string, extra: Partial<ResourceTypeRegistration> = {}): ResourceTypeRegistration =>
  ({ type: t, apiVersions: ['2024-01-01'], scopes: ['resourceGroup'], get: handler, list: handler, ...extra });

const registry = new ProviderRegistry();
// The real built-in providers (their handlers are not called here)...
const ctx = { authz: { definitions: new RoleDefinitions() } } as unknown as ArmContext;
registry.register(resourcesProvider(ctx, { exportTemplate: handler }));
registry.register(authorizationProvider(ctx));
// ...and a test namespace with a child type and an action.
registry.register({
  namespace: 'Contoso.Test',
  types: [type('Contoso.Test/things', { actions: { listkeys: handler } }), type('Contoso.Test/things/parts', { scopes: ['resource'] })],
});

function refused(path: string, status: number, code: string): void {
  assert.throws(() => parseArmPath(path, registry), (e) => {
    assert.ok(isAzureError(e), String(e));
    assert.equal(e.status, status, `${path}: ${e.code} ${e.message}`);
    assert.equal(e.code, code, path);
    return true;
  }, path);
}

test('subscriptions: the collection, one subscription, a malformed id', () => {
  const list = parseArmPath('/subscriptions', registry);
  assert.equal(list.kind, 'collection');
  assert.equal(list.registration.type, 'Microsoft.Resources/subscriptions');
  const one = parseArmPath(`/subscriptions/${S}`, registry);
  assert.equal(one.kind, 'resource');
  assert.equal(one.id, `/subscriptions/${S}`);
  assert.equal(one.subscriptionId, S);
  refused('/subscriptions/not-a-guid/resourceGroups', 400, 'InvalidSubscriptionId');
});

test('resource groups: case-insensitive, canonical type casing, names as sent', () => {
  const coll = parseArmPath(`/SUBSCRIPTIONS/${S}/resourcegroups`, registry);
  assert.equal(coll.kind, 'collection');
  assert.equal(coll.registration.type, 'Microsoft.Resources/resourceGroups');
  assert.equal(coll.id, `/subscriptions/${S}/resourceGroups`);
  assert.equal(coll.scope, `/subscriptions/${S}`);
  const rg = parseArmPath(`/subscriptions/${S}/resourcegroups/My-RG/`, registry);
  assert.equal(rg.kind, 'resource');
  assert.equal(rg.id, `/subscriptions/${S}/resourceGroups/My-RG`);
  assert.equal(rg.name, 'My-RG');
  assert.equal(rg.resourceGroup, 'My-RG');
  assert.equal(rg.scopeKind, 'subscription');
  assert.equal(parseArmPath(`//subscriptions/${S}/resourceGroups/My-RG`, registry).id, rg.id, 'leading slashes collapse');
  assert.equal(parseArmPath(`/subscriptions/${S}/resourceGroups/rg%20(1)`, registry).name, 'rg (1)', 'names are percent-decoded');
});

test('generic resources list at subscription and group', () => {
  const s = parseArmPath(`/subscriptions/${S}/resources`, registry);
  assert.equal(s.registration.type, 'Microsoft.Resources/resources');
  assert.equal(s.scopeKind, 'subscription');
  const g = parseArmPath(`/subscriptions/${S}/resourceGroups/rg/resources`, registry);
  assert.equal(g.scopeKind, 'resourceGroup');
  assert.equal(g.scope, `/subscriptions/${S}/resourceGroups/rg`);
});

test('a provider resource, its collection, a child, a child collection and an action', () => {
  const base = `/subscriptions/${S}/resourceGroups/rg/providers`;
  const thing = parseArmPath(`${base}/contoso.test/THINGS/t1`, registry);
  assert.equal(thing.kind, 'resource');
  assert.equal(thing.registration.type, 'Contoso.Test/things');
  assert.equal(thing.id, `/subscriptions/${S}/resourceGroups/rg/providers/Contoso.Test/things/t1`);
  assert.equal(thing.scope, `/subscriptions/${S}/resourceGroups/rg`);
  assert.equal(thing.scopeKind, 'resourceGroup');
  assert.deepEqual(thing.names, ['t1']);

  const things = parseArmPath(`${base}/Contoso.Test/things`, registry);
  assert.equal(things.kind, 'collection');
  assert.equal(things.registration.type, 'Contoso.Test/things');
  assert.equal(things.scope, `/subscriptions/${S}/resourceGroups/rg`);

  const part = parseArmPath(`${base}/Contoso.Test/things/t1/parts/p1`, registry);
  assert.equal(part.kind, 'resource');
  assert.equal(part.registration.type, 'Contoso.Test/things/parts');
  assert.equal(part.id, `${thing.id}/parts/p1`);
  assert.equal(part.scope, thing.id, 'a child sits at its parent');
  assert.equal(part.scopeKind, 'resource');
  assert.deepEqual(part.names, ['t1', 'p1']);

  const parts = parseArmPath(`${base}/Contoso.Test/things/t1/parts`, registry);
  assert.equal(parts.kind, 'collection');
  assert.equal(parts.registration.type, 'Contoso.Test/things/parts');
  assert.equal(parts.scope, thing.id);

  const action = parseArmPath(`${base}/Contoso.Test/things/t1/listKeys`, registry);
  assert.equal(action.kind, 'action');
  assert.equal(action.action, 'listKeys');
  assert.equal(action.id, thing.id);
  assert.equal(action.registration.type, 'Contoso.Test/things');
});

test('extension resources: role assignments at the tenant, a subscription, a group and a resource', () => {
  const root = parseArmPath(`/providers/Microsoft.Authorization/roleAssignments/${G}`, registry);
  assert.equal(root.registration.type, 'Microsoft.Authorization/roleAssignments');
  assert.equal(root.scope, '');
  assert.equal(root.scopeKind, 'tenant');
  assert.equal(root.id, `/providers/Microsoft.Authorization/roleAssignments/${G}`);

  const atSub = parseArmPath(`/subscriptions/${S}/providers/microsoft.authorization/roleassignments/${G}`, registry);
  assert.equal(atSub.scope, `/subscriptions/${S}`);
  assert.equal(atSub.id, `/subscriptions/${S}/providers/Microsoft.Authorization/roleAssignments/${G}`);

  const atGroup = parseArmPath(`/subscriptions/${S}/resourceGroups/rg/providers/Microsoft.Authorization/roleAssignments`, registry);
  assert.equal(atGroup.kind, 'collection');
  assert.equal(atGroup.scope, `/subscriptions/${S}/resourceGroups/rg`);
  assert.equal(atGroup.scopeKind, 'resourceGroup');

  const thing = `/subscriptions/${S}/resourceGroups/rg/providers/Contoso.Test/things/t1`;
  const atResource = parseArmPath(`${thing.toLowerCase().replace('contoso.test', 'CONTOSO.TEST')}/providers/Microsoft.Authorization/roleAssignments/${G}`, registry);
  assert.equal(atResource.scopeKind, 'resource');
  assert.equal(atResource.scope.toLowerCase(), thing.toLowerCase());
  assert.ok(atResource.scope.includes('/providers/Contoso.Test/things/'), 'the scope uses the canonical type casing');
  assert.equal(atResource.name, G);
});

test('unknown namespaces, types and routes', () => {
  refused(`/subscriptions/${S}/resourceGroups/rg/providers/Nope.Nothing/things/x`, 404, 'InvalidResourceNamespace');
  refused(`/subscriptions/${S}/resourceGroups/rg/providers/Contoso.Test/widgets/x`, 404, 'InvalidResourceType');
  refused(`/subscriptions/${S}/resourceGroups/rg/providers/Contoso.Test/things/t1/frobnicate`, 404, 'InvalidResourceType');
  refused(`/subscriptions/${S}/resourceGroups/rg/widgets/x`, 404, 'NotFound');
  refused('/', 404, 'NotFound');
});

test('`.`, `..`, encoded slashes and backslashes, empty segments and control characters are refused', () => {
  for (const p of [
    `/subscriptions/${S}/resourceGroups/rg/../other`,
    `/subscriptions/${S}/resourceGroups/./rg`,
    `/subscriptions/${S}/resourceGroups/%2e%2E`,
    `/subscriptions/${S}/resourceGroups/a%2Fb`,
    `/subscriptions/${S}/resourceGroups/a%2fb`,
    `/subscriptions/${S}/resourceGroups/a%5Cb`,
    `/subscriptions/${S}/resourceGroups/a\\b`,
    `/subscriptions/${S}//resourceGroups/rg`,
    `/subscriptions/${S}/resourceGroups/a%00b`,
    `/subscriptions/${S}/resourceGroups/a%0Ab`,
    `/subscriptions/${S}/resourceGroups/%E0%A4%A`,
  ]) refused(p, 400, 'InvalidRequestUri');
});

test("an empty parentResourcePath after the namespace (az resource show's path) is read as none; other empty segments are refused", () => {
  assert.deepEqual(pathSegments(`/subscriptions/${S}/resourcegroups/rg/providers/Microsoft.ManagedIdentity//userAssignedIdentities/u`),
    ['subscriptions', S, 'resourcegroups', 'rg', 'providers', 'Microsoft.ManagedIdentity', 'userAssignedIdentities', 'u']);
  refused(`/subscriptions/${S}/resourceGroups/rg/providers//Microsoft.ManagedIdentity/userAssignedIdentities/u`, 400, 'InvalidRequestUri');
  refused(`/subscriptions/${S}/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities//u`, 400, 'InvalidRequestUri');
});

test('pathSegments decodes each segment once', () => {
  assert.deepEqual(pathSegments('/a/b%20c/%25/'), ['a', 'b c', '%']);
  assert.deepEqual(pathSegments('///a'), ['a']);
  assert.deepEqual(pathSegments('/'), []);
});

test('scopeAsSent echoes the request\'s own spelling of a scope', () => {
  const path = `/subscriptions/${S}/resourcegroups/My-RG/providers/microsoft.authorization/roleassignments/${G}`;
  assert.equal(scopeAsSent(path, `/subscriptions/${S}/resourceGroups/My-RG`), `/subscriptions/${S}/resourcegroups/My-RG`);
  assert.equal(scopeAsSent(`//subscriptions/${S}/resourcegroups/rg`, `/subscriptions/${S}/resourceGroups/rg`), `/subscriptions/${S}/resourcegroups/rg`);
  assert.equal(scopeAsSent(path, '/'), '/');
  assert.equal(scopeAsSent(`/subscriptions/${S}`, `/subscriptions/${S}/resourceGroups/rg`), `/subscriptions/${S}/resourceGroups/rg`, 'not a prefix: unchanged');
  assert.equal(idKey('/Subscriptions/ABC'), '/subscriptions/abc');
});
