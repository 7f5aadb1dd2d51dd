// Expanding resources: copy loops, conditions, nested child resources' full names and types, names with
// segments, extension resources with `scope`, dependsOn by id/name/loop, implicit reference() deps,
// and the faults ARM reports before deploying (with their positions).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expandResources, isTemplateError, parseTemplate } from '../../../../src/arm/templates/language/index.js';
import { fakeScope, RG_ID, SUB } from './fake-scope.js';

const tpl = (resources: unknown[], extra: Record<string, unknown> = {}) =>
  parseTemplate(JSON.stringify({ $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#', contentVersion: '1.0.0.0', ...extra, resources }, null, 2));
const expand = (t: ReturnType<typeof tpl>, params: Record<string, unknown> = {}) => expandResources(t, { ...fakeScope({ parameters: params, variables: t.variables }), template: t });
const KV = `${RG_ID}/providers/Microsoft.KeyVault/vaults`;

test('copy loop: one resource per index, copyIndex in names and bodies, mode and batch size kept (copy-resources)', async () => {
  const t = tpl([{
    type: 'Microsoft.KeyVault/vaults', apiVersion: '2023-07-01', name: "[concat('kv', copyIndex(1))]", location: 'westus',
    properties: { n: '[copyIndex()]' }, copy: { name: 'vaultLoop', count: "[parameters('n')]", mode: 'serial', batchSize: 1 },
  }, { type: 'Microsoft.ManagedIdentity/userAssignedIdentities', apiVersion: '2023-01-31', name: 'id1', dependsOn: ['vaultLoop'] }], { parameters: { n: { type: 'int' } } });
  const out = await expand(t, { n: 3 });
  assert.deepEqual(out.map((r) => r.name), ['kv1', 'kv2', 'kv3', 'id1']);
  assert.deepEqual(out[1]!.copy, { name: 'vaultLoop', index: 1, count: 3, mode: 'Serial', batchSize: 1 });
  assert.deepEqual((await out[2]!.evaluateBody()).properties, { n: 2 });
  assert.deepEqual(out[3]!.dependsOn, [`${KV}/kv1`, `${KV}/kv2`, `${KV}/kv3`]);
});

test('copy count 0 deploys nothing; a count above 800 is refused', async () => {
  const r = (count: number) => tpl([{ type: 'Microsoft.KeyVault/vaults', apiVersion: '1', name: "[concat('kv', copyIndex())]", copy: { name: 'l', count } }]);
  assert.deepEqual(await expand(r(0)), []);
  await assert.rejects(expand(r(801)), /The copy count must be a non-negative integer not greater than '800'/);
});

test('nested child resources get the parent\'s type and name; names with segments; parent id recorded (child-resource-name-type)', async () => {
  const t = tpl([{
    type: 'Microsoft.KeyVault/vaults', apiVersion: '2023-07-01', name: 'kv',
    resources: [
      { type: 'secrets', apiVersion: '2023-07-01', name: 's1', dependsOn: ['kv'] },
      { type: 'Microsoft.KeyVault/vaults/accessPolicies', apiVersion: '2023-07-01', name: 'add', dependsOn: ["[resourceId('Microsoft.KeyVault/vaults', 'kv')]"] },
    ],
  }, { type: 'Microsoft.KeyVault/vaults/secrets', apiVersion: '2023-07-01', name: 'kv/s2', dependsOn: ['Microsoft.KeyVault/vaults/kv'] }]);
  const out = await expand(t);
  assert.deepEqual(out.map((r) => [r.path, r.type, r.name, r.id]), [
    ['resources[0]', 'Microsoft.KeyVault/vaults', 'kv', `${KV}/kv`],
    ['resources[0].resources[0]', 'Microsoft.KeyVault/vaults/secrets', 'kv/s1', `${KV}/kv/secrets/s1`],
    ['resources[0].resources[1]', 'Microsoft.KeyVault/vaults/accessPolicies', 'kv/add', `${KV}/kv/accessPolicies/add`],
    ['resources[1]', 'Microsoft.KeyVault/vaults/secrets', 'kv/s2', `${KV}/kv/secrets/s2`],
  ]);
  assert.equal(out[1]!.parentId, `${KV}/kv`);
  for (const r of out.slice(1)) assert.deepEqual(r.dependsOn, [`${KV}/kv`]);
  assert.deepEqual((await out[1]!.evaluateBody()).name, 'kv/s1');
});

test('extension resources: `scope` as an id or relative, the id built under it (scope-extension-resources)', async () => {
  const t = tpl([
    { type: 'Microsoft.KeyVault/vaults', apiVersion: '1', name: 'kv' },
    { type: 'Microsoft.Authorization/roleAssignments', apiVersion: '2022-04-01', name: "[guid('kv', 'p')]", scope: 'Microsoft.KeyVault/vaults/kv', dependsOn: ['kv'] },
    { type: 'Microsoft.Authorization/roleAssignments', apiVersion: '2022-04-01', name: 'r2', scope: "[resourceId('Microsoft.KeyVault/vaults', 'kv')]" },
  ]);
  const [, ra, rb] = await expand(t);
  assert.equal(ra!.scope, `${KV}/kv`);
  assert.match(ra!.id, new RegExp(`^${KV}/kv/providers/Microsoft\\.Authorization/roleAssignments/[0-9a-f-]{36}$`));
  assert.equal(rb!.id, `${KV}/kv/providers/Microsoft.Authorization/roleAssignments/r2`);
  assert.equal((await rb!.evaluateBody()).scope, `${KV}/kv`);
});

test('conditions are evaluated; a false one stays listed (the engine skips it)', async () => {
  const out = await expand(tpl([{ type: 'Microsoft.KeyVault/vaults', apiVersion: '1', name: 'kv', condition: "[equals(parameters('on'), 'yes')]" }], { parameters: { on: { type: 'string' } } }), { on: 'no' });
  assert.equal(out[0]!.condition, false);
});

test('implicit dependencies: reference() by id, by template name, and of an extension of a template resource', async () => {
  const t = tpl([
    { type: 'Microsoft.ApiManagement/service', apiVersion: '2021-08-01', name: 'apim' },
    { type: 'Microsoft.KeyVault/vaults', apiVersion: '1', name: 'kv', properties: {
      a: "[reference('apim').gatewayUrl]",
      b: "[reference(concat(resourceId('Microsoft.ApiManagement/service', 'apim'), '/providers/Microsoft.ManagedIdentity/Identities/default'), '2018-11-30').principalId]",
      c: "[listSecrets(resourceId('Microsoft.KeyVault/vaults', 'other'), '2023-07-01')]",
    } },
  ]);
  const [, kv] = await expand(t);
  const apim = `${RG_ID}/providers/Microsoft.ApiManagement/service/apim`;
  assert.deepEqual(kv!.references.sort(), [apim, `${apim}/providers/Microsoft.ManagedIdentity/Identities/default`, `${KV}/other`].sort());
});

test('faults before deployment, with the path, line and column ARM reports', async () => {
  const cases: [unknown[], string, RegExp][] = [
    [[{ type: 'Microsoft.KeyVault/vaults', apiVersion: '1', name: 'kv', dependsOn: ['missing'] }], 'resources[0].dependsOn[0]', /^The resource 'missing' is not defined in the template\./],
    [[{ type: 'Microsoft.KeyVault/vaults/secrets', apiVersion: '1', name: 's' }], 'resources[0]', /The template resource 's' for type 'Microsoft\.KeyVault\/vaults\/secrets' at line '\d+' and column '\d+' has incorrect segment lengths\./],
    [[{ type: 'Microsoft.KeyVault/vaults', apiVersion: '1', name: "[reference('x').name]" }], 'resources[0].name', /^The template function 'reference' is not expected at this location\./],
    [[{ type: 'Microsoft.KeyVault/vaults', apiVersion: '1', name: 'kv' }, { type: 'Microsoft.KeyVault/vaults', apiVersion: '1', name: 'KV' }], 'resources[1]', /is defined multiple times in a template/],
    [[{ type: 'Microsoft.KeyVault/vaults', apiVersion: '1', name: 'kv', resources: [{ type: 'secrets', apiVersion: '1', name: "[concat('s', copyIndex())]", copy: { name: 'c', count: 2 } }] }], 'resources[0].resources[0].copy', /Copying nested resources is not supported/],
    [[{ type: 'Microsoft.KeyVault/vaults', apiVersion: '1', name: 'kv', condition: 'yes' }], 'resources[0].condition', /must evaluate to a boolean/],
  ];
  for (const [resources, path, detail] of cases) {
    const t = tpl(resources);
    await assert.rejects(expand(t), (e: unknown) => {
      assert.ok(isTemplateError(e), String(e));
      assert.equal(e.path, path);
      assert.match(e.detail, detail);
      assert.ok(e.line !== undefined && e.line > 1 && e.column !== undefined, `${path} has a position`);
      return true;
    }, path);
  }
  assert.throws(() => tpl([{ type: 'Microsoft.KeyVault/vaults', apiVersion: '1' }]), /required property 'name' is missing/);
});

test('subscription-level deployments build subscription-scope ids; resourceGroup() is refused there', async () => {
  const t = tpl([{ type: 'Microsoft.Resources/resourceGroups', apiVersion: '2022-09-01', name: 'rg2', location: "[deployment().location]" }]);
  const scope = { ...fakeScope({ subscriptionLevel: true }), template: t };
  const [rg] = await expandResources(t, scope);
  assert.equal(rg!.id, `/subscriptions/${SUB}/providers/Microsoft.Resources/resourceGroups/rg2`);
  await assert.rejects(expandResources(tpl([{ type: 'Microsoft.KeyVault/vaults', apiVersion: '1', name: '[resourceGroup().name]' }]), scope), /The template function 'resourceGroup' is not expected at this location/);
});

test('a nested deployment targeting another group gets its id there; its template is left as written', async () => {
  const t = tpl([{ type: 'Microsoft.Resources/deployments', apiVersion: '2021-04-01', name: 'inner', resourceGroup: 'rg2',
    properties: { mode: 'Incremental', expressionEvaluationOptions: { scope: 'inner' }, parameters: { p: { value: "[concat('a', 'b')]" } }, template: { resources: [], x: "[parameters('p')]" } } }]);
  const [d] = await expand(t);
  assert.equal(d!.id, `/subscriptions/${SUB}/resourceGroups/rg2/providers/Microsoft.Resources/deployments/inner`);
  const body = await d!.evaluateBody();
  assert.deepEqual(body.properties, { mode: 'Incremental', expressionEvaluationOptions: { scope: 'inner' }, parameters: { p: { value: 'ab' } }, template: { resources: [], x: "[parameters('p')]" } });
});
