// The JSON depth scan (#10 finding 9): it must agree with the real nesting of any JSON text, brackets
// inside strings and escaped quotes included, so no deep body slips past it and no shallow one is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { jsonDepthExceededAt } from '../../../src/common/json-depth.js';
import { fuzzParameters } from '../../helpers/fuzz.js';

function depth(v: unknown): number {
  if (v === null || typeof v !== 'object') return 0;
  const children = Array.isArray(v) ? v : Object.values(v);
  return 1 + children.reduce<number>((m, c) => Math.max(m, depth(c)), 0);
}

test('agrees with the value\'s nesting for any JSON (strings with brackets and escapes included)', () => {
  const tricky = fc.constantFrom('[', ']', '{', '}', '"', '\\', '\\"[', '}\\\\"{');
  fc.assert(fc.property(fc.jsonValue({ maxDepth: 8 }), fc.array(tricky, { maxLength: 4 }), fc.nat({ max: 8 }), (value, noise, max) => {
    const text = JSON.stringify({ s: noise.join(''), v: value });
    const real = depth(JSON.parse(text));
    assert.equal(jsonDepthExceededAt(text, max) >= 0, real > max, `${text} depth ${real} max ${max}`);
  }), fuzzParameters(300));
});

test('20,000 levels are found at the 65th bracket, without recursion', () => {
  assert.equal(jsonDepthExceededAt('['.repeat(20_000) + ']'.repeat(20_000)), 64);
  assert.equal(jsonDepthExceededAt('{"a":'.repeat(64) + '1' + '}'.repeat(64)), -1);
  assert.equal(jsonDepthExceededAt('"' + '['.repeat(1000) + '"'), -1, 'brackets in a string do not count');
});
