// What the portal's scripts can reach from its origin ({managementEndpoint}), driven in Debian's chromium
// through playwright-core: a vault's data plane (CORS for the portal's origin only, as Key Vault does for
// Azure's portal) for secrets, versions and certificate import with a Bearer token; and an instance's
// gateway through the Test tab's proxy (POST /apim-local/gateway-proxy), with the debug trace read back
// through listTrace. A page of another origin is refused by the vault, and the proxy reaches only the
// gateway of an instance the caller may read.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { CHROMIUM, hasChromium, openBrowser } from '../helpers/browser.js';
import { startTestServer, request, type TestServer } from '../helpers/server.js';
import { createApimInstance } from '../helpers/apim.js';
import { ALL_PERMISSIONS, createVault, makeCertificate, uniqueVaultName } from '../helpers/keyvault.js';

const RG = 'portal-rg';
const SVC = 'portal-apim';
let server: TestServer;
let browser: Browser;
let page: Page;
let backend: http.Server;
let vaultUri: string;
let gatewayUrl: string;
let serviceId: string;
let armToken: string;
let vaultToken: string;
let outsiderToken: string;

const SKIP = hasChromium() ? undefined : `needs ${CHROMIUM} (apt-get install -y chromium)`;
if (SKIP) process.stderr.write(`portal browser access tests skipped: ${SKIP}\n`);

before(async () => {
  if (SKIP) return;
  server = await startTestServer();
  const cred = server.credential();
  armToken = (await cred.getToken('https://management.azure.com/.default')).token;
  vaultToken = (await cred.getToken('https://vault.azure.net/.default')).token;
  backend = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      res.writeHead(201, { 'content-type': 'application/json', 'x-backend': 'echo' });
      res.end(JSON.stringify({ method: req.method, url: req.url, body: Buffer.concat(chunks).toString('utf8'), key: req.headers['x-test'] }));
    });
  });
  await new Promise<void>((r) => backend.listen(0, '127.0.0.1', r));
  const { apim, service } = await createApimInstance(server, RG, SVC);
  gatewayUrl = service.gatewayUrl!;
  serviceId = service.id!;
  await apim.api.beginCreateOrUpdateAndWait(RG, SVC, 'echo', {
    displayName: 'Echo', path: 'echo', serviceUrl: `http://127.0.0.1:${(backend.address() as AddressInfo).port}`, protocols: ['https'], subscriptionRequired: false,
  });
  await apim.apiOperation.createOrUpdate(RG, SVC, 'echo', 'post', { displayName: 'Post', method: 'POST', urlTemplate: '/*' });
  const vault = await createVault(server, RG, uniqueVaultName('portal'), {
    enableRbacAuthorization: false,
    accessPolicies: [{ tenantId: server.connection.tenantId, objectId: server.connection.objectId, permissions: ALL_PERMISSIONS }],
  });
  vaultUri = vault.properties.vaultUri!;
  const app = await request(`${server.connection.managementEndpoint}/apim-local/applications`, {
    method: 'POST', token: armToken, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ displayName: 'portal-outsider' }),
  });
  outsiderToken = (await server.credential(app.body.appId, app.body.password).getToken('https://management.azure.com/.default')).token;

  browser = await openBrowser();
  // The local CA is not in chromium's store: certificate errors are ignored for this context (not CORS).
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  // tsx (esbuild's keepNames) wraps the named functions of the evaluated closures in __name().
  await context.addInitScript({ content: 'globalThis.__name = (f) => f;' });
  page = await context.newPage();
  await page.goto(`${server.connection.managementEndpoint}/portal/`);
});
after(async () => {
  await browser?.close();
  await server?.stop();
  await new Promise<void>((r) => { if (!backend) return r(); backend.close(() => r()); backend.closeAllConnections(); });
});

test('from the portal\'s origin a script lists secrets and versions and imports a certificate with a Bearer token', { skip: SKIP }, async () => {
  const { pfx } = makeCertificate('portal.contoso.com', 'pw');
  const result = await page.evaluate(async ({ vault, token, pfx }) => {
    const kv = async (method: string, path: string, body?: unknown) => {
      const r = await fetch(`${vault}${path}${path.includes('?') ? '&' : '?'}api-version=7.4`, {
        method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: r.status, body: await r.json().catch(() => null), requestId: r.headers.get('x-ms-request-id') };
    };
    const put1 = await kv('PUT', 'secrets/portal-secret', { value: 'one' });
    await kv('PUT', 'secrets/portal-secret', { value: 'two' });
    const list = await kv('GET', 'secrets');
    const versions = await kv('GET', 'secrets/portal-secret/versions');
    const imported = await kv('POST', 'certificates/portal-cert/import', { value: pfx, pwd: 'pw' });
    const certs = await kv('GET', 'certificates');
    const anonymous = await fetch(`${vault}secrets?api-version=7.4`);
    return { put1, list, versions, imported, certs, challenge: anonymous.headers.get('www-authenticate'), anonymousStatus: anonymous.status };
  }, { vault: vaultUri, token: vaultToken, pfx: pfx.toString('base64') });
  assert.equal(result.put1.status, 200, JSON.stringify(result.put1));
  assert.match(result.put1.requestId ?? '', /^[0-9a-f-]{36}$/, 'x-ms-request-id is readable by the script');
  assert.ok(result.list.body.value.some((s: { id: string }) => s.id.endsWith('/secrets/portal-secret')));
  assert.equal(result.versions.body.value.length, 2);
  assert.equal(result.imported.status, 200, JSON.stringify(result.imported.body));
  assert.ok(result.certs.body.value.some((c: { id: string }) => c.id.endsWith('/certificates/portal-cert')));
  assert.equal(result.anonymousStatus, 401);
  assert.match(result.challenge ?? '', /^Bearer authorization="/, 'the challenge is readable (the SDK\'s first step)');
});

test('a page of another origin cannot read the vault; the answer never allows credentials or any origin', { skip: SKIP }, async () => {
  const other = await page.context().newPage();
  await other.goto(`${gatewayUrl}/not-here`);
  const outcome = await other.evaluate(async ({ vault, token }) => {
    try { await fetch(`${vault}secrets?api-version=7.4`, { headers: { authorization: `Bearer ${token}` } }); return 'read'; } catch (e) { return String(e); }
  }, { vault: vaultUri, token: vaultToken });
  await other.close();
  assert.match(outcome, /TypeError/);
  const origin = server.connection.managementEndpoint;
  const pre = await fetch(`${vaultUri}secrets?api-version=7.4`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' } });
  assert.equal(pre.status, 204);
  assert.equal(pre.headers.get('access-control-allow-origin'), origin);
  assert.equal(pre.headers.get('access-control-allow-credentials'), null);
  assert.match(pre.headers.get('access-control-allow-headers') ?? '', /authorization/);
  const evil = await fetch(`${vaultUri}secrets?api-version=7.4`, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' } });
  assert.equal(evil.headers.get('access-control-allow-origin'), null);
});

test('the Test tab: a request through the proxy gets status, headers and body, and its debug trace through listTrace', { skip: SKIP }, async () => {
  const result = await page.evaluate(async ({ serviceId, gatewayUrl, token }) => {
    const arm = (action: string, body: unknown) => fetch(`${serviceId}/gateways/managed/${action}?api-version=2023-05-01-preview`, {
      method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
    }).then((r) => r.json());
    const { token: debugToken } = await arm('listDebugCredentials', { apiId: `${serviceId}/apis/echo`, purposes: ['tracing'], credentialsExpireAfter: 'PT10M' });
    const sent = await fetch('/apim-local/gateway-proxy', {
      method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ serviceId, method: 'POST', url: `${gatewayUrl}/echo/hello?x=1`, headers: { 'content-type': 'application/json', 'x-test': 'abc', 'Apim-Debug-Authorization': debugToken }, body: '{"a":1}' }),
    });
    const answer = await sent.json();
    const trace = await arm('listTrace', { traceId: answer.headers['apim-trace-id'] });
    return { proxyStatus: sent.status, answer, trace };
  }, { serviceId, gatewayUrl, token: armToken });
  assert.equal(result.proxyStatus, 200, JSON.stringify(result.answer));
  assert.equal(result.answer.status, 201);
  assert.equal(result.answer.headers['x-backend'], 'echo');
  assert.equal(result.answer.bodyEncoding, 'utf8');
  assert.deepEqual(JSON.parse(result.answer.body), { method: 'POST', url: '/hello?x=1', body: '{"a":1}', key: 'abc' });
  assert.match(result.answer.headers['apim-trace-id'], /^[0-9a-f]{32}$/);
  assert.ok(result.trace.traceEntries.backend.some((e: { source: string }) => e.source === 'forward-request'), JSON.stringify(result.trace));
});

test('the proxy reaches only the gateway of an instance the caller may read', { skip: SKIP }, async () => {
  const proxy = (body: unknown, token = armToken) => request(`${server.connection.managementEndpoint}/apim-local/gateway-proxy`, {
    method: 'POST', token, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
  for (const url of [`${vaultUri}secrets`, `${server.connection.managementEndpoint}/subscriptions`, 'https://example.com/', `${gatewayUrl.replace('https:', 'http:')}/echo/x`]) {
    const r = await proxy({ serviceId, method: 'GET', url });
    assert.equal(r.status, 400, `${url}: ${r.text}`);
    assert.equal(r.body.error.target, 'url');
  }
  const outsider = await proxy({ serviceId, method: 'POST', url: `${gatewayUrl}/echo/x` }, outsiderToken);
  assert.equal(outsider.status, 403);
  assert.equal(outsider.body.error.code, 'AuthorizationFailed');
  assert.match(outsider.body.error.message, /Microsoft\.ApiManagement\/service\/read/);
  assert.equal((await proxy({ serviceId, method: 'POST', url: `${gatewayUrl}/echo/x` }, '')).status, 401);
  const missing = await proxy({ serviceId: serviceId.replace(SVC, 'nope'), method: 'GET', url: `${gatewayUrl}/echo/x` });
  assert.equal(missing.status, 404);
  const badHeader = await proxy({ serviceId, method: 'POST', url: `${gatewayUrl}/echo/x`, headers: { 'x-a': 'b\r\nx-injected: 1' } });
  assert.equal(badHeader.status, 400);
});
