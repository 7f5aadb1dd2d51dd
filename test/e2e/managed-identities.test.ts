// Managed identities with the unmodified SDKs: @azure/arm-msi, @azure/arm-apimanagement, and
// @azure/identity's ManagedIdentityCredential (App Service and IMDS protocols) against the real server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ResourceManagementClient } from '@azure/arm-resources';
import { ManagedServiceIdentityClient } from '@azure/arm-msi';
import { ApiManagementClient } from '@azure/arm-apimanagement';
import { AuthorizationManagementClient } from '@azure/arm-authorization';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { startTestServer, request, type TestServer } from '../helpers/server.js';
import { identityEnv, probeManagedIdentity, countingRelay } from '../helpers/mi.js';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const READER = 'acdd72a7-3385-48ef-bd42-f606fba81ae7';
let server: TestServer;
let rm: ResourceManagementClient;
let msi: ManagedServiceIdentityClient;
let apim: ApiManagementClient;
let authz: AuthorizationManagementClient;
const RG = 'mi-rg';

const service = (extra: Record<string, unknown> = {}) => ({
  location: 'westeurope', sku: { name: 'Developer', capacity: 1 }, publisherEmail: 'admin@contoso.com', publisherName: 'Contoso', ...extra,
});

before(async () => {
  server = await startTestServer();
  const cred = server.credential();
  const sub = server.connection.subscriptionId;
  rm = new ResourceManagementClient(cred, sub, server.armOptions());
  msi = new ManagedServiceIdentityClient(cred, sub, server.armOptions());
  apim = new ApiManagementClient(cred, sub, server.armOptions());
  authz = new AuthorizationManagementClient(cred, sub, server.armOptions());
  await rm.resourceGroups.createOrUpdate(RG, { location: 'westeurope' });
});
after(async () => { await server?.stop(); });

test('user-assigned identity: create, read, list, tag, delete (with its principal)', async () => {
  const created = await msi.userAssignedIdentities.createOrUpdate(RG, 'uai-crud', { location: 'westeurope', tags: { a: '1' } });
  assert.match(created.principalId!, GUID);
  assert.match(created.clientId!, GUID);
  assert.equal(created.tenantId, server.connection.tenantId);
  assert.equal(created.type, 'Microsoft.ManagedIdentity/userAssignedIdentities');
  const again = await msi.userAssignedIdentities.createOrUpdate(RG, 'uai-crud', { location: 'westeurope' });
  assert.equal(again.principalId, created.principalId, 'a second PUT keeps the principal');
  const patched = await msi.userAssignedIdentities.update(RG, 'uai-crud', { tags: { b: '2' } });
  assert.deepEqual(patched.tags, { b: '2' });
  const inGroup: string[] = [];
  for await (const i of msi.userAssignedIdentities.listByResourceGroup(RG)) inGroup.push(i.name!);
  assert.ok(inGroup.includes('uai-crud'));
  const inSub: string[] = [];
  for await (const i of msi.userAssignedIdentities.listBySubscription()) inSub.push(i.id!);
  assert.ok(inSub.includes(created.id!));
  await msi.userAssignedIdentities.delete(RG, 'uai-crud');
  await assert.rejects(msi.userAssignedIdentities.get(RG, 'uai-crud'), (e: any) => e.statusCode === 404);
  // Its principal is gone: a role assignment to it is refused.
  await assert.rejects(authz.roleAssignments.create(`/subscriptions/${server.connection.subscriptionId}/resourceGroups/${RG}`, crypto.randomUUID(), {
    roleDefinitionId: `/subscriptions/${server.connection.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${READER}`, principalId: created.principalId!,
  }), (e: any) => e.code === 'PrincipalNotFound');
});

test('instance with SystemAssigned, UserAssigned; read back; remove one; None', async () => {
  const uai = await msi.userAssignedIdentities.createOrUpdate(RG, 'uai-apim', { location: 'westeurope' });
  const svc = await apim.apiManagementService.beginCreateOrUpdateAndWait(RG, 'apim-both', service({
    identity: { type: 'SystemAssigned, UserAssigned', userAssignedIdentities: { [uai.id!]: {} } },
  }));
  assert.equal(svc.identity!.type, 'SystemAssigned, UserAssigned');
  assert.match(svc.identity!.principalId!, GUID);
  assert.equal(svc.identity!.tenantId, server.connection.tenantId);
  const entry = svc.identity!.userAssignedIdentities![uai.id!];
  assert.deepEqual({ principalId: entry.principalId, clientId: entry.clientId }, { principalId: uai.principalId, clientId: uai.clientId });
  assert.equal(svc.provisioningState, 'Succeeded');
  assert.match(svc.gatewayUrl!, /^https:\/\/localhost:\d+$/);
  // The gatewayUrl answers as API Management does with no API.
  const gw = await request(`${svc.gatewayUrl}/anything`);
  assert.equal(gw.status, 404);
  assert.deepEqual(gw.body, { statusCode: 404, message: 'Resource not found' });

  // The seed's template reads the system-assigned identity through identities/default.
  const sys = await msi.systemAssignedIdentities.getByScope(svc.id!);
  assert.equal(sys.principalId, svc.identity!.principalId);
  assert.equal(sys.tenantId, server.connection.tenantId);
  assert.match(sys.clientId!, GUID);

  // Remove the user-assigned identity with PATCH and a null value (case-insensitive key).
  const removed = await apim.apiManagementService.beginUpdateAndWait(RG, 'apim-both', {
    identity: { type: 'SystemAssigned', userAssignedIdentities: { [uai.id!.toLowerCase()]: null as any } },
  });
  assert.equal(removed.identity!.type, 'SystemAssigned');
  assert.equal(removed.identity!.userAssignedIdentities, undefined);
  assert.equal(removed.identity!.principalId, svc.identity!.principalId, 'the system-assigned principal is kept');

  const none = await apim.apiManagementService.beginUpdateAndWait(RG, 'apim-both', { identity: { type: 'None' } });
  assert.equal(none.identity, undefined, 'an instance without identities has no identity property, as Azure answers');
  await assert.rejects(msi.systemAssignedIdentities.getByScope(svc.id!), (e: any) => e.statusCode === 404);
});

test('identity types are read case- and space-insensitively and answered as Azure spells them', async () => {
  const uai = await msi.userAssignedIdentities.createOrUpdate(RG, 'uai-types', { location: 'westeurope' });
  const token = (await server.credential().getToken('https://management.azure.com/.default')).token;
  const url = (name: string) => `${server.connection.managementEndpoint}/subscriptions/${server.connection.subscriptionId}/resourceGroups/${RG}/providers/Microsoft.ApiManagement/service/${name}?api-version=2021-08-01`;
  const put = (name: string, identity: unknown) => request(url(name), {
    method: 'PUT', token, headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ location: 'westeurope', sku: { name: 'Consumption', capacity: 0 }, properties: { publisherEmail: 'a@contoso.com', publisherName: 'c' }, identity }),
  });
  const a = await put('apim-types-a', { type: 'SystemAssigned,UserAssigned', userAssignedIdentities: { [uai.id!]: {} } });
  assert.equal(a.status, 201, a.text);
  assert.equal(a.body.identity.type, 'SystemAssigned, UserAssigned');
  const b = await put('apim-types-b', { type: 'systemAssigned' });
  assert.equal(b.status, 201, b.text);
  assert.equal(b.body.identity.type, 'SystemAssigned');
  const c = await put('apim-types-c', { type: 'Magic' });
  assert.equal(c.status, 400);
  assert.equal(c.body.error.code, 'InvalidIdentity');
});

test('an 11th user-assigned identity and a missing one are refused, and nothing changes', async () => {
  const ids: string[] = [];
  for (let i = 0; i < 11; i++) ids.push((await msi.userAssignedIdentities.createOrUpdate(RG, `uai-many-${i}`, { location: 'westeurope' })).id!);
  const eleven = Object.fromEntries(ids.map((id) => [id, {}]));
  await assert.rejects(apim.apiManagementService.beginCreateOrUpdateAndWait(RG, 'apim-many', service({ identity: { type: 'UserAssigned', userAssignedIdentities: eleven } })),
    (e: any) => { assert.equal(e.statusCode, 400); assert.match(e.message, /at most 10/); return true; });
  await assert.rejects(apim.apiManagementService.get(RG, 'apim-many'), (e: any) => e.statusCode === 404);
  const ten = Object.fromEntries(ids.slice(0, 10).map((id) => [id, {}]));
  const ok = await apim.apiManagementService.beginCreateOrUpdateAndWait(RG, 'apim-many', service({ identity: { type: 'UserAssigned', userAssignedIdentities: ten } }));
  assert.equal(Object.keys(ok.identity!.userAssignedIdentities!).length, 10);

  const missing = `/subscriptions/${server.connection.subscriptionId}/resourceGroups/${RG}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/does-not-exist`;
  await assert.rejects(apim.apiManagementService.beginCreateOrUpdateAndWait(RG, 'apim-many', service({ identity: { type: 'UserAssigned', userAssignedIdentities: { [missing]: {} } } })),
    (e: any) => { assert.equal(e.statusCode, 400); assert.equal(e.code, 'FailedIdentityOperation'); assert.match(e.message, /does-not-exist/); return true; });
  const unchanged = await apim.apiManagementService.get(RG, 'apim-many');
  assert.equal(Object.keys(unchanged.identity!.userAssignedIdentities!).length, 10);
});

test('instance validation: publisher, sku capacity, name, uniqueness', async () => {
  const reject = async (name: string, body: any, status: number, code: string) => {
    await assert.rejects(apim.apiManagementService.beginCreateOrUpdateAndWait(RG, name, body), (e: any) => {
      assert.equal(e.statusCode, status, e.message);
      assert.equal(e.code, code);
      return true;
    });
  };
  await reject('apim-cons', service({ sku: { name: 'Consumption', capacity: 1 } }), 400, 'InvalidParameters');
  await reject('apim-dev2', service({ sku: { name: 'Developer', capacity: 2 } }), 400, 'ValidationError');
  await reject('apim-badsku', service({ sku: { name: 'Gold', capacity: 1 } }), 400, 'ValidationError');
  await apim.apiManagementService.beginCreateOrUpdateAndWait(RG, 'apim-unique', service());
  await rm.resourceGroups.createOrUpdate('mi-rg-2', { location: 'westeurope' });
  await assert.rejects(apim.apiManagementService.beginCreateOrUpdateAndWait('mi-rg-2', 'APIM-UNIQUE', service()),
    (e: any) => e.statusCode === 409 && e.code === 'ServiceAlreadyExists');
  const token = (await server.credential().getToken('https://management.azure.com/.default')).token;
  const bad = await request(`${server.connection.managementEndpoint}/subscriptions/${server.connection.subscriptionId}/resourceGroups/${RG}/providers/Microsoft.ApiManagement/service/1bad-name-?api-version=2024-05-01`, {
    method: 'PUT', token, headers: { 'content-type': 'application/json' }, body: JSON.stringify(service()),
  });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error.code, 'InvalidResourceName');
  // The SDK checks publisherEmail itself, so send this one over plain HTTPS.
  const noPublisher = await request(`${server.connection.managementEndpoint}/subscriptions/${server.connection.subscriptionId}/resourceGroups/${RG}/providers/Microsoft.ApiManagement/service/apim-nopub?api-version=2024-05-01`, {
    method: 'PUT', token, headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ location: 'westeurope', sku: { name: 'Developer', capacity: 1 }, properties: { publisherName: 'x' } }),
  });
  assert.equal(noPublisher.status, 400);
  assert.equal(noPublisher.body.error.code, 'ValidationError');
  assert.equal(noPublisher.body.error.target, 'properties.publisherEmail');
  await assert.rejects(apim.apiManagementService.get(RG, 'apim-nopub'), (e: any) => e.statusCode === 404);
});

test('ManagedIdentityCredential gets tokens for the system- and a user-assigned identity, verified through discovery', async () => {
  const uai = await msi.userAssignedIdentities.createOrUpdate(RG, 'uai-token', { location: 'westeurope' });
  const svc = await apim.apiManagementService.beginCreateOrUpdateAndWait(RG, 'apim-token', service({
    identity: { type: 'SystemAssigned, UserAssigned', userAssignedIdentities: { [uai.id!]: {} } },
  }));
  const env = await identityEnv(server, svc.id!);
  const base = server.connection.authorityHost;
  const discovery = (await request(`${base}/${server.connection.tenantId}/.well-known/openid-configuration`)).body;
  const jwks = createRemoteJWKSet(new URL(discovery.jwks_uri));

  const system = await probeManagedIdentity({ IDENTITY_ENDPOINT: env.IDENTITY_ENDPOINT, IDENTITY_HEADER: env.IDENTITY_HEADER }, 'api://backend/.default');
  assert.ok(system.token, JSON.stringify(system.error));
  const { payload } = await jwtVerify(system.token!, jwks, { issuer: discovery.issuer, audience: 'api://backend' });
  assert.equal(payload.oid, svc.identity!.principalId);
  assert.equal(payload.sub, svc.identity!.principalId);
  assert.equal(payload.idtyp, 'app');
  assert.equal(payload.tid, server.connection.tenantId);
  assert.equal(payload.xms_mirid, svc.id);
  const sys = await msi.systemAssignedIdentities.getByScope(svc.id!);
  assert.equal(payload.appid, sys.clientId);

  const user = await probeManagedIdentity({ IDENTITY_ENDPOINT: env.IDENTITY_ENDPOINT, IDENTITY_HEADER: env.IDENTITY_HEADER }, 'https://vault.azure.net/.default', uai.clientId);
  assert.ok(user.token, JSON.stringify(user.error));
  const u = (await jwtVerify(user.token!, jwks, { issuer: discovery.issuer, audience: 'https://vault.azure.net' })).payload;
  assert.equal(u.oid, uai.principalId);
  assert.equal(u.appid, uai.clientId);
  assert.equal(u.xms_mirid, uai.id);

  // The IMDS protocol through AZURE_POD_IDENTITY_AUTHORITY_HOST.
  const imds = await probeManagedIdentity({ AZURE_POD_IDENTITY_AUTHORITY_HOST: env.AZURE_POD_IDENTITY_AUTHORITY_HOST }, 'https://management.azure.com/.default', uai.clientId);
  assert.ok(imds.token, JSON.stringify(imds.error));
  assert.equal((await jwtVerify(imds.token!, jwks, { issuer: discovery.issuer })).payload.oid, uai.principalId);
});

test('an identity that is not assigned fails at once (one request); a wrong header is a 401', async () => {
  const other = await msi.userAssignedIdentities.createOrUpdate(RG, 'uai-not-assigned', { location: 'westeurope' });
  const svc = await apim.apiManagementService.beginCreateOrUpdateAndWait(RG, 'apim-unassigned', service({ identity: { type: 'SystemAssigned' } }));
  const env = await identityEnv(server, svc.id!);
  const relay = await countingRelay(server.connection.managementEndpoint);
  try {
    const r = await probeManagedIdentity({ IDENTITY_ENDPOINT: `${relay.url}/msi/token`, IDENTITY_HEADER: env.IDENTITY_HEADER }, 'https://vault.azure.net/.default', other.clientId);
    assert.equal(r.token, undefined, 'no token for an identity the resource does not have');
    assert.equal(r.error?.name, 'CredentialUnavailableError');
    assert.match(r.error!.message, /Unable to load the proper Managed Identity\./);
    assert.equal(relay.count(), 1, 'the SDK made exactly one request (400, not a retried 404)');
  } finally { await relay.close(); }

  const direct = await request(`${env.IDENTITY_ENDPOINT}?api-version=2019-08-01&resource=https://vault.azure.net&client_id=${other.clientId}`, { headers: { 'x-identity-header': env.IDENTITY_HEADER } });
  assert.equal(direct.status, 400);
  assert.equal(direct.body.message, 'Unable to load the proper Managed Identity.');
  const wrong = await request(`${env.IDENTITY_ENDPOINT}?api-version=2019-08-01&resource=https://vault.azure.net`, { headers: { 'x-identity-header': env.IDENTITY_HEADER.replace(/.$/, (c) => (c === '0' ? '1' : '0')) } });
  assert.equal(wrong.status, 401);
  assert.equal(wrong.body.message, 'The identity header (secret) is missing or does not match a resource.');
  const none = await request(`${env.IDENTITY_ENDPOINT}?api-version=2019-08-01&resource=https://vault.azure.net`);
  assert.equal(none.status, 401);
  assert.equal(none.body.message, 'The identity header (secret) is missing or does not match a resource.');
});

test('a user-assigned identity with Reader on a group reads it through ARM with its token, and cannot write', async () => {
  const uai = await msi.userAssignedIdentities.createOrUpdate(RG, 'uai-reader', { location: 'westeurope' });
  await rm.resourceGroups.createOrUpdate('mi-read-target', { location: 'westeurope' });
  const scope = `/subscriptions/${server.connection.subscriptionId}/resourceGroups/mi-read-target`;
  await authz.roleAssignments.create(scope, crypto.randomUUID(), {
    roleDefinitionId: `/subscriptions/${server.connection.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${READER}`,
    principalId: uai.principalId!, principalType: 'ServicePrincipal',
  });
  const svc = await apim.apiManagementService.beginCreateOrUpdateAndWait(RG, 'apim-reader', service({ identity: { type: 'UserAssigned', userAssignedIdentities: { [uai.id!]: {} } } }));
  const env = await identityEnv(server, svc.id!);
  const t = await probeManagedIdentity({ IDENTITY_ENDPOINT: env.IDENTITY_ENDPOINT, IDENTITY_HEADER: env.IDENTITY_HEADER }, 'https://management.azure.com/.default', uai.clientId);
  assert.ok(t.token, JSON.stringify(t.error));
  const read = await request(`${server.connection.managementEndpoint}${scope}?api-version=2025-04-01`, { token: t.token });
  assert.equal(read.status, 200);
  assert.equal(read.body.name, 'mi-read-target');
  const write = await request(`${server.connection.managementEndpoint}${scope}?api-version=2025-04-01`, {
    method: 'PUT', token: t.token, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ location: 'westeurope', tags: { x: 'y' } }),
  });
  assert.equal(write.status, 403);
  assert.equal(write.body.error.code, 'AuthorizationFailed');
  assert.ok(write.body.error.message.includes(uai.principalId!));
});

test('disable and re-enable the system-assigned identity: a new principal, and old grants do not apply', async () => {
  await rm.resourceGroups.createOrUpdate('mi-cycle-target', { location: 'westeurope' });
  const scope = `/subscriptions/${server.connection.subscriptionId}/resourceGroups/mi-cycle-target`;
  const svc = await apim.apiManagementService.beginCreateOrUpdateAndWait(RG, 'apim-cycle', service({ identity: { type: 'SystemAssigned' } }));
  const first = svc.identity!.principalId!;
  await authz.roleAssignments.create(scope, crypto.randomUUID(), {
    roleDefinitionId: `/subscriptions/${server.connection.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${READER}`, principalId: first,
  });
  const env = await identityEnv(server, svc.id!);
  const before = await probeManagedIdentity({ IDENTITY_ENDPOINT: env.IDENTITY_ENDPOINT, IDENTITY_HEADER: env.IDENTITY_HEADER }, 'https://management.azure.com/.default');
  assert.equal((await request(`${server.connection.managementEndpoint}${scope}?api-version=2025-04-01`, { token: before.token })).status, 200);

  await apim.apiManagementService.beginUpdateAndWait(RG, 'apim-cycle', { identity: { type: 'None' } });
  const off = await probeManagedIdentity({ IDENTITY_ENDPOINT: env.IDENTITY_ENDPOINT, IDENTITY_HEADER: env.IDENTITY_HEADER }, 'https://management.azure.com/.default');
  assert.equal(off.token, undefined, 'no system-assigned identity, no token');
  assert.equal(off.error?.name, 'CredentialUnavailableError', JSON.stringify(off.error));
  assert.match(off.error!.message, /Identity not found: the resource has no system-assigned managed identity\./);
  // The old principal is gone from the directory.
  await assert.rejects(authz.roleAssignments.create(scope, crypto.randomUUID(), {
    roleDefinitionId: `/subscriptions/${server.connection.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${READER}`, principalId: first,
  }), (e: any) => e.code === 'PrincipalNotFound');

  const again = await apim.apiManagementService.beginUpdateAndWait(RG, 'apim-cycle', { identity: { type: 'SystemAssigned' } });
  assert.notEqual(again.identity!.principalId, first);
  const after = await probeManagedIdentity({ IDENTITY_ENDPOINT: env.IDENTITY_ENDPOINT, IDENTITY_HEADER: env.IDENTITY_HEADER }, 'https://management.azure.com/.default');
  assert.ok(after.token, JSON.stringify(after.error));
  const read = await request(`${server.connection.managementEndpoint}${scope}?api-version=2025-04-01`, { token: after.token });
  assert.equal(read.status, 403, 'the Reader role of the old principal grants nothing to the new one');
  assert.equal(read.body.error.code, 'AuthorizationFailed');
  assert.ok(read.body.error.message.includes(`with object id '${again.identity!.principalId}'`), read.body.error.message);
});

test('deleting the instance deletes its system-assigned principal and stops its gateway', async () => {
  const svc = await apim.apiManagementService.beginCreateOrUpdateAndWait(RG, 'apim-delete', service({ identity: { type: 'SystemAssigned' } }));
  await apim.apiManagementService.beginDeleteAndWait(RG, 'apim-delete');
  await assert.rejects(apim.apiManagementService.get(RG, 'apim-delete'), (e: any) => e.statusCode === 404);
  await assert.rejects(authz.roleAssignments.create(`/subscriptions/${server.connection.subscriptionId}/resourceGroups/${RG}`, crypto.randomUUID(), {
    roleDefinitionId: `/subscriptions/${server.connection.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${READER}`, principalId: svc.identity!.principalId!,
  }), (e: any) => e.code === 'PrincipalNotFound');
  await assert.rejects(fetch(`${svc.gatewayUrl}/x`));
});
