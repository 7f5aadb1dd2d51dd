// Fuzzing (#10): random and mutated JSON bodies PUT and PATCHed to every resource type of the Resource
// Manager plane and to the Key Vault data plane, against the real server. Whatever a body holds, the answer is Azure's envelope with a
// status below 500, and the server keeps serving. Bounded here (12 bodies per type); `npm run fuzz` runs
// it longer (test/helpers/fuzz.ts).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createApimInstance } from '../helpers/apim.js';
import { startTestServer, request, type TestServer } from '../helpers/server.js';
import { fuzzParameters, fuzzTimeout } from '../helpers/fuzz.js';

let server: TestServer;
let token: string;
const RG = 'fuzz-rg';
const SVC = 'fuzz-apim';

const base = () => `${server.connection.managementEndpoint}/subscriptions/${server.connection.subscriptionId}/resourceGroups/${RG}`;
const apim = (p: string) => `${base()}/providers/Microsoft.ApiManagement/service/${SVC}${p}`;

/** Each type: where it is written, the api-version, and a valid body the mutations start from. */
const TARGETS: { name: string; url: () => string; apiVersion: string; valid: Record<string, unknown> }[] = [
  { name: 'resource group', url: () => `${base()}-x`, apiVersion: '2022-09-01', valid: { location: 'westeurope', tags: { a: 'b' } } },
  { name: 'user-assigned identity', url: () => `${base()}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/fz`, apiVersion: '2023-01-31', valid: { location: 'westeurope' } },
  { name: 'key vault', url: () => `${base()}/providers/Microsoft.KeyVault/vaults/fzvault${process.pid % 10000}`, apiVersion: '2023-07-01', valid: { location: 'westeurope', properties: { tenantId: '00000000-0000-0000-0000-000000000000', sku: { family: 'A', name: 'standard' }, accessPolicies: [] } } },
  { name: 'API Management instance', url: () => `${base()}/providers/Microsoft.ApiManagement/service/${SVC}`, apiVersion: '2024-05-01', valid: { location: 'westeurope', sku: { name: 'Developer', capacity: 1 }, properties: { publisherEmail: 'a@b.c', publisherName: 'p' } } },
  { name: 'api', url: () => apim('/apis/fz'), apiVersion: '2024-05-01', valid: { properties: { displayName: 'F', path: 'fz', protocols: ['https'] } } },
  { name: 'operation', url: () => apim('/apis/base/operations/fz'), apiVersion: '2024-05-01', valid: { properties: { displayName: 'F', method: 'GET', urlTemplate: '/x/{id}', templateParameters: [{ name: 'id', type: 'string' }] } } },
  { name: 'policy', url: () => apim('/apis/base/policies/policy'), apiVersion: '2024-05-01', valid: { properties: { format: 'rawxml', value: '<policies><inbound><base /></inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>' } } },
  { name: 'product', url: () => apim('/products/fz'), apiVersion: '2024-05-01', valid: { properties: { displayName: 'F', state: 'published' } } },
  { name: 'subscription', url: () => apim('/subscriptions/fz'), apiVersion: '2024-05-01', valid: { properties: { displayName: 'F', scope: '/apis' } } },
  { name: 'backend', url: () => apim('/backends/fz'), apiVersion: '2024-05-01', valid: { properties: { url: 'https://example.com', protocol: 'http' } } },
  { name: 'named value', url: () => apim('/namedValues/fz'), apiVersion: '2024-05-01', valid: { properties: { displayName: 'fz', value: 'v' } } },
  { name: 'api version set', url: () => apim('/apiVersionSets/fz'), apiVersion: '2024-05-01', valid: { properties: { displayName: 'F', versioningScheme: 'Segment' } } },
  { name: 'tag', url: () => apim('/tags/fz'), apiVersion: '2024-05-01', valid: { properties: { displayName: 'F' } } },
  { name: 'policy fragment', url: () => apim('/policyFragments/fz'), apiVersion: '2024-05-01', valid: { properties: { value: '<fragment><base-url /></fragment>' } } },
  { name: 'logger', url: () => apim('/loggers/fz'), apiVersion: '2024-05-01', valid: { properties: { loggerType: 'azureMonitor' } } },
  { name: 'global schema', url: () => apim('/schemas/fz'), apiVersion: '2024-05-01', valid: { properties: { schemaType: 'json', document: { type: 'object' } } } },
  { name: 'api schema', url: () => apim('/apis/base/schemas/fz'), apiVersion: '2024-05-01', valid: { properties: { contentType: 'application/vnd.oai.openapi.components+json', document: { components: { schemas: {} } } } } },
];

/** A body: any JSON, or the valid one with one member (at any depth) replaced by any JSON. */
const bodies = (valid: Record<string, unknown>) => fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.tuple(fc.jsonValue({ maxDepth: 3 }), fc.nat(), fc.nat()).map(([value, pick, depth]) => {
    const copy = structuredClone(valid) as Record<string, unknown>;
    let obj: Record<string, unknown> = copy;
    for (let d = 0; d < depth % 3; d++) {
      const objects = Object.entries(obj).filter(([, v]) => v !== null && typeof v === 'object' && !Array.isArray(v));
      if (objects.length === 0) break;
      obj = objects[pick % objects.length][1] as Record<string, unknown>;
    }
    const keys = Object.keys(obj);
    obj[keys.length > 0 && pick % 3 !== 0 ? keys[pick % keys.length] : `x${pick % 7}`] = value;
    return copy;
  }),
);

before(async () => {
  server = await startTestServer();
  await createApimInstance(server, RG, SVC);
  token = (await server.credential().getToken('https://management.azure.com/.default')).token;
  const put = (url: string, body: unknown) => request(`${url}?api-version=2024-05-01`, { method: 'PUT', token, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  assert.equal((await put(apim('/apis/base'), { properties: { displayName: 'Base', path: 'base' } })).status, 201);
});
after(async () => { await server?.stop(); });

for (const t of TARGETS) {
  test(`fuzz: PUT and PATCH bodies of a ${t.name} never answer 5xx, always Azure's error envelope`, { timeout: fuzzTimeout() }, async () => {
    await fc.assert(fc.asyncProperty(bodies(t.valid), fc.constantFrom('PUT', 'PATCH'), async (body, method) => {
      const res = await request(`${t.url()}?api-version=${t.apiVersion}`, {
        method, token, headers: { 'content-type': 'application/json', ...(method === 'PATCH' ? { 'if-match': '*' } : {}) }, body: JSON.stringify(body),
      });
      assert.ok(res.status < 500, `${method} ${JSON.stringify(body).slice(0, 300)} → ${res.status} ${res.text.slice(0, 300)}`);
      if (res.status >= 400) {
        assert.equal(typeof res.body?.error?.code, 'string', `error envelope for ${JSON.stringify(body).slice(0, 200)}: ${res.text.slice(0, 200)}`);
        assert.equal(typeof res.body?.error?.message, 'string');
      }
    }), fuzzParameters(12));
    // Still serving.
    const list = await request(`${base()}/providers/Microsoft.ApiManagement/service?api-version=2024-05-01`, { token });
    assert.equal(list.status, 200);
  });
}

test('fuzz: Key Vault data-plane bodies (set secret, update secret, import and create certificate) never answer 5xx, always Key Vault\'s error envelope', { timeout: fuzzTimeout() }, async () => {
  const vault = await request(`${base()}/providers/Microsoft.KeyVault/vaults/fzkv${process.pid % 10000}?api-version=2023-07-01`, {
    method: 'PUT', token, headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ location: 'westeurope', properties: { tenantId: server.connection.tenantId, sku: { family: 'A', name: 'standard' }, enableRbacAuthorization: false,
      accessPolicies: [{ tenantId: server.connection.tenantId, objectId: server.connection.objectId, permissions: { secrets: ['all'], certificates: ['all'] } }] } }),
  });
  assert.ok(vault.status === 200 || vault.status === 201, vault.text);
  const vaultUri = vault.body.properties.vaultUri as string;
  const kvToken = (await server.credential().getToken('https://vault.azure.net/.default')).token;
  const targets: [string, string, Record<string, unknown>][] = [
    ['PUT', 'secrets/fz', { value: 'v', contentType: 'text/plain', attributes: { enabled: true }, tags: { a: 'b' } }],
    ['PATCH', 'secrets/fz/', { contentType: 'x', attributes: { enabled: false } }],
    ['POST', 'certificates/fzc/import', { value: 'AAAA', pwd: 'x', policy: { secret_props: { contentType: 'application/x-pkcs12' } } }],
    ['POST', 'certificates/fzc/create', { policy: { x509_props: { subject: 'CN=a' }, issuer: { name: 'Self' } } }],
  ];
  assert.equal((await request(`${vaultUri}secrets/fz?api-version=7.4`, { method: 'PUT', token: kvToken, headers: { 'content-type': 'application/json' }, body: '{"value":"v"}' })).status, 200);
  for (const [method, p, valid] of targets) {
    await fc.assert(fc.asyncProperty(bodies(valid), async (body) => {
      const res = await request(`${vaultUri}${p}?api-version=7.4`, { method, token: kvToken, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      assert.ok(res.status < 500, `${method} ${p} ${JSON.stringify(body).slice(0, 300)} → ${res.status} ${res.text.slice(0, 300)}`);
      if (res.status >= 400) assert.equal(typeof res.body?.error?.code, 'string', res.text.slice(0, 200));
    }), fuzzParameters(10));
  }
});

test('attack (#10 finding 9): deeply nested JSON (20,000 levels) is a 400, not a 500, wherever it sits', async () => {
  const deepArray = '['.repeat(20_000) + ']'.repeat(20_000);
  const deepObject = '{"a":'.repeat(20_000) + '1' + '}'.repeat(20_000);
  const cases = [
    [apim('/apis/deep'), `{"properties":${deepArray}}`],
    [apim('/backends/deep'), `{"properties":{"url":"https://example.com","protocol":"http","credentials":${deepObject}}}`],
    [apim('/backends/deep'), `{"properties":{"url":"https://example.com","protocol":"http","tls":${deepArray}}}`],
    [`${base()}-deep`, `{"location":"westeurope","tags":${deepObject}}`],
  ];
  for (const [url, body] of cases) {
    const res = await request(`${url}?api-version=2024-05-01`, { method: 'PUT', token, headers: { 'content-type': 'application/json' }, body });
    assert.equal(res.status, 400, `${url}: ${res.text.slice(0, 300)}`);
    assert.equal(typeof res.body.error.code, 'string');
  }
  assert.equal((await request(`${apim('/backends/deep')}?api-version=2024-05-01`, { token })).status, 404, 'nothing stored');
});
