// Caching and limits policies (issue #14), against the pages of Microsoft's policy reference named in
// each test: validation at PUT (validatePolicyDocument), behaviour through a real gateway (one harness for
// the file, a real backend counting what reaches it), and the pure parts (LRU cache, Redis connection
// strings, quota periods, counters kept in the store).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startGateway, startBackend, echoApi, policy, call, INSTANCE_ID, type Harness, type Backend } from './gateway-harness.js';
import { validatePolicyDocument } from '../../src/gateway/policy/validate.js';
import { AzureError } from '../../src/common/errors.js';
import type { ScopeKind } from '../../src/gateway/policy/types.js';
import type { SubscriptionConfig } from '../../src/gateway/config.js';
import { MemoryCache, redisUrl } from '../../src/gateway/runtime/cache.js';
import { MemoryConcurrency, StoreQuotaCounters } from '../../src/gateway/runtime/limits.js';
import { periodOf, timeSpan } from '../../src/gateway/policies/limits.js';
import { deserializeValue, serializeValue } from '../../src/gateway/policies/caching.js';
import { JObject, parseJson } from '../../src/gateway/expressions/dotnet/json.js';
import { openStore } from '../../src/store/db.js';
import { silentLogger } from '../../src/common/log.js';

let gw: Harness;
let be: Backend;
const api = (sections: Parameters<typeof policy>[1]) => policy({ kind: 'api', apiName: 'echo' }, sections);
before(async () => { be = await startBackend(); gw = await startGateway(); });
after(async () => { await gw?.close(); await be?.close(); });

/** Messages of the ValidationError a document gets at PUT, or [] when it is accepted. */
function problems(xml: string, scope: ScopeKind = 'api'): string[] {
  try {
    validatePolicyDocument(xml, scope);
    return [];
  } catch (e) {
    if (!(e instanceof AzureError)) throw e;
    return (e.toEnvelope().error.details ?? []).map((d: { message: string }) => d.message);
  }
}
const doc = (sections: { inbound?: string; outbound?: string; backend?: string }) =>
  `<policies><inbound>${sections.inbound ?? ''}</inbound><backend>${sections.backend ?? '<base />'}</backend><outbound>${sections.outbound ?? ''}</outbound><on-error /></policies>`;
const LOOKUP = '<cache-lookup vary-by-developer="false" vary-by-developer-groups="false" />';
const hits = () => be.requests.length;

test('validation: cache-lookup, cache-store (reference: "Get from cache", "Store to cache")', () => {
  assert.deepEqual(problems(doc({ inbound: LOOKUP, outbound: '<cache-store duration="10" />' })), []);
  assert.deepEqual(problems(doc({ inbound: `<cache-lookup vary-by-developer="@(true)" vary-by-developer-groups="false" downstream-caching-type="@("public")" must-revalidate="@(false)" allow-private-response-caching="@(true)" caching-type="internal"><vary-by-header>Accept</vary-by-header><vary-by-query-parameter>a;b</vary-by-query-parameter></cache-lookup>`, outbound: '<cache-store duration="@(60)" cache-response="@(true)" />' })), []);
  assert.match(problems(doc({ inbound: '<cache-lookup vary-by-developer-groups="false" />' })).join(), /required attribute 'vary-by-developer' is missing/);
  assert.match(problems(doc({ inbound: '<cache-lookup vary-by-developer="false" />' })).join(), /required attribute 'vary-by-developer-groups' is missing/);
  assert.match(problems(doc({ inbound: '<cache-lookup vary-by-developer="false" vary-by-developer-groups="false" ttl="5" />' })).join(), /'ttl' attribute is not declared/);
  assert.match(problems(doc({ inbound: '<cache-lookup vary-by-developer="false" vary-by-developer-groups="false" caching-type="@("internal")" />' })).join(), /Policy expressions are not allowed in the 'caching-type' attribute/);
  assert.match(problems(doc({ inbound: '<cache-lookup vary-by-developer="false" vary-by-developer-groups="false" caching-type="disk" />' })).join(), /invalid value 'disk'/);
  assert.match(problems(doc({ inbound: '<cache-lookup vary-by-developer="false" vary-by-developer-groups="false"><vary-by-body /></cache-lookup>' })).join(), /invalid child element 'vary-by-body'/);
  assert.match(problems(doc({ outbound: LOOKUP })).join(), /not allowed in the 'outbound' section/);
  assert.match(problems(doc({ inbound: LOOKUP + LOOKUP })).join(), /'cache-lookup' policy can only be used once in a policy section/);
  assert.match(problems(doc({ inbound: '<cache-store duration="10" />' })).join(), /not allowed in the 'inbound' section/);
  assert.match(problems(doc({ outbound: '<cache-store />' })).join(), /required attribute 'duration' is missing/);
  assert.match(problems(doc({ outbound: '<cache-store duration="soon" />' })).join(), /an integer is expected/);
  assert.match(problems(doc({ outbound: '<cache-store duration="1" /><cache-store duration="2" />' })).join(), /'cache-store' policy can only be used once/);
  assert.deepEqual(problems(doc({ inbound: LOOKUP, outbound: '<cache-store duration="10" />' }), 'global'), [], 'every scope');
});

test('validation: cache-lookup-value, cache-store-value, cache-remove-value (reference: "Get value from cache", "Store value in cache", "Remove value from cache")', () => {
  const all = '<cache-lookup-value key="@("k")" variable-name="v" default-value="@(1)" caching-type="prefer-external" /><cache-store-value key="k" value="@(context.Request.Url.Path)" duration="@(5)" /><cache-remove-value key="@("k")" caching-type="internal" />';
  assert.deepEqual(problems(doc({ inbound: all, outbound: all, backend: all })), [], 'every section, expressions where allowed');
  assert.match(problems(doc({ inbound: '<cache-lookup-value key="k" />' })).join(), /required attribute 'variable-name' is missing/);
  assert.match(problems(doc({ inbound: '<cache-lookup-value variable-name="v" />' })).join(), /required attribute 'key' is missing/);
  assert.match(problems(doc({ inbound: '<cache-lookup-value key="k" variable-name="@("v")" />' })).join(), /not allowed in the 'variable-name' attribute/);
  assert.match(problems(doc({ inbound: '<cache-store-value key="k" value="v" />' })).join(), /required attribute 'duration' is missing/);
  assert.match(problems(doc({ inbound: '<cache-store-value key="k" duration="5" />' })).join(), /required attribute 'value' is missing/);
  assert.match(problems(doc({ inbound: '<cache-remove-value />' })).join(), /required attribute 'key' is missing/);
  assert.match(problems(doc({ inbound: '<cache-remove-value key="k" caching-type="shared" />' })).join(), /invalid value 'shared'/);
});

test('validation: quota, quota-by-key, limit-concurrency (reference: "Set usage quota by subscription", "Set usage quota by key", "Limit concurrency")', () => {
  assert.deepEqual(problems(doc({ inbound: '<quota calls="10" bandwidth="40" renewal-period="3600"><api name="Echo" calls="5" renewal-period="0"><operation id="get" calls="2" renewal-period="60" /></api></quota>' }), 'product'), []);
  assert.match(problems(doc({ inbound: '<quota calls="10" renewal-period="60" />' }), 'api').join(), /not allowed in the specified scope/, 'product scope only');
  assert.match(problems(doc({ inbound: '<quota renewal-period="60" />' }), 'product').join(), /Either 'calls', 'bandwidth', or both/);
  assert.match(problems(doc({ inbound: '<quota calls="1" />' }), 'product').join(), /required attribute 'renewal-period'/);
  assert.match(problems(doc({ inbound: '<quota calls="@(1)" renewal-period="60" />' }), 'product').join(), /Policy expressions are not allowed in the 'calls'/);
  assert.match(problems(doc({ inbound: '<quota calls="1" renewal-period="60"><api calls="1" renewal-period="60" /></quota>' }), 'product').join(), /Either 'name' or 'id'/);
  assert.match(problems(doc({ inbound: '<quota calls="1" renewal-period="60" /><quota calls="2" renewal-period="60" />' }), 'product').join(), /only be used once/);
  assert.deepEqual(problems(doc({ inbound: '<quota-by-key calls="10" bandwidth="100" renewal-period="300" counter-key="@(context.Request.IpAddress)" increment-condition="@(context.Response.StatusCode == 200)" first-period-start="2024-01-01T00:00:00Z" />' }), 'global'), []);
  assert.match(problems(doc({ inbound: '<quota-by-key calls="10" renewal-period="60" counter-key="k" />' })).join(), /at least 300 seconds/);
  assert.match(problems(doc({ inbound: '<quota-by-key calls="10" renewal-period="300" />' })).join(), /required attribute 'counter-key'/);
  assert.match(problems(doc({ inbound: '<quota-by-key calls="10" renewal-period="0" counter-key="k" first-period-start="yesterday" />' })).join(), /yyyy-MM-ddTHH:mm:ssZ/);
  assert.match(problems(doc({ inbound: '<quota-by-key calls="10" renewal-period="0" counter-key="k" increment-count="2" />' })).join(), /'increment-count' attribute is not declared/);
  assert.match(problems(doc({ outbound: '<quota-by-key calls="10" renewal-period="0" counter-key="k" />' })).join(), /not allowed in the 'outbound' section/);
  assert.deepEqual(problems(doc({ backend: '<limit-concurrency key="@((string)context.Variables["c"])" max-count="3"><forward-request timeout="120" /></limit-concurrency>' })), []);
  assert.match(problems(doc({ inbound: '<limit-concurrency key="k" />' })).join(), /required attribute 'max-count'/);
  assert.match(problems(doc({ inbound: '<limit-concurrency key="k" max-count="@(2)" />' })).join(), /not allowed in the 'max-count'/);
  assert.match(problems(doc({ inbound: '<limit-concurrency key="k" max-count="0" />' })).join(), /positive integer/);
  assert.match(problems(doc({ inbound: '<limit-concurrency key="k" max-count="1"><no-such-policy /></limit-concurrency>' })).join(), /Unknown policy 'no-such-policy'/);
});

test('cache-lookup/cache-store ("Get from cache"): a hit skips the backend; GET only; 200 only; vary-by query and header', async () => {
  await gw.load({
    ...echoApi(be.url),
    policies: [api({
      inbound: `<base /><cache-lookup vary-by-developer="false" vary-by-developer-groups="false" downstream-caching-type="public" caching-type="internal"><vary-by-header>Accept</vary-by-header><vary-by-query-parameter>v</vary-by-query-parameter></cache-lookup>`,
      outbound: `<base /><set-header name="x-before" exists-action="override"><value>@(context.RequestId.ToString())</value></set-header><cache-store duration="60" /><set-header name="x-after" exists-action="override"><value>@(context.RequestId.ToString())</value></set-header>`,
    })],
  });
  const n0 = hits();
  const first = await call(`${gw.url}/echo/a?v=1&other=x`);
  assert.equal(first.status, 200);
  assert.equal(first.headers.get('cache-control'), 'public, max-age=60, must-revalidate', 'downstream-caching-type public, must-revalidate by default');
  const second = await call(`${gw.url}/echo/a?v=1&other=y`);
  assert.equal(hits(), n0 + 1, 'the hit never reached the backend; parameters not listed do not vary');
  assert.equal(second.text, first.text);
  assert.equal(second.headers.get('x-backend'), 'yes', 'the backend headers come from the cache');
  assert.equal(second.headers.get('x-before'), first.headers.get('x-before'), 'outbound before cache-store did not run again (its header is the cached one)');
  assert.notEqual(second.headers.get('x-after'), first.headers.get('x-after'), 'outbound after cache-store runs on a hit');
  assert.match(String(second.headers.get('cache-control')), /^public, max-age=(59|60), must-revalidate$/);
  await call(`${gw.url}/echo/a?v=2`);
  assert.equal(hits(), n0 + 2, 'a listed query parameter varies');
  await call(`${gw.url}/echo/a?v=1`, { headers: { accept: 'text/plain' } });
  assert.equal(hits(), n0 + 3, 'vary-by-header Accept');
  await call(`${gw.url}/echo/a?v=1`, { method: 'POST', body: 'x' });
  await call(`${gw.url}/echo/a?v=1`, { method: 'POST', body: 'x' });
  assert.equal(hits(), n0 + 5, 'POST is never cached');
  await call(`${gw.url}/echo/status/404`);
  const again404 = await call(`${gw.url}/echo/status/404`);
  assert.equal(again404.status, 404);
  assert.equal(hits(), n0 + 7, 'only 200 OK is stored without cache-response');
  await call(`${gw.url}/echo/a?v=1`, { headers: { authorization: 'Bearer x' } });
  await call(`${gw.url}/echo/a?v=1`, { headers: { authorization: 'Bearer x' } });
  assert.equal(hits(), n0 + 9, 'a request with Authorization is not cached (allow-private-response-caching false)');
});

test('cache-lookup ("Get from cache"): allow-private-response-caching, cache-response, vary-by-developer, caching-type external without a cache', async () => {
  const subs: SubscriptionConfig[] = [
    { name: 's1', scope: '/apis', primaryKey: 'k1', secondaryKey: 'k1b', state: 'active', allowTracing: false, ownerId: '/users/alice' },
    { name: 's2', scope: '/apis', primaryKey: 'k2', secondaryKey: 'k2b', state: 'active', allowTracing: false, ownerId: '/users/bob' },
  ];
  await gw.load({
    ...echoApi(be.url, { subscriptions: subs }),
    policies: [api({
      inbound: `<base /><cache-lookup vary-by-developer="true" vary-by-developer-groups="false" allow-private-response-caching="true"><vary-by-header>Authorization</vary-by-header></cache-lookup>`,
      outbound: `<base /><cache-store duration="60" cache-response="true" />`,
    })],
  });
  const n0 = hits();
  const as = (key: string, p = '/echo/p') => call(`${gw.url}${p}`, { headers: { 'ocp-apim-subscription-key': key, authorization: 'Bearer t' } });
  await as('k1');
  await as('k1b');
  assert.equal(hits(), n0 + 1, 'both keys of alice\'s subscription share her entries (private caching allowed)');
  await as('k2');
  assert.equal(hits(), n0 + 2, 'bob has entries of his own');
  await as('k1', '/echo/status/503');
  const cached503 = await as('k1', '/echo/status/503');
  assert.equal(cached503.status, 503);
  assert.equal(hits(), n0 + 3, 'cache-response="true" stores a non-200 answer');

  await gw.load({ ...echoApi(be.url), policies: [api({ inbound: `<base /><cache-lookup vary-by-developer="false" vary-by-developer-groups="false" caching-type="external" />` })] });
  const r = await call(`${gw.url}/echo/x`);
  assert.equal(r.status, 500, 'caching-type external with no external cache configured is the policy\'s error');
});

test('cache-lookup-value / cache-store-value / cache-remove-value ("Get value from cache", ...): values keep their type; default-value; remove', async () => {
  await gw.load({
    ...echoApi(be.url),
    policies: [api({
      inbound: `<base />
        <choose>
          <when condition="@(context.Request.Url.Query.ContainsKey(&quot;put&quot;))">
            <cache-store-value key="@(&quot;k-&quot; + context.Request.Url.Query.GetValueOrDefault(&quot;put&quot;))" value="@(new JObject(new JProperty(&quot;n&quot;, 42)))" duration="60" />
            <cache-store-value key="count" value="@(7)" duration="60" caching-type="internal" />
          </when>
          <when condition="@(context.Request.Url.Query.ContainsKey(&quot;del&quot;))">
            <cache-remove-value key="@(&quot;k-&quot; + context.Request.Url.Query.GetValueOrDefault(&quot;del&quot;))" />
          </when>
        </choose>
        <cache-lookup-value key="@(&quot;k-&quot; + context.Request.Url.Query.GetValueOrDefault(&quot;get&quot;, &quot;&quot;))" variable-name="obj" default-value="none" />
        <cache-lookup-value key="count" variable-name="count" />
        <cache-lookup-value key="never-stored" variable-name="nothing" />
        <return-response><set-status code="200" reason="OK" /><set-body>@{
          var o = context.Variables["obj"];
          var n = context.Variables["count"];
          return "obj:" + o.ToString() + "|count:" + (n == null ? "null" : ((int)n + 1).ToString()) + "|nothing:" + (context.Variables["nothing"] == null);
        }</set-body></return-response>`,
      onError: '<return-response><set-status code="500" reason="E" /><set-body>@(context.LastError.Message)</set-body></return-response>',
    })],
  });
  assert.deepEqual(gw.gateway.problems(INSTANCE_ID), []);
  assert.equal((await call(`${gw.url}/echo/x?get=a`)).text, 'obj:none|count:null|nothing:True', 'a miss: default-value, or null');
  await call(`${gw.url}/echo/x?put=a`);
  assert.match((await call(`${gw.url}/echo/x?get=a`)).text, /^obj:\{\s+"n": 42\s+\}\|count:8\|nothing:True$/, 'a JObject and an int come back as such');
  await call(`${gw.url}/echo/x?del=a`);
  assert.equal((await call(`${gw.url}/echo/x?get=a`)).text, 'obj:none|count:8|nothing:True', 'removed');
});

test('quota-by-key ("Set usage quota by key"): calls, increment-condition on the response, bandwidth; 403 with Retry-After', async () => {
  await gw.load({
    ...echoApi(be.url),
    policies: [api({ inbound: `<base />
      <choose><when condition="@(context.Request.Headers.GetValueOrDefault(&quot;x-bw&quot;, &quot;&quot;) == &quot;&quot;)">
        <quota-by-key calls="2" renewal-period="3600" counter-key="@(&quot;calls-&quot; + context.Request.Headers.GetValueOrDefault(&quot;x-k&quot;, &quot;&quot;))" increment-condition="@(context.Response.StatusCode == 200)" />
      </when><otherwise>
        <quota-by-key bandwidth="1" renewal-period="0" counter-key="@(&quot;bw-&quot; + context.Request.Headers.GetValueOrDefault(&quot;x-bw&quot;, &quot;&quot;))" />
      </otherwise></choose>` })],
  });
  const as = (k: string, p = '/echo/x') => call(`${gw.url}${p}`, { headers: { 'x-k': k } });
  assert.equal((await as('a', '/echo/status/500')).status, 500);
  assert.equal((await as('a')).status, 200);
  assert.equal((await as('a')).status, 200, 'the 500 did not count (increment-condition)');
  const over = await as('a');
  assert.equal(over.status, 403);
  assert.match(over.json.message, /^Out of call volume quota\. Quota will be replenished in \d\d:\d\d:\d\d\.$/);
  assert.equal(over.json.statusCode, 403);
  const retry = Number(over.headers.get('retry-after'));
  assert.ok(retry >= 1 && retry <= 3600, String(retry));
  assert.equal((await as('b')).status, 200, 'another key has its own counter');

  const bw = (k: string, body?: string) => call(`${gw.url}/echo/x`, { method: body ? 'POST' : 'GET', headers: { 'x-bw': k }, body });
  assert.equal((await bw('c', 'x'.repeat(2048))).status, 200);
  const outOfBw = await bw('c');
  assert.equal(outOfBw.status, 403);
  assert.equal(outOfBw.json.message, 'Out of bandwidth quota.', 'renewal-period 0: an endless period, nothing to wait for');
  assert.equal(outOfBw.headers.get('retry-after'), null);
});

test('quota ("Set usage quota by subscription"): per subscription, with <api> and <operation> quotas; calls without a key are not counted', async () => {
  const subs: SubscriptionConfig[] = [
    { name: 'q1', scope: '/products/gold', primaryKey: 'qk1', secondaryKey: 'qk1b', state: 'active', allowTracing: false },
    { name: 'q2', scope: '/products/gold', primaryKey: 'qk2', secondaryKey: 'qk2b', state: 'active', allowTracing: false },
  ];
  await gw.load({
    ...echoApi(be.url, { subscriptions: subs, products: [{ name: 'gold', displayName: 'Gold', subscriptionRequired: true, state: 'published', apiNames: ['echo'] }] }),
    policies: [policy({ kind: 'product', productName: 'gold' }, { inbound: `<base /><quota calls="3" renewal-period="0"><api name="Echo" calls="10" renewal-period="0"><operation id="post" calls="1" renewal-period="0" /></api></quota>` })],
  });
  const as = (key: string, method = 'GET') => call(`${gw.url}/echo/x`, { method, headers: { 'ocp-apim-subscription-key': key }, body: method === 'POST' ? 'b' : undefined });
  assert.equal((await as('qk1', 'POST')).status, 200);
  const opOver = await as('qk1', 'POST');
  assert.equal(opOver.status, 403, 'the operation quota (1) is spent');
  assert.equal(opOver.json.message, 'Out of call volume quota.');
  assert.equal((await as('qk1')).status, 200);
  assert.equal((await as('qk1b')).status, 200, 'both keys count on the subscription');
  assert.equal((await as('qk1')).status, 403, 'the product quota (3) is spent');
  assert.equal((await as('qk2')).status, 200, 'another subscription has its own');
});

test('limit-concurrency ("Limit concurrency"): one at a time around forward-request; the other gets 429; the slot is given back', async () => {
  await gw.load({ ...echoApi(be.url), policies: [api({ backend: `<limit-concurrency key="@(&quot;backend&quot;)" max-count="1"><forward-request timeout="10" /></limit-concurrency>` })] });
  const [a, b] = await Promise.all([call(`${gw.url}/echo/slow/400`), new Promise((r) => setTimeout(r, 100)).then(() => call(`${gw.url}/echo/x`))]);
  assert.equal(a.status, 200);
  assert.equal(b.status, 429);
  assert.equal(b.json.statusCode, 429);
  assert.equal((await call(`${gw.url}/echo/x`)).status, 200, 'released after the enclosed policies ran');
});

test('rate-limit-by-key headers and variables ("Limit call rate by key"): remaining/total calls, retry-after header and variable names', async () => {
  await gw.load({
    ...echoApi(be.url),
    policies: [api({
      inbound: `<base /><rate-limit-by-key calls="2" renewal-period="60" counter-key="hdrs" remaining-calls-header-name="x-left" total-calls-header-name="x-total" retry-after-header-name="x-retry" retry-after-variable-name="retry" remaining-calls-variable-name="left" />`,
      outbound: `<base /><set-header name="x-left-var" exists-action="override"><value>@(context.Variables["left"].ToString())</value></set-header>`,
      onError: `<base /><set-header name="x-retry-var" exists-action="override"><value>@(context.Variables.GetValueOrDefault&lt;int&gt;("retry", -1).ToString())</value></set-header>`,
    })],
  });
  const first = await call(`${gw.url}/echo/x`);
  assert.equal(first.headers.get('x-left'), '1');
  assert.equal(first.headers.get('x-total'), '2');
  assert.equal(first.headers.get('x-left-var'), '1');
  await call(`${gw.url}/echo/x`);
  const over = await call(`${gw.url}/echo/x`);
  assert.equal(over.status, 429);
  assert.ok(Number(over.headers.get('x-retry')) >= 1, 'retry-after-header-name');
  assert.equal(over.headers.get('retry-after'), null);
  assert.equal(over.headers.get('x-retry-var'), over.headers.get('x-retry'), 'retry-after-variable-name');
  assert.equal(over.headers.get('x-left'), '0');
});

test('built-in cache: least recently used goes first when memory is full; entries expire', () => {
  let now = 0;
  const c = new MemoryCache(4000, () => now);
  c.set('a', 'x'.repeat(200), 1000);
  c.set('b', 'x'.repeat(200), 1000);
  c.get('a');
  for (let i = 0; i < 7; i++) c.set(`c${i}`, 'x'.repeat(200), 1000);
  assert.ok(c.size.bytes <= 4000 && c.size.entries === 8, JSON.stringify(c.size));
  assert.equal(c.get('b'), undefined, 'the least recently used entry was evicted');
  assert.ok(c.get('a') !== undefined, 'a recently used entry was kept');
  now = 1000;
  assert.equal(c.get('a'), undefined, 'expired');
  c.set('big', 'x'.repeat(1000), 1000);
  assert.equal(c.get('big'), undefined, 'an entry larger than an eighth of the cache is not kept');
});

test('cached values keep their .NET type; Redis connection strings in StackExchange form', () => {
  const o = parseJson('{"a":[1,2]}') as JObject;
  assert.ok(deserializeValue(serializeValue(o)) instanceof JObject);
  assert.equal((deserializeValue(serializeValue(o)) as JObject).toJson(false), '{"a":[1,2]}');
  assert.equal(deserializeValue(serializeValue('s')), 's');
  assert.equal(deserializeValue(serializeValue(5)), 5);
  assert.equal(deserializeValue(serializeValue(5n)), 5n);
  assert.equal(deserializeValue(serializeValue(true)), true);
  assert.equal(deserializeValue(serializeValue(null)), null);
  assert.equal(redisUrl('apim.redis.cache.windows.net:6380,password=p/w=,ssl=True,abortConnect=False'), 'rediss://:p%2Fw%3D@apim.redis.cache.windows.net:6380');
  assert.equal(redisUrl('127.0.0.1:6379'), 'redis://127.0.0.1:6379');
  assert.equal(redisUrl('localhost,defaultDatabase=2'), 'redis://localhost:6379/2');
  assert.equal(redisUrl('redis://127.0.0.1:6379'), 'redis://127.0.0.1:6379');
  assert.throws(() => redisUrl('password=x'), /no Redis endpoint/);
});

test('quota periods and messages: fixed windows from the start; TimeSpan text', () => {
  assert.deepEqual(periodOf(1000, 300, 1000 + 299_000), { start: 1000, end: 301_000 });
  assert.deepEqual(periodOf(1000, 300, 1000 + 300_000), { start: 301_000, end: 601_000 });
  assert.deepEqual(periodOf(1000, 0, 9e12), { start: 1000, end: Infinity });
  assert.equal(timeSpan(53_000), '00:00:53');
  assert.equal(timeSpan(90_061_000), '1.01:01:01');
});

test('quota counters are kept in the store (a new process reads them); a new period starts from zero', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'apim-quota-'));
  const file = path.join(dir, 'q.db');
  let store = await openStore({ kind: 'sqlite', file });
  let q = new StoreQuotaCounters(store.db, silentLogger, 60_000);
  await q.add('first', -62135596800000, 1, 0);
  assert.deepEqual(await q.usage('first', -62135596800000), { calls: 1, bytes: 0 }, 'a period that starts before 1970 (0001-01-01, the default)');
  await q.add('k', 1000, 1, 100);
  await q.add('k', 1000, 2, 50);
  await q.close();
  await store.close();
  store = await openStore({ kind: 'sqlite', file });
  q = new StoreQuotaCounters(store.db, silentLogger, 60_000);
  assert.deepEqual(await q.usage('k', 1000), { calls: 3, bytes: 150 });
  assert.deepEqual(await q.usage('k', 2000), { calls: 0, bytes: 0 }, 'a later period');
  await q.add('k', 2000, 1, 1);
  assert.deepEqual(await q.usage('k', 2000), { calls: 1, bytes: 1 });
  await q.close();
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
  const slots = new MemoryConcurrency();
  assert.equal(slots.acquire('x', 1), true);
  assert.equal(slots.acquire('x', 1), false);
  slots.release('x');
  assert.equal(slots.acquire('x', 1), true);
});
