// exportTemplate of a group with an API Management instance and its children, a Key Vault and a
// user-assigned identity (#13), with the unmodified SDK: each child is a resource of its own depending
// on its parent, no secret value is in the template (a secret named value becomes a securestring
// parameter), and the template redeploys into an empty group, under new names, to the same resources.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ResourceManagementClient } from '@azure/arm-resources';
import { ApiManagementClient } from '@azure/arm-apimanagement';
import { ManagedServiceIdentityClient, type Identity } from '@azure/arm-msi';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { ALL_PERMISSIONS, createVault, kvm, secretClient, uniqueVaultName } from '../helpers/keyvault.js';

const V = '2025-04-01';
const SRC = 'export-src';
const DST = 'export-dst';
const SVC = 'exp-apim';
const UAI = 'exp-uai';
const NV_SECRET = 'nv-secret-value-7c1f0e';
const KV_SECRET = 'kv-secret-value-93ad42';
const API_POLICY = '<policies>\n  <inbound>\n    <base />\n    <set-header name="x-plain" exists-action="override">\n      <value>{{plain-nv}}</value>\n    </set-header>\n  </inbound>\n  <backend>\n    <base />\n  </backend>\n  <outbound>\n    <base />\n  </outbound>\n  <on-error>\n    <base />\n  </on-error>\n</policies>';
const OP_POLICY = '<policies><inbound><base /><set-header name="x-secret" exists-action="override"><value>{{secret-nv}}</value></set-header><rewrite-uri template="/[anything]" /></inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>';
const FRAGMENT = '<fragment><set-header name="x-stamp" exists-action="override"><value>{{plain-nv}}</value></set-header></fragment>';
const GLOBAL_POLICY = '<policies><inbound><set-backend-service backend-id="echo-backend" /></inbound><backend><forward-request /></backend><outbound /><on-error /></policies>';
const PRODUCT_POLICY = '<policies><inbound><base /><rate-limit calls="100" renewal-period="60" /></inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>';
const SUBSCRIPTION_KEY = '0123456789abcdef0123456789abcdef';
const AI_KEY = '5f0c2d1e-3b4a-4c5d-8e9f-0a1b2c3d4e5f';

let server: TestServer;
let sub = '';
let resources: ResourceManagementClient;
let apim: ApiManagementClient;
let msi: ManagedServiceIdentityClient;
let vaultName = '';
let template: any;
let uai: Identity;

const deploymentId = (rg: string, name: string) => `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Resources/deployments/${name}`;

/** Deploys and returns the deployment's properties (whatever its state). */
async function deploy(rg: string, name: string, tpl: unknown, parameters: Record<string, unknown>): Promise<any> {
  const given = Object.fromEntries(Object.entries(parameters).map(([k, v]) => [k, { value: v }]));
  try {
    return (await resources.resources.beginCreateOrUpdateByIdAndWait(deploymentId(rg, name), V, { properties: { mode: 'Incremental', template: tpl, parameters: given } })).properties;
  } catch (e: any) {
    if (e.code === 'InvalidTemplate' || e.code === 'InvalidTemplateDeployment') throw e;
    return (await resources.resources.getById(deploymentId(rg, name), V)).properties;
  }
}

/** The securestring parameter of the logger's credential. */
const loggerParam = () => Object.keys(template.parameters).find((k) => k.includes('Logger_Credentials'))!;

async function all<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

before(async () => {
  server = await startTestServer();
  sub = server.connection.subscriptionId;
  resources = new ResourceManagementClient(server.credential(), sub, server.armOptions());
  apim = new ApiManagementClient(server.credential(), sub, server.armOptions());
  msi = new ManagedServiceIdentityClient(server.credential(), sub, server.armOptions());
  await resources.resourceGroups.createOrUpdate(SRC, { location: 'westeurope' });

  uai = await msi.userAssignedIdentities.createOrUpdate(SRC, UAI, { location: 'westeurope', tags: { '[key]': '[value]' } });
  vaultName = uniqueVaultName('expkv');
  const vault = await createVault(server, SRC, vaultName, {
    enableRbacAuthorization: false,
    accessPolicies: [
      { tenantId: server.connection.tenantId, objectId: server.connection.objectId, permissions: { ...ALL_PERMISSIONS, keys: ['get'] } },
      { tenantId: server.connection.tenantId, objectId: uai.principalId!, permissions: { secrets: ['get', 'list'] } },
    ],
  });
  await secretClient(vault.properties.vaultUri!, server.credential()).setSecret('db-password', KV_SECRET, { contentType: 'text/plain' });
  await apim.apiManagementService.beginCreateOrUpdateAndWait(SRC, SVC, {
    location: 'westeurope', sku: { name: 'Developer', capacity: 1 }, publisherEmail: 'admin@contoso.com', publisherName: 'Contoso',
    identity: { type: 'UserAssigned', userAssignedIdentities: { [uai.id!]: {} } },
  });
  await apim.namedValue.beginCreateOrUpdateAndWait(SRC, SVC, 'plain-nv', { displayName: 'plain-nv', value: 'plain-value' });
  await apim.namedValue.beginCreateOrUpdateAndWait(SRC, SVC, 'secret-nv', { displayName: 'secret-nv', value: NV_SECRET, secret: true });
  await apim.namedValue.beginCreateOrUpdateAndWait(SRC, SVC, 'kv-nv', {
    displayName: 'kv-nv', secret: true, keyVault: { secretIdentifier: `${vault.properties.vaultUri}secrets/db-password`, identityClientId: uai.clientId },
  });
  await apim.backend.createOrUpdate(SRC, SVC, 'echo-backend', { url: 'https://backend.contoso.com/echo', protocol: 'http', description: '[not an expression]' });
  await apim.api.beginCreateOrUpdateAndWait(SRC, SVC, 'echo', { displayName: 'Echo', path: 'echo', protocols: ['https'], serviceUrl: 'https://backend.contoso.com' });
  await apim.apiOperation.createOrUpdate(SRC, SVC, 'echo', 'get-item', {
    displayName: 'Get item', method: 'GET', urlTemplate: '/items/{id}', templateParameters: [{ name: 'id', type: 'string', required: true }],
  });
  await apim.apiPolicy.createOrUpdate(SRC, SVC, 'echo', 'policy', { value: API_POLICY, format: 'rawxml' });
  await apim.apiOperationPolicy.createOrUpdate(SRC, SVC, 'echo', 'get-item', 'policy', { value: OP_POLICY, format: 'rawxml' });
  const set = await apim.apiVersionSet.createOrUpdate(SRC, SVC, 'orders-set', { displayName: 'Orders', versioningScheme: 'Segment' });
  await apim.api.beginCreateOrUpdateAndWait(SRC, SVC, 'orders-v1', { displayName: 'Orders', path: 'orders', protocols: ['https'], apiVersion: 'v1', apiVersionSetId: set.id });
  await apim.tag.createOrUpdate(SRC, SVC, 'public', { displayName: 'Public' });
  await apim.tag.assignToApi(SRC, SVC, 'echo', 'public');
  await apim.policyFragment.beginCreateOrUpdateAndWait(SRC, SVC, 'stamp', { value: FRAGMENT, format: 'rawxml', description: 'stamps' });
  await apim.policy.createOrUpdate(SRC, SVC, 'policy', { value: GLOBAL_POLICY, format: 'rawxml' });
  await apim.logger.createOrUpdate(SRC, SVC, 'insights', { loggerType: 'applicationInsights', credentials: { instrumentationKey: AI_KEY }, description: 'telemetry' });
  await apim.product.createOrUpdate(SRC, SVC, 'gold', { displayName: 'Gold', subscriptionRequired: true, approvalRequired: false, state: 'published' });
  await apim.productApi.createOrUpdate(SRC, SVC, 'gold', 'echo');
  await apim.productPolicy.createOrUpdate(SRC, SVC, 'gold', 'policy', { value: PRODUCT_POLICY, format: 'rawxml' });
  const gold = await apim.product.get(SRC, SVC, 'gold');
  await apim.subscription.createOrUpdate(SRC, SVC, 'gold-sub', { displayName: 'Gold subscriber', scope: gold.id!, primaryKey: SUBSCRIPTION_KEY });

});

after(async () => {
  await server?.stop();
});

test('the export holds each child as its own resource depending on its parent, and no secret value', async () => {
  const exported = await resources.resourceGroups.beginExportTemplateAndWait(SRC, { resources: ['*'] });
  template = exported.template;
  const text = JSON.stringify(template);
  assert.ok(!text.includes(NV_SECRET), 'the secret named value is not exported');
  assert.ok(!text.includes(KV_SECRET), 'the Key Vault secret is not exported');
  assert.ok(!text.includes(SUBSCRIPTION_KEY), 'subscription keys are not exported');
  assert.ok(!text.includes(AI_KEY), "a logger's credential is not exported");
  assert.ok(!/gatewayUrl|provisioningState|primaryKey/.test(text), text);
  assert.ok(!text.includes(uai.clientId!) && !text.includes(uai.principalId!), "the identity's own ids are references to it");

  const p = `parameters('service_${SVC.replace(/-/g, '_')}_name')`;
  const byName = (name: string) => template.resources.find((r: any) => r.name === name);
  const api = byName(`[concat(${p}, '/echo')]`);
  assert.equal(api?.type, 'Microsoft.ApiManagement/service/apis', text);
  assert.deepEqual(api.dependsOn, [`[resourceId('Microsoft.ApiManagement/service', ${p})]`]);
  const opPolicy = byName(`[concat(${p}, '/echo/get-item/policy')]`);
  assert.equal(opPolicy?.type, 'Microsoft.ApiManagement/service/apis/operations/policies');
  assert.ok(opPolicy.dependsOn.includes(`[resourceId('Microsoft.ApiManagement/service/apis/operations', ${p}, 'echo', 'get-item')]`), JSON.stringify(opPolicy.dependsOn));
  assert.ok(opPolicy.dependsOn.includes(`[resourceId('Microsoft.ApiManagement/service/namedValues', ${p}, 'secret-nv')]`), 'a policy depends on the named values it uses');
  const link = byName(`[concat(${p}, '/gold/echo')]`);
  assert.equal(link?.type, 'Microsoft.ApiManagement/service/products/apis');
  assert.ok(link.dependsOn.includes(`[resourceId('Microsoft.ApiManagement/service/apis', ${p}, 'echo')]`));
  const backend = byName(`[concat(${p}, '/echo-backend')]`);
  assert.equal(backend.properties.description, '[[not an expression]', 'a string that looks like an expression is escaped');

  const versioned = byName(`[concat(${p}, '/orders-v1')]`);
  assert.equal(versioned.properties.apiVersionSetId, `[resourceId('Microsoft.ApiManagement/service/apiVersionSets', ${p}, 'orders-set')]`);
  assert.ok(versioned.dependsOn.includes(versioned.properties.apiVersionSetId), 'an API depends on its version set');
  const subscription = byName(`[concat(${p}, '/gold-sub')]`);
  assert.equal(subscription.properties.scope, `[resourceId('Microsoft.ApiManagement/service/products', ${p}, 'gold')]`);
  const global = byName(`[concat(${p}, '/policy')]`);
  assert.ok(global.dependsOn.includes(`[resourceId('Microsoft.ApiManagement/service/backends', ${p}, 'echo-backend')]`), 'a policy depends on the backends it names');
  const fragment = byName(`[concat(${p}, '/stamp')]`);
  assert.ok(fragment.dependsOn.includes(`[resourceId('Microsoft.ApiManagement/service/namedValues', ${p}, 'plain-nv')]`), 'a fragment depends on the named values it uses');

  // A logger's secret credential is a secret named value (as Azure keeps it): a parameter too, and the logger depends on it.
  const logger = byName(`[concat(${p}, '/insights')]`);
  const [, credential] = /^\{\{(Logger-Credentials--[^}]+)\}\}$/.exec(logger.properties.credentials.instrumentationKey) ?? [];
  assert.ok(credential, JSON.stringify(logger));
  assert.ok(logger.dependsOn.includes(`[resourceId('Microsoft.ApiManagement/service/namedValues', ${p}, '${credential}')]`), JSON.stringify(logger.dependsOn));
  assert.deepEqual(template.parameters[`namedValues_exp_apim_${credential.replace(/-/g, '_')}_value`], { type: 'SecureString' });

  // The identity's client id (a Key Vault named value) and principal id (an access policy) are reference()s to it.
  const uaiRef = (property: string) => new RegExp(`^\\[reference\\(resourceId\\('Microsoft\\.ManagedIdentity/userAssignedIdentities', parameters\\('userAssignedIdentities_exp_uai_name'\\)\\), '[0-9-]+'\\)\\.${property}\\]$`);
  assert.match(byName(`[concat(${p}, '/kv-nv')]`).properties.keyVault.identityClientId, uaiRef('clientId'));
  const vault = template.resources.find((r: any) => r.type === 'Microsoft.KeyVault/vaults');
  assert.match(vault.properties.accessPolicies[1].objectId, uaiRef('principalId'));
  assert.deepEqual(vault.dependsOn, [`[resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', parameters('userAssignedIdentities_exp_uai_name'))]`]);

  // The vault's secret: a resource of its own, its value a parameter.
  const v = `parameters('vaults_${vaultName.replace(/-/g, '_')}_name')`;
  const kvSecret = byName(`[concat(${v}, '/db-password')]`);
  assert.equal(kvSecret?.type, 'Microsoft.KeyVault/vaults/secrets', text);
  assert.deepEqual(kvSecret.dependsOn, [`[resourceId('Microsoft.KeyVault/vaults', ${v})]`]);
  assert.equal(kvSecret.properties.value, `[parameters('secrets_${vaultName.replace(/-/g, '_')}_db_password_value')]`);
  assert.equal(kvSecret.properties.contentType, 'text/plain');
  assert.deepEqual(template.parameters[`secrets_${vaultName.replace(/-/g, '_')}_db_password_value`], { type: 'SecureString' });

  const secretParam = `namedValues_${SVC.replace(/-/g, '_')}_secret_nv_value`;
  assert.deepEqual(template.parameters[secretParam], { type: 'SecureString' });
  assert.equal(byName(`[concat(${p}, '/secret-nv')]`).properties.value, `[parameters('${secretParam}')]`);
  const svc = byName(`[${p}]`);
  assert.deepEqual(Object.keys(svc.identity.userAssignedIdentities), [`[resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', parameters('userAssignedIdentities_exp_uai_name'))]`]);
});

test('the exported template redeploys into an empty group under new names, to the same resources and children', async () => {
  assert.ok(template, 'exported by the test before');
  await resources.resourceGroups.createOrUpdate(DST, { location: 'westeurope' });
  const newVault = uniqueVaultName('expkv2');
  const p = await deploy(DST, 'redeploy', template, {
    service_exp_apim_name: 'exp-apim-copy', userAssignedIdentities_exp_uai_name: 'exp-uai-copy',
    [`vaults_${vaultName.replace(/-/g, '_')}_name`]: newVault, namedValues_exp_apim_secret_nv_value: 'another-secret',
    [loggerParam()]: 'another-key',
    [`secrets_${vaultName.replace(/-/g, '_')}_db_password_value`]: 'copied-secret',
  });
  assert.equal(p.provisioningState, 'Succeeded', JSON.stringify(p.error));
  const kinds = async (rg: string) => (await all(resources.resources.listByResourceGroup(rg))).map((r) => r.type!).sort();
  assert.deepEqual(await kinds(DST), await kinds(SRC));

  const S = 'exp-apim-copy';
  const svc = await apim.apiManagementService.get(DST, S);
  assert.match(Object.keys(svc.identity!.userAssignedIdentities!)[0], new RegExp(`/resourceGroups/${DST}/.*/exp-uai-copy$`, 'i'));
  const api = await apim.api.get(DST, S, 'echo');
  assert.equal(api.path, 'echo');
  assert.equal(api.serviceUrl, 'https://backend.contoso.com');
  assert.deepEqual(api.protocols, ['https']);
  const op = await apim.apiOperation.get(DST, S, 'echo', 'get-item');
  assert.equal(op.urlTemplate, '/items/{id}');
  assert.equal(op.method, 'GET');
  // (apiPolicy.get of the SDK reads its answer as XML and finds no value: see apim-config-secrets.test.ts; the lists read JSON.)
  assert.equal((await apim.apiPolicy.listByApi(DST, S, 'echo')).value![0].value, API_POLICY);
  assert.equal((await apim.apiOperationPolicy.listByOperation(DST, S, 'echo', 'get-item')).value![0].value, OP_POLICY);
  assert.deepEqual((await all(apim.productApi.listByProduct(DST, S, 'gold'))).map((a) => a.name), ['echo']);
  assert.equal((await apim.product.get(DST, S, 'gold')).state, 'published');
  assert.equal((await all(apim.productPolicy.listByProduct(DST, S, 'gold')))[0].value, PRODUCT_POLICY);
  assert.equal((await all(apim.policy.listByService(DST, S)))[0].value, GLOBAL_POLICY);
  const fragment = await apim.policyFragment.get(DST, S, 'stamp', { format: 'rawxml' });
  assert.equal(fragment.value, FRAGMENT);
  assert.equal(fragment.description, 'stamps');
  const versioned = await apim.api.get(DST, S, 'orders-v1');
  assert.equal(versioned.apiVersionSetId, `${svc.id}/apiVersionSets/orders-set`, 'the copy uses its own version set');
  assert.equal(versioned.apiVersion, 'v1');
  assert.deepEqual((await all(apim.tag.listByApi(DST, S, 'echo'))).map((t) => [t.name, t.displayName]), [['public', 'Public']]);
  const subscription = await apim.subscription.get(DST, S, 'gold-sub');
  assert.equal(subscription.scope, `${svc.id}/products/gold`);
  assert.equal(subscription.displayName, 'Gold subscriber');
  const keys = await apim.subscription.listSecrets(DST, S, 'gold-sub');
  assert.match(keys.primaryKey!, /^[0-9a-f]{32}$/);
  assert.notEqual(keys.primaryKey, SUBSCRIPTION_KEY, 'the copy has keys of its own');
  const nvs = await all(apim.namedValue.listByService(DST, S));
  assert.deepEqual(nvs.filter((n) => !n.name!.startsWith('Logger-')).map((n) => [n.name, n.displayName, n.secret]).sort(),
    [['kv-nv', 'kv-nv', true], ['plain-nv', 'plain-nv', false], ['secret-nv', 'secret-nv', true]]);
  assert.equal((await apim.namedValue.listValue(DST, S, 'plain-nv')).value, 'plain-value');
  assert.equal((await apim.namedValue.listValue(DST, S, 'secret-nv')).value, 'another-secret', 'the secret is the one given to the deployment');
  const backend = await apim.backend.get(DST, S, 'echo-backend');
  assert.equal(backend.url, 'https://backend.contoso.com/echo');
  assert.equal(backend.description, '[not an expression]');
  const logger = await apim.logger.get(DST, S, 'insights');
  assert.equal(logger.loggerType, 'applicationInsights');
  assert.equal(logger.description, 'telemetry');
  const credential = /^\{\{(.+)\}\}$/.exec(logger.credentials!.instrumentationKey)![1];
  assert.equal((await apim.namedValue.listValue(DST, S, credential)).value, 'another-key');

  const vault = await kvm(server).vaults.get(DST, newVault);
  const policy = vault.properties.accessPolicies!.find((a) => a.objectId === server.connection.objectId);
  assert.deepEqual(policy?.permissions.secrets, ALL_PERMISSIONS.secrets);
  assert.deepEqual(policy?.permissions.certificates, ALL_PERMISSIONS.certificates);
  assert.deepEqual(policy?.permissions.keys, ['get']);
  const copied = await secretClient(vault.properties.vaultUri!, server.credential()).getSecret('db-password');
  assert.equal(copied.value, 'copied-secret', "the copy's vault holds the secret given to the deployment");
  assert.equal(copied.properties.contentType, 'text/plain');
  const copyUai = await msi.userAssignedIdentities.get(DST, 'exp-uai-copy');
  assert.deepEqual(copyUai.tags, { '[key]': '[value]' }, 'tags that look like expressions are escaped in the template');
  const forCopy = vault.properties.accessPolicies!.find((a) => a.objectId === copyUai.principalId);
  assert.deepEqual(forCopy?.permissions.secrets, ['get', 'list'], "the copy's vault grants the copy's identity");
  assert.equal((await apim.namedValue.get(DST, S, 'kv-nv')).keyVault?.identityClientId, copyUai.clientId, "the copy's Key Vault named value reads as the copy's identity");
});

test('one resource picked: it and its children; SkipResourceNameParameterization writes names; secrets stay parameters without defaults', async () => {
  const svcId = `/subscriptions/${sub}/resourceGroups/${SRC}/providers/Microsoft.ApiManagement/service/${SVC}`;
  const exported = await resources.resourceGroups.beginExportTemplateAndWait(SRC, { resources: [svcId], options: 'SkipResourceNameParameterization,IncludeParameterDefaultValue' });
  const t = exported.template as any;
  const text = JSON.stringify(t);
  assert.ok(!text.includes(NV_SECRET) && !text.includes(AI_KEY), 'no secret value, with defaults asked for');
  assert.ok(t.resources.every((r: any) => r.type.startsWith('Microsoft.ApiManagement/service')), 'only the instance and its children');
  const op = t.resources.find((r: any) => r.type === 'Microsoft.ApiManagement/service/apis/operations');
  assert.equal(op.name, `${SVC}/echo/get-item`);
  assert.deepEqual(op.dependsOn, [`[resourceId('Microsoft.ApiManagement/service/apis', '${SVC}', 'echo')]`, `[resourceId('Microsoft.ApiManagement/service', '${SVC}')]`]);
  // The identity is not in the template: the instance names it by its id.
  const svc = t.resources.find((r: any) => r.type === 'Microsoft.ApiManagement/service');
  assert.equal(svc.name, SVC);
  assert.deepEqual(Object.keys(svc.identity.userAssignedIdentities).map((k) => k.toLowerCase()),
    [`/subscriptions/${sub}/resourcegroups/${SRC}/providers/microsoft.managedidentity/userassignedidentities/${UAI}`.toLowerCase()]);
  assert.equal(svc.dependsOn, undefined);
  for (const [name, p] of Object.entries<any>(t.parameters)) assert.deepEqual(p, { type: 'SecureString' }, name);
  assert.equal(Object.keys(t.parameters).length, 2, 'the secret named value and the logger credential');
});

test("Resource Manager's vaults/secrets with the SDK: a PUT sets a secret, GET and list never show a value", async () => {
  const vaults = kvm(server);
  const created = await vaults.secrets.createOrUpdate(SRC, vaultName, 'arm-secret', { properties: { value: 'arm-value-5512', contentType: 'text/x' }, tags: { a: 'b' } });
  assert.equal(created.name, 'arm-secret');
  assert.equal(created.properties.value, undefined);
  const vault = await vaults.vaults.get(SRC, vaultName);
  assert.equal(created.properties.secretUri, `${vault.properties.vaultUri}secrets/arm-secret`);
  assert.match(created.properties.secretUriWithVersion!, new RegExp(`^${vault.properties.vaultUri}secrets/arm-secret/[0-9a-f]{32}$`));
  assert.equal((await secretClient(vault.properties.vaultUri!, server.credential()).getSecret('arm-secret')).value, 'arm-value-5512');
  const got = await vaults.secrets.get(SRC, vaultName, 'arm-secret');
  assert.equal(got.properties.contentType, 'text/x');
  assert.deepEqual(got.tags, { a: 'b' });
  assert.equal(got.properties.attributes?.enabled, true);
  const listed = await all(vaults.secrets.list(SRC, vaultName));
  assert.deepEqual(listed.map((x) => x.name).sort(), ['arm-secret', 'db-password']);
  assert.ok(!JSON.stringify(listed).includes('arm-value-5512') && !JSON.stringify(listed).includes(KV_SECRET));
  const patched = await vaults.secrets.update(SRC, vaultName, 'arm-secret', { properties: { contentType: 'text/y', attributes: { enabled: false } } });
  assert.equal(patched.properties.contentType, 'text/y');
  assert.equal(patched.properties.attributes?.enabled, false);
  assert.deepEqual(patched.tags, { a: 'b' }, 'PATCH keeps what it does not name');
  assert.equal(patched.properties.secretUriWithVersion, created.properties.secretUriWithVersion, 'PATCH makes no new version');
  await assert.rejects(vaults.secrets.update(SRC, vaultName, 'nope', { properties: { contentType: 'x' } }), (e: any) => e.statusCode === 404 && e.code === 'ResourceNotFound');
  await assert.rejects(vaults.secrets.get(SRC, vaultName, 'nope'), (e: any) => e.statusCode === 404 && e.code === 'ResourceNotFound');
  await assert.rejects(vaults.secrets.createOrUpdate(SRC, vaultName, 'no-value', { properties: {} }), (e: any) => {
    assert.equal(e.statusCode, 400);
    assert.match(e.message, /properties\.value/);
    return true;
  });
});
