// Property tests of the policy document reader, validator and compiler: random trees of known and
// unknown elements, attributes and text, serialized well or badly, and byte-level mutations of valid
// documents. Whatever the input, validation answers or throws API Management's 400 ValidationError
// (never anything else, never hangs), and a document it accepts compiles.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { validatePolicyDocument } from '../../src/gateway/policy/validate.js';
import { compileDocument } from '../../src/gateway/policy/compile.js';
import { NamedValueTable } from '../../src/gateway/policy/values.js';
import { AzureError } from '../../src/common/errors.js';
import { BackendClient } from '../../src/gateway/runtime/backend.js';
import { MemoryCounterStore, TokenCache, type InstanceServices } from '../../src/gateway/runtime/services.js';
import { silentLogger } from '../../src/common/log.js';
import type { ElementSchema, ScopeKind, Section } from '../../src/gateway/policy/types.js';
import { POLICIES } from '../../src/gateway/policy/registry.js';
import { fuzzParameters, fuzzTimeout } from '../helpers/fuzz.js';

const services: InstanceServices = {
  instanceId: '/subscriptions/x/resourceGroups/rg/providers/Microsoft.ApiManagement/service/fuzz',
  tokens: new TokenCache('fuzz', undefined), backends: new Map([['b1', { name: 'b1', url: 'http://127.0.0.1:1/x', protocol: 'http' }]]),
  counters: new MemoryCounterStore(), client: new BackendClient(), logger: silentLogger,
};
const nv = new NamedValueTable([{ name: 'nv', displayName: 'nv', secret: false, value: 'http://127.0.0.1:1/' }, { name: 'num', displayName: 'num', secret: false, value: '5' }]);

const POLICY_NAMES = ['authentication-managed-identity', 'check-header', 'choose', 'cors', 'forward-request', 'mock-response', 'rate-limit',
  'rate-limit-by-key', 'return-response', 'rewrite-uri', 'send-request', 'set-backend-service', 'set-body', 'set-header',
  'set-query-parameter', 'set-status', 'set-variable', 'trace', 'validate-jwt', 'base'];
const CHILD_NAMES = ['when', 'otherwise', 'value', 'set-url', 'set-method', 'set-header', 'set-body', 'set-status', 'message', 'metadata',
  'openid-config', 'issuer-signing-keys', 'key', 'audiences', 'audience', 'issuers', 'issuer', 'required-claims', 'claim',
  'allowed-origins', 'origin', 'allowed-methods', 'method', 'allowed-headers', 'header', 'expose-headers', 'inbound', 'backend', 'outbound', 'on-error'];
const ATTR_NAMES = ['name', 'value', 'exists-action', 'condition', 'code', 'reason', 'timeout', 'timeout-ms', 'id', 'resource', 'client-id',
  'output-token-variable-name', 'mode', 'response-variable-name', 'ignore-error', 'base-url', 'backend-id', 'template', 'copy-unmatched-params',
  'calls', 'renewal-period', 'counter-key', 'increment-condition', 'failed-check-httpcode', 'failed-check-error-message', 'ignore-case',
  'header-name', 'query-parameter-name', 'failed-validation-httpcode', 'require-scheme', 'url', 'match', 'separator', 'status-code',
  'content-type', 'source', 'severity', 'allow-credentials', 'preflight-result-max-age', 'terminate-unmatched-request', 'http-version',
  'buffer-request-body', 'fail-on-error-status-code', 'clock-skew', 'require-expiration-time', 'require-signed-tokens', 'retry-after-header-name'];
const VALUES = ['true', 'false', '1', '0', '-1', '401', '99999999999999999999', '1e3', 'abc', '', ' ', '{{nv}}', '{{num}}', '{{missing}}', '{{',
  '@(context.Request)', '@{return 1;}', 'http://127.0.0.1:1/a', 'https://x', 'file:///etc/passwd', 'override', 'skip', 'append', 'delete',
  'new', 'copy', 'information', 'verbose', 'error', 'Authorization', 'b1', 'nope', '/users/{id}', '{id}', 'application/json', '200',
  'api://backend', '2or1', 'NaN', '&amp;', '<', '"'];

const scopes: ScopeKind[] = ['global', 'product', 'api', 'operation'];
const name = fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...POLICY_NAMES, ...CHILD_NAMES) },
  { weight: 1, arbitrary: fc.stringMatching(/^[a-zA-Z_][\w.-]{0,8}$/) });
const attrValue = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...VALUES) }, { weight: 1, arbitrary: fc.string({ maxLength: 12 }) });
const attrs = fc.dictionary(fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...ATTR_NAMES) }, { weight: 1, arbitrary: fc.stringMatching(/^[a-z][\w-]{0,6}$/) }), attrValue, { maxKeys: 4 });

interface Tree { name: string; attrs: Record<string, string>; text: string; children: Tree[] }
const text = fc.oneof({ weight: 3, arbitrary: fc.constant('') }, { weight: 1, arbitrary: attrValue });
const tree: fc.Arbitrary<Tree> = fc.letrec<{ node: Tree }>((tie) => ({
  node: fc.oneof({ maxDepth: 5, depthIdentifier: 'tree' },
    fc.record({ name, attrs, text, children: fc.constant([] as Tree[]) }),
    fc.record({ name, attrs, text, children: fc.array(tie('node'), { maxLength: 3 }) })),
})).node;

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
function xml(t: Tree, escape: boolean): string {
  const e = escape ? esc : (s: string) => s;
  const a = Object.entries(t.attrs).map(([k, v]) => ` ${k}="${e(v)}"`).join('');
  return `<${t.name}${a}>${e(t.text)}${t.children.map((c) => xml(c, escape)).join('')}</${t.name}>`;
}

/** A document: `<policies>` with sections holding random trees (the shape validation mostly looks at). */
const document = fc.record({
  sections: fc.array(fc.record({ section: fc.constantFrom('inbound', 'backend', 'outbound', 'on-error', 'inbound'), body: fc.array(tree, { maxLength: 4 }) }), { maxLength: 4 }),
  escape: fc.boolean(),
}).map(({ sections, escape }) => `<policies>${sections.map((s) => `<${s.section}>${s.body.map((t) => xml(t, escape)).join('')}</${s.section}>`).join('')}</policies>`);

/** Valid documents damaged byte by byte: truncation, insertion, deletion. */
const VALID = `<policies>
  <inbound><base /><set-header name="x-a" exists-action="override"><value>1</value></set-header>
    <choose><when condition="true"><set-status code="200" reason="OK" /></when><otherwise><rate-limit calls="5" renewal-period="60" /></otherwise></choose>
    <send-request mode="new" response-variable-name="r" timeout="5"><set-url>http://127.0.0.1:1/</set-url></send-request>
  </inbound>
  <backend><forward-request timeout="10" /></backend>
  <outbound><base /></outbound>
  <on-error><base /></on-error>
</policies>`;
const damaged = fc.tuple(fc.nat(VALID.length), fc.nat(40), fc.string({ maxLength: 6 }), fc.constantFrom('cut', 'insert', 'delete'))
  .map(([at, n, s, how]) => how === 'cut' ? VALID.slice(0, at) : how === 'insert' ? VALID.slice(0, at) + s + VALID.slice(at) : VALID.slice(0, at) + VALID.slice(at + n));

/**
 * Documents built from the policies' own schemas (attributes they declare, with fitting or unfitting
 * values; the children they allow; nested policies in when/otherwise): mostly accepted, so what the
 * compiler makes of every policy's attributes is exercised too.
 */
function schemaElement(elName: string, schema: ElementSchema, section: Section, depth: number): fc.Arbitrary<string> {
  const attrArbs = Object.entries(schema.attrs ?? {}).map(([attr, a]) => {
    const fitting = a.values ? fc.constantFrom(...a.values) : a.type === 'int' ? fc.integer({ min: -5, max: 100_000 }).map(String)
      : a.type === 'bool' ? fc.constantFrom('true', 'false', 'TRUE') : fc.constantFrom(...VALUES);
    const value = fc.oneof({ weight: 8, arbitrary: fitting }, { weight: 1, arbitrary: fc.constantFrom(...VALUES) });
    return fc.tuple(fc.constant(attr), value, a.required ? fc.constant(true) : fc.boolean());
  });
  const childArbs = Object.entries(schema.children ?? {}).map(([child, c]) =>
    fc.array(schemaElement(child, c, section, depth + 1), { minLength: c.min ?? 0, maxLength: Math.min(c.max ?? 2, 2) }));
  const nested = schema.policies && depth < 3 ? fc.array(policyElement(section, depth + 1), { maxLength: 2 }) : fc.constant([] as string[]);
  const body = schema.text ? fc.constantFrom(...VALUES) : fc.constant('');
  return fc.tuple(fc.tuple(...attrArbs), fc.tuple(...childArbs), nested, body).map(([as, cs, ns, t]) => {
    const a = as.filter(([, , on]) => on).map(([k, v]) => ` ${k}="${esc(v)}"`).join('');
    return `<${elName}${a}>${esc(t)}${cs.flat().join('')}${ns.join('')}</${elName}>`;
  });
}

function policyElement(section: Section, depth: number): fc.Arbitrary<string> {
  const defs = [...POLICIES.values()].filter((d) => d.sections.includes(section));
  return fc.constantFrom(...defs).chain((d) => schemaElement(d.name, d.schema, section, depth));
}

const schemaDocument = fc.tuple(...(['inbound', 'backend', 'outbound', 'on-error'] as Section[]).map((sec) =>
  fc.array(policyElement(sec, 0), { maxLength: 3 }).map((ps) => `<${sec}>${sec === 'inbound' ? '<base />' : ''}${ps.join('')}</${sec}>`)))
  .map((secs) => `<policies>${secs.join('')}</policies>`);

function check(text: string, scope: ScopeKind): void {
  let doc;
  try {
    // The instance's fragments: none (an include-fragment of an unknown one is refused, as at PUT).
    ({ doc } = validatePolicyDocument(text, scope, () => undefined));
  } catch (e) {
    assert.ok(e instanceof AzureError, `validation threw ${e instanceof Error ? e.stack : String(e)}`);
    assert.equal(e.status, 400);
    assert.equal(e.code, 'ValidationError');
    assert.ok((e.details ?? []).length > 0 && e.details!.every((d) => /^Error in element '.*' on line \d+, column \d+: /s.test(d.message)), JSON.stringify(e.details));
    return;
  }
  // Accepted: it must compile (a document that passes validation and cannot compile would answer 500).
  compileDocument(doc, scope, 'fuzz', services, nv, []);
}

test('fuzz: random policy trees validate to a document or a 400 ValidationError; accepted ones compile', { timeout: fuzzTimeout() }, () => {
  fc.assert(fc.property(document, fc.constantFrom(...scopes), (text, scope) => check(text, scope)), fuzzParameters(400));
});

test('fuzz: documents built from the policies\' schemas validate or are refused; accepted ones compile', { timeout: fuzzTimeout() }, () => {
  fc.assert(fc.property(schemaDocument, fc.constantFrom(...scopes), (text, scope) => check(text, scope)), fuzzParameters(400));
});

test('fuzz: damaged valid documents never throw anything but a ValidationError', { timeout: fuzzTimeout() }, () => {
  fc.assert(fc.property(damaged, fc.constantFrom(...scopes), (text, scope) => check(text, scope)), fuzzParameters(400));
});

test('fuzz: arbitrary text and deep or wide nesting are refused quickly, not by a stack overflow', { timeout: fuzzTimeout() }, () => {
  fc.assert(fc.property(fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 100 }),
    fc.tuple(fc.constantFrom('choose', 'when', 'set-header', 'x'), fc.integer({ min: 60, max: 20_000 }))
      .map(([el, n]) => `<policies><inbound>${`<${el}>`.repeat(n)}${`</${el}>`.repeat(n)}</inbound></policies>`)), (text) => check(text, 'api')),
  fuzzParameters(150));
});
