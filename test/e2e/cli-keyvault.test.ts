// The command line's vault commands against the real server: `keyvault create|show|list|update|delete|
// list-deleted|show-deleted|recover|purge`, `set-policy|delete-policy` (checked on the data plane as a
// managed identity: an API Management instance's system-assigned identity, through the real
// ManagedIdentityCredential), and the firewall: with Deny + AzureServices the admin's `secret show` from
// 127.0.0.1 is refused (ForbiddenByFirewall) until `keyvault network-rule add --ip-address 127.0.0.1`.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ApiManagementClient } from '@azure/arm-apimanagement';
import { startTestServer, request, type TestServer } from '../helpers/server.js';
import { identityEnv, probeManagedIdentity } from '../helpers/mi.js';
import { kvm, secretClient, uniqueVaultName } from '../helpers/keyvault.js';
import { runCli, cliOk } from './cli-helper.js';

const RG = 'cli-kv-rg';
let server: TestServer;
let dir: string;
let sub: string;
const policyVault = uniqueVaultName('clikv');

const kv = (args: string[]) => cliOk(['keyvault', ...args], dir);
const kvRun = (args: string[]) => runCli(['keyvault', ...args], { dataDir: dir });

/** Exit 1, nothing on stdout, Azure's code (and Key Vault's inner error code) on stderr. */
function assertAzureError(r: { code: number | null; stdout: string; stderr: string }, code: string, inner?: string): void {
  assert.equal(r.code, 1, r.stderr);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, new RegExp(`^ERROR: \\(${code}\\) `), r.stderr);
  assert.match(r.stderr, new RegExp(`\nCode: ${code}\n`));
  if (inner) assert.match(r.stderr, new RegExp(`\nInner error: \\{\n {4}"code": "${inner}"\n\\}\n$`), r.stderr);
}

before(async () => {
  server = await startTestServer();
  dir = server.dataDir;
  sub = server.connection.subscriptionId;
  await cliOk(['group', 'create', '-n', RG, '-l', 'westeurope'], dir);
});
after(async () => { await server?.stop(); });

describe('keyvault create, show, list, update', () => {
  test('create without RBAC gives the signed-in identity an access policy with every permission; az\'s Vault shape', async () => {
    const r = await kv(['create', '-g', RG, '-n', policyVault, '--enable-rbac-authorization', 'false', '--tags', 'env=dev']);
    const v = r.json();
    assert.deepEqual(Object.keys(v), ['id', 'location', 'name', 'properties', 'resourceGroup', 'systemData', 'tags', 'type']);
    assert.equal(v.id, `/subscriptions/${sub}/resourceGroups/${RG}/providers/Microsoft.KeyVault/vaults/${policyVault}`);
    assert.equal(v.location, 'westeurope', "the resource group's location");
    assert.equal(v.resourceGroup, RG);
    assert.deepEqual(v.tags, { env: 'dev' });
    const p = v.properties;
    assert.deepEqual(p.accessPolicies, [{
      applicationId: null, objectId: server.connection.objectId, tenantId: server.connection.tenantId,
      permissions: { certificates: ['all'], keys: ['all'], secrets: ['all'], storage: ['all'] },
    }]);
    assert.equal(p.enableRbacAuthorization, false);
    assert.equal(p.enableSoftDelete, true);
    assert.equal(p.softDeleteRetentionInDays, 90);
    assert.equal(p.enablePurgeProtection, null);
    assert.deepEqual(p.networkAcls, { bypass: 'AzureServices', defaultAction: 'Allow', ipRules: [], virtualNetworkRules: [] });
    assert.deepEqual(p.sku, { family: 'A', name: 'standard' });
    assert.match(p.vaultUri, /^https:\/\/localhost:\d+\/$/);
    assert.equal(p.provisioningState, 'Succeeded');
    // The vault works for the admin at once, through the SDK.
    await secretClient(p.vaultUri, server.credential()).setSecret('probe', 'x');
  });

  test('create defaults to Azure RBAC (as az does): no access policies; set-policy is refused there', async () => {
    const name = uniqueVaultName('clirbac');
    const v = (await kv(['create', '-g', RG, '-n', name, '-l', 'eastus', '--retention-days', '7'])).json();
    assert.equal(v.properties.enableRbacAuthorization, true);
    assert.deepEqual(v.properties.accessPolicies, []);
    assert.equal(v.location, 'eastus');
    assert.equal(v.properties.softDeleteRetentionInDays, 7);
    const r = await kvRun(['set-policy', '-n', name, '--object-id', server.connection.objectId, '--secret-permissions', 'get']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^ERROR: Cannot set policies to a vault with '--enable-rbac-authorization' specified\n$/);
  });

  test('create refuses an existing vault, and Azure\'s invalid names', async () => {
    const again = await kvRun(['create', '-g', RG, '-n', policyVault]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, new RegExp(`^ERROR: The specified vault: ${policyVault} already exists`));
    assertAzureError(await kvRun(['create', '-g', RG, '-n', 'a--b']), 'VaultNameNotValid');
    const usage = await kvRun(['create', '-n', 'no-group-given']);
    assert.equal(usage.code, 2, 'a missing -g is a usage error');
  });

  test('show finds the vault without -g; list by group (full vaults) and by subscription (resources)', async () => {
    const shown = (await kv(['show', '-n', policyVault])).json();
    assert.equal(shown.name, policyVault);
    assert.equal((await kv(['show', '-n', policyVault, '-g', RG, '--query', 'properties.enableRbacAuthorization'])).stdout, 'false\n');
    const inGroup = (await kv(['list', '-g', RG])).json();
    assert.equal(inGroup.length, 2);
    assert.ok(inGroup.every((v: any) => v.properties.vaultUri));
    const all = (await kv(['list'])).json();
    const mine = all.find((v: any) => v.name === policyVault);
    assert.deepEqual(Object.keys(mine), ['id', 'location', 'name', 'resourceGroup', 'tags', 'type']);
    assert.equal(mine.type, 'Microsoft.KeyVault/vaults');
    const missing = await kvRun(['show', '-n', 'no-such-vault']);
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, "ERROR: The Vault 'no-such-vault' not found within subscription.\n");
    assertAzureError(await kvRun(['show', '-n', 'no-such-vault', '-g', RG]), 'ResourceNotFound');
  });

  test('update switches the permission model and the firewall; the SDK sees the change', async () => {
    const name = uniqueVaultName('cliupd');
    await kv(['create', '-g', RG, '-n', name, '--enable-rbac-authorization', 'false']);
    const updated = (await kv(['update', '-n', name, '--enable-rbac-authorization', 'true', '--default-action', 'deny', '--bypass', 'None'])).json();
    assert.equal(updated.properties.enableRbacAuthorization, true);
    assert.deepEqual(updated.properties.networkAcls, { bypass: 'None', defaultAction: 'Deny', ipRules: [], virtualNetworkRules: [] });
    const got = await kvm(server).vaults.get(RG, name);
    assert.equal(got.properties.enableRbacAuthorization, true);
    assert.equal(got.properties.networkAcls?.defaultAction, 'Deny');
    const purge = (await kv(['update', '-n', name, '--enable-purge-protection', '--default-action', 'Allow'])).json();
    assert.equal(purge.properties.enablePurgeProtection, true);
    assert.equal(purge.properties.networkAcls.bypass, 'None', 'only the given firewall setting changes');
    assertAzureError(await kvRun(['update', '-n', name, '--enable-purge-protection', 'false']), 'BadRequest');
    const bad = await kvRun(['update', '-n', name, '--default-action', 'Maybe']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /argument --default-action: invalid choice: 'Maybe' \(choose from 'Allow', 'Deny'\)/);
  });
});

describe('keyvault set-policy and delete-policy, checked as a managed identity', () => {
  let vaultUri: string;
  let principalId: string;
  let appId: string;
  let miToken: string;

  before(async () => {
    vaultUri = (await kv(['show', '-n', policyVault, '--query', 'properties.vaultUri', '-o', 'tsv'])).stdout.trim();
    await kv(['secret', 'set', '--vault-name', policyVault, '-n', 'for-the-identity', '--value', 'mi-can-read-me']);
    const svc = await new ApiManagementClient(server.credential(), sub, server.armOptions()).apiManagementService.beginCreateOrUpdateAndWait(RG, 'cli-kv-apim', {
      location: 'westeurope', sku: { name: 'Developer', capacity: 1 }, publisherEmail: 'admin@contoso.com', publisherName: 'Contoso',
      identity: { type: 'SystemAssigned' },
    });
    principalId = svc.identity!.principalId!;
    appId = (await cliOk(['ad', 'sp', 'show', '--id', principalId, '--query', 'appId', '-o', 'tsv'], dir)).stdout.trim();
    const env = await identityEnv(server, svc.id!);
    const probe = await probeManagedIdentity({ IDENTITY_ENDPOINT: env.IDENTITY_ENDPOINT, IDENTITY_HEADER: env.IDENTITY_HEADER }, 'https://vault.azure.net/.default');
    assert.ok(probe.token, JSON.stringify(probe.error));
    miToken = probe.token!;
  });

  const asIdentity = (path: string) => request(`${vaultUri}${path}${path.includes('?') ? '&' : '?'}api-version=7.5`, { token: miToken });

  test('without a policy the identity is refused (403 AccessDenied)', async () => {
    const r = await asIdentity('secrets/for-the-identity/');
    assert.equal(r.status, 403);
    assert.equal(r.body.error.innererror.code, 'AccessDenied');
    assert.match(r.body.error.message, new RegExp(`oid=${principalId};.*does not have secrets get permission`));
  });

  test('set-policy --object-id with Get and List on secrets: the identity reads and lists', async () => {
    const r = await kv(['set-policy', '-n', policyVault, '--object-id', principalId, '--secret-permissions', 'get', 'List', 'get']);
    const entry = r.json().properties.accessPolicies.find((p: any) => p.objectId === principalId);
    assert.deepEqual(entry, {
      applicationId: null, objectId: principalId, tenantId: server.connection.tenantId,
      permissions: { certificates: null, keys: null, secrets: ['get', 'list'], storage: null },
    });
    const got = await asIdentity('secrets/for-the-identity/');
    assert.equal(got.status, 200, got.text);
    assert.equal(got.body.value, 'mi-can-read-me');
    const listed = await asIdentity('secrets');
    assert.equal(listed.status, 200);
    assert.ok(listed.body.value.some((s: any) => s.id.endsWith('/secrets/for-the-identity')));
    // Get and List only: setting a secret is still refused.
    const set = await request(`${vaultUri}secrets/nope?api-version=7.5`, { method: 'PUT', token: miToken, headers: { 'content-type': 'application/json' }, body: '{"value":"x"}' });
    assert.equal(set.status, 403);
    assert.match(set.body.error.message, /does not have secrets set permission/);
  });

  test('set-policy on an existing policy replaces only the given permission families (--spn: its appId)', async () => {
    const r = await kv(['set-policy', '-n', policyVault, '--spn', appId, '--certificate-permissions', 'get']);
    const entry = r.json().properties.accessPolicies.find((p: any) => p.objectId === principalId);
    assert.deepEqual(entry.permissions, { certificates: ['get'], keys: null, secrets: ['get', 'list'], storage: null });
    assert.equal(r.json().properties.accessPolicies.length, 2, 'the admin\'s policy stays');
  });

  test('delete-policy removes it: the identity is refused again; a second delete finds nothing', async () => {
    const r = await kv(['delete-policy', '-n', policyVault, '--spn', appId, '--query', 'properties.accessPolicies[].objectId']);
    assert.deepEqual(r.json(), [server.connection.objectId]);
    const got = await asIdentity('secrets/for-the-identity/');
    assert.equal(got.status, 403);
    assert.equal(got.body.error.innererror.code, 'AccessDenied');
    const again = await kvRun(['delete-policy', '-n', policyVault, '--object-id', principalId]);
    assert.equal(again.code, 1);
    assert.equal(again.stderr, 'ERROR: No matching policies found\n');
  });

  test('usage errors: one principal, at least one permission family, valid permission names', async () => {
    for (const [args, message] of [
      [['set-policy', '-n', policyVault, '--secret-permissions', 'get'], /specify exactly one: --object-id, --spn, --upn/],
      [['set-policy', '-n', policyVault, '--object-id', principalId, '--spn', appId, '--secret-permissions', 'get'], /specify exactly one/],
      [['set-policy', '-n', policyVault, '--object-id', principalId], /specify at least one: --key-permissions, --secret-permissions/],
      [['set-policy', '-n', policyVault, '--object-id', principalId, '--secret-permissions', 'fly'], /argument --secret-permissions: invalid choice: 'fly'/],
    ] as const) {
      const r = await kvRun([...args]);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
    }
    const unknown = await kvRun(['set-policy', '-n', policyVault, '--spn', '00000000-0000-0000-0000-000000000000', '--secret-permissions', 'get']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /WARNING: Unable to find user with spn '00000000-0000-0000-0000-000000000000'\nERROR: Unable to get object id from principal name\.\n/);
  });
});

describe('keyvault network-rule and the firewall', () => {
  const fwVault = uniqueVaultName('clifw');

  test('Deny + AzureServices: the admin\'s secret show from 127.0.0.1 fails with ForbiddenByFirewall until network-rule add', async () => {
    const created = (await kv(['create', '-g', RG, '-n', fwVault, '--enable-rbac-authorization', 'false', '--default-action', 'Deny', '--bypass', 'AzureServices'])).json();
    assert.deepEqual(created.properties.networkAcls, { bypass: 'AzureServices', defaultAction: 'Deny', ipRules: [], virtualNetworkRules: [] });

    const refused = await kvRun(['secret', 'show', '--vault-name', fwVault, '-n', 'guarded']);
    assertAzureError(refused, 'Forbidden', 'ForbiddenByFirewall');
    assert.match(refused.stderr, /Client address is not authorized and caller is not a trusted service\.\r?\nClient address: 127\.0\.0\.1/);
    assert.match(refused.stderr, new RegExp(`oid=${server.connection.objectId}`));
    assertAzureError(await kvRun(['secret', 'set', '--vault-name', fwVault, '-n', 'guarded', '--value', 'v']), 'Forbidden', 'ForbiddenByFirewall');

    const added = (await kv(['network-rule', 'add', '-n', fwVault, '--ip-address', '127.0.0.1'])).json();
    assert.deepEqual(added.properties.networkAcls.ipRules, [{ value: '127.0.0.1/32' }]);
    assert.equal(added.properties.networkAcls.defaultAction, 'Deny');
    await kv(['secret', 'set', '--vault-name', fwVault, '-n', 'guarded', '--value', 'behind-the-firewall']);
    const shown = await kv(['secret', 'show', '--vault-name', fwVault, '-n', 'guarded', '--query', 'value', '-o', 'tsv']);
    assert.equal(shown.stdout, 'behind-the-firewall\n');
  });

  test('network-rule add skips an address already covered; list shows the rules; remove closes the firewall again', async () => {
    const dup = await kv(['network-rule', 'add', '-n', fwVault, '--ip-address', '127.0.0.1', '10.1.0.0/16']);
    assert.match(dup.stderr, /WARNING: IP\/CIDR 127\.0\.0\.1 overlaps with 127\.0\.0\.1\/32, which exists already\. Not adding duplicates\./);
    assert.deepEqual(dup.json().properties.networkAcls.ipRules, [{ value: '127.0.0.1/32' }, { value: '10.1.0.0/16' }]);
    const listed = (await kv(['network-rule', 'list', '-n', fwVault, '-g', RG])).json();
    assert.deepEqual(listed, {
      bypass: 'AzureServices', defaultAction: 'Deny', ipRules: [{ value: '127.0.0.1/32' }, { value: '10.1.0.0/16' }], virtualNetworkRules: [],
    });
    const sdkView = await kvm(server).vaults.get(RG, fwVault);
    assert.deepEqual(sdkView.properties.networkAcls?.ipRules, [{ value: '127.0.0.1/32' }, { value: '10.1.0.0/16' }]);

    const removed = (await kv(['network-rule', 'remove', '-n', fwVault, '--ip-address', '127.0.0.1'])).json();
    assert.deepEqual(removed.properties.networkAcls.ipRules, [{ value: '10.1.0.0/16' }]);
    assertAzureError(await kvRun(['secret', 'show', '--vault-name', fwVault, '-n', 'guarded']), 'Forbidden', 'ForbiddenByFirewall');
    const opened = (await kv(['update', '-n', fwVault, '--default-action', 'Allow'])).json();
    assert.equal(opened.properties.networkAcls.defaultAction, 'Allow');
    assert.deepEqual(opened.properties.networkAcls.ipRules, [{ value: '10.1.0.0/16' }], 'update keeps the rules');
    assert.equal((await kv(['secret', 'show', '--vault-name', fwVault, '-n', 'guarded', '--query', 'value'])).json(), 'behind-the-firewall');
  });

  test('bad addresses and overlapping arguments are refused before any change', async () => {
    const hostBits = await kvRun(['network-rule', 'add', '-n', fwVault, '--ip-address', '10.0.0.1/8']);
    assert.equal(hostBits.code, 1);
    assert.equal(hostBits.stderr, 'ERROR: 10.0.0.1/8 has host bits set\n');
    const notIp = await kvRun(['network-rule', 'add', '-n', fwVault, '--ip-address', 'localhost']);
    assert.equal(notIp.code, 1);
    assert.match(notIp.stderr, /'localhost' does not appear to be an IPv4 or IPv6 network/);
    const overlap = await kvRun(['network-rule', 'add', '-n', fwVault, '--ip-address', '192.168.0.0/16', '192.168.1.1']);
    assert.equal(overlap.code, 1);
    assert.match(overlap.stderr, /provided are overlapping/);
    assert.deepEqual((await kv(['network-rule', 'list', '-n', fwVault, '--query', 'ipRules[].value'])).json(), ['10.1.0.0/16']);
  });
});

describe('keyvault delete, list-deleted, recover, purge', () => {
  test('a deleted vault is listed, recovered with its secrets and vaultUri, then purged', async () => {
    const name = uniqueVaultName('clidel');
    const created = (await kv(['create', '-g', RG, '-n', name, '--enable-rbac-authorization', 'false'])).json();
    await kv(['secret', 'set', '--vault-name', name, '-n', 'kept', '--value', 'survives']);

    const deleted = await kv(['delete', '-n', name]);
    assert.equal(deleted.stdout, '');
    assert.match(deleted.stderr, /WARNING: Warning! If you have soft-delete protection enabled on this key vault/);
    assert.equal((await kvRun(['show', '-n', name])).code, 1);

    const listed = (await kv(['list-deleted'])).json();
    const entry = listed.find((d: any) => d.name === name);
    assert.deepEqual(Object.keys(entry), ['id', 'name', 'properties', 'type']);
    assert.equal(entry.type, 'Microsoft.KeyVault/deletedVaults');
    assert.equal(entry.properties.vaultId, created.id);
    assert.equal(entry.properties.location, 'westeurope');
    assert.equal(entry.properties.purgeProtectionEnabled, false);
    assert.ok(Date.parse(entry.properties.scheduledPurgeDate) > Date.now() + 89 * 86_400_000);
    assert.equal((await kv(['show-deleted', '-n', name, '--query', 'properties.vaultId'])).json(), created.id);

    const recovered = (await kv(['recover', '-n', name])).json();
    assert.equal(recovered.id, created.id);
    assert.equal(recovered.properties.vaultUri, created.properties.vaultUri);
    assert.equal((await kv(['secret', 'show', '--vault-name', name, '-n', 'kept', '--query', 'value'])).json(), 'survives');

    await kv(['delete', '-n', name, '-g', RG]);
    const purged = await kv(['purge', '-n', name, '-l', 'westeurope']);
    assert.equal(purged.stdout, '');
    assert.ok(!(await kv(['list-deleted'])).json().some((d: any) => d.name === name));
    const again = await kvRun(['purge', '-n', name]);
    assert.equal(again.code, 1);
    assert.equal(again.stderr, `ERROR: No deleted Vault or HSM was found with name ${name}\n`);
    const recoverMissing = await kvRun(['recover', '-n', name]);
    assert.equal(recoverMissing.code, 1);
  });

  test('purge protection: purge is refused with Azure\'s code', async () => {
    const name = uniqueVaultName('cliprot');
    await kv(['create', '-g', RG, '-n', name, '--enable-purge-protection', '--retention-days', '7']);
    await kv(['delete', '-n', name, '--only-show-errors']);
    assertAzureError(await kvRun(['purge', '-n', name]), 'VaultPurgeProtected');
    const recoverElsewhere = await kvRun(['recover', '-n', name, '-g', 'another-group']);
    assert.equal(recoverElsewhere.code, 1);
    assert.match(recoverElsewhere.stderr, new RegExp(`must be recovered to the original resource group ${RG}`));
  });
});
