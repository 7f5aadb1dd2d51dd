// Issue #10 findings 3 (the Resource Manager half) and 9 (operationresults), written as the attack: wrongly typed fields that
// used to be stored (and then broke every reload of the instance's gateway) are refused at PUT/PATCH
// with the field named, nothing is stored, and the instance keeps serving.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createApimInstance } from '../helpers/apim.js';
import { startTestServer, request, type TestServer } from '../helpers/server.js';

let server: TestServer;
let token: string;
const RG = 'types-rg';
const SVC = 'types-apim';
let gatewayUrl: string;

const svcId = () => `/subscriptions/${server.connection.subscriptionId}/resourceGroups/${RG}/providers/Microsoft.ApiManagement/service/${SVC}`;
const arm = (method: string, p: string, body?: unknown) => request(`${server.connection.managementEndpoint}${svcId()}${p}?api-version=2024-05-01`, {
  method, token, headers: { 'content-type': 'application/json', ...(method === 'PATCH' ? { 'if-match': '*' } : {}) }, body: body === undefined ? undefined : JSON.stringify(body),
});

before(async () => {
  server = await startTestServer();
  const { service } = await createApimInstance(server, RG, SVC);
  gatewayUrl = service.gatewayUrl!;
  token = (await server.credential().getToken('https://management.azure.com/.default')).token;
  const ok = await arm('PUT', '/apis/echo', { properties: { displayName: 'Echo', path: 'echo', serviceUrl: 'http://127.0.0.1:9', subscriptionRequired: false, protocols: ['https'] } });
  assert.equal(ok.status, 201);
  assert.equal((await arm('PUT', '/apis/echo/operations/get', { properties: { displayName: 'Get', method: 'GET', urlTemplate: '/' } })).status, 201);
  assert.equal((await arm('PUT', '/apis/echo/policies/policy', { properties: { format: 'rawxml', value: '<policies><inbound><base /><return-response><set-status code="200" /><set-body>alive</set-body></return-response></inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>' } })).status, 201);
});
after(async () => { await server?.stop(); });

const alive = async () => {
  const res = await request(`${gatewayUrl}/echo/`);
  assert.equal(res.status, 200);
  assert.equal(res.text, 'alive');
};

test('attack: an API whose subscription key header is a number is refused (400 naming the field), and the instance keeps serving new APIs', async () => {
  const res = await arm('PUT', '/apis/bad', { properties: { displayName: 'Bad', path: 'bad', subscriptionKeyParameterNames: { header: 5 } } });
  assert.equal(res.status, 400);
  assert.equal(res.body.error.code, 'ValidationError');
  assert.equal(res.body.error.details[0].target, 'subscriptionKeyParameterNames.header');
  assert.equal((await arm('GET', '/apis/bad')).status, 404, 'nothing stored');
  await alive();
  const more = await arm('PUT', '/apis/echo2', { properties: { displayName: 'Echo 2', path: 'echo2', subscriptionRequired: false } });
  assert.equal(more.status, 201);
  await alive();
});

test('attack: other wrongly typed API fields (contact, protocols, type, authenticationSettings) are refused', async () => {
  const cases: [Record<string, unknown>, string][] = [
    [{ contact: 'someone' }, 'contact'],
    [{ contact: { email: 5 } }, 'contact.email'],
    [{ license: { url: 'not a url' } }, 'url'],
    [{ protocols: 'https' }, 'protocols'],
    [{ type: 'carrier-pigeon' }, 'type'],
    [{ authenticationSettings: [] }, 'authenticationSettings'],
    [{ subscriptionRequired: 'yes' }, 'subscriptionRequired'],
    [{ subscriptionKeyParameterNames: { header: 'a b' } }, 'subscriptionKeyParameterNames.header'],
  ];
  for (const [extra, target] of cases) {
    const res = await arm('PUT', '/apis/typed', { properties: { displayName: 'T', path: 'typed', ...extra } });
    assert.equal(res.status, 400, JSON.stringify(extra));
    assert.equal(res.body.error.details[0].target, target, JSON.stringify(extra));
  }
  assert.equal((await arm('GET', '/apis/typed')).status, 404);
});

test('attack: wrongly typed instance settings are refused and the stored instance is unchanged', async () => {
  const before1 = await arm('GET', '');
  const cases: [Record<string, unknown>, string][] = [
    [{ customProperties: { 'Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Protocols.Tls10': false } }, 'properties.customProperties.Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Protocols.Tls10'],
    [{ disableGateway: 'true' }, 'properties.disableGateway'],
    [{ virtualNetworkType: 'Everywhere' }, 'properties.virtualNetworkType'],
    [{ hostnameConfigurations: 'api.contoso.com' }, 'properties.hostnameConfigurations'],
    [{ hostnameConfigurations: [{ type: 'Proxy' }] }, 'properties.hostnameConfigurations[0].hostName'],
    [{ hostnameConfigurations: [{ type: 'Gateway', hostName: 'api.contoso.com' }] }, 'properties.hostnameConfigurations[0].type'],
    [{ hostnameConfigurations: [{ type: 'Proxy', hostName: 'api.contoso.com', keyVaultId: 12 }] }, 'properties.hostnameConfigurations[0].keyVaultId'],
    [{ publicNetworkAccess: true }, 'properties.publicNetworkAccess'],
  ];
  for (const [props, target] of cases) {
    const res = await arm('PATCH', '', { properties: props });
    assert.equal(res.status, 400, JSON.stringify(props));
    const d = res.body.error.details?.[0] ?? res.body.error;
    assert.equal(d.target, target, JSON.stringify(props));
  }
  const after1 = await arm('GET', '');
  assert.equal(after1.body.etag, before1.body.etag, 'the instance was not written');
  await alive();
});

test('attack: a Key Vault access policy whose objectId is not a GUID is refused', async () => {
  const vaultId = `/subscriptions/${server.connection.subscriptionId}/resourceGroups/${RG}/providers/Microsoft.KeyVault/vaults/typesvault${Date.now() % 100000}`;
  const res = await request(`${server.connection.managementEndpoint}${vaultId}?api-version=2023-07-01`, {
    method: 'PUT', token, headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ location: 'westeurope', properties: { tenantId: server.connection.tenantId, sku: { family: 'A', name: 'standard' }, accessPolicies: [{ tenantId: server.connection.tenantId, objectId: 'x', permissions: { secrets: ['get'] } }] } }),
  });
  assert.equal(res.status, 400);
  assert.match(res.body.error.message, /Invalid value found at accessPolicies\[0\]\.ObjectId: x/);
  const gone = await request(`${server.connection.managementEndpoint}${vaultId}?api-version=2023-07-01`, { token });
  assert.equal(gone.status, 404);
});

test('attack (#10 finding 9): a principal with no role forges an operationresults id to learn whether a group exists; it only gets 400', async () => {
  const rm = `${server.connection.managementEndpoint}/subscriptions/${server.connection.subscriptionId}`;
  const admin = await request(`${server.connection.managementEndpoint}/apim-local/applications`, {
    method: 'POST', token, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ displayName: 'prober' }),
  });
  assert.equal(admin.status, 201);
  const probeToken = (await server.credential(admin.body.appId, admin.body.password).getToken('https://management.azure.com/.default')).token;
  const forge = (group: string) => Buffer.from(JSON.stringify({ jobId: 'X', jobLocation: 'westeurope', group })).toString('base64url');
  const existing = await request(`${rm}/operationresults/${forge(`/subscriptions/${server.connection.subscriptionId}/resourceGroups/${RG}`)}?api-version=2022-09-01`, { token: probeToken });
  const missing = await request(`${rm}/operationresults/${forge(`/subscriptions/${server.connection.subscriptionId}/resourceGroups/nope`)}?api-version=2022-09-01`, { token: probeToken });
  assert.equal(existing.status, 400);
  assert.equal(missing.status, 400);
  assert.equal(existing.body.error.code, missing.body.error.code, 'the answers cannot be told apart');
  assert.equal(existing.body.error.message.replace(/'[^']*'/, 'ID'), missing.body.error.message.replace(/'[^']*'/, 'ID'));

  // The real flow still works: the deleter polls its own operation to 200.
  await request(`${rm}/resourcegroups/op-rg?api-version=2022-09-01`, { method: 'PUT', token, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ location: 'westeurope' }) });
  const del = await request(`${rm}/resourcegroups/op-rg?api-version=2022-09-01`, { method: 'DELETE', token });
  assert.equal(del.status, 202);
  const location = del.headers.get('location')!;
  assert.equal((await request(location, { token })).status, 200, 'the deleter polls it');
  assert.equal((await request(location, { token: probeToken })).status, 400, 'another principal cannot use it');
});

test('attack (#10 finding 7): an operation whose URL template has adjacent parameters is refused at PUT, before it can reach the gateway', async () => {
  const template = '/r/' + Array.from({ length: 14 }, (_, k) => `{p${k}}`).join('') + 'x';
  const res = await arm('PUT', '/apis/echo/operations/backtrack', {
    properties: { displayName: 'B', method: 'GET', urlTemplate: template, templateParameters: Array.from({ length: 14 }, (_, k) => ({ name: `p${k}`, type: 'string' })) },
  });
  assert.equal(res.status, 400);
  assert.equal(res.body.error.details[0].target, 'urlTemplate');
  assert.match(res.body.error.details[0].message, /Invalid UrlTemplate/);
  assert.equal((await arm('GET', '/apis/echo/operations/backtrack')).status, 404);
  await alive();
});
