// Policy expressions end to end, on a server with --gateway-workers 2: policies PUT through
// @azure/arm-apimanagement, calls from real HTTP clients on fresh connections (so both processes serve),
// a real backend that echoes what it received. Covers the three expression shapes the issue names (a
// header from a header, a choose on a query parameter, a JObject body edit), bodies read in inbound and
// outbound, context values, run-time exceptions going to on-error with context.LastError, escape attempts
// refused at PUT with the element, line and column, and runaways stopped with a 500 while both
// processes keep serving other calls.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ApiManagementClient } from '@azure/arm-apimanagement';
import { RestError } from '@azure/core-rest-pipeline';
import { createApimInstance } from '../helpers/apim.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { freshRequest, policyXml } from '../helpers/gateway.js';

const RG = 'expr-rg';
const SVC = 'expr-apim';
const API = 'ex';

/** A backend that answers 200 with JSON of what it received: method, path, headers, body. */
async function startEchoBackend(): Promise<{ url: string; seen: () => number; close(): Promise<void> }> {
  let n = 0;
  const server = http.createServer((req, res) => {
    n++;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ method: req.method, path: req.url, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen: () => n,
    close: () => new Promise<void>((r) => { server.close(() => r()); server.closeAllConnections(); }),
  };
}

describe('policy expressions through the gateway (--gateway-workers 2)', () => {
  let server: TestServer;
  let apim: ApiManagementClient;
  let backend: Awaited<ReturnType<typeof startEchoBackend>>;
  let gatewayUrl: string;
  const tail = () => `\n--- server output (tail) ---\n${server.output().slice(-3000)}`;

  const setApiPolicy = (xml: string) => apim.apiPolicy.createOrUpdate(RG, SVC, API, 'policy', { format: 'rawxml', value: xml });
  const setOperationPolicy = (op: string, xml: string) => apim.apiOperationPolicy.createOrUpdate(RG, SVC, API, op, 'policy', { format: 'rawxml', value: xml });
  const call = (path: string, init: Parameters<typeof freshRequest>[1] = {}) => freshRequest(`${gatewayUrl}/${API}${path}`, init);

  /** The 400 a PUT of this document gets (fails when it is accepted). */
  async function refused(xml: string): Promise<{ code: string; messages: string[] }> {
    try {
      await setApiPolicy(xml);
    } catch (e) {
      assert.ok(e instanceof RestError, String(e));
      assert.equal(e.statusCode, 400);
      const body = (e.details ?? {}) as { error?: { code: string; details?: { message: string }[] } };
      const err = body.error ?? (JSON.parse(String((e.response as { bodyAsText?: string } | undefined)?.bodyAsText ?? '{}')).error);
      return { code: err.code, messages: (err.details ?? []).map((d: { message: string }) => d.message) };
    }
    return assert.fail(`accepted: ${xml}`);
  }

  before(async () => {
    server = await startTestServer({ args: ['--gateway-workers', '2'] });
    backend = await startEchoBackend();
    const made = await createApimInstance(server, RG, SVC);
    apim = made.apim;
    gatewayUrl = made.service.gatewayUrl!;
    await apim.api.beginCreateOrUpdateAndWait(RG, SVC, API, {
      displayName: 'Expressions', path: API, serviceUrl: backend.url, protocols: ['https'], subscriptionRequired: false,
    });
    for (const [name, method, urlTemplate] of [['get', 'GET', '/items/*'], ['post', 'POST', '/items/*'], ['loop', 'GET', '/loop/{kind}'], ['ok', 'GET', '/ok/*']]) {
      const templateParameters = urlTemplate.includes('{kind}') ? [{ name: 'kind', type: 'string', required: true }] : [];
      await apim.apiOperation.createOrUpdate(RG, SVC, API, name, { displayName: name, method, urlTemplate, templateParameters });
    }
  });

  after(async () => {
    await server?.stop('SIGKILL');
    await backend?.close();
  });

  it('a header from a header, a choose on a query parameter, a JObject body edit; the response body read in outbound', async () => {
    await setApiPolicy(`<policies>
  <inbound>
    <base />
    <set-header name="x-copied" exists-action="override">
      <value>@(context.Request.Headers.GetValueOrDefault("x-source", "none").ToUpperInvariant())</value>
    </set-header>
    <choose>
      <when condition="@(context.Request.Url.Query.GetValueOrDefault("mode", "") == "mock")">
        <return-response>
          <set-status code="200" reason="OK" />
          <set-header name="content-type" exists-action="override"><value>application/json</value></set-header>
          <set-body>@($"{{\\"mode\\":\\"{context.Request.Url.Query.GetValueOrDefault("mode", "")}\\",\\"op\\":\\"{context.Operation.Name}\\"}}")</set-body>
        </return-response>
      </when>
    </choose>
    <choose>
      <when condition="@(context.Request.Method == "POST")">
        <set-body>@{
          var body = context.Request.Body.As<JObject>(preserveContent: true);
          body["count"] = (int)body["count"] + 1;
          body["added"] = "yes";
          return body.ToString(Newtonsoft.Json.Formatting.None);
        }</set-body>
      </when>
    </choose>
  </inbound>
  <backend><base /></backend>
  <outbound>
    <base />
    <set-body>@{
      var echoed = context.Response.Body.As<JObject>();
      return new JObject(
        new JProperty("status", context.Response.StatusCode),
        new JProperty("copied", echoed["headers"]["x-copied"]),
        new JProperty("body", echoed["body"]),
        new JProperty("service", context.Deployment.ServiceName)).ToString(Newtonsoft.Json.Formatting.None);
    }</set-body>
  </outbound>
  <on-error><base /></on-error>
</policies>`);
    const posted = await call('/items/1', { method: 'POST', headers: { 'x-source': 'abc', 'content-type': 'application/json' }, body: '{"count":41}' });
    assert.equal(posted.status, 200, posted.text + tail());
    assert.deepEqual(posted.json, { status: 200, copied: 'ABC', body: '{"count":42,"added":"yes"}', service: SVC });

    const got = await call('/items/2');
    assert.equal(got.status, 200, got.text);
    assert.deepEqual(got.json, { status: 200, copied: 'NONE', body: '', service: SVC });

    const before = backend.seen();
    const mocked = await call('/items/3?mode=mock');
    assert.equal(mocked.status, 200, mocked.text);
    assert.deepEqual(mocked.json, { mode: 'mock', op: 'get' });
    assert.equal(backend.seen(), before, 'the choose answered without calling the backend');
  });

  it('a run-time exception goes to on-error with context.LastError as API Management fills it; without on-error the caller gets 500', async () => {
    await setApiPolicy(policyXml('<set-variable name="n" value="@(int.Parse(context.Request.Headers.GetValueOrDefault(&quot;x-n&quot;, &quot;oops&quot;)))" id="parse-n" />')
      .replace('<on-error><base /></on-error>', `<on-error>
    <return-response>
      <set-status code="418" reason="Caught" />
      <set-header name="x-source" exists-action="override"><value>@(context.LastError.Source)</value></set-header>
      <set-header name="x-reason" exists-action="override"><value>@(context.LastError.Reason)</value></set-header>
      <set-header name="x-message" exists-action="override"><value>@(context.LastError.Message)</value></set-header>
      <set-header name="x-section" exists-action="override"><value>@(context.LastError.Section)</value></set-header>
      <set-header name="x-path" exists-action="override"><value>@(context.LastError.Path)</value></set-header>
      <set-header name="x-policy-id" exists-action="override"><value>@(context.LastError.PolicyId)</value></set-header>
    </return-response>
  </on-error>`));
    const ok = await call('/items/1', { headers: { 'x-n': '7' } });
    assert.equal(ok.status, 200, ok.text + tail());
    const r = await call('/items/1');
    assert.equal(r.status, 418, r.text + tail());
    assert.equal(r.headers['x-source'], 'set-variable');
    assert.equal(r.headers['x-reason'], 'ExpressionValueEvaluationFailure');
    assert.match(String(r.headers['x-message']), /^Expression evaluation failed\. .*(not in a correct format)/);
    assert.equal(r.headers['x-section'], 'inbound');
    assert.equal(r.headers['x-path'], 'set-variable[1]');
    assert.equal(r.headers['x-policy-id'], 'parse-n');

    await setApiPolicy(policyXml('<set-header name="x" exists-action="override"><value>@(((string)null).Length.ToString())</value></set-header>'));
    const unhandled = await call('/items/1');
    assert.equal(unhandled.status, 500, unhandled.text);
    assert.equal(unhandled.json.message, 'Internal server error', 'the exception message is not shown to the caller');
  });

  it('escape attempts and names outside the declared surface are refused at PUT, naming the element, line and column', async () => {
    const cases: [string, RegExp][] = [
      ['@(System.IO.File.ReadAllText("/etc/passwd"))', /not allowed in policy expressions/],
      ['@(System.Diagnostics.Process.Start("sh").Id.ToString())', /not allowed in policy expressions/],
      ['@(context.GetType().Assembly.FullName)', /'GetType' is not a member of 'IProxyRequestContext'/],
      ['@("".constructor)', /'constructor' is not a member of 'string'/],
      ['@(process.env.HOME)', /The name 'process' does not exist in the current context/],
      ['@(globalThis.require("fs"))', /The name 'globalThis' does not exist/],
      ['@(context.Variables.__proto__)', /'__proto__' is not a member of 'VariableDictionary'/],
      ['@(Type.GetType("System.IO.File"))', /does not exist|not allowed/],
    ];
    for (const [expr, message] of cases) {
      const xml = policyXml(`<set-header name="x" exists-action="override">\n      <value>${expr.replace(/"/g, '&quot;')}</value>\n    </set-header>`);
      const { code, messages } = await refused(xml);
      assert.equal(code, 'ValidationError', expr);
      assert.equal(messages.length, 1, `${expr}: ${messages.join(' | ')}`);
      assert.match(messages[0], /^Error in element 'value' on line 5, column \d+: /, expr);
      assert.match(messages[0], message, expr);
    }
    // Raw quotes and `<` inside an expression are Azure's syntax, not XML's: accepted as written.
    await setApiPolicy(policyXml('<set-header name="x-raw" exists-action="override"><value>@(1 < 2 && "a" != "b" ? "yes" : "no")</value></set-header>'));
    const r = await call('/items/raw');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.headers['x-raw'], 'yes');
  });

  it('runaways are stopped with a 500 (loops, endless LINQ, recursion, growing strings; catch cannot swallow the stop) while both processes keep serving', async () => {
    await setApiPolicy(policyXml(''));
    await setOperationPolicy('ok', policyXml('<set-header name="x-ok" exists-action="override"><value>@(context.Request.Url.Path)</value></set-header>'));
    await setOperationPolicy('loop', policyXml(`<set-variable name="x" value="@{
      switch (context.Request.MatchedParameters["kind"]) {
        case "while": while (true) { } 
        case "catch": try { for (;;) { } } catch (Exception) { return "swallowed"; }
        case "linq": return Enumerable.Range(0, int.MaxValue).Select(i => i * 2).Count();
        case "recursion": { int Down(int n) => Down(n + 1); return Down(0); }
        case "string": { var s = "0123456789abcdef"; while (true) { s = s + s; } }
        default: return 0;
      }
    }" />`));
    for (const kind of ['while', 'catch', 'linq', 'recursion', 'string']) {
      const runaway = call(`/loop/${kind}`, { timeoutMs: 60_000 });
      const others = Promise.all(Array.from({ length: 6 }, (_, i) => call(`/ok/${kind}/${i}`, { timeoutMs: 60_000 })));
      const [r, rest] = await Promise.all([runaway, others]);
      assert.equal(r.status, 500, `${kind}: ${r.status} ${r.text}${tail()}`);
      assert.equal(r.json.message, 'Internal server error');
      for (const [i, o] of rest.entries()) {
        assert.equal(o.status, 200, `${kind}: call ${i} while a runaway ran: ${o.status} ${o.text}`);
        assert.equal(o.json.headers['x-ok'], `/ok/${kind}/${i}`);
      }
    }
    // And the processes are healthy afterwards: twelve calls on fresh connections all answer.
    const after = await Promise.all(Array.from({ length: 12 }, (_, i) => call(`/ok/after/${i}`)));
    assert.deepEqual(after.map((a) => a.status), Array(12).fill(200));
  });

  it('context values: Api, Operation, Deployment, Request, RequestId, Timestamp', async () => {
    await setApiPolicy(policyXml(`<set-header name="x-ctx" exists-action="override"><value>@{
      var parts = new List<string> {
        context.Api.Name, context.Api.Path, context.Operation.Name, context.Deployment.GatewayId, context.Deployment.ServiceName,
        context.Request.Method, context.Request.Url.Path, context.Request.OriginalUrl.Query.GetValueOrDefault("q", ""),
        context.Request.IpAddress, (context.Subscription == null).ToString(), context.Timestamp.Year >= 2024 ? "ts" : "no-ts",
        context.RequestId.ToString().Length.ToString(), context.Variables.Count.ToString()
      };
      return string.Join("|", parts);
    }</value></set-header>`));
    const r = await call('/items/9?q=a%20b');
    assert.equal(r.status, 200, r.text + tail());
    assert.equal(r.json.headers['x-ctx'], `Expressions|${API}|get|managed|${SVC}|GET|/items/9|a b|127.0.0.1|True|ts|36|0`);
  });
});
