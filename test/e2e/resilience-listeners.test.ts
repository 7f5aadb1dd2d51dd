// #10 finding 5, end to end: slow-header and idle connections held against every listener (management,
// a key vault, an instance's gateway) while normal traffic through the official SDKs and HTTP keeps being
// served; and calls abandoned by their clients leave no backend connection open.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { ResourceManagementClient } from '@azure/arm-resources';
import { createApimInstance } from '../helpers/apim.js';
import { createVault, secretClient, ALL_PERMISSIONS, uniqueVaultName } from '../helpers/keyvault.js';
import { startTestServer, request, type TestServer } from '../helpers/server.js';

const RG = 'resilience-rg';
const SVC = 'resilience-apim';
let server: TestServer;
let vaultUri: string;
let gatewayUrl: string;
let token: string;
let hanging: http.Server;
/** The backend's connections that hold a request (undici may open an idle one in place of an aborted one). */
const backendSockets = new Set<net.Socket>();
let backendReceived = 0;

before(async () => {
  server = await startTestServer();
  const { service } = await createApimInstance(server, RG, SVC);
  gatewayUrl = service.gatewayUrl!;
  const vault = await createVault(server, RG, uniqueVaultName('resil'), { enableRbacAuthorization: false,
    accessPolicies: [{ tenantId: server.connection.tenantId, objectId: server.connection.objectId, permissions: ALL_PERMISSIONS }],
  });
  vaultUri = vault.properties.vaultUri!;
  await secretClient(vaultUri, server.credential()).setSecret('s', 'v');
  token = (await server.credential().getToken('https://management.azure.com/.default')).token;

  // A backend that never answers, counting its open connections.
  hanging = http.createServer((req) => {
    backendReceived++;
    const s = req.socket;
    backendSockets.add(s);
    s.on('close', () => backendSockets.delete(s));
  });
  await new Promise<void>((r) => hanging.listen(0, '127.0.0.1', r));
  const svc = `${server.connection.managementEndpoint}/subscriptions/${server.connection.subscriptionId}/resourceGroups/${RG}/providers/Microsoft.ApiManagement/service/${SVC}`;
  const put = (p: string, body: unknown) => request(`${svc}${p}?api-version=2024-05-01`, { method: 'PUT', token, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  assert.equal((await put('/apis/slow', { properties: { displayName: 'Slow', path: 'slow', serviceUrl: `http://127.0.0.1:${(hanging.address() as AddressInfo).port}`, subscriptionRequired: false, protocols: ['http', 'https'] } })).status, 201);
  assert.equal((await put('/apis/slow/operations/get', { properties: { displayName: 'Get', method: 'GET', urlTemplate: '/*' } })).status, 201);
  assert.equal((await put('/apis/fast', { properties: { displayName: 'Fast', path: 'fast', subscriptionRequired: false, protocols: ['http', 'https'] } })).status, 201);
  assert.equal((await put('/apis/fast/operations/get', { properties: { displayName: 'Get', method: 'GET', urlTemplate: '/' } })).status, 201);
  assert.equal((await put('/apis/fast/policies/policy', { properties: { format: 'rawxml', value: '<policies><inbound><return-response><set-status code="200" /><set-body>fast</set-body></return-response></inbound><backend /><outbound /><on-error /></policies>' } })).status, 201);
});
after(async () => {
  // Every connection, idle ones too (the gateway's pool keeps some): close() alone waits for them to time out.
  hanging?.closeAllConnections();
  if (hanging) await new Promise((r) => hanging.close(r));
  await server?.stop();
});

/** `n` TLS connections to a port: half send part of a request's headers, half complete a handshake and say nothing. */
function holdConnections(url: string, n: number): tls.TLSSocket[] {
  const { port } = new URL(url);
  return Array.from({ length: n }, (_, k) => {
    const s = tls.connect({ port: Number(port), host: '127.0.0.1', servername: 'localhost', rejectUnauthorized: false }, () => {
      if (k % 2 === 0) s.write('GET / HTTP/1.1\r\nHost: localhost\r\nX-Slow: ');
    });
    s.on('error', () => undefined);
    return s;
  });
}

test('with 150 slow and idle connections held on each listener, management, Key Vault and gateway calls are all served', async () => {
  const held = [...holdConnections(server.connection.managementEndpoint, 150), ...holdConnections(vaultUri, 150), ...holdConnections(gatewayUrl, 150)];
  try {
    await new Promise((r) => setTimeout(r, 500));
    const rm = new ResourceManagementClient(server.credential(), server.connection.subscriptionId, server.armOptions());
    const secrets = secretClient(vaultUri, server.credential());
    for (let i = 0; i < 5; i++) {
      assert.equal((await rm.resourceGroups.get(RG)).name, RG);
      assert.equal((await secrets.getSecret('s')).value, 'v');
      const g = await request(`${gatewayUrl}/fast/`);
      assert.equal(g.status, 200);
      assert.equal(g.text, 'fast');
    }
    // A fresh token: the token endpoint is on the held management listener too.
    const fresh = await server.credential().getToken('https://management.azure.com/.default');
    assert.ok(fresh.token.length > 100);
  } finally {
    for (const s of held) s.destroy();
  }
});

test('calls abandoned by their clients leave no backend connection open, and the backend host stays usable', async () => {
  const { port } = new URL(gatewayUrl);
  const clients = Array.from({ length: 20 }, () => {
    const req = http.get({ host: '127.0.0.1', port: Number(port), path: '/slow/x', agent: false });
    req.on('error', () => undefined);
    return req;
  });
  // Some go away while the gateway is still working on them, the rest once the backend holds them.
  clients.slice(0, 5).forEach((c) => c.destroy());
  const waitUntil = Date.now() + 10_000;
  while (backendSockets.size < 15 && Date.now() < waitUntil) await new Promise((r) => setTimeout(r, 50));
  assert.equal(backendSockets.size, 15, 'the backend holds the calls that reached it');
  for (const c of clients) c.destroy();
  const deadline = Date.now() + 10_000;
  while (backendSockets.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  assert.equal(backendSockets.size, 0, 'every backend connection holding an abandoned call was closed');
  const g = await request(`${gatewayUrl}/fast/`);
  assert.equal(g.status, 200);
});
