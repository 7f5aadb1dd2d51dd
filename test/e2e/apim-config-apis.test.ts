// API Management configuration with the unmodified @azure/arm-apimanagement: APIs, operations, OpenAPI
// import (JSON and YAML; response examples, answered by mock-response through the gateway), products and
// their APIs, backends, and bad input with Azure's codes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ApiManagementClient } from '@azure/arm-apimanagement';
import { createApimInstance } from '../helpers/apim.js';
import { startTestServer, request, postgresStoreUrl, type TestServer } from '../helpers/server.js';

let server: TestServer;
let apim: ApiManagementClient;
let token: string;
const RG = 'cfg-rg';
const SVC = 'cfg-apis';

const all = async <T>(it: AsyncIterable<T>): Promise<T[]> => { const out: T[] = []; for await (const x of it) out.push(x); return out; };
const svcUrl = () => `${server.connection.managementEndpoint}/subscriptions/${server.connection.subscriptionId}/resourceGroups/${RG}/providers/Microsoft.ApiManagement/service/${SVC}`;
const raw = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => request(`${svcUrl()}${path}${path.includes('?') ? '&' : '?'}api-version=2024-05-01`, {
  method, token, headers: { 'content-type': 'application/json', ...headers }, body: body === undefined ? undefined : JSON.stringify(body),
});

before(async () => {
  // On PostgreSQL when APIM_LOCAL_TEST_PG names a database (CI), else SQLite.
  server = await startTestServer({ store: postgresStoreUrl() });
  ({ apim } = await createApimInstance(server, RG, SVC));
  token = (await server.credential().getToken('https://management.azure.com/.default')).token;
});
after(async () => { await server?.stop(); });

test('apis: create, read (ETag), list, update with If-Match, delete', async () => {
  const created = await apim.api.beginCreateOrUpdateAndWait(RG, SVC, 'echo', {
    displayName: 'Echo', path: '/echo/', serviceUrl: 'https://backend.example.com/api', protocols: ['https'],
  });
  assert.equal(created.name, 'echo');
  assert.equal(created.type, 'Microsoft.ApiManagement/service/apis');
  assert.equal(created.path, 'echo', 'leading and trailing slashes are dropped');
  assert.equal(created.apiRevision, '1');
  assert.equal(created.isCurrent, true);
  assert.equal(created.subscriptionRequired, true);
  assert.deepEqual(created.subscriptionKeyParameterNames, { header: 'Ocp-Apim-Subscription-Key', query: 'subscription-key' });

  const got = await apim.api.get(RG, SVC, 'echo');
  assert.equal(got.serviceUrl, 'https://backend.example.com/api');
  const tag = await apim.api.getEntityTag(RG, SVC, 'echo');
  assert.ok(tag.eTag);

  const updated = await apim.api.update(RG, SVC, 'echo', tag.eTag!, { displayName: 'Echo 2', subscriptionRequired: false });
  assert.equal(updated.displayName, 'Echo 2');
  assert.equal(updated.subscriptionRequired, false);
  assert.equal(updated.path, 'echo');
  await assert.rejects(apim.api.update(RG, SVC, 'echo', '"stale"', { displayName: 'x' }), (e: any) => e.statusCode === 412);

  await apim.api.beginCreateOrUpdateAndWait(RG, SVC, 'second', { displayName: 'Second', path: 'second', protocols: ['http', 'https'] });
  const names = (await all(apim.api.listByService(RG, SVC))).map((a) => a.name).sort();
  assert.deepEqual(names, ['echo', 'second']);

  await apim.api.beginDeleteAndWait(RG, SVC, 'second', '*');
  await assert.rejects(apim.api.get(RG, SVC, 'second'), (e: any) => e.statusCode === 404 && e.code === 'ResourceNotFound');
  // DELETE without If-Match is refused; a missing API is 204.
  const noIfMatch = await raw('DELETE', '/apis/echo');
  assert.equal(noIfMatch.status, 428);
  assert.deepEqual(noIfMatch.body, { error: { code: 'PreconditionRequired', message: "The 'If-Match' header is required for this operation. Use '*' to match any version of the entity." } });
  assert.equal((await raw('DELETE', '/apis/never', undefined, { 'if-match': '*' })).status, 204);
});

test('apis: a second API with the same path is refused as Azure does', async () => {
  await apim.api.beginCreateOrUpdateAndWait(RG, SVC, 'orders', { displayName: 'Orders', path: 'orders' });
  await assert.rejects(apim.api.beginCreateOrUpdateAndWait(RG, SVC, 'orders-copy', { displayName: 'Orders copy', path: '/Orders' }), (e: any) => {
    assert.equal(e.statusCode, 400);
    assert.equal(e.code, 'ValidationError');
    assert.equal(e.message, 'One or more fields contain incorrect values:');
    assert.equal(e.details.error.details[0].target, 'path');
    assert.match(e.details.error.details[0].message, /Cannot create API 'orders-copy' with the same Path 'Orders' as API 'orders'  unless it's a part of the same version set/);
    return true;
  });
  // Updating the API itself with its own path is fine.
  await apim.api.beginCreateOrUpdateAndWait(RG, SVC, 'orders', { displayName: 'Orders!', path: 'orders' });
});

test('operations: create with template parameters, list, update, delete', async () => {
  await apim.api.beginCreateOrUpdateAndWait(RG, SVC, 'users', { displayName: 'Users', path: 'users' });
  const op = await apim.apiOperation.createOrUpdate(RG, SVC, 'users', 'get-user', {
    displayName: 'Get user', method: 'GET', urlTemplate: '/users/{id}/orders?status={status}',
    templateParameters: [{ name: 'id', type: 'string', required: true }, { name: 'status', type: 'string' }],
    responses: [{ statusCode: 200, description: 'ok' }],
  });
  assert.equal(op.type, 'Microsoft.ApiManagement/service/apis/operations');
  assert.equal(op.method, 'GET');
  assert.equal(op.templateParameters!.length, 2);
  await apim.apiOperation.createOrUpdate(RG, SVC, 'users', 'create-user', { displayName: 'Create', method: 'post', urlTemplate: '/users' });
  const ops = await all(apim.apiOperation.listByApi(RG, SVC, 'users'));
  assert.deepEqual(ops.map((o) => o.name).sort(), ['create-user', 'get-user']);
  assert.equal(ops.find((o) => o.name === 'create-user')!.method, 'POST');
  const patched = await apim.apiOperation.update(RG, SVC, 'users', 'create-user', '*', { displayName: 'Create user' });
  assert.equal(patched.displayName, 'Create user');
  assert.equal(patched.urlTemplate, '/users');
  await apim.apiOperation.delete(RG, SVC, 'users', 'create-user', '*');
  await assert.rejects(apim.apiOperation.get(RG, SVC, 'users', 'create-user'), (e: any) => e.statusCode === 404);
  // An operation of an API that does not exist.
  await assert.rejects(apim.apiOperation.createOrUpdate(RG, SVC, 'nope', 'x', { displayName: 'x', method: 'GET', urlTemplate: '/' }),
    (e: any) => e.statusCode === 404 && /Api not found/.test(e.message));
});

test('operations: bad URL templates and template parameters are refused', async () => {
  await apim.api.beginCreateOrUpdateAndWait(RG, SVC, 'bad-ops', { displayName: 'Bad', path: 'bad-ops' });
  const reject = async (body: any, target: string, pattern: RegExp) => {
    await assert.rejects(apim.apiOperation.createOrUpdate(RG, SVC, 'bad-ops', 'op', body), (e: any) => {
      assert.equal(e.statusCode, 400, e.message);
      assert.equal(e.code, 'ValidationError');
      assert.equal(e.details.error.details[0].target, target);
      assert.match(e.details.error.details[0].message, pattern);
      return true;
    });
  };
  await reject({ displayName: 'x', method: 'GET', urlTemplate: '/users/{id' }, 'urlTemplate', /not closed/);
  await reject({ displayName: 'x', method: 'GET', urlTemplate: '/users/{}' }, 'urlTemplate', /not a valid parameter/);
  await reject({ displayName: 'x', method: 'GET', urlTemplate: '/users/{id}' }, 'templateParameters', /All template parameters used in the UriTemplate must be defined in the Operation/);
  await reject({ displayName: 'x', method: 'GET', urlTemplate: '/users', templateParameters: [{ name: 'id', type: 'string' }] }, 'templateParameters', /vice-versa/);
  await reject({ method: 'GET', urlTemplate: '/users' }, 'displayName', /required/);
});

test('bad input: unknown members, missing path, wrong types', async () => {
  const unknown = await raw('PUT', '/apis/u1', { properties: { displayName: 'u', path: 'u1', colour: 'red' } });
  assert.equal(unknown.status, 400);
  assert.equal(unknown.body.error.code, 'InvalidRequestContent');
  assert.match(unknown.body.error.message, /Could not find member 'colour'/);
  const noPath = await raw('PUT', '/apis/u2', { properties: { displayName: 'u' } });
  assert.equal(noPath.status, 400);
  assert.equal(noPath.body.error.code, 'ValidationError');
  assert.equal(noPath.body.error.message, 'One or more fields contain incorrect values:');
  assert.equal(noPath.body.error.details[0].target, 'path');
  const badProto = await raw('PUT', '/apis/u3', { properties: { displayName: 'u', path: 'u3', protocols: ['ftp'] } });
  assert.equal(badProto.status, 400);
  assert.equal(badProto.body.error.details[0].target, 'protocols');
  const badName = await raw('PUT', '/apis/a:b', { properties: { displayName: 'u', path: 'u4' } });
  assert.equal(badName.status, 400);
  assert.deepEqual(badName.body.error.details, [{ code: 'ValidationError', target: 'name', message: "Invalid identifier 'a:b': it must be 1 to 256 characters and may not contain '*', '#', '&', '+', ':', '<', '>' or '?'." }]);
  // Children of an instance that does not exist.
  const missing = await request(`${svcUrl()}-missing/apis?api-version=2024-05-01`, { token });
  assert.equal(missing.status, 404);
  assert.equal(missing.body.error.code, 'ResourceNotFound');
});

const PETSTORE = {
  openapi: '3.0.1',
  info: { title: 'Swagger Petstore', description: 'Pets', version: '1.0.0' },
  servers: [{ url: 'https://petstore.example.com/v1' }],
  paths: {
    '/pets': {
      get: { operationId: 'listPets', summary: 'List all pets', parameters: [{ name: 'limit', in: 'query', schema: { type: 'integer' } }], responses: { 200: { description: 'A page', content: { 'application/json': {} } } } },
      post: { operationId: 'createPets', summary: 'Create a pet', responses: { 201: { description: 'Created' } } },
    },
    '/pets/{petId}': {
      get: { operationId: 'showPetById', parameters: [{ name: 'petId', in: 'path', required: true, schema: { type: 'string' } }], responses: { 200: { description: 'A pet' } } },
      delete: { parameters: [{ name: 'petId', in: 'path', required: true, schema: { type: 'string' } }], responses: { 204: { description: 'Gone' } } },
    },
  },
};

test('OpenAPI import (JSON) creates the API and its operations', async () => {
  const api = await apim.api.beginCreateOrUpdateAndWait(RG, SVC, 'petstore', { path: 'pets', format: 'openapi+json', value: JSON.stringify(PETSTORE) });
  assert.equal(api.displayName, 'Swagger Petstore');
  assert.equal(api.serviceUrl, 'https://petstore.example.com/v1');
  assert.equal(api.description, 'Pets');
  const ops = await all(apim.apiOperation.listByApi(RG, SVC, 'petstore'));
  assert.deepEqual(ops.map((o) => o.name).sort(), ['createPets', 'delete-pets-petId', 'listPets', 'showPetById']);
  const show = ops.find((o) => o.name === 'showPetById')!;
  assert.equal(show.method, 'GET');
  assert.equal(show.urlTemplate, '/pets/{petId}');
  assert.deepEqual(show.templateParameters!.map((p) => [p.name, p.type, p.required]), [['petId', 'string', true]]);
  const list = ops.find((o) => o.name === 'listPets')!;
  assert.equal(list.displayName, 'List all pets');
  assert.equal(list.request!.queryParameters![0].name, 'limit');
  assert.equal(list.responses![0].statusCode, 200);

  // Importing again replaces the operations.
  const smaller = { ...PETSTORE, paths: { '/pets': PETSTORE.paths['/pets'] } };
  await apim.api.beginCreateOrUpdateAndWait(RG, SVC, 'petstore', { path: 'pets', format: 'openapi+json', value: JSON.stringify(smaller) });
  assert.deepEqual((await all(apim.apiOperation.listByApi(RG, SVC, 'petstore'))).map((o) => o.name).sort(), ['createPets', 'listPets']);
});

test('OpenAPI import (YAML) and a broken document', async () => {
  const yaml = [
    'openapi: 3.0.0',
    'info:',
    '  title: Weather',
    '  version: "1"',
    'servers:',
    '  - url: https://{region}.weather.example.com',
    '    variables:',
    '      region:',
    '        default: eu',
    'paths:',
    '  /forecast/{city}:',
    '    get:',
    '      operationId: getForecast',
    '      parameters:',
    '        - name: city',
    '          in: path',
    '          required: true',
    '          schema:',
    '            type: string',
    '      responses:',
    "        '200':",
    '          description: ok',
  ].join('\n');
  const api = await apim.api.beginCreateOrUpdateAndWait(RG, SVC, 'weather', { path: 'weather', format: 'openapi', value: yaml, displayName: 'My weather' });
  assert.equal(api.displayName, 'My weather', 'a displayName given wins over the title');
  assert.equal(api.serviceUrl, 'https://eu.weather.example.com');
  const ops = await all(apim.apiOperation.listByApi(RG, SVC, 'weather'));
  assert.deepEqual(ops.map((o) => [o.name, o.urlTemplate]), [['getForecast', '/forecast/{city}']]);

  await assert.rejects(apim.api.beginCreateOrUpdateAndWait(RG, SVC, 'broken', { path: 'broken', format: 'openapi+json', value: '{"openapi": "3.0.0", ' }),
    (e: any) => e.statusCode === 400 && e.code === 'ValidationError');
  await assert.rejects(apim.api.beginCreateOrUpdateAndWait(RG, SVC, 'broken', { path: 'broken', format: 'wadl-xml', value: '<x/>' }),
    (e: any) => e.statusCode === 400 && /not supported/.test(e.details.error.details[0].message));
  await assert.rejects(apim.api.get(RG, SVC, 'broken'), (e: any) => e.statusCode === 404);
});

const MOCKED = {
  openapi: '3.0.1',
  info: { title: 'Mocked pets', version: '1.0.0' },
  servers: [{ url: 'https://pets.invalid/v1' }],
  paths: {
    '/pets/{petId}': {
      get: {
        operationId: 'getPet',
        parameters: [{ name: 'petId', in: 'path', required: true, schema: { type: 'string' } }],
        responses: {
          200: { description: 'A pet', content: {
            'application/json': { example: { id: 7, name: 'Rex', tags: ['dog'] } },
            'application/xml': { examples: { rex: { $ref: '#/components/examples/rexXml' } } },
          } },
          404: { $ref: '#/components/responses/NotFound' },
        },
      },
    },
    '/pets': { get: { operationId: 'listPets', responses: { 200: { description: 'Pets', content: { 'application/json': {} } } } } },
  },
  components: {
    examples: { rexXml: { summary: 'Rex as XML', value: '<pet><id>7</id></pet>' } },
    responses: { NotFound: { description: 'No pet', content: { 'application/json': { examples: { missing: { value: { error: 'not found' } } } } } } },
  },
};

test('OpenAPI import keeps response examples; mock-response on the API answers them through the gateway', async () => {
  await apim.api.beginCreateOrUpdateAndWait(RG, SVC, 'mocked', { path: 'mocked', format: 'openapi+json', value: JSON.stringify(MOCKED), subscriptionRequired: false });
  const op = await apim.apiOperation.get(RG, SVC, 'mocked', 'getPet');
  assert.deepEqual(op.responses!.map((r) => [r.statusCode, r.representations!.map((p) => [p.contentType, p.examples])]), [
    [200, [['application/json', { default: { value: { id: 7, name: 'Rex', tags: ['dog'] } } }], ['application/xml', { rex: { summary: 'Rex as XML', value: '<pet><id>7</id></pet>' } }]]],
    [404, [['application/json', { missing: { value: { error: 'not found' } } }]]],
  ]);
  await apim.apiPolicy.createOrUpdate(RG, SVC, 'mocked', 'policy', {
    format: 'rawxml',
    value: '<policies><inbound><base /><mock-response status-code="200" content-type="application/json" /></inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>',
  });
  const gatewayUrl = (await apim.apiManagementService.get(RG, SVC)).gatewayUrl!;
  const pet = await request(`${gatewayUrl}/mocked/pets/7`);
  assert.equal(pet.status, 200, pet.text);
  assert.equal(pet.headers.get('content-type'), 'application/json');
  assert.deepEqual(pet.body, { id: 7, name: 'Rex', tags: ['dog'] });
  // The same API policy, another operation: its own response, which has no example.
  const list = await request(`${gatewayUrl}/mocked/pets`);
  assert.equal(list.status, 200);
  assert.equal(list.text, '');
  // An operation-level policy picks another status and content type of the operation.
  await apim.apiOperationPolicy.createOrUpdate(RG, SVC, 'mocked', 'getPet', 'policy', {
    format: 'rawxml',
    value: '<policies><inbound><mock-response status-code="404" /></inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>',
  });
  const missing = await request(`${gatewayUrl}/mocked/pets/8`);
  assert.equal(missing.status, 404);
  assert.equal(missing.headers.get('content-type'), 'application/json');
  assert.deepEqual(missing.body, { error: 'not found' });
  await apim.apiOperationPolicy.createOrUpdate(RG, SVC, 'mocked', 'getPet', 'policy', {
    format: 'rawxml',
    value: '<policies><inbound><mock-response content-type="application/xml" /></inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>',
  });
  const xml = await request(`${gatewayUrl}/mocked/pets/7`);
  assert.equal(xml.headers.get('content-type'), 'application/xml');
  assert.equal(xml.text, '<pet><id>7</id></pet>');
});

test('Swagger 2 import keeps response examples by MIME type', async () => {
  const swagger = {
    swagger: '2.0', info: { title: 'Old pets', version: '1' }, host: 'pets.invalid', produces: ['application/json', 'text/plain'],
    paths: { '/pets': { get: { operationId: 'listPets', responses: {
      200: { description: 'Pets', schema: { type: 'array', items: { type: 'string' } }, examples: { 'application/json': ['Rex'] } },
      204: { description: 'None' },
    } } } },
  };
  await apim.api.beginCreateOrUpdateAndWait(RG, SVC, 'old-pets', { path: 'old-pets', format: 'swagger-json', value: JSON.stringify(swagger) });
  const op = await apim.apiOperation.get(RG, SVC, 'old-pets', 'listPets');
  assert.deepEqual(op.responses!.map((r) => [r.statusCode, r.representations!.map((p) => [p.contentType, p.examples])]), [
    [200, [['application/json', { default: { value: ['Rex'] } }], ['text/plain', undefined]]],
    [204, []],
  ]);
});

test('operations: wrong representation and example shapes are refused, naming the field', async () => {
  await apim.api.beginCreateOrUpdateAndWait(RG, SVC, 'bad-examples', { displayName: 'Bad examples', path: 'bad-examples' });
  const put = (responses: unknown, request?: unknown) => raw('PUT', '/apis/bad-examples/operations/op', { properties: { displayName: 'x', method: 'GET', urlTemplate: '/x', responses, request } });
  const reject = async (r: Promise<{ status: number; body: any }>, target: string, pattern: RegExp) => {
    const res = await r;
    assert.equal(res.status, 400, JSON.stringify(res.body));
    assert.equal(res.body.error.code, 'ValidationError');
    assert.equal(res.body.error.details[0].target, target);
    assert.match(res.body.error.details[0].message, pattern);
  };
  await reject(put([{ statusCode: 200, representations: { contentType: 'application/json' } }]), 'responses[0].representations', /must be an array/);
  await reject(put([{ statusCode: 200, representations: ['application/json'] }]), 'responses[0].representations[0]', /must be an object/);
  await reject(put([{ statusCode: 200, representations: [{ examples: {} }] }]), 'responses[0].representations[0].contentType', /required/);
  await reject(put([{ statusCode: 200, representations: [{ contentType: 'application/json', examples: [{ value: 1 }] }] }]), 'responses[0].representations[0].examples', /object of examples by name/);
  await reject(put([{ statusCode: 200 }, { statusCode: 404, representations: [{ contentType: 'application/json', examples: { default: 'oops' } }] }]), 'responses[1].representations[0].examples.default', /must be an object/);
  await reject(put([{ statusCode: 200, representations: [{ contentType: 'application/json', examples: { default: { value: 1, summary: 2 } } }] }]), 'responses[0].representations[0].examples.default.summary', /must be a string/);
  await reject(put([], { representations: [{ contentType: 'application/json', examples: 'x' }] }), 'request.representations[0].examples', /object of examples by name/);
  // Right shapes are stored as given.
  const ok = await put([{ statusCode: 200, representations: [{ contentType: 'application/json', examples: { default: { summary: 's', value: { a: 1 } } } }] }]);
  assert.equal(ok.status, 201, JSON.stringify(ok.body));
  assert.deepEqual(ok.body.properties.responses[0].representations[0].examples, { default: { summary: 's', value: { a: 1 } } });
});

test('products: CRUD, list, link APIs', async () => {
  const p = await apim.product.createOrUpdate(RG, SVC, 'gold', { displayName: 'Gold', subscriptionRequired: true, approvalRequired: false, state: 'published' });
  assert.equal(p.type, 'Microsoft.ApiManagement/service/products');
  assert.equal(p.state, 'published');
  const tag = await apim.product.getEntityTag(RG, SVC, 'gold');
  const upd = await apim.product.update(RG, SVC, 'gold', tag.eTag!, { description: 'The best' });
  assert.equal(upd.description, 'The best');
  assert.equal(upd.displayName, 'Gold');
  await apim.product.createOrUpdate(RG, SVC, 'free', { displayName: 'Free', subscriptionRequired: false });
  assert.deepEqual((await all(apim.product.listByService(RG, SVC))).map((x) => x.name).sort(), ['free', 'gold']);

  await apim.api.beginCreateOrUpdateAndWait(RG, SVC, 'linked', { displayName: 'Linked', path: 'linked' });
  const linked = await apim.productApi.createOrUpdate(RG, SVC, 'gold', 'linked');
  assert.equal(linked.name, 'linked');
  assert.equal(linked.path, 'linked');
  assert.equal((await apim.productApi.checkEntityExists(RG, SVC, 'gold', 'linked')).body, true);
  assert.deepEqual((await all(apim.productApi.listByProduct(RG, SVC, 'gold'))).map((a) => a.name), ['linked']);
  await assert.rejects(apim.productApi.createOrUpdate(RG, SVC, 'gold', 'no-such-api'), (e: any) => e.statusCode === 404);
  await apim.productApi.delete(RG, SVC, 'gold', 'linked');
  assert.deepEqual(await all(apim.productApi.listByProduct(RG, SVC, 'gold')), []);

  // Deleting an API unlinks it.
  await apim.productApi.createOrUpdate(RG, SVC, 'free', 'linked');
  await apim.api.beginDeleteAndWait(RG, SVC, 'linked', '*');
  assert.deepEqual(await all(apim.productApi.listByProduct(RG, SVC, 'free')), []);

  await apim.product.delete(RG, SVC, 'free', '*');
  await assert.rejects(apim.product.get(RG, SVC, 'free'), (e: any) => e.statusCode === 404);
  const bad = await raw('PUT', '/products/bad', { properties: { displayName: 'Bad', state: 'open' } });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error.details[0].target, 'state');
});

test('backends: CRUD and validation', async () => {
  const b = await apim.backend.createOrUpdate(RG, SVC, 'orders-backend', { url: 'https://orders.example.com/api', protocol: 'http', description: 'Orders' });
  assert.equal(b.type, 'Microsoft.ApiManagement/service/backends');
  assert.equal(b.url, 'https://orders.example.com/api');
  assert.equal(b.protocol, 'http');
  const upd = await apim.backend.update(RG, SVC, 'orders-backend', '*', { description: 'Orders v2' });
  assert.equal(upd.description, 'Orders v2');
  assert.equal(upd.url, 'https://orders.example.com/api');
  assert.deepEqual((await all(apim.backend.listByService(RG, SVC))).map((x) => x.name), ['orders-backend']);
  await assert.rejects(apim.backend.createOrUpdate(RG, SVC, 'bad', { url: 'not a url', protocol: 'http' }), (e: any) => e.statusCode === 400 && e.code === 'ValidationError');
  await assert.rejects(apim.backend.createOrUpdate(RG, SVC, 'bad', { url: 'https://x.example.com', protocol: 'grpc' as any }),
    (e: any) => e.statusCode === 400 && e.details.error.details[0].target === 'protocol' && e.details.error.details[0].message === "Protocol 'grpc' is invalid. Valid values are: http, soap.");
  await apim.backend.delete(RG, SVC, 'orders-backend', '*');
  assert.deepEqual(await all(apim.backend.listByService(RG, SVC)), []);
});

test('deleting the instance deletes its configuration', async () => {
  await apim.apiManagementService.beginCreateOrUpdateAndWait(RG, 'cfg-gone', {
    location: 'westeurope', sku: { name: 'Consumption', capacity: 0 }, publisherEmail: 'a@contoso.com', publisherName: 'Contoso',
  });
  await apim.api.beginCreateOrUpdateAndWait(RG, 'cfg-gone', 'a', { displayName: 'A', path: 'a' });
  await apim.apiManagementService.beginDeleteAndWait(RG, 'cfg-gone');
  await apim.apiManagementService.beginCreateOrUpdateAndWait(RG, 'cfg-gone', {
    location: 'westeurope', sku: { name: 'Consumption', capacity: 0 }, publisherEmail: 'a@contoso.com', publisherName: 'Contoso',
  });
  assert.deepEqual(await all(apim.api.listByService(RG, 'cfg-gone')), []);
});

test('import by link (openapi+json-link) and a policy by link (rawxml-link)', async () => {
  const docs: Record<string, string> = {
    '/petstore.json': JSON.stringify(PETSTORE),
    '/policy.xml': '<policies><inbound><base /></inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>',
  };
  const host = http.createServer((req, res) => {
    const body = docs[req.url ?? ''];
    res.writeHead(body ? 200 : 404).end(body ?? '');
  });
  await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(host.address() as AddressInfo).port}`;
  try {
    const api = await apim.api.beginCreateOrUpdateAndWait(RG, SVC, 'linked-pets', { path: 'linked-pets', format: 'openapi+json-link', value: `${base}/petstore.json` });
    assert.equal(api.displayName, 'Swagger Petstore');
    assert.equal((await all(apim.apiOperation.listByApi(RG, SVC, 'linked-pets'))).length, 4);
    await assert.rejects(apim.api.beginCreateOrUpdateAndWait(RG, SVC, 'linked-missing', { path: 'linked-missing', format: 'openapi+json-link', value: `${base}/nothing.json` }),
      (e: any) => e.statusCode === 400 && /Unable to download/.test(e.details.error.details[0].message));
    const p = await apim.apiPolicy.createOrUpdate(RG, SVC, 'linked-pets', 'policy', { format: 'rawxml-link', value: `${base}/policy.xml` });
    assert.equal(p.format, 'rawxml');
    assert.match(p.value!, /<policies>/);
  } finally {
    host.close();
  }
});
