// The seed's scenario end to end, through the real server and the official SDKs: an API whose policy
// has <authentication-managed-identity resource="api://backend"/>, called through the instance's
// gatewayUrl; a backend started here validates the bearer token with jose createRemoteJWKSet from the
// server's discovery document. Without the policy it gets no token (401); with client-id of an assigned
// user-assigned identity the token's oid is that identity's principalId. And a 100 MB request body
// streams through the gateway without being buffered (its memory use is measured in
// bench/gateway-memory.mjs, not asserted here).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { ResourceManagementClient } from '@azure/arm-resources';
import { ManagedServiceIdentityClient } from '@azure/arm-msi';
import { ApiManagementClient } from '@azure/arm-apimanagement';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { startTestServer, request, type TestServer } from '../helpers/server.js';
import { createApimInstance } from '../helpers/apim.js';
import { policyXml } from '../helpers/gateway.js';

const RG = 'gw-mi-rg';
const SVC = 'gw-mi-apim';
let server: TestServer;
let apim: ApiManagementClient;
let backend: http.Server;
let backendUrl: string;
let gatewayUrl: string;
let uai: { clientId: string; principalId: string };
/** What the backend saw last: the verified token's claims, or why it refused. */
let lastSeen: { oid?: unknown; aud?: unknown; error?: string } = {};
/** Bytes of the current upload the backend has received so far. */
let uploaded = 0;

before(async () => {
  server = await startTestServer();
  const cred = server.credential();
  const sub = server.connection.subscriptionId;
  const rm = new ResourceManagementClient(cred, sub, server.armOptions());
  const msi = new ManagedServiceIdentityClient(cred, sub, server.armOptions());
  apim = new ApiManagementClient(cred, sub, server.armOptions());
  await rm.resourceGroups.createOrUpdate(RG, { location: 'westeurope' });
  const u = await msi.userAssignedIdentities.createOrUpdate(RG, 'gw-uai', { location: 'westeurope' });
  uai = { clientId: u.clientId!, principalId: u.principalId! };

  // The backend: accepts only tokens this server issued for api://backend (jose, from the discovery document).
  const discovery = (await request(`${server.connection.authorityHost}/${server.connection.tenantId}/v2.0/.well-known/openid-configuration`)).body;
  const jwks = createRemoteJWKSet(new URL(discovery.jwks_uri));
  backend = http.createServer((req, res) => {
    if (req.url!.startsWith('/upload')) {
      uploaded = 0;
      req.on('data', (d: Buffer) => { uploaded += d.length; });
      req.on('end', () => { res.writeHead(200, { 'content-type': 'application/json' }); res.end(JSON.stringify({ bytes: uploaded })); });
      return;
    }
    req.resume();
    const auth = req.headers.authorization ?? '';
    const m = /^Bearer (.+)$/.exec(auth);
    if (!m) { lastSeen = { error: 'no token' }; res.writeHead(401, { 'www-authenticate': 'Bearer' }); res.end(); return; }
    jwtVerify(m[1], jwks, { audience: 'api://backend' }).then(({ payload }) => {
      lastSeen = { oid: payload.oid, aud: payload.aud };
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ hello: 'from backend', oid: payload.oid }));
    }, (e) => { lastSeen = { error: String(e) }; res.writeHead(401); res.end(); });
  });
  await new Promise<void>((r) => backend.listen(0, '127.0.0.1', r));
  backendUrl = `http://127.0.0.1:${(backend.address() as AddressInfo).port}`;

  const { service: svc } = await createApimInstance(server, RG, SVC, { type: 'SystemAssigned, UserAssigned', userAssignedIdentities: { [u.id!]: {} } });
  gatewayUrl = svc.gatewayUrl!;
  await apim.api.beginCreateOrUpdateAndWait(RG, SVC, 'backend', {
    displayName: 'Backend', path: 'backend', serviceUrl: backendUrl, protocols: ['https'], subscriptionRequired: false,
  });
  await apim.apiOperation.createOrUpdate(RG, SVC, 'backend', 'get', { displayName: 'Get', method: 'GET', urlTemplate: '/*' });
  await apim.apiOperation.createOrUpdate(RG, SVC, 'backend', 'upload', { displayName: 'Upload', method: 'POST', urlTemplate: '/upload' });
});
after(async () => {
  await server?.stop();
  await new Promise<void>((r) => { if (!backend) return r(); backend.close(() => r()); backend.closeAllConnections(); });
});

async function setPolicy(inbound: string) {
  await apim.apiPolicy.createOrUpdate(RG, SVC, 'backend', 'policy', { format: 'rawxml', value: policyXml(inbound) });
}

test('without the policy the backend gets no token and answers 401', async () => {
  await setPolicy('');
  const r = await request(`${gatewayUrl}/backend/hello`);
  assert.equal(r.status, 401);
  assert.equal(lastSeen.error, 'no token');
});

test('with <authentication-managed-identity resource="api://backend"/> the backend accepts the call (system-assigned)', async () => {
  await setPolicy('<authentication-managed-identity resource="api://backend" />');
  const svc = await apim.apiManagementService.get(RG, SVC);
  const r = await request(`${gatewayUrl}/backend/hello`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.hello, 'from backend');
  assert.equal(lastSeen.oid, svc.identity!.principalId, 'the token is the system-assigned identity');
  assert.equal(lastSeen.aud, 'api://backend');
  // The token is cached: a second call works the same.
  lastSeen = {};
  const again = await request(`${gatewayUrl}/backend/again`);
  assert.equal(again.status, 200, again.text);
  assert.equal(lastSeen.oid, svc.identity!.principalId);
});

test('with client-id of the assigned user-assigned identity, the token oid is its principalId', async () => {
  await setPolicy(`<authentication-managed-identity resource="api://backend" client-id="${uai.clientId}" />`);
  const r = await request(`${gatewayUrl}/backend/hello`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.oid, uai.principalId);
});

test('authentication-managed-identity inside send-request (Microsoft Learn "Send request"): the side request carries the instance\'s token', async () => {
  // No policy on the API's own backend call: only the send-request gets a token.
  await setPolicy(`<send-request mode="new" response-variable-name="side" timeout="20"><set-url>${backendUrl}/side</set-url><set-method>GET</set-method>
      <authentication-managed-identity resource="api://backend" client-id="${uai.clientId}" /></send-request>
    <return-response response-variable-name="side" />`);
  lastSeen = {};
  const r = await request(`${gatewayUrl}/backend/hello`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.oid, uai.principalId, 'the send-request\'s answer, from a backend that verified the token');
  assert.equal(lastSeen.aud, 'api://backend');
});

test('a policy PUT with a misplaced policy is refused with element and line', async () => {
  await assert.rejects(setPolicy('<forward-request />'), (e: any) => {
    assert.equal(e.statusCode, 400);
    assert.equal(e.code, 'ValidationError');
    assert.deepEqual(e.details?.error?.details, [{
      code: 'ValidationError', target: 'forward-request',
      message: "Error in element 'forward-request' on line 4, column 5: Policy is not allowed in the 'inbound' section. Allowed sections: backend.",
    }]);
    return true;
  });
});

test('a 100 MB request body streams through the gateway', async () => {
  await setPolicy('<authentication-managed-identity resource="api://backend" />');
  const total = 100 * 1024 * 1024;
  const chunk = Buffer.alloc(1024 * 1024, 1);
  // The backend runs in this process: what it has received when the client writes its last chunk says
  // whether the gateway streamed (some of the body already arrived) or buffered (nothing yet).
  let receivedAtLastChunk = -1;
  const url = new URL(gatewayUrl);
  const body = await new Promise<string>((resolve, reject) => {
    const req = https.request({ host: url.hostname, port: url.port, path: '/backend/upload', method: 'POST', headers: { 'content-length': total, 'content-type': 'application/octet-stream' } }, (res) => {
      let s = '';
      res.on('data', (d) => { s += d; });
      res.on('end', () => resolve(s));
    });
    req.on('error', reject);
    let sent = 0;
    const pump = () => {
      while (sent < total) {
        sent += chunk.length;
        if (sent >= total) receivedAtLastChunk = uploaded;
        const ok = req.write(chunk);
        if (sent >= total) break;
        if (!ok) { req.once('drain', pump); return; }
      }
      req.end();
    };
    pump();
  });
  assert.deepEqual(JSON.parse(body), { bytes: total });
  assert.ok(receivedAtLastChunk > 0, `the backend had received ${receivedAtLastChunk} bytes when the client wrote its last chunk`);
});
