// OData `$filter`: the parser (precedence, literals, Microsoft.OData's syntax errors with positions),
// the binder against a collection's table (fields, operators, functions), evaluation, and API
// Management's tables and ValidationError.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFilter, ODataFilterError } from '../../src/common/odata-filter.js';
import { compileFilter, type FilterSchema } from '../../src/common/odata-filter-eval.js';
import { APIM_FILTERS, apimFilterOf, applyApimFilter } from '../../src/arm/providers/api-management/filter.js';
import { isAzureError } from '../../src/common/errors.js';
import type { ResourceBody } from '../../src/arm/resource-store.js';

const syntaxError = (text: string, message: string, position: number) => {
  assert.throws(() => parseFilter(text), (e: unknown) => {
    assert.ok(e instanceof ODataFilterError);
    assert.equal(e.message, message);
    assert.equal(e.position, position);
    return true;
  });
};

test('parse: precedence is or < and < comparison < not, parentheses group', () => {
  const e = parseFilter("name eq 'a' or name eq 'b' and not startswith(name,'c')");
  assert.equal(e.kind, 'logical');
  assert.equal(e.kind === 'logical' && e.op, 'or');
  const right = e.kind === 'logical' ? e.right : undefined;
  assert.equal(right?.kind === 'logical' && right.op, 'and');
  const grouped = parseFilter("(name eq 'a' or name eq 'b') and isCurrent eq true");
  assert.equal(grouped.kind === 'logical' && grouped.op, 'and');
});

test('parse: literals — quotes doubled, numbers, booleans, null', () => {
  const e = parseFilter("displayName eq 'O''Brien'");
  assert.deepEqual(e.kind === 'compare' && e.right, { kind: 'literal', value: "O'Brien", edmType: 'Edm.String', pos: 15 });
  const n = parseFilter('x eq -12');
  assert.deepEqual(n.kind === 'compare' && n.right, { kind: 'literal', value: -12, edmType: 'Edm.Int32', pos: 5 });
  assert.equal((parseFilter('x eq 1.5') as any).right.edmType, 'Edm.Decimal');
  assert.equal((parseFilter('x eq true') as any).right.value, true);
  assert.equal((parseFilter('x eq null') as any).right.value, null);
  assert.deepEqual((parseFilter('properties/displayName eq null') as any).left.path, ['properties', 'displayName']);
});

test('parse: lambdas over a collection', () => {
  const e = parseFilter("tags/any(t: t eq 'x')");
  assert.equal(e.kind, 'lambda');
  assert.deepEqual(e.kind === 'lambda' && [e.fn, e.collection, e.variable], ['any', ['tags'], 't']);
  const empty = parseFilter('tags/all()');
  assert.deepEqual(empty.kind === 'lambda' && [empty.fn, empty.body], ['all', undefined]);
});

test("parse: Microsoft.OData's syntax errors name the position", () => {
  syntaxError("name eq 'abc", "There is an unterminated string literal at position 8 in 'name eq 'abc'.", 8);
  syntaxError('name eq "abc"', `Syntax error: character '"' is not valid at position 8 in 'name eq "abc"'.`, 8);
  syntaxError('name eq', "Expression expected at position 7 in 'name eq'.", 7);
  syntaxError('', "Expression expected at position 0 in ''.", 0);
  syntaxError("(name eq 'a'", "')' or operator expected at position 12 in '(name eq 'a''.", 12);
  syntaxError("startswith(name 'a')", "')' or ',' expected at position 16 in 'startswith(name 'a')'.", 16);
  syntaxError("name eqq 'a'", "Syntax error at position 5 in 'name eqq 'a''.", 5);
  syntaxError("name eq 'a')", "Syntax error at position 11 in 'name eq 'a')'.", 11);
  syntaxError("tags/any(t t eq 'a')", "Syntax error at position 11 in 'tags/any(t t eq 'a')'.", 11);
  syntaxError("name add 'a'", "The operator 'add' is not supported at position 5 in 'name add 'a''. Supported operators: eq, ne, gt, ge, lt, le, and, or, not.", 5);
  syntaxError("name in ('a')", "The operator 'in' is not supported at position 5 in 'name in ('a')'. Supported operators: eq, ne, gt, ge, lt, le, and, or, not.", 5);
  syntaxError('('.repeat(150) + 'true' + ')'.repeat(150), 'Recursion depth exceeded allowed limit.', 100);
});

interface Item { name: string; title?: string; on: boolean; labels: string[] }
const SCHEMA: FilterSchema<Item> = {
  fields: {
    name: { type: 'string', operators: ['eq', 'ne', 'gt', 'ge', 'lt', 'le'], functions: ['substringof', 'contains', 'startswith', 'endswith'], value: (i) => i.name },
    title: { type: 'string', operators: ['eq', 'ne'], functions: ['startswith'], value: (i) => i.title },
    on: { type: 'boolean', operators: ['eq', 'ne'], functions: [], value: (i) => i.on },
    labels: { type: 'strings', operators: ['eq', 'ne'], functions: ['startswith', 'any', 'all'], value: (i) => i.labels },
  },
  aliases: { 'properties/title': 'title' },
};
const ITEMS: Item[] = [
  { name: 'alpha', title: 'First API', on: true, labels: ['public', 'v1'] },
  { name: 'Beta', title: "O'Brien", on: false, labels: [] },
  { name: 'gamma', on: true, labels: ['internal'] },
];
const run = (f: string) => ITEMS.filter(compileFilter(f, SCHEMA)).map((i) => i.name);
const bindError = (f: string, message: string | RegExp) => assert.throws(() => compileFilter(f, SCHEMA), (e: unknown) => {
  assert.ok(e instanceof ODataFilterError);
  if (typeof message === 'string') assert.equal(e.message, message); else assert.match(e.message, message);
  return true;
});

test('evaluate: comparisons ignore case, literal on either side, null for a missing value', () => {
  assert.deepEqual(run("name eq 'ALPHA'"), ['alpha']);
  assert.deepEqual(run("name ne 'alpha'"), ['Beta', 'gamma']);
  assert.deepEqual(run("name ge 'beta'"), ['Beta', 'gamma']);
  assert.deepEqual(run("'beta' lt name"), ['gamma']);
  assert.deepEqual(run('title eq null'), ['gamma']);
  assert.deepEqual(run('title ne null'), ['alpha', 'Beta']);
  assert.deepEqual(run("title eq 'o''brien'"), ['Beta']);
  assert.deepEqual(run("Properties/Title eq 'first api'"), ['alpha'], 'field names and the properties/ alias ignore case');
  assert.deepEqual(run('on eq false'), ['Beta']);
  assert.deepEqual(run('on'), ['alpha', 'gamma']);
  assert.deepEqual(run('not on'), ['Beta']);
});

test('evaluate: functions, and/or/not, parentheses', () => {
  assert.deepEqual(run("startswith(name,'a')"), ['alpha']);
  assert.deepEqual(run("endswith(name,'TA')"), ['Beta']);
  assert.deepEqual(run("contains(name,'mm')"), ['gamma']);
  assert.deepEqual(run("substringof('ph', name)"), ['alpha']);
  assert.deepEqual(run("startswith(title,'f')"), ['alpha']);
  assert.deepEqual(run("not startswith(name,'a') and on eq true"), ['gamma']);
  assert.deepEqual(run("name eq 'alpha' or name eq 'gamma' and on eq false"), ['alpha']);
  assert.deepEqual(run("(name eq 'alpha' or name eq 'gamma') and on eq true"), ['alpha', 'gamma']);
  assert.deepEqual(run("not (name eq 'alpha')"), ['Beta', 'gamma']);
});

test('evaluate: any and all over a collection', () => {
  assert.deepEqual(run("labels/any(t: t eq 'PUBLIC')"), ['alpha']);
  assert.deepEqual(run("labels/any(l: startswith(l,'in'))"), ['gamma']);
  assert.deepEqual(run("labels/all(t: t ne 'internal')"), ['alpha', 'Beta']);
  assert.deepEqual(run('labels/any()'), ['alpha', 'gamma']);
  assert.deepEqual(run("labels/any(t: t eq 'v1') and on"), ['alpha']);
});

test('bind: fields, operators and functions outside the table are refused with the position', () => {
  bindError("path eq 'a'", "Filtering by 'path' is not supported (position 0 in 'path eq 'a''). Supported fields: name, title, on, labels.");
  bindError("properties/name eq 'a'", /^Filtering by 'properties\/name' is not supported/);
  bindError("title gt 'a'", "The operator 'gt' is not supported for 'title' (position 6 in 'title gt 'a''). Supported operators for 'title': eq, ne.");
  bindError("contains(title,'a')", "The function 'contains' is not supported for 'title' (position 0 in 'contains(title,'a')'). Supported functions for 'title': startswith.");
  bindError('on gt true', /^The operator 'gt' is not supported for 'on'/);
  bindError("tolower(name) eq 'a'", /^The function 'tolower' is not supported \(position 0 in /);
  bindError("name/any(t: t eq 'a')", "'any' at position 5 in 'name/any(t: t eq 'a')' applies to a collection field; 'name' is not one.");
  bindError("labels/any(t: contains(t,'a'))", /^The function 'contains' is not supported for 'labels'/);
  bindError("labels/any(t: t gt 'a')", /^The operator 'gt' is not supported for 'labels'/);
  bindError('name eq title', "The comparison at position 5 in 'name eq title' must compare a field with a literal value.");
  bindError("'a' eq 'a'", /^The comparison at position 4/);
  bindError("startswith('a', name)", "The function 'startswith' at position 0 in 'startswith('a', name)' must be called as startswith(field, 'text').");
});

test("bind: Microsoft.OData's binder texts for type errors", () => {
  bindError("labels eq 'x'", "The operand for a binary operator 'Equal' is not a single value. Binary operators require both operands to be single values.");
  bindError("on eq 'true'", "A binary operator with incompatible types was detected. Found operand types 'Edm.Boolean' and 'Edm.String' for operator kind 'Equal'.");
  bindError('name eq 1', "A binary operator with incompatible types was detected. Found operand types 'Edm.String' and 'Edm.Int32' for operator kind 'Equal'.");
  bindError("name and on", "A binary operator with incompatible types was detected. Found operand types 'Edm.String' and 'Edm.Boolean' for operator kind 'And'.");
  bindError('not name', "A unary operator with an incompatible type was detected. Found operand type 'Edm.String' for operator kind 'Not'.");
  bindError('name', 'The $filter expression must evaluate to a single boolean value.');
  bindError("startswith(name)", "No function signature for the function with name 'startswith' matches the specified arguments. The function signatures considered are: startswith(Edm.String Nullable=true, Edm.String Nullable=true).");
  bindError("startswith(name, 1)", /^No function signature for the function with name 'startswith'/);
  bindError("startswith(labels, 'a')", "The argument for an invocation of a function with name 'startswith' is not a single value. All arguments for this function must be single values.");
});

const doc = (type: string, name: string, properties: Record<string, unknown>): ResourceBody => ({ id: `/x/${name}`, type, name, properties });

test("API Management: each collection's table from the 2024-05-01 specs", () => {
  const fields = (t: string) => Object.keys(APIM_FILTERS[`Microsoft.ApiManagement/service/${t}`].fields);
  assert.deepEqual(fields('apis'), ['name', 'displayName', 'description', 'serviceUrl', 'path', 'isCurrent']);
  assert.deepEqual(fields('products/apis'), ['name', 'displayName', 'description', 'serviceUrl', 'path']);
  assert.deepEqual(fields('apis/operations'), ['name', 'displayName', 'method', 'description', 'urlTemplate']);
  assert.deepEqual(fields('namedValues'), ['tags', 'displayName']);
  assert.deepEqual(fields('products'), ['name', 'displayName', 'description', 'terms', 'state']);
  assert.deepEqual(fields('subscriptions'), ['name', 'displayName', 'stateComment', 'ownerId', 'scope', 'userId', 'productId', 'state']);
  assert.deepEqual(fields('backends'), ['name', 'title', 'url']);
});

test('API Management: filters stored documents; userId and productId come from ownerId and scope', () => {
  const S = 'Microsoft.ApiManagement/service/subscriptions';
  const svc = '/subscriptions/s/resourceGroups/g/providers/Microsoft.ApiManagement/service/a';
  const subs = [
    doc(S, 'one', { displayName: 'One', state: 'active', scope: `${svc}/products/starter`, ownerId: `${svc}/users/alice` }),
    doc(S, 'two', { displayName: 'Two', state: 'suspended', scope: `${svc}/apis` }),
  ];
  const q = (f: string) => new URLSearchParams({ $filter: f });
  assert.deepEqual(applyApimFilter(q("productId eq 'starter'"), S, subs).map((d) => d.name), ['one']);
  assert.deepEqual(applyApimFilter(q("userId eq 'ALICE'"), S, subs).map((d) => d.name), ['one']);
  assert.deepEqual(applyApimFilter(q("state eq 'suspended'"), S, subs).map((d) => d.name), ['two']);
  assert.deepEqual(applyApimFilter(q("endswith(properties/scope,'/apis')"), S, subs).map((d) => d.name), ['two']);
  assert.deepEqual(applyApimFilter(new URLSearchParams(), S, subs).length, 2);
  const N = 'Microsoft.ApiManagement/service/namedValues';
  const nvs = [doc(N, 'a', { displayName: 'a', tags: ['x', 'y'] }), doc(N, 'b', { displayName: 'b', tags: [] })];
  assert.deepEqual(applyApimFilter(q("tags/any(t: t eq 'y')"), N, nvs).map((d) => d.name), ['a']);
});

test('API Management: a bad filter is 400 ValidationError with the message', () => {
  const expectError = (query: URLSearchParams, type: string, message: string | RegExp) => assert.throws(() => apimFilterOf(query, type), (e: unknown) => {
    assert.ok(isAzureError(e));
    assert.equal(e.status, 400);
    assert.equal(e.code, 'ValidationError');
    if (typeof message === 'string') assert.equal(e.message, message); else assert.match(e.message, message);
    return true;
  });
  // As Azure answers it (Azure/azure-docs#94849).
  expectError(new URLSearchParams({ $filter: "tags eq 'x'" }), 'Microsoft.ApiManagement/service/namedValues',
    "The operand for a binary operator 'Equal' is not a single value. Binary operators require both operands to be single values.");
  expectError(new URLSearchParams({ $filter: "state gt 'a'" }), 'Microsoft.ApiManagement/service/products', /^The operator 'gt' is not supported for 'state'/);
  expectError(new URLSearchParams({ $filter: "name eq 'a'" }), 'Microsoft.ApiManagement/service/namedValues', /^Filtering by 'name' is not supported .* Supported fields: tags, displayName\.$/);
  expectError(new URLSearchParams([['$filter', "name eq 'a'"], ['$filter', "name eq 'b'"]]), 'Microsoft.ApiManagement/service/apis',
    "Query option '$filter' was specified more than once, but it must be specified at most once.");
  expectError(new URLSearchParams({ $filter: 'true' }), 'Microsoft.ApiManagement/service/policies', '$filter is not supported when listing Microsoft.ApiManagement/service/policies.');
});
