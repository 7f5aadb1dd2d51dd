// The seed document's PowerShell steps and portal steps (managed identities of API Management),
// replayed with the command line against the real server, in the seed's order; then the identities'
// tokens through `identity env` and @azure/identity's ManagedIdentityCredential, verified with jose
// against the v1 discovery document (managed identity tokens are v1 tokens, as Azure's).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { ManagedServiceIdentityClient } from '@azure/arm-msi';
import { startTestServer, request, type TestServer } from '../helpers/server.js';
import { probeManagedIdentity } from '../helpers/mi.js';
import { runCli, cliOk } from './cli-helper.js';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const RG = 'seed-rg';
const LOCATION = 'westeurope';

let server: TestServer;
let dir: string;
let msi: ManagedServiceIdentityClient;
let jwks: ReturnType<typeof createRemoteJWKSet>;
let issuer: string;

const cli = async (...args: string[]) => (await cliOk(args, dir)).json();
const principalExists = async (objectId: string) => (await runCli(['ad', 'sp', 'show', '--id', objectId], { dataDir: dir })).code === 0;

/** `identity env` (export lines) → the variables ManagedIdentityCredential reads. */
async function identityEnv(resourceId: string): Promise<Record<string, string>> {
  const r = await cliOk(['identity', 'env', '--resource-id', resourceId], dir);
  return Object.fromEntries([...r.stdout.matchAll(/^export ([A-Z_]+)='([^']*)'$/gm)].map((m) => [m[1], m[2]]));
}

/** A verified token's claims, from ManagedIdentityCredential run with the environment of `identity env`. */
async function tokenClaims(resourceId: string, scope: string, clientId?: string): Promise<Record<string, unknown>> {
  const r = await probeManagedIdentity(await identityEnv(resourceId), scope, clientId);
  assert.ok(r.token, JSON.stringify(r.error));
  return (await jwtVerify(r.token!, jwks, { issuer })).payload;
}

before(async () => {
  server = await startTestServer();
  dir = server.dataDir;
  msi = new ManagedServiceIdentityClient(server.credential(), server.connection.subscriptionId, server.armOptions());
  const discovery = (await request(`${server.connection.authorityHost}/${server.connection.tenantId}/.well-known/openid-configuration`)).body;
  jwks = createRemoteJWKSet(new URL(discovery.jwks_uri));
  issuer = discovery.issuer;
});
after(async () => { await server?.stop(); });

let consumption: any; // consumptionskuservice, created with a system-assigned identity
let uai: any;

test('New-AzResourceGroup; New-AzApiManagement -Sku Consumption -SystemAssignedIdentity', async () => {
  // New-AzResourceGroup -Name $resourceGroupName -Location $location
  await cli('group', 'create', '-n', RG, '-l', LOCATION);
  // New-AzApiManagement -ResourceGroupName $resourceGroupName -Name consumptionskuservice -Location $location -Sku Consumption
  //   -Organization contoso -AdminEmail contoso@contoso.com -SystemAssignedIdentity
  consumption = await cli('apim', 'create', '-g', RG, '-n', 'consumptionskuservice', '-l', LOCATION, '--sku-name', 'Consumption',
    '--publisher-name', 'contoso', '--publisher-email', 'contoso@contoso.com', '--enable-managed-identity');
  assert.deepEqual(consumption.sku, { capacity: 0, name: 'Consumption' });
  // "When the instance is created, it has the following additional properties: type, tenantId, principalId"
  assert.equal(consumption.identity.type, 'SystemAssigned');
  assert.equal(consumption.identity.tenantId, server.connection.tenantId);
  assert.match(consumption.identity.principalId, GUID);
  // "Within Microsoft Entra ID, the service principal has the same name that you gave to your API Management instance."
  const sp = await cli('ad', 'sp', 'show', '--id', consumption.identity.principalId);
  assert.equal(sp.displayName, 'consumptionskuservice');
  assert.equal(sp.servicePrincipalType, 'ManagedIdentity');
  // The template's reference(.../providers/Microsoft.ManagedIdentity/Identities/default) reads the same identity.
  const sys = await msi.systemAssignedIdentities.getByScope(consumption.id);
  assert.equal(sys.principalId, consumption.identity.principalId);
});

test('Get-AzApiManagement; Set-AzApiManagement -InputObject $apimService -SystemAssignedIdentity', async () => {
  await cli('apim', 'create', '-g', RG, '-n', 'contoso-existing', '--publisher-name', 'Contoso', '--publisher-email', 'admin@contoso.com');
  // $apimService = Get-AzApiManagement -ResourceGroupName $resourceGroupName -Name $apiManagementName
  const existing = await cli('apim', 'show', '-g', RG, '-n', 'contoso-existing');
  assert.equal(existing.identity, null, 'no identity yet (Azure answers none)');
  // Set-AzApiManagement -InputObject $apimService -SystemAssignedIdentity
  const updated = await cli('apim', 'update', '-g', RG, '-n', 'contoso-existing', '--enable-managed-identity');
  assert.equal(updated.identity.type, 'SystemAssigned');
  assert.match(updated.identity.principalId, GUID);
  assert.equal(updated.gatewayUrl, existing.gatewayUrl, 'the same instance, updated');
});

test('New-AzUserAssignedIdentity; New-AzApiManagement -Sku Consumption -UserAssignedIdentity $userIdentities', async () => {
  // $userAssignedIdentity = New-AzUserAssignedIdentity -Name $userAssignedIdentityName -ResourceGroupName $resourceGroupName
  uai = await cli('identity', 'create', '-n', 'seed-uai', '-g', RG);
  assert.match(uai.principalId, GUID);
  assert.match(uai.clientId, GUID);
  // $userIdentities = @($userAssignedIdentity.Id); New-AzApiManagement ... -Sku Consumption -UserAssignedIdentity $userIdentities
  const svc = await cli('apim', 'create', '-g', RG, '-l', LOCATION, '-n', 'contoso-uai', '--publisher-name', 'contoso',
    '--publisher-email', 'admin@contoso.com', '--sku-name', 'Consumption', '--user-assigned', uai.id);
  // "When the service is created, it has the following additional properties: userAssignedIdentities {principalId, clientId}"
  assert.equal(svc.identity.type, 'UserAssigned');
  assert.deepEqual(svc.identity.userAssignedIdentities, { [uai.id]: { clientId: uai.clientId, principalId: uai.principalId } });
});

test('Set-AzApiManagement -InputObject $apimService -UserAssignedIdentity $userIdentities (an existing service)', async () => {
  const identity = await cli('apim', 'identity', 'assign', '-g', RG, '-n', 'consumptionskuservice', '--user-assigned', uai.id);
  // "An API Management instance can have both system-assigned and user-assigned identities at the same time."
  assert.equal(identity.type, 'SystemAssigned, UserAssigned');
  assert.equal(identity.principalId, consumption.identity.principalId);
  assert.deepEqual(identity.userAssignedIdentities[uai.id], { clientId: uai.clientId, principalId: uai.principalId });
});

test('the instance\'s tokens through `identity env`: the system-assigned one (oid = principalId) and the user-assigned one', async () => {
  const system = await tokenClaims(consumption.id, 'https://vault.azure.net/.default');
  assert.equal(system.oid, consumption.identity.principalId);
  assert.equal(system.sub, consumption.identity.principalId);
  assert.equal(system.aud, 'https://vault.azure.net');
  assert.equal(system.xms_mirid, consumption.id);
  const user = await tokenClaims(consumption.id, 'https://vault.azure.net/.default', uai.clientId);
  assert.equal(user.oid, uai.principalId);
  assert.equal(user.appid, uai.clientId);
  assert.equal(user.xms_mirid, uai.id);
});

test('Key Vault RBAC in the portal (IAM, Key Vault Certificate User, the managed identity) → role assignment create', async () => {
  const scope = (await cli('group', 'show', '-n', RG)).id;
  const a = await cli('role', 'assignment', 'create', '--assignee', consumption.identity.principalId, '--role', 'Key Vault Certificate User', '--scope', scope);
  assert.equal(a.principalId, consumption.identity.principalId);
  assert.equal(a.principalType, 'ServicePrincipal');
  const listed = await cli('role', 'assignment', 'list', '--assignee', consumption.identity.principalId, '--scope', scope);
  assert.deepEqual(listed.map((x: any) => x.roleDefinitionName), ['Key Vault Certificate User']);
});

test('Remove an identity: user-assigned ones individually; system-assigned off deletes its principal; then None', async () => {
  const sysOnly = await cli('apim', 'identity', 'remove', '-g', RG, '-n', 'consumptionskuservice', '--user-assigned', uai.id);
  assert.equal(sysOnly.type, 'SystemAssigned');
  assert.equal(sysOnly.userAssignedIdentities, null);
  const none = await cli('apim', 'identity', 'remove', '-g', RG, '-n', 'consumptionskuservice', '--system-assigned');
  assert.equal(none.type, 'None');
  assert.equal(none.principalId, null);
  // "Removing a system-assigned identity in this way will also delete it from Microsoft Entra ID."
  assert.equal(await principalExists(consumption.identity.principalId), false);
  // No identity, no token (and at once: a 400, not a retried 404).
  const r = await probeManagedIdentity(await identityEnv(consumption.id), 'https://vault.azure.net/.default');
  assert.ok(r.error, 'no token without an identity');
  // "To remove all identities, set the identity type to None": both at once.
  const both = await cli('apim', 'identity', 'assign', '-g', RG, '-n', 'contoso-uai', '--system-assigned');
  assert.equal(both.type, 'SystemAssigned, UserAssigned');
  const cleared = await cli('apim', 'identity', 'remove', '-g', RG, '-n', 'contoso-uai', '--system-assigned', '--user-assigned');
  assert.deepEqual(cleared, { principalId: null, tenantId: null, type: 'None', userAssignedIdentities: null });
  assert.equal((await cli('identity', 'show', '-g', RG, '-n', 'seed-uai')).principalId, uai.principalId, 'the user-assigned identity itself stays');
});

test('Portal: Managed identities > System assigned > Status On > Save, and User assigned > Add', async () => {
  // Status On again: a new principal, not the old one.
  const on = await cli('apim', 'identity', 'assign', '-g', RG, '-n', 'consumptionskuservice', '--system-assigned');
  assert.equal(on.type, 'SystemAssigned');
  assert.match(on.principalId, GUID);
  assert.notEqual(on.principalId, consumption.identity.principalId);
  // User assigned > Add > search for the identity by name > Add.
  const added = await cli('apim', 'identity', 'assign', '-g', RG, '-n', 'consumptionskuservice', '--user-assigned', 'seed-uai');
  assert.equal(added.type, 'SystemAssigned, UserAssigned');
  assert.deepEqual(Object.keys(added.userAssignedIdentities), [uai.id]);
  assert.deepEqual(await cli('apim', 'identity', 'show', '-g', RG, '-n', 'consumptionskuservice'), added);
  const t = await tokenClaims(consumption.id, 'https://management.azure.com/.default');
  assert.equal(t.oid, on.principalId);
});

test('"System-assigned identities are also automatically removed from Microsoft Entra ID when the instance is deleted"', async () => {
  const principalId = (await cli('apim', 'identity', 'show', '-g', RG, '-n', 'consumptionskuservice')).principalId;
  assert.ok(await principalExists(principalId));
  await cliOk(['apim', 'delete', '-g', RG, '-n', 'consumptionskuservice', '--yes'], dir);
  assert.equal(await principalExists(principalId), false);
  assert.ok(await principalExists(uai.principalId), 'the user-assigned identity is its own resource and stays');
});
