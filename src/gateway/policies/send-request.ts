// send-request, send-one-way-request and proxy (Microsoft Learn, "send-request", "send-one-way-request"
// and "Set HTTP proxy" policy reference pages).
//
// send-request: a request of its own (mode new, or copy of the current one), with set-url/set-method/
// set-header/set-body, authentication-managed-identity, authentication-certificate (the request made
// with that client certificate, on a pool of its own that keeps the gateway's trust) and proxy inside; the answer (a Response, body
// read) goes into response-variable-name (when given), or null when it failed and ignore-error is true.
// send-one-way-request: the same request, sent without waiting for it; it never fails the call.
// proxy: the backend call (forward-request) goes through an HTTP proxy, with Basic credentials.
import type { Dispatcher } from 'undici';
import { undici } from '../../common/lazy-modules.js';
import { PolicyError, fixed, type CompileContext, type ElementSchema, type PolicyDefinition, type Run, type Value } from '../policy/types.js';
import type { XNode } from '../policy/xml.js';
import { intAtLeast, nonEmpty, oneOf } from '../policy/parse.js';
import { headerNameProblem, headerSetter, setHeaderSchema } from './headers.js';
import { GatewayResponse, type GatewayContext } from '../runtime/context.js';
import { managedIdentitySchema, managedIdentityToken } from './identity.js';
import { bufferRequestBody } from './routing.js';
import { hasBody, type ProxySettings } from '../runtime/backend.js';
import { certificateCheck, certificateSchema, clientCertificate } from './authentication.js';
import { waitBranch } from '../runtime/steps.js';
import { isExpression, namedValueRefs } from '../policy/values.js';

const HTTP_URL = /^https?:\/\/[^/]/i;
const MODES = ['new', 'copy'] as const;
const HOP = new Set(['host', 'connection', 'keep-alive', 'transfer-encoding', 'te', 'upgrade', 'expect', 'content-length']);

// ---- proxy ----

/** proxy's attributes: "Policy expressions: supported". */
const proxySchema: ElementSchema = { attrs: { url: { required: true, expr: true }, username: { expr: true }, password: { expr: true } } };

/** "Only HTTP (not HTTPS) is supported between the gateway and the proxy": an http://host[:port] URL. */
function proxyUrlProblem(url: string): string | undefined {
  try {
    const u = new URL(url);
    if (u.protocol === 'http:' && u.hostname !== '' && (u.pathname === '/' || u.pathname === '') && !u.search && !u.username) return undefined;
  } catch { /* not a URL */ }
  return `The proxy URL '${url}' is not of the form http://host:port.`;
}

const proxyCheck = (node: XNode): string | undefined => {
  const url = node.attrs.url;
  if (url === undefined || isExpression(url) || namedValueRefs(url).length > 0) return undefined;
  return proxyUrlProblem(url.trim());
};

/** A proxy element compiled: its settings for a request (a URL an expression gives is checked then). */
function proxySettings(node: XNode, c: CompileContext): (ctx: GatewayContext) => ProxySettings {
  const url = c.read(node, 'url', (u) => {
    const problem = proxyUrlProblem(u.trim());
    if (problem) throw new PolicyError('ProxyUrlInvalid', problem);
    return u.trim();
  })!;
  const username = c.attr(node, 'username');
  const password = c.attr(node, 'password');
  const fixedText = (v: Value | undefined) => v === undefined || v.constant !== undefined;
  if (url.constant !== undefined && fixedText(username) && fixedText(password)) {
    const s: ProxySettings = { url: url.constant, username: username?.constant, password: password?.constant };
    return () => s;
  }
  return (ctx) => ({ url: url(ctx), username: username?.(ctx), password: password?.(ctx) });
}

const proxy: PolicyDefinition = {
  name: 'proxy',
  sections: ['inbound'],
  scopes: ['global', 'product', 'api', 'operation'],
  schema: proxySchema,
  check: proxyCheck,
  compile(node, c): Run {
    const settings = proxySettings(node, c);
    return (ctx) => { ctx.proxy = settings(ctx); };
  },
};

// ---- the request of send-request and send-one-way-request ----

const requestChildren = (withIdentity: boolean): Record<string, ElementSchema & { max?: number }> => ({
  'set-url': { text: true, textExpr: true, max: 1 },
  // "Sets the method of the request. Policy expressions aren't allowed."
  'set-method': { text: true, max: 1 },
  'set-header': setHeaderSchema,
  'set-body': { text: true, textExpr: true, max: 1 },
  ...(withIdentity ? { 'authentication-managed-identity': { ...managedIdentitySchema, max: 1 } } : {}),
  'authentication-certificate': { ...certificateSchema, max: 1 },
  proxy: { ...proxySchema, max: 1 },
});

function requestCheck(node: XNode): string | { node: XNode; message: string } | undefined {
  // A mode given by an expression is known per request: without set-url, a call in mode new then fails.
  const mode = node.attrs.mode ?? 'new';
  if (!isExpression(mode) && mode.toLowerCase() !== 'copy' && !node.children.some((c) => c.name === 'set-url')) return `The 'set-url' element is required when mode is 'new'.`;
  const setUrl = node.children.find((c) => c.name === 'set-url');
  if (setUrl && namedValueRefs(setUrl.text).length === 0 && !isExpression(setUrl.text) && !HTTP_URL.test(setUrl.text.trim())) {
    return { node: setUrl, message: `The URL '${setUrl.text.trim()}' is not an absolute http or https URL.` };
  }
  const auth = node.children.find((c) => c.name === 'authentication-managed-identity');
  if (auth?.attrs['output-token-variable-name'] !== undefined) return { node: auth, message: `The 'output-token-variable-name' attribute cannot be used inside ${node.name}.` };
  for (const h of node.children) {
    const problem = h.name === 'set-header' ? headerNameProblem(h) : h.name === 'authentication-certificate' ? certificateCheck(h) : undefined;
    if (problem) return { node: h, message: problem };
  }
  const p = node.children.find((c) => c.name === 'proxy');
  const pp = p ? proxyCheck(p) : undefined;
  if (pp) return { node: p!, message: pp };
  return undefined;
}

interface Outgoing { url: string; method: string; headers: Record<string, string | string[]>; body: Buffer | string | undefined; timeoutMs: number; dispatcher?: Dispatcher }

/** The request an element describes, built for one call (its values, the copied request, the token). */
function requestBuilder(node: XNode, c: CompileContext): (ctx: GatewayContext) => Promise<Outgoing> {
  const mode = c.read(node, 'mode', oneOf(MODES)) ?? fixed('new');
  const timeoutMs = c.read(node, 'timeout', (t) => intAtLeast(0, 'timeout')(t) * 1000) ?? fixed(60_000);
  const child = (n: string) => node.children.find((ch) => ch.name === n);
  const text = (n: string): Value | undefined => { const ch = child(n); return ch ? c.value(ch.text) : undefined; };
  const url = text('set-url');
  const method = text('set-method');
  const body = text('set-body');
  const headerEdits = node.children.filter((ch) => ch.name === 'set-header').map((h) => headerSetter(h, c));
  const auth = child('authentication-managed-identity');
  const token = auth ? managedIdentityToken(auth, c) : undefined;
  const certNode = child('authentication-certificate');
  const cert = certNode ? clientCertificate(certNode, c) : undefined;
  const proxyNode = child('proxy');
  const via = proxyNode ? proxySettings(proxyNode, c) : undefined;
  // "In the outbound policy section, mode=copy does not initialize the request body" (it was sent already).
  const copyBody = c.section === 'inbound' || c.section === 'backend';
  const client = c.services.client;
  return async (ctx) => {
    const headers: Record<string, string | string[]> = {};
    let target = '';
    let verb = 'GET';
    let payload: Buffer | string | undefined;
    if (mode(ctx) === 'copy') {
      for (const [k, v] of Object.entries(ctx.headers)) if (v !== undefined && !HOP.has(k)) headers[k] = v;
      const qs = ctx.queryString();
      target = ctx.backendOrigin + ctx.backendBasePath + ctx.path + (qs ? `?${qs}` : '');
      verb = ctx.method;
      if (ctx.requestBody !== undefined) payload = ctx.requestBody;
      else if (copyBody && !ctx.requestBodyConsumed && hasBody(ctx)) payload = await bufferRequestBody(ctx);
    }
    if (url) target = url(ctx);
    if (method) verb = method(ctx).trim().toUpperCase();
    if (body) payload = body(ctx);
    for (const set of headerEdits) set(headers, ctx);
    if (token) {
      const t = await token(ctx);
      if (t !== undefined) headers.authorization = `Bearer ${t}`;
    }
    // Only http(s): a named value or a copied request must not turn this into a file or data reader.
    if (!HTTP_URL.test(target.trim())) throw new PolicyError('RequestFailed', `${node.name}: '${target}' is not an absolute http or https URL.`);
    const tlsCert = cert?.(ctx);
    const dispatcher = via ? client.proxied(via(ctx), tlsCert) : tlsCert ? client.pool(new URL(target.trim()).origin, tlsCert) : client.dispatcher;
    return { url: target, method: verb, headers, body: payload, timeoutMs: timeoutMs(ctx), dispatcher };
  };
}

/** Sends a built request; the answer with its body read. */
async function send(o: Outgoing, signal?: AbortSignal): Promise<GatewayResponse> {
  const res = await undici().request(o.url, {
    signal, method: o.method as 'GET', headers: o.headers, body: o.body, headersTimeout: o.timeoutMs, bodyTimeout: o.timeoutMs,
    ...(o.dispatcher ? { dispatcher: o.dispatcher } : {}),
  });
  const buf = Buffer.from(await res.body.arrayBuffer());
  const h: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) h[k] = v;
  const r = new GatewayResponse(res.statusCode, h);
  r.body = buf;
  return r;
}

const sendRequest: PolicyDefinition = {
  name: 'send-request',
  sections: ['inbound', 'backend', 'outbound', 'on-error'],
  schema: {
    // response-variable-name allows expressions here (it does not in return-response); ignore-error does not.
    // The page marks response-variable-name required, but Azure's gateway accepts a send-request without
    // one (its answer is then read and dropped), and published policies rely on that.
    attrs: { mode: { values: MODES, expr: true }, 'response-variable-name': { expr: true }, timeout: { type: 'int', expr: true }, 'ignore-error': { type: 'bool' } },
    children: requestChildren(true),
  },
  check: requestCheck,
  compile(node, c): Run {
    const variable = c.read(node, 'response-variable-name', nonEmpty);
    const ignoreError = (node.attrs['ignore-error'] ?? 'false').toLowerCase() === 'true';
    const build = requestBuilder(node, c);
    return async (ctx) => {
      const name = variable?.(ctx);
      // In a wait for="any" branch, the call stops once another branch completed the wait.
      const branch = waitBranch.getStore();
      let r: GatewayResponse | null;
      try {
        r = await send(await build(ctx), branch ? AbortSignal.any([ctx.clientGone, branch]) : ctx.clientGone);
      } catch (e) {
        if (branch?.aborted) return;
        if (e instanceof PolicyError) throw e;
        if (!ignoreError) {
          const err = new PolicyError('RequestFailed', `send-request failed: ${e instanceof Error ? e.message : String(e)}`);
          err.source = 'send-request';
          throw err;
        }
        r = null;
      }
      if (name !== undefined && !branch?.aborted) ctx.variables.set(name, r);
    };
  },
};

const sendOneWayRequest: PolicyDefinition = {
  name: 'send-one-way-request',
  sections: ['inbound', 'backend', 'outbound', 'on-error'],
  schema: { attrs: { mode: { values: MODES, expr: true }, timeout: { type: 'int', expr: true } }, children: requestChildren(false) },
  check: requestCheck,
  compile(node, c): Run {
    const build = requestBuilder(node, c);
    const logger = c.services.logger;
    const where = `${c.scopeKey} ${c.section} ${c.path}`;
    // Fire and forget: the call goes on at once; what happens to the request (a value that does not
    // evaluate, a refused URL, no answer) is logged, never the call's error.
    const drop = (e: unknown) => { logger.error(`send-one-way-request at ${where} failed: ${e instanceof Error ? e.message : String(e)}`); };
    return (ctx) => {
      let built: Promise<Outgoing>;
      try { built = build(ctx); } catch (e) { drop(e); return; }
      built.then((o) => send(o)).then(() => undefined, drop);
      // The call waits for the request to be built (mode="copy" reads the client's body, a managed
      // identity token may be fetched), never for its answer.
      return built.then(() => undefined, () => undefined);
    };
  },
};

export const sendRequestPolicies: PolicyDefinition[] = [sendRequest, sendOneWayRequest, proxy];
