// Policy documents refused at PUT: APIM's 400 ValidationError with one detail per problem, naming the
// element and its line and column. And what a valid document returns: the {{named values}} it uses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GatewayPlane } from '../../src/gateway/index.js';
import { silentLogger } from '../../src/common/log.js';
import type { ScopeKind } from '../../src/gateway/policy/types.js';

const gw = new GatewayPlane({ host: '127.0.0.1', certPem: '', keyPem: '', logger: silentLogger });

function refused(xml: string, scope: ScopeKind = 'api') {
  try {
    gw.validatePolicy(xml, scope);
  } catch (e: any) {
    assert.equal(e.status, 400);
    const env = e.toEnvelope();
    assert.equal(env.error.code, 'ValidationError');
    assert.equal(env.error.message, 'One or more fields contain incorrect values:');
    return env.error.details as { code: string; target: string; message: string }[];
  }
  assert.fail(`accepted: ${xml}`);
}

const doc = (inbound: string, rest = '') => `<policies>\n  <inbound>\n    ${inbound}\n  </inbound>${rest}\n</policies>`;

const cases: { name: string; xml: string; scope?: ScopeKind; target: string; line: number; message: RegExp }[] = [
  { name: 'invalid XML (unclosed element)', xml: doc('<set-header name="a"><value>1</value>'), target: 'inbound', line: 4, message: /close tag/ },
  { name: 'not XML at all', xml: 'hello', target: 'policies', line: 1, message: /./ },
  { name: 'unknown policy', xml: doc('<base />\n    <send-pigeon to="x" />'), target: 'send-pigeon', line: 4, message: /Unknown policy 'send-pigeon'/ },
  { name: 'misplaced policy (forward-request in inbound)', xml: doc('<forward-request />'), target: 'forward-request', line: 3, message: /not allowed in the 'inbound' section/ },
  { name: 'misplaced policy (rate-limit in outbound)', xml: `<policies>\n<outbound>\n<rate-limit calls="1" renewal-period="10" />\n</outbound>\n</policies>`, target: 'rate-limit', line: 3, message: /not allowed in the 'outbound' section/ },
  { name: 'rate-limit at global scope', xml: doc('<rate-limit calls="1" renewal-period="10" />'), scope: 'global', target: 'rate-limit', line: 3, message: /^Error in element 'rate-limit' on line 3, column 5: Policy section is not allowed in the specified scope$/ },
  { name: 'required attribute missing', xml: doc('<set-header><value>1</value></set-header>'), target: 'set-header', line: 3, message: /required attribute 'name' is missing/ },
  { name: 'unknown attribute', xml: doc('<set-header name="a" colour="red" />'), target: 'set-header', line: 3, message: /'colour' attribute is not declared/ },
  { name: 'invalid enumeration value', xml: doc('<set-header name="a" exists-action="replace" />'), target: 'set-header', line: 3, message: /exists-action.*override, skip, append, delete/ },
  { name: 'text where children are expected (APIM message)', xml: doc('<set-header name="a">oops</set-header>'), target: 'set-header', line: 3, message: /^Error in element 'set-header' on line 3, column 5: The element 'set-header' cannot contain text\. List of possible elements expected: 'value'\.$/ },
  { name: 'unknown child element', xml: doc('<set-header name="a"><val>1</val></set-header>'), target: 'val', line: 3, message: /invalid child element 'val'/ },
  { name: '<base/> inside choose', xml: doc('<choose><when condition="true"><base /></when></choose>'), target: 'base', line: 3, message: /directly inside a policy section/ },
  { name: '<base/> twice', xml: doc('<base />\n    <base />'), target: 'base', line: 4, message: /only once/ },
  { name: 'unknown section', xml: '<policies>\n  <preflight />\n</policies>', target: 'preflight', line: 2, message: /invalid child element 'preflight'/ },
  { name: 'wrong root', xml: '<policy />', target: 'policy', line: 1, message: /root element must be 'policies'/ },
  { name: 'policy expression in an attribute', xml: doc('<set-header name="a"><value>@(context.Request.Method)</value></set-header>'), target: 'value', line: 3, message: /expressions are not supported/ },
  { name: 'policy expression as a condition', xml: doc('<choose><when condition="@(true)"><set-status code="200"/></when></choose>'), target: 'when', line: 3, message: /expressions are not supported/ },
  { name: 'a non-boolean literal condition', xml: doc('<choose><when condition="maybe"><set-status code="200"/></when></choose>'), target: 'when', line: 3, message: /neither 'true' nor 'false'/ },
  { name: 'a policy inside when must suit the section', xml: doc('<choose><when condition="true"><forward-request /></when></choose>'), target: 'forward-request', line: 3, message: /not allowed in the 'inbound' section/ },
  { name: 'set-backend-service needs one of base-url / backend-id', xml: doc('<set-backend-service />'), target: 'set-backend-service', line: 3, message: /Exactly one of/ },
  { name: 'validate-jwt needs a token source', xml: doc('<validate-jwt />'), target: 'validate-jwt', line: 3, message: /Exactly one of the 'header-name'/ },
  { name: 'renewal-period over 300 s', xml: doc('<rate-limit-by-key calls="1" renewal-period="301" counter-key="k" />'), target: 'rate-limit-by-key', line: 3, message: /between 1 and 300/ },
  { name: 'non-integer', xml: doc('<rate-limit-by-key calls="many" renewal-period="3" counter-key="k" />'), target: 'rate-limit-by-key', line: 3, message: /integer/ },
  { name: 'send-request new without set-url', xml: doc('<send-request response-variable-name="r" />'), target: 'send-request', line: 3, message: /set-url/ },
  { name: 'trace without message', xml: doc('<trace source="x" />'), target: 'trace', line: 3, message: /must contain a 'message'/ },
];

for (const c of cases) {
  test(`refused: ${c.name}`, () => {
    const details = refused(c.xml, c.scope);
    const d = details.find((x) => x.target === c.target);
    assert.ok(d, `no detail for ${c.target}: ${JSON.stringify(details)}`);
    assert.equal(d.code, 'ValidationError');
    assert.match(d.message, new RegExp(`^Error in element '${c.target}' on line ${c.line}, column \\d+: `));
    assert.match(d.message, c.message);
  });
}

test('several problems: one detail each, in document order', () => {
  const details = refused(doc('<foo />\n    <set-header />'));
  assert.deepEqual(details.map((d) => d.target), ['foo', 'set-header']);
});

test('columns point at the element', () => {
  const details = refused('<policies><inbound><base/><bogus/></inbound></policies>');
  assert.match(details[0].message, /line 1, column 27:/);
});

test('accepted: every policy of the issue in a valid document; named values returned', () => {
  const xml = `<policies>
  <inbound>
    <base />
    <authentication-managed-identity resource="api://backend" client-id="{{uai-client}}" output-token-variable-name="t" ignore-error="false" />
    <set-header name="x" exists-action="append"><value>{{Header-Value}}</value><value>b</value></set-header>
    <set-query-parameter name="q" exists-action="skip"><value>1</value></set-query-parameter>
    <set-variable name="v" value="1" />
    <set-backend-service base-url="https://backend.example/api" />
    <rewrite-uri template="/a/{id}" copy-unmatched-params="false" />
    <choose><when condition="true"><set-status code="200" /></when><otherwise><mock-response status-code="200" content-type="application/json" /></otherwise></choose>
    <check-header name="h" failed-check-httpcode="401" failed-check-error-message="m" ignore-case="true"><value>a</value></check-header>
    <validate-jwt header-name="Authorization" failed-validation-httpcode="401" failed-validation-error-message="no" require-expiration-time="true" clock-skew="30" output-token-variable-name="jwt">
      <openid-config url="https://login.example/.well-known/openid-configuration" />
      <issuer-signing-keys><key>c2VjcmV0</key><key n="AQAB" e="AQAB" /></issuer-signing-keys>
      <audiences><audience>api://x</audience></audiences><issuers><issuer>https://i</issuer></issuers>
      <required-claims><claim name="roles" match="any" separator=","><value>a</value></claim></required-claims>
    </validate-jwt>
    <rate-limit calls="10" renewal-period="60" />
    <rate-limit-by-key calls="10" renewal-period="60" counter-key="{{tenant}}" increment-condition="true" />
    <cors allow-credentials="false"><allowed-origins><origin>*</origin></allowed-origins><allowed-methods><method>GET</method></allowed-methods></cors>
    <send-request mode="new" response-variable-name="r" timeout="10" ignore-error="true">
      <set-url>https://x.example/</set-url><set-method>POST</set-method><set-header name="a" exists-action="override"><value>1</value></set-header><set-body>b</set-body>
      <authentication-managed-identity resource="api://other" />
    </send-request>
    <return-response response-variable-name="r"><set-status code="200" reason="OK" /><set-header name="a"><value>1</value></set-header><set-body>x</set-body></return-response>
    <trace source="s" severity="information"><message>m</message><metadata name="a" value="b" /></trace>
    <set-body>{{ Header-Value }}</set-body>
  </inbound>
  <backend><forward-request timeout="30" buffer-request-body="true" /></backend>
  <outbound><base /><set-header name="y" exists-action="delete" /><set-status code="201" /><set-body>z</set-body></outbound>
  <on-error><base /><set-header name="e"><value>1</value></set-header><return-response><set-status code="500" /></return-response></on-error>
</policies>`;
  const { namedValues } = gw.validatePolicy(xml, 'operation');
  assert.deepEqual(namedValues.sort(), ['Header-Value', 'tenant', 'uai-client']);
});
