// The flow policies' schemas at PUT (Microsoft Learn policy reference pages "retry", "wait",
// "include-fragment", "Set HTTP proxy", "Send one way request", "Send request", "set-header"): required
// and unknown attributes, sections, children, constant values; include-fragment with the instance's
// fragments; and retry's wait times (the page's "Retry wait times"). Pure: no server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GatewayPlane } from '../../src/gateway/index.js';
import { silentLogger } from '../../src/common/log.js';
import { validatePolicyFragment } from '../../src/gateway/policy/validate.js';
import { retryDelayMs } from '../../src/gateway/policies/control.js';
import { originKey } from '../../src/gateway/policies/cors.js';
import type { ScopeKind } from '../../src/gateway/policy/types.js';

const gw = new GatewayPlane({ host: '127.0.0.1', certPem: '', keyPem: '', logger: silentLogger });
const FRAGMENTS: Record<string, string> = {
  headers: '<fragment><set-header name="x-f" exists-action="override"><value>1</value></set-header></fragment>',
  forward: '<fragment><forward-request timeout="5" /></fragment>',
};
const lookup = (id: string) => FRAGMENTS[id.toLowerCase()];

const sections = (s: { inbound?: string; backend?: string; outbound?: string; onError?: string }) =>
  `<policies><inbound>${s.inbound ?? ''}</inbound><backend>${s.backend ?? ''}</backend><outbound>${s.outbound ?? ''}</outbound><on-error>${s.onError ?? ''}</on-error></policies>`;

function messages(xml: string, scope: ScopeKind = 'operation'): string[] {
  try {
    gw.validatePolicy(xml, scope, lookup);
  } catch (e: any) {
    assert.equal(e.status, 400);
    assert.equal(e.code, 'ValidationError');
    return (e.details as { message: string }[]).map((d) => d.message);
  }
  return [];
}
const refused = (xml: string, want: RegExp, scope?: ScopeKind) => {
  const m = messages(xml, scope);
  assert.ok(m.length > 0, `accepted: ${xml}`);
  assert.ok(m.some((x) => want.test(x)), `${m.join('\n')}\n does not match ${want}`);
};
const accepted = (xml: string, scope?: ScopeKind) => assert.deepEqual(messages(xml, scope), [], xml);

const SR = (attrs: string, inner = '<set-url>https://x.example</set-url>') => `<send-request ${attrs}>${inner}</send-request>`;

test('retry (Microsoft Learn "retry"): required condition, count and interval; count 1..50; any section; no wait inside', () => {
  accepted(sections({ inbound: '<retry condition="@(true)" count="50" interval="0" max-interval="10" delta="1" first-fast-retry="@(false)"><set-variable name="a" value="1" /></retry>' }));
  accepted(sections({ backend: '<retry condition="true" count="1" interval="1"><forward-request /></retry>' }), 'global');
  accepted(sections({ outbound: '<retry condition="true" count="1" interval="1"><set-header name="a" exists-action="override"><value>1</value></set-header></retry>', onError: '<retry condition="false" count="1" interval="0" />' }));
  for (const missing of ['condition', 'count', 'interval']) {
    const attrs = { condition: 'true', count: '1', interval: '0' } as Record<string, string>;
    delete attrs[missing];
    refused(sections({ inbound: `<retry ${Object.entries(attrs).map(([k, v]) => `${k}="${v}"`).join(' ')} />` }), new RegExp(`required attribute '${missing}' is missing`));
  }
  refused(sections({ inbound: '<retry condition="true" count="0" interval="0" />' }), /'count' attribute has an invalid value '0': a number between 1 and 50/);
  refused(sections({ inbound: '<retry condition="true" count="2" interval="-1" />' }), /'interval' attribute has an invalid value '-1'/);
  refused(sections({ inbound: '<retry condition="true" count="2" interval="x" />' }), /'interval' attribute has an invalid value 'x': an integer is expected/);
  refused(sections({ inbound: '<retry condition="maybe" count="2" interval="1" />' }), /'condition' attribute has an invalid value 'maybe'/);
  refused(sections({ inbound: '<retry condition="true" count="2" interval="1" jitter="1" />' }), /'jitter' attribute is not declared/);
  // Children are policies of the section: forward-request is not one of inbound's.
  refused(sections({ inbound: '<retry condition="true" count="2" interval="1"><forward-request /></retry>' }), /forward-request.*not allowed in the 'inbound' section/);
  refused(sections({ inbound: `<retry condition="true" count="2" interval="1"><wait>${SR('response-variable-name="a"')}</wait></retry>` }), /'wait' policy cannot be used inside 'retry'/);
});

test('retry (Microsoft Learn "retry", "Retry wait times"): fixed, linear and exponential waits, capped by max-interval', () => {
  assert.deepEqual([1, 2, 3].map((n) => retryDelayMs(n, 2, undefined, undefined)), [2000, 2000, 2000], 'interval only: fixed');
  assert.deepEqual([1, 2, 3].map((n) => retryDelayMs(n, 2, 3, undefined)), [2000, 5000, 8000], 'interval and delta: interval + (count - 1) * delta');
  // The page's example: interval = delta = 10, max-interval = 100: about 10, 20, 40, 80, then 100.
  const middle = () => 0.5;
  assert.deepEqual([1, 2, 3, 4, 5, 6].map((n) => retryDelayMs(n, 10, 10, 100, middle)), [10_000, 20_000, 40_000, 80_000, 100_000, 100_000]);
  const low = retryDelayMs(3, 10, 10, 1000, () => 0);
  const high = retryDelayMs(3, 10, 10, 1000, () => 1);
  assert.deepEqual([low, high], [10_000 + 3 * 8_000, 10_000 + 3 * 12_000], 'delta varies by ±20%');
  assert.equal(retryDelayMs(50, 1, 1, 30), 30_000, 'no overflow at the 50th retry');
});

test('wait (Microsoft Learn "wait"): for all|any; children send-request, cache-lookup-value, choose only; inbound, outbound, backend', () => {
  accepted(sections({ inbound: `<wait for="any">${SR('response-variable-name="a"')}<choose><when condition="true">${SR('response-variable-name="b"')}</when></choose></wait>`, backend: `<wait>${SR('response-variable-name="c"')}</wait><forward-request />`, outbound: `<wait for="@(&quot;all&quot;)">${SR('response-variable-name="d"')}</wait>` }));
  refused(sections({ inbound: '<wait for="first" />' }), /'for' attribute has an invalid value 'first'\. Allowed values: all, any\./);
  refused(sections({ inbound: '<wait><set-variable name="a" value="1" /></wait>' }), /Error in element 'set-variable'.*'wait' policy can contain only 'send-request', 'cache-lookup-value' and 'choose' policies/);
  refused(sections({ onError: `<wait>${SR('response-variable-name="a"')}</wait>` }), /not allowed in the 'on-error' section/);
  refused(sections({ inbound: '<wait timeout="1" />' }), /'timeout' attribute is not declared/);
});

test('include-fragment (Microsoft Learn "include-fragment", "Reuse policy configurations"): an existing fragment whose policies fit the section; no expressions; no nesting', () => {
  accepted(sections({ inbound: '<include-fragment fragment-id="headers" />', backend: '<include-fragment fragment-id="FORWARD" />', outbound: '<include-fragment fragment-id="headers" />', onError: '<include-fragment fragment-id="headers" />' }), 'global');
  refused(sections({ inbound: '<include-fragment fragment-id="absent" />' }), /^Error in element 'include-fragment' on line 1, column \d+: Policy fragment 'absent' was not found\.$/);
  refused(sections({ inbound: '<include-fragment fragment-id="forward" />' }), /Policy fragment 'forward', element 'forward-request' on line 1, column 11: Policy is not allowed in the 'inbound' section/);
  refused(sections({ inbound: '<include-fragment />' }), /required attribute 'fragment-id' is missing/);
  refused(sections({ inbound: '<include-fragment fragment-id="@(&quot;headers&quot;)" />' }), /Policy expressions are not allowed in the 'fragment-id' attribute/);
  refused(sections({ inbound: '<include-fragment fragment-id="headers" section="inbound" />' }), /'section' attribute is not declared/);
  // In the fragment document itself: "a policy fragment can't nest another policy fragment", nor hold <base/> or sections.
  for (const [xml, want] of [
    ['<fragment><include-fragment fragment-id="headers" /></fragment>', /can't include another policy fragment/],
    ['<fragment><choose><when condition="true"><include-fragment fragment-id="headers" /></when></choose></fragment>', /can't include another policy fragment/],
    ['<fragment><inbound /></fragment>', /Unknown policy 'inbound'/],
  ] as const) {
    assert.throws(() => validatePolicyFragment(xml), (e: any) => e.details.some((d: { message: string }) => want.test(d.message)), xml);
  }
});

test('proxy (Microsoft Learn "Set HTTP proxy"): url required, http://host:port only; username and password optional; inbound only; no workspace-less scope limits beyond the page', () => {
  accepted(sections({ inbound: '<proxy url="http://10.0.0.1:8080" username="u" password="p" />' }), 'global');
  accepted(sections({ inbound: '<proxy url="@(&quot;http://proxy:3128&quot;)" username="@(&quot;u&quot;)" />' }));
  refused(sections({ inbound: '<proxy username="u" />' }), /required attribute 'url' is missing/);
  refused(sections({ inbound: '<proxy url="https://10.0.0.1:8443" />' }), /The proxy URL 'https:\/\/10\.0\.0\.1:8443' is not of the form http:\/\/host:port\./);
  refused(sections({ inbound: '<proxy url="http://10.0.0.1:8080/path" />' }), /not of the form http:\/\/host:port/);
  refused(sections({ inbound: '<proxy url="http://10.0.0.1:8080" domain="x" />' }), /'domain' attribute is not declared/);
  refused(sections({ backend: '<proxy url="http://10.0.0.1:8080" />' }), /not allowed in the 'backend' section/);
});

test('send-one-way-request (Microsoft Learn "Send one way request"): mode and timeout; set-url required in mode new; any section', () => {
  const one = (attrs: string, inner = '<set-url>https://x.example</set-url><set-method>POST</set-method>') => `<send-one-way-request ${attrs}>${inner}</send-one-way-request>`;
  accepted(sections({ inbound: one('mode="new" timeout="20"'), backend: `${one('mode="copy"', '')}<forward-request />`, outbound: one('mode="@(&quot;new&quot;)"'), onError: one('', '<set-url>https://x.example</set-url><proxy url="http://p:1" />') }));
  refused(sections({ inbound: one('mode="new"', '<set-method>POST</set-method>') }), /'set-url' element is required when mode is 'new'/);
  refused(sections({ inbound: one('mode="move"') }), /'mode' attribute has an invalid value 'move'/);
  refused(sections({ inbound: one('ignore-error="true"') }), /'ignore-error' attribute is not declared/);
  refused(sections({ inbound: one('', '<set-url>ftp://x.example</set-url>') }), /not an absolute http or https URL/);
  refused(sections({ inbound: one('', '<set-url>https://x.example</set-url><set-url>https://y.example</set-url>') }), /can contain at most 1 'set-url' element/);
});

test('send-request (Microsoft Learn "Send request"): response-variable-name optional; mode, timeout, ignore-error; authentication-managed-identity and proxy inside', () => {
  accepted(sections({ inbound: SR('mode="new"') + SR('mode="copy" response-variable-name="@(&quot;r&quot;)" timeout="@(5)" ignore-error="true"', '<authentication-managed-identity resource="api://x" /><proxy url="http://p:3128" username="u" password="p" />') }));
  refused(sections({ inbound: SR('ignore-error="@(true)"') }), /Policy expressions are not allowed in the 'ignore-error' attribute/);
  refused(sections({ inbound: SR('timeout="soon"') }), /'timeout' attribute has an invalid value 'soon'/);
  refused(sections({ inbound: SR('', '<set-url>https://x.example</set-url><authentication-managed-identity resource="api://x" output-token-variable-name="t" />') }), /'output-token-variable-name' attribute cannot be used inside send-request/);
  refused(sections({ inbound: SR('', '<set-url>https://x.example</set-url><proxy url="https://p:1" />') }), /not of the form http:\/\/host:port/);
});

test('set-header (Microsoft Learn "set-header"): a constant name must be an HTTP token; expressions and named values are checked per call', () => {
  for (const name of ['bad name', 'x:y', 'a(b)', 'é', 'x\ty']) {
    refused(sections({ inbound: `<set-header name="${name}" exists-action="override"><value>v</value></set-header>` }), /The header name '.*' format is invalid/);
  }
  refused(sections({ outbound: '<set-header name="" exists-action="delete" />' }), /The 'name' attribute cannot be empty/);
  refused(sections({ inbound: '<check-header name="a b" failed-check-httpcode="401" failed-check-error-message="no" ignore-case="true" />' }), /The header name 'a b' format is invalid/);
  accepted(sections({ inbound: '<set-header name="@(&quot;x y&quot;)" exists-action="override"><value>v</value></set-header><set-header name="!#$%&amp;\'*+-.^_`|~09azAZ" exists-action="delete" />' }));
});

test('cors (Microsoft Learn "CORS"): origins compared as URIs: scheme, host and port, default ports and a trailing slash implied', () => {
  assert.equal(originKey('http://example.com/'), originKey('http://example.com'));
  assert.equal(originKey('http://example.com:80'), 'http://example.com');
  assert.equal(originKey('HTTPS://Example.COM:443/'), 'https://example.com');
  assert.notEqual(originKey('http://example.com:8080'), originKey('http://example.com'));
  assert.notEqual(originKey('https://example.com'), originKey('http://example.com'));
  assert.equal(originKey('null'), 'null', 'the opaque origin stays text');
});
