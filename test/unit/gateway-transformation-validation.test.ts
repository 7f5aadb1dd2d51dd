// Validation of the transformation policies at PUT (the schema each reference page gives): required and
// unknown attributes, allowed values, sections and scopes, expression-capable attributes, and set-body's
// and trace's content forms. Each refusal is APIM's 400 ValidationError naming the element and position.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GatewayPlane } from '../../src/gateway/index.js';
import { silentLogger } from '../../src/common/log.js';
import type { ScopeKind } from '../../src/gateway/policy/types.js';

const gw = new GatewayPlane({ host: '127.0.0.1', certPem: '', keyPem: '', logger: silentLogger });

const doc = (section: string, body: string) => `<policies>\n<${section}>\n${body}\n</${section}>\n</policies>`;

function refused(xml: string, scope: ScopeKind = 'api'): string[] {
  try {
    gw.validatePolicy(xml, scope);
  } catch (e: any) {
    assert.equal(e.status, 400);
    const env = e.toEnvelope();
    assert.equal(env.error.code, 'ValidationError');
    return (env.error.details as { message: string }[]).map((d) => d.message);
  }
  return assert.fail(`accepted: ${xml}`);
}

const accepted = (xml: string, scope: ScopeKind = 'api') => gw.validatePolicy(xml, scope).namedValues;

const refusals: { name: string; xml: string; scope?: ScopeKind; message: RegExp }[] = [
  // set-method (set-method reference page: inbound, on-error)
  { name: 'set-method without a method', xml: doc('inbound', '<set-method></set-method>'), message: /'set-method' on line 3, column 1: The element 'set-method' must contain the HTTP method/ },
  { name: 'set-method in outbound', xml: doc('outbound', '<set-method>GET</set-method>'), message: /Policy is not allowed in the 'outbound' section. Allowed sections: inbound, on-error/ },
  { name: 'set-method with an attribute', xml: doc('inbound', '<set-method verb="x">GET</set-method>'), message: /The 'verb' attribute is not declared/ },
  // json-to-xml (json-to-xml reference page)
  { name: 'json-to-xml without apply', xml: doc('outbound', '<json-to-xml />'), message: /The required attribute 'apply' is missing/ },
  { name: 'json-to-xml with a wrong apply', xml: doc('outbound', '<json-to-xml apply="content-type-xml" />'), message: /'apply' attribute has an invalid value 'content-type-xml'. Allowed values: always, content-type-json/ },
  { name: 'json-to-xml with an unknown attribute', xml: doc('outbound', '<json-to-xml apply="always" kind="direct" />'), message: /The 'kind' attribute is not declared/ },
  { name: 'json-to-xml parse-date does not take expressions', xml: doc('outbound', '<json-to-xml apply="always" parse-date="@(true)" />'), message: /Policy expressions are not allowed in the 'parse-date' attribute/ },
  { name: 'json-to-xml in backend', xml: doc('backend', '<json-to-xml apply="always" />'), message: /not allowed in the 'backend' section. Allowed sections: inbound, outbound, on-error/ },
  // xml-to-json (xml-to-json reference page)
  { name: 'xml-to-json without kind', xml: doc('outbound', '<xml-to-json apply="always" />'), message: /The required attribute 'kind' is missing/ },
  { name: 'xml-to-json without apply', xml: doc('outbound', '<xml-to-json kind="direct" />'), message: /The required attribute 'apply' is missing/ },
  { name: 'xml-to-json with a wrong kind', xml: doc('outbound', '<xml-to-json kind="friendly" apply="always" />'), message: /'kind' attribute has an invalid value 'friendly'/ },
  { name: 'xml-to-json in backend', xml: doc('backend', '<xml-to-json kind="direct" apply="always" />'), message: /not allowed in the 'backend' section/ },
  // find-and-replace
  { name: 'find-and-replace without to', xml: doc('outbound', '<find-and-replace from="a" />'), message: /The required attribute 'to' is missing/ },
  { name: 'find-and-replace without from', xml: doc('outbound', '<find-and-replace to="a" />'), message: /The required attribute 'from' is missing/ },
  // redirect-content-urls (inbound, outbound)
  { name: 'redirect-content-urls with an attribute', xml: doc('outbound', '<redirect-content-urls to="x" />'), message: /The 'to' attribute is not declared/ },
  { name: 'redirect-content-urls in backend', xml: doc('backend', '<redirect-content-urls />'), message: /Allowed sections: inbound, outbound/ },
  { name: 'redirect-content-urls twice in a section', xml: doc('outbound', '<redirect-content-urls />\n<redirect-content-urls />'), message: /'redirect-content-urls' on line 4, column 1: The 'redirect-content-urls' policy can only be used once in a policy section/ },
  // xsl-transform (inbound, outbound; xsl:stylesheet required)
  { name: 'xsl-transform without a stylesheet', xml: doc('outbound', '<xsl-transform><parameter name="a">1</parameter></xsl-transform>'), message: /must contain one 'xsl:stylesheet' element/ },
  { name: 'xsl-transform parameter without a name', xml: doc('outbound', '<xsl-transform><parameter>1</parameter><xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform" /></xsl-transform>'), message: /Exactly one of the 'name' and 'parameter-name' attributes/ },
  { name: 'xsl-transform with an unknown child', xml: doc('outbound', '<xsl-transform><param /></xsl-transform>'), message: /invalid child element 'param'/ },
  { name: 'xsl-transform in backend', xml: doc('backend', '<xsl-transform />'), message: /Allowed sections: inbound, outbound/ },
  // cross-domain (inbound, global scope)
  { name: 'cross-domain at API scope', xml: doc('inbound', '<cross-domain><cross-domain-policy /></cross-domain>'), message: /Policy section is not allowed in the specified scope/ },
  { name: 'cross-domain in outbound', xml: doc('outbound', '<cross-domain />'), scope: 'global', message: /Allowed sections: inbound/ },
  // jsonp (outbound)
  { name: 'jsonp without callback-parameter-name', xml: doc('outbound', '<jsonp />'), message: /The required attribute 'callback-parameter-name' is missing/ },
  { name: 'jsonp twice in outbound', xml: doc('outbound', '<jsonp callback-parameter-name="cb" />\n<jsonp callback-parameter-name="cb" />'), message: /The 'jsonp' policy can only be used once in a policy section/ },
  { name: 'jsonp in inbound', xml: doc('inbound', '<jsonp callback-parameter-name="cb" />'), message: /Allowed sections: outbound/ },
  // set-body
  { name: 'set-body with an unknown template', xml: doc('inbound', '<set-body template="handlebars">x</set-body>'), message: /'template' attribute has an invalid value 'handlebars'. Allowed values: liquid, none/ },
  { name: 'set-body parse-date does not take expressions', xml: doc('inbound', '<set-body template="liquid" parse-date="@(true)">x</set-body>'), message: /Policy expressions are not allowed in the 'parse-date' attribute/ },
  { name: 'set-body with a Liquid template that does not parse', xml: doc('inbound', '<set-body template="liquid">{% if body.a %}open</set-body>'), message: /'set-body' on line 3, column 1: The Liquid template could not be parsed: .*if/ },
  { name: 'return-response\'s set-body with a Liquid template that does not parse', xml: doc('inbound', '<return-response><set-body template="liquid">{{ "x" </set-body></return-response>'), message: /'set-body' on line 3, column 18: The Liquid template could not be parsed/ },
  // trace
  { name: 'trace with both text and a message', xml: doc('inbound', '<trace source="s">text<message>m</message></trace>'), message: /both a 'message' element and text/ },
  { name: 'trace with no message', xml: doc('inbound', '<trace source="s"></trace>'), message: /must contain a 'message' element/ },
  { name: 'trace without source', xml: doc('inbound', '<trace>text</trace>'), message: /The required attribute 'source' is missing/ },
];

for (const c of refusals) {
  test(`refused: ${c.name}`, () => {
    const messages = refused(c.xml, c.scope);
    assert.ok(messages.some((m) => c.message.test(m)), messages.join('\n'));
  });
}

test('accepted: every attribute the pages mark "Policy expressions are allowed" takes an expression', () => {
  accepted(doc('inbound', '<set-method>@(context.Request.Method == "GET" ? "POST" : "PUT")</set-method>'));
  accepted(doc('outbound', '<json-to-xml apply="@("always")" consider-accept-header="@(false)" namespace-separator="@(":")" namespace-prefix="@("xmlns")" attribute-block-name="@("#attrs")" parse-date="false" />'));
  accepted(doc('outbound', '<xml-to-json kind="@("direct")" apply="@("always")" consider-accept-header="@(false)" always-array-child-elements="@(true)" />'));
  accepted(doc('outbound', '<find-and-replace from="@(context.Api.ServiceUrl.Host)" to="@(context.Request.OriginalUrl.Host)" />'));
  accepted(doc('outbound', '<jsonp callback-parameter-name="@("cb")" />'));
  accepted(doc('inbound', '<xsl-transform><parameter name="User-Agent">@(context.Request.Headers.GetValueOrDefault("User-Agent","non-specified"))</parameter>'
    + '<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"><xsl:param name="User-Agent" /><xsl:template match="/"><xsl:value-of select="$User-Agent" /></xsl:template></xsl:stylesheet></xsl-transform>'));
});

test('accepted: trace\'s older text form, and the message form with metadata', () => {
  accepted(doc('on-error', '<trace source="OnError">\n  On Error\n</trace>'));
  accepted(doc('inbound', '<trace source="PetStore API" severity="verbose"><message>@((string)context.Variables["x"])</message><metadata name="Operation Name" value="New-Order"/></trace>'));
});

test('accepted: a Liquid body\'s {{...}} are Liquid\'s, not named values; XML content\'s {{named values}} count', () => {
  assert.deepEqual(accepted(doc('inbound', '<set-body template="liquid">{"id": "{{body.customer.id}}", "u": "{{context.Request.OriginalUrl}}"}</set-body>')), []);
  assert.deepEqual(accepted(doc('inbound', '<set-body template="liquid"><soap:Envelope xmlns:soap="urn:s"><cust>{{body.getOpenOrders.cust}}</cust></soap:Envelope></set-body>')), []);
  assert.deepEqual(accepted(doc('inbound', '<set-body><order xmlns="urn:o" key="{{order-key}}"><id>{{order-id}}</id></order></set-body>')), ['order-key', 'order-id']);
  assert.deepEqual(accepted(doc('inbound', '<cross-domain><cross-domain-policy><allow-access-from domain="{{flash-domain}}" /></cross-domain-policy></cross-domain>'), 'global'), ['flash-domain']);
});
