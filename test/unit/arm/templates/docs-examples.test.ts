// Every example template of Microsoft's template-function reference pages that has documented outputs:
// parsed, parameters bound to their defaults, outputs evaluated, compared with the page's output table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { bindParameters, evaluateOutputs, parseTemplate } from '../../../../src/arm/templates/language/index.js';
import { fakeScope, RG_ID, SUB } from './fake-scope.js';

const DOCS = path.resolve('test/fixtures/templates/docs');
const PAGE = 'https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-';

interface Row { file: string; output: string; expected: unknown; page: string; given?: Record<string, unknown> }
const rows = (file: string, page: string, outputs: Record<string, unknown>, given?: Record<string, unknown>): Row[] =>
  Object.entries(outputs).map(([output, expected]) => ({ file, output, expected, page: PAGE + page, given }));

const TABLE: Row[] = [
  ...rows('string/base64.json', 'string#base64', { base64Output: 'b25lLCB0d28sIHRocmVl', toStringOutput: 'one, two, three', toJsonOutput: { one: 'a', two: 'b' } }),
  ...rows('array/concat-array.json', 'string#concat', { return: ['1-1', '1-2', '1-3', '2-1', '2-2', '2-3'] }),
  ...rows('array/contains.json', 'string#contains', { stringTrue: true, stringFalse: false, objectTrue: true, objectFalse: false, arrayTrue: true, arrayFalse: false }),
  ...rows('string/datauri.json', 'string#datauri', { dataUriOutput: 'data:text/plain;charset=utf8;base64,SGVsbG8=', toStringOutput: 'Hello, World!' }),
  ...rows('array/empty.json', 'string#empty', { arrayEmpty: true, objectEmpty: true, stringEmpty: true }),
  ...rows('string/startsendswith.json', 'string#endswith', { startsTrue: true, startsCapTrue: true, startsFalse: false, endsTrue: true, endsCapTrue: true, endsFalse: false }),
  ...rows('array/first.json', 'string#first', { arrayOutput: 'one', stringOutput: 'O' }),
  ...rows('string/format.json', 'string#format', { formatTest: 'Hello, User. Formatted number: 8,175,133' }),
  ...rows('string/indexof.json', 'string#indexof', { firstT: 0, lastT: 3, firstString: 2, lastString: 0, notFound: -1 }),
  ...rows('array/last.json', 'string#last', { arrayOutput: 'three', stringOutput: 'e' }),
  ...rows('array/length.json', 'string#length', { arrayLength: 3, stringLength: 13, objectLength: 4 }),
  ...rows('string/padleft.json', 'string#padleft', { stringOutput: '0000000123' }),
  ...rows('string/replace.json', 'string#replace', { firstOutput: '1231231234', secondOutput: '123-123-xxxx' }),
  ...rows('array/skip.json', 'string#skip', { arrayOutput: ['three'], stringOutput: 'two three' }),
  ...rows('string/split.json', 'string#split', { firstOutput: ['one', 'two', 'three'], secondOutput: ['one', 'two', 'three'] }),
  ...rows('string/string.json', 'string#string', { objectOutput: '{"valueA":10,"valueB":"Example Text"}', arrayOutput: '["a","b","c"]', intOutput: '5' }),
  ...rows('string/substring.json', 'string#substring', { substringOutput: 'two' }),
  ...rows('array/take.json', 'string#take', { arrayOutput: ['one', 'two'], stringOutput: 'on' }),
  ...rows('string/tolower.json', 'string#tolower', { toLowerOutput: 'one two three', toUpperOutput: 'ONE TWO THREE' }),
  ...rows('string/trim.json', 'string#trim', { return: 'one two three' }),
  ...rows('string/uri.json', 'string#uri', {
    uriOutput: 'http://contoso.com/resources/nested/azuredeploy.json',
    componentOutput: 'http%3A%2F%2Fcontoso.com%2Fresources%2Fnested%2Fazuredeploy.json',
    toStringOutput: 'http://contoso.com/resources/nested/azuredeploy.json',
  }),
  ...rows('string/join.json', 'string#join', { firstOutput: 'one,two,three', secondOutput: 'one;two;three' }),
  ...rows('array/array.json', 'array#array', { intOutput: [1], stringOutput: ['efgh'], objectOutput: [{ a: 'b', c: 'd' }] }),
  ...rows('array/createarray.json', 'array#createarray', {
    stringArray: ['a', 'b', 'c'], intArray: [1, 2, 3], objectArray: [{ one: 'a', two: 'b', three: 'c' }], arrayArray: [['one', 'two', 'three']], emptyArray: [],
  }),
  ...rows('array/intersection.json', 'array#intersection', { objectOutput: { one: 'a', three: 'c' }, arrayOutput: ['two', 'three'] }),
  ...rows('array/range.json', 'array#range', { rangeOutput: [5, 6, 7] }),
  ...rows('array/union.json', 'array#union', { objectOutput: { one: 'a', two: 'b', three: 'c2', four: 'd', five: 'e' }, arrayOutput: ['one', 'two', 'three', 'four'] }),
  ...rows('comparison/coalesce.json', 'comparison#coalesce', { stringOutput: 'default', intOutput: 1, objectOutput: { first: 'default' }, arrayOutput: [1], emptyOutput: true }),
  ...rows('comparison/equals.json', 'comparison#equals', { checkInts: true, checkStrings: false, checkArrays: true, checkObjects: true }),
  ...rows('comparison/greater.json', 'comparison#greater', { checkInts: false, checkStrings: true }),
  ...rows('comparison/greaterorequals.json', 'comparison#greaterorequals', { checkInts: false, checkStrings: true }),
  ...rows('comparison/less.json', 'comparison#less', { checkInts: true, checkStrings: false }),
  ...rows('comparison/lessorequals.json', 'comparison#lessorequals', { checkInts: true, checkStrings: false }),
  ...rows('logical/andornot.json', 'logical#and', { andExampleOutput: false, orExampleOutput: true, notExampleOutput: false }),
  ...rows('logical/bool.json', 'logical#bool', { trueString: true, falseString: false, trueInt: true, falseInt: false }),
  ...rows('logical/false.json', 'logical#false', { falseOutput: false }),
  ...rows('logical/if.json', 'logical#if', { yesOutput: 'yes', noOutput: 'no', objectOutput: { test: 'value1' } }),
  ...rows('logical/not-equals.json', 'logical#not', { checkNotEquals: true }),
  ...rows('logical/true.json', 'logical#true', { trueOutput: true }),
  ...rows('numeric/add.json', 'numeric#add', { addResult: 8 }),
  ...rows('numeric/div.json', 'numeric#div', { divResult: 2 }),
  ...rows('numeric/int.json', 'numeric#int', { intResult: 4 }),
  ...rows('numeric/max.json', 'numeric#max', { arrayOutput: 5, intOutput: 5 }),
  ...rows('numeric/min.json', 'numeric#min', { arrayOutput: 0, intOutput: 0 }),
  ...rows('numeric/mod.json', 'numeric#mod', { modResult: 1 }),
  ...rows('numeric/mul.json', 'numeric#mul', { mulResult: 45 }),
  ...rows('numeric/sub.json', 'numeric#sub', { subResult: 4 }),
  ...rows('object/createobject.json', 'object#createobject', { newObject: { intProp: 1, stringProp: 'abc', boolProp: true, arrayProp: ['a', 'b', 'c'], objectProp: { key1: 'value1' } } }),
  ...rows('object/json.json', 'object#json', {
    emptyObjectOutput: true, objectOutput: { a: 'b' }, stringOutput: 'test', booleanOutput: true, intOutput: 3, arrayOutput: [1, 2, 3], concatObjectOutput: { a: 'demo value' },
  }),
  ...rows('object/null.json', 'object#null', { emptyOutput: true }),
  ...rows('deployment/parameters.json', 'deployment#parameters', { stringOutput: 'option 1', intOutput: 1, objectOutput: { one: 'a', two: 'b' }, arrayOutput: [1, 2, 3], crossOutput: 'option 1' }),
  ...rows('deployment/variables.json', 'deployment#variables', { exampleOutput1: 'myVariable', exampleOutput2: [1, 2, 3, 4], exampleOutput3: 'myVariable', exampleOutput4: { property1: 'value1', property2: 'value2' } }),
  // The page's ids use its own subscription and group; the shape is what it documents.
  ...rows('resource/resourceid.json', 'resource#resourceid', {
    sameRGOutput: `${RG_ID}/providers/Microsoft.Storage/storageAccounts/examplestorage`,
    differentRGOutput: `/subscriptions/${SUB}/resourceGroups/otherResourceGroup/providers/Microsoft.Storage/storageAccounts/examplestorage`,
    differentSubOutput: '/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/otherResourceGroup/providers/Microsoft.Storage/storageAccounts/examplestorage',
    nestedResourceOutput: `${RG_ID}/providers/Microsoft.SQL/servers/serverName/databases/databaseName`,
  }),
  ...rows('resource/extensionresourceid.json', 'resource#extensionresourceid', { lockResourceId: `${RG_ID}/providers/Microsoft.Authorization/locks/mylock` }, { lockName: { value: 'mylock' } }),
];

const cache = new Map<string, Promise<Record<string, { type: string; value: unknown }>>>();
function outputsOf(file: string, given: Record<string, unknown> = {}) {
  let p = cache.get(file);
  if (!p) {
    p = (async () => {
      const template = parseTemplate(fs.readFileSync(path.join(DOCS, file), 'utf8'));
      const scope = fakeScope({ variables: template.variables });
      const bound = await bindParameters(template, given, { ...scope, template });
      return evaluateOutputs(template, { ...scope, parameters: bound.values, template });
    })();
    cache.set(file, p);
  }
  return p;
}

for (const row of TABLE) {
  test(`${row.file} ${row.output} (${row.page})`, async () => {
    const outputs = await outputsOf(row.file, row.given);
    assert.ok(row.output in outputs, `output ${row.output} missing`);
    assert.deepEqual(outputs[row.output]!.value, row.expected);
  });
}

test('every documented example template of these pages is in the table', () => {
  const files = fs.readdirSync(DOCS, { recursive: true }).map(String).filter((f) => f.endsWith('.json'));
  const covered = new Set(TABLE.map((r) => r.file));
  // Examples whose outputs depend on the page author's subscription, time or randomness are tested
  // elsewhere (functions.test.ts, resources.test.ts) or deploy resources rather than print outputs.
  const elsewhere = new Set(['string/guid.json', 'string/uniquestring.json', 'string/concat-string.json', 'string/newguid.json',
    'deployment/deployment.json', 'deployment/deploymentsubscription.json', 'numeric/copyindex.json', 'resource/resourcegroup.json',
    'resource/subscription.json', 'resource/subscriptionresourceid.json', 'resource/tenantresourceid.json']);
  const missing = files.filter((f) => !covered.has(f) && !elsewhere.has(f));
  assert.deepEqual(missing, []);
});
