// The validation policies, ip-filter and emit-metric (issue #14): refused at PUT when wrong, and their
// behaviour through the gateway (a GatewayPlane over real HTTPS, a real echo backend) against Microsoft
// Learn's reference pages, named in each test.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startGateway, startBackend, echoApi, policy, call, INSTANCE_ID, type Harness, type Backend } from './gateway-harness.js';
import type { InstanceConfig, OperationConfig, SchemaConfig } from '../../src/gateway/config.js';
import type { ScopeKind } from '../../src/gateway/policy/types.js';

let gw: Harness;
let be: Backend;
before(async () => { be = await startBackend(); gw = await startGateway(); });
after(async () => { await gw?.close(); await be?.close(); });

const api = (sections: Parameters<typeof policy>[1]) => policy({ kind: 'api', apiName: 'echo' }, sections);
const INTERNAL = 'The request could not be processed due to an internal error. Contact the API owner.';

/** The single detail of a refused document (APIM's 400 ValidationError), or a failure when accepted. */
function refusal(inner: string, section = 'inbound', scope: ScopeKind = 'api'): string {
  const xml = `<policies><${section}>${inner}</${section}></policies>`;
  try { gw.gateway.validatePolicy(xml, scope); } catch (e: any) {
    assert.equal(e.status, 400);
    return (e.toEnvelope().error.details as { message: string }[]).map((d) => d.message).join(' | ');
  }
  return assert.fail(`accepted: ${xml}`);
}
const accepted = (inner: string, section = 'inbound') => gw.gateway.validatePolicy(`<policies><${section}>${inner}</${section}></policies>`, 'api');

test('validation at PUT: required and unknown attributes, wrong sections, values (all seven policies)', () => {
  // ip-filter (Microsoft Learn, "Restrict caller IPs")
  assert.match(refusal('<ip-filter><address>1.2.3.4</address></ip-filter>'), /required attribute 'action' is missing/);
  assert.match(refusal('<ip-filter action="deny"><address>1.2.3.4</address></ip-filter>'), /'action' attribute has an invalid value 'deny'/);
  assert.match(refusal('<ip-filter action="allow" />'), /At least one 'address' or 'address-range' element is required/);
  assert.match(refusal('<ip-filter action="allow"><address>1.2.3.400</address></ip-filter>'), /'1\.2\.3\.400' is not a valid IPv4 or IPv6 address/);
  assert.match(refusal('<ip-filter action="allow"><address-range from="10.0.0.1" to="::1" /></ip-filter>'), /same family/);
  assert.match(refusal('<ip-filter action="allow"><address-range from="10.0.0.1" /></ip-filter>'), /required attribute 'to' is missing/);
  assert.match(refusal('<ip-filter action="allow"><address>1.2.3.4</address></ip-filter>', 'outbound'), /not allowed in the 'outbound' section/);
  accepted('<ip-filter action="@(&quot;allow&quot;)"><address>::1</address><address-range from="fe80::1" to="fe80::ff" /><address>{{ip}}</address></ip-filter>');
  // emit-metric (Microsoft Learn, "Emit custom metrics")
  assert.match(refusal('<emit-metric value="1"><dimension name="API ID" /></emit-metric>'), /required attribute 'name' is missing/);
  assert.match(refusal('<emit-metric name="m" colour="x"><dimension name="API ID" /></emit-metric>'), /'colour' attribute is not declared/);
  assert.match(refusal('<emit-metric name="m" />'), /must contain a 'dimension' element/);
  assert.match(refusal('<emit-metric name="m"><dimension name="Client IP" /></emit-metric>'), /dimension 'Client IP' has no 'value'/);
  assert.match(refusal('<emit-metric name="m" value="lots"><dimension name="API ID" /></emit-metric>'), /a number \(double\) is expected/);
  assert.match(refusal(`<emit-metric name="m">${'<dimension name="API ID" />'.repeat(11)}</emit-metric>`), /at most 10 'dimension' elements/);
  assert.match(refusal('<emit-metric name="@(&quot;m&quot;)"><dimension name="API ID" /></emit-metric>'), /Policy expressions are not allowed in the 'name' attribute/);
  for (const s of ['inbound', 'backend', 'outbound', 'on-error']) accepted('<emit-metric name="m" value="@(2.5)" namespace="ns"><dimension name="Gateway ID" /><dimension name="x" value="@(context.Api.Name)" /></emit-metric>', s);
  // validate-content (Microsoft Learn, "Validate content")
  assert.match(refusal('<validate-content unspecified-content-type-action="prevent" size-exceeded-action="prevent" />'), /required attribute 'max-size' is missing/);
  assert.match(refusal('<validate-content unspecified-content-type-action="prevent" max-size="4194305" size-exceeded-action="prevent" />'), /maximum allowed value is 4194304 bytes/);
  assert.match(refusal('<validate-content unspecified-content-type-action="block" max-size="10" size-exceeded-action="prevent" />'), /invalid value 'block'/);
  assert.match(refusal('<validate-content unspecified-content-type-action="prevent" max-size="10" size-exceeded-action="prevent"><content type="application/xml" validate-as="xml" schema-id="s" schema-ref="#/a" action="prevent" /></validate-content>'), /'schema-ref' attribute is supported only with validate-as="json"/);
  assert.match(refusal('<validate-content unspecified-content-type-action="prevent" max-size="10" size-exceeded-action="prevent"><content type="text/xml" validate-as="wsdl" action="prevent" /></validate-content>'), /invalid value 'wsdl'/);
  accepted('<validate-content unspecified-content-type-action="prevent" max-size="10" size-exceeded-action="prevent"><content-type-map any-content-type-value="application/soap+xml" /><content type="application/soap+xml" validate-as="soap" schema-id="myschema" action="prevent" /><content type="application/xml" validate-as="xml" action="detect" /></validate-content>');
  assert.match(refusal('<validate-content unspecified-content-type-action="prevent" max-size="10" size-exceeded-action="prevent"><content validate-as="json" /></validate-content>'), /required attribute 'action' is missing/);
  assert.match(refusal('<validate-content unspecified-content-type-action="prevent" max-size="10" size-exceeded-action="prevent" />', 'backend'), /not allowed in the 'backend' section/);
  assert.match(refusal('<validate-content unspecified-content-type-action="prevent" max-size="10" size-exceeded-action="prevent"><content-type-map><type to="application/json" /></content-type-map></validate-content>'), /Exactly one of the 'from' and 'when'/);
  accepted('<validate-content unspecified-content-type-action="detect" max-size="102400" size-exceeded-action="prevent" errors-variable-name="v"><content-type-map missing-content-type-value="application/json"><type from="application/hal+json" to="application/json" /></content-type-map><content type="application/json" validate-as="json" action="detect" allow-additional-properties="false" /></validate-content>', 'outbound');
  // validate-parameters, validate-headers, validate-status-code (Microsoft Learn, same names)
  assert.match(refusal('<validate-parameters specified-parameter-action="prevent" />'), /required attribute 'unspecified-parameter-action' is missing/);
  assert.match(refusal('<validate-parameters specified-parameter-action="prevent" unspecified-parameter-action="prevent" />', 'outbound'), /not allowed in the 'outbound' section/);
  assert.match(refusal('<validate-parameters specified-parameter-action="prevent" unspecified-parameter-action="prevent"><path unspecified-parameter-action="prevent" /></validate-parameters>'), /'unspecified-parameter-action' attribute is not declared/);
  assert.match(refusal('<validate-headers specified-header-action="prevent" unspecified-header-action="prevent" />'), /not allowed in the 'inbound' section/);
  assert.match(refusal('<validate-headers specified-header-action="prevent" />', 'outbound'), /required attribute 'unspecified-header-action' is missing/);
  assert.match(refusal('<validate-status-code />', 'outbound'), /required attribute 'unspecified-status-code-action' is missing/);
  assert.match(refusal('<validate-status-code unspecified-status-code-action="prevent"><status-code code="42" action="ignore" /></validate-status-code>', 'outbound'), /an HTTP status code \(100-599\) is expected/);
});

const PET_SCHEMA: SchemaConfig = {
  apiName: 'echo', name: 'pets', format: 'json',
  document: { definitions: { Pet: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, age: { type: 'integer', minimum: 0 }, owner: { $ref: '#/definitions/Owner' } } }, Owner: { type: 'object', properties: { email: { type: 'string', format: 'email' } } } } },
};
const ADDRESS_SCHEMA: SchemaConfig = {
  name: 'address', format: 'json',
  document: { $schema: 'https://json-schema.org/draft/2020-12/schema', $defs: { zip: { type: 'string', pattern: '^[0-9]{5}$' } }, type: 'object', properties: { zip: { $ref: '#/$defs/zip' } }, required: ['zip'] },
};

/** echo's operations, with declarations the validation policies read. */
function operations(): OperationConfig[] {
  return [
    {
      apiName: 'echo', name: 'create', displayName: 'create', method: 'POST', urlTemplate: '/pets', templateParameters: [],
      request: { queryParameters: [], headers: [], representations: [{ contentType: 'application/json', schemaId: 'pets', typeName: 'Pet' }] },
      responses: [{ statusCode: 200, representations: [{ contentType: 'application/json', schemaId: 'pets', typeName: 'Pet' }], headers: [{ name: 'x-backend', values: ['no'] }] }],
    },
    {
      apiName: 'echo', name: 'item', displayName: 'item', method: 'GET', urlTemplate: '/items/{id}', templateParameters: [{ name: 'id', type: 'integer', required: true }],
      request: { queryParameters: [{ name: 'limit', type: 'integer' }, { name: 'tag', type: 'array' }], headers: [{ name: 'x-mode', type: 'string', values: ['a', 'b'] }], representations: [] },
      responses: [{ statusCode: 200, representations: [] }],
    },
    {
      apiName: 'echo', name: 'soap', displayName: 'soap', method: 'POST', urlTemplate: '/soap', templateParameters: [],
      request: { queryParameters: [], headers: [], representations: [{ contentType: 'text/xml', schemaId: 'svc', typeName: 'GetPet' }, { contentType: 'application/xml', schemaId: 'svc', typeName: 'GetPet' }] },
      responses: [{ statusCode: 200, representations: [] }],
    },
    {
      apiName: 'echo', name: 'feed', displayName: 'feed', method: 'POST', urlTemplate: '/feed', templateParameters: [],
      request: { queryParameters: [], headers: [], representations: [{ contentType: 'text/xml', schemaId: 'wsdl', typeName: 'Feed' }] },
      responses: [{ statusCode: 200, representations: [] }],
    },
    { apiName: 'echo', name: 'any', displayName: 'any', method: 'GET', urlTemplate: '/*', templateParameters: [], responses: [{ statusCode: 200, representations: [] }] },
  ];
}

async function load(sections: Parameters<typeof policy>[1], extra: Partial<InstanceConfig> = {}): Promise<void> {
  await gw.load({ ...echoApi(be.url), operations: operations(), schemas: [PET_SCHEMA, ADDRESS_SCHEMA], policies: [api(sections)], ...extra });
}
const post = (path: string, body: string, contentType = 'application/json') => call(`${gw.url}/echo${path}`, { method: 'POST', headers: { 'content-type': contentType }, body });
/** on-error that shows context.LastError (and the errors variable) as headers. */
const SHOW_ERROR = `<base /><set-header name="x-source"><value>@(context.LastError.Source)</value></set-header><set-header name="x-reason"><value>@(context.LastError.Reason)</value></set-header><set-header name="x-message"><value>@(context.LastError.Message)</value></set-header>`;

test('ip-filter (Microsoft Learn, "Restrict caller IPs"): allow lists admit only them, forbid lists refuse only them; 403 {"statusCode":403,"message":"Forbidden"}', async () => {
  await load({ inbound: '<ip-filter action="allow"><address>13.66.201.169</address><address-range from="127.0.0.0" to="127.0.0.255" /></ip-filter>' });
  assert.equal((await call(`${gw.url}/echo/x`)).status, 200);
  await load({ inbound: '<ip-filter action="allow"><address>13.66.201.169</address><address-range from="13.66.140.128" to="13.66.140.143" /><address>::1</address></ip-filter>', onError: SHOW_ERROR });
  const before = be.requests.length;
  const r = await call(`${gw.url}/echo/x`);
  assert.equal(r.status, 403);
  assert.deepEqual(r.json, { statusCode: 403, message: 'Forbidden' });
  assert.equal(r.headers.get('x-source'), 'ip-filter');
  assert.equal(r.headers.get('x-reason'), 'CallerIpNotAllowed');
  assert.equal(r.headers.get('x-message'), 'Caller IP address 127.0.0.1 is not allowed. Access denied.');
  assert.equal(be.requests.length, before, 'the backend must not be called');
  await load({ inbound: '<ip-filter action="forbid"><address>127.0.0.1</address></ip-filter>' });
  assert.equal((await call(`${gw.url}/echo/x`)).status, 403);
  // An IPv6 list does not match an IPv4 caller; an expression picks the action per call.
  await load({ inbound: '<ip-filter action="@(context.Request.Headers.GetValueOrDefault(&quot;x-act&quot;, &quot;forbid&quot;))"><address-range from="::1" to="::ffff" /><address>127.0.0.1</address></ip-filter>' });
  assert.equal((await call(`${gw.url}/echo/x`)).status, 403);
  assert.equal((await call(`${gw.url}/echo/x`, { headers: { 'x-act': 'allow' } })).status, 200);
});

test('emit-metric (Microsoft Learn, "Emit custom metrics") and the gateway request metrics in Prometheus format', async () => {
  await load({ inbound: `<emit-metric name="Request" value="1" namespace="my-metrics"><dimension name="User ID" /><dimension name="Client IP" value="@(context.Request.IpAddress)" /><dimension name="API ID" /></emit-metric>
    <emit-metric name="Payload" value="@(2.5)"><dimension name="Operation ID" /><dimension name="Gateway ID" /></emit-metric>` });
  for (let i = 0; i < 3; i++) assert.equal((await call(`${gw.url}/echo/metrics-${i}`)).status, 200);
  const { contentType, text } = await gw.gateway.metrics();
  assert.match(contentType, /^text\/plain/);
  const inst = `instance="${INSTANCE_ID}"`;
  assert.ok(text.includes(`apim_custom_request_sum{${inst},namespace="my-metrics",user_id="",client_ip="127.0.0.1",api_id="echo"} 3`), text);
  assert.ok(text.includes(`apim_custom_request_count{${inst},namespace="my-metrics",user_id="",client_ip="127.0.0.1",api_id="echo"} 3`), text);
  // The default namespace is "API Management"; value is a double.
  assert.ok(text.includes(`apim_custom_payload_sum{${inst},namespace="API Management",operation_id="any",gateway_id="managed"} 7.5`), text);
  assert.match(text, new RegExp(`apim_gateway_requests_total\\{${inst.replace(/[/.]/g, '\\$&')},api="echo",operation="any",status="200"\\} \\d+`));
  assert.match(text, /apim_gateway_request_duration_seconds_bucket\{le="\+Inf",instance="[^"]+",api="echo",operation="any"\} \d+/);
  // A value expression that is no number is the policy's error (500, ExpressionValueEvaluationFailure).
  await load({ inbound: '<emit-metric name="bad" value="@(&quot;x&quot;)"><dimension name="API ID" /></emit-metric>', onError: SHOW_ERROR });
  const r = await call(`${gw.url}/echo/x`);
  assert.equal(r.status, 500);
  assert.equal(r.headers.get('x-reason'), 'ExpressionValueEvaluationFailure');
});

const PREVENT = (content: string, extra = '') => `<validate-content unspecified-content-type-action="prevent" max-size="200" size-exceeded-action="prevent" errors-variable-name="errs" ${extra}>${content}</validate-content>`;

test('validate-content (Microsoft Learn, "Validate content"; "Validation errors"): JSON against the API definition, size, unspecified types, detect/prevent/ignore', async () => {
  await load({ inbound: PREVENT('<content-type-map><type from="application/hal+json" to="application/json" /></content-type-map><content type="application/json" validate-as="json" action="prevent" />'), onError: SHOW_ERROR });
  assert.equal((await post('/pets', '{"name":"rex","age":3,"owner":{"email":"a@b.example"}}')).status, 200);
  assert.equal((await post('/pets', '{"name":"rex"}', 'application/hal+json')).status, 200);
  let r = await post('/pets', '{"age":3}');
  assert.equal(r.status, 400);
  const lead = 'Body of the request does not conform to the definition Pet, which is associated with the content type application/json.';
  assert.deepEqual(r.json, { statusCode: 400, message: `${lead} Required properties are missing from object: name. Path ''.` });
  assert.equal(r.headers.get('x-source'), 'validate-content');
  assert.equal(r.headers.get('x-reason'), 'Bad request');
  r = await post('/pets', '{"name":"rex","owner":{"email":"nope"}}');
  assert.equal(r.json.message, `${lead} String is not a valid 'email'. Path 'owner.email'.`);
  r = await post('/pets', '{"name":"rex","age":-1}');
  assert.equal(r.json.message, `${lead} Value is less than minimum value of 0. Path 'age'.`);
  r = await post('/pets', '{"name":\n "rex",}');
  assert.equal(r.status, 400);
  assert.match(r.json.message, /Line: 2, Position: \d+$/);
  // Size: Content-Length over max-size.
  r = await post('/pets', JSON.stringify({ name: 'x'.repeat(300) }));
  assert.deepEqual(r.json, { statusCode: 400, message: `Request's body is 311 bytes long and it exceeds the limit of 200 bytes.` });
  // A chunked body (no Content-Length) is read only up to max-size when the action is prevent.
  const chunked = new ReadableStream({ start(c) { for (let i = 0; i < 10; i++) c.enqueue(new TextEncoder().encode('x'.repeat(50))); c.close(); } });
  r = await call(`${gw.url}/echo/pets`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: chunked, duplex: 'half' } as RequestInit);
  assert.equal(r.status, 400);
  assert.match(r.json.message, /^Request's body is \d+ bytes long and it exceeds the limit of 200 bytes\.$/);
  const small = new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode('{"name":')); c.enqueue(new TextEncoder().encode('"chunky"}')); c.close(); } });
  r = await call(`${gw.url}/echo/pets`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: small, duplex: 'half' } as RequestInit);
  assert.equal(r.status, 200, r.text);
  assert.equal(be.requests.at(-1)!.body, '{"name":"chunky"}', 'a chunked body read for validation reaches the backend whole');
  // A content type the API does not specify.
  r = await post('/pets', 'hello', 'text/plain');
  assert.deepEqual(r.json, { statusCode: 400, message: 'Unspecified content type text/plain is not allowed.' });
  // allow-additional-properties="false" overrides the schema.
  await load({ inbound: PREVENT('<content type="application/json" validate-as="json" action="prevent" allow-additional-properties="false" />') });
  r = await post('/pets', '{"name":"rex","colour":"brown"}');
  assert.equal(r.json.message, `${lead} Property 'colour' has not been defined and the schema does not allow additional properties. Path ''.`);
  // case-insensitive-property-names: NAME satisfies the required name.
  await load({ inbound: PREVENT('<content type="application/json" validate-as="json" action="prevent" case-insensitive-property-names="true" />') });
  assert.equal((await post('/pets', '{"NAME":"rex","Age":1}')).status, 200);
  assert.equal((await post('/pets', '{"NAME":"rex","Age":"one"}')).status, 400);
  // detect: the call goes on; the errors are in the variable (APIM's {Name, Type, ValidationRule, Details, Action}).
  await load({ inbound: `${PREVENT('<content type="application/json" validate-as="json" action="detect" />')}<set-header name="x-errs"><value>@(Newtonsoft.Json.JsonConvert.SerializeObject(context.Variables["errs"]))</value></set-header>` });
  const before = be.requests.length;
  r = await post('/pets', '{"age":"old"}');
  assert.equal(r.status, 200);
  assert.equal(be.requests.length, before + 1);
  assert.equal(be.requests.at(-1)!.body, '{"age":"old"}', 'the body reaches the backend as sent');
  const errs = JSON.parse(String(be.requests.at(-1)!.headers['x-errs']));
  assert.deepEqual(errs, [{ Name: 'application/json', Type: 'RequestBody', ValidationRule: 'IncorrectMessage', Details: `${lead} Required properties are missing from object: name. Path ''.`, Action: 'detect' }]);
  // A global schema (schema-id) at a JSON pointer (schema-ref), draft 2020-12; the mapped missing content type.
  await load({ inbound: PREVENT('<content-type-map missing-content-type-value="application/json" /><content type="application/json" validate-as="json" schema-id="address" action="prevent" />') });
  assert.equal((await post('/pets', '{"zip":"12345"}')).status, 200);
  r = await post('/pets', '{"zip":"12"}');
  assert.equal(r.json.message, "Body of the request does not conform to the definition address, which is associated with the content type application/json. String does not match regex pattern '^[0-9]{5}$'. Path 'zip'.");
  await load({ inbound: PREVENT('<content type="application/json" validate-as="json" schema-id="missing" action="prevent" />'), onError: SHOW_ERROR });
  r = await post('/pets', '{"zip":"12"}');
  assert.deepEqual(r.json, { statusCode: 400, message: INTERNAL });
  assert.equal(r.headers.get('x-message'), "API's schema does not exist or it could not be resolved.");
});

test('validate-content on the response (outbound): 502 with the internal-error message, details in LastError', async () => {
  // The echo backend answers {method,url,headers,body}: no "name", so the Pet definition refuses it.
  await load({ outbound: `<base />${PREVENT('<content type="application/json" validate-as="json" action="prevent" />', '').replace('max-size="200"', 'max-size="100000"')}`, onError: SHOW_ERROR });
  const r = await post('/pets', '{"name":"rex"}');
  assert.equal(r.status, 502);
  assert.deepEqual(r.json, { statusCode: 502, message: INTERNAL });
  assert.equal(r.headers.get('x-reason'), 'Response not allowed');
  assert.match(r.headers.get('x-message') ?? '', /^Body of the response does not conform to the definition Pet, which is associated with the content type application\/json\. Required properties are missing from object: name/);
});

const XS = 'xmlns:xs="http://www.w3.org/2001/XMLSchema" elementFormDefault="qualified"';
const xsd = (name: string, body: string, apiName?: string): SchemaConfig => ({ ...(apiName ? { apiName } : {}), name, format: 'xml', value: `<xs:schema ${XS} ${body}</xs:schema>` });
/** Global XML schemas: orders imports base by its address (/schemas/base, as APIM documents); the evil ones reach out. */
const xmlSchemas = (backendUrl: string): SchemaConfig[] => [
  xsd('base', `targetNamespace="urn:base"><xs:simpleType name="code"><xs:restriction base="xs:string"><xs:pattern value="[A-Z]{3}" /></xs:restriction></xs:simpleType>`),
  xsd('orders', `targetNamespace="urn:orders" xmlns:b="urn:base"><xs:import namespace="urn:base" schemaLocation="/schemas/base" />
    <xs:element name="order"><xs:complexType><xs:sequence><xs:element name="id" type="xs:int" /><xs:element name="code" type="b:code" /></xs:sequence></xs:complexType></xs:element>`),
  xsd('relative', `targetNamespace="urn:base2" xmlns:b="urn:base"><xs:import namespace="urn:base" schemaLocation="base" /><xs:element name="c" type="b:code" />`),
  xsd('evil-file', `><xs:include schemaLocation="file:///etc/passwd" /><xs:element name="a" />`),
  xsd('evil-net', `xmlns:x="urn:x"><xs:import namespace="urn:x" schemaLocation="${backendUrl}/x.xsd" /><xs:element name="a" type="x:t" />`),
  // A WSDL (as WSDL import stores it): two schemas in its types, the second importing the first and using prefixes declared on the WSDL.
  {
    apiName: 'echo', name: 'wsdl', format: 'xml',
    value: `<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:tns="urn:pets" xmlns:c="urn:common" targetNamespace="urn:pets"><wsdl:types>
      <xs:schema targetNamespace="urn:common"><xs:simpleType name="food"><xs:restriction base="xs:string"><xs:enumeration value="fish" /><xs:enumeration value="meat" /></xs:restriction></xs:simpleType></xs:schema>
      <xs:schema targetNamespace="urn:pets" elementFormDefault="qualified"><xs:import namespace="urn:common" />
        <xs:complexType name="meal"><xs:sequence><xs:element name="food" type="c:food" /></xs:sequence></xs:complexType><xs:element name="Feed" type="tns:meal" /></xs:schema>
    </wsdl:types><wsdl:message name="FeedRequest"><wsdl:part name="p" element="tns:Feed" /></wsdl:message></wsdl:definitions>`,
  },
  xsd('svc', `targetNamespace="urn:svc"><xs:element name="GetPet"><xs:complexType><xs:sequence><xs:element name="name" type="xs:string" /></xs:sequence></xs:complexType></xs:element>`, 'echo'),
];
const ORDER = (id: string, code: string) => `<order xmlns="urn:orders"><id>${id}</id><code>${code}</code></order>`;
const ENVELOPE = (ns: string, body: string) => `<s:Envelope xmlns:s="${ns}"><s:Header /><s:Body>${body}</s:Body></s:Envelope>`;
const SOAP11 = 'http://schemas.xmlsoap.org/soap/envelope/';
const SOAP12 = 'http://www.w3.org/2003/05/soap-envelope';

test('validate-content as xml and soap (Microsoft Learn, "Validate content": XML schema, SOAP schema validation, schemas that include others): prevent/detect, errors, no outside access', async () => {
  const loadXml = (inbound: string) => gw.load({ ...echoApi(be.url), operations: operations(), schemas: [PET_SCHEMA, ...xmlSchemas(be.url)], policies: [api({ inbound, onError: SHOW_ERROR })] });
  const big = (content: string, extra = '') => PREVENT(content, extra).replace('max-size="200"', 'max-size="100000"');
  await loadXml(big('<content type="application/xml" validate-as="xml" schema-id="orders" action="prevent" />'));
  const lead = 'Body of the request does not conform to the definition orders, which is associated with the content type application/xml.';
  let r = await post('/pets', ORDER('7', 'ABC'), 'application/xml');
  assert.equal(r.status, 200, r.text);
  assert.equal(be.requests.at(-1)!.body, ORDER('7', 'ABC'), 'the body reaches the backend as sent');
  // A type of the imported schema (/schemas/base) applies.
  r = await post('/pets', ORDER('7', 'abc'), 'application/xml');
  assert.equal(r.status, 400);
  assert.ok(r.json.message.startsWith(`${lead} Element '{urn:orders}code': [facet 'pattern'] The value 'abc' is not accepted by the pattern '[A-Z]{3}'.`), r.json.message);
  assert.equal(r.headers.get('x-source'), 'validate-content');
  assert.equal(r.headers.get('x-message'), r.json.message);
  r = await post('/pets', ORDER('seven', 'ABC'), 'application/xml');
  assert.match(r.json.message, /'seven' is not a valid value of the atomic type 'xs:int'/);
  r = await post('/pets', '<order xmlns="urn:orders"><id>1</id>', 'application/xml');
  assert.equal(r.status, 400);
  assert.match(r.json.message, /^Body of the request does not conform .* Premature end of data in tag order line 1\. Line 1, position \d+\.$/);
  // Any top-level element of the schema may be the root; others may not.
  r = await post('/pets', '<id xmlns="urn:orders">1</id>', 'application/xml');
  assert.match(r.json.message, /No matching global declaration available for the validation root/);
  // XXE: a DTD (with an external entity) is refused, never expanded or loaded.
  r = await post('/pets', `<!DOCTYPE order [<!ENTITY x SYSTEM "file:///etc/passwd">]><order xmlns="urn:orders"><id>&x;</id><code>ABC</code></order>`, 'application/xml');
  assert.equal(r.status, 400);
  assert.equal(r.json.message, `${lead} For security reasons DTD is prohibited in this XML document.`);
  r = await post('/pets', `<!DOCTYPE order SYSTEM "${be.url}/order.dtd">${ORDER('1', 'ABC')}`, 'application/xml');
  assert.equal(r.status, 400);
  // A relative location resolves against the schema's own address (/schemas/relative -> /schemas/base).
  await loadXml(big('<content type="application/xml" validate-as="xml" schema-id="relative" action="prevent" />'));
  assert.equal((await post('/pets', '<c xmlns="urn:base2">XYZ</c>', 'application/xml')).status, 200);
  assert.equal((await post('/pets', '<c xmlns="urn:base2">xyz</c>', 'application/xml')).status, 400);
  // Schemas that reach for a file or the network: nothing is loaded; the schema cannot be used (ApiSchema).
  const seen = be.requests.length;
  for (const id of ['evil-file', 'evil-net']) {
    await loadXml(big(`<content type="application/xml" validate-as="xml" schema-id="${id}" action="prevent" />`));
    r = await post('/pets', '<a />', 'application/xml');
    assert.equal(r.status, 400);
    assert.deepEqual(r.json, { statusCode: 400, message: INTERNAL });
    assert.match(r.headers.get('x-message') ?? '', /^API's schema does not exist or it could not be resolved\. /);
  }
  await loadXml(big('<content type="application/xml" validate-as="xml" schema-id="evil-file" action="prevent" />'));
  assert.match((await post('/pets', '<a />', 'application/xml')).headers.get('x-message') ?? '', /Failed to load the document 'file:\/\/\/etc\/passwd' for inclusion/);
  assert.equal(be.requests.length, seen, 'neither the schema import nor the DTD reached the network');
  // A JSON schema named for XML validation is no XML schema.
  await loadXml(big('<content type="application/xml" validate-as="xml" schema-id="address" action="prevent" />'));
  assert.equal((await post('/pets', ORDER('1', 'ABC'), 'application/xml')).headers.get('x-message'), "API's schema does not exist or it could not be resolved.");

  // SOAP 1.1 against the API definition's schema (the operation's text/xml representation): the Body's content is validated.
  await loadXml(big('<content type="text/xml" validate-as="soap" action="prevent" />'));
  const soapLead = 'Body of the request does not conform to the definition GetPet, which is associated with the content type text/xml.';
  const soap = (body: string, ct = 'text/xml') => call(`${gw.url}/echo/soap`, { method: 'POST', headers: { 'content-type': ct }, body });
  r = await soap(ENVELOPE(SOAP11, '<GetPet xmlns="urn:svc"><name>rex</name></GetPet>'));
  assert.equal(r.status, 200, r.text);
  r = await soap(ENVELOPE(SOAP11, '<GetPet xmlns="urn:svc"><nom>rex</nom></GetPet>'));
  assert.equal(r.status, 400);
  assert.ok(r.json.message.startsWith(`${soapLead} Element '{urn:svc}nom': This element is not expected. Expected is ( {urn:svc}name ).`), r.json.message);
  // The API definition is a WSDL: the schemas of its types.
  r = await call(`${gw.url}/echo/feed`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: ENVELOPE(SOAP11, '<Feed xmlns="urn:pets"><food>fish</food></Feed>') });
  assert.equal(r.status, 200, r.text);
  r = await call(`${gw.url}/echo/feed`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: ENVELOPE(SOAP11, '<Feed xmlns="urn:pets"><food>grass</food></Feed>') });
  assert.equal(r.status, 400);
  assert.match(r.json.message, /^Body of the request does not conform to the definition Feed, which is associated with the content type text\/xml\. Element '\{urn:pets\}food': \[facet 'enumeration'\] The value 'grass' is not an element of the set \{'fish', 'meat'\}/);
  r = await soap('<GetPet xmlns="urn:svc"><name>rex</name></GetPet>');
  assert.equal(r.json.message, `${soapLead} The message is not a SOAP envelope: its root element is 'GetPet' in namespace 'urn:svc'.`);
  r = await soap(`<s:Envelope xmlns:s="${SOAP11}"><s:Header /></s:Envelope>`);
  assert.equal(r.json.message, `${soapLead} The SOAP envelope has no Body element.`);
  // SOAP 1.2 (the page's example: any content type read as application/soap+xml, a global schema), detect.
  await loadXml(`${big('<content-type-map any-content-type-value="application/soap+xml" /><content type="application/soap+xml" validate-as="soap" schema-id="orders" action="detect" />')}<set-header name="x-errs"><value>@(context.Variables.ContainsKey("errs") ? Newtonsoft.Json.JsonConvert.SerializeObject(context.Variables["errs"]) : "none")</value></set-header>`);
  r = await soap(ENVELOPE(SOAP12, ORDER('1', 'ABC')), 'text/plain');
  assert.equal(r.status, 200, r.text);
  assert.equal(be.requests.at(-1)!.headers['x-errs'], 'none');
  r = await soap(ENVELOPE(SOAP12, ORDER('1', 'abcd')));
  assert.equal(r.status, 200, 'detect lets the call through');
  const errs = JSON.parse(String(be.requests.at(-1)!.headers['x-errs']));
  // On the response (outbound): 502 with the internal-error message, the details in LastError.
  const outbound = `<base /><set-header name="content-type" exists-action="override"><value>application/xml</value></set-header><set-body>@(context.Request.Headers.GetValueOrDefault("x-answer", ""))</set-body>${big('<content type="application/xml" validate-as="xml" schema-id="orders" action="prevent" />')}`;
  await gw.load({ ...echoApi(be.url), operations: operations(), schemas: xmlSchemas(be.url), policies: [api({ outbound, onError: SHOW_ERROR })] });
  const answer = (xml: string) => call(`${gw.url}/echo/x`, { headers: { 'x-answer': xml } });
  r = await answer(ORDER('1', 'ABC'));
  assert.equal(r.status, 200, r.text);
  assert.equal(r.text, ORDER('1', 'ABC'));
  r = await answer(ORDER('1', 'A'));
  assert.equal(r.status, 502);
  assert.deepEqual(r.json, { statusCode: 502, message: INTERNAL });
  assert.equal(r.headers.get('x-reason'), 'Response not allowed');
  assert.match(r.headers.get('x-message') ?? '', /^Body of the response does not conform to the definition orders, which is associated with the content type application\/xml\. Element '\{urn:orders\}code'/);
  assert.equal(errs.length, 1);
  assert.deepEqual({ ...errs[0], Details: undefined }, { Name: 'application/soap+xml', Type: 'RequestBody', ValidationRule: 'IncorrectMessage', Details: undefined, Action: 'detect' });
  assert.match(errs[0].Details, /^Body of the request does not conform to the definition orders, which is associated with the content type application\/soap\+xml\. Element '\{urn:orders\}code'/);
});

test('validate-parameters (Microsoft Learn, "Validate parameters"): path, query and header values against the operation', async () => {
  const vp = `<validate-parameters specified-parameter-action="prevent" unspecified-parameter-action="ignore" errors-variable-name="perrs">
      <query unspecified-parameter-action="prevent"><parameter name="debug" action="ignore" /></query>
    </validate-parameters>`;
  await load({ inbound: vp, onError: SHOW_ERROR });
  assert.equal((await call(`${gw.url}/echo/items/5?limit=3&tag=a&tag=b&debug=1`, { headers: { 'x-mode': 'a' } })).status, 200);
  let r = await call(`${gw.url}/echo/items/abc`);
  assert.deepEqual(r.json, { statusCode: 400, message: 'The value of the path parameter id does not conform to the definition. Invalid type. Expected Integer but got String.' });
  assert.equal(r.headers.get('x-source'), 'validate-parameters');
  r = await call(`${gw.url}/echo/items/5?limit=1&limit=2`);
  assert.deepEqual(r.json, { statusCode: 400, message: 'Request cannot contain multiple values for the query parameter limit.' });
  r = await call(`${gw.url}/echo/items/5?other=1`);
  assert.deepEqual(r.json, { statusCode: 400, message: 'Unspecified query parameter other is not allowed.' });
  r = await call(`${gw.url}/echo/items/5`, { headers: { 'x-mode': 'c' } });
  assert.deepEqual(r.json, { statusCode: 400, message: 'The value of the header x-mode does not conform to the definition. Value is not defined in enum.' });
  // Unspecified headers refused, but named ones let through (the page's example); the subscription key is the gateway's own.
  await load({ inbound: `<validate-parameters specified-parameter-action="prevent" unspecified-parameter-action="prevent">
      <headers specified-parameter-action="detect" unspecified-parameter-action="prevent">${['host', 'connection', 'accept', 'accept-language', 'sec-fetch-mode', 'user-agent', 'accept-encoding'].map((h) => `<parameter name="${h}" action="ignore" />`).join('')}</headers>
    </validate-parameters>` });
  assert.equal((await call(`${gw.url}/echo/items/5`, { headers: { 'x-mode': 'zzz', 'ocp-apim-subscription-key': 'k' } })).status, 200, 'specified header: detect only');
  r = await call(`${gw.url}/echo/items/5`, { headers: { 'x-extra': '1' } });
  assert.deepEqual(r.json, { statusCode: 400, message: 'Unspecified header x-extra is not allowed.' });
});

test('validate-status-code and validate-headers (Microsoft Learn, "Validate status code", "Validate headers"): the response against the operation', async () => {
  await load({ outbound: '<base /><validate-status-code unspecified-status-code-action="prevent"><status-code code="418" action="ignore" /></validate-status-code>', onError: SHOW_ERROR });
  assert.equal((await call(`${gw.url}/echo/ok`)).status, 200);
  assert.equal((await call(`${gw.url}/echo/status/418`)).status, 418);
  let r = await call(`${gw.url}/echo/status/404`);
  assert.equal(r.status, 502);
  assert.deepEqual(r.json, { statusCode: 502, message: INTERNAL });
  assert.equal(r.headers.get('x-message'), 'Response status code 404 is not allowed.');
  assert.equal(r.headers.get('x-source'), 'validate-status-code');
  // validate-headers: x-backend is declared with the value "no" (the backend sends "yes"); the others are unspecified.
  await load({ outbound: '<base /><validate-headers specified-header-action="prevent" unspecified-header-action="ignore" />', onError: SHOW_ERROR });
  r = await post('/pets', '{}');
  assert.equal(r.status, 502);
  assert.equal(r.headers.get('x-message'), 'Value of the header x-backend does not conform to the definition. Value is not defined in enum.');
  await load({ outbound: '<base /><validate-headers specified-header-action="ignore" unspecified-header-action="prevent"><header name="date" action="ignore" /><header name="connection" action="ignore" /><header name="keep-alive" action="ignore" /><header name="content-length" action="ignore" /></validate-headers>', onError: SHOW_ERROR });
  r = await post('/pets', '{}');
  assert.equal(r.status, 502);
  assert.equal(r.headers.get('x-message'), 'Unspecified header content-type is not allowed.');
});

test('validate-odata-request (Microsoft Learn, "Validate OData request"): versions, size and system query options', async () => {
  assert.match(refusal('<validate-odata-request default-odata-version="5.0" />'), /invalid value '5\.0'/);
  assert.match(refusal('<validate-odata-request min-odata-version="4.01" max-odata-version="4.0" />'), /above the 'max-odata-version'/);
  assert.match(refusal('<validate-odata-request />', 'outbound'), /not allowed in the 'outbound' section/);
  assert.match(refusal('<validate-odata-request />', 'inbound', 'operation'), /not allowed in the specified scope/);
  await load({ inbound: '<validate-odata-request error-variable-name="oerrs" min-odata-version="4.0" max-odata-version="4.0" max-size="20" />', onError: SHOW_ERROR });
  assert.equal((await call(`${gw.url}/echo/People?$filter=Name eq 'x'&$top=5&$count=true&custom=1`, { headers: { 'odata-version': '4.0' } })).status, 200);
  let r = await call(`${gw.url}/echo/People`, { headers: { 'odata-version': '4.01' } });
  assert.deepEqual(r.json, { statusCode: 400, message: 'OData version 4.01 is higher than the maximum version 4.0 allowed.' });
  assert.equal(r.headers.get('x-source'), 'validate-odata-request');
  r = await call(`${gw.url}/echo/People`, { headers: { 'odata-version': '3.0' } });
  assert.equal(r.json.message, "The OData-Version header value '3.0' is not a valid OData version.");
  r = await call(`${gw.url}/echo/People?$top=-1`);
  assert.equal(r.json.message, "The value '-1' of the system query option '$top' is not a non-negative integer.");
  r = await call(`${gw.url}/echo/People?$bogus=1`);
  assert.equal(r.json.message, "The query option '$bogus' is not a supported OData system query option.");
  r = await call(`${gw.url}/echo/People?$top=1&$top=2`);
  assert.equal(r.json.message, "The system query option '$top' may be specified only once.");
  const big = '{"Name":"a very long name indeed"}';
  r = await post('/pets', big);
  assert.equal(r.json.message, `Request's body is ${Buffer.byteLength(big)} bytes long and it exceeds the limit of 20 bytes.`);
  // 4.01 (the default here): system query options without '$' and in any case.
  await load({ inbound: '<validate-odata-request default-odata-version="4.01" />' });
  assert.equal((await call(`${gw.url}/echo/People?top=2&$SKIP=1`)).status, 200);
  assert.equal((await call(`${gw.url}/echo/People?top=x`)).status, 400);
});

test('validate-azure-ad-token and check-header at PUT (Microsoft Learn, "Validate Microsoft Entra token", "Check HTTP header")', () => {
  assert.match(refusal('<validate-azure-ad-token><client-application-ids><application-id>a</application-id></client-application-ids></validate-azure-ad-token>'), /required attribute 'tenant-id' is missing/);
  assert.match(refusal('<validate-azure-ad-token tenant-id="t" />'), /must contain a 'client-application-ids' element/);
  assert.match(refusal('<validate-azure-ad-token tenant-id="t"><client-application-ids /></validate-azure-ad-token>'), /at least one 'application-id'/);
  assert.match(refusal('<validate-azure-ad-token tenant-id="t" header-name="a" query-parameter-name="b"><client-application-ids><application-id>a</application-id></client-application-ids></validate-azure-ad-token>'), /Only one of/);
  assert.match(refusal('<validate-azure-ad-token tenant-id="t"><client-application-ids><application-id>a</application-id></client-application-ids></validate-azure-ad-token>', 'outbound'), /not allowed in the 'outbound' section/);
  assert.match(refusal('<validate-azure-ad-token tenant-id="t"><client-application-ids><application-id>a</application-id></client-application-ids><decryption-keys><key>x</key></decryption-keys></validate-azure-ad-token>'), /not supported by apim-local yet/);
  assert.match(refusal('<check-header name="a" failed-check-httpcode="401" failed-check-error-message="no" />'), /required attribute 'ignore-case' is missing/);
  assert.match(refusal('<check-header name="a" failed-check-httpcode="401" failed-check-error-message="no" ignore-case="yes" />'), /'true' or 'false' is expected/);
  assert.match(refusal('<check-header name="a" failed-check-httpcode="401" failed-check-error-message="no" ignore-case="true" />', 'outbound'), /not allowed in the 'outbound' section/);
});

test('check-header edge cases (Microsoft Learn, "Check HTTP header"): presence only, case, any of several values, the answer', async () => {
  await load({ inbound: `<check-header name="X-Key" failed-check-httpcode="401" failed-check-error-message="Not authorized" ignore-case="false"><value>f6dc69a089844cf6b2019bae6d36fac8</value><value>second</value></check-header>
    <check-header name="X-Present" failed-check-httpcode="403" failed-check-error-message="@(&quot;missing &quot; + &quot;header&quot;)" ignore-case="true" />`, onError: SHOW_ERROR });
  const h = (key?: string, present = true) => call(`${gw.url}/echo/x`, { headers: { ...(key !== undefined ? { 'x-key': key } : {}), ...(present ? { 'x-present': '' } : {}) } });
  assert.equal((await h('f6dc69a089844cf6b2019bae6d36fac8')).status, 200);
  assert.equal((await h('second')).status, 200, 'any one of the values');
  let r = await h('F6DC69A089844CF6B2019BAE6D36FAC8');
  assert.equal(r.status, 401, 'ignore-case="false" compares exactly');
  assert.deepEqual(r.json, { statusCode: 401, message: 'Not authorized' });
  assert.equal(r.headers.get('x-reason'), 'HeaderValueNotAllowed');
  r = await h(undefined);
  assert.equal(r.headers.get('x-reason'), 'HeaderNotFound');
  r = await h('second', false);
  assert.deepEqual(r.json, { statusCode: 403, message: 'missing header' }, 'no value elements: presence only (an empty header is present)');
  assert.equal((await h('second', true)).status, 200);
});
