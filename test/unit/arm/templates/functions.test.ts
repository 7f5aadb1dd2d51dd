// Template functions one expression at a time: Azure's known uniqueString/guid values, the documented
// behaviours not covered by the docs' example templates, the expression syntax, and Azure's errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { armGuid, evaluate, functionNames, isTemplateError, uniqueString } from '../../../../src/arm/templates/language/index.js';
import { fakeScope, RG_ID, SUB } from './fake-scope.js';

const PAGE = 'https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-';

test('uniqueString gives Azure\'s value (Azure/terraform-provider-azapi unique_string_function_test.go, checked against ARM)', () => {
  assert.equal(uniqueString(['/subscriptions/00000000-0000-0000-0000-000000000000', 'resource-id']), 'cwvxuqg24sifi');
});

test('guid is the RFC 4122 v5 UUID of the \'-\'-joined arguments in ARM\'s namespace 11fb06fb-712d-4ddd-98c7-e71bbd588830', () => {
  // Values from Python's uuid.uuid5(UUID('11fb06fb-712d-4ddd-98c7-e71bbd588830'), 'a-b-c') (an independent RFC 4122 implementation).
  assert.equal(armGuid(['a', 'b', 'c']), 'a98fa280-e03f-5afa-8d8e-92d0a9c201e8');
});

interface Row { expr: string; expected?: unknown; error?: RegExp; page?: string; vars?: Record<string, unknown>; params?: Record<string, unknown> }

const ROWS: Row[] = [
  // Syntax
  { expr: '[[literal]', expected: '[literal]', page: 'syntax#escape-characters' },
  { expr: "['it''s']", expected: "it's" },
  { expr: 'plain text', expected: 'plain text' },
  { expr: "[createObject('a', createArray(1, 2))['a'][1]]", expected: 2 },
  { expr: "[json('{\"Key\": {\"x\": 5}}').key.X]", expected: 5 },
  { expr: "[ concat( 'a' , 'b' ) ]", expected: 'ab' },
  { expr: "[concat('a']", error: /^Unable to parse language expression 'concat\('a'': expected token 'RightParenthesis' and actual 'EndOfData'\./ },
  { expr: "[concat('a') 'b']", error: /expected token 'EndOfData' and actual 'String'/ },
  { expr: "[concat('a]", error: /the string literal starting at position '7' is not terminated/ },
  { expr: '[notAFunction()]', error: /^The template function 'notAFunction' is not valid\./ },
  { expr: "[createObject('a', 1).b]", error: /The language expression property 'b' doesn't exist, available properties are 'a'\./ },
  { expr: '[createArray(1, 2)[2]]', error: /The language expression property array index '2' is out of bounds\./ },
  // Functions (case-insensitive names)
  { expr: "[TOLOWER('ABC')]", expected: 'abc' },
  { expr: "[uniqueString('/subscriptions/00000000-0000-0000-0000-000000000000', 'resource-id')]", expected: 'cwvxuqg24sifi', page: 'string#uniquestring' },
  { expr: "[guid('a', 'b', 'c')]", expected: 'a98fa280-e03f-5afa-8d8e-92d0a9c201e8', page: 'string#guid' },
  { expr: "[uniqueString(subscription().subscriptionId)]", expected: uniqueString([SUB]), page: 'string#uniquestring' },
  { expr: "[guid(resourceGroup().id, deployment().name)]", expected: armGuid([RG_ID, 'deploy1']), page: 'string#guid' },
  { expr: '[uniqueString(1)]', error: /Unable to evaluate template language function 'uniqueString'/ },
  { expr: "[concat('vm', 1, true())]", expected: 'vm1True', page: 'string#concat' },
  { expr: "[concat('vm', true)]", error: /expected token 'LeftParenthesis' and actual 'RightParenthesis'/ },
  { expr: "[concat(createArray(1), createArray(2, 3))]", expected: [1, 2, 3], page: 'array#concat' },
  { expr: "[format('{0:D3}-{1}-{{x}}', 5, 'a')]", expected: '005-a-{x}', page: 'string#format' },
  { expr: "[format('{0,5}|{0,-5}|', 'ab')]", expected: '   ab|ab   |' },
  { expr: "[format('{1}', 'a')]", error: /Index \(zero based\) must be greater than or equal to zero and less than the size of the argument list/ },
  { expr: "[substring('1234567890', 0, 11)]", error: /The index and length parameters must refer to a location within the string\. The index parameter: '0', the length parameter: '11', the length of the string parameter: '10'\./, page: 'string#substring' },
  { expr: "[contains('OneTwoThree', 'one')]", expected: false, page: 'string#contains (case-sensitive for strings)' },
  { expr: "[contains(createObject('One', 1), 'one')]", expected: true, page: 'string#contains (case-insensitive for keys)' },
  { expr: "[replace('aAa', 'a', 'b')]", expected: 'bAb' },
  { expr: "[split('a,b', '')]", expected: ['a,b'] },
  { expr: "[base64ToString('not base64!')]", error: /is not a valid base64 string/ },
  { expr: "[empty('')]", expected: true },
  { expr: "[first(createArray())]", expected: null },
  { expr: "[union(createObject('a', createObject('x', 1, 'y', 2)), createObject('a', createObject('y', 3)))]", expected: { a: { x: 1, y: 3 } }, page: 'array#union (nested objects merge)' },
  { expr: "[if(true(), 'a', substring('x', 5, 1))]", expected: 'a', page: 'logical#if (only the chosen branch is evaluated)' },
  { expr: "[if('yes', 1, 2)]", error: /the first parameter must be of type 'Boolean'/ },
  { expr: "[and(true(), 1)]", error: /all parameters must be of type 'Boolean'/ },
  { expr: "[add(9007199254740991, 1)]", error: /overflows/ },
  { expr: '[div(7, -2)]', expected: -3 },
  { expr: '[mod(-7, 3)]', expected: -1 },
  { expr: '[div(1, 0)]', error: /the divisor cannot be zero/ },
  { expr: "[int('-12')]", expected: -12 },
  { expr: "[float('3.5')]", expected: 3.5, page: 'numeric#float' },
  { expr: "[equals(1, json('1.0'))]", expected: true },
  { expr: "[coalesce(null(), null())]", expected: null },
  { expr: "[dateTimeAdd('2020-04-07 14:53:14Z', 'P3Y')]", expected: '4/7/2023 2:53:14 PM', page: 'date#datetimeadd' },
  { expr: "[dateTimeAdd('2020-04-07 14:53:14Z', '-P9D')]", expected: '3/29/2020 2:53:14 PM', page: 'date#datetimeadd' },
  { expr: "[dateTimeAdd('2020-04-07 14:53:14Z', 'PT1H')]", expected: '4/7/2020 3:53:14 PM', page: 'date#datetimeadd' },
  { expr: '[dateTimeFromEpoch(1683040573)]', expected: '2023-05-02T15:16:13Z', page: 'date#datetimefromepoch' },
  { expr: "[dateTimeToEpoch('2023-05-02T15:16:13Z')]", expected: 1683040573, page: 'date#datetimetoepoch' },
  { expr: '[utcNow()]', error: /^The template function 'utcNow' is not expected at this location\./, page: 'date#utcnow' },
  { expr: '[newGuid()]', error: /^The template function 'newGuid' is not expected at this location\./, page: 'string#newguid' },
  { expr: '[copyIndex()]', error: /^The template function 'copyIndex' is not expected at this location\./ },
  // Resource ids at every scope
  { expr: "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet')]", error: /the type 'Microsoft\.Network\/virtualNetworks\/subnets' requires '2' resource name argument\(s\)/ },
  { expr: "[resourceId('vaults', 'x')]", error: /function requires exactly one multi-segmented argument which must be resource type including resource provider namespace\. Current function arguments 'vaults,x'\./ },
  { expr: "[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'acdd72a7-3385-48ef-bd42-f606fba81ae7')]", expected: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7`, page: 'resource#subscriptionresourceid' },
  { expr: "[tenantResourceId('Microsoft.Authorization/policyDefinitions', '0a914e76-4921-4c19-b460-a2d36003525a')]", expected: '/providers/Microsoft.Authorization/policyDefinitions/0a914e76-4921-4c19-b460-a2d36003525a', page: 'resource#tenantresourceid' },
  { expr: "[extensionResourceId(resourceId('Microsoft.KeyVault/vaults', 'v'), 'Microsoft.Authorization/roleAssignments', 'r1')]", expected: `${RG_ID}/providers/Microsoft.KeyVault/vaults/v/providers/Microsoft.Authorization/roleAssignments/r1`, page: 'resource#extensionresourceid' },
  { expr: '[resourceGroup()]', expected: { id: RG_ID, name: 'rg1', type: 'Microsoft.Resources/resourceGroups', location: 'westus', properties: { provisioningState: 'Succeeded' } }, page: 'scope#resourcegroup' },
  { expr: '[subscription().tenantId]', expected: '72f988bf-86f1-41af-91ab-2d7cd011db47', page: 'scope#subscription' },
  { expr: '[environment().suffixes.keyvaultDns]', expected: '.vault.azure.net', page: 'deployment#environment' },
  { expr: "[parameters('missing')]", error: /^The template parameter 'missing' is not found\./ },
  { expr: "[variables('v2')]", vars: { v1: 'x', v2: "[concat(variables('v1'), 'y')]" }, expected: 'xy' },
  { expr: "[variables('a')]", vars: { a: "[variables('b')]", b: "[variables('a')]" }, error: /reference each other in a cycle/ },
  { expr: "[variables('disks')[2].lun]", vars: { copy: [{ name: 'disks', count: 3, input: { lun: "[copyIndex('disks', 10)]" } }] }, expected: 12, page: 'copy-variables' },
  { expr: "[variables('o').items[1]]", vars: { o: { copy: [{ name: 'items', count: 2, input: "[concat('i', copyIndex('items'))]" }] } }, expected: 'i1', page: 'copy-variables (copy in a variable object)' },
];

for (const row of ROWS) {
  test(`${row.expr}${row.page ? ` (${row.page.startsWith('http') ? row.page : PAGE + row.page})` : ''}`, async () => {
    const scope = fakeScope({ variables: row.vars, parameters: row.params });
    const run = evaluate(row.expr, scope, 'outputs.x.value');
    if (row.error) {
      await assert.rejects(run, (e: unknown) => {
        assert.ok(isTemplateError(e), String(e));
        assert.match(e.detail, row.error!);
        assert.equal(e.code, 'InvalidTemplate');
        return true;
      });
    } else {
      assert.deepEqual(await run, row.expected);
    }
  });
}

test('object keys can be expressions; a fault inside names the value\'s path', async () => {
  const scope = fakeScope({ parameters: { id: '/x/y' } });
  assert.deepEqual(await evaluate({ "[parameters('id')]": {}, '[[lit]': 1 }, scope, 'resources[0].identity.userAssignedIdentities'), { '/x/y': {}, '[lit]': 1 });
  await assert.rejects(evaluate({ a: [1, { b: "[parameters('nope')]" }] }, scope, 'resources[0].properties'), (e: unknown) => {
    assert.ok(isTemplateError(e));
    assert.equal(e.path, 'resources[0].properties.a[1].b');
    return true;
  });
});

test('property copy inside properties', async () => {
  const v = await evaluate({ dataDisks: 1, copy: [{ name: 'disks', count: 2, input: { lun: "[copyIndex('disks')]" } }] }, fakeScope(), 'resources[0].properties');
  assert.deepEqual(v, { dataDisks: 1, disks: [{ lun: 0 }, { lun: 1 }] });
});

test('reference() and list*() go to the scope; \'Full\' asks for the whole resource', async () => {
  const id = `${RG_ID}/providers/Microsoft.Storage/storageAccounts/sa`;
  const scope = fakeScope({ resources: { [id]: { id, properties: { primaryEndpoints: { blob: 'https://sa/' } } }, [`${id}#listKeys`]: { keys: [{ value: 'k1' }] } } });
  assert.equal(await evaluate(`[reference('${id}', '2022-09-01').primaryEndpoints.blob]`, scope, 'outputs.a.value'), 'https://sa/');
  assert.equal(await evaluate(`[reference('${id}', '2022-09-01', 'Full').id]`, scope, 'outputs.a.value'), id);
  assert.equal(await evaluate(`[listKeys('${id}', '2022-09-01').keys[0].value]`, scope, 'outputs.a.value'), 'k1');
  assert.deepEqual(scope.calls.map((c) => [c.fn, c.full]), [['reference', false], ['reference', true], ['listKeys', undefined]]);
});

test('the function table covers every function the issue lists', () => {
  const have = new Set(functionNames().map((n) => n.toLowerCase()));
  const listed = ['parameters', 'variables', 'concat', 'format', 'resourceId', 'subscriptionResourceId', 'tenantResourceId', 'extensionResourceId',
    'reference', 'resourceGroup', 'subscription', 'deployment', 'uniqueString', 'guid', 'toLower', 'toUpper', 'replace', 'split', 'substring', 'trim',
    'length', 'empty', 'contains', 'first', 'last', 'union', 'intersection', 'createArray', 'array', 'createObject', 'json', 'string', 'int', 'bool',
    'if', 'equals', 'not', 'and', 'or', 'coalesce', 'greater', 'greaterOrEquals', 'less', 'lessOrEquals', 'add', 'sub', 'mul', 'div', 'mod',
    'base64', 'base64ToString', 'uri', 'uriComponent', 'utcNow', 'newGuid', 'copyIndex'];
  assert.deepEqual(listed.filter((n) => !have.has(n.toLowerCase())), []);
});
