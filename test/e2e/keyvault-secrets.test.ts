// Key Vault secrets with the unmodified @azure/keyvault-secrets and @azure/arm-keyvault, as the admin
// application: the vault's ARM resource, the challenge, set/get/list/versions/update/delete/recover/
// purge/backup/restore, soft delete's name reuse rule, bad input, and no secret in clear on disk. The
// vault across a restart is in restart.test.ts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ResourceManagementClient } from '@azure/arm-resources';
import type { SecretClient } from '@azure/keyvault-secrets';
import { startTestServer, request, type TestServer } from '../helpers/server.js';
import { ALL_PERMISSIONS, createVault, kvm, secretClient, uniqueVaultName } from '../helpers/keyvault.js';

const RG = 'kv-secrets-rg';
let server: TestServer;
let vaultUri: string;
let vaultName: string;
let secrets: SecretClient;
const SECRET_VALUES: string[] = [];

before(async () => {
  server = await startTestServer();
  await new ResourceManagementClient(server.credential(), server.connection.subscriptionId, server.armOptions()).resourceGroups.createOrUpdate(RG, { location: 'westeurope' });
  vaultName = uniqueVaultName('kvsec');
  const vault = await createVault(server, RG, vaultName, {
    enableRbacAuthorization: false,
    accessPolicies: [{ tenantId: server.connection.tenantId, objectId: server.connection.objectId, permissions: ALL_PERMISSIONS }],
  });
  vaultUri = vault.properties.vaultUri!;
  secrets = secretClient(vaultUri, server.credential());
});
after(async () => { await server?.stop(); });

test('the vault resource: Azure defaults, a vaultUri on this machine', async () => {
  const v = await kvm(server).vaults.get(RG, vaultName);
  assert.match(v.properties.vaultUri!, /^https:\/\/localhost:\d+\/$/);
  assert.equal(v.properties.provisioningState, 'Succeeded');
  assert.equal(v.properties.enableSoftDelete, true);
  assert.equal(v.properties.softDeleteRetentionInDays, 90);
  assert.equal(v.properties.enableRbacAuthorization, false);
  assert.equal(v.properties.tenantId, server.connection.tenantId);
  assert.deepEqual(v.properties.sku, { family: 'A', name: 'standard' });
  assert.equal(v.properties.accessPolicies?.length, 1);
  const listed: string[] = [];
  for await (const x of kvm(server).vaults.list()) listed.push(x.name!);
  assert.ok(listed.includes(vaultName), 'vaults.list (the generic resources list) shows it');
  const inGroup: string[] = [];
  for await (const x of kvm(server).vaults.listByResourceGroup(RG)) inGroup.push(x.name!);
  assert.deepEqual(inGroup.includes(vaultName), true);
});

test('a request without a token gets the challenge before its body is read', async () => {
  const r = await request(`${vaultUri}secrets/x?api-version=2025-07-01`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"value":"v"}' });
  assert.equal(r.status, 401);
  assert.equal(r.body.error.code, 'Unauthorized');
  assert.equal(r.headers.get('www-authenticate'), `Bearer authorization="${server.connection.authorityHost}/${server.connection.tenantId}", resource="https://vault.azure.net"`);
  // A token for another audience (ARM) is refused.
  const arm = (await server.credential().getToken('https://management.azure.com/.default')).token;
  const r2 = await request(`${vaultUri}secrets?api-version=2025-07-01`, { token: arm });
  assert.equal(r2.status, 401);
  assert.match(r2.body.error.message, /Invalid audience/);
  // The api-version key may arrive percent-encoded.
  const kv = (await server.credential().getToken('https://vault.azure.net/.default')).token;
  const r3 = await request(`${vaultUri}secrets?api%2Dversion=7.4`, { token: kv });
  assert.equal(r3.status, 200, r3.text);
  assert.ok(Array.isArray(r3.body.value));
});

test('set, get (latest and by version), list, versions, update', async () => {
  const v1 = await secrets.setSecret('db-password', 'first-value-3f9a', { contentType: 'text/plain', tags: { env: 'dev' } });
  SECRET_VALUES.push('first-value-3f9a');
  assert.equal(v1.value, 'first-value-3f9a');
  assert.match(v1.properties.version!, /^[0-9a-f]{32}$/);
  assert.equal(v1.properties.vaultUrl, vaultUri.replace(/\/$/, ''));
  assert.equal(v1.properties.recoveryLevel, 'Recoverable+Purgeable');
  assert.equal(v1.properties.recoverableDays, 90);
  const v2 = await secrets.setSecret('db-password', 'second-value-77c1');
  SECRET_VALUES.push('second-value-77c1');
  assert.equal((await secrets.getSecret('db-password')).value, 'second-value-77c1');
  assert.equal((await secrets.getSecret('db-password', { version: v1.properties.version })).value, 'first-value-3f9a');
  const names: string[] = [];
  for await (const p of secrets.listPropertiesOfSecrets()) names.push(p.name);
  assert.ok(names.includes('db-password'));
  const versions: string[] = [];
  for await (const p of secrets.listPropertiesOfSecretVersions('db-password')) versions.push(p.version!);
  assert.deepEqual(versions.sort(), [v1.properties.version!, v2.properties.version!].sort());
  const updated = await secrets.updateSecretProperties('db-password', v2.properties.version!, { tags: { rotated: 'yes' }, contentType: 'text/x' });
  assert.deepEqual(updated.tags, { rotated: 'yes' });
  assert.equal(updated.contentType, 'text/x');
  // Paging: maxresults 1 walks every secret with nextLink.
  await secrets.setSecret('other-secret', 'other-value-0b2e');
  SECRET_VALUES.push('other-value-0b2e');
  let pages = 0;
  const all: string[] = [];
  for await (const page of secrets.listPropertiesOfSecrets().byPage({ maxPageSize: 1 })) { pages++; all.push(...page.map((p) => p.name)); }
  assert.ok(pages >= 2);
  assert.ok(all.includes('db-password') && all.includes('other-secret'));
});

test('delete, get deleted, the name cannot be reused (409), recover, delete again, purge', async () => {
  await secrets.setSecret('to-delete', 'delete-me-51aa');
  SECRET_VALUES.push('delete-me-51aa');
  const poller = await secrets.beginDeleteSecret('to-delete');
  const deleted = await poller.pollUntilDone();
  assert.equal(deleted.name, 'to-delete');
  assert.equal(deleted.recoveryId, `${vaultUri}deletedsecrets/to-delete`);
  assert.ok(deleted.deletedOn instanceof Date);
  await assert.rejects(secrets.getSecret('to-delete'), (e: any) => e.statusCode === 404 && e.code === 'SecretNotFound');
  const listed: string[] = [];
  for await (const d of secrets.listDeletedSecrets()) listed.push(d.name);
  assert.ok(listed.includes('to-delete'));
  await assert.rejects(secrets.setSecret('to-delete', 'again'), (e: any) => {
    assert.equal(e.statusCode, 409);
    assert.match(e.message, /is currently in a deleted but recoverable state, and its name cannot be reused/);
    return true;
  });
  const recovered = await (await secrets.beginRecoverDeletedSecret('to-delete')).pollUntilDone();
  assert.equal(recovered.name, 'to-delete');
  assert.equal((await secrets.getSecret('to-delete')).value, 'delete-me-51aa');
  await (await secrets.beginDeleteSecret('to-delete')).pollUntilDone();
  await secrets.purgeDeletedSecret('to-delete');
  await assert.rejects(secrets.getDeletedSecret('to-delete'), (e: any) => e.statusCode === 404);
  const again = await secrets.setSecret('to-delete', 'reused-after-purge');
  assert.equal(again.value, 'reused-after-purge');
});

test('backup and restore bring back every version', async () => {
  await secrets.setSecret('backed-up', 'backup-v1-93de');
  await secrets.setSecret('backed-up', 'backup-v2-11fa');
  SECRET_VALUES.push('backup-v1-93de', 'backup-v2-11fa');
  const blob = await secrets.backupSecret('backed-up');
  assert.ok(blob && blob.length > 0);
  assert.ok(!Buffer.from(blob!).toString('latin1').includes('backup-v1-93de'), 'the backup is opaque');
  await (await secrets.beginDeleteSecret('backed-up')).pollUntilDone();
  await secrets.purgeDeletedSecret('backed-up');
  const restored = await secrets.restoreSecretBackup(blob!);
  assert.equal(restored.name, 'backed-up');
  assert.equal((await secrets.getSecret('backed-up')).value, 'backup-v2-11fa');
  let n = 0;
  for await (const _ of secrets.listPropertiesOfSecretVersions('backed-up')) n++;
  assert.equal(n, 2);
  await assert.rejects(secrets.restoreSecretBackup(blob!), (e: any) => e.statusCode === 409);
});

test('bad input: over 25 KB, invalid names; a clear error and nothing stored', async () => {
  await assert.rejects(secrets.setSecret('too-big', 'x'.repeat(25_601)), (e: any) => {
    assert.equal(e.statusCode, 400);
    assert.equal(e.code, 'BadParameter');
    assert.match(e.message, /maximum permitted length of 25600/);
    return true;
  });
  await assert.rejects(secrets.getSecret('too-big'), (e: any) => e.statusCode === 404);
  const ok = await secrets.setSecret('exactly-max', 'y'.repeat(25_600));
  assert.equal(ok.value!.length, 25_600);
  for (const bad of ['bad_name', 'a'.repeat(128), 'dots.not.allowed']) {
    await assert.rejects(secrets.setSecret(bad, 'v'), (e: any) => {
      assert.equal(e.statusCode, 400, bad);
      assert.match(e.message, /invalid name/);
      return true;
    });
  }
  const kv = (await server.credential().getToken('https://vault.azure.net/.default')).token;
  const noValue = await request(`${vaultUri}secrets/novalue?api-version=2025-07-01`, { method: 'PUT', token: kv, headers: { 'content-type': 'application/json' }, body: '{"contentType":"x"}' });
  assert.equal(noValue.status, 400);
  assert.deepEqual(noValue.body, { error: { code: 'BadParameter', message: "Property 'value' is required." } });
  const notJson = await request(`${vaultUri}secrets/novalue?api-version=2025-07-01`, { method: 'PUT', token: kv, headers: { 'content-type': 'application/json' }, body: '{oops' });
  assert.equal(notJson.status, 400);
  assert.equal(notJson.body.error.code, 'BadParameter');
  assert.match(notJson.body.error.message, /^The request body is not valid JSON: /);
  const badVersion = await request(`${vaultUri}secrets?api-version=1.0`, { token: kv });
  assert.equal(badVersion.status, 400);
  assert.equal(badVersion.body.error.code, 'BadParameter');
  const names: string[] = [];
  for await (const p of secrets.listPropertiesOfSecrets()) names.push(p.name);
  assert.ok(!names.includes('novalue') && !names.includes('too-big'));
});

// The restart (the vault keeps its port and its secrets) is in restart.test.ts.
test('the SQLite file holds no secret value in clear', async () => {
  // A committed write is in the database file or in its write-ahead log: read both.
  const dbFile = path.join(server.dataDir, 'apim-local.db');
  const bytes = Buffer.concat([dbFile, `${dbFile}-wal`].filter((f) => fs.existsSync(f)).map((f) => fs.readFileSync(f)));
  assert.ok(bytes.length > 0);
  assert.ok(SECRET_VALUES.length > 0);
  for (const v of SECRET_VALUES) assert.equal(bytes.indexOf(Buffer.from(v)), -1, `'${v}' is in clear in the database`);
  assert.notEqual(bytes.indexOf(Buffer.from('db-password')), -1, 'the secret names are there (the search works)');
  // The values are still there to read: the search above looked at the stored rows.
  assert.equal((await secrets.getSecret('db-password')).value, 'second-value-77c1');
});
