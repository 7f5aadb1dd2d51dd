// Microsoft.KeyVault/vaults with @azure/arm-keyvault 5 (api-version 2026-02-01): validation as Azure,
// global names, soft-deleted vaults (list, get, recover with createMode recover keeping their secrets
// and vaultUri, purge), purge protection.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ResourceManagementClient } from '@azure/arm-resources';
import { startTestServer, request, type TestServer } from '../helpers/server.js';
import { ALL_PERMISSIONS, createVault, kvm, secretClient, uniqueVaultName } from '../helpers/keyvault.js';

const RG = 'kv-vaults-rg';
let server: TestServer;

before(async () => {
  server = await startTestServer();
  await new ResourceManagementClient(server.credential(), server.connection.subscriptionId, server.armOptions()).resourceGroups.createOrUpdate(RG, { location: 'westeurope' });
});
after(async () => { await server?.stop(); });

const adminPolicy = () => [{ tenantId: server.connection.tenantId, objectId: server.connection.objectId, permissions: ALL_PERMISSIONS }];

test('names: 3-24 letters, digits and hyphens, a letter first, no "--"; globally unique', async () => {
  for (const bad of ['ab', 'a'.repeat(25), '1abc', 'ab--cd', 'abc-', 'ab_cd']) {
    await assert.rejects(createVault(server, RG, bad), (e: any) => {
      assert.equal(e.statusCode, 400, bad);
      assert.equal(e.code, 'VaultNameNotValid');
      return true;
    });
  }
  const name = uniqueVaultName('kvname');
  await createVault(server, RG, name, { enableRbacAuthorization: false });
  await new ResourceManagementClient(server.credential(), server.connection.subscriptionId, server.armOptions()).resourceGroups.createOrUpdate('kv-other-rg', { location: 'westeurope' });
  await assert.rejects(createVault(server, 'kv-other-rg', name.toUpperCase()), (e: any) => {
    assert.equal(e.statusCode, 409);
    assert.equal(e.code, 'VaultAlreadyExists');
    assert.match(e.message, /^The vault name '.*' is already in use\./);
    return true;
  });
});

test('properties: validation and the irreversible switches', async () => {
  await assert.rejects(createVault(server, RG, uniqueVaultName('kvbad'), { softDeleteRetentionInDays: 3 }), (e: any) => e.statusCode === 400 && /softDeleteRetentionInDays/.test(e.message));
  const badRequest = (message: string) => (e: any) => e.statusCode === 400 && e.code === 'BadRequest' && e.message === message;
  await assert.rejects(createVault(server, RG, uniqueVaultName('kvbad'), { sku: { family: 'A', name: 'gold' as any } }),
    badRequest("The sku name 'gold' is invalid. Valid values are 'standard' and 'premium'."));
  await assert.rejects(createVault(server, RG, uniqueVaultName('kvbad'), { networkAcls: { defaultAction: 'Deny', ipRules: [{ value: 'not-an-ip' }] } }),
    badRequest("The IP rule 'not-an-ip' (properties.networkAcls.ipRules[0]) is not a valid IP address or CIDR range."));
  await assert.rejects(createVault(server, RG, uniqueVaultName('kvbad'), { accessPolicies: [{ tenantId: server.connection.tenantId, objectId: '00000000-0000-0000-0000-00000000000a', permissions: { secrets: ['fly'] as any } }] }),
    badRequest("The permission 'fly' is not valid for secrets. Valid values are: all, get, list, set, delete, backup, restore, recover, purge."));
  const name = uniqueVaultName('kvprot');
  const v = await createVault(server, RG, name, { enablePurgeProtection: true, softDeleteRetentionInDays: 7 });
  assert.equal(v.properties.enablePurgeProtection, true);
  assert.equal(v.properties.softDeleteRetentionInDays, 7);
  await assert.rejects(kvm(server).vaults.update(RG, name, { properties: { enablePurgeProtection: false } }), (e: any) => e.statusCode === 400 && /irreversible/.test(e.message));
  await assert.rejects(kvm(server).vaults.update(RG, name, { properties: { enableSoftDelete: false } }), (e: any) => e.statusCode === 400 && /irreversible/.test(e.message));
  // PATCH merges: tags and one property change, the rest stays.
  const patched = await kvm(server).vaults.update(RG, name, { tags: { team: 'a' }, properties: { enabledForDeployment: true } });
  assert.deepEqual(patched.tags, { team: 'a' });
  assert.equal(patched.properties.enabledForDeployment, true);
  assert.equal(patched.properties.enablePurgeProtection, true);
  assert.equal(patched.properties.vaultUri, v.properties.vaultUri);
});

test('a deleted vault is soft-deleted: listed, read, its name kept; recovered with its secrets and vaultUri; then purged', async () => {
  const name = uniqueVaultName('kvdel');
  const v = await createVault(server, RG, name, { enableRbacAuthorization: false, accessPolicies: adminPolicy() });
  await secretClient(v.properties.vaultUri!, server.credential()).setSecret('kept', 'survives-recovery');
  await kvm(server).vaults.delete(RG, name);
  await assert.rejects(kvm(server).vaults.get(RG, name), (e: any) => e.statusCode === 404);
  const deleted: string[] = [];
  for await (const d of kvm(server).vaults.listDeleted()) deleted.push(d.name!);
  assert.ok(deleted.includes(name));
  const d = await kvm(server).vaults.getDeleted(name, 'westeurope');
  assert.equal(d.properties?.vaultId?.toLowerCase(), v.id!.toLowerCase());
  assert.ok(d.properties!.scheduledPurgeDate! > new Date());
  // The listener is gone while the vault is deleted.
  await assert.rejects(request(`${v.properties.vaultUri}secrets?api-version=2025-07-01`));
  await assert.rejects(createVault(server, RG, name), (e: any) => e.statusCode === 409 && e.code === 'VaultAlreadyExists');

  const recovered = await kvm(server).vaults.createOrUpdate(RG, name, { location: 'westeurope', properties: { tenantId: server.connection.tenantId, sku: { family: 'A', name: 'standard' }, createMode: 'recover' } });
  assert.equal(recovered.properties.vaultUri, v.properties.vaultUri);
  assert.equal((await secretClient(v.properties.vaultUri!, server.credential()).getSecret('kept')).value, 'survives-recovery');

  await kvm(server).vaults.delete(RG, name);
  await kvm(server).vaults.purgeDeleted(name, 'westeurope');
  await assert.rejects(kvm(server).vaults.getDeleted(name, 'westeurope'), (e: any) => e.statusCode === 404);
  const again = await createVault(server, RG, name, { enableRbacAuthorization: false, accessPolicies: adminPolicy() });
  await assert.rejects(secretClient(again.properties.vaultUri!, server.credential()).getSecret('kept'), (e: any) => e.statusCode === 404, 'a purged vault keeps nothing');
});

test('purge protection refuses purging a deleted vault, and a deleted secret', async () => {
  const name = uniqueVaultName('kvpp');
  const v = await createVault(server, RG, name, { enablePurgeProtection: true, enableRbacAuthorization: false, accessPolicies: adminPolicy() });
  const secrets = secretClient(v.properties.vaultUri!, server.credential());
  await secrets.setSecret('s', 'v');
  await (await secrets.beginDeleteSecret('s')).pollUntilDone();
  await assert.rejects(secrets.purgeDeletedSecret('s'), (e: any) => {
    assert.equal(e.statusCode, 403);
    assert.match(e.message, /purge protection is enabled/);
    return true;
  });
  await kvm(server).vaults.delete(RG, name);
  await assert.rejects(kvm(server).vaults.purgeDeleted(name, 'westeurope'), (e: any) => e.statusCode === 409);
});

test('a vault without soft delete: deleting a secret purges it at once', async () => {
  const v = await createVault(server, RG, uniqueVaultName('kvnosd'), { enableSoftDelete: false, enableRbacAuthorization: false, accessPolicies: adminPolicy() });
  const secrets = secretClient(v.properties.vaultUri!, server.credential());
  const s = await secrets.setSecret('s', 'v');
  assert.equal(s.properties.recoveryLevel, 'Purgeable');
  const deleted = await (await secrets.beginDeleteSecret('s')).pollUntilDone();
  assert.equal(deleted.recoveryId, undefined);
  assert.equal((await secrets.setSecret('s', 'v2')).value, 'v2');
});
