// Routing and authentication as API Management answers them: APIs by longest path prefix, operations
// by method and URL template, APIM's 404 and 401 bodies, subscription keys by header or query (and an
// API's own names), http/https by the API's protocols, and bodies streamed both ways.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startGateway, startBackend, call, type Harness, type Backend } from './gateway-harness.js';
import type { InstanceConfig } from '../../src/gateway/config.js';

let gw: Harness;
let be: Backend;
before(async () => { be = await startBackend(); gw = await startGateway(); });
after(async () => { await gw?.close(); await be?.close(); });

const NOT_FOUND = { statusCode: 404, message: 'Resource not found' };
const apiOf = (name: string, path: string, extra: Record<string, unknown> = {}) => ({
  name, displayName: name, path, serviceUrl: `${be.url}/${name}`, protocols: ['https'], subscriptionRequired: false,
  subscriptionKeyParameterNames: { header: 'Ocp-Apim-Subscription-Key', query: 'subscription-key' }, ...extra,
});
const op = (apiName: string, name: string, method: string, urlTemplate: string) => ({ apiName, name, displayName: name, method, urlTemplate, templateParameters: [] });

async function load(c: Partial<InstanceConfig>) { await gw.load(c); }

test('API by longest path prefix; operation by method and template; 404 otherwise', async () => {
  await load({
    apis: [apiOf('root', ''), apiOf('orders', 'orders'), apiOf('ordersv2', 'orders/v2')],
    operations: [op('root', 'any', 'GET', '/*'), op('orders', 'get', 'GET', '/{id}'), op('orders', 'list', 'GET', '/'),
      op('ordersv2', 'item', 'GET', '/items/{id}/lines/{line}'), op('ordersv2', 'items', 'GET', '/items/special'),
      op('ordersv2', 'search', 'GET', '/search?q={query}')],
  });
  const get = async (p: string, init?: RequestInit) => { const r = await call(`${gw.url}${p}`, init); return { ...r, backend: r.status === 200 ? r.json.url : undefined }; };
  assert.equal((await get('/orders/42')).backend, '/orders/42');
  assert.equal((await get('/orders')).backend, '/orders');
  assert.equal((await get('/ORDERS/42')).backend, '/orders/42', 'path suffixes match case-insensitively');
  assert.equal((await get('/orders/v2/items/7/lines/3')).backend, '/ordersv2/items/7/lines/3');
  assert.equal((await get('/orders/v2/items/special')).backend, '/ordersv2/items/special', 'a literal beats a parameter');
  assert.equal((await get('/orders/v2/search?q=shoes')).backend, '/ordersv2/search?q=shoes');
  const noQuery = await get('/orders/v2/search');
  assert.equal(noQuery.status, 404, 'a query-template parameter must be present');
  assert.deepEqual(noQuery.json, NOT_FOUND);
  const wrongMethod = await get('/orders/42', { method: 'DELETE' });
  assert.deepEqual([wrongMethod.status, wrongMethod.json], [404, NOT_FOUND]);
  assert.equal((await get('/ordersx/1')).backend, '/root/ordersx/1', 'a prefix only matches whole segments');
  assert.equal((await get('/orders/v2/nothing/here')).status, 404);
});

test('subscription keys: missing 401, invalid 401, header or query, custom names, scopes, suspended', async () => {
  const subs = [
    { name: 'all', scope: '/apis', primaryKey: 'all-key', secondaryKey: 'all-key-2', state: 'active', allowTracing: false },
    { name: 'a-only', scope: '/apis/a', primaryKey: 'a-key', secondaryKey: 'a-key-2', state: 'active', allowTracing: false },
    { name: 'off', scope: '/apis', primaryKey: 'off-key', secondaryKey: 'off-key-2', state: 'suspended', allowTracing: false },
    { name: 'prod', scope: '/products/p', primaryKey: 'p-key', secondaryKey: 'p-key-2', state: 'active', allowTracing: false },
  ];
  await load({
    apis: [apiOf('a', 'a', { subscriptionRequired: true }), apiOf('b', 'b', { subscriptionRequired: true, subscriptionKeyParameterNames: { header: 'X-Key', query: 'key' } }), apiOf('open', 'open')],
    operations: [op('a', 'g', 'GET', '/*'), op('b', 'g', 'GET', '/*'), op('open', 'g', 'GET', '/*')],
    products: [{ name: 'p', displayName: 'P', subscriptionRequired: true, state: 'published', apiNames: ['b'] }],
    subscriptions: subs,
  });
  const missing = await call(`${gw.url}/a/x`);
  assert.equal(missing.status, 401);
  assert.deepEqual(missing.json, { statusCode: 401, message: 'Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API.' });
  const invalid = await call(`${gw.url}/a/x`, { headers: { 'ocp-apim-subscription-key': 'nope' } });
  assert.equal(invalid.status, 401);
  assert.deepEqual(invalid.json, { statusCode: 401, message: 'Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription.' });
  assert.equal((await call(`${gw.url}/a/x`, { headers: { 'ocp-apim-subscription-key': 'all-key-2' } })).status, 200);
  assert.equal((await call(`${gw.url}/a/x?subscription-key=a-key`)).status, 200);
  assert.equal((await call(`${gw.url}/a/x`, { headers: { 'ocp-apim-subscription-key': 'off-key' } })).status, 401, 'a suspended subscription');
  assert.equal((await call(`${gw.url}/b/x`, { headers: { 'ocp-apim-subscription-key': 'a-key' } })).status, 401, 'custom header name; and a-key is for API a only');
  assert.equal((await call(`${gw.url}/b/x`, { headers: { 'x-key': 'p-key' } })).status, 200, 'product key with the API custom header');
  assert.equal((await call(`${gw.url}/b/x?key=all-key`)).status, 200);
  assert.equal((await call(`${gw.url}/a/x`, { headers: { 'ocp-apim-subscription-key': 'p-key' } })).status, 401, 'the product does not contain API a');
  assert.equal((await call(`${gw.url}/open/x`)).status, 200, 'no subscription required');
});

test('protocols: an https-only API is not served over http, and the other way round', async () => {
  await load({
    apis: [apiOf('s', 's', { protocols: ['https'] }), apiOf('h', 'h', { protocols: ['http'] })],
    operations: [op('s', 'g', 'GET', '/*'), op('h', 'g', 'GET', '/*')],
  });
  assert.equal((await call(`${gw.url}/s/x`)).status, 200);
  assert.equal((await call(`http://127.0.0.1:${gw.port}/s/x`)).status, 404);
  assert.equal((await call(`http://127.0.0.1:${gw.port}/h/x`)).status, 200);
  assert.equal((await call(`${gw.url}/h/x`)).status, 404);
});

test('no configuration loaded: every call is APIM 404', async () => {
  const fresh = await startGateway();
  try {
    const r = await call(`${fresh.url}/anything`);
    assert.deepEqual([r.status, r.json], [404, NOT_FOUND]);
  } finally { await fresh.close(); }
});

test('a large request body streams to the backend before the client has finished sending', async () => {
  let received = 0;
  // The backend runs in this process: what it has received when the client writes its last chunk says
  // whether the gateway streamed (part of the body already arrived) or buffered (nothing yet).
  let receivedAtLastChunk = -1;
  const sink = http.createServer((req, res) => {
    req.on('data', (d: Buffer) => { received += d.length; });
    req.on('end', () => { res.writeHead(200, { 'content-type': 'text/plain' }); res.end(String(received)); });
  });
  await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
  try {
    const port = (sink.address() as import('node:net').AddressInfo).port;
    await load({ apis: [{ ...apiOf('up', 'up', { protocols: ['http'] }), serviceUrl: `http://127.0.0.1:${port}` }], operations: [op('up', 'p', 'POST', '/*')] });
    const total = 32 * 1024 * 1024;
    const chunk = Buffer.alloc(1024 * 1024, 7);
    const answer = await new Promise<string>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: gw.port, path: '/up/x', method: 'POST', headers: { 'content-length': total } }, (res) => {
        let s = '';
        res.on('data', (d) => { s += d; });
        res.on('end', () => resolve(s));
      });
      req.on('error', reject);
      let sent = 0;
      const pump = () => {
        while (sent < total) {
          sent += chunk.length;
          if (sent >= total) receivedAtLastChunk = received;
          if (!req.write(chunk)) { req.once('drain', () => setTimeout(pump, 5)); return; }
        }
        req.end();
      };
      pump();
    });
    assert.equal(Number(answer), total);
    assert.ok(receivedAtLastChunk > 0, `the backend had received ${receivedAtLastChunk} bytes when the client wrote its last chunk`);
  } finally {
    await new Promise<void>((r) => { sink.close(() => r()); sink.closeAllConnections(); });
  }
});
