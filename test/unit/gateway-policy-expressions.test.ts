// Policy expressions in the attributes (and element texts) where API Management allows them, evaluated per
// request through the compiled pipeline over real HTTP: each converted attribute works with an
// expression, and a runtime value the policy refuses is the policy's error, seen by on-error as
// context.LastError (Source = the policy, Reason, Message, Section, Path).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { SignJWT } from 'jose';
import { startGateway, startBackend, echoApi, policy, call, type Harness, type Backend } from './gateway-harness.js';
import type { InstanceConfig, PolicyConfig } from '../../src/gateway/config.js';

let gw: Harness;
let be: Backend;
const HS_KEY = Buffer.from('another-very-secret-symmetric-key-0123456789');

before(async () => {
  be = await startBackend();
  gw = await startGateway();
});
after(async () => { await gw?.close(); await be?.close(); });

const api = (sections: Parameters<typeof policy>[1]) => policy({ kind: 'api', apiName: 'echo' }, sections);
const header = (name: string, fallback: string) => `context.Request.Headers.GetValueOrDefault("${name}", "${fallback}")`;

/** on-error: context.LastError's fields as response headers (x-error-source, ...). */
const FIELDS = ['Source', 'Reason', 'Message', 'Section', 'Path', 'Scope'] as const;
const REPORT_ERROR = FIELDS.map((f) => `<set-header name="x-error-${f.toLowerCase()}" exists-action="override"><value>@(context.LastError.${f})</value></set-header>`).join('');

async function load(sections: Parameters<typeof policy>[1], extra: Partial<InstanceConfig> = {}, serviceUrl = be.url + '/base'): Promise<void> {
  const fix = (p: PolicyConfig) => ({ ...p, xml: p.xml.replaceAll('BACKEND', be.url) });
  await gw.load({ ...echoApi(serviceUrl), ...extra, policies: [fix(api({ onError: REPORT_ERROR, ...sections }))] });
}

const send = (path: string, init: RequestInit = {}) => call(`${gw.url}/echo${path}`, init);

/** The call failed with this LastError (API Management's 500 unless the error has its own answer). */
function failed(r: Awaited<ReturnType<typeof send>>, want: { source: string; reason: string; message: string; section: string; path: string }, status = 500): void {
  assert.equal(r.status, status, r.text);
  const got = Object.fromEntries(FIELDS.map((f) => [f.toLowerCase(), r.headers.get(`x-error-${f.toLowerCase()}`)]));
  assert.deepEqual(got, { ...want, scope: 'api' });
}

const lastEcho = () => be.requests[be.requests.length - 1];

test('set-header: name and exists-action from expressions; a name that is not a token and an unknown action are set-header\'s errors', async () => {
  await load({ inbound: `<set-header name="@(${header('x-name', 'x-default')})" exists-action="@(${header('x-act', 'override')})"><value>v</value></set-header>` });
  assert.equal((await send('/a', { headers: { 'x-name': 'X-Chosen' } })).status, 200);
  assert.equal(lastEcho().headers['x-chosen'], 'v');
  assert.equal((await send('/a', { headers: { 'x-default': 'old', 'x-act': 'Append' } })).status, 200);
  assert.equal(lastEcho().headers['x-default'], 'old, v');
  assert.equal((await send('/a', { headers: { 'x-default': 'old', 'x-act': 'delete' } })).status, 200);
  assert.equal(lastEcho().headers['x-default'], undefined);
  const before = be.requests.length;
  failed(await send('/a', { headers: { 'x-act': 'replace' } }), {
    source: 'set-header', reason: 'ExpressionValueEvaluationFailure', message: "Expression evaluation failed. Requested value 'replace' was not found.", section: 'inbound', path: 'set-header[1]',
  });
  failed(await send('/a', { headers: { 'x-name': 'bad name' } }), {
    source: 'set-header', reason: 'ExpressionValueEvaluationFailure', message: "Expression evaluation failed. The header name 'bad name' format is invalid.", section: 'inbound', path: 'set-header[1]',
  });
  assert.equal(be.requests.length, before, 'the backend is not called after the error');
});

test('set-header in outbound: the name from an expression sets a response header', async () => {
  await load({ outbound: `<set-header name="@(&quot;x-&quot; + context.Response.StatusCode)"><value>yes</value></set-header>` });
  const r = await send('/a');
  assert.equal(r.headers.get('x-200'), 'yes');
});

test('set-query-parameter: name and exists-action from expressions; an unknown action is its error', async () => {
  await load({ inbound: `<set-query-parameter name="@(${header('x-q', 'q')})" exists-action="@(${header('x-act', 'override')})"><value>9</value></set-query-parameter>` });
  assert.equal((await send('/p?a=1&b=2', { headers: { 'x-q': 'b', 'x-act': 'append' } })).status, 200);
  assert.equal(lastEcho().url, '/base/p?a=1&b=2&b=9');
  assert.equal((await send('/p?a=1&b=2', { headers: { 'x-q': 'a', 'x-act': 'skip' } })).status, 200);
  assert.equal(lastEcho().url, '/base/p?a=1&b=2');
  failed(await send('/p', { headers: { 'x-act': 'nope' } }), {
    source: 'set-query-parameter', reason: 'ExpressionValueEvaluationFailure', message: "Expression evaluation failed. Requested value 'nope' was not found.", section: 'inbound', path: 'set-query-parameter[1]',
  });
});

test('check-header: name, failed-check-httpcode and ignore-case from expressions; a code that is not an int is its error', async () => {
  await load({ inbound: `<check-header name="@(&quot;x-&quot; + &quot;key&quot;)" failed-check-httpcode="@(int.Parse(${header('x-code', '403')}))" failed-check-error-message="no" ignore-case="@(${header('x-fold', 'true')} == &quot;true&quot;)"><value>Alpha</value></check-header>` });
  assert.equal((await send('/a', { headers: { 'x-key': 'ALPHA' } })).status, 200, 'ignore-case true');
  const refused = await send('/a', { headers: { 'x-key': 'ALPHA', 'x-fold': 'false', 'x-code': '418' } });
  assert.equal(refused.status, 418);
  assert.deepEqual(refused.json, { statusCode: 418, message: 'no' });
  assert.equal(refused.headers.get('x-error-reason'), 'HeaderValueNotAllowed');
  await load({ inbound: `<check-header name="x-key" failed-check-httpcode="@(${header('x-code', '403')})" failed-check-error-message="no" ignore-case="true" />` });
  failed(await send('/a', { headers: { 'x-code': 'teapot' } }), {
    source: 'check-header', reason: 'ExpressionValueEvaluationFailure', message: 'Expression evaluation failed. Input string was not in a correct format.', section: 'inbound', path: 'check-header[1]',
  });
});

test('set-status: code from an expression; not an int, or not a status code, is set-status\'s error', async () => {
  await load({ outbound: `<set-status code="@(${header('x-code', '201')})" reason="@(&quot;Made&quot;)" />` });
  const ok = await send('/a');
  assert.equal(ok.status, 201);
  assert.equal((await send('/a', { headers: { 'x-code': '299' } })).status, 299);
  failed(await send('/a', { headers: { 'x-code': 'abc' } }), {
    source: 'set-status', reason: 'ExpressionValueEvaluationFailure', message: 'Expression evaluation failed. Input string was not in a correct format.', section: 'outbound', path: 'set-status[1]',
  });
  failed(await send('/a', { headers: { 'x-code': '42' } }), {
    source: 'set-status', reason: 'ExpressionValueEvaluationFailure', message: "Expression evaluation failed. Specified argument was out of the range of valid values. (Parameter 'StatusCode')", section: 'outbound', path: 'set-status[1]',
  });
});

test('return-response: set-status code and set-header name/exists-action from expressions; a bad action is return-response\'s error', async () => {
  await load({ inbound: `<choose><when condition="true"><return-response><set-status code="@(200 + 2)" reason="Accepted" /><set-header name="@(&quot;x-r&quot;)" exists-action="@(${header('x-act', 'override')})"><value>1</value></set-header><set-body>done</set-body></return-response></when></choose>` });
  const r = await send('/a');
  assert.equal(r.status, 202);
  assert.equal(r.headers.get('x-r'), '1');
  assert.equal(r.text, 'done');
  failed(await send('/a', { headers: { 'x-act': 'merge' } }), {
    source: 'return-response', reason: 'ExpressionValueEvaluationFailure', message: "Expression evaluation failed. Requested value 'merge' was not found.", section: 'inbound', path: 'choose[1]/when[1]/return-response[1]',
  });
});

test('a {{named value}} the parser refuses fails the calls through the policy, not the document', async () => {
  await load({ inbound: `<set-header name="x-before"><value>1</value></set-header><set-status code="{{code}}" />` }, { namedValues: [{ name: 'code', displayName: 'code', secret: false, value: 'abc' }] });
  failed(await send('/a'), {
    source: 'set-status', reason: 'ExpressionValueEvaluationFailure', message: 'Expression evaluation failed. Input string was not in a correct format.', section: 'inbound', path: 'set-status[1]',
  });
});

test('cors: allow-credentials, preflight-result-max-age and method from expressions', async () => {
  await load({ inbound: `<cors allow-credentials="@(${header('x-cred', 'true')} == &quot;true&quot;)" terminate-unmatched-request="@(${header('x-term', 'true')} == &quot;true&quot;)">
    <allowed-origins><origin>https://app.contoso.com</origin></allowed-origins>
    <allowed-methods preflight-result-max-age="@(60 * 5)"><method>@(&quot;PUT&quot;)</method><method>GET</method></allowed-methods>
    <allowed-headers><header>x-custom</header></allowed-headers></cors>` });
  const pre = await send('/a', { method: 'OPTIONS', headers: { origin: 'https://app.contoso.com', 'access-control-request-method': 'PUT' } });
  assert.equal(pre.status, 200);
  assert.equal(pre.headers.get('access-control-allow-methods'), 'PUT,GET');
  assert.equal(pre.headers.get('access-control-max-age'), '300');
  assert.equal(pre.headers.get('access-control-allow-credentials'), 'true');
  const noCred = await send('/a', { method: 'OPTIONS', headers: { origin: 'https://app.contoso.com', 'access-control-request-method': 'PUT', 'x-cred': 'false' } });
  assert.equal(noCred.headers.get('access-control-allow-credentials'), null);
  const before = be.requests.length;
  const ended = await send('/a', { headers: { origin: 'https://evil.example' } });
  assert.equal(ended.text, '');
  assert.equal(be.requests.length, before, 'terminate-unmatched-request true: the unmatched GET is ended');
  assert.equal((await send('/a', { headers: { origin: 'https://evil.example', 'x-term': 'false' } })).status, 200);
  assert.equal(be.requests.length, before + 1, 'terminate-unmatched-request false: it goes on to the backend');
});

test('cors: a negative preflight-result-max-age from an expression is cors\'s error', async () => {
  await load({ inbound: `<cors><allowed-origins><origin>*</origin></allowed-origins><allowed-methods preflight-result-max-age="@(int.Parse(${header('x-age', '-1')}))"><method>GET</method></allowed-methods></cors>` });
  failed(await send('/a', { method: 'OPTIONS', headers: { origin: 'https://x.example', 'access-control-request-method': 'GET' } }), {
    source: 'cors', reason: 'ExpressionValueEvaluationFailure', message: "Expression evaluation failed. Specified argument was out of the range of valid values. (Parameter 'preflight-result-max-age')", section: 'inbound', path: 'cors[1]',
  });
});

test('validate-jwt: header-name, status, require-scheme, require-expiration-time, require-signed-tokens, clock-skew and <audience> from expressions', async () => {
  await load({ inbound: `<validate-jwt header-name="@(&quot;X-Token&quot;)" failed-validation-httpcode="@(400 + 3)" require-scheme="@(&quot;Bearer&quot;)" require-expiration-time="@(false)" require-signed-tokens="@(true)" clock-skew="@(int.Parse(${header('x-skew', '0')}))">
    <issuer-signing-keys><key>${HS_KEY.toString('base64')}</key></issuer-signing-keys>
    <audiences><audience>@(&quot;https://&quot; + context.Request.OriginalUrl.Host)</audience></audiences></validate-jwt>` });
  const token = (aud: string) => new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setAudience(aud).setIssuedAt().sign(HS_KEY);
  const good = await token('https://localhost');
  assert.equal((await send('/a', { headers: { 'x-token': `Bearer ${good}` } })).status, 200, 'no exp claim needed; audience from the request host');
  const wrongAud = await send('/a', { headers: { 'x-token': `Bearer ${await token('https://other')}` } });
  assert.equal(wrongAud.status, 403);
  assert.deepEqual(wrongAud.json, { statusCode: 403, message: 'Invalid JWT.' });
  const noScheme = await send('/a', { headers: { 'x-token': good } });
  assert.equal(noScheme.status, 403, 'require-scheme: the token must follow the scheme');
  assert.deepEqual(noScheme.json, { statusCode: 403, message: 'JWT not present.' });
  failed(await send('/a', { headers: { 'x-token': `Bearer ${good}`, 'x-skew': '-5' } }), {
    source: 'validate-jwt', reason: 'ExpressionValueEvaluationFailure', message: "Expression evaluation failed. Specified argument was out of the range of valid values. (Parameter 'clock-skew')", section: 'inbound', path: 'validate-jwt[1]',
  });
});

test('validate-jwt: query-parameter-name from an expression', async () => {
  await load({ inbound: `<validate-jwt query-parameter-name="@(&quot;access_&quot; + &quot;token&quot;)"><issuer-signing-keys><key>${HS_KEY.toString('base64')}</key></issuer-signing-keys></validate-jwt>` });
  const token = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setIssuedAt().setExpirationTime('5m').sign(HS_KEY);
  assert.equal((await send(`/a?access_token=${token}`)).status, 200);
  assert.equal((await send(`/a?t=${token}`)).status, 401);
});

test('rate-limit-by-key: calls, renewal-period and increment-count from expressions; a renewal-period out of range is its error', async () => {
  await load({ inbound: `<rate-limit-by-key calls="@(int.Parse(${header('x-calls', '3')}))" renewal-period="@(int.Parse(${header('x-period', '60')}))" increment-count="@(2)" counter-key="@(&quot;expr-&quot; + ${header('x-key', 'k')})" total-calls-header-name="x-total" />` });
  const first = await send('/a', { headers: { 'x-key': 'a' } });
  assert.equal(first.status, 200);
  assert.equal(first.headers.get('x-total'), '3', 'the limit from the expression');
  assert.equal((await send('/a', { headers: { 'x-key': 'a' } })).status, 429, 'two calls counted per request: 2 + 2 > 3');
  assert.equal((await send('/a', { headers: { 'x-key': 'b', 'x-calls': '4' } })).status, 200);
  assert.equal((await send('/a', { headers: { 'x-key': 'b', 'x-calls': '4' } })).status, 200, '2 + 2 <= 4');
  failed(await send('/a', { headers: { 'x-key': 'c', 'x-period': '301' } }), {
    source: 'rate-limit-by-key', reason: 'ExpressionValueEvaluationFailure', message: "Expression evaluation failed. The 'renewal-period' attribute must be between 1 and 300 seconds.", section: 'inbound', path: 'rate-limit-by-key[1]',
  });
  failed(await send('/a', { headers: { 'x-key': 'c', 'x-calls': 'many' } }), {
    source: 'rate-limit-by-key', reason: 'ExpressionValueEvaluationFailure', message: 'Expression evaluation failed. Input string was not in a correct format.', section: 'inbound', path: 'rate-limit-by-key[1]',
  });
});

test('set-backend-service: base-url and backend-id from expressions; a URL that is not http(s) and an unknown backend are its errors', async () => {
  await load({ inbound: `<set-backend-service base-url="@(&quot;BACKEND/&quot; + ${header('x-tenant', 't0')})" />` });
  assert.equal((await send('/p', { headers: { 'x-tenant': 't1' } })).status, 200);
  assert.equal(lastEcho().url, '/t1/p');
  await load({ inbound: `<set-backend-service base-url="@(${header('x-url', 'file:///etc/passwd')})" />` });
  failed(await send('/p'), {
    source: 'set-backend-service', reason: 'BackendUrlInvalid', message: "The backend URL 'file:///etc/passwd' is not an absolute http or https URL.", section: 'inbound', path: 'set-backend-service[1]',
  });
  await load({ inbound: `<set-backend-service backend-id="@(${header('x-be', 'be1')})" />` }, { backends: [{ name: 'be1', url: `${be.url}/from-be1`, protocol: 'http' }] });
  assert.equal((await send('/p')).status, 200);
  assert.equal(lastEcho().url, '/from-be1/p');
  failed(await send('/p', { headers: { 'x-be': 'nope' } }), {
    source: 'set-backend-service', reason: 'BackendNotFound', message: "Backend with id 'nope' could not be found.", section: 'inbound', path: 'set-backend-service[1]',
  });
});

test('rewrite-uri: the template from an expression, then its parameters filled in; copy-unmatched-params from an expression', async () => {
  const extra = { operations: [{ apiName: 'echo', name: 'user', displayName: 'user', method: 'GET', urlTemplate: '/u/{id}', templateParameters: [{ name: 'id' }] }] };
  await load({ inbound: `<rewrite-uri template="@(&quot;/users/{id}/&quot; + ${header('x-leaf', 'profile')} + &quot;?src=gw&quot;)" copy-unmatched-params="@(${header('x-copy', 'true')} == &quot;true&quot;)" />` }, extra);
  assert.equal((await send('/u/42?keep=yes', { headers: { 'x-leaf': 'photos' } })).status, 200);
  assert.equal(lastEcho().url, '/base/users/42/photos?src=gw&keep=yes');
  assert.equal((await send('/u/7?keep=yes', { headers: { 'x-copy': 'false' } })).status, 200);
  assert.equal(lastEcho().url, '/base/users/7/profile?src=gw');
});

test('forward-request: timeout and timeout-ms from expressions; a negative continue-timeout is its error (backend section)', async () => {
  await load({ backend: `<forward-request timeout="@(int.Parse(${header('x-timeout', '1')}))" follow-redirects="@(false)" />` });
  const slow = await send('/slow/3000');
  assert.equal(slow.status, 500);
  assert.equal(slow.headers.get('x-error-reason'), 'Timeout');
  assert.equal((await send('/slow/10', { headers: { 'x-timeout': '30' } })).status, 200);
  await load({ backend: `<forward-request timeout-ms="@(${header('x-ms', '5000')})" continue-timeout="@(int.Parse(${header('x-continue', '1')}))" />` });
  assert.equal((await send('/slow/10')).status, 200);
  failed(await send('/a', { headers: { 'x-continue': '-1' } }), {
    source: 'forward-request', reason: 'ExpressionValueEvaluationFailure', message: "Expression evaluation failed. Specified argument was out of the range of valid values. (Parameter 'continue-timeout')", section: 'backend', path: 'forward-request[1]',
  });
});

test('send-request: mode, response-variable-name, timeout and set-header name/exists-action from expressions; an unknown mode is its error', async () => {
  await load({ inbound: `<send-request mode="@(${header('x-mode', 'copy')})" response-variable-name="@(&quot;si&quot; + &quot;de&quot;)" timeout="@(5)">
      <set-url>BACKEND/side</set-url>
      <set-header name="@(&quot;x-&quot; + &quot;side&quot;)" exists-action="@(&quot;append&quot;)"><value>2</value></set-header></send-request>
    <return-response response-variable-name="side" />` });
  const copied = await send('/a', { method: 'POST', body: 'payload', headers: { 'x-side': '1' } });
  assert.equal(copied.status, 200);
  assert.equal(copied.json.url, '/side');
  assert.equal(copied.json.method, 'POST', 'mode copy from the expression');
  assert.equal(copied.json.body, 'payload');
  assert.equal(copied.json.headers['x-side'], '1, 2');
  const fresh = await send('/a', { method: 'POST', body: 'payload', headers: { 'x-mode': 'new', 'x-side': '1' } });
  assert.equal(fresh.json.method, 'GET', 'mode new');
  assert.equal(fresh.json.headers['x-side'], '2');
  failed(await send('/a', { headers: { 'x-mode': 'clone' } }), {
    source: 'send-request', reason: 'ExpressionValueEvaluationFailure', message: "Expression evaluation failed. Requested value 'clone' was not found.", section: 'inbound', path: 'send-request[1]',
  });
});

test('a header lookup with constant arguments (compiled to a direct read) sees what set-header did earlier in the pipeline', async () => {
  const read = (name: string, dflt: string, where = 'Request') => `<value>@(context.${where}.Headers.GetValueOrDefault("${name}", "${dflt}"))</value>`;
  await load({
    inbound: `<set-header name="x-tag-before" exists-action="override">${read('X-Tag', 'none')}</set-header>
      <set-header name="x-tag" exists-action="append"><value>added</value></set-header>
      <set-header name="x-tag-after" exists-action="override">${read('X-Tag', 'none')}</set-header>
      <set-header name="x-gone" exists-action="delete" />
      <set-header name="x-gone-after" exists-action="override">${read('x-gone', 'deleted')}</set-header>`,
    outbound: `<set-header name="x-backend" exists-action="append"><value>also</value></set-header>
      <set-header name="x-backend-seen" exists-action="override">${read('X-Backend', 'none', 'Response')}</set-header>`,
  });
  const r = await send('/a', { headers: { 'x-tag': 'client', 'x-gone': 'here' } });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual([lastEcho().headers['x-tag-before'], lastEcho().headers['x-tag-after'], lastEcho().headers['x-gone-after']], ['client', 'client,added', 'deleted']);
  assert.equal(r.headers.get('x-backend-seen'), 'yes,also');
  assert.equal((await send('/a')).status, 200);
  assert.deepEqual([lastEcho().headers['x-tag-before'], lastEcho().headers['x-tag-after']], ['none', 'added']);
});
