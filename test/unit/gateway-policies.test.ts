// Every policy, table-driven, through the compiled pipeline over real HTTP: a GatewayPlane fed an
// InstanceConfig, a real backend that echoes what it got, and (for authentication-managed-identity and
// validate-jwt's openid-config) the real server's Entra plane in this process.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { SignJWT, createRemoteJWKSet, jwtVerify, decodeJwt } from 'jose';
import { startInProcessServer, type InProcessServer } from '../helpers/in-process.js';
import { startGateway, startBackend, echoApi, policy, call, INSTANCE_ID, type Harness, type Backend } from './gateway-harness.js';
import type { InstanceConfig, PolicyConfig, ResponseConfig } from '../../src/gateway/config.js';

let server: InProcessServer;
let gw: Harness;
let be: Backend;
let uai: { clientId: string; objectId: string };
const api = (sections: Parameters<typeof policy>[1]) => policy({ kind: 'api', apiName: 'echo' }, sections);
const HS_KEY = Buffer.from('a-very-secret-symmetric-key-for-tests-0123456789');

before(async () => {
  server = await startInProcessServer();
  const mi = server.entra.managedIdentities;
  const sys = await mi.createPrincipal({ resourceId: INSTANCE_ID, displayName: 'unit', kind: 'SystemAssigned' });
  const user = await mi.createPrincipal({ resourceId: '/subscriptions/x/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/u1', displayName: 'u1', kind: 'UserAssigned' });
  uai = { clientId: user.appId, objectId: user.objectId };
  await mi.setAssignments(INSTANCE_ID, [{ principalId: sys.objectId, kind: 'SystemAssigned' }, { principalId: user.objectId, kind: 'UserAssigned' }]);
  be = await startBackend();
  gw = await startGateway(mi);
});
after(async () => { await gw?.close(); await be?.close(); await server?.close(); });

interface Case {
  name: string;
  policies: PolicyConfig[];
  extra?: Partial<InstanceConfig>;
  path?: string;
  init?: RequestInit;
  status?: number;
  /** Checks on what the backend received (undefined: the backend must not have been called). */
  backend?: (got: { url: string; method: string; headers: Record<string, any>; body: string }) => void;
  response?: (r: { status: number; headers: Headers; text: string; json: any }) => void;
}

/** echoApi's operations, GET with these responses (as the gateway gets an operation's ResponseContracts). */
function mockOps(responses: ResponseConfig[], post: ResponseConfig[] = []): Partial<InstanceConfig> {
  return { operations: echoApi('').operations!.map((o) => (o.method === 'GET' ? { ...o, responses } : o.method === 'POST' ? { ...o, responses: post } : o)) };
}

async function runCase(c: Case): Promise<void> {
  await gw.load({ ...echoApi(be.url + '/base'), policies: c.policies, ...c.extra });
  const before = be.requests.length;
  const r = await call(`${gw.url}/echo${c.path ?? '/thing?a=1'}`, c.init);
  assert.equal(r.status, c.status ?? 200, `${c.name}: ${r.text}`);
  if (c.backend) {
    assert.equal(be.requests.length, before + 1, `${c.name}: the backend was not called once`);
    c.backend(be.requests[be.requests.length - 1]);
  } else if (c.backend === undefined && c.response) {
    // response-only cases may or may not call the backend
  }
  c.response?.(r);
}

const cases: Case[] = [
  {
    name: 'set-header: override, skip (kept), append, delete, several values; inbound',
    policies: [api({ inbound: `<base/>
      <set-header name="x-over" exists-action="override"><value>new</value></set-header>
      <set-header name="x-skip" exists-action="skip"><value>ignored</value></set-header>
      <set-header name="x-add" exists-action="skip"><value>added</value></set-header>
      <set-header name="x-app" exists-action="append"><value>two</value></set-header>
      <set-header name="x-del" exists-action="delete" />
      <set-header name="x-many"><value>a</value><value>b</value></set-header>` })],
    init: { headers: { 'x-over': 'old', 'x-skip': 'kept', 'x-app': 'one', 'x-del': 'gone' } },
    backend: (g) => {
      assert.equal(g.headers['x-over'], 'new');
      assert.equal(g.headers['x-skip'], 'kept');
      assert.equal(g.headers['x-add'], 'added');
      assert.equal(g.headers['x-app'], 'one, two');
      assert.equal(g.headers['x-del'], undefined);
      assert.equal(g.headers['x-many'], 'a, b');
    },
  },
  {
    name: 'set-header in outbound: on the answer; delete a backend header',
    policies: [api({ outbound: `<base/><set-header name="x-out"><value>o</value></set-header><set-header name="x-backend" exists-action="delete"/>` })],
    backend: () => {},
    response: (r) => { assert.equal(r.headers.get('x-out'), 'o'); assert.equal(r.headers.get('x-backend'), null); },
  },
  {
    name: 'set-header with a {{named value}} (display name)',
    policies: [api({ inbound: `<set-header name="x-nv"><value>pre-{{My-Value}}-post</value></set-header>` })],
    extra: { namedValues: [{ name: 'nv1', displayName: 'My-Value', secret: true, value: 's3cret' }] },
    backend: (g) => assert.equal(g.headers['x-nv'], 'pre-s3cret-post'),
  },
  {
    name: 'set-query-parameter: override, append, delete, skip',
    policies: [api({ inbound: `
      <set-query-parameter name="a" exists-action="override"><value>9</value></set-query-parameter>
      <set-query-parameter name="b" exists-action="append"><value>x</value><value>y</value></set-query-parameter>
      <set-query-parameter name="c" exists-action="delete" />
      <set-query-parameter name="d" exists-action="skip"><value>no</value></set-query-parameter>` })],
    path: '/q?a=1&c=3&d=4',
    backend: (g) => assert.equal(g.url, '/base/q?a=9&d=4&b=x&b=y'),
  },
  {
    name: 'set-backend-service base-url, then rewrite-uri with template parameters and unmatched ones copied',
    policies: [api({ inbound: `<set-backend-service base-url="${'BACKEND'}/v2" /><rewrite-uri template="/users/{id}/profile?src=gw" />` })],
    extra: { operations: [{ apiName: 'echo', name: 'user', displayName: 'user', method: 'GET', urlTemplate: '/u/{id}', templateParameters: [{ name: 'id' }] }] },
    path: '/u/42?keep=yes',
    backend: (g) => assert.equal(g.url, '/v2/users/42/profile?src=gw&keep=yes'),
  },
  {
    name: 'rewrite-uri copy-unmatched-params="false" drops the query',
    policies: [api({ inbound: `<rewrite-uri template="/fixed" copy-unmatched-params="false" />` })],
    path: '/any?x=1',
    backend: (g) => assert.equal(g.url, '/base/fixed'),
  },
  {
    name: 'set-backend-service backend-id',
    policies: [api({ inbound: `<set-backend-service backend-id="be1" />` })],
    extra: { backends: [{ name: 'be1', url: 'BACKEND/from-backend', protocol: 'http' }] },
    path: '/p',
    backend: (g) => assert.equal(g.url, '/from-backend/p'),
  },
  {
    name: 'return-response: status, header, body; the backend is not called',
    policies: [api({ inbound: `<return-response><set-status code="201" reason="Made"/><set-header name="x-r"><value>1</value></set-header><set-body>{"made":true}</set-body></return-response>` })],
    status: 201,
    response: (r) => { assert.equal(r.headers.get('x-r'), '1'); assert.deepEqual(r.json, { made: true }); },
  },
  {
    name: 'mock-response',
    policies: [api({ inbound: `<mock-response status-code="202" content-type="text/plain" />` })],
    status: 202,
    response: (r) => { assert.equal(r.headers.get('content-type'), 'text/plain'); assert.equal(r.text, ''); },
  },
  {
    name: 'mock-response: the example (a JSON object) of the status and content type, serialized; the backend is not called',
    policies: [api({ inbound: `<mock-response status-code="200" content-type="application/json" />` })],
    extra: mockOps([{ statusCode: 200, representations: [{ contentType: 'application/json', example: { value: { id: 7, name: 'Rex', tags: ['dog'] } } }] }]),
    response: (r) => {
      assert.equal(r.headers.get('content-type'), 'application/json');
      assert.deepEqual(r.json, { id: 7, name: 'Rex', tags: ['dog'] });
      assert.equal(r.headers.get('x-backend'), null);
    },
  },
  {
    name: 'mock-response: the content type chosen among two representations',
    policies: [api({ inbound: `<mock-response status-code="200" content-type="application/xml" />` })],
    extra: mockOps([{ statusCode: 200, representations: [
      { contentType: 'application/json', example: { value: { id: 7 } } },
      { contentType: 'application/xml', example: { value: '<pet><id>7</id></pet>' } },
    ] }]),
    response: (r) => { assert.equal(r.headers.get('content-type'), 'application/xml'); assert.equal(r.text, '<pet><id>7</id></pet>'); },
  },
  {
    name: 'mock-response without attributes: 200, the first representation, its content type; a string example as is',
    policies: [api({ inbound: `<mock-response />` })],
    extra: mockOps([
      { statusCode: 404, representations: [{ contentType: 'application/json', example: { value: { error: 'no' } } }] },
      { statusCode: 200, representations: [{ contentType: 'text/plain', example: { value: 'hello "pets"' } }, { contentType: 'application/json', example: { value: [1] } }] },
    ]),
    response: (r) => { assert.equal(r.headers.get('content-type'), 'text/plain'); assert.equal(r.text, 'hello "pets"'); },
  },
  {
    name: 'mock-response: content-type matches a representation with parameters; an array example is JSON',
    policies: [api({ inbound: `<mock-response status-code="200" content-type="application/json" />` })],
    extra: mockOps([{ statusCode: 200, representations: [{ contentType: 'application/json; charset=utf-8', example: { value: [1, 'two', null] } }] }]),
    response: (r) => { assert.equal(r.headers.get('content-type'), 'application/json'); assert.equal(r.text, '[1,"two",null]'); },
  },
  {
    name: 'mock-response: a representation without an example answers an empty body',
    policies: [api({ inbound: `<mock-response status-code="201" content-type="application/json" />` })],
    extra: mockOps([{ statusCode: 201, representations: [{ contentType: 'application/json' }] }]),
    status: 201,
    response: (r) => { assert.equal(r.headers.get('content-type'), 'application/json'); assert.equal(r.text, ''); assert.equal(r.headers.get('content-length'), '0'); },
  },
  {
    name: 'mock-response: a content type the response does not define answers an empty body with that content type',
    policies: [api({ inbound: `<mock-response status-code="200" content-type="text/csv" />` })],
    extra: mockOps([{ statusCode: 200, representations: [{ contentType: 'application/json', example: { value: { id: 7 } } }] }]),
    response: (r) => { assert.equal(r.headers.get('content-type'), 'text/csv'); assert.equal(r.text, ''); },
  },
  {
    name: 'mock-response: a status code the operation does not define answers that status, empty, without a content type',
    policies: [api({ inbound: `<mock-response status-code="418" />` })],
    extra: mockOps([{ statusCode: 200, representations: [{ contentType: 'application/json', example: { value: { id: 7 } } }] }]),
    status: 418,
    response: (r) => { assert.equal(r.headers.get('content-type'), null); assert.equal(r.text, ''); },
  },
  {
    name: 'mock-response in outbound replaces the backend answer with the example',
    policies: [api({ outbound: `<mock-response status-code="200" content-type="application/json" />` })],
    extra: mockOps([{ statusCode: 200, representations: [{ contentType: 'application/json', example: { value: { mocked: true } } }] }]),
    backend: () => {},
    response: (r) => { assert.deepEqual(r.json, { mocked: true }); assert.equal(r.headers.get('x-backend'), null); },
  },
  {
    name: 'set-status and set-body in outbound replace the backend answer',
    policies: [api({ outbound: `<set-status code="299" reason="Odd"/><set-body>replaced</set-body>` })],
    status: 299,
    backend: () => {},
    response: (r) => { assert.equal(r.text, 'replaced'); assert.equal(r.headers.get('content-length'), '8'); },
  },
  {
    name: 'set-body in inbound replaces the request body',
    policies: [api({ inbound: `<set-body>new body</set-body>` })],
    init: { method: 'POST', body: 'old body that is longer' },
    backend: (g) => { assert.equal(g.body, 'new body'); assert.equal(g.headers['content-length'], '8'); },
  },
  {
    name: 'choose: the first true when; otherwise when none',
    policies: [api({ inbound: `<choose><when condition="false"><set-header name="x-c"><value>no</value></set-header></when>
      <when condition="true"><set-header name="x-c"><value>yes</value></set-header></when>
      <otherwise><set-header name="x-c"><value>other</value></set-header></otherwise></choose>
      <choose><when condition="{{flag}}"><set-header name="x-d"><value>d</value></set-header></when><otherwise><set-header name="x-d"><value>o</value></set-header></otherwise></choose>` })],
    extra: { namedValues: [{ name: 'flag', displayName: 'flag', secret: false, value: 'false' }] },
    backend: (g) => { assert.equal(g.headers['x-c'], 'yes'); assert.equal(g.headers['x-d'], 'o'); },
  },
  {
    name: 'check-header passes',
    policies: [api({ inbound: `<check-header name="x-k" failed-check-httpcode="403" failed-check-error-message="Nope" ignore-case="true"><value>Alpha</value><value>beta</value></check-header>` })],
    init: { headers: { 'x-k': 'ALPHA' } },
    backend: () => {},
  },
  {
    name: 'check-header fails with its status and message',
    policies: [api({ inbound: `<check-header name="x-k" failed-check-httpcode="403" failed-check-error-message="Nope" ignore-case="false"><value>Alpha</value></check-header>` })],
    init: { headers: { 'x-k': 'alpha' } },
    status: 403,
    response: (r) => assert.deepEqual(r.json, { statusCode: 403, message: 'Nope' }),
  },
  {
    name: 'validate-jwt: missing token → 401 "JWT not present."',
    policies: [api({ inbound: `<validate-jwt header-name="Authorization"><issuer-signing-keys><key>${HS_KEY.toString('base64')}</key></issuer-signing-keys></validate-jwt>` })],
    status: 401,
    response: (r) => assert.deepEqual(r.json, { statusCode: 401, message: 'JWT not present.' }),
  },
  {
    name: 'cors: preflight answered by the gateway',
    policies: [api({ inbound: `<cors allow-credentials="true"><allowed-origins><origin>https://app.contoso.com</origin></allowed-origins>
      <allowed-methods preflight-result-max-age="300"><method>GET</method><method>POST</method></allowed-methods>
      <allowed-headers><header>x-custom</header></allowed-headers><expose-headers><header>x-backend</header></expose-headers></cors>` })],
    init: { method: 'OPTIONS', headers: { origin: 'https://app.contoso.com', 'access-control-request-method': 'POST', 'access-control-request-headers': 'x-custom' } },
    response: (r) => {
      assert.equal(r.headers.get('access-control-allow-origin'), 'https://app.contoso.com');
      assert.equal(r.headers.get('access-control-allow-methods'), 'GET,POST');
      assert.equal(r.headers.get('access-control-allow-headers'), 'x-custom');
      assert.equal(r.headers.get('access-control-allow-credentials'), 'true');
      assert.equal(r.headers.get('access-control-max-age'), '300');
    },
  },
  {
    name: 'cors: simple request from an allowed origin gets CORS headers on the backend answer',
    policies: [api({ inbound: `<cors><allowed-origins><origin>*</origin></allowed-origins><expose-headers><header>x-backend</header></expose-headers></cors>` })],
    init: { headers: { origin: 'https://any.example' } },
    backend: () => {},
    response: (r) => { assert.equal(r.headers.get('access-control-allow-origin'), '*'); assert.equal(r.headers.get('access-control-expose-headers'), 'x-backend'); },
  },
  {
    name: 'cors: an unmatched GET is ended with an empty 200',
    policies: [api({ inbound: `<cors><allowed-origins><origin>https://app.contoso.com</origin></allowed-origins></cors>` })],
    init: { headers: { origin: 'https://evil.example' } },
    response: (r) => { assert.equal(r.text, ''); assert.equal(r.headers.get('access-control-allow-origin'), null); },
  },
  {
    name: 'forward-request timeout → APIM 500 with activityId',
    policies: [api({ backend: `<forward-request timeout="1" />` })],
    path: '/slow/3000',
    status: 500,
    response: (r) => { assert.equal(r.json.statusCode, 500); assert.equal(r.json.message, 'Internal server error'); assert.match(r.json.activityId, /^[0-9a-f-]{36}$/); },
  },
  {
    name: 'unreachable backend → APIM 500',
    policies: [api({ inbound: `<set-backend-service base-url="http://127.0.0.1:1" />` })],
    status: 500,
    response: (r) => assert.equal(r.json.message, 'Internal server error'),
  },
  {
    name: 'empty backend section: no call, 200 empty',
    policies: [api({ backend: '' })],
    response: (r) => assert.equal(r.text, ''),
  },
  {
    name: 'send-request, then return-response with its response',
    policies: [api({ inbound: `<send-request mode="new" response-variable-name="side" timeout="5"><set-url>BACKEND/side/call</set-url><set-method>POST</set-method>
      <set-header name="x-side"><value>1</value></set-header><set-body>side-body</set-body></send-request>
      <return-response response-variable-name="side"><set-header name="x-wrapped"><value>yes</value></set-header></return-response>` })],
    response: (r) => {
      assert.equal(r.headers.get('x-wrapped'), 'yes');
      assert.equal(r.json.url, '/side/call');
      assert.equal(r.json.method, 'POST');
      assert.equal(r.json.body, 'side-body');
      assert.equal(r.json.headers['x-side'], '1');
    },
  },
  {
    name: 'send-request mode="copy": method, headers and body of the current request',
    policies: [api({ inbound: `<send-request mode="copy" response-variable-name="c"><set-url>BACKEND/copied</set-url></send-request><return-response response-variable-name="c" />` })],
    init: { method: 'POST', body: 'payload', headers: { 'x-a': '1' } },
    response: (r) => { assert.equal(r.json.method, 'POST'); assert.equal(r.json.body, 'payload'); assert.equal(r.json.headers['x-a'], '1'); assert.equal(r.json.url, '/copied'); },
  },
  {
    name: 'send-request with authentication-managed-identity inside',
    policies: [api({ inbound: `<send-request mode="new" response-variable-name="side"><set-url>BACKEND/side</set-url><authentication-managed-identity resource="api://side" /></send-request>
      <return-response response-variable-name="side" />` })],
    response: (r) => {
      const claims = decodeJwt(String(r.json.headers.authorization).replace(/^Bearer /, ''));
      assert.equal(claims.aud, 'api://side');
    },
  },
  {
    name: 'send-request failing with ignore-error: the pipeline continues',
    policies: [api({ inbound: `<send-request mode="new" response-variable-name="side" ignore-error="true" timeout="2"><set-url>http://127.0.0.1:1/x</set-url></send-request>` })],
    backend: () => {},
  },
  {
    name: 'trace outside a traced call and set-variable: no effect on the call',
    policies: [api({ inbound: `<set-variable name="v" value="1" /><trace source="unit" severity="information"><message>hello</message><metadata name="k" value="v"/></trace>` })],
    backend: () => {},
  },
  {
    name: 'authentication-managed-identity (system-assigned): Authorization: Bearer for the resource',
    policies: [api({ inbound: `<authentication-managed-identity resource="api://backend" />` })],
    backend: (g) => {
      const claims = decodeJwt(String(g.headers.authorization).replace(/^Bearer /, ''));
      assert.equal(claims.aud, 'api://backend');
    },
  },
  {
    name: 'authentication-managed-identity with output-token-variable-name: no header',
    policies: [api({ inbound: `<authentication-managed-identity resource="api://backend" output-token-variable-name="tok" />` })],
    backend: (g) => assert.equal(g.headers.authorization, undefined),
  },
  {
    name: 'authentication-managed-identity with an unknown client-id and ignore-error: continues without a token',
    policies: [api({ inbound: `<authentication-managed-identity resource="api://backend" client-id="00000000-0000-0000-0000-000000000001" ignore-error="true" />` })],
    backend: (g) => assert.equal(g.headers.authorization, undefined),
  },
  {
    name: 'authentication-managed-identity with an unknown client-id: 500 through on-error',
    policies: [api({ inbound: `<authentication-managed-identity resource="api://backend" client-id="00000000-0000-0000-0000-000000000001" />`, onError: `<set-header name="x-failed"><value>yes</value></set-header>` })],
    status: 500,
    response: (r) => { assert.equal(r.headers.get('x-failed'), 'yes'); assert.equal(r.json.message, 'Internal server error'); },
  },
];

for (const c of cases) {
  test(c.name, async () => {
    const fix = (p: PolicyConfig) => ({ ...p, xml: p.xml.replaceAll('BACKEND', be.url) });
    await runCase({ ...c, policies: c.policies.map(fix), extra: c.extra && JSON.parse(JSON.stringify(c.extra).replaceAll('BACKEND', be.url)) });
  });
}

test('authentication-managed-identity: the token verifies against the server JWKS; client-id gives the user-assigned identity', async () => {
  const discovery = await (await fetch(`${server.connection.authorityHost}/${server.connection.tenantId}/v2.0/.well-known/openid-configuration`)).json() as { jwks_uri: string; issuer: string };
  const jwks = createRemoteJWKSet(new URL(discovery.jwks_uri));
  await gw.load({ ...echoApi(be.url), policies: [api({ inbound: `<authentication-managed-identity resource="api://backend" client-id="${uai.clientId}" />` })] });
  await call(`${gw.url}/echo/x`);
  const token = String(be.requests.at(-1)!.headers.authorization).replace(/^Bearer /, '');
  const { payload } = await jwtVerify(token, jwks, { audience: 'api://backend' });
  assert.equal(payload.oid, uai.objectId);
});

test('authentication-managed-identity without any identity: APIM message in LastError (trace)', async () => {
  const plain = await startGateway(server.entra.managedIdentities);
  try {
    // This gateway's instance id is the same, so use a different one: a listener with no assignment.
    const other = '/subscriptions/x/resourceGroups/rg/providers/Microsoft.ApiManagement/service/no-identity';
    await plain.instances.ensureInstance(other, 0);
    const port = await plain.instances.ensureInstance(other, 0);
    await plain.configure({ ...(await import('./gateway-harness.js')).config({ ...echoApi(be.url), subscriptions: [{ name: 's', scope: '/apis', primaryKey: 'k1', secondaryKey: 'k2', state: 'active', allowTracing: true }],
      policies: [api({ inbound: `<authentication-managed-identity resource="api://backend" />` })] }), instanceId: other });
    const r = await call(`https://localhost:${port}/echo/x`, { headers: { 'ocp-apim-subscription-key': 'k1', 'ocp-apim-trace': 'true' } });
    assert.equal(r.status, 500);
    const trace = await call(r.headers.get('ocp-apim-trace-location')!);
    assert.equal(trace.json.lastError.message, 'Managed service identity is not enabled for this service and authentication-managed-identity policy cannot be used.');
    assert.equal(trace.json.lastError.source, 'authentication-managed-identity');
    assert.equal(trace.json.lastError.section, 'inbound');
    assert.equal(trace.json.lastError.scope, 'api');
  } finally { await plain.close(); }
});

test('validate-jwt: symmetric key, audiences, issuers, required claims (all/any), output variable, custom failure', async () => {
  const xml = `<validate-jwt header-name="Authorization" failed-validation-httpcode="403" failed-validation-error-message="Go away" output-token-variable-name="jwt">
    <issuer-signing-keys><key>${HS_KEY.toString('base64')}</key></issuer-signing-keys>
    <audiences><audience>api://me</audience></audiences><issuers><issuer>https://issuer.example</issuer></issuers>
    <required-claims><claim name="roles" match="any"><value>admin</value><value>writer</value></claim><claim name="scp" match="all" separator=" "><value>read</value><value>write</value></claim></required-claims>
  </validate-jwt>`;
  await gw.load({ ...echoApi(be.url), policies: [api({ inbound: xml })] });
  const sign = (claims: Record<string, unknown>, exp = '5m') => new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuer('https://issuer.example').setAudience('api://me').setIssuedAt().setExpirationTime(exp).sign(HS_KEY);
  const good = await sign({ roles: ['writer'], scp: 'read write' });
  assert.equal((await call(`${gw.url}/echo/x`, { headers: { authorization: `Bearer ${good}` } })).status, 200);
  for (const bad of [await sign({ roles: ['reader'], scp: 'read write' }), await sign({ roles: ['admin'], scp: 'read' }), await sign({ roles: ['admin'], scp: 'read write' }, '-1m'), 'not.a.jwt']) {
    const r = await call(`${gw.url}/echo/x`, { headers: { authorization: `Bearer ${bad}` } });
    assert.equal(r.status, 403);
    assert.deepEqual(r.json, { statusCode: 403, message: 'Go away' });
  }
});

test('validate-jwt with openid-config: a token from the server token endpoint', async () => {
  const app = await server.createApplication('jwt-client');
  const token = (await server.credential(app.clientId, app.secret).getToken('https://management.azure.com/.default')).token;
  const cfg = `${server.connection.authorityHost}/${server.connection.tenantId}/v2.0/.well-known/openid-configuration`;
  await gw.load({ ...echoApi(be.url), policies: [api({ inbound: `<validate-jwt query-parameter-name="t"><openid-config url="${cfg}" /><audiences><audience>https://management.azure.com</audience><audience>https://management.azure.com/</audience></audiences></validate-jwt>` })] });
  assert.equal((await call(`${gw.url}/echo/x?t=${token}`)).status, 200);
  assert.equal((await call(`${gw.url}/echo/x?t=${token.slice(0, -4)}AAAA`)).status, 401);
});

test('rate-limit (per subscription) and rate-limit-by-key: 429 with Retry-After and APIM body', async () => {
  const subs = [{ name: 's1', scope: '/apis', primaryKey: 'key-1', secondaryKey: 'key-1b', state: 'active', allowTracing: false },
    { name: 's2', scope: '/apis', primaryKey: 'key-2', secondaryKey: 'key-2b', state: 'active', allowTracing: false }];
  await gw.load({ ...echoApi(be.url, { subscriptions: subs }, { subscriptionRequired: true }), policies: [api({ inbound: `<rate-limit calls="2" renewal-period="30" remaining-calls-header-name="x-remaining" />` })] });
  const hit = (key: string) => call(`${gw.url}/echo/x`, { headers: { 'ocp-apim-subscription-key': key } });
  assert.equal((await hit('key-1')).headers.get('x-remaining'), '1');
  assert.equal((await hit('key-1b')).status, 200, 'both keys of a subscription share its counter');
  const limited = await hit('key-1');
  assert.equal(limited.status, 429);
  assert.match(limited.json.message, /^Rate limit is exceeded\. Try again in \d+ seconds\.$/);
  assert.equal(limited.json.statusCode, 429);
  assert.ok(Number(limited.headers.get('retry-after')) >= 1 && Number(limited.headers.get('retry-after')) <= 30);
  assert.equal((await hit('key-2')).status, 200, 'another subscription has its own counter');

  await gw.load({ ...echoApi(be.url), policies: [api({ inbound: `<rate-limit-by-key calls="1" renewal-period="1" counter-key="shared" />` })] });
  assert.equal((await call(`${gw.url}/echo/x`)).status, 200);
  const r = await call(`${gw.url}/echo/x`);
  assert.equal(r.status, 429);
  assert.equal(r.headers.get('retry-after'), '1');
  await new Promise((res) => setTimeout(res, 1100));
  assert.equal((await call(`${gw.url}/echo/x`)).status, 200, 'the window slides');
});

test('rate-limit with nested <api> and <operation> limits: each counts only the calls it names', async () => {
  const subs = [{ name: 'n1', scope: '/apis', primaryKey: 'nested-1', secondaryKey: 'nested-1b', state: 'active', allowTracing: false }];
  await gw.load({
    ...echoApi(be.url, { subscriptions: subs }, { subscriptionRequired: true }),
    policies: [api({ inbound: `<rate-limit calls="100" renewal-period="60"><api name="Echo" calls="3" renewal-period="60"><operation name="GET" calls="1" renewal-period="60" /></api></rate-limit>` })],
  });
  const hit = (method: string) => call(`${gw.url}/echo/x`, { method, headers: { 'ocp-apim-subscription-key': 'nested-1' } });
  assert.equal((await hit('GET')).status, 200);
  assert.equal((await hit('GET')).status, 429, 'the operation limit (1) is reached');
  assert.equal((await hit('DELETE')).status, 200, 'other operations count only against the API limit');
  const third = await hit('DELETE');
  assert.equal(third.status, 429, 'the API limit (3) has counted GET, GET and DELETE, and refuses the fourth call');
  assert.match(third.json.message, /^Rate limit is exceeded/);
});

test('mock-response at global or API scope answers from the operation of each request', async () => {
  const json = (value: unknown) => [{ contentType: 'application/json', example: { value } }];
  const extra = mockOps([{ statusCode: 200, representations: json({ op: 'get' }) }], [{ statusCode: 200, representations: json({ op: 'post' }) }]);
  for (const scope of [{ kind: 'global' }, { kind: 'api', apiName: 'echo' }] as PolicyConfig['scope'][]) {
    await gw.load({ ...echoApi(be.url), ...extra, policies: [policy(scope, { inbound: `<mock-response status-code="200" content-type="application/json" />` })] });
    const before = be.requests.length;
    assert.deepEqual((await call(`${gw.url}/echo/x`)).json, { op: 'get' }, scope.kind);
    assert.deepEqual((await call(`${gw.url}/echo/x`, { method: 'POST', body: '{}' })).json, { op: 'post' }, scope.kind);
    const del = await call(`${gw.url}/echo/x`, { method: 'DELETE' });
    assert.equal(del.status, 200);
    assert.equal(del.text, '', 'an operation without responses answers an empty body');
    assert.equal(be.requests.length, before, 'the backend is never called');
  }
});

test('<base/> inheritance across global → product → API → operation, and placement', async () => {
  const add = (v: string) => `<set-header name="x-order" exists-action="append"><value>${v}</value></set-header>`;
  const product = { name: 'gold', displayName: 'Gold', subscriptionRequired: true, state: 'published' as const, apiNames: ['echo'] };
  const subs = [{ name: 'g', scope: '/products/gold', primaryKey: 'gold-key', secondaryKey: 'gold-2', state: 'active', allowTracing: false }];
  const policies = [
    policy({ kind: 'global' }, { inbound: add('global') }),
    policy({ kind: 'product', productName: 'gold' }, { inbound: `<base/>${add('product')}` }),
    api({ inbound: `<base/>${add('api')}` }),
    policy({ kind: 'operation', apiName: 'echo', operationName: 'get' }, { inbound: `${add('operation')}<base/>` }),
  ];
  await gw.load({ ...echoApi(be.url, { products: [product], subscriptions: subs }), policies });
  await call(`${gw.url}/echo/x`, { headers: { 'ocp-apim-subscription-key': 'gold-key' } });
  assert.equal(be.requests.at(-1)!.headers['x-order'], 'operation, global, product, api');
  await call(`${gw.url}/echo/x`);
  assert.equal(be.requests.at(-1)!.headers['x-order'], 'operation, global, api', 'without a product key, no product policy');
  // An API policy without <base/> cuts global and product off.
  await gw.load({ ...echoApi(be.url, { products: [product], subscriptions: subs }), policies: [...policies.slice(0, 2), api({ inbound: add('api') })] });
  await call(`${gw.url}/echo/x`, { headers: { 'ocp-apim-subscription-key': 'gold-key' } });
  assert.equal(be.requests.at(-1)!.headers['x-order'], 'api');
  // on-error inherits too: the global on-error runs for an API's error.
  await gw.load({ ...echoApi(be.url), policies: [policy({ kind: 'global' }, { onError: `<set-header name="x-global-error"><value>1</value></set-header>` }),
    api({ inbound: `<check-header name="x-need" failed-check-httpcode="400" failed-check-error-message="need it" ignore-case="true" />`, onError: `<base/><set-status code="418" reason="Teapot"/>` })] });
  const r = await call(`${gw.url}/echo/x`);
  assert.equal(r.status, 418);
  assert.equal(r.headers.get('x-global-error'), '1');
  assert.deepEqual(r.json, { statusCode: 400, message: 'need it' });
});

test('on-error: return-response replaces the answer after a backend failure', async () => {
  await gw.load({ ...echoApi('http://127.0.0.1:1'), policies: [api({ onError: `<return-response><set-status code="503" /><set-body>backend down</set-body></return-response>` })] });
  const r = await call(`${gw.url}/echo/x`);
  assert.equal(r.status, 503);
  assert.equal(r.text, 'backend down');
});

test('trace: Ocp-Apim-Trace with a tracing subscription; steps listed, secrets masked', async () => {
  const subs = [{ name: 't', scope: '/apis/echo', primaryKey: 'trace-key-123', secondaryKey: 'x', state: 'active', allowTracing: true },
    { name: 'n', scope: '/apis', primaryKey: 'no-trace-key', secondaryKey: 'y', state: 'active', allowTracing: false }];
  await gw.load({ ...echoApi(be.url, { subscriptions: subs, namedValues: [{ name: 'pw', displayName: 'pw', secret: true, value: 'hunter2-secret' }] }, { subscriptionRequired: true }),
    policies: [api({ inbound: `<set-header name="x-pw"><value>{{pw}}</value></set-header><authentication-managed-identity resource="api://backend" /><set-variable name="v" value="1"/><trace source="unit"><message>hi</message></trace>` })] });
  const r = await call(`${gw.url}/echo/x`, { headers: { 'ocp-apim-subscription-key': 'trace-key-123', 'ocp-apim-trace': 'true' } });
  assert.equal(r.status, 200);
  const loc = r.headers.get('ocp-apim-trace-location');
  assert.ok(loc);
  const t = await call(loc!);
  assert.equal(t.status, 200);
  const names = t.json.entries.map((e: any) => e.source);
  for (const n of ['request', 'set-header', 'authentication-managed-identity', 'set-variable', 'trace', 'backend-request', 'forward-request', 'response']) assert.ok(names.includes(n), `${n} in ${names}`);
  assert.equal(t.json.variables.v, '1');
  assert.ok(!t.text.includes('hunter2-secret'), 'secret named value masked');
  assert.ok(!t.text.includes('trace-key-123'), 'subscription key masked');
  const auth = t.json.entries.find((e: any) => e.source === 'backend-request').data.headers.authorization;
  assert.equal(auth, 'Bearer ***');
  const untraced = await call(`${gw.url}/echo/x`, { headers: { 'ocp-apim-subscription-key': 'no-trace-key', 'ocp-apim-trace': 'true' } });
  assert.equal(untraced.headers.get('ocp-apim-trace-location'), null);
});

test('authentication-managed-identity: the token is cached (Entra asked once for many calls)', async () => {
  let asked = 0;
  const mi = server.entra.managedIdentities;
  const counting = await startGateway({ tokenFor: (...args: Parameters<typeof mi.tokenFor>) => { asked++; return mi.tokenFor(...args); } });
  try {
    await counting.load({ ...echoApi(be.url), policies: [api({ inbound: `<authentication-managed-identity resource="api://cached" />` })] });
    const tokens = new Set<string>();
    for (let i = 0; i < 5; i++) {
      assert.equal((await call(`${counting.url}/echo/x`)).status, 200);
      tokens.add(String(be.requests.at(-1)!.headers.authorization));
    }
    assert.equal(asked, 1);
    assert.equal(tokens.size, 1);
  } finally { await counting.close(); }
});
