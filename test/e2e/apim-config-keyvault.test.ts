// Key Vault named values with the unmodified SDKs: the secret is read as the instance's system-assigned
// identity (or a user-assigned one) through the vault's access policies; refreshSecret and the refresh
// interval pick up new versions; a versioned identifier stays put; without access, lastStatus carries
// Key Vault's 403 and the last good value is kept; the gateway serves the value in a header.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { ResourceManagementClient } from '@azure/arm-resources';
import { ManagedServiceIdentityClient } from '@azure/arm-msi';
import { ApiManagementClient, type ApiManagementServiceResource } from '@azure/arm-apimanagement';
import type { SecretClient } from '@azure/keyvault-secrets';
import { startTestServer, request, type TestServer } from '../helpers/server.js';
import { ALL_PERMISSIONS, createVault, kvm, secretClient, uniqueVaultName } from '../helpers/keyvault.js';

const RG = 'kv-nv-rg';
const SVC = 'kv-nv-apim';
let server: TestServer;
let apim: ApiManagementClient;
let secrets: SecretClient;
let vaultName: string;
let svc: ApiManagementServiceResource;
let uai: { id: string; clientId: string; principalId: string };

const READ = { secrets: ['get', 'list'] };
const adminPolicy = () => ({ tenantId: server.connection.tenantId, objectId: server.connection.objectId, permissions: ALL_PERMISSIONS });
const policyFor = (objectId: string) => ({ tenantId: server.connection.tenantId, objectId, permissions: READ });
const setPolicies = (...objectIds: string[]) => createVault(server, RG, vaultName, { enableRbacAuthorization: false, accessPolicies: [adminPolicy(), ...objectIds.map(policyFor)] });
const azureId = (name: string, version?: string) => `https://${vaultName}.vault.azure.net/secrets/${name}${version ? `/${version}` : ''}`;

before(async () => {
  // A short interval, so that the timed refresh shows within the test.
  server = await startTestServer({ args: ['--key-vault-refresh-interval', '2s'] });
  const cred = server.credential();
  const sub = server.connection.subscriptionId;
  await new ResourceManagementClient(cred, sub, server.armOptions()).resourceGroups.createOrUpdate(RG, { location: 'westeurope' });
  const u = await new ManagedServiceIdentityClient(cred, sub, server.armOptions()).userAssignedIdentities.createOrUpdate(RG, 'kv-nv-uai', { location: 'westeurope' });
  uai = { id: u.id!, clientId: u.clientId!, principalId: u.principalId! };
  apim = new ApiManagementClient(cred, sub, server.armOptions());
  svc = await apim.apiManagementService.beginCreateOrUpdateAndWait(RG, SVC, {
    location: 'westeurope', sku: { name: 'Developer', capacity: 1 }, publisherEmail: 'a@contoso.com', publisherName: 'Contoso',
    identity: { type: 'SystemAssigned, UserAssigned', userAssignedIdentities: { [uai.id]: {} } },
  });
  vaultName = uniqueVaultName('kvnv');
  const vault = await setPolicies(svc.identity!.principalId!);
  secrets = secretClient(vault.properties.vaultUri!, cred);
});
after(async () => { await server?.stop(); });

test('system-assigned: read at creation, hidden on GET, listValue, refreshSecret picks up a new version', async () => {
  await secrets.setSecret('backend-key', 'value-1');
  const nv = await apim.namedValue.beginCreateOrUpdateAndWait(RG, SVC, 'backend-key', {
    displayName: 'backend-key', secret: true, keyVault: { secretIdentifier: azureId('backend-key') },
  });
  assert.equal(nv.keyVault!.secretIdentifier, azureId('backend-key'));
  assert.equal(nv.keyVault!.identityClientId ?? null, null);
  assert.equal(nv.keyVault!.lastStatus!.code, 'Success');
  assert.ok(nv.keyVault!.lastStatus!.timeStampUtc instanceof Date);
  assert.equal(nv.value, undefined);
  assert.equal((await apim.namedValue.get(RG, SVC, 'backend-key')).value, undefined);
  assert.equal((await apim.namedValue.listValue(RG, SVC, 'backend-key')).value, 'value-1');

  await secrets.setSecret('backend-key', 'value-2');
  const refreshed = await apim.namedValue.beginRefreshSecretAndWait(RG, SVC, 'backend-key');
  assert.equal(refreshed.keyVault!.lastStatus!.code, 'Success');
  assert.equal((await apim.namedValue.listValue(RG, SVC, 'backend-key')).value, 'value-2');
});

test('without access: lastStatus has Key Vault\'s 403, the last good value is kept; access back: refreshed', async () => {
  await secrets.setSecret('revoked', 'good-value');
  await apim.namedValue.beginCreateOrUpdateAndWait(RG, SVC, 'revoked', { displayName: 'revoked', secret: true, keyVault: { secretIdentifier: azureId('revoked') } });
  await setPolicies(); // the instance's identity loses its access policy
  await secrets.setSecret('revoked', 'unreachable-value');
  const failed = await apim.namedValue.beginRefreshSecretAndWait(RG, SVC, 'revoked');
  assert.equal(failed.keyVault!.lastStatus!.code, 'Forbidden');
  assert.match(failed.keyVault!.lastStatus!.message!, /does not have secrets get permission on key vault/);
  assert.equal((await apim.namedValue.listValue(RG, SVC, 'revoked')).value, 'good-value');

  await setPolicies(svc.identity!.principalId!);
  const ok = await apim.namedValue.beginRefreshSecretAndWait(RG, SVC, 'revoked');
  assert.equal(ok.keyVault!.lastStatus!.code, 'Success');
  assert.equal((await apim.namedValue.listValue(RG, SVC, 'revoked')).value, 'unreachable-value');
});

test('user-assigned identity by client id', async () => {
  await secrets.setSecret('uai-secret', 'from-uai');
  // Only the user-assigned identity may read: the system-assigned one is not in the policies.
  await setPolicies(uai.principalId);
  const nv = await apim.namedValue.beginCreateOrUpdateAndWait(RG, SVC, 'uai-secret', {
    displayName: 'uai-secret', secret: true, keyVault: { secretIdentifier: azureId('uai-secret'), identityClientId: uai.clientId },
  });
  assert.equal(nv.keyVault!.identityClientId, uai.clientId);
  assert.equal(nv.keyVault!.lastStatus!.code, 'Success');
  assert.equal((await apim.namedValue.listValue(RG, SVC, 'uai-secret')).value, 'from-uai');
  await setPolicies(svc.identity!.principalId!);
});

test('a versioned identifier never refreshes; a versionless one refreshes on the interval', async () => {
  const v1 = await secrets.setSecret('pinned', 'pinned-1');
  await apim.namedValue.beginCreateOrUpdateAndWait(RG, SVC, 'pinned', { displayName: 'pinned', secret: true, keyVault: { secretIdentifier: azureId('pinned', v1.properties.version) } });
  await secrets.setSecret('rolling', 'rolling-1');
  await apim.namedValue.beginCreateOrUpdateAndWait(RG, SVC, 'rolling', { displayName: 'rolling', secret: true, keyVault: { secretIdentifier: azureId('rolling') } });
  await secrets.setSecret('pinned', 'pinned-2');
  await secrets.setSecret('rolling', 'rolling-2');
  let rolled = '';
  for (let i = 0; i < 40 && rolled !== 'rolling-2'; i++) {
    await sleep(250);
    rolled = (await apim.namedValue.listValue(RG, SVC, 'rolling')).value!;
  }
  assert.equal(rolled, 'rolling-2', 'the interval (2s) read the new version without refreshSecret');
  assert.equal((await apim.namedValue.listValue(RG, SVC, 'pinned')).value, 'pinned-1');
});

test('a missing secret and a missing vault show in lastStatus', async () => {
  const missing = await apim.namedValue.beginCreateOrUpdateAndWait(RG, SVC, 'missing', { displayName: 'missing', secret: true, keyVault: { secretIdentifier: azureId('does-not-exist') } });
  assert.equal(missing.keyVault!.lastStatus!.code, 'SecretNotFound');
  await assert.rejects(apim.namedValue.listValue(RG, SVC, 'missing'), (e: any) => e.statusCode === 400 && e.code === 'ValidationError'
    && e.message.startsWith('The secret could not be read from Key Vault: A secret with (name/id) does-not-exist was not found in this key vault.'));
  const noVault = await apim.namedValue.beginCreateOrUpdateAndWait(RG, SVC, 'no-vault', { displayName: 'no-vault', secret: true, keyVault: { secretIdentifier: 'https://nosuchvault1.vault.azure.net/secrets/x' } });
  assert.notEqual(noVault.keyVault!.lastStatus!.code, 'Success');
  await kvm(server).vaults.get(RG, vaultName); // the vault is still there
});

test('the gateway serves a Key Vault named value in a header, and the new value after refreshSecret', async () => {
  await secrets.setSecret('served', 'served-1');
  await apim.namedValue.beginCreateOrUpdateAndWait(RG, SVC, 'served', { displayName: 'served', secret: true, keyVault: { secretIdentifier: azureId('served') } });
  await apim.api.beginCreateOrUpdateAndWait(RG, SVC, 'kv-echo', { displayName: 'KV echo', path: 'kv', subscriptionRequired: false, protocols: ['https'] });
  await apim.apiOperation.createOrUpdate(RG, SVC, 'kv-echo', 'get', { displayName: 'Get', method: 'GET', urlTemplate: '/' });
  await apim.apiPolicy.createOrUpdate(RG, SVC, 'kv-echo', 'policy', {
    format: 'rawxml',
    value: '<policies><inbound><return-response><set-status code="200" reason="OK" /><set-header name="x-secret" exists-action="override"><value>{{served}}</value></set-header></return-response></inbound><backend /><outbound /><on-error /></policies>',
  });
  const call = async () => (await request(`${svc.gatewayUrl}/kv/`)).headers.get('x-secret');
  assert.equal(await call(), 'served-1');
  await secrets.setSecret('served', 'served-2');
  await apim.namedValue.beginRefreshSecretAndWait(RG, SVC, 'served');
  let seen = await call();
  for (let i = 0; i < 20 && seen !== 'served-2'; i++) { await sleep(100); seen = await call(); }
  assert.equal(seen, 'served-2');

  // Access removed: the refresh fails with Key Vault's 403 and the gateway keeps serving the last good value.
  await setPolicies();
  try {
    await secrets.setSecret('served', 'served-3');
    const failed = await apim.namedValue.beginRefreshSecretAndWait(RG, SVC, 'served');
    assert.equal(failed.keyVault!.lastStatus!.code, 'Forbidden');
    await sleep(300);
    assert.equal(await call(), 'served-2');
  } finally {
    await setPolicies(svc.identity!.principalId!);
  }
});
