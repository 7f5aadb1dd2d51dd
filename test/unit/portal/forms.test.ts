// The portal's pure logic: the deployment form built from a template's parameters (labels, defaults,
// validation, what is sent), and Azure's action matching behind the RBAC-aware buttons.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  deploymentParameters, initialText, parameterError, parameterLabel, parseTemplate, templateParameters,
} from '../../../portal/src/api/templates.js';
import { allows } from '../../../portal/src/api/actions.js';

test('parameter labels as Azure\'s portal writes them', () => {
  assert.equal(parameterLabel('apiManagementServiceName'), 'Api Management Service Name');
  assert.equal(parameterLabel('keyVaultIdToCertificate'), 'Key Vault Id To Certificate');
  assert.equal(parameterLabel('sku'), 'Sku');
  assert.equal(parameterLabel('proxyCustomHostname1'), 'Proxy Custom Hostname1');
});

test('a template that is not JSON is refused, with the line and column where the parser names them', () => {
  assert.match(parseTemplate('{\n  "resources": [\n  }').error ?? '', /^The template is not valid JSON/);
  assert.match(parseTemplate('{\n  "a" 1}').error ?? '', /line 2,? column 7/);
  assert.match(parseTemplate('[]').error ?? '', /must be a JSON object/);
  assert.match(parseTemplate('{}').error ?? '', /no 'resources'/);
  assert.ok(parseTemplate('{"resources": []}').template);
});

test('defaults stay as written and are left out when untouched; typed values are sent typed', () => {
  const { template } = parseTemplate(JSON.stringify({
    resources: [],
    parameters: {
      name: { type: 'string', minLength: 3 },
      location: { type: 'string', defaultValue: '[resourceGroup().location]' },
      count: { type: 'int', defaultValue: 1, minValue: 1, maxValue: 3 },
      on: { type: 'bool', defaultValue: false },
      secret: { type: 'secureString' },
      tags: { type: 'object', defaultValue: { a: 1 } },
      list: { type: 'array' },
    },
  }));
  const params = templateParameters(template!);
  const byName = Object.fromEntries(params.map((p) => [p.name, p]));
  assert.equal(byName.secret.type, 'securestring');
  assert.equal(initialText(byName.location), '[resourceGroup().location]');
  assert.equal(parameterError(byName.name, ''), 'This field is required.');
  assert.match(parameterError(byName.name, 'ab') ?? '', /at least 3/);
  assert.match(parameterError(byName.count, '4') ?? '', /at most 3/);
  assert.match(parameterError(byName.count, '1.5') ?? '', /whole number/);
  assert.match(parameterError(byName.list, '{}') ?? '', /JSON array/);
  assert.equal(parameterError(byName.location, '[resourceGroup().location]'), undefined);
  const sent = deploymentParameters(params, { name: 'abc', count: '2', on: 'true', secret: 's', list: '[1,2]' });
  assert.deepEqual(sent, { name: { value: 'abc' }, count: { value: 2 }, on: { value: true }, secret: { value: 's' }, list: { value: [1, 2] } });
});

test('actions match as Azure\'s role definitions: wildcards, case, notActions, data actions', () => {
  const reader = [{ actions: ['*/read'], notActions: [] }];
  const contributor = [{ actions: ['*'], notActions: ['Microsoft.Authorization/*/Delete', 'Microsoft.Authorization/*/Write'] }];
  assert.equal(allows(reader, 'Microsoft.ManagedIdentity/userAssignedIdentities/read'), true);
  assert.equal(allows(reader, 'Microsoft.ManagedIdentity/userAssignedIdentities/write'), false);
  assert.equal(allows(contributor, 'microsoft.managedidentity/userassignedidentities/write'), true);
  assert.equal(allows(contributor, 'Microsoft.Authorization/roleAssignments/write'), false);
  const secretsUser = [{ actions: [], notActions: [], dataActions: ['Microsoft.KeyVault/vaults/secrets/getSecret/action', 'Microsoft.KeyVault/vaults/secrets/readMetadata/action'], notDataActions: [] }];
  assert.equal(allows(secretsUser, 'Microsoft.KeyVault/vaults/secrets/getSecret/action', true), true);
  assert.equal(allows(secretsUser, 'Microsoft.KeyVault/vaults/secrets/getSecret/action'), false);
  assert.equal(allows([{ actions: ['Microsoft.Web/sites.read'], notActions: [] }], 'Microsoft.Web/sitesxread'), false, 'a dot is not a wildcard');
});
