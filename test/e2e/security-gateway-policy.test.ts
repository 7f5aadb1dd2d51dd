// Issue 10 findings 2, 6 and 9 against the real server, through Resource Manager as an attacker with
// the SDK would go: a policy PUT that used to overflow the validator (and leave the API unprotected),
// a path with dot segments, and a trace read by its id alone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { RestError } from '@azure/core-rest-pipeline';
import type { ApiManagementClient } from '@azure/arm-apimanagement';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { createApimInstance } from '../helpers/apim.js';

const RG = 'sec-gw';
const SVC = 'secgw';
let server: TestServer;
let apim: ApiManagementClient;
let gatewayUrl: string;
let backend: http.Server;
const seen: string[] = [];

before(async () => {
  server = await startTestServer();
  backend = http.createServer((req, res) => { seen.push(req.url!); res.writeHead(200, { 'content-type': 'text/plain' }); res.end('backend'); });
  await new Promise<void>((r) => backend.listen(0, '127.0.0.1', r));
  const made = await createApimInstance(server, RG, SVC);
  apim = made.apim;
  gatewayUrl = made.service.gatewayUrl!;
  await apim.api.beginCreateOrUpdateAndWait(RG, SVC, 'echo', {
    displayName: 'Echo', path: 'echo', serviceUrl: `http://127.0.0.1:${(backend.address() as AddressInfo).port}/base`, protocols: ['https'], subscriptionRequired: false,
  });
  await apim.apiOperation.createOrUpdate(RG, SVC, 'echo', 'get', { displayName: 'Get', method: 'GET', urlTemplate: '/*' });
});

after(async () => {
  await server?.stop();
  await new Promise((r) => backend?.close(r));
});

const checkHeader = '<check-header name="x-need" failed-check-httpcode="401" failed-check-error-message="no" ignore-case="true" />';
const doc = (inbound: string) => `<policies><inbound><base />${inbound}</inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>`;

test('finding 2: a PUT of 12,000 (or 1,000) nested <choose> is a 400 ValidationError; the API keeps the policy it had', async () => {
  await apim.apiPolicy.createOrUpdate(RG, SVC, 'echo', 'policy', { format: 'rawxml', value: doc(checkHeader) });
  assert.equal((await fetch(`${gatewayUrl}/echo/x`)).status, 401);
  for (const n of [12_000, 1000]) {
    const evil = doc(`${'<choose><when condition="true">'.repeat(n)}${checkHeader}${'</when></choose>'.repeat(n)}`);
    const e = await apim.apiPolicy.createOrUpdate(RG, SVC, 'echo', 'policy', { format: 'rawxml', value: evil }).then(() => undefined, (x: unknown) => x);
    assert.ok(e instanceof RestError, `the PUT of ${n} levels was accepted`);
    assert.equal(e.statusCode, 400);
    assert.match(JSON.stringify((e.details as { error?: unknown })?.error ?? e.message), /ValidationError/);
  }
  // Still enforced: a call without the header is refused, with it it passes.
  assert.equal((await fetch(`${gatewayUrl}/echo/x`)).status, 401);
  assert.equal((await fetch(`${gatewayUrl}/echo/x`, { headers: { 'x-need': '1' } })).status, 200);
  await apim.apiPolicy.delete(RG, SVC, 'echo', 'policy', '*');
});

test('finding 6: a dot-segment climb is refused by the gateway and never reaches the backend', async () => {
  const { default: https } = await import('node:https');
  const u = new URL(gatewayUrl);
  const before = seen.length;
  const status = await new Promise<number>((resolve, reject) => {
    const req = https.request({ host: u.hostname, port: u.port, path: '/echo/%2e%2e/..%5c../admin', method: 'GET' }, (res) => { res.resume(); resolve(res.statusCode!); });
    req.on('error', reject);
    req.end();
  });
  assert.equal(status, 400);
  assert.equal(seen.length, before);
});

test('finding 9: a trace is not readable by its id alone', async () => {
  await apim.subscription.createOrUpdate(RG, SVC, 'tracer', { displayName: 'Tracer', scope: '/apis', state: 'active', allowTracing: true });
  const key = (await apim.subscription.listSecrets(RG, SVC, 'tracer')).primaryKey!;
  const r = await fetch(`${gatewayUrl}/echo/x`, { headers: { 'ocp-apim-subscription-key': key, 'ocp-apim-trace': 'true' } });
  assert.equal(r.status, 200);
  const loc = r.headers.get('ocp-apim-trace-location')!;
  const id = loc.split('/').pop()!;
  assert.equal((await fetch(`${gatewayUrl}/__apim-local/traces/${id}`)).status, 401);
  assert.equal((await fetch(loc)).status, 200);
  const byKey = await fetch(`${gatewayUrl}/__apim-local/traces/${id}`, { headers: { 'ocp-apim-subscription-key': key } });
  assert.equal(byKey.status, 200);
  assert.ok(!(await byKey.text()).includes(key), 'the key is masked in the trace');
});
