// Binding deployment parameters: types, defaults (evaluated, reading other parameters), allowedValues,
// length and value limits, unknown names, secure parameters, Key Vault references; Azure's messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bindParameters, isTemplateError, parseTemplate } from '../../../../src/arm/templates/language/index.js';
import { fakeScope } from './fake-scope.js';

const template = parseTemplate(`{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "parameters": {
    "name": { "type": "string", "minLength": 3, "maxLength": 5 },
    "count": { "type": "int", "defaultValue": 2, "minValue": 1, "maxValue": 3 },
    "sku": { "type": "String", "allowedValues": ["Developer", "Premium"], "defaultValue": "Developer" },
    "location": { "type": "string", "defaultValue": "[resourceGroup().location]" },
    "full": { "type": "string", "defaultValue": "[concat(parameters('name'), '-', parameters('location'))]" },
    "stamp": { "type": "string", "defaultValue": "[utcNow('yyyy')]" },
    "id": { "type": "string", "defaultValue": "[newGuid()]" },
    "secret": { "type": "securestring", "defaultValue": "" },
    "flags": { "type": "array", "allowedValues": ["a", "b"], "defaultValue": ["a"] },
    "settings": { "type": "secureObject", "defaultValue": {} },
    "enabled": { "type": "bool", "defaultValue": true }
  },
  "resources": []
}`);

test('defaults are evaluated (scope functions, other parameters, utcNow/newGuid); secure ones are listed', async () => {
  const b = await bindParameters(template, { name: { value: 'abc' } }, fakeScope());
  assert.equal(b.values.count, 2);
  assert.equal(b.values.location, 'westus');
  assert.equal(b.values.full, 'abc-westus');
  assert.equal(b.values.stamp, String(new Date().getUTCFullYear()));
  assert.match(String(b.values.id), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.deepEqual(b.secure, ['secret', 'settings']);
  assert.equal(b.types.sku, 'string');
});

test('raw values and {value} both bind; names match case-insensitively', async () => {
  const b = await bindParameters(template, { NAME: 'abcd', count: { value: 3 } }, fakeScope());
  assert.equal(b.values.name, 'abcd');
  assert.equal(b.values.count, 3);
});

test('a Key Vault reference is handed back to the engine', async () => {
  const b = await bindParameters(template, { name: 'abc', secret: { reference: { keyVault: { id: '/subscriptions/s/resourceGroups/g/providers/Microsoft.KeyVault/vaults/v' }, secretName: 'pw' } } }, fakeScope());
  assert.deepEqual(b.keyVaultReferences.secret, { keyVaultId: '/subscriptions/s/resourceGroups/g/providers/Microsoft.KeyVault/vaults/v', secretName: 'pw' });
  assert.equal('secret' in b.values, false);
});

const REFUSED: [string, Record<string, unknown>, string, RegExp][] = [
  ['missing value', {}, 'parameters.name', /^The value for the template parameter 'name' at line '5' and column '13' is not provided\. Please see https:\/\/aka\.ms\/arm-deploy\/#parameter-file for usage details\.$/],
  ['unknown name', { name: 'abc', nope: 1, other: 2 }, 'parameters', /^The template parameters 'nope, other' in the parameters file are not valid; they are not present in the original template and can therefore not be provided at deployment time\. The only supported parameters for this template are 'name, count, sku, location, full, stamp, id, secret, flags, settings, enabled'\./],
  ['wrong type', { name: 'abc', count: '2' }, 'parameters.count', /^Template parameter JToken type is not valid\. Expected 'Integer'\. Actual 'String'\./],
  ['wrong type (bool)', { name: 'abc', enabled: 'true' }, 'parameters.enabled', /Expected 'Boolean'\. Actual 'String'/],
  ['not allowed', { name: 'abc', sku: 'Basic' }, 'parameters.sku', /^The provided value for the template parameter 'sku' is not valid\. The value 'Basic' is not part of the allowed value\(s\): 'Developer,Premium'\./],
  ['array element not allowed', { name: 'abc', flags: ['a', 'c'] }, 'parameters.flags', /The value 'c' is not part of the allowed value\(s\): 'a,b'/],
  ['too short', { name: 'ab' }, 'parameters.name', /^The provided value for the template parameter 'name' at line '5' and column '13' is not valid\. Length of the value should be greater than or equal to '3'\./],
  ['too long', { name: 'abcdef' }, 'parameters.name', /Length of the value should be less than or equal to '5'/],
  ['too small', { name: 'abc', count: 0 }, 'parameters.count', /Value should be greater than or equal to '1'/],
  ['too big', { name: 'abc', count: 4 }, 'parameters.count', /Value should be less than or equal to '3'/],
];

for (const [what, given, path, message] of REFUSED) {
  test(`refused: ${what}`, async () => {
    await assert.rejects(bindParameters(template, given, fakeScope()), (e: unknown) => {
      assert.ok(isTemplateError(e), String(e));
      assert.equal(e.code, 'InvalidTemplate');
      assert.equal(e.path, path);
      assert.match(e.message, message);
      return true;
    });
  });
}

test('defaults may not read variables, reference() or each other in a cycle', async () => {
  const t = (defaults: string) => parseTemplate(`{"$schema":"x","contentVersion":"1.0.0.0","variables":{"v":"x"},"parameters":${defaults},"resources":[]}`);
  await assert.rejects(bindParameters(t(`{"a":{"type":"string","defaultValue":"[variables('v')]"}}`), {}, fakeScope()), /The template function 'variables' is not expected at this location/);
  await assert.rejects(bindParameters(t(`{"a":{"type":"object","defaultValue":"[reference('x')]"}}`), {}, fakeScope()), /The template function 'reference' is not expected at this location/);
  await assert.rejects(bindParameters(t(`{"a":{"type":"string","defaultValue":"[parameters('b')]"},"b":{"type":"string","defaultValue":"[parameters('a')]"}}`), {}, fakeScope()), /reference each other in a cycle/);
});

test('template shape: $schema/contentVersion required, parameter types checked, JSON faults located', () => {
  assert.throws(() => parseTemplate('{"contentVersion":"1.0.0.0"}'), /Required property '\$schema' not found in JSON/);
  assert.throws(() => parseTemplate('{"$schema":"x","contentVersion":"1.0.0.0","parameters":{"p":{"type":"text"}}}'), (e: unknown) => {
    assert.ok(isTemplateError(e));
    assert.equal(e.path, 'parameters.p.type');
    assert.match(e.detail, /has an invalid type 'text'/);
    return true;
  });
  assert.throws(() => parseTemplate('{\n  "$schema": "x",\n  "contentVersion": "1.0.0.0",\n  "resources": [ { "type": "a" ]\n}'), (e: unknown) => {
    assert.ok(isTemplateError(e));
    assert.equal(e.line, 4);
    assert.match(e.detail, /After parsing a value an unexpected character was encountered: \]\. Line 4, position 32\./);
    return true;
  });
  assert.throws(() => parseTemplate('{"$schema":"x","$schema":"y","contentVersion":"1.0.0.0"}'), /Property with the same name already exists/);
  // Comments are accepted, as ARM accepts them.
  assert.equal(parseTemplate('// c\n{"$schema":"x", /* c */ "contentVersion":"1.0.0.0"}').contentVersion, '1.0.0.0');
});
