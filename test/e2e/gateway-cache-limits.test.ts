// Caching and limits end to end (issue #14), with the official SDK and real HTTP clients:
// - "Get from cache" / "Store to cache": with --gateway-workers 2, a response cached by one process is a
//   hit in the other (traces say which process answered), and the backend sees one call;
// - the `caches` resource (Cache_CreateOrUpdate): the connection string is kept as a secret and shown as
//   a {{reference}}, as Azure's example answers;
// - "Set usage quota by key": the counters are kept in the store, so a restarted server still refuses;
// - with APIM_LOCAL_TEST_REDIS: an external cache (Redis) shared by two servers: a response and a value
//   stored through one are found through the other.
// The server is started once, restarted once on the same data directory, and (with Redis) a second
// server joins it.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import crypto from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { ApiManagementClient } from '@azure/arm-apimanagement';
import { createApimInstance, instanceRequester } from '../helpers/apim.js';
import { startTestServer, tempDir, type TestServer } from '../helpers/server.js';
import { freshRequest } from '../helpers/gateway.js';

const RG = 'cache-rg';
const SVC = 'cache-apim';
const REDIS = process.env.APIM_LOCAL_TEST_REDIS;

describe('caching and limits through the gateway (--gateway-workers 2)', () => {
  let server: TestServer;
  let apim: ApiManagementClient;
  let gatewayUrl: string;
  let token: string;
  let traceKey: string;
  let backend: http.Server;
  let backendUrl: string;
  let backendCalls = 0;
  const dataDir = tempDir();
  const { raw } = instanceRequester(() => server, RG, SVC, () => token);
  const tail = () => `\n--- server output (tail) ---\n${server.output().slice(-3000)}`;

  /** The instance's API `c` to the counting backend, with this API-level policy. */
  async function setup(s: TestServer): Promise<{ apim: ApiManagementClient; gatewayUrl: string }> {
    const made = await createApimInstance(s, RG, SVC);
    await made.apim.api.beginCreateOrUpdateAndWait(RG, SVC, 'c', {
      displayName: 'Cached', path: 'c', serviceUrl: backendUrl, protocols: ['https'], subscriptionRequired: false,
    });
    await made.apim.apiOperation.createOrUpdate(RG, SVC, 'c', 'get', { displayName: 'get', method: 'GET', urlTemplate: '/*' });
    return { apim: made.apim, gatewayUrl: made.service.gatewayUrl! };
  }
  const setPolicy = (client: ApiManagementClient, inbound: string, outbound = '') => client.apiPolicy.createOrUpdate(RG, SVC, 'c', 'policy', {
    format: 'rawxml', value: `<policies><inbound><base />${inbound}</inbound><backend><base /></backend><outbound><base />${outbound}</outbound><on-error><base /></on-error></policies>`,
  });

  before(async () => {
    backend = http.createServer((req, res) => {
      backendCalls++;
      req.resume();
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ n: backendCalls, url: req.url }));
    });
    await new Promise<void>((r) => backend.listen(0, '127.0.0.1', r));
    backendUrl = `http://127.0.0.1:${(backend.address() as AddressInfo).port}`;
    server = await startTestServer({ dataDir, args: ['--gateway-workers', '2'] });
    ({ apim, gatewayUrl } = await setup(server));
    token = (await server.credential().getToken('https://management.azure.com/.default')).token;
    await apim.subscription.createOrUpdate(RG, SVC, 'tracing', { displayName: 'Tracing', scope: '/apis', state: 'active', allowTracing: true });
    traceKey = (await apim.subscription.listSecrets(RG, SVC, 'tracing')).primaryKey!;
  });
  after(async () => {
    await server?.stop();
    await new Promise((r) => { backend?.close(r); backend?.closeAllConnections(); });
  });

  it('cache-lookup hit served by the other gateway process without reaching the backend (reference: "Get from cache")', async () => {
    await setPolicy(apim, '<cache-lookup vary-by-developer="false" vary-by-developer-groups="false" caching-type="internal" />', '<cache-store duration="300" />');
    const before = backendCalls;
    const workers = new Set<number>();
    const bodies = new Set<string>();
    const traces: string[] = [];
    for (let i = 0; i < 6; i++) {
      // Each call on a connection of its own: connections go to the two processes in turn.
      const r = await freshRequest(`${gatewayUrl}/c/item`, { headers: { 'ocp-apim-subscription-key': traceKey, 'ocp-apim-trace': 'true' } });
      assert.equal(r.status, 200, `${r.text}${tail()}`);
      bodies.add(r.text);
      traces.push(String(r.headers['ocp-apim-trace-location']));
    }
    for (const loc of traces) workers.add((await freshRequest(loc)).json?.gatewayWorker);
    assert.deepEqual([...workers].sort(), [0, 1], 'both processes answered');
    assert.equal(backendCalls - before, 1, 'one backend call: every other answer came from the cache');
    assert.equal(bodies.size, 1, 'every answer is the cached one');
  });

  it('the caches resource keeps its connection string as a secret (reference: Cache_CreateOrUpdate)', async () => {
    const cs = 'cache.example.invalid:6380,password=s3cret-value,ssl=True,abortConnect=False';
    const made = await apim.cache.createOrUpdate(RG, SVC, 'westeurope', { connectionString: cs, useFromLocation: 'westeurope', description: 'Redis in West Europe', resourceId: 'https://management.azure.com/subscriptions/x/resourceGroups/rg/providers/Microsoft.Cache/redis/r1' });
    assert.match(made.connectionString ?? '', /^\{\{[0-9a-f]{24}\}\}$/, 'shown as a {{reference}}, never the value');
    assert.equal(made.useFromLocation, 'westeurope');
    assert.equal(made.description, 'Redis in West Europe');
    const got = await apim.cache.get(RG, SVC, 'westeurope');
    assert.equal(got.connectionString, made.connectionString);
    const nvName = (made.connectionString ?? '').slice(2, -2);
    const nv = await apim.namedValue.get(RG, SVC, nvName);
    assert.equal(nv.secret, true);
    assert.equal(nv.value, undefined, 'a secret named value shows no value');
    assert.equal((await apim.namedValue.listValue(RG, SVC, nvName)).value, cs);
    const listed = await raw('GET', '/caches');
    assert.equal(listed.status, 200);
    assert.ok(!listed.text.includes('s3cret-value'));
    const missing = await raw('PUT', '/caches/default', { properties: { connectionString: 'x:1' } });
    assert.equal(missing.status, 400);
    assert.match(JSON.stringify(missing.body), /useFromLocation/);
    const tooLong = await raw('PUT', '/caches/default', { properties: { connectionString: 'x'.repeat(301), useFromLocation: 'default' } });
    assert.equal(tooLong.status, 400);
    await apim.cache.delete(RG, SVC, 'westeurope', '*');
    await assert.rejects(apim.namedValue.get(RG, SVC, nvName), (e: { statusCode?: number }) => e.statusCode === 404, 'its named value went with it');
  });

  it('quota-by-key counters survive a restart (reference: "Set usage quota by key")', async () => {
    await setPolicy(apim, '<quota-by-key calls="2" renewal-period="0" counter-key="restart-test" />');
    for (let i = 0; i < 2; i++) assert.equal((await freshRequest(`${gatewayUrl}/c/q`)).status, 200);
    await server.stop();
    server = await startTestServer({ dataDir });
    token = (await server.credential().getToken('https://management.azure.com/.default')).token;
    // The management port is new after a restart (the gateway's is kept): a client for the new one.
    apim = new ApiManagementClient(server.credential(), server.connection.subscriptionId, server.armOptions());
    const r = await freshRequest(`${gatewayUrl}/c/q`);
    assert.equal(r.status, 403, `${r.text}${tail()}`);
    assert.deepEqual(r.json, { statusCode: 403, message: 'Out of call volume quota.' });
  });

  it('an external cache (Redis) is shared by two servers: responses and values (reference: "Use an external Azure Cache for Redis")', { skip: REDIS ? false : 'APIM_LOCAL_TEST_REDIS is not set (redis://127.0.0.1:6379 on CI)' }, async () => {
    const url = new URL(REDIS!);
    const connectionString = `${url.hostname}:${url.port || '6379'}${url.password ? `,password=${decodeURIComponent(url.password)}` : ''},abortConnect=False`;
    const other = await startTestServer();
    try {
      const second = await setup(other);
      const run = crypto.randomBytes(6).toString('hex');
      for (const client of [apim, second.apim]) {
        await client.cache.createOrUpdate(RG, SVC, 'default', { connectionString, useFromLocation: 'default' });
        await setPolicy(client,
          `<cache-lookup vary-by-developer="false" vary-by-developer-groups="false" caching-type="external"><vary-by-query-parameter>run</vary-by-query-parameter></cache-lookup>
           <choose><when condition="@(context.Request.Url.Query.ContainsKey(&quot;put&quot;))"><cache-store-value key="@(&quot;v-&quot; + context.Request.Url.Query.GetValueOrDefault(&quot;run&quot;))" value="@(context.Request.Url.Query.GetValueOrDefault(&quot;put&quot;))" duration="300" caching-type="external" /></when></choose>
           <cache-lookup-value key="@(&quot;v-&quot; + context.Request.Url.Query.GetValueOrDefault(&quot;run&quot;))" variable-name="v" default-value="miss" />
           <choose><when condition="@(context.Request.Url.Path.EndsWith(&quot;/value&quot;))"><return-response><set-body>@((string)context.Variables[&quot;v&quot;])</set-body></return-response></when></choose>`,
          '<cache-store duration="300" />');
      }
      const before = backendCalls;
      const a = await freshRequest(`${gatewayUrl}/c/shared?run=${run}`);
      assert.equal(a.status, 200, `${a.text}${tail()}`);
      const b = await freshRequest(`${second.gatewayUrl}/c/shared?run=${run}`);
      assert.equal(b.status, 200, b.text);
      assert.equal(b.text, a.text, 'the second server answered from the shared cache');
      assert.equal(backendCalls - before, 1, 'the backend was called once for both servers');

      assert.equal((await freshRequest(`${gatewayUrl}/c/value?run=${run}&put=from-first`)).text, 'from-first');
      assert.equal((await freshRequest(`${second.gatewayUrl}/c/value?run=${run}x`)).text, 'miss', 'another key: default-value');
      assert.equal((await freshRequest(`${second.gatewayUrl}/c/value?run=${run}`)).text, 'from-first', 'a value stored by the first server');
    } finally {
      await other.stop();
    }
  });
});
