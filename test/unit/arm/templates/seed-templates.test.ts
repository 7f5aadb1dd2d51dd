// The seed document's templates (test/fixtures/templates/seed, copied verbatim): parsed, parameters
// bound, resources expanded with a fake scope, bodies evaluated; the user-assigned one fails as on Azure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { bindParameters, expandResources, isTemplateError, nestedTemplate, parseTemplate, TemplateError } from '../../../../src/arm/templates/language/index.js';
import { fakeScope, RG_ID, TENANT } from './fake-scope.js';

const read = (name: string) => fs.readFileSync(`test/fixtures/templates/seed/${name}`, 'utf8');
const APIM = `${RG_ID}/providers/Microsoft.ApiManagement/service`;

test('seed lines 72-93: the system-assigned instance', async () => {
  const template = parseTemplate(read('system-assigned.json'));
  const scope = { ...fakeScope(), template };
  const [apim, ...rest] = await expandResources(template, scope);
  assert.equal(rest.length, 0);
  assert.equal(apim!.id, `${APIM}/contoso`);
  assert.equal(apim!.apiVersion, '2021-08-01');
  const body = await apim!.evaluateBody();
  assert.deepEqual(body, {
    apiVersion: '2021-08-01', name: 'contoso', type: 'Microsoft.ApiManagement/service', location: 'westus', tags: {},
    sku: { name: 'Developer', capacity: '1' }, properties: { publisherEmail: 'admin@contoso.com', publisherName: 'Contoso' },
    identity: { type: 'systemAssigned' },
  });
});

test('seed lines 180-319: access policy from the instance identity, nested deployment with the Key Vault certificate', async () => {
  const template = parseTemplate(read('key-vault-custom-domain.json'));
  const base = { ...fakeScope({ variables: template.variables }), template };
  const bound = await bindParameters(template, {
    apiManagementServiceName: { value: 'contosoapim' }, publisherEmail: { value: 'admin@contoso.com' }, publisherName: { value: 'Contoso' },
    keyVaultName: { value: 'contosovault' }, proxyCustomHostname1: { value: 'api.contoso.com' },
    keyVaultIdToCertificate: { value: 'https://contosovault.vault.azure.net/secrets/contosogatewaycertificate' },
  }, base);
  assert.equal(bound.values.sku, 'Developer');
  assert.equal(bound.values.skuCount, 1);
  assert.deepEqual(bound.secure, []);

  const identityId = `${APIM}/contosoapim/providers/Microsoft.ManagedIdentity/Identities/default`;
  const scope = { ...fakeScope({ parameters: bound.values, variables: template.variables, resources: { [identityId]: { properties: { tenantId: TENANT, principalId: 'p-1' } } } }), template };
  const [apim, policy, nested] = await expandResources(template, scope);
  assert.equal(apim!.id, `${APIM}/contosoapim`);
  assert.equal(policy!.type, 'Microsoft.KeyVault/vaults/accessPolicies');
  assert.equal(policy!.name, 'contosovault/add');
  assert.equal(policy!.id, `${RG_ID}/providers/Microsoft.KeyVault/vaults/contosovault/accessPolicies/add`);
  // reference() of the instance's identity is an implicit dependency on the identity and on the instance.
  assert.deepEqual(policy!.references, [identityId, `${APIM}/contosoapim`]);
  assert.deepEqual(policy!.dependsOn, []);
  assert.equal(nested!.isDeployment, true);
  assert.deepEqual(nested!.dependsOn, [`${APIM}/contosoapim`]);

  const policyBody = await policy!.evaluateBody();
  assert.deepEqual((policyBody.properties as { accessPolicies: unknown[] }).accessPolicies, [{ tenantId: TENANT, objectId: 'p-1', permissions: { secrets: ['get', 'list'] } }]);
  assert.deepEqual(scope.calls.map((c) => [c.fn, c.id, c.apiVersion, c.full]), [['reference', identityId, '2018-11-30', false], ['reference', identityId, '2018-11-30', false]]);

  // The nested deployment's template is returned as written; with the default (outer) scope it
  // evaluates with the outer parameters.
  const nestedBody = await nested!.evaluateBody();
  const props = nestedBody.properties as { mode: string; template: unknown };
  assert.equal(props.mode, 'incremental');
  const inner = nestedTemplate(template, `${nested!.path}.properties.template`, props.template);
  const [innerApim] = await expandResources(inner, { ...scope, template: inner });
  const innerBody = await innerApim!.evaluateBody();
  assert.deepEqual((innerBody.properties as { hostnameConfigurations: unknown }).hostnameConfigurations, [
    { type: 'Proxy', hostName: 'api.contoso.com', keyVaultId: 'https://contosovault.vault.azure.net/secrets/contosogatewaycertificate' },
  ]);
  assert.deepEqual(innerBody.sku, { name: 'Developer', capacity: 1 });
});

test('seed lines 180-319: the name shorter than minLength 8 is refused at its line', async () => {
  const template = parseTemplate(read('key-vault-custom-domain.json'));
  await assert.rejects(bindParameters(template, {
    apiManagementServiceName: 'short', publisherEmail: 'a@b.c', publisherName: 'C', keyVaultName: 'v', proxyCustomHostname1: 'h', keyVaultIdToCertificate: 'k',
  }, fakeScope()), (e: unknown) => {
    assert.ok(isTemplateError(e));
    assert.equal(e.path, 'parameters.apiManagementServiceName');
    assert.equal(e.line, 5); // seed line 184: "apiManagementServiceName": {
    assert.match(e.message, /^The provided value for the template parameter 'apiManagementServiceName' at line '5' and column '37' is not valid\. Length of the value should be greater than or equal to '8'\./);
    return true;
  });
});

test('seed lines 555-582: as printed, variables(\'identityName\') is not defined: InvalidTemplate naming it, with its line', async () => {
  const template = parseTemplate(read('user-assigned.json'));
  await assert.rejects(expandResources(template, { ...fakeScope({ variables: template.variables }), template }), (e: unknown) => {
    assert.ok(e instanceof TemplateError);
    assert.equal(e.code, 'InvalidTemplate');
    assert.equal(e.path, 'resources[0].dependsOn[0]');
    assert.equal(e.line, 25); // seed line 579, the closing quote at column 103
    assert.equal(e.column, 103);
    assert.equal(e.detail, "The template variable 'identityName' is not found. Please see https://aka.ms/arm-syntax-variables for usage details.");
    assert.match(e.message, /^The template resource 'contoso' at line '4' and column '19' is not valid: The template variable 'identityName' is not found\./);
    assert.deepEqual(e.additionalInfo(), { type: 'TemplateViolation', info: { lineNumber: 25, linePosition: 103, path: 'resources[0].dependsOn[0]' } });
    return true;
  });
});

test('seed lines 555-582: deploys once the variable and the identity resource are added', async () => {
  const doc = JSON.parse(read('user-assigned.json')) as { variables?: object; resources: object[] };
  doc.variables = { identityName: 'contosoIdentity' };
  doc.resources.unshift({ type: 'Microsoft.ManagedIdentity/userAssignedIdentities', apiVersion: '2023-01-31', name: "[variables('identityName')]", location: '[resourceGroup().location]' });
  const template = parseTemplate(JSON.stringify(doc, null, 2));
  const scope = { ...fakeScope({ variables: template.variables }), template };
  const [identity, apim] = await expandResources(template, scope);
  const uai = `${RG_ID}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/contosoIdentity`;
  assert.equal(identity!.id, uai);
  assert.deepEqual(apim!.dependsOn, [uai]);
  const body = await apim!.evaluateBody();
  assert.deepEqual(body.identity, { type: 'UserAssigned', userAssignedIdentities: { [uai]: {} } });
});

test('seed lines 660-662: the identity "None" update', async () => {
  const fragment = read('identity-none.fragment.json');
  const doc = JSON.parse(read('system-assigned.json').replace(/"identity": \{\s*"type": "systemAssigned"\s*\}/, fragment.trim()));
  const template = parseTemplate(JSON.stringify(doc));
  const [apim] = await expandResources(template, { ...fakeScope(), template });
  assert.deepEqual((await apim!.evaluateBody()).identity, { type: 'None' });
});
