// API Management's current tracing protocol with the unmodified @azure/arm-apimanagement (and raw calls
// at api-version 2023-05-01-preview, as Microsoft Learn shows them): listDebugCredentials for one API,
// the gateway tracing a call that carries Apim-Debug-Authorization and answering Apim-Trace-Id, listTrace
// returning the trace (authentication-managed-identity's step, the backend call, masked credentials).
// Tokens are verified, scoped to their API and expire; a Reader may do neither action.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiManagementClient } from '@azure/arm-apimanagement';
import { startTestServer, request, type TestServer } from '../helpers/server.js';
import { createApimInstance, instanceRequester } from '../helpers/apim.js';
import { policyXml, startVerifyingBackend, type VerifyingBackend } from '../helpers/gateway.js';

const RG = 'dbg-rg';
const SVC = 'dbg-apim';
const READER = 'acdd72a7-3385-48ef-bd42-f606fba81ae7';
const SECRET = 'nv-secret-value-0123456789';
let server: TestServer;
let apim: ApiManagementClient;
let backend: VerifyingBackend;
let gatewayUrl: string;
let adminToken: string;
let readerToken: string;
let readerId: string;
const arm = instanceRequester(() => server, RG, SVC, () => adminToken);
const apiId = (name: string) => `${arm.svcId()}/apis/${name}`;

/** POST gateways/{gw}/{action} at api-version 2023-05-01-preview, as the docs show it. */
const debugCall = (action: string, body: unknown, token = adminToken, gw = 'managed') =>
  request(`${server.connection.managementEndpoint}${arm.svcId()}/gateways/${gw}/${action}?api-version=2023-05-01-preview`, {
    method: 'POST', token, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
  });

before(async () => {
  server = await startTestServer();
  adminToken = (await server.credential().getToken('https://management.azure.com/.default')).token;
  backend = await startVerifyingBackend(server, 'api://backend');
  const inst = await createApimInstance(server, RG, SVC, { type: 'SystemAssigned' });
  apim = inst.apim;
  gatewayUrl = inst.service.gatewayUrl!;
  await apim.namedValue.beginCreateOrUpdateAndWait(RG, SVC, 'nv-secret', { displayName: 'nv-secret', secret: true, value: SECRET });
  for (const name of ['echo', 'other']) {
    await apim.api.beginCreateOrUpdateAndWait(RG, SVC, name, { displayName: name, path: name, serviceUrl: backend.url, protocols: ['https'], subscriptionRequired: false });
    await apim.apiOperation.createOrUpdate(RG, SVC, name, 'get', { displayName: 'Get', method: 'GET', urlTemplate: '/*' });
  }
  await apim.apiPolicy.createOrUpdate(RG, SVC, 'echo', 'policy', {
    format: 'rawxml',
    value: policyXml('<authentication-managed-identity resource="api://backend" /><set-header name="x-secret" exists-action="override"><value>{{nv-secret}}</value></set-header>'),
  });
  // A Reader on the instance (an application made through the admin API).
  const app = await request(`${server.connection.managementEndpoint}/apim-local/applications`, {
    method: 'POST', token: adminToken, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ displayName: 'dbg-reader' }),
  });
  readerId = app.body.objectId;
  const ra = await request(`${server.connection.managementEndpoint}${arm.svcId()}/providers/Microsoft.Authorization/roleAssignments/${crypto.randomUUID()}?api-version=2022-04-01`, {
    method: 'PUT', token: adminToken, headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ properties: { roleDefinitionId: `/subscriptions/${server.connection.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${READER}`, principalId: readerId } }),
  });
  assert.equal(ra.status, 201, ra.text);
  readerToken = (await server.credential(app.body.appId, app.body.password).getToken('https://management.azure.com/.default')).token;
});
after(async () => {
  await server?.stop();
  await backend?.close();
});

test('listDebugCredentials (SDK) → a token; the gateway traces the call; listTrace returns the trace with credentials masked', async () => {
  const cred = await apim.gateway.listDebugCredentials(RG, SVC, 'managed', { credentialsExpireAfter: 'PT1H', apiId: apiId('echo'), purposes: ['tracing'] });
  assert.match(cred.token!, /^aid=echo&/);
  const call = await request(`${gatewayUrl}/echo/hello?x=1`, { headers: { 'Apim-Debug-Authorization': cred.token!, authorization: 'Bearer client-own-token-abcdef' } });
  assert.equal(call.status, 200, call.text);
  assert.equal(call.body.token, 'valid', 'the managed identity token reached the backend');
  const traceId = call.headers.get('apim-trace-id');
  assert.match(traceId ?? '', /^[0-9a-f]{32}$/);
  assert.equal(call.headers.get('ocp-apim-trace-location'), null);

  const trace = await apim.gateway.listTrace(RG, SVC, 'managed', { traceId: traceId! });
  assert.equal(trace.traceId, traceId);
  const entries = trace.traceEntries as Record<string, { source: string; elapsed: string; data: any }[]>;
  assert.equal(entries.inbound[0].source, 'request');
  assert.equal(entries.inbound[0].data.headers['apim-debug-authorization'], '***', 'the debug token is masked');
  assert.equal(entries.inbound[0].data.headers.authorization, 'Bearer ***');
  assert.ok(entries.inbound.some((e) => e.source === 'authentication-managed-identity' && e.data.outcome === 'succeeded'), JSON.stringify(entries.inbound));
  assert.ok(entries.backend.some((e) => e.source === 'forward-request' && e.data.backendStatus === 200));
  const backendRequest = entries.backend.find((e) => e.source === 'backend-request')!;
  assert.equal(backendRequest.data.headers.authorization, 'Bearer ***', 'the managed identity token is masked');
  assert.equal(backendRequest.data.headers['apim-debug-authorization'], undefined, 'the debug credential is not forwarded to the backend');
  assert.match(entries.backend[0].elapsed, /^\d\d:\d\d:\d\d\.\d{7}$/);
  const text = JSON.stringify(trace);
  assert.ok(!text.includes(SECRET), 'the secret named value is masked');
  assert.ok(!text.includes(cred.token!.split('sn=')[1]), 'the debug token is not in the trace');
  assert.ok(!text.includes('client-own-token-abcdef'));
  assert.ok(!/eyJ[\w-]+\.[\w-]+\./.test(text), 'no JWT anywhere in the trace');

  // The same at the documented api-version, raw; the trace is never served by the gateway itself.
  const raw = await debugCall('listTrace', { traceId });
  assert.equal(raw.status, 200, raw.text);
  assert.equal(raw.body.traceId, traceId);
  const direct = await request(`${gatewayUrl}/__apim-local/traces/debug:${arm.svcId().toLowerCase()}:${traceId}`);
  assert.equal(direct.status, 404);
  assert.equal((await request(`${gatewayUrl}/__apim-local/traces/${traceId}`)).status, 401, 'the id alone reads nothing');
});

test('a token is scoped to its API, verified, and expires', async () => {
  const token = (await debugCall('listDebugCredentials', { apiId: apiId('echo'), purposes: ['tracing'] })).body.token as string;
  const wrong = await request(`${gatewayUrl}/other/x`, { headers: { 'Apim-Debug-Authorization': token } });
  assert.equal(wrong.status, 200);
  assert.equal(wrong.headers.get('apim-trace-id'), null);
  assert.match(wrong.headers.get('apim-debug-authorization-wrongapi') ?? '', /different API/);

  const forged = token.replace(/aid=echo/, 'aid=other');
  const f = await request(`${gatewayUrl}/other/x`, { headers: { 'Apim-Debug-Authorization': forged } });
  assert.equal(f.headers.get('apim-trace-id'), null, 'a token whose API was changed is not honoured');

  const short = (await debugCall('listDebugCredentials', { credentialsExpireAfter: 'PT1S', apiId: apiId('echo'), purposes: ['tracing'] })).body.token as string;
  await sleep(1100);
  const expired = await request(`${gatewayUrl}/echo/x`, { headers: { 'Apim-Debug-Authorization': short } });
  assert.equal(expired.status, 200);
  assert.equal(expired.headers.get('apim-trace-id'), null);
  assert.match(expired.headers.get('apim-debug-authorization-expired') ?? '', /expired at \d{4}-/);
});

test('validation: lifetime at most PT1H, an API of this instance, purposes tracing, the managed gateway, a known trace', async () => {
  const tooLong = await debugCall('listDebugCredentials', { credentialsExpireAfter: 'PT2H', apiId: apiId('echo'), purposes: ['tracing'] });
  assert.equal(tooLong.status, 400);
  assert.equal(tooLong.body.error.code, 'ValidationError');
  assert.equal(tooLong.body.error.details[0].target, 'credentialsExpireAfter');
  const elsewhere = await debugCall('listDebugCredentials', { apiId: `/subscriptions/${server.connection.subscriptionId}/resourceGroups/x/providers/Microsoft.ApiManagement/service/y/apis/echo`, purposes: ['tracing'] });
  assert.equal(elsewhere.status, 400);
  assert.equal(elsewhere.body.error.details[0].target, 'apiId');
  const missingApi = await debugCall('listDebugCredentials', { apiId: apiId('nope'), purposes: ['tracing'] });
  assert.equal(missingApi.status, 404);
  assert.equal(missingApi.body.error.message, 'Api not found.');
  const purpose = await debugCall('listDebugCredentials', { apiId: apiId('echo'), purposes: ['debugging'] });
  assert.equal(purpose.status, 400);
  assert.equal(purpose.body.error.details[0].target, 'purposes[0]');
  const selfHosted = await debugCall('listDebugCredentials', { apiId: apiId('echo'), purposes: ['tracing'] }, adminToken, 'gw1');
  assert.equal(selfHosted.status, 404);
  const unknown = await debugCall('listTrace', { traceId: '0'.repeat(32) });
  assert.equal(unknown.status, 404);
  assert.equal(unknown.body.error.code, 'ResourceNotFound');
});

test('a Reader may neither get debug credentials nor read traces (Azure\'s gateway actions)', async () => {
  const c = await debugCall('listDebugCredentials', { apiId: apiId('echo'), purposes: ['tracing'] }, readerToken);
  assert.equal(c.status, 403, c.text);
  assert.equal(c.body.error.code, 'AuthorizationFailed');
  assert.match(c.body.error.message, /'Microsoft\.ApiManagement\/service\/gateways\/listDebugCredentials\/action'/);
  const t = await debugCall('listTrace', { traceId: '0'.repeat(32) }, readerToken);
  assert.equal(t.status, 403);
  assert.match(t.body.error.message, /'Microsoft\.ApiManagement\/service\/gateways\/listTrace\/action'/);
});
