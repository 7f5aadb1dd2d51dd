// Property tests of the URL template matcher: random templates (literals, parameters, wildcards) and
// paths over a small alphabet that makes near-misses likely. The matcher agrees with a reference
// regular expression (the gateway's former matcher) on short inputs, and answers long adversarial
// paths without backtracking (a catastrophic case would hang the test into its timeout).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compileTemplate, matchRoute, urlTemplateProblem } from '../../src/gateway/runtime/router.js';
import { fuzzParameters, fuzzTimeout } from '../helpers/fuzz.js';

const op = (urlTemplate: string) => ({ apiName: 'a', name: 'o', displayName: 'o', method: 'GET', urlTemplate, templateParameters: [] });

type Part = { kind: 'lit'; text: string } | { kind: 'param' } | { kind: 'wild'; named: boolean };
const part: fc.Arbitrary<Part> = fc.oneof(
  { weight: 3, arbitrary: fc.stringMatching(/^[\/ax.\-]{1,4}$/).map((text) => ({ kind: 'lit' as const, text })) },
  { weight: 2, arbitrary: fc.constant({ kind: 'param' as const }) },
  { weight: 1, arbitrary: fc.boolean().map((named) => ({ kind: 'wild' as const, named })) },
);

function render(parts: Part[]): string {
  let n = 0;
  return '/' + parts.map((p) => (p.kind === 'lit' ? p.text : p.kind === 'param' ? `{p${n++}}` : p.named ? `{*w${n++}}` : '*')).join('');
}

/** The reference: the regex the gateway used before (fine on short inputs), with captures by name. */
function reference(template: string, path: string): Record<string, string> | null | undefined {
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const names: string[] = [];
  let re = '';
  for (const part of template.split(/(\{[^{}]+\}|\*)/)) {
    if (part === '*') { re += '.*'; continue; }
    const m = /^\{(\*?)([^{}]+)\}$/.exec(part);
    if (m) { names.push(m[2]); re += m[1] ? '(.*)' : '([^/]+)'; continue; }
    re += escape(part);
  }
  re = re.replace(/\/$/, '');
  const match = new RegExp(`^${re}/?$`, 'i').exec(path === '' ? '/' : path);
  if (!match) return null;
  if (names.length === 0) return undefined;
  const out: Record<string, string> = {};
  names.forEach((n, i) => { if (match[i + 1] !== undefined) out[n] = decodeURIComponent(match[i + 1]); });
  return out;
}

test('fuzz: the template matcher agrees with the reference regex on short inputs; refused templates are exactly the adjacent ones', { timeout: fuzzTimeout() }, () => {
  fc.assert(fc.property(fc.array(part, { minLength: 0, maxLength: 6 }), fc.stringMatching(/^\/[\/ax.\-A]{0,12}$/), (parts, path) => {
    const template = render(parts);
    const adjacent = parts.some((p, i) => i > 0 && p.kind !== 'lit' && parts[i - 1].kind !== 'lit');
    const problem = urlTemplateProblem(template);
    assert.equal(problem !== undefined, adjacent, `${template}: ${problem}`);
    if (adjacent) { assert.throws(() => compileTemplate(op(template)), /adjacent/); return; }
    const route = compileTemplate(op(template));
    assert.deepEqual(matchRoute(route, path, ''), reference(template, path), `${template} on ${path}`);
  }), fuzzParameters(3000));
});

test('fuzz: long near-miss paths are answered in one pass (no catastrophic backtracking)', { timeout: fuzzTimeout() }, () => {
  fc.assert(fc.property(fc.array(part, { minLength: 1, maxLength: 16 }), fc.constantFrom('x', 'a', 'xa', 'x.', '-x'), fc.integer({ min: 100, max: 3000 }), fc.constantFrom('', 'y', '/', '/y'),
    (parts, unit, n, tail) => {
      const template = render(parts);
      if (urlTemplateProblem(template)) return;
      const route = compileTemplate(op(template));
      const r = matchRoute(route, `/${unit.repeat(Math.ceil(n / unit.length))}${tail}`, '');
      assert.ok(r === null || r === undefined || typeof r === 'object');
    }), fuzzParameters(300));
});
