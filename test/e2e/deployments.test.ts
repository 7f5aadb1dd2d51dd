// Microsoft.Resources/deployments on the wire (#13): a template deployed with the unmodified SDK's
// generic resources client (a long-running PUT with Azure-AsyncOperation), the deployment document
// (state, outputs, outputResources, hidden secure parameters, timings), operations, validate, list,
// delete, subscription scope, and the refusals before anything is written (cycle, unknown dependency)
// and a failure while running (DeploymentFailed with the resource's own error; what was created stays).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ResourceManagementClient } from '@azure/arm-resources';
import { ManagedServiceIdentityClient } from '@azure/arm-msi';
import { ApiManagementClient } from '@azure/arm-apimanagement';
import { DeploymentsClient } from '@azure/arm-resourcesdeployments';
import { request, startTestServer, type TestServer } from '../helpers/server.js';

const RG = 'deploy-rg';
const V = '2025-04-01';
let server: TestServer;
let token = '';
let sub = '';
let client: ResourceManagementClient;

const groupId = (rg = RG) => `/subscriptions/${sub}/resourceGroups/${rg}`;
const deploymentId = (name: string, rg = RG) => `${groupId(rg)}/providers/Microsoft.Resources/deployments/${name}`;
const uaiId = (name: string) => `${groupId()}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${name}`;
const raw = (method: string, path: string, body?: unknown, v = path.includes('/Microsoft.ManagedIdentity/') ? '2023-01-31' : V) =>
  request(`${server.connection.managementEndpoint}${path}${path.includes('?') ? '&' : '?'}api-version=${v}`, {
    method, token, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body),
  });

/** A literal template: an identity, and an instance that uses it (dependsOn by id); a secure parameter; outputs. */
const template = (uai: string, svc: string, email = 'admin@contoso.com') => ({
  $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
  contentVersion: '1.0.0.0',
  parameters: { secret: { type: 'securestring' }, plain: { type: 'string', defaultValue: 'shown' } },
  resources: [
    { type: 'Microsoft.ManagedIdentity/userAssignedIdentities', apiVersion: '2023-01-31', name: uai, location: 'westeurope' },
    {
      type: 'Microsoft.ApiManagement/service', apiVersion: '2021-08-01', name: svc, location: 'westeurope',
      sku: { name: 'Developer', capacity: '1' }, properties: { publisherEmail: email, publisherName: 'Contoso' },
      identity: { type: 'UserAssigned', userAssignedIdentities: { [uaiId(uai)]: {} } },
      dependsOn: [uaiId(uai)],
    },
  ],
  outputs: { greeting: { type: 'string', value: 'hello' }, hidden: { type: 'securestring', value: 'not shown' } },
});

/** Polls the deployment until it is no longer Accepted or Running. */
async function settled(name: string, rg = RG): Promise<any> {
  for (;;) {
    const r = await raw('GET', deploymentId(name, rg));
    assert.equal(r.status, 200, r.text);
    if (!['Accepted', 'Running'].includes(r.body.properties.provisioningState)) return r.body;
    await new Promise((res) => setTimeout(res, 100));
  }
}

before(async () => {
  server = await startTestServer();
  token = (await server.credential().getToken('https://management.azure.com/.default'))!.token;
  sub = server.connection.subscriptionId;
  client = new ResourceManagementClient(server.credential(), sub, server.armOptions());
  await client.resourceGroups.createOrUpdate(RG, { location: 'westeurope' });
});

after(async () => {
  await server?.stop();
});

test('the SDK deploys a template (a long-running PUT) and reads the deployment: state, outputs, resources, hidden secure values', async () => {
  const d = await client.resources.beginCreateOrUpdateByIdAndWait(deploymentId('sdk'), V, {
    properties: { mode: 'Incremental', template: template('sdk-uai', 'sdk-apim'), parameters: { secret: { value: 's3cret-value' } } },
  });
  const p = d.properties as any;
  assert.equal(p.provisioningState, 'Succeeded', JSON.stringify(p.error));
  assert.deepEqual(p.outputs.greeting, { type: 'String', value: 'hello' });
  assert.deepEqual(p.outputs.hidden, { type: 'SecureString' }, 'a secure output has no value');
  assert.deepEqual(p.parameters.secret, { type: 'SecureString' }, 'a secure parameter has no value');
  assert.deepEqual(p.parameters.plain, { type: 'String', value: 'shown' });
  assert.deepEqual(new Set(p.outputResources.map((o: any) => o.id.toLowerCase())),
    new Set([uaiId('sdk-uai'), `${groupId()}/providers/Microsoft.ApiManagement/service/sdk-apim`].map((x) => x.toLowerCase())));
  assert.match(p.duration, /^PT(\d+M)?[\d.]+S$/);
  assert.ok(!Number.isNaN(Date.parse(p.timestamp)));
  assert.match(p.correlationId, /^[\w-]+$/);
  assert.match(p.templateHash, /^\d+$/);
  assert.deepEqual(p.dependencies.map((x: any) => [x.resourceName, x.dependsOn.map((y: any) => y.resourceName)]), [['sdk-apim', ['sdk-uai']]]);
  assert.ok(!JSON.stringify(d).includes('s3cret-value') && !JSON.stringify(d).includes('not shown'));
  // The resources are those a direct PUT makes.
  const uai = await new ManagedServiceIdentityClient(server.credential(), sub, server.armOptions()).userAssignedIdentities.get(RG, 'sdk-uai');
  const svc = await new ApiManagementClient(server.credential(), sub, server.armOptions()).apiManagementService.get(RG, 'sdk-apim');
  assert.equal(svc.sku.capacity, 1);
  assert.equal(svc.identity?.type, 'UserAssigned');
  assert.equal(Object.values(svc.identity!.userAssignedIdentities!)[0].principalId, uai.principalId);
  // Deployments are not among the group's resources.
  const listed = [];
  for await (const r of client.resources.listByResourceGroup(RG)) listed.push(r.type);
  assert.ok(!listed.includes('Microsoft.Resources/deployments'), listed.join());
});

test('@azure/arm-resourcesdeployments (api-version 2026-06-01) deploys a template, reads it back with its outputs and lists its operations', async () => {
  const dc = new DeploymentsClient(server.credential(), sub, {
    endpoint: server.connection.managementEndpoint, credentials: { scopes: ['https://management.azure.com/.default'] },
  });
  const done = await dc.deployments.createOrUpdate(RG, 'sdk-deployments', {
    properties: { mode: 'Incremental', template: template('sdkd-uai', 'sdkd-apim'), parameters: { secret: { value: 'sdk-secret' } } },
  });
  assert.equal(done.properties?.provisioningState, 'Succeeded', JSON.stringify(done.properties?.error));
  assert.deepEqual(done.properties?.outputs?.greeting, { type: 'String', value: 'hello' });
  const got = await dc.deployments.get(RG, 'sdk-deployments');
  assert.equal(got.name, 'sdk-deployments');
  assert.deepEqual((got.properties?.parameters as Record<string, unknown>).secret, { type: 'SecureString' });
  const ops = [];
  for await (const o of dc.deploymentOperations.list(RG, 'sdk-deployments')) ops.push(o);
  const resources = ops.filter((o) => o.properties?.targetResource).map((o) => [o.properties!.targetResource!.resourceName, o.properties!.provisioningState]);
  assert.deepEqual(new Set(resources.map((r) => r.join(':'))), new Set(['sdkd-uai:Succeeded', 'sdkd-apim:Succeeded']));
  const names = [];
  for await (const d of dc.deployments.listByResourceGroup(RG)) names.push(d.name);
  assert.ok(names.includes('sdk-deployments'), names.join());
});

test('PUT answers 201 Accepted with Azure-AsyncOperation; the status, the operations and their timings', async () => {
  const put = await raw('PUT', deploymentId('wire'), { properties: { mode: 'Incremental', template: template('wire-uai', 'wire-apim'), parameters: { secret: { value: 'x' } } } });
  assert.equal(put.status, 201, put.text);
  assert.equal(put.body.properties.provisioningState, 'Accepted');
  assert.equal(put.body.type, 'Microsoft.Resources/deployments');
  const status = put.headers.get('azure-asyncoperation')!;
  assert.match(status, new RegExp(`/providers/Microsoft.Resources/deployments/wire/operationStatuses/[0-9A-F]{16}\\?api-version=${V}$`));
  const again = await raw('PUT', deploymentId('wire'), { properties: { mode: 'Incremental', template: template('wire-uai', 'wire-apim'), parameters: { secret: { value: 'x' } } } });
  if (again.status === 409) assert.equal(again.body.error.code, 'DeploymentActive');
  const d = await settled('wire');
  assert.equal(d.properties.provisioningState, 'Succeeded', JSON.stringify(d.properties.error));
  const polled = await request(again.status === 409 ? status : again.headers.get('azure-asyncoperation')!, { token });
  assert.deepEqual(polled.body, { status: 'Succeeded' });
  const ops = await raw('GET', `${deploymentId('wire')}/operations`);
  assert.equal(ops.status, 200, ops.text);
  const creates = ops.body.value.filter((o: any) => o.properties.provisioningOperation === 'Create');
  assert.deepEqual(creates.map((o: any) => o.properties.targetResource.resourceName).sort(), ['wire-apim', 'wire-uai']);
  for (const o of creates) {
    assert.match(o.operationId, /^[0-9A-F]{16}$/);
    assert.equal(o.id, `${deploymentId('wire')}/operations/${o.operationId}`);
    assert.equal(o.properties.provisioningState, 'Succeeded');
    assert.match(o.properties.statusCode, /^(Created|OK)$/);
    assert.match(o.properties.duration, /^PT/);
  }
  assert.ok(ops.body.value.some((o: any) => o.properties.provisioningOperation === 'EvaluateDeploymentOutput'));
  const one = await raw('GET', `${deploymentId('wire')}/operations/${creates[0].operationId}`);
  assert.deepEqual(one.body, creates[0]);
});

test('a cycle and an unknown dependency are InvalidTemplate, and nothing is written', async () => {
  const a = `${groupId()}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/cyc-a`;
  const b = `${groupId()}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/cyc-b`;
  const t = {
    $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#', contentVersion: '1.0.0.0',
    resources: [
      { type: 'Microsoft.ManagedIdentity/userAssignedIdentities', apiVersion: '2023-01-31', name: 'cyc-a', location: 'westeurope', dependsOn: [b] },
      { type: 'Microsoft.ManagedIdentity/userAssignedIdentities', apiVersion: '2023-01-31', name: 'cyc-b', location: 'westeurope', dependsOn: ['cyc-a'] },
    ],
  };
  const r = await raw('PUT', deploymentId('cycle'), { properties: { mode: 'Incremental', template: t } });
  assert.equal(r.status, 400, r.text);
  assert.equal(r.body.error.code, 'InvalidTemplate');
  assert.match(r.body.error.message, /Circular dependency/);
  assert.ok(r.body.error.message.includes(a) && r.body.error.message.includes(b), r.body.error.message);
  assert.equal((await raw('GET', deploymentId('cycle'))).status, 404);
  assert.equal((await raw('GET', a)).status, 404);
  const v = await raw('POST', `${deploymentId('cycle')}/validate`, { properties: { mode: 'Incremental', template: t } });
  assert.equal(v.body.error.code, 'InvalidTemplate');

  t.resources[1].dependsOn = ['nowhere'];
  t.resources[0].dependsOn = [];
  const u = await raw('PUT', deploymentId('unknown'), { properties: { mode: 'Incremental', template: t } });
  assert.equal(u.status, 400, u.text);
  assert.equal(u.body.error.code, 'InvalidTemplate');
  assert.match(u.body.error.message, /'nowhere' is not defined in the template/);
  assert.equal(u.body.error.target, 'resources[1].dependsOn[0]');
});

test('a resource the provider refuses fails the deployment with DeploymentFailed and its own error; what was created stays', async () => {
  const put = await raw('PUT', deploymentId('bad'), { properties: { mode: 'Incremental', template: template('bad-uai', 'bad-apim', 'not-an-email'), parameters: { secret: { value: 'x' } } } });
  assert.equal(put.status, 201, put.text);
  const d = await settled('bad');
  assert.equal(d.properties.provisioningState, 'Failed');
  assert.equal(d.properties.error.code, 'DeploymentFailed');
  assert.equal(d.properties.error.details[0].code, 'ValidationError');
  assert.match(d.properties.error.details[0].message, /not-an-email/);
  assert.deepEqual(d.properties.outputResources.map((o: any) => o.id.toLowerCase()), [uaiId('bad-uai').toLowerCase()]);
  assert.equal(d.properties.outputs, undefined);
  const polled = await request(put.headers.get('azure-asyncoperation')!, { token });
  assert.equal(polled.body.status, 'Failed');
  assert.equal(polled.body.error.code, 'DeploymentFailed');
  const ops = (await raw('GET', `${deploymentId('bad')}/operations`)).body.value;
  const failed = ops.find((o: any) => o.properties.targetResource?.resourceName === 'bad-apim');
  assert.equal(failed.properties.provisioningState, 'Failed');
  assert.equal(failed.properties.statusCode, 'BadRequest');
  assert.equal(failed.properties.statusMessage.error.code, 'ValidationError');
  assert.equal((await raw('GET', uaiId('bad-uai'))).status, 200, 'the identity made before the failure stays');
});

test('list*() reads through the provider\'s own POST (listValue of a secret named value); a reference() ARM refuses fails the deployment with ARM\'s error', async () => {
  const svcId = `${groupId()}/providers/Microsoft.ApiManagement/service/list-apim`;
  const tpl = {
    $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#', contentVersion: '1.0.0.0',
    resources: [
      { type: 'Microsoft.ApiManagement/service', apiVersion: '2021-08-01', name: 'list-apim', location: 'westeurope', sku: { name: 'Developer', capacity: 1 }, properties: { publisherEmail: 'a@contoso.com', publisherName: 'Contoso' } },
      { type: 'Microsoft.ApiManagement/service/namedValues', apiVersion: '2021-08-01', name: 'list-apim/token', dependsOn: [svcId], properties: { displayName: 'token', value: 'value-from-listValue', secret: true } },
    ],
    outputs: {
      listed: { type: 'string', value: "[listValue(resourceId('Microsoft.ApiManagement/service/namedValues', 'list-apim', 'token'), '2021-08-01').value]" },
    },
  };
  const put = await raw('PUT', deploymentId('lists'), { properties: { mode: 'Incremental', template: tpl } });
  assert.equal(put.status, 201, put.text);
  const d = await settled('lists');
  assert.equal(d.properties.provisioningState, 'Succeeded', JSON.stringify(d.properties.error));
  assert.deepEqual(d.properties.outputs.listed, { type: 'String', value: 'value-from-listValue' });

  const missing = { ...tpl, resources: [], outputs: { gone: { type: 'object', value: `[reference('${groupId()}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/nobody', '2023-01-31')]` } } };
  const put2 = await raw('PUT', deploymentId('missing-ref'), { properties: { mode: 'Incremental', template: missing } });
  const failed = put2.status === 201 ? (await settled('missing-ref')).properties.error : put2.body.error;
  assert.match(JSON.stringify(failed), /ResourceNotFound/, JSON.stringify(failed));
  if (put2.status === 201) assert.equal((await raw('DELETE', deploymentId('missing-ref'))).status, 204);
});

test('validate, list (with a filter), delete', async () => {
  const v = await raw('POST', `${deploymentId('check')}/validate`, { properties: { mode: 'Incremental', template: template('v-uai', 'v-apim'), parameters: { secret: { value: 'x' } } } });
  assert.equal(v.status, 200, v.text);
  assert.equal(v.body.properties.provisioningState, 'Succeeded');
  assert.equal(v.body.properties.validatedResources.length, 2);
  assert.equal((await raw('GET', uaiId('v-uai'))).status, 404, 'validate writes nothing');
  const missing = await raw('POST', `${deploymentId('check')}/validate`, { properties: { mode: 'Incremental', template: template('v-uai', 'v-apim') } });
  assert.equal(missing.status, 400);
  assert.equal(missing.body.error.code, 'InvalidTemplate');
  assert.match(missing.body.error.message, /secret/);
  const noMode = await raw('PUT', deploymentId('nomode'), { properties: { template: template('v-uai', 'v-apim') } });
  assert.equal(noMode.status, 400);
  assert.equal(noMode.body.error.target, 'properties.mode');

  const list = await raw('GET', `${groupId()}/providers/Microsoft.Resources/deployments`);
  assert.ok(['sdk', 'wire', 'bad'].every((n) => list.body.value.some((d: any) => d.name === n)), list.text);
  const failed = await raw('GET', `${groupId()}/providers/Microsoft.Resources/deployments?$filter=${encodeURIComponent("provisioningState eq 'Failed'")}`);
  assert.deepEqual(failed.body.value.map((d: any) => d.name), ['bad']);
  assert.equal((await raw('DELETE', deploymentId('bad'))).status, 204);
  const gone = await raw('GET', deploymentId('bad'));
  assert.equal(gone.status, 404);
  assert.equal(gone.body.error.code, 'DeploymentNotFound');
  assert.equal((await raw('GET', `${deploymentId('bad')}/operations`)).status, 404);
  assert.equal((await raw('GET', uaiId('bad-uai'))).status, 200, 'deleting a deployment leaves its resources');
});

test('at subscription scope a deployment needs a location and creates resource groups', async () => {
  const t = {
    $schema: 'https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#', contentVersion: '1.0.0.0',
    resources: [{ type: 'Microsoft.Resources/resourceGroups', apiVersion: '2022-09-01', name: 'made-by-sub-deployment', location: 'westeurope' }],
  };
  const id = `/subscriptions/${sub}/providers/Microsoft.Resources/deployments/subdep`;
  const noLocation = await raw('PUT', id, { properties: { mode: 'Incremental', template: t } });
  assert.equal(noLocation.status, 400);
  assert.equal(noLocation.body.error.code, 'LocationRequired');
  const d = await client.resources.beginCreateOrUpdateByIdAndWait(id, V, { location: 'westeurope', properties: { mode: 'Incremental', template: t } } as any);
  assert.equal((d.properties as any).provisioningState, 'Succeeded', JSON.stringify((d.properties as any).error));
  assert.equal(d.location, 'westeurope');
  assert.equal((await client.resourceGroups.get('made-by-sub-deployment')).location, 'westeurope');
});

test('nested deployments: outer scope sees the parent\'s parameters; inner scope its own, given by the parent; outputs read with reference()', async () => {
  const nestedTemplate = (extra: Record<string, unknown>) => ({
    $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#', contentVersion: '1.0.0.0', ...extra,
  });
  const t = {
    $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#', contentVersion: '1.0.0.0',
    parameters: { prefix: { type: 'string', defaultValue: 'outer' } },
    resources: [
      {
        type: 'Microsoft.Resources/deployments', apiVersion: '2021-04-01', name: 'outer-scope',
        properties: {
          mode: 'Incremental',
          template: nestedTemplate({
            resources: [{ type: 'Microsoft.ManagedIdentity/userAssignedIdentities', apiVersion: '2023-01-31', name: "[concat(parameters('prefix'), '-uai')]", location: '[resourceGroup().location]' }],
            outputs: { made: { type: 'string', value: "[concat(parameters('prefix'), '-uai')]" } },
          }),
        },
      },
      {
        type: 'Microsoft.Resources/deployments', apiVersion: '2021-04-01', name: 'inner-scope',
        properties: {
          mode: 'Incremental', expressionEvaluationOptions: { scope: 'inner' },
          parameters: { prefix: { value: "[concat(parameters('prefix'), '-in')]" } },
          template: nestedTemplate({
            parameters: { prefix: { type: 'string' } },
            resources: [{ type: 'Microsoft.ManagedIdentity/userAssignedIdentities', apiVersion: '2023-01-31', name: "[concat(parameters('prefix'), '-uai')]", location: '[resourceGroup().location]' }],
            outputs: { made: { type: 'string', value: "[concat(parameters('prefix'), '-uai')]" } },
          }),
        },
      },
    ],
    outputs: {
      fromOuter: { type: 'string', value: "[reference('outer-scope').outputs.made.value]" },
      fromInner: { type: 'string', value: "[reference('inner-scope').outputs.made.value]" },
    },
  };
  const d = await client.resources.beginCreateOrUpdateByIdAndWait(deploymentId('nesting'), V, { properties: { mode: 'Incremental', template: t } });
  const p = d.properties as any;
  assert.equal(p.provisioningState, 'Succeeded', JSON.stringify(p.error));
  assert.equal(p.outputs.fromOuter.value, 'outer-uai');
  assert.equal(p.outputs.fromInner.value, 'outer-in-uai');
  assert.equal((await raw('GET', uaiId('outer-uai'))).status, 200);
  assert.equal((await raw('GET', uaiId('outer-in-uai'))).status, 200);
  assert.deepEqual(new Set(p.outputResources.map((o: any) => o.id.toLowerCase())), new Set([uaiId('outer-uai'), uaiId('outer-in-uai')].map((x) => x.toLowerCase())));
});
