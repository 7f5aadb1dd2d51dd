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

// Each case is refused with exactly one detail: the element, its line and column, and the whole message.
const cases: { name: string; xml: string; scope?: ScopeKind; target: string; message: string }[] = [
  { name: 'invalid XML (unclosed element)', xml: doc('<set-header name="a"><value>1</value>'), target: 'inbound', message: "Error in element 'inbound' on line 4, column 13: unexpected close tag." },
  { name: 'not XML at all', xml: 'hello', target: 'policies', message: "Error in element 'policies' on line 1, column 6: text data outside of root node." },
  { name: 'unknown policy', xml: doc('<base />\n    <send-pigeon to="x" />'), target: 'send-pigeon', message: "Error in element 'send-pigeon' on line 4, column 5: Unknown policy 'send-pigeon': it is not an API Management policy, or apim-local does not support it." },
  { name: 'misplaced policy (forward-request in inbound)', xml: doc('<forward-request />'), target: 'forward-request', message: "Error in element 'forward-request' on line 3, column 5: Policy is not allowed in the 'inbound' section. Allowed sections: backend." },
  { name: 'misplaced policy (rate-limit in outbound)', xml: `<policies>\n<outbound>\n<rate-limit calls="1" renewal-period="10" />\n</outbound>\n</policies>`, target: 'rate-limit', message: "Error in element 'rate-limit' on line 3, column 1: Policy is not allowed in the 'outbound' section. Allowed sections: inbound." },
  { name: 'rate-limit at global scope', xml: doc('<rate-limit calls="1" renewal-period="10" />'), scope: 'global', target: 'rate-limit', message: "Error in element 'rate-limit' on line 3, column 5: Policy section is not allowed in the specified scope" },
  { name: 'required attribute missing', xml: doc('<set-header><value>1</value></set-header>'), target: 'set-header', message: "Error in element 'set-header' on line 3, column 5: The required attribute 'name' is missing." },
  { name: 'unknown attribute', xml: doc('<set-header name="a" colour="red" />'), target: 'set-header', message: "Error in element 'set-header' on line 3, column 5: The 'colour' attribute is not declared." },
  { name: 'invalid enumeration value', xml: doc('<set-header name="a" exists-action="replace" />'), target: 'set-header', message: "Error in element 'set-header' on line 3, column 5: The 'exists-action' attribute has an invalid value 'replace'. Allowed values: override, skip, append, delete." },
  { name: 'text where children are expected (APIM message)', xml: doc('<set-header name="a">oops</set-header>'), target: 'set-header', message: "Error in element 'set-header' on line 3, column 5: The element 'set-header' cannot contain text. List of possible elements expected: 'value'." },
  { name: 'unknown child element', xml: doc('<set-header name="a"><val>1</val></set-header>'), target: 'val', message: "Error in element 'val' on line 3, column 26: The element 'set-header' has invalid child element 'val'. List of possible elements expected: 'value'." },
  { name: '<base/> inside choose', xml: doc('<choose><when condition="true"><base /></when></choose>'), target: 'base', message: "Error in element 'base' on line 3, column 36: The 'base' element can only appear directly inside a policy section." },
  { name: '<base/> twice', xml: doc('<base />\n    <base />'), target: 'base', message: "Error in element 'base' on line 4, column 5: The 'base' element can appear only once in a section." },
  { name: 'unknown section', xml: '<policies>\n  <preflight />\n</policies>', target: 'preflight', message: "Error in element 'preflight' on line 2, column 3: The element 'policies' has invalid child element 'preflight'. List of possible elements expected: 'inbound', 'backend', 'outbound', 'on-error'." },
  { name: 'wrong root', xml: '<policy />', target: 'policy', message: "Error in element 'policy' on line 1, column 1: The root element must be 'policies'." },
  { name: 'an unknown member in an expression', xml: doc('<set-header name="a"><value>@(context.Request.NoSuchMember)</value></set-header>'), target: 'value', message: "Error in element 'value' on line 3, column 51: 'NoSuchMember' is not a member of 'IRequest'." },
  { name: 'an expression where the attribute allows none', xml: doc('<authentication-managed-identity resource="r" client-id="@(&quot;a&quot;)"/>'), target: 'authentication-managed-identity', message: "Error in element 'authentication-managed-identity' on line 3, column 5: Policy expressions are not allowed in the 'client-id' attribute." },
  { name: 'a condition that is not a bool', xml: doc('<choose><when condition="@(context.Request.Method)"><set-status code="200"/></when></choose>'), target: 'when', message: "Error in element 'when' on line 3, column 30: Cannot implicitly convert type 'string' to 'bool'." },
  { name: 'a non-boolean literal condition', xml: doc('<choose><when condition="maybe"><set-status code="200"/></when></choose>'), target: 'when', message: "Error in element 'when' on line 3, column 13: The 'condition' attribute has an invalid value 'maybe': 'true' or 'false' is expected." },
  { name: 'a policy inside when must suit the section', xml: doc('<choose><when condition="true"><forward-request /></when></choose>'), target: 'forward-request', message: "Error in element 'forward-request' on line 3, column 36: Policy is not allowed in the 'inbound' section. Allowed sections: backend." },
  { name: 'set-backend-service needs one of base-url / backend-id', xml: doc('<set-backend-service />'), target: 'set-backend-service', message: "Error in element 'set-backend-service' on line 3, column 5: Exactly one of the 'base-url' and 'backend-id' attributes must be given." },
  { name: 'validate-jwt needs a token source', xml: doc('<validate-jwt />'), target: 'validate-jwt', message: "Error in element 'validate-jwt' on line 3, column 5: Exactly one of the 'header-name', 'query-parameter-name' and 'token-value' attributes must be given." },
  { name: 'renewal-period over 300 s', xml: doc('<rate-limit-by-key calls="1" renewal-period="301" counter-key="k" />'), target: 'rate-limit-by-key', message: "Error in element 'rate-limit-by-key' on line 3, column 5: The 'renewal-period' attribute must be between 1 and 300 seconds." },
  { name: 'non-integer', xml: doc('<rate-limit-by-key calls="many" renewal-period="3" counter-key="k" />'), target: 'rate-limit-by-key', message: "Error in element 'rate-limit-by-key' on line 3, column 5: The 'calls' attribute has an invalid value 'many': an integer is expected." },
  { name: 'send-request new without set-url', xml: doc('<send-request response-variable-name="r" />'), target: 'send-request', message: "Error in element 'send-request' on line 3, column 5: The 'set-url' element is required when mode is 'new'." },
  { name: 'a bool attribute given an int expression', xml: doc('<cors allow-credentials="@(1)"><allowed-origins><origin>*</origin></allowed-origins></cors>'), target: 'cors', message: "Error in element 'cors' on line 3, column 30: Cannot implicitly convert type 'int' to 'bool'." },
  { name: 'an unknown member in an expression in a header name', xml: doc('<set-header name="@(context.Request.Nope)" />'), target: 'set-header', message: "Error in element 'set-header' on line 3, column 41: 'Nope' is not a member of 'IRequest'." },
  { name: 'trace without message', xml: doc('<trace source="x" />'), target: 'trace', message: "Error in element 'trace' on line 3, column 5: The element 'trace' must contain a 'message' element." },
];

for (const c of cases) {
  test(`refused: ${c.name}`, () => {
    assert.deepEqual(refused(c.xml, c.scope), [{ code: 'ValidationError', target: c.target, message: c.message }]);
  });
}

test('several problems: one detail each, in document order', () => {
  assert.deepEqual(refused(doc('<foo />\n    <set-header />')), [
    { code: 'ValidationError', target: 'foo', message: "Error in element 'foo' on line 3, column 5: Unknown policy 'foo': it is not an API Management policy, or apim-local does not support it." },
    { code: 'ValidationError', target: 'set-header', message: "Error in element 'set-header' on line 4, column 5: The required attribute 'name' is missing." },
  ]);
});

test('columns point at the element', () => {
  assert.deepEqual(refused('<policies><inbound><base/><bogus/></inbound></policies>'), [
    { code: 'ValidationError', target: 'bogus', message: "Error in element 'bogus' on line 1, column 27: Unknown policy 'bogus': it is not an API Management policy, or apim-local does not support it." },
  ]);
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

test('accepted: expressions in every attribute and text where API Management allows them', () => {
  const e = (x: string) => `@(${x})`;
  const s = e('"x"');
  const n = e('5');
  const b = e('true');
  const xml = `<policies>
  <inbound>
    <set-header name='${s}' exists-action='${e('"append"')}'><value>${s}</value></set-header>
    <set-query-parameter name='${s}' exists-action='${e('"skip"')}'><value>1</value></set-query-parameter>
    <check-header name='${s}' failed-check-httpcode='${n}' failed-check-error-message='${s}' ignore-case='${b}'><value>a</value></check-header>
    <cors allow-credentials='${b}' terminate-unmatched-request='${b}'><allowed-origins><origin>https://a.example</origin></allowed-origins>
      <allowed-methods preflight-result-max-age='${n}'><method>${s}</method></allowed-methods></cors>
    <validate-jwt header-name='${s}' failed-validation-httpcode='${n}' failed-validation-error-message='${s}' require-expiration-time='${b}' require-scheme='${s}' require-signed-tokens='${b}' clock-skew='${n}'>
      <issuer-signing-keys><key>c2VjcmV0</key></issuer-signing-keys><audiences><audience>${s}</audience></audiences></validate-jwt>
    <validate-jwt query-parameter-name='${s}'><issuer-signing-keys><key>c2VjcmV0</key></issuer-signing-keys></validate-jwt>
    <rate-limit-by-key calls='${n}' renewal-period='${n}' increment-count='${n}' counter-key='${s}' increment-condition='${b}' />
    <set-backend-service base-url='${e('"https://b.example"')}' />
    <set-backend-service backend-id='${s}' />
    <rewrite-uri template='${e('"/a/{id}"')}' copy-unmatched-params='${b}' />
    <send-request mode='${e('"copy"')}' response-variable-name='${s}' timeout='${n}'><set-header name='${s}' exists-action='${e('"delete"')}' /></send-request>
    <set-status code='${n}' reason='${s}' />
    <return-response><set-status code='${n}' reason='${s}' /><set-header name='${s}' exists-action='${e('"override"')}'><value>${s}</value></set-header></return-response>
  </inbound>
  <backend><forward-request timeout='${n}' continue-timeout='${n}' follow-redirects='${b}' /></backend>
  <outbound><set-status code='${n}' /></outbound>
</policies>`;
  assert.deepEqual(gw.validatePolicy(xml, 'api').namedValues, []);
  const timeoutMs = doc('').replace('</policies>', `<backend><forward-request timeout-ms='${n}' /></backend></policies>`);
  assert.deepEqual(gw.validatePolicy(timeoutMs, 'api').namedValues, []);
});
