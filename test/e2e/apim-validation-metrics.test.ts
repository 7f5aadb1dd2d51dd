// Issue #14, validation and metrics, end to end with the official SDK and --gateway-workers 2:
// - the `schemas` (GlobalSchemaContract) and `apis/{api}/schemas` (SchemaContract) children: created,
//   read back, wrong ones refused with ValidationError;
// - validate-content against the API definition (an operation's representation → schemaId + typeName)
//   and against a global schema (schema-id), through the gateway (Microsoft Learn, "Validate content");
// - emit-metric and the gateway's request metrics, summed over the gateway processes, at
//   GET /apim-local/metrics: 401 without a token, 403 without metrics read, Prometheus text for Owner.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ApiManagementClient } from '@azure/arm-apimanagement';
import { createApimInstance } from '../helpers/apim.js';
import { request, startTestServer, type TestServer } from '../helpers/server.js';
import { freshRequest, policyXml } from '../helpers/gateway.js';

const RG = 'validation-rg';
const SVC = 'validation-apim';
const API = 'pets';
let server: TestServer;
let apim: ApiManagementClient;
let gatewayUrl: string;
let backend: http.Server;
let token: string;

before(async () => {
  server = await startTestServer({ args: ['--gateway-workers', '2'] });
  backend = http.createServer((req, res) => { req.resume(); req.on('end', () => { res.writeHead(200, { 'content-type': 'application/json' }); res.end('{"name":"from-backend"}'); }); });
  await new Promise<void>((r) => backend.listen(0, '127.0.0.1', r));
  const { apim: client, service } = await createApimInstance(server, RG, SVC);
  apim = client;
  gatewayUrl = service.gatewayUrl!;
  token = (await server.credential().getToken('https://management.azure.com/.default')).token;
  await apim.api.beginCreateOrUpdateAndWait(RG, SVC, API, {
    displayName: 'Pets', path: 'pets', protocols: ['https'], subscriptionRequired: false, serviceUrl: `http://127.0.0.1:${(backend.address() as AddressInfo).port}`,
  });
});
after(async () => { backend?.closeAllConnections(); backend?.close(); await server?.stop(); });

test('schemas children: global (json document, xml value) and per API (Swagger definitions); wrong ones refused', async () => {
  const zip = { type: 'object', required: ['zip'], properties: { zip: { type: 'string', pattern: '^[0-9]{5}$' } } };
  const g = await apim.globalSchema.beginCreateOrUpdateAndWait(RG, SVC, 'address', { schemaType: 'json', description: 'addresses', document: zip });
  assert.equal(g.schemaType, 'json');
  assert.deepEqual((await apim.globalSchema.get(RG, SVC, 'address')).document, zip);
  const x = await apim.globalSchema.beginCreateOrUpdateAndWait(RG, SVC, 'xsd1', { schemaType: 'xml', value: '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"/>' });
  assert.match(String(x.value), /xs:schema/);
  await assert.rejects(apim.globalSchema.beginCreateOrUpdateAndWait(RG, SVC, 'bad', { schemaType: 'yaml' as 'json', document: zip }), (e: any) => e.statusCode === 400 && e.code === 'ValidationError');
  await assert.rejects(apim.globalSchema.beginCreateOrUpdateAndWait(RG, SVC, 'bad', { schemaType: 'json' }), (e: any) => e.statusCode === 400 && /'document' is required/.test(JSON.stringify(e.details)));

  const definitions = { Pet: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, age: { type: 'integer' } } } };
  const s = await apim.apiSchema.beginCreateOrUpdateAndWait(RG, SVC, API, 'petschema', { contentType: 'application/vnd.ms-azure-apim.swagger.definitions+json', definitions });
  assert.deepEqual(s.definitions, definitions);
  await assert.rejects(apim.apiSchema.beginCreateOrUpdateAndWait(RG, SVC, API, 'bad', { contentType: 'text/plain', value: 'x' }), (e: any) => e.statusCode === 400 && /not a supported schema content type/.test(JSON.stringify(e.details)));
  await assert.rejects(apim.apiSchema.beginCreateOrUpdateAndWait(RG, SVC, API, 'bad', { contentType: 'application/vnd.oai.openapi.components+json' }), (e: any) => e.statusCode === 400);
  await assert.rejects(apim.apiSchema.beginCreateOrUpdateAndWait(RG, SVC, 'no-such-api', 'petschema', { contentType: 'application/vnd.ms-azure-apim.swagger.definitions+json', definitions }), (e: any) => e.statusCode === 404);

  await apim.apiOperation.createOrUpdate(RG, SVC, API, 'create', {
    displayName: 'create', method: 'POST', urlTemplate: '/pets',
    request: { representations: [{ contentType: 'application/json', schemaId: 'petschema', typeName: 'Pet' }] },
    responses: [{ statusCode: 200, representations: [{ contentType: 'application/json', schemaId: 'petschema', typeName: 'Pet' }] }],
  });
  await apim.apiOperation.createOrUpdate(RG, SVC, API, 'address', { displayName: 'address', method: 'PUT', urlTemplate: '/address', responses: [{ statusCode: 200 }] });
});

const post = (path: string, body: string, method = 'POST') => freshRequest(`${gatewayUrl}/${API}${path}`, { method, headers: { 'content-type': 'application/json' }, body });

test('validate-content through the gateway (Microsoft Learn, "Validate content"): the API definition and a global schema; emit-metric counted over both gateway processes', async () => {
  await apim.apiPolicy.createOrUpdate(RG, SVC, API, 'policy', {
    format: 'rawxml',
    value: policyXml(`
      <emit-metric name="Calls" namespace="pets"><dimension name="API ID" /><dimension name="Operation ID" /><dimension name="Location" /></emit-metric>
      <choose>
        <when condition="@(context.Operation.Id == &quot;address&quot;)">
          <validate-content unspecified-content-type-action="prevent" max-size="1024" size-exceeded-action="prevent">
            <content type="application/json" validate-as="json" schema-id="address" action="prevent" />
          </validate-content>
        </when>
        <otherwise>
          <validate-content unspecified-content-type-action="prevent" max-size="1024" size-exceeded-action="prevent">
            <content type="application/json" validate-as="json" action="prevent" />
          </validate-content>
        </otherwise>
      </choose>`),
  });
  const ok = await post('/pets', '{"name":"rex","age":2}');
  assert.equal(ok.status, 200, ok.text);
  assert.deepEqual(ok.json, { name: 'from-backend' });
  const bad = await post('/pets', '{"name":"rex","age":"two"}');
  assert.equal(bad.status, 400);
  assert.deepEqual(bad.json, { statusCode: 400, message: "Body of the request does not conform to the definition Pet, which is associated with the content type application/json. Invalid type. Expected Integer. Path 'age'." });
  assert.equal((await post('/address', '{"zip":"12345"}', 'PUT')).status, 200);
  const zip = await post('/address', '{"zip":"1"}', 'PUT');
  assert.equal(zip.status, 400);
  assert.match(zip.json.message, /definition address, .* String does not match regex pattern '\^\[0-9\]\{5\}\$'\. Path 'zip'\.$/);
  // Four more calls, each on its own connection: the processes take turns.
  for (let i = 0; i < 4; i++) assert.equal((await post('/pets', '{"name":"n"}')).status, 200);

  const url = `${server.connection.managementEndpoint}/apim-local/metrics`;
  const r = await request(url, { token });
  assert.equal(r.status, 200, r.text);
  assert.match(r.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  const inst = `/subscriptions/${server.connection.subscriptionId}/resourceGroups/${RG}/providers/Microsoft.ApiManagement/service/${SVC}`;
  const sample = (name: string, labels: string) => {
    const line = r.text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(labels));
    return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
  };
  // 8 calls: 6 to create (5 passed, 1 refused), 2 to address; summed over the server and its worker.
  assert.equal(sample('apim_custom_calls_count', `namespace="pets",api_id="${API}",operation_id="create",location="westeurope"`), 6, r.text);
  assert.equal(sample('apim_custom_calls_sum', `namespace="pets",api_id="${API}",operation_id="address"`), 2, r.text);
  assert.equal(sample('apim_gateway_requests_total', `instance="${inst}",api="${API}",operation="create",status="200"`), 5, r.text);
  assert.equal(sample('apim_gateway_requests_total', `instance="${inst}",api="${API}",operation="create",status="400"`), 1, r.text);
  assert.equal(sample('apim_gateway_request_duration_seconds_count', `api="${API}",operation="address"`), 2, r.text);
});

test('GET /apim-local/metrics authenticates (401) and authorizes Microsoft.Insights/metrics/read (403); GET only', async () => {
  const url = `${server.connection.managementEndpoint}/apim-local/metrics`;
  const anon = await request(url);
  assert.equal(anon.status, 401);
  assert.equal(anon.body.error.code, 'AuthenticationFailed');
  assert.equal((await request(url, { token: 'not-a-token' })).status, 401);
  const app = await request(`${server.connection.managementEndpoint}/apim-local/applications`, {
    method: 'POST', token, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ displayName: 'no-roles' }),
  });
  assert.equal(app.status, 201, app.text);
  const other = (await server.credential(app.body.appId, app.body.password).getToken('https://management.azure.com/.default')).token;
  const denied = await request(url, { token: other });
  assert.equal(denied.status, 403);
  assert.equal(denied.body.error.message, `The client with object id '${app.body.objectId}' does not have authorization to perform action 'Microsoft.Insights/metrics/read' over scope '/subscriptions/${server.connection.subscriptionId}'.`);
  assert.equal((await request(url, { method: 'POST', token })).status, 405);
});

test('validate-azure-ad-token (Microsoft Learn, "Validate Microsoft Entra token"): tokens of this server\'s tenant, by client application, audience and claims; in every gateway process', async () => {
  const tenant = server.connection.tenantId;
  const adminApp = server.connection.clientId;
  await apim.apiOperation.createOrUpdate(RG, SVC, API, 'secure', { displayName: 'secure', method: 'GET', urlTemplate: '/secure', responses: [{ statusCode: 200 }] });
  await apim.apiOperationPolicy.createOrUpdate(RG, SVC, API, "secure", "policy", {
    format: 'rawxml',
    value: policyXml(`<validate-azure-ad-token tenant-id="${tenant}" output-token-variable-name="jwt">
        <client-application-ids><application-id>${adminApp}</application-id></client-application-ids>
        <audiences><audience>https://management.azure.com</audience></audiences>
        <required-claims><claim name="tid" match="any"><value>${tenant}</value></claim></required-claims>
      </validate-azure-ad-token>`, '<set-header name="x-caller"><value>@(((Jwt)context.Variables["jwt"]).Claims.GetValueOrDefault("appid", ""))</value></set-header>').replace('<on-error><base /></on-error>', '<on-error><base /><set-header name="x-reason"><value>@(context.LastError.Reason)</value></set-header></on-error>'),
  });
  const get = (auth?: string) => freshRequest(`${gatewayUrl}/${API}/secure`, { headers: auth ? { authorization: auth } : {} });
  const none = await get();
  assert.equal(none.status, 401);
  assert.deepEqual(none.json, { statusCode: 401, message: 'JWT not present.' });
  // Twice, on fresh connections: the server process and the worker both validate.
  for (let i = 0; i < 2; i++) {
    const ok = await get(`Bearer ${token}`);
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.headers['x-caller'], adminApp, 'output-token-variable-name holds the validated token');
  }
  const tampered = await get(`Bearer ${token.slice(0, -6)}AAAAAA`);
  assert.deepEqual(tampered.json, { statusCode: 401, message: 'Invalid JWT.' });
  assert.equal(tampered.headers['x-reason'], 'TokenSignatureInvalid');
  assert.equal((await get(token)).status, 401, 'the Authorization header needs the Bearer scheme');
  // Another application of the tenant is not among client-application-ids.
  const app = await request(`${server.connection.managementEndpoint}/apim-local/applications`, {
    method: 'POST', token, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ displayName: 'other-client' }),
  });
  const other = (await server.credential(app.body.appId, app.body.password).getToken('https://management.azure.com/.default')).token;
  const refused = await get(`Bearer ${other}`);
  assert.deepEqual(refused.json, { statusCode: 401, message: 'Invalid JWT.' });
  assert.equal(refused.headers['x-reason'], 'TokenClientApplicationIdNotAllowed');
  // A token for another audience (Key Vault) is refused by <audiences>.
  const kv = (await server.credential().getToken('https://vault.azure.net/.default')).token;
  assert.equal((await get(`Bearer ${kv}`)).headers['x-reason'], 'TokenAudienceNotAllowed');
});
