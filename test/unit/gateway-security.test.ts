// Issue 10's gateway findings, each written as the attack: the exploit request first, then the
// assertion that the gateway fails safely. Real HTTP (raw sockets where a client library would clean
// the request up), real backends, a GatewayPlane fed InstanceConfig directly.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { startGateway, startBackend, echoApi, policy, call, config, type Harness, type Backend } from './gateway-harness.js';
import { validatePolicyDocument } from '../../src/gateway/policy/validate.js';
import { AzureError } from '../../src/common/errors.js';
import { urlTemplateProblem } from '../../src/gateway/index.js';
import { compileTemplate, matchRoute } from '../../src/gateway/runtime/router.js';
import type { ApiConfig, InstanceConfig } from '../../src/gateway/config.js';

let gw: Harness;
let be: Backend;
const api = (sections: Parameters<typeof policy>[1]) => policy({ kind: 'api', apiName: 'echo' }, sections);

before(async () => {
  gw = await startGateway();
  be = await startBackend();
});
after(async () => {
  await gw?.close();
  await be?.close();
});

/** A raw HTTP/1.1 request on a plain socket: the path goes out exactly as written (fetch would normalize it). */
function rawGet(port: number, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method: 'GET', headers: { connection: 'close', ...headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function validationError(xml: string): AzureError {
  try {
    validatePolicyDocument(xml, 'api');
  } catch (e) {
    assert.ok(e instanceof AzureError, `not an AzureError: ${e}`);
    return e;
  }
  assert.fail('the document was accepted');
}

// ---- Finding 2: policy validation fails open ----

const deepChoose = (n: number) => `<policies><inbound>${'<choose><when condition="true">'.repeat(n)}<check-header name="x-need" failed-check-httpcode="401" failed-check-error-message="no" ignore-case="true" />${'</when></choose>'.repeat(n)}</inbound><backend><base /></backend><outbound /><on-error /></policies>`;

test('finding 2: 12,000 nested <choose> around check-header is a 400 ValidationError naming the element, line and column', () => {
  const e = validationError(deepChoose(12_000));
  assert.equal(e.status, 400);
  assert.equal(e.code, 'ValidationError');
  // 12,000 levels are over the size cap already; 1,000 (47 KB) are refused by the depth cap.
  assert.match(e.details![0].message, /^Error in element 'policies' on line 1, column 1: The policy document is \d+ bytes long/);
  const d = validationError(deepChoose(1000)).details![0];
  assert.match(d.message, /^Error in element '(choose|when)' on line 1, column \d+: Elements are nested more than 64 levels deep/);
  assert.equal(d.target, (d.message.match(/element '(\w+)'/) ?? [])[1]);
});

test('finding 2: a document over 256 KiB is refused; one under both caps is accepted', () => {
  const big = `<policies><inbound>${'<set-header name="x" exists-action="override"><value>v</value></set-header>'.repeat(4000)}</inbound></policies>`;
  assert.ok(Buffer.byteLength(big) > 256 * 1024);
  const e = validationError(big);
  assert.match(e.details![0].message, /maximum is 262144 bytes/);
  // 30 levels of choose/when (60 elements) plus policies, inbound and check-header: within 64.
  assert.doesNotThrow(() => validatePolicyDocument(deepChoose(30), 'api'));
});

test('finding 2: a stored policy the gateway cannot compile answers 500, never the API without its policy', async () => {
  await gw.load({ ...echoApi(be.url), policies: [{ scope: { kind: 'api', apiName: 'echo' }, xml: deepChoose(12_000) }] });
  const r = await call(`${gw.url}/echo/x`);
  assert.equal(r.status, 500, 'the check-header the document holds would refuse this call: it must not reach the backend');
  assert.equal(r.json.statusCode, 500);
  assert.ok(gw.gateway.problems(config({}).instanceId).some((p) => p.includes('api:echo')), 'the problem is reported');
  // An operation-scope document that does not compile breaks that operation only.
  const ops = echoApi(be.url);
  await gw.load({ ...ops, policies: [{ scope: { kind: 'operation', apiName: 'echo', operationName: 'post' }, xml: '<policies><inbound><nope/></inbound></policies>' }] });
  assert.equal((await call(`${gw.url}/echo/x`, { method: 'POST', body: 'x' })).status, 500);
  assert.equal((await call(`${gw.url}/echo/x`)).status, 200);
});

// ---- Finding 3: one bad API freezes the instance ----

test('finding 3: an API whose subscriptionKeyParameterNames.header is 5 answers 500; the others keep working and new ones appear', async () => {
  const good = echoApi(be.url);
  const bad: ApiConfig = {
    ...good.apis![0], name: 'bad', path: 'bad',
    subscriptionKeyParameterNames: { header: 5 as unknown as string, query: 'subscription-key' },
  };
  const badOps = good.operations!.map((o) => ({ ...o, apiName: 'bad' }));
  const first: Partial<InstanceConfig> = { apis: [...good.apis!, bad], operations: [...good.operations!, ...badOps] };
  await gw.load(first);
  assert.equal((await call(`${gw.url}/bad/x`)).status, 500);
  assert.equal((await call(`${gw.url}/echo/x`)).status, 200);
  assert.ok(gw.gateway.problems(config({}).instanceId).some((p) => p.startsWith('api bad:') && p.includes('subscriptionKeyParameterNames.header')));
  // A reload with one more API: the new API is served, the bad one still answers 500.
  const extra: ApiConfig = { ...good.apis![0], name: 'fresh', path: 'fresh' };
  await gw.load({ apis: [...first.apis!, extra], operations: [...first.operations!, ...good.operations!.map((o) => ({ ...o, apiName: 'fresh' }))] });
  assert.equal((await call(`${gw.url}/fresh/x`)).status, 200);
  assert.equal((await call(`${gw.url}/echo/x`)).status, 200);
  assert.equal((await call(`${gw.url}/bad/x`)).status, 500);
});

test('finding 3: wrong types elsewhere (an operation, a subscription, a named value) stay with their entity', async () => {
  const good = echoApi(be.url, {
    subscriptions: [{ name: 's', scope: 7 as unknown as string, primaryKey: 'k', secondaryKey: 'k2', state: 'active', allowTracing: false }],
    namedValues: [{ name: 3 as unknown as string, displayName: 'x', secret: false, value: 'v' }],
  });
  good.operations!.push({ apiName: 'echo', name: 'odd', displayName: 'odd', method: 'PATCH', urlTemplate: { x: 1 } as unknown as string, templateParameters: [] });
  await gw.load(good);
  assert.equal((await call(`${gw.url}/echo/x`)).status, 200);
  const problems = gw.gateway.problems(config({}).instanceId);
  assert.ok(problems.some((p) => p.startsWith('operation echo/odd')), problems.join('\n'));
  assert.ok(problems.some((p) => p.startsWith('subscription s')), problems.join('\n'));
  assert.ok(problems.some((p) => p.startsWith('named value 3')), problems.join('\n'));
});

// ---- Finding 4: abandoned calls leak backend connections ----

/** A backend that accepts requests and never answers; counts its open sockets, and those still holding a request. */
async function silentBackend(): Promise<{ url: string; open: () => number; held: () => number; received: () => number; close(): Promise<void> }> {
  let open = 0;
  let received = 0;
  let held = 0;
  const server = http.createServer((req) => {
    received++; // never answers
    held++;
    req.socket.once('close', () => { held--; });
  });
  server.on('connection', (s) => { open++; s.once('close', () => { open--; }); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, open: () => open, held: () => held, received: () => received,
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

async function until(what: string, cond: () => boolean, limitMs = 20_000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > limitMs) assert.fail(`gave up waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('finding 4: clients that abandon their calls leave no backend connection open; a normal call still works', async () => {
  const silent = await silentBackend();
  try {
    const ops = echoApi(silent.url);
    await gw.load({ ...ops, apis: [...ops.apis!, { ...echoApi(be.url).apis![0], name: 'ok', path: 'ok' }], operations: [...ops.operations!, ...ops.operations!.map((o) => ({ ...o, apiName: 'ok' }))] });
    const N = 40;
    const clients: http.ClientRequest[] = [];
    for (let i = 0; i < N; i++) {
      const req = http.request({ host: '127.0.0.1', port: gw.port, path: `/echo/hang/${i}`, agent: false });
      req.on('error', () => undefined);
      req.end();
      clients.push(req);
    }
    await until(`the backend received ${N} requests`, () => silent.received() === N);
    assert.ok(silent.open() >= N, `the backend holds ${silent.open()} connections`);
    for (const c of clients) c.destroy();
    // Connections that hold a request: undici may open a fresh idle one in place of an aborted one.
    await until('every backend connection holding a call closed after the clients went away', () => silent.held() === 0);
    assert.equal((await call(`${gw.url}/ok/x`)).status, 200);
  } finally {
    await silent.close();
  }
});

test('finding 4: forward-request timeout bounds the wait for a backend that never answers (500, Timeout)', async () => {
  const silent = await silentBackend();
  try {
    await gw.load({ ...echoApi(silent.url), policies: [api({
      backend: '<forward-request timeout="1" />',
      onError: '<return-response><set-status code="504" /><set-body>timed out</set-body></return-response>',
    })] });
    const r = await call(`${gw.url}/echo/x`);
    assert.equal(r.status, 504, r.text);
    // (undici may open a fresh idle connection to the pool in its place: that one holds no request.)
    await until('the timed-out backend request\'s connection closed', () => silent.held() === 0);
    assert.equal(silent.received(), 1);
  } finally {
    await silent.close();
  }
});

// ---- Finding 6: dot segments reach the backend ----

test('finding 6: /echo/../../admin and its encoded forms are refused (400), never forwarded', async () => {
  await gw.load(echoApi(`${be.url}/base`));
  const before = be.requests.length;
  for (const p of ['/echo/../../admin', '/echo/%2e%2e/%2E./admin', '/echo/..%5c..%5cadmin', '/echo/..\\..\\admin', '/echo/x/../../../admin', '/..']) {
    const r = await rawGet(gw.port, p);
    assert.equal(r.status, 400, `${p}: ${r.status} ${r.body}`);
  }
  assert.equal(be.requests.length, before, 'no request reached the backend');
});

test('finding 6: dot segments inside the API are resolved before routing; the backend never sees one', async () => {
  await gw.load(echoApi(`${be.url}/base`));
  const cases: [string, string][] = [
    ['/echo/a/../b', '/base/b'],
    ['/echo/a/%2e%2e/b/./c', '/base/b/c'],
    ['/echo/a/.%2E/b/%2e/', '/base/b/'],
    ['/echo/a/b/..', '/base/a/'],
  ];
  for (const [p, expected] of cases) {
    const r = await rawGet(gw.port, p);
    assert.equal(r.status, 200, `${p}: ${r.body}`);
    assert.equal(JSON.parse(r.body).url, expected, p);
  }
  // Climbing out of the API into the root: routed as /admin (no API there: 404), not forwarded under /echo.
  assert.equal((await rawGet(gw.port, '/echo/../admin')).status, 404);
});

// ---- Finding 7: URL template backtracking ----

test('finding 7: a template with adjacent parameters is refused (PUT validator and gateway compile); the instance keeps serving', async () => {
  const t = `/r/${Array.from({ length: 14 }, (_, i) => `{p${i}}`).join('')}x`;
  assert.match(urlTemplateProblem(t) ?? '', /the parameters '\{p0\}' and '\{p1\}' are adjacent/);
  assert.match(urlTemplateProblem('/files/{a}*') ?? '', /adjacent/);
  assert.equal(urlTemplateProblem('/users/{id}/orders/{oid}?x={x}'), undefined);
  assert.equal(urlTemplateProblem('/files/{name}.{ext}'), undefined);
  const ops = echoApi(be.url);
  ops.operations!.unshift({ apiName: 'echo', name: 'r', displayName: 'r', method: 'GET', urlTemplate: t, templateParameters: [] });
  await gw.load(ops);
  assert.ok(gw.gateway.problems(config({}).instanceId).some((p) => p.startsWith('operation echo/r') && p.includes('adjacent')));
  const r = await rawGet(gw.port, `/echo/r/${'a'.repeat(32)}`);
  assert.equal(r.status, 200, 'the other operations still route');
});

test('finding 7: templates that would backtrack (parameters split by a literal they can contain) match in one pass', { timeout: 20_000 }, () => {
  // The regex this replaced, ([^/]+)x([^/]+)x..., takes exponential time on this path.
  const t = `/r/${Array.from({ length: 14 }, (_, i) => `{p${i}}`).join('x')}y`;
  const route = compileTemplate({ apiName: 'a', name: 'o', displayName: 'o', method: 'GET', urlTemplate: t, templateParameters: [] });
  for (let n = 28; n <= 4000; n *= 2) assert.equal(matchRoute(route, `/r/${'x'.repeat(n)}`, ''), null);
  const hit = matchRoute(route, `/r/${Array.from({ length: 14 }, (_, i) => `v${i}`).join('x')}y`, '');
  assert.equal(hit?.p0, 'v0');
  assert.equal(hit?.p13, 'v13');
  // Greedy like a regex: the first parameter takes what it can.
  const ext = compileTemplate({ apiName: 'a', name: 'o', displayName: 'o', method: 'GET', urlTemplate: '/f/{name}.{ext}', templateParameters: [] });
  assert.deepEqual(matchRoute(ext, '/f/a.b.c', ''), { name: 'a.b', ext: 'c' });
  assert.equal(matchRoute(ext, '/f/a/b.c', ''), null);
});

// ---- Finding 9: traces and send-request ----

test('finding 9: a trace id alone reads nothing; the location (its signature) or the tracing key does, over HTTPS only', async () => {
  const subs = [{ name: 't', scope: '/apis/echo', primaryKey: 'trace-key-123', secondaryKey: 'x', state: 'active', allowTracing: true },
    { name: 'n', scope: '/apis', primaryKey: 'no-trace-key', secondaryKey: 'y', state: 'active', allowTracing: false }];
  await gw.load({ ...echoApi(be.url, { subscriptions: subs }, { subscriptionRequired: true }),
    policies: [api({ inbound: '<set-header name="Authorization" exists-action="override"><value>Basic replaced</value></set-header>' })] });
  const r = await call(`${gw.url}/echo/x`, { headers: { 'ocp-apim-subscription-key': 'trace-key-123', 'ocp-apim-trace': 'true', authorization: 'Bearer client-own-secret-token' } });
  assert.equal(r.status, 200);
  const loc = r.headers.get('ocp-apim-trace-location')!;
  assert.match(loc, /^https:\/\/localhost:\d+\/__apim-local\/traces\/[\w-]{43}\/[0-9a-f-]{36}$/);
  const id = loc.split('/').pop()!;
  // The attack: the id alone, with no key, with a key of a subscription without tracing, with a forged signature, over HTTP.
  assert.equal((await call(`${gw.url}/__apim-local/traces/${id}`)).status, 401);
  assert.equal((await call(`${gw.url}/__apim-local/traces/${id}`, { headers: { 'ocp-apim-subscription-key': 'no-trace-key' } })).status, 401);
  assert.equal((await call(`${gw.url}/__apim-local/traces/${'A'.repeat(43)}/${id}`)).status, 404);
  assert.equal((await rawGet(gw.port, new URL(loc).pathname)).status, 403);
  // What works: the location as given, or the id with the tracing subscription's key.
  const t = await call(loc);
  assert.equal(t.status, 200);
  assert.equal(t.json.traceId, id);
  const byKey = await call(`${gw.url}/__apim-local/traces/${id}`, { headers: { 'ocp-apim-subscription-key': 'trace-key-123' } });
  assert.equal(byKey.status, 200);
  // The client's own Authorization never appears, though a policy replaced it before the trace was written.
  assert.ok(!t.text.includes('client-own-secret-token'), 'client token masked');
  assert.ok(!t.text.includes('trace-key-123'), 'subscription key masked');
  const request = t.json.entries.find((e: { source: string }) => e.source === 'request');
  assert.equal(request.data.headers.authorization, 'Bearer ***');
  assert.equal(request.data.headers['ocp-apim-subscription-key'], '***');
});

test('finding 9: send-request to a file: URL is refused at validation and at run time (a named value cannot smuggle one in)', async () => {
  const e = validationError('<policies><inbound><send-request mode="new" response-variable-name="r"><set-url>file:///etc/passwd</set-url></send-request></inbound></policies>');
  assert.match(e.details![0].message, /not an absolute http or https URL/);
  await gw.load({ ...echoApi(be.url, { namedValues: [{ name: 'target', displayName: 'target', secret: false, value: 'file:///etc/passwd' }] }),
    policies: [api({ inbound: '<send-request mode="new" response-variable-name="r" ignore-error="true"><set-url>{{target}}</set-url></send-request><return-response><set-status code="200" /></return-response>' })] });
  const r = await call(`${gw.url}/echo/x`);
  assert.equal(r.status, 500);
  assert.ok(!r.text.includes('root:'), 'nothing of the file in the answer');
});

// ---- Found by the fuzzers (test/unit/fuzz-*.test.ts) ----

test('fuzz finding: set-backend-service base-url="{{" was accepted and then could not compile; now refused at validation', () => {
  const e = validationError('<policies><inbound><base /><set-backend-service base-url="{{" /></inbound></policies>');
  assert.match(e.details![0].message, /'base-url' attribute '\{\{' is not an absolute http or https URL/);
});

test('fuzz finding: a base-url {{named value}} that is missing or not a URL fails the calls through it (500), not the whole document', async () => {
  await gw.load({ ...echoApi(be.url, { namedValues: [{ name: 'notUrl', displayName: 'notUrl', secret: false, value: 'file:///etc' }] }), policies: [
    policy({ kind: 'operation', apiName: 'echo', operationName: 'post' }, { inbound: '<base /><set-backend-service base-url="{{notUrl}}" />' }),
    policy({ kind: 'operation', apiName: 'echo', operationName: 'put' }, { inbound: '<base /><set-backend-service base-url="{{missing}}" />' }),
  ] });
  assert.equal((await call(`${gw.url}/echo/x`, { method: 'POST', body: 'x' })).status, 500);
  assert.equal((await call(`${gw.url}/echo/x`, { method: 'PUT', body: 'x' })).status, 500);
  assert.equal((await call(`${gw.url}/echo/x`)).status, 200);
});
