// Property tests of the OData `$filter` parser (src/common/odata-filter.ts): random token soups, filters
// built from its grammar, and deep nesting. Whatever the text, parseFilter returns an expression or
// throws ODataFilterError with a position inside the text (never another error, never hangs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseFilter, ODataFilterError } from '../../src/common/odata-filter.js';
import { fuzzParameters, fuzzTimeout } from '../helpers/fuzz.js';

const TOKENS = ['name', 'properties/displayName', 'tags', 'eq', 'ne', 'gt', 'ge', 'lt', 'le', 'and', 'or', 'not', '(', ')', ',', ':', '/',
  "'a'", "'it''s'", "'", '1', '-1', '1.5', '1e9', 'true', 'false', 'null', 'startswith(', 'endswith(', 'contains(', 'substringof(',
  'tags/any(t:', 't', 'all(', 'any()', ' ', '  ', "datetime'2020-01-01'", 'guid', '$it', '@p', '9999999999999999999999'];

function check(text: string): void {
  try {
    parseFilter(text);
  } catch (e) {
    assert.ok(e instanceof ODataFilterError, `parseFilter(${JSON.stringify(text.slice(0, 80))}) threw ${e instanceof Error ? e.stack : String(e)}`);
    assert.ok(e.position >= -1 && e.position <= text.length, `position ${e.position} outside '${text}'`);
  }
}

const soup = fc.array(fc.constantFrom(...TOKENS), { maxLength: 14 }).map((ts) => ts.join(' '));
const literal = fc.oneof(fc.constantFrom("'a'", '1', 'true', 'null', "'x''y'", '-2.5'), fc.string({ maxLength: 5 }).map((s) => `'${s.replace(/'/g, "''")}'`));
const member = fc.constantFrom('name', 'properties/displayName', 'properties/state', 'id');
const expr: fc.Arbitrary<string> = fc.letrec<{ e: string }>((tie) => ({
  e: fc.oneof({ maxDepth: 6, depthIdentifier: 'expr' },
    fc.tuple(member, fc.constantFrom('eq', 'ne', 'gt', 'ge', 'lt', 'le'), literal).map(([m, op, l]) => `${m} ${op} ${l}`),
    fc.tuple(fc.constantFrom('startswith', 'endswith', 'contains'), member, literal).map(([f, m, l]) => `${f}(${m},${l})`),
    fc.tuple(tie('e'), fc.constantFrom('and', 'or'), tie('e')).map(([a, op, b]) => `${a} ${op} ${b}`),
    tie('e').map((a) => `not ${a}`),
    tie('e').map((a) => `(${a})`),
    tie('e').map((a) => `tags/any(t: ${a.replace(/\bname\b/g, 't')})`)),
})).e;

test('fuzz: $filter token soups parse or throw ODataFilterError with a position in the text', { timeout: fuzzTimeout() }, () => {
  fc.assert(fc.property(soup, check), fuzzParameters(2000));
});

test('fuzz: grammatical filters, and their damaged forms, parse or throw ODataFilterError', { timeout: fuzzTimeout() }, () => {
  fc.assert(fc.property(expr, fc.nat(), fc.nat(6), (text, at, cut) => {
    check(text);
    const i = at % (text.length + 1);
    check(text.slice(0, i) + text.slice(i + cut));
  }), fuzzParameters(1000));
});

test('fuzz: arbitrary text and deep nesting ((((…, not not not …) never escape as another error', { timeout: fuzzTimeout() }, () => {
  fc.assert(fc.property(fc.oneof(fc.string({ maxLength: 60 }), fc.string({ unit: 'binary', maxLength: 40 }),
    fc.tuple(fc.constantFrom('(', 'not ', 'not(', 'tags/any(t: '), fc.integer({ min: 10, max: 20_000 })).map(([t, n]) => `${t.repeat(n)}name eq 'a'${t.includes('(') ? ')'.repeat(n) : ''}`)), check),
  fuzzParameters(200));
});
