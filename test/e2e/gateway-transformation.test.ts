// The transformation policies through the real gateway (one server): policies PUT with
// @azure/arm-apimanagement, calls with fetch over HTTPS, a real backend that echoes what it received or
// answers the body and Content-Type the call asks it for (x-respond-type, x-respond-body base64). Each
// test names the Microsoft reference page whose documented behaviour it checks. The conversion rules
// themselves are covered by test/unit/transform-json-xml.test.ts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ApiManagementClient } from '@azure/arm-apimanagement';
import { RestError } from '@azure/core-rest-pipeline';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { createApimInstance } from '../helpers/apim.js';

const RG = 'xform-rg';
const SVC = 'xform';
const API = 'xf';
let server: TestServer;
let apim: ApiManagementClient;
let gatewayUrl: string;
let backend: http.Server;
let backendUrl: string;

interface Seen { method: string; url: string; headers: http.IncomingHttpHeaders; body: string }

before(async () => {
  server = await startTestServer();
  backend = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const type = req.headers['x-respond-type'];
      const body = req.headers['x-respond-body'];
      if (typeof type === 'string' && typeof body === 'string') {
        res.writeHead(200, { 'content-type': type });
        res.end(Buffer.from(body, 'base64').toString('utf8').replaceAll('{backend}', `http://127.0.0.1:${(backend.address() as AddressInfo).port}`));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString() } satisfies Seen));
    });
  });
  await new Promise<void>((r) => backend.listen(0, '127.0.0.1', r));
  backendUrl = `http://127.0.0.1:${(backend.address() as AddressInfo).port}`;
  const made = await createApimInstance(server, RG, SVC);
  apim = made.apim;
  gatewayUrl = made.service.gatewayUrl!;
  await apim.api.beginCreateOrUpdateAndWait(RG, SVC, API, {
    displayName: 'Transformation', path: API, serviceUrl: `${backendUrl}/base`, protocols: ['https'], subscriptionRequired: false,
  });
  await apim.namedValue.beginCreateOrUpdateAndWait(RG, SVC, 'nv-tenant', { displayName: 'tenant-name', value: 'contoso' });
});

after(async () => {
  await server?.stop();
  await new Promise((r) => backend?.close(r));
});

let ops = 0;
/** A new operation (method, `/opN/{id}`) with this policy document; returns its gateway URL prefix. */
async function deploy(inbound: string, outbound = '', method = 'GET'): Promise<string> {
  const id = `op${++ops}`;
  await apim.apiOperation.createOrUpdate(RG, SVC, API, id, {
    displayName: id, method, urlTemplate: `/${id}/{id}`, templateParameters: [{ name: 'id', type: 'string', required: true }],
  });
  const value = `<policies><inbound><base />${inbound}</inbound><backend><base /></backend><outbound><base />${outbound}</outbound><on-error><base /></on-error></policies>`;
  await apim.apiOperationPolicy.createOrUpdate(RG, SVC, API, id, 'policy', { format: 'rawxml', value });
  return `${gatewayUrl}/${API}/${id}`;
}

/** Headers that make the backend answer `body` with `type`. */
const respond = (type: string, body: string) => ({ 'x-respond-type': type, 'x-respond-body': Buffer.from(body).toString('base64') });
const seen = async (r: Response): Promise<Seen> => JSON.parse(await r.text()) as Seen;

test('set-method reference page: the backend is called with the method set (literal and expression)', async () => {
  const url = await deploy('<set-method>PUT</set-method>');
  const r = await fetch(`${url}/1`);
  assert.equal(r.status, 200);
  assert.equal((await seen(r)).method, 'PUT');
  const url2 = await deploy('<set-method>@(context.Request.Headers.GetValueOrDefault("x-want", "PATCH"))</set-method>');
  assert.equal((await seen(await fetch(`${url2}/1`))).method, 'PATCH');
  assert.equal((await seen(await fetch(`${url2}/1`, { headers: { 'x-want': 'DELETE' } }))).method, 'DELETE');
  // A value that is not an HTTP method is the policy's error (500, on-error), never sent.
  assert.equal((await fetch(`${url2}/1`, { headers: { 'x-want': 'NOT A METHOD' } })).status, 500);
});

test('json-to-xml reference page: its example turns the backend\'s JSON into the documented XML', async () => {
  const url = await deploy('', '<json-to-xml apply="always" consider-accept-header="false" parse-date="false" namespace-separator=":" namespace-prefix="xmlns" attribute-block-name="#attrs" />');
  const json = {
    'soapenv:Envelope': {
      'xmlns:soapenv': 'http://schemas.xmlsoap.org/soap/envelope/', 'xmlns:v1': 'http://localdomain.com/core/v1', 'soapenv:Header': {},
      'soapenv:Body': { 'v1:QueryList': { '#attrs': { queryName: 'test' }, 'v1:QueryItem': { name: 'dummy text' } } },
    },
  };
  const r = await fetch(`${url}/1`, { headers: respond('application/json', JSON.stringify(json)) });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'application/xml');
  assert.equal(await r.text(), '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:v1="http://localdomain.com/core/v1">'
    + '<soapenv:Header /><soapenv:Body><v1:QueryList queryName="test"><v1:QueryItem><name>dummy text</name></v1:QueryItem></v1:QueryList></soapenv:Body></soapenv:Envelope>');
});

test('json-to-xml reference page: apply="content-type-json" and consider-accept-header (default true); inbound converts the request', async () => {
  const url = await deploy('', '<json-to-xml apply="content-type-json" />');
  const body = JSON.stringify({ a: 1, b: true });
  // No XML in Accept: left as JSON.
  const plain = await fetch(`${url}/1`, { headers: respond('application/json', body) });
  assert.equal(await plain.text(), body);
  // Accept asks for XML: converted.
  const xml = await fetch(`${url}/1`, { headers: { ...respond('application/json', body), accept: 'application/xml' } });
  assert.equal(await xml.text(), '<Document><a>1</a><b>True</b></Document>');
  // Not JSON by its Content-Type: left alone even when XML is asked for.
  const text = await fetch(`${url}/1`, { headers: { ...respond('text/plain', body), accept: 'application/xml' } });
  assert.equal(await text.text(), body);
  const inbound = await deploy('<json-to-xml apply="always" consider-accept-header="false" />', '', 'POST');
  const s = await seen(await fetch(`${inbound}/1`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ order: { id: 7 } }) }));
  assert.equal(s.body, '<order><id>7</id></order>');
  assert.equal(s.headers['content-type'], 'application/xml');
});

test('xml-to-json reference page: its example (kind="direct", apply="always") turns XML into JSON; content-type-xml and Accept are honoured', async () => {
  const url = await deploy('', '<xml-to-json kind="direct" apply="always" consider-accept-header="false" />');
  const r = await fetch(`${url}/1`, { headers: respond('text/xml', '<?xml version="1.0"?><root a="1"><item>x</item><item>y</item><empty/></root>') });
  assert.equal(r.headers.get('content-type'), 'application/json');
  assert.deepEqual(await r.json(), { '?xml': { '@version': '1.0' }, root: { '@a': '1', item: ['x', 'y'], empty: null } });
  const only = await deploy('', '<xml-to-json kind="javascript-friendly" apply="content-type-xml" always-array-child-elements="true" />');
  // consider-accept-header defaults to true: converted only when JSON is asked for.
  const asked = await fetch(`${only}/1`, { headers: { ...respond('application/xml', '<r><a>1</a></r>'), accept: 'application/json' } });
  assert.deepEqual(await asked.json(), { r: { a: ['1'] } });
  const notAsked = await fetch(`${only}/1`, { headers: respond('application/xml', '<r><a>1</a></r>') });
  assert.equal(await notAsked.text(), '<r><a>1</a></r>');
  const notXml = await fetch(`${only}/1`, { headers: { ...respond('text/plain', '<r/>'), accept: 'application/json' } });
  assert.equal(await notXml.text(), '<r/>');
  // Not well-formed XML: the policy's error, answered 500 by the default on-error.
  const bad = await fetch(`${url}/1`, { headers: respond('application/xml', '<r><a></r>') });
  assert.equal(bad.status, 500);
});

test('find-and-replace reference page: every occurrence in the body, request and response, from/to as expressions', async () => {
  const url = await deploy('<find-and-replace from="cat" to="dog" />', '<find-and-replace from="@(&quot;b&quot; + &quot;ody&quot;)" to="@(context.Request.Method)" />', 'POST');
  const r = await fetch(`${url}/1`, { method: 'POST', body: 'cat, cat and catalogue' });
  assert.equal(r.status, 200);
  const s = JSON.parse(await r.text()) as Record<string, unknown>;
  // Outbound renamed the echo's "body" property to "POST"; inbound had replaced every "cat".
  assert.equal(s.POST, 'dog, dog and dogalogue');
  assert.equal(s.body, undefined);
});

test('redirect-content-urls reference page: outbound links to the backend point to the gateway; inbound the opposite', async () => {
  const url = await deploy('', '<redirect-content-urls />', 'POST');
  const inbound = await deploy('<redirect-content-urls />', '', 'POST');
  const gatewayApi = `${gatewayUrl}/${API}`;
  const out = await fetch(`${url}/1`, { method: 'POST', headers: respond('application/json', '{"next":"{backend}/base/items?page=2","other":"https://example.com/x"}') });
  assert.deepEqual(await out.json(), { next: `${gatewayApi}/items?page=2`, other: 'https://example.com/x' });
  const s = await seen(await fetch(`${inbound}/1`, { method: 'POST', body: `see ${gatewayApi}/orders/1` }));
  assert.equal(s.body, `see ${backendUrl}/base/orders/1`);
});

test('xsl-transform reference page: "Transform request body" adds the User-Agent parameter to the root; "Transform response body" copies', async () => {
  const sheet = '<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"><xsl:output method="xml" indent="yes" /><xsl:param name="User-Agent" />'
    + '<xsl:template match="* | @* | node()"><xsl:copy><xsl:if test="self::* and not(parent::*)"><xsl:attribute name="User-Agent"><xsl:value-of select="$User-Agent" /></xsl:attribute></xsl:if>'
    + '<xsl:apply-templates select="* | @* | node()" /></xsl:copy></xsl:template></xsl:stylesheet>';
  const url = await deploy(`<xsl-transform><parameter name="User-Agent">@(context.Request.Headers.GetValueOrDefault("User-Agent","non-specified"))</parameter>${sheet}</xsl-transform>`, '', 'POST');
  const s = await seen(await fetch(`${url}/1`, { method: 'POST', headers: { 'content-type': 'application/xml', 'user-agent': 'tester/1.0' }, body: '<order id="7"><item>a &amp; b</item></order>' }));
  assert.match(s.body, /^<order (User-Agent="tester\/1\.0" id="7"|id="7" User-Agent="tester\/1\.0")>\s*<item>a &amp; b<\/item>\s*<\/order>$/);
  const copy = '<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"><xsl:output omit-xml-declaration="yes" method="xml" indent="yes" />'
    + '<xsl:template match="node()| @*|*"><xsl:copy><xsl:apply-templates select="@* | node()|*" /></xsl:copy></xsl:template></xsl:stylesheet>';
  const out = await deploy('', `<xsl-transform>${copy}</xsl-transform>`);
  const r = await fetch(`${out}/1`, { headers: respond('application/xml', '<a x="1"><b>t</b></a>') });
  assert.match(await r.text(), /^<a x="1">\s*<b>t<\/b>\s*<\/a>$/);
  // A body that is not XML: the policy's error.
  assert.equal((await fetch(`${out}/1`, { headers: respond('application/xml', 'not xml') })).status, 500);
});

test('jsonp reference page: with ?cb=XXX the JSON is wrapped in the call; without it plain JSON; a callback that is not a name is not reflected', async () => {
  const url = await deploy('', '<jsonp callback-parameter-name="cb" />');
  const body = '{"a":1}';
  const wrapped = await fetch(`${url}/1?cb=XYZ`, { headers: respond('application/json', body) });
  assert.equal(await wrapped.text(), `XYZ(${body})`);
  assert.equal(wrapped.headers.get('content-type'), 'application/javascript; charset=utf-8');
  assert.equal(await (await fetch(`${url}/1`, { headers: respond('application/json', body) })).text(), body);
  const evil = await fetch(`${url}/1?cb=${encodeURIComponent('alert(1);//')}`, { headers: respond('application/json', body) });
  assert.equal(await evil.text(), body);
});

test('set-body reference page: "Transform JSON using a Liquid template" and "Convert JSON to SOAP using a Liquid template"', async () => {
  const json = await deploy(`<set-body template="liquid">
{
"order": {
    "id": "{{body.customer.purchase.identifier}}",
    "summary": "{{body.customer.purchase.orderShortDesc}}"
    }
}
</set-body>`, '', 'POST');
  const s = await seen(await fetch(`${json}/1`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ customer: { purchase: { identifier: 'P-9', orderShortDesc: 'two lamps' } } }) }));
  assert.deepEqual(JSON.parse(s.body), { order: { id: 'P-9', summary: 'two lamps' } });
  const soap = await deploy(`<set-body template="liquid">
    <soap:Envelope xmlns="http://tempuri.org/" xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">
        <soap:Body>
            <GetOpenOrders>
                <cust>{{body.getOpenOrders.cust}}</cust>{% if body.getOpenOrders.count > 1 %}<many note="a &amp; b" />{% endif %}
            </GetOpenOrders>
        </soap:Body>
    </soap:Envelope>
</set-body>`, '', 'POST');
  const s2 = await seen(await fetch(`${soap}/1`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ getOpenOrders: { cust: 'C&A 42', count: 2 } }) }));
  assert.match(s2.body.replace(/\s+/g, ' ').trim(), /^<soap:Envelope xmlns="http:\/\/tempuri.org\/" xmlns:soap="http:\/\/schemas.xmlsoap.org\/soap\/envelope\/"> <soap:Body> <GetOpenOrders> <cust>C&A 42<\/cust><many note="a &amp; b" \/> <\/GetOpenOrders> <\/soap:Body> <\/soap:Envelope>$/);
});

test('set-body reference page: Liquid sees context (OriginalUrl, MatchedParameters, Headers, Variables), an XML body, and C#-mode filters', async () => {
  const url = await deploy(`<set-variable name="who" value="@(&quot;ada&quot;)" />
<set-body template="liquid">{{context.Request.OriginalMethod}} {{context.Request.OriginalUrl.Path}} id={{context.Request.MatchedParameters["id"]}} q={{context.Request.OriginalUrl.Query.q}} ua={{context.Request.Headers["X-Test"]}} var={{context.Variables["who"] | Upcase}} item={{body.order.item | Default: "none"}} date={{body.order.at | Date: "yyyy-MM-dd"}} missing={{body.order.nothing | Default: "dflt"}}</set-body>`, '', 'POST');
  const s = await seen(await fetch(`${url}/42?q=v`, { method: 'POST', headers: { 'content-type': 'application/xml', 'x-test': 'hdr' }, body: '<order><item>lamp</item><at>2023-04-05T06:07:08Z</at></order>' }));
  assert.equal(s.body, `POST /${API}/op${ops}/42 id=42 q=v ua=hdr var=ADA item=lamp date=2023-04-05 missing=dflt`);
});

test('set-body reference page: a Liquid template in return-response binds context (its body input is empty)', async () => {
  const url = await deploy(`<return-response><set-status code="200" reason="OK" /><set-body template="liquid">{% for header in context.Request.Headers %}{% if header.Key == "X-One" or header.Key == "X-Two" %}{{- header.Key }}: {{ header.Value }};{% endif %}{% endfor %}body=[{{body}}]</set-body></return-response>`);
  const r = await fetch(`${url}/1`, { headers: { 'x-one': '1', 'x-two': '2' } });
  assert.equal(r.status, 200);
  assert.equal(await r.text(), 'X-One: 1;X-Two: 2;body=[]');
});

test('set-body reference page: XML content is the body as written, {{named values}} substituted', async () => {
  const url = await deploy('<set-body><order xmlns="urn:o" tenant="{{tenant-name}}"><note>fish &amp; chips</note><empty /></order></set-body>', '', 'POST');
  const s = await seen(await fetch(`${url}/1`, { method: 'POST', body: 'ignored' }));
  assert.equal(s.body, '<order xmlns="urn:o" tenant="contoso"><note>fish &amp; chips</note><empty /></order>');
});

test('trace reference page: the message form and the older text form both run and land in the request trace', async () => {
  const url = await deploy('<trace source="PetStore API" severity="information"><message>@(context.Request.Method)</message><metadata name="Operation Name" value="New-Order" /></trace><trace source="legacy">plain text message</trace>');
  await apim.subscription.createOrUpdate(RG, SVC, 'tracer', { displayName: 'Tracer', scope: '/apis', state: 'active', allowTracing: true });
  const key = (await apim.subscription.listSecrets(RG, SVC, 'tracer')).primaryKey!;
  const r = await fetch(`${url}/1`, { headers: { 'ocp-apim-subscription-key': key, 'ocp-apim-trace': 'true' } });
  assert.equal(r.status, 200);
  const location = r.headers.get('ocp-apim-trace-location');
  assert.ok(location);
  const trace = await (await fetch(location)).json() as { entries: { source: string; data: { source?: string; severity?: string; message?: string; metadata?: Record<string, string> } }[] };
  // The trace policy's messages (its step entries, also under 'trace', carry no message).
  const messages = trace.entries.filter((e) => e.source === 'trace' && e.data.message !== undefined).map((e) => e.data);
  assert.deepEqual(messages, [
    { source: 'PetStore API', severity: 'information', message: 'GET', metadata: { 'Operation Name': 'New-Order' } },
    { source: 'legacy', severity: 'verbose', message: 'plain text message', metadata: {} },
  ]);
});

test('cross-domain reference page: the global policy\'s Adobe policy file is served at /crossdomain.xml', async () => {
  const before = await fetch(`${gatewayUrl}/crossdomain.xml`);
  assert.equal(before.status, 404);
  await apim.policy.createOrUpdate(RG, SVC, 'policy', {
    format: 'rawxml',
    value: `<policies><inbound><cross-domain><cross-domain-policy><allow-http-request-headers-from domain='*' headers='*' /></cross-domain-policy></cross-domain></inbound><backend><forward-request /></backend><outbound /><on-error /></policies>`,
  });
  const r = await fetch(`${gatewayUrl}/crossdomain.xml`);
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'text/xml');
  assert.equal(await r.text(), '<?xml version="1.0"?>\n<cross-domain-policy><allow-http-request-headers-from domain="*" headers="*" /></cross-domain-policy>');
  // Other calls go on as before.
  assert.equal((await fetch(`${gatewayUrl}/${API}/op1/1`)).status, 200);
});

test('validation at PUT through Resource Manager: a policy in a section its page does not allow is a 400 naming it', async () => {
  const id = `op${++ops}`;
  await apim.apiOperation.createOrUpdate(RG, SVC, API, id, { displayName: id, method: 'GET', urlTemplate: `/${id}` });
  const e = await apim.apiOperationPolicy.createOrUpdate(RG, SVC, API, id, 'policy', {
    format: 'rawxml', value: '<policies><inbound><base /><jsonp callback-parameter-name="cb" /></inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>',
  }).then(() => undefined, (x: unknown) => x);
  assert.ok(e instanceof RestError, String(e));
  assert.equal(e.statusCode, 400);
  const body = JSON.parse(String((e.response as { bodyAsText?: string } | undefined)?.bodyAsText ?? '{}')) as { error: { code: string; details: { message: string }[] } };
  assert.equal(body.error.code, 'ValidationError');
  assert.match(body.error.details[0].message, /^Error in element 'jsonp' on line 1, column \d+: Policy is not allowed in the 'inbound' section\. Allowed sections: outbound\.$/);
});
