// The seed's ARM templates (#13), copied verbatim into test/fixtures/templates, deployed unchanged with
// the unmodified SDK (generic resources client: a long-running PUT of Microsoft.Resources/deployments):
// the minimal system-assigned instance, then the identity None update; the Key Vault + custom domain
// template, whose access policy races the nested deployment that reads the certificate (it must deploy
// every time), after which the vault's policies hold the instance's principal and the gateway serves
// the certificate; the user-assigned template, refused as printed (undefined variable) and deployed
// once fixed; and an exported group redeployed into an empty one.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
import { ResourceManagementClient } from '@azure/arm-resources';
import { ApiManagementClient } from '@azure/arm-apimanagement';
import { ROOT, startTestServer, type TestServer } from '../helpers/server.js';
import { ALL_PERMISSIONS, certificateClient, createVault, kvm, makeCertificate, uniqueVaultName } from '../helpers/keyvault.js';

const V = '2025-04-01';
const fixture = (name: string) => JSON.parse(fs.readFileSync(path.join(ROOT, 'test/fixtures/templates/seed', name), 'utf8'));
let server: TestServer;
let sub = '';
let resources: ResourceManagementClient;
let apim: ApiManagementClient;

const deploymentId = (rg: string, name: string) => `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Resources/deployments/${name}`;

/** Deploys and returns the deployment's properties (whatever its state). */
async function deploy(rg: string, name: string, template: unknown, parameters: Record<string, unknown> = {}): Promise<any> {
  const given = Object.fromEntries(Object.entries(parameters).map(([k, v]) => [k, { value: v }]));
  try {
    const d = await resources.resources.beginCreateOrUpdateByIdAndWait(deploymentId(rg, name), V, { properties: { mode: 'Incremental', template, parameters: given } });
    return d.properties;
  } catch (e: any) {
    // A deployment that ran and failed: the poller throws; the document tells the rest. One refused
    // at PUT (nothing stored) rethrows.
    if (e.code === 'InvalidTemplate') throw e;
    return (await resources.resources.getById(deploymentId(rg, name), V)).properties;
  }
}

async function group(name: string): Promise<void> {
  await resources.resourceGroups.createOrUpdate(name, { location: 'westeurope' });
}

before(async () => {
  server = await startTestServer();
  sub = server.connection.subscriptionId;
  resources = new ResourceManagementClient(server.credential(), sub, server.armOptions());
  apim = new ApiManagementClient(server.credential(), sub, server.armOptions());
});

after(async () => {
  await server?.stop();
});

test('the minimal system-assigned template deploys: the instance has a system-assigned identity; the identity None update removes it', async () => {
  await group('seed-rg');
  const p = await deploy('seed-rg', 'minimal', fixture('system-assigned.json'));
  assert.equal(p.provisioningState, 'Succeeded', JSON.stringify(p.error));
  const svc = await apim.apiManagementService.get('seed-rg', 'contoso');
  assert.equal(svc.identity?.type, 'SystemAssigned');
  assert.match(svc.identity!.principalId!, /^[0-9a-f-]{36}$/);
  assert.equal(svc.identity!.tenantId, server.connection.tenantId);
  assert.equal(svc.location, 'westeurope', 'resourceGroup().location');
  assert.equal(svc.sku.capacity, 1);

  const none = await deploy('seed-rg', 'identity-none', fixture('identity-none.json'));
  assert.equal(none.provisioningState, 'Succeeded', JSON.stringify(none.error));
  const after = await apim.apiManagementService.get('seed-rg', 'contoso');
  assert.ok(!after.identity || after.identity.type === 'None', JSON.stringify(after.identity));
});

test('the user-assigned template as printed is InvalidTemplate naming variables(\'identityName\'); fixed, it deploys', async () => {
  const printed = fixture('user-assigned.json');
  await assert.rejects(deploy('seed-rg', 'user-assigned', printed), (e: any) => {
    assert.equal(e.statusCode, 400);
    assert.equal(e.code, 'InvalidTemplate');
    assert.match(e.message, /The template variable 'identityName' is not found/);
    assert.match(e.message, /at line '\d+' and column '\d+'/);
    return true;
  });
  // The fix: the variable, and the identity resource it names.
  const fixed = structuredClone(printed);
  fixed.variables = { identityName: 'seed-uai' };
  fixed.resources.unshift({ type: 'Microsoft.ManagedIdentity/userAssignedIdentities', apiVersion: '2018-11-30', name: "[variables('identityName')]", location: '[resourceGroup().location]' });
  const p = await deploy('seed-rg', 'user-assigned', fixed);
  assert.equal(p.provisioningState, 'Succeeded', JSON.stringify(p.error));
  const svc = await apim.apiManagementService.get('seed-rg', 'contoso');
  assert.equal(svc.identity?.type, 'UserAssigned');
  const [uaiId, uai] = Object.entries(svc.identity!.userAssignedIdentities!)[0];
  assert.match(uaiId, /\/providers\/Microsoft\.ManagedIdentity\/userAssignedIdentities\/seed-uai$/i);
  assert.match(uai.principalId!, /^[0-9a-f-]{36}$/);
});

test('the Key Vault + custom domain template deploys: identity, access policy with get and list, the custom hostname served', async () => {
  await group('kv-rg');
  const vaultName = uniqueVaultName('seedkv');
  const vault = await createVault(server, 'kv-rg', vaultName, {
    enableRbacAuthorization: false, accessPolicies: [{ tenantId: server.connection.tenantId, objectId: server.connection.objectId, permissions: ALL_PERMISSIONS }],
  });
  const cert = makeCertificate('api.contoso.com', 'pw');
  await certificateClient(vault.properties.vaultUri!, server.credential()).importCertificate('gateway', cert.pfx, { password: 'pw' });
  const p = await deploy('kv-rg', 'keyvault', fixture('key-vault-custom-domain.json'), {
    apiManagementServiceName: 'seed-kv-apim', publisherEmail: 'admin@contoso.com', publisherName: 'Contoso', keyVaultName: vaultName,
    proxyCustomHostname1: 'api.contoso.com', keyVaultIdToCertificate: `https://${vaultName}.vault.azure.net/secrets/gateway`,
  });
  assert.equal(p.provisioningState, 'Succeeded', JSON.stringify(p.error));
  const svc = await apim.apiManagementService.get('kv-rg', 'seed-kv-apim');
  assert.equal(svc.identity?.type, 'SystemAssigned');
  const policies = (await kvm(server).vaults.get('kv-rg', vaultName)).properties.accessPolicies ?? [];
  const mine = policies.find((x) => x.objectId === svc.identity!.principalId);
  assert.ok(mine, JSON.stringify(policies));
  assert.deepEqual([...mine!.permissions.secrets!].map((s) => s.toLowerCase()).sort(), ['get', 'list']);
  const host = svc.hostnameConfigurations!.find((h) => h.hostName === 'api.contoso.com');
  assert.equal(host?.certificateSource, 'KeyVault');
  const socket = tls.connect({ host: '127.0.0.1', port: Number(new URL(svc.gatewayUrl!).port), servername: 'api.contoso.com', rejectUnauthorized: false });
  try {
    await new Promise<void>((resolve, reject) => { socket.once('secureConnect', resolve); socket.once('error', reject); });
    assert.equal(socket.getPeerX509Certificate()!.fingerprint.replace(/:/g, '').toLowerCase(), cert.thumbprint);
  } finally {
    socket.destroy();
  }
  // The nested deployment is a deployment of its own.
  const nested = (await resources.resources.getById(deploymentId('kv-rg', 'apimWithKeyVault'), V)).properties as any;
  assert.equal(nested.provisioningState, 'Succeeded');
});

test('an exported group redeploys into an empty group and gives the same resources', async () => {
  const exported = await resources.resourceGroups.beginExportTemplateAndWait('seed-rg', { resources: ['*'], options: 'IncludeParameterDefaultValue' });
  const template = exported.template as any;
  assert.ok(!JSON.stringify(template).match(/principalId|clientId|gatewayUrl|provisioningState/), JSON.stringify(template));
  const params = Object.keys(template.parameters);
  assert.deepEqual(params.sort(), ['service_contoso_name', 'userAssignedIdentities_seed_uai_name']);
  await group('copy-rg');
  const p = await deploy('copy-rg', 'copy', template, { service_contoso_name: 'contoso-copy', userAssignedIdentities_seed_uai_name: 'seed-uai-copy' });
  assert.equal(p.provisioningState, 'Succeeded', JSON.stringify(p.error));
  const kinds = async (rg: string) => {
    const out: string[] = [];
    for await (const r of resources.resources.listByResourceGroup(rg)) out.push(r.type!);
    return out.sort();
  };
  assert.deepEqual(await kinds('copy-rg'), await kinds('seed-rg'));
  const copy = await apim.apiManagementService.get('copy-rg', 'contoso-copy');
  assert.equal(copy.identity?.type, 'UserAssigned');
  assert.match(Object.keys(copy.identity!.userAssignedIdentities!)[0], /\/resourceGroups\/copy-rg\/.*\/seed-uai-copy$/i);
});

test('a Key Vault read denied while the access policy is still to come is retried; with no policy coming, the denial fails the deployment', async () => {
  await group('race-rg');
  const created = await apim.apiManagementService.beginCreateOrUpdateAndWait('race-rg', 'race-apim', {
    location: 'westeurope', sku: { name: 'Developer', capacity: 1 }, publisherEmail: 'admin@contoso.com', publisherName: 'Contoso', identity: { type: 'SystemAssigned' },
  });
  const vaultName = uniqueVaultName('racekv');
  const vault = await createVault(server, 'race-rg', vaultName, {
    enableRbacAuthorization: false, accessPolicies: [{ tenantId: server.connection.tenantId, objectId: server.connection.objectId, permissions: ALL_PERMISSIONS }],
  });
  await certificateClient(vault.properties.vaultUri!, server.credential()).importCertificate('race', makeCertificate('race.contoso.com', 'pw').pfx, { password: 'pw' });
  const instance = {
    type: 'Microsoft.ApiManagement/service', apiVersion: '2021-08-01', name: 'race-apim', location: 'westeurope', sku: { name: 'Developer', capacity: 1 },
    identity: { type: 'SystemAssigned' },
    properties: { publisherEmail: 'admin@contoso.com', publisherName: 'Contoso', hostnameConfigurations: [{ type: 'Proxy', hostName: 'race.contoso.com', keyVaultId: `https://${vaultName}.vault.azure.net/secrets/race` }] },
  };
  const identity = (name: string, dependsOn: string[] = []) => ({ type: 'Microsoft.ManagedIdentity/userAssignedIdentities', apiVersion: '2023-01-31', name, location: 'westeurope', dependsOn });
  const policy = {
    type: 'Microsoft.KeyVault/vaults/accessPolicies', apiVersion: '2018-02-14', name: `${vaultName}/add`, dependsOn: ['race-2'],
    properties: { accessPolicies: [{ tenantId: server.connection.tenantId, objectId: created.identity!.principalId, permissions: { secrets: ['get', 'list'] } }] },
  };
  const template = (resources: unknown[]) => ({ $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#', contentVersion: '1.0.0.0', resources });

  const denied = await deploy('race-rg', 'no-policy', template([instance, identity('race-0')]));
  assert.equal(denied.provisioningState, 'Failed');
  assert.equal(denied.error.details[0].code, 'InvalidOperation');
  assert.match(denied.error.details[0].message, /Failed to access KeyVault Secret/);

  // The policy comes only after two identities, one after the other: the instance's read is denied first.
  const p = await deploy('race-rg', 'race', template([instance, identity('race-1'), identity('race-2', ['race-1']), policy]));
  assert.equal(p.provisioningState, 'Succeeded', JSON.stringify(p.error));
  const svc = await apim.apiManagementService.get('race-rg', 'race-apim');
  assert.equal(svc.hostnameConfigurations!.find((h) => h.hostName === 'race.contoso.com')?.certificateSource, 'KeyVault');
});

test('the Key Vault group exports the custom hostname by its keyVaultId, without the certificate, its key or its secret', async () => {
  const exported = await resources.resourceGroups.beginExportTemplateAndWait('kv-rg', { resources: ['*'] });
  const template = exported.template as any;
  const svc = template.resources.find((r: any) => r.type === 'Microsoft.ApiManagement/service');
  const host = svc.properties.hostnameConfigurations.find((h: any) => h.hostName === 'api.contoso.com');
  assert.match(host.keyVaultId, /\/secrets\/gateway$/);
  assert.equal(host.certificate, undefined);
  assert.equal(host.encodedCertificate, undefined);
  assert.equal(host.certificatePassword, undefined);
  const types = template.resources.map((r: any) => r.type);
  assert.ok(!types.includes('Microsoft.KeyVault/vaults/secrets'), "a certificate's secret is the certificate's, not exported as a secret");
  assert.ok(types.includes('Microsoft.KeyVault/vaults'));
  assert.ok(!/BEGIN|MII[A-Za-z0-9+/]{20}/.test(JSON.stringify(template)), 'no certificate or key material');
});
