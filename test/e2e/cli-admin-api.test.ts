// The admin API the command line stands on (/apim-local/applications, /apim-local/keys/rotate), over
// plain HTTPS: authentication, authorization, input validation with clear errors, and nothing stored
// when the input is refused.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, request, type TestServer } from '../helpers/server.js';

let server: TestServer;
let base: string;
let adminToken: string;

const MANAGEMENT = 'https://management.azure.com/.default';

before(async () => {
  server = await startTestServer();
  base = server.connection.managementEndpoint;
  adminToken = (await server.credential().getToken(MANAGEMENT)).token;
});
after(async () => { await server?.stop(); });

const post = (path: string, body: string | undefined, token = adminToken, contentType = 'application/json') =>
  request(`${base}${path}`, { method: 'POST', token, headers: contentType ? { 'content-type': contentType } : {}, body });
const list = async (): Promise<any[]> => {
  const r = await request(`${base}/apim-local/applications`, { token: adminToken });
  assert.equal(r.status, 200);
  return r.body.value;
};

function assertError(res: { status: number; body: any }, status: number, code: string): void {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.equal(res.body?.error?.code, code);
  assert.equal(typeof res.body.error.message, 'string');
  assert.ok(res.body.error.message.length > 10);
}

describe('applications', () => {
  test('create: 201 with appId, objectId, displayName, password, tenant; the password gets tokens', async () => {
    const r = await post('/apim-local/applications', JSON.stringify({ displayName: 'api-app' }));
    assert.equal(r.status, 201);
    assert.deepEqual(Object.keys(r.body).sort(), ['appId', 'displayName', 'objectId', 'password', 'tenant']);
    assert.equal(r.body.tenant, server.connection.tenantId);
    const token = await server.credential(r.body.appId, r.body.password).getToken(MANAGEMENT);
    assert.ok(token.token);
    const entry = (await list()).find((p) => p.appId === r.body.appId);
    assert.deepEqual(entry, { appId: r.body.appId, objectId: r.body.objectId, displayName: 'api-app', principalType: 'Application' });
  });

  test('bad input gets a clear error and stores nothing', async () => {
    const count = (await list()).length;
    const cases: [string | undefined, string, number, string][] = [
      ['{"displayName":', 'application/json', 400, 'InvalidRequestContent'],
      ['[1,2]', 'application/json', 400, 'InvalidRequestContent'],
      ['"just a string"', 'application/json', 400, 'InvalidRequestContent'],
      ['', 'application/json', 400, 'InvalidRequestContent'],
      ['{}', 'application/json', 400, 'InvalidDisplayName'],
      ['{"displayName":""}', 'application/json', 400, 'InvalidDisplayName'],
      ['{"displayName":"   "}', 'application/json', 400, 'InvalidDisplayName'],
      ['{"displayName":42}', 'application/json', 400, 'InvalidDisplayName'],
      [JSON.stringify({ displayName: 'x'.repeat(121) }), 'application/json', 400, 'InvalidDisplayName'],
      [JSON.stringify({ displayName: 'a\u0000b' }), 'application/json', 400, 'InvalidDisplayName'],
      ['{"displayName":"ok","password":"mine"}', 'application/json', 400, 'InvalidRequestContent'],
      ['displayName=x', 'application/x-www-form-urlencoded', 415, 'UnsupportedMediaType'],
      [JSON.stringify({ displayName: 'x'.repeat(20_000) }), 'application/json', 413, 'RequestEntityTooLarge'],
    ];
    for (const [body, type, status, code] of cases) {
      assertError(await post('/apim-local/applications', body, adminToken, type), status, code);
    }
    assert.equal((await list()).length, count);
    const longest = await post('/apim-local/applications', JSON.stringify({ displayName: 'y'.repeat(120) }));
    assert.equal(longest.status, 201, '120 characters are allowed');
  });

  test('delete: 204, then the application is gone and cannot sign in; unknown → 404; the admin → 409', async () => {
    const created = (await post('/apim-local/applications', JSON.stringify({ displayName: 'to-delete' }))).body;
    const del = await request(`${base}/apim-local/applications/${created.appId}`, { method: 'DELETE', token: adminToken });
    assert.equal(del.status, 204);
    assert.ok(!(await list()).some((p) => p.appId === created.appId));
    await assert.rejects(server.credential(created.appId, created.password).getToken(MANAGEMENT));
    assertError(await request(`${base}/apim-local/applications/${created.appId}`, { method: 'DELETE', token: adminToken }), 404, 'ApplicationNotFound');
    assertError(await request(`${base}/apim-local/applications/${server.connection.clientId}`, { method: 'DELETE', token: adminToken }), 409, 'OperationNotAllowed');
    assertError(await post(`/apim-local/applications/${server.connection.clientId}/resetPassword`, undefined, adminToken, ''), 409, 'OperationNotAllowed');
    assert.ok((await list()).some((p) => p.appId === server.connection.clientId));
  });

  test('resetPassword replaces every secret of the application', async () => {
    const created = (await post('/apim-local/applications', JSON.stringify({ displayName: 'to-reset' }))).body;
    const reset = await post(`/apim-local/applications/${created.appId}/resetPassword`, undefined, adminToken, '');
    assert.equal(reset.status, 200);
    assert.equal(reset.body.appId, created.appId);
    assert.notEqual(reset.body.password, created.password);
    await assert.rejects(server.credential(created.appId, created.password).getToken(MANAGEMENT));
    assert.ok((await server.credential(created.appId, reset.body.password).getToken(MANAGEMENT)).token);
  });
});

describe('authentication and authorization', () => {
  test('no token or a bad one: 401; a principal without roleAssignments/write: 403 on every route', async () => {
    const count = (await list()).length;
    assertError(await post('/apim-local/applications', '{"displayName":"x"}', ''), 401, 'AuthenticationFailed');
    assertError(await post('/apim-local/applications', '{"displayName":"x"}', 'not.a.jwt'), 401, 'AuthenticationFailed');
    const vaultToken = (await server.credential().getToken('https://vault.azure.net/.default')).token;
    assertError(await post('/apim-local/applications', '{"displayName":"x"}', vaultToken), 401, 'AuthenticationFailed');

    const app = (await post('/apim-local/applications', JSON.stringify({ displayName: 'no-roles' }))).body;
    const token = (await server.credential(app.appId, app.password).getToken(MANAGEMENT)).token;
    assertError(await request(`${base}/apim-local/applications`, { token }), 403, 'AuthorizationFailed');
    assertError(await post('/apim-local/applications', '{"displayName":"x"}', token), 403, 'AuthorizationFailed');
    assertError(await request(`${base}/apim-local/applications/${app.appId}`, { method: 'DELETE', token }), 403, 'AuthorizationFailed');
    assertError(await post('/apim-local/keys/rotate', undefined, token, ''), 403, 'AuthorizationFailed');
    assert.equal((await list()).length, count + 1, 'only the admin\'s "no-roles" was created');
  });

  test('unknown routes are 404, wrong methods 405 with Allow', async () => {
    assertError(await request(`${base}/apim-local/nothing`, { token: adminToken }), 404, 'NotFound');
    const wrong = await request(`${base}/apim-local/keys/rotate`, { token: adminToken });
    assertError(wrong, 405, 'MethodNotAllowed');
    assert.equal(wrong.headers.get('allow'), 'POST');
    const put = await request(`${base}/apim-local/applications`, { method: 'PUT', token: adminToken });
    assertError(put, 405, 'MethodNotAllowed');
    assert.equal(put.headers.get('allow'), 'GET, POST');
  });
});
