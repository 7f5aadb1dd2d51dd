// Flow policies through the real server, configured with Resource Manager as a user would (official SDK
// and raw PUTs), called through the gateway: each test names the Microsoft Learn policy reference page
// whose documented behaviour it checks. retry ("retry"), wait ("wait"), include-fragment with policy
// fragments ("include-fragment", "Reuse policy configurations"), proxy ("Set HTTP proxy"),
// send-one-way-request ("Send one way request"), send-request ("Send request") and cors ("CORS").
// One server, one backend, one forward proxy for the whole file.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ApiManagementClient } from '@azure/arm-apimanagement';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { createApimInstance, instanceRequester } from '../helpers/apim.js';

const RG = 'flow-rg';
const SVC = 'flow-apim';
const API = 'flow';
let server: TestServer;
let apim: ApiManagementClient;
let token: string;
let gatewayUrl: string;
const { raw } = instanceRequester(() => server, RG, SVC, () => token);

// ---- the backend: echo, a flaky path, a slow path; and what reached it ----

interface Seen { method: string; url: string; headers: http.IncomingHttpHeaders; body: string }
const seen: Seen[] = [];
/** Calls per flaky id. */
const flaky = new Map<string, number>();
/** Waiters for a request whose URL contains a marker (send-one-way-request arrives after the call). */
const waiters: { marker: string; resolve: (s: Seen) => void }[] = [];
let backend: http.Server;
let backendUrl: string;

function backendHandler(req: http.IncomingMessage, res: http.ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const s: Seen = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString() };
    seen.push(s);
    for (let i = waiters.length - 1; i >= 0; i--) if (s.url.includes(waiters[i].marker)) waiters.splice(i, 1)[0].resolve(s);
    const answer = (status: number) => { res.writeHead(status, { 'content-type': 'application/json' }); res.end(JSON.stringify(s)); };
    // /flaky/{n}/{id}: 503 for the first n calls of id, then 200.
    const f = /\/flaky\/(\d+)\/([\w-]+)/.exec(s.url);
    if (f) { const k = (flaky.get(f[2]) ?? 0) + 1; flaky.set(f[2], k); answer(k <= Number(f[1]) ? 503 : 200); return; }
    // /slowfirst/{n}/{id}: the first n calls of id answer after 1.5 s, then at once.
    const sf = /\/slowfirst\/(\d+)\/([\w-]+)/.exec(s.url);
    if (sf) { const k = (flaky.get(sf[2]) ?? 0) + 1; flaky.set(sf[2], k); setTimeout(() => answer(200), k <= Number(sf[1]) ? 1500 : 0); return; }
    const slow = /\/slow\/(\d+)/.exec(s.url);
    if (slow) { setTimeout(() => answer(200), Number(slow[1])); return; }
    answer(200);
  });
}

const arrival = (marker: string) => new Promise<Seen>((resolve) => {
  const hit = seen.find((s) => s.url.includes(marker));
  if (hit) resolve(hit); else waiters.push({ marker, resolve });
});
const seenWith = (marker: string) => seen.filter((s) => s.url.includes(marker));

// ---- a forward HTTP proxy (absolute-form requests), recording what it relayed ----

let proxyServer: http.Server;
let proxyUrl: string;
const relayed: { url: string; auth: string | undefined }[] = [];

function proxyHandler(req: http.IncomingMessage, res: http.ServerResponse): void {
  relayed.push({ url: req.url ?? '', auth: req.headers['proxy-authorization'] });
  if (req.headers['proxy-authorization'] !== `Basic ${Buffer.from('proxy-user:proxy-pass').toString('base64')}`) {
    req.resume();
    res.writeHead(407, { 'proxy-authenticate': 'Basic realm="test"' });
    res.end();
    return;
  }
  const target = new URL(req.url ?? '');
  const headers = { ...req.headers };
  delete headers['proxy-authorization'];
  delete headers['proxy-connection'];
  const out = http.request({ host: target.hostname, port: target.port, path: target.pathname + target.search, method: req.method, headers: { ...headers, via: '1.1 test-proxy' } }, (r) => {
    res.writeHead(r.statusCode ?? 502, r.headers);
    r.pipe(res);
  });
  out.on('error', () => { res.writeHead(502); res.end(); });
  req.pipe(out);
}

before(async () => {
  server = await startTestServer();
  backend = http.createServer(backendHandler);
  proxyServer = http.createServer(proxyHandler);
  await Promise.all([new Promise<void>((r) => backend.listen(0, '127.0.0.1', r)), new Promise<void>((r) => proxyServer.listen(0, '127.0.0.1', r))]);
  backendUrl = `http://127.0.0.1:${(backend.address() as AddressInfo).port}`;
  proxyUrl = `http://127.0.0.1:${(proxyServer.address() as AddressInfo).port}`;
  const made = await createApimInstance(server, RG, SVC);
  apim = made.apim;
  gatewayUrl = made.service.gatewayUrl!;
  token = (await server.credential().getToken('https://management.azure.com/.default')).token;
  await apim.api.beginCreateOrUpdateAndWait(RG, SVC, API, { displayName: 'Flow', path: API, serviceUrl: backendUrl, protocols: ['https'], subscriptionRequired: false });
});

after(async () => {
  await server?.stop();
  for (const s of [backend, proxyServer]) await new Promise<void>((r) => { if (!s) return r(); s.close(() => r()); s.closeAllConnections(); });
});

let opCount = 0;
/** A new operation of the API (its own policy scope) at `/{id}/*`; returns its id and gateway URL. */
async function operation(method = 'GET', api = API): Promise<{ id: string; url: string }> {
  const id = `op${++opCount}`;
  await apim.apiOperation.createOrUpdate(RG, SVC, api, id, { displayName: id, method, urlTemplate: `/${id}/*` });
  return { id, url: `${gatewayUrl}/${api}/${id}` };
}

const doc = (s: { inbound?: string; backend?: string; outbound?: string; onError?: string }) => `<policies>
  <inbound><base />${s.inbound ?? ''}</inbound>
  <backend>${s.backend ?? '<base />'}</backend>
  <outbound><base />${s.outbound ?? ''}</outbound>
  <on-error><base />${s.onError ?? ''}</on-error>
</policies>`;

const putOpPolicy = (op: string, value: string, api = API) => raw('PUT', `/apis/${api}/operations/${op}/policies/policy`, { properties: { format: 'rawxml', value } });
const describe = (r: { status: number; body: any }) => `${r.status} ${JSON.stringify(r.body?.error ?? r.body).slice(0, 1200)}`;

/** A new operation with this policy (accepted); returns its gateway URL. */
async function deployed(method: string, value: string): Promise<string> {
  const op = await operation(method);
  const r = await putOpPolicy(op.id, value);
  assert.ok(r.status === 200 || r.status === 201, describe(r));
  return op.url;
}

const json = async (r: Response) => JSON.parse(await r.text()) as Seen;

// ---- retry ----

test('retry (Microsoft Learn "retry"): forward-request retried while the backend answers 503, the buffered body sent each time', async () => {
  const url = await deployed('POST', doc({ backend: `<retry condition="@(context.Response.StatusCode == 503)" count="3" interval="0" first-fast-retry="true"><forward-request /></retry>` }));
  const r = await fetch(`${url}/flaky/2/a`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'the payload' });
  assert.equal(r.status, 200, 'the third attempt succeeds');
  const last = await json(r);
  const attempts = seenWith('/flaky/2/a');
  assert.equal(attempts.length, 3, 'executed once, then retried until the condition was false');
  for (const a of attempts) assert.equal(a.body, 'the payload', 'every attempt re-sends the request body');
  assert.equal(String(last.headers['x-forwarded-for']).split(',').length, 1, 'X-Forwarded-For is added once, not once per attempt');

  // count exhausted: the last 503 is the answer, after 1 + count attempts.
  const exhausted = await fetch(`${url}/flaky/9/b`, { method: 'POST', body: 'x' });
  assert.equal(exhausted.status, 503);
  assert.equal(seenWith('/flaky/9/b').length, 4);
  // condition false at once: a single call.
  assert.equal((await fetch(`${url}/flaky/0/c`, { method: 'POST', body: 'x' })).status, 200);
  assert.equal(seenWith('/flaky/0/c').length, 1);
});

test('retry (Microsoft Learn "retry"): a failed attempt (timeout, unreachable backend) is retried while the condition holds on its 500; else on-error gets it', async () => {
  const url = await deployed('GET', doc({
    backend: `<retry condition="@(context.Response.StatusCode == 500)" count="2" interval="0"><forward-request timeout="1" /></retry>`,
    onError: '<return-response><set-status code="502" /><set-body>@(context.LastError.Source + &quot;|&quot; + context.LastError.Reason)</set-body></return-response>',
  }));
  const r = await fetch(`${url}/slowfirst/1/t`);
  assert.equal(r.status, 200, 'the timed-out first attempt was retried');
  assert.equal(seenWith('/slowfirst/1/t').length, 2);
  const down = await deployed('GET', doc({
    inbound: '<set-backend-service base-url="http://127.0.0.1:1" />',
    backend: `<retry condition="@(context.Response.StatusCode == 500 &amp;&amp; context.LastError.Reason == &quot;BackendConnectionFailure&quot;)" count="2" interval="0"><forward-request /></retry>`,
    onError: '<return-response><set-status code="502" /><set-body>@(context.LastError.Source + &quot;|&quot; + context.LastError.Reason)</set-body></return-response>',
  }));
  const d = await fetch(`${down}/x`);
  assert.equal(d.status, 502);
  assert.equal(await d.text(), 'forward-request|BackendConnectionFailure', 'after the last attempt the error reaches on-error');
});

test('retry (Microsoft Learn "retry"): children run once before the condition is evaluated, then until it is false; count and interval from expressions', async () => {
  const url = await deployed('GET', doc({
    inbound: `<set-variable name="n" value="@(0)" />
      <retry condition="@((int)context.Variables[&quot;n&quot;] &lt; 3)" count="@(2 + 3)" interval="@(0)">
        <set-variable name="n" value="@((int)context.Variables[&quot;n&quot;] + 1)" />
      </retry>
      <return-response><set-status code="200" /><set-body>@(context.Variables[&quot;n&quot;].ToString())</set-body></return-response>`,
  }));
  const r = await fetch(`${url}/x`);
  assert.equal(r.status, 200);
  assert.equal(await r.text(), '3');
});

test('retry (Microsoft Learn "retry"): refused at PUT: a count outside 1..50, a wait inside, a missing required attribute, an unknown one', async () => {
  const op = await operation();
  const cases: [string, RegExp][] = [
    ['<retry condition="true" count="51" interval="0"><forward-request /></retry>', /'count' attribute has an invalid value '51'/],
    ['<retry condition="true" count="1" interval="0"><wait><send-request response-variable-name="a"><set-url>http://x.example</set-url></send-request></wait></retry>', /'wait' policy cannot be used inside 'retry'/],
    ['<retry condition="true" count="1"><forward-request /></retry>', /required attribute 'interval' is missing/],
    ['<retry condition="true" count="1" interval="0" backoff="2"><forward-request /></retry>', /'backoff' attribute is not declared/],
  ];
  for (const [backendSection, want] of cases) {
    const r = await putOpPolicy(op.id, doc({ backend: backendSection }));
    assert.equal(r.status, 400, describe(r));
    assert.equal(r.body.error.code, 'ValidationError');
    assert.match(r.body.error.details[0].message, /^Error in element '(retry|wait)' on line \d+, column \d+: /);
    assert.match(r.body.error.details[0].message, want);
  }
});

// ---- wait ----

test('wait (Microsoft Learn "wait"): for="all" waits for every send-request; for="any" completes with the first', async () => {
  const sends = (a: string, b: string) => `<send-request mode="new" response-variable-name="a"><set-url>${backendUrl}/${a}</set-url><set-method>GET</set-method></send-request>
      <send-request mode="new" response-variable-name="b"><set-url>${backendUrl}/${b}</set-url><set-method>GET</set-method></send-request>`;
  const report = `<return-response><set-status code="200" /><set-body>@(context.Variables.ContainsKey(&quot;a&quot;) + &quot;,&quot; + context.Variables.ContainsKey(&quot;b&quot;))</set-body></return-response>`;
  const all = await deployed('GET', doc({ inbound: `<wait for="all">${sends('slow/300/w-all-a', 'slow/50/w-all-b')}</wait>${report}` }));
  assert.equal(await (await fetch(`${all}/x`)).text(), 'True,True');
  const any = await deployed('GET', doc({ inbound: `<wait for="any">${sends('slow/600/w-any-a', 'slow/0/w-any-b')}</wait>
    <send-request mode="new" response-variable-name="later"><set-url>${backendUrl}/slow/900/w-any-later</set-url><set-method>GET</set-method></send-request>${report}` }));
  assert.equal(await (await fetch(`${any}/x`)).text(), 'False,True', 'the fast one completed the wait; the slow one was terminated and never set its variable');
  // Side by side: both calls were made (the slow one is still under way or done).
  await arrival('w-any-a');
});

test('wait (Microsoft Learn "wait"): only send-request, cache-lookup-value and choose inside; not in on-error', async () => {
  const op = await operation();
  const inside = await putOpPolicy(op.id, doc({ inbound: '<wait><set-header name="x" exists-action="override"><value>v</value></set-header></wait>' }));
  assert.equal(inside.status, 400, describe(inside));
  assert.match(inside.body.error.details[0].message, /'wait' policy can contain only 'send-request', 'cache-lookup-value' and 'choose'/);
  const section = await putOpPolicy(op.id, doc({ onError: '<wait for="all"><choose><when condition="true"><set-variable name="x" value="1" /></when></choose></wait>' }));
  assert.equal(section.status, 400, describe(section));
  assert.match(section.body.error.details[0].message, /not allowed in the 'on-error' section/);
  const badFor = await putOpPolicy(op.id, doc({ inbound: '<wait for="some"><choose><when condition="true"><set-variable name="x" value="1" /></when></choose></wait>' }));
  assert.equal(badFor.status, 400, describe(badFor));
  assert.match(badFor.body.error.details[0].message, /'for' attribute has an invalid value 'some'/);
});

// ---- include-fragment and policy fragments ----

test('include-fragment (Microsoft Learn "include-fragment", "Reuse policy configurations"): inserted as is; an edit reaches the policy; in use, it cannot be deleted', async () => {
  const frag = (v: string) => ({ properties: { format: 'rawxml', value: `<fragment><set-header name="x-frag" exists-action="override"><value>${v}</value></set-header></fragment>` } });
  assert.ok([200, 201].includes((await raw('PUT', '/policyFragments/stamp', frag('one'))).status));
  const url = await deployed('GET', doc({ inbound: '<include-fragment fragment-id="stamp" />' }));
  assert.equal((await json(await fetch(`${url}/x`))).headers['x-frag'], 'one');

  const edit = await raw('PUT', '/policyFragments/stamp', frag('two'));
  assert.equal(edit.status, 200, describe(edit));
  assert.equal((await json(await fetch(`${url}/x`))).headers['x-frag'], 'two', 'the edit reached the including policy');

  const del = await raw('DELETE', '/policyFragments/stamp', undefined, { 'if-match': '*' });
  assert.equal(del.status, 409, describe(del));
  assert.match(del.body.error.message, /cannot be deleted because it is referenced by 1 policy/);
  const refs = await raw('POST', '/policyFragments/stamp/listReferences');
  assert.equal(refs.status, 200);
  assert.equal(refs.body.count, 1);

  // An edit that would not fit where it is included (forward-request in inbound) is refused.
  const misfit = await raw('PUT', '/policyFragments/stamp', { properties: { format: 'rawxml', value: '<fragment><forward-request /></fragment>' } });
  assert.equal(misfit.status, 400, describe(misfit));
  assert.match(misfit.body.error.details[0].message, /not allowed in the 'inbound' section/);
  assert.equal((await json(await fetch(`${url}/x`))).headers['x-frag'], 'two', 'the refused edit changed nothing');
});

test('include-fragment (Microsoft Learn "include-fragment"): a missing fragment, a nested include and expressions in fragment-id are refused at PUT', async () => {
  const op = await operation();
  const missing = await putOpPolicy(op.id, doc({ inbound: '\n<include-fragment fragment-id="nowhere" />' }));
  assert.equal(missing.status, 400, describe(missing));
  assert.match(missing.body.error.details[0].message, /^Error in element 'include-fragment' on line 3, column 1: Policy fragment 'nowhere' was not found\.$/);
  const required = await putOpPolicy(op.id, doc({ inbound: '<include-fragment />' }));
  assert.match(required.body.error.details[0].message, /required attribute 'fragment-id' is missing/);
  const expr = await putOpPolicy(op.id, doc({ inbound: '<include-fragment fragment-id="@(&quot;x&quot;)" />' }));
  assert.match(expr.body.error.details[0].message, /Policy expressions are not allowed in the 'fragment-id' attribute/);
  // "Currently, a policy fragment can't nest another policy fragment."
  const nested = await raw('PUT', '/policyFragments/nested', { properties: { format: 'rawxml', value: '<fragment><include-fragment fragment-id="stamp" /></fragment>' } });
  assert.equal(nested.status, 400, describe(nested));
  assert.match(nested.body.error.details[0].message, /can't include another policy fragment/);
});

// ---- proxy ----

test('proxy (Microsoft Learn "Set HTTP proxy"): the backend call and a send-request go through the HTTP proxy with Basic credentials', async () => {
  const url = await deployed('GET', doc({
    inbound: `<proxy url="${proxyUrl}" username="proxy-user" password="proxy-pass" />
      <send-request mode="new" response-variable-name="side"><set-url>${backendUrl}/side-via-proxy</set-url><set-method>GET</set-method>
        <proxy url="${proxyUrl}" username="proxy-user" password="proxy-pass" /></send-request>
      <set-header name="x-side-via" exists-action="override"><value>@(((IResponse)context.Variables[&quot;side&quot;]).Body.As&lt;JObject&gt;()[&quot;headers&quot;][&quot;via&quot;].ToString())</value></set-header>`,
  }));
  const before = relayed.length;
  const r = await fetch(`${url}/through-proxy`);
  assert.equal(r.status, 200);
  const got = await json(r);
  assert.equal(got.headers.via, '1.1 test-proxy', 'the backend call came through the proxy');
  assert.equal(got.headers['x-side-via'], '1.1 test-proxy', 'the send-request came through the proxy');
  const mine = relayed.slice(before);
  assert.deepEqual(mine.map((m) => new URL(m.url).pathname).sort(), ['/side-via-proxy', `/${new URL(url).pathname.split('/')[2]}/through-proxy`].sort());
  for (const m of mine) assert.equal(m.auth, `Basic ${Buffer.from('proxy-user:proxy-pass').toString('base64')}`);

  const op = await operation();
  const https = await putOpPolicy(op.id, doc({ inbound: '<proxy url="https://proxy.example:8443" />' }));
  assert.equal(https.status, 400, describe(https));
  assert.match(https.body.error.details[0].message, /not of the form http:\/\/host:port/);
  const outbound = await putOpPolicy(op.id, doc({ outbound: `<proxy url="${proxyUrl}" />` }));
  assert.match(outbound.body.error.details[0].message, /not allowed in the 'outbound' section/);
  const noUrl = await putOpPolicy(op.id, doc({ inbound: '<proxy username="u" />' }));
  assert.match(noUrl.body.error.details[0].message, /required attribute 'url' is missing/);
});

// ---- send-one-way-request ----

test('send-one-way-request (Microsoft Learn "Send one way request"): sent without waiting; a request that fails never fails the call', async () => {
  const url = await deployed('POST', doc({
    inbound: `<send-one-way-request mode="new" timeout="5"><set-url>${backendUrl}/one-way-sink</set-url><set-method>PUT</set-method>
        <set-header name="x-note" exists-action="override"><value>@(context.Request.Method)</value></set-header><set-body>logged</set-body></send-one-way-request>
      <send-one-way-request mode="copy"><set-url>${backendUrl}/one-way-copy</set-url></send-one-way-request>
      <send-one-way-request><set-url>http://127.0.0.1:1/refused</set-url><set-method>POST</set-method></send-one-way-request>`,
  }));
  const r = await fetch(`${url}/main`, { method: 'POST', headers: { 'x-client': 'c1' }, body: 'client body' });
  assert.equal(r.status, 200, 'the unreachable one-way request did not fail the call');
  assert.equal((await json(r)).body, 'client body', 'the backend still got the client body');
  const sink = await arrival('one-way-sink');
  assert.equal(sink.method, 'PUT');
  assert.equal(sink.headers['x-note'], 'POST');
  assert.equal(sink.body, 'logged');
  const copy = await arrival('one-way-copy');
  assert.equal(copy.method, 'POST');
  assert.equal(copy.headers['x-client'], 'c1');
  assert.equal(copy.body, 'client body', 'mode="copy" in inbound copies the body');

  const op = await operation();
  const noUrl = await putOpPolicy(op.id, doc({ inbound: '<send-one-way-request mode="new"><set-method>GET</set-method></send-one-way-request>' }));
  assert.match(noUrl.body.error.details[0].message, /'set-url' element is required when mode is 'new'/);
  const rvn = await putOpPolicy(op.id, doc({ inbound: `<send-one-way-request response-variable-name="r"><set-url>${backendUrl}</set-url></send-one-way-request>` }));
  assert.match(rvn.body.error.details[0].message, /'response-variable-name' attribute is not declared/);
});

// ---- send-request ----

test('send-request (Microsoft Learn "Send request"): without response-variable-name; ignore-error gives null on a timeout; without it the call fails', async () => {
  const url = await deployed('GET', doc({
    inbound: `<send-request mode="new"><set-url>${backendUrl}/no-variable</set-url><set-method>GET</set-method></send-request>
      <send-request mode="new" response-variable-name="late" timeout="1" ignore-error="true"><set-url>${backendUrl}/slow/2500/late</set-url><set-method>GET</set-method></send-request>
      <choose><when condition="@(context.Request.Headers.GetValueOrDefault(&quot;x-strict&quot;, &quot;&quot;) == &quot;1&quot;)">
        <send-request mode="new" response-variable-name="strict" timeout="1"><set-url>${backendUrl}/slow/2500/strict</set-url><set-method>GET</set-method></send-request>
      </when></choose>
      <return-response><set-status code="200" /><set-body>@(context.Variables[&quot;late&quot;] == null ? &quot;null&quot; : &quot;set&quot;)</set-body></return-response>`,
    onError: '<return-response><set-status code="502" /><set-body>@(context.LastError.Source + &quot;|&quot; + context.LastError.Reason)</set-body></return-response>',
  }));
  const r = await fetch(`${url}/x`);
  assert.equal(await r.text(), 'null', 'ignore-error: the variable holds null');
  assert.ok(seen.some((s) => s.url === '/no-variable'), 'the request without a variable was made');
  const strict = await fetch(`${url}/x`, { headers: { 'x-strict': '1' } });
  assert.equal(strict.status, 502);
  assert.equal(await strict.text(), 'send-request|RequestFailed');
});

// ---- cors ----

test('cors (Microsoft Learn "CORS"): a preflight with no OPTIONS operation is answered by cors; origins compared as URIs; no cors: 404', async () => {
  await apim.api.beginCreateOrUpdateAndWait(RG, SVC, 'corsapi', { displayName: 'Cors', path: 'corsapi', serviceUrl: backendUrl, protocols: ['https'], subscriptionRequired: true });
  await apim.apiOperation.createOrUpdate(RG, SVC, 'corsapi', 'put', {
    displayName: 'put', method: 'PUT', urlTemplate: '/items/{id}', templateParameters: [{ name: 'id', type: 'string', required: true }],
  });
  const noCors = await fetch(`${gatewayUrl}/corsapi/items/1`, { method: 'OPTIONS', headers: { origin: 'http://example.com', 'access-control-request-method': 'PUT' } });
  assert.equal(noCors.status, 404, 'without a cors policy nothing answers the preflight');
  const policy = await raw('PUT', '/apis/corsapi/policies/policy', { properties: { format: 'rawxml', value: doc({
    inbound: `<cors allow-credentials="true"><allowed-origins><origin>http://example.com/</origin><origin>https://app.example:8443</origin></allowed-origins>
      <allowed-methods preflight-result-max-age="300"><method>GET</method><method>PUT</method></allowed-methods>
      <allowed-headers><header>content-type</header></allowed-headers></cors>
      <set-header name="x-not-in-preflight" exists-action="override"><value>1</value></set-header>`,
  }) } });
  assert.ok([200, 201].includes(policy.status), describe(policy));
  const before = seen.length;
  const pre = await fetch(`${gatewayUrl}/corsapi/items/1`, { method: 'OPTIONS', headers: { origin: 'http://example.com', 'access-control-request-method': 'PUT', 'access-control-request-headers': 'content-type' } });
  assert.equal(pre.status, 200, 'answered by cors, without a subscription key');
  assert.equal(pre.headers.get('access-control-allow-origin'), 'http://example.com', '`http://example.com/` allows `http://example.com`');
  assert.equal(pre.headers.get('access-control-allow-methods'), 'GET,PUT');
  assert.equal(pre.headers.get('access-control-allow-headers'), 'content-type');
  assert.equal(pre.headers.get('access-control-allow-credentials'), 'true');
  assert.equal(pre.headers.get('access-control-max-age'), '300');
  const port = await fetch(`${gatewayUrl}/corsapi/other`, { method: 'OPTIONS', headers: { origin: 'HTTPS://APP.example:8443', 'access-control-request-method': 'GET' } });
  assert.equal(port.headers.get('access-control-allow-origin'), 'HTTPS://APP.example:8443', 'scheme and host compared without case; the API\'s cors answers a path no operation has');
  const other = await fetch(`${gatewayUrl}/corsapi/items/1`, { method: 'OPTIONS', headers: { origin: 'http://example.com:8080', 'access-control-request-method': 'PUT' } });
  assert.equal(other.status, 200);
  assert.equal(other.headers.get('access-control-allow-origin'), null, 'another port is another origin: an empty 200');
  assert.equal(seen.length, before, 'no preflight reached the backend');
});

test('cors (Microsoft Learn "CORS"): with an OPTIONS operation the preflight goes to that operation and cors\'s preflight logic does not run', async () => {
  await apim.api.beginCreateOrUpdateAndWait(RG, SVC, 'corsops', { displayName: 'Cors ops', path: 'corsops', serviceUrl: backendUrl, protocols: ['https'], subscriptionRequired: false });
  await apim.apiOperation.createOrUpdate(RG, SVC, 'corsops', 'options', { displayName: 'options', method: 'OPTIONS', urlTemplate: '/*' });
  const policy = await raw('PUT', '/apis/corsops/policies/policy', { properties: { format: 'rawxml', value: doc({
    inbound: '<cors><allowed-origins><origin>http://example.com</origin></allowed-origins><allowed-methods><method>PUT</method></allowed-methods></cors>',
  }) } });
  assert.ok([200, 201].includes(policy.status), describe(policy));
  const r = await fetch(`${gatewayUrl}/corsops/custom-preflight`, { method: 'OPTIONS', headers: { origin: 'http://example.com', 'access-control-request-method': 'PUT' } });
  assert.equal(r.status, 200);
  const got = await json(r);
  assert.equal(got.method, 'OPTIONS', 'the backend of the OPTIONS operation answered');
  assert.equal(got.url, '/custom-preflight');
  assert.equal(r.headers.get('access-control-allow-methods'), null, 'no preflight answer from cors');
});

// ---- set-header ----

test('set-header (Microsoft Learn "set-header"): a name that is not an HTTP token is refused at PUT, in the policy and inside return-response and send-request', async () => {
  const op = await operation();
  for (const inbound of [
    '<set-header name="bad header" exists-action="override"><value>v</value></set-header>',
    '<return-response><set-header name="x:y" exists-action="override"><value>v</value></set-header></return-response>',
    `<send-request response-variable-name="r"><set-url>${backendUrl}</set-url><set-header name="a(b)" exists-action="override"><value>v</value></set-header></send-request>`,
  ]) {
    const r = await putOpPolicy(op.id, doc({ inbound }));
    assert.equal(r.status, 400, describe(r));
    assert.match(r.body.error.details[0].message, /^Error in element 'set-header' on line \d+, column \d+: The header name '[^']+' format is invalid/);
  }
  const ok = await putOpPolicy(op.id, doc({ inbound: '<set-header name="X-Fine_1.a~" exists-action="override"><value>v</value></set-header>' }));
  assert.ok([200, 201].includes(ok.status), describe(ok));
});
