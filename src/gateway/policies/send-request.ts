// send-request: a request of its own (mode new, or copy of the current one), with set-url/set-method/
// set-header/set-body and authentication-managed-identity inside; the answer (a Response, body read)
// goes into response-variable-name, or null when it failed and ignore-error is true.
import { request } from 'undici';
import { PolicyError, fixed, type PolicyDefinition, type Run } from '../policy/types.js';
import { intAtLeast, nonEmpty, oneOf } from '../policy/parse.js';
import { headerSetter, setHeaderSchema } from './headers.js';
import { GatewayResponse, type GatewayContext } from '../runtime/context.js';
import { managedIdentitySchema, managedIdentityToken } from './identity.js';
import { bufferRequestBody } from './routing.js';
import { isExpression, namedValueRefs } from '../policy/values.js';

const HTTP_URL = /^https?:\/\/[^/]/i;
const MODES = ['new', 'copy'] as const;
const HOP = new Set(['host', 'connection', 'keep-alive', 'transfer-encoding', 'te', 'upgrade', 'expect', 'content-length']);

const sendRequest: PolicyDefinition = {
  name: 'send-request',
  sections: ['inbound', 'backend', 'outbound', 'on-error'],
  schema: {
    // response-variable-name allows expressions here (it does not in return-response); ignore-error does not.
    attrs: { mode: { values: MODES, expr: true }, 'response-variable-name': { required: true, expr: true }, timeout: { type: 'int', expr: true }, 'ignore-error': { type: 'bool' } },
    children: {
      'set-url': { text: true, textExpr: true, max: 1 },
      // "Sets the method of the request. Policy expressions aren't allowed."
      'set-method': { text: true, max: 1 },
      'set-header': setHeaderSchema,
      'set-body': { text: true, textExpr: true, max: 1 },
      'authentication-managed-identity': { ...managedIdentitySchema, max: 1 },
    },
  },
  check(node) {
    // A mode given by an expression is known per request: without set-url, a call in mode new then fails.
    const mode = node.attrs.mode ?? 'new';
    if (!isExpression(mode) && mode.toLowerCase() !== 'copy' && !node.children.some((c) => c.name === 'set-url')) return `The 'set-url' element is required when mode is 'new'.`;
    const setUrl = node.children.find((c) => c.name === 'set-url');
    if (setUrl && namedValueRefs(setUrl.text).length === 0 && !isExpression(setUrl.text) && !HTTP_URL.test(setUrl.text.trim())) {
      return { node: setUrl, message: `The URL '${setUrl.text.trim()}' is not an absolute http or https URL.` };
    }
    const auth = node.children.find((c) => c.name === 'authentication-managed-identity');
    if (auth?.attrs['output-token-variable-name'] !== undefined) return { node: auth, message: `The 'output-token-variable-name' attribute cannot be used inside send-request.` };
    return undefined;
  },
  compile(node, c): Run {
    const mode = c.read(node, 'mode', oneOf(MODES)) ?? fixed('new');
    const variable = c.read(node, 'response-variable-name', nonEmpty)!;
    const timeoutMs = c.read(node, 'timeout', (t) => intAtLeast(0, 'timeout')(t) * 1000) ?? fixed(60_000);
    const ignoreError = (node.attrs['ignore-error'] ?? 'false').toLowerCase() === 'true';
    const child = (n: string) => node.children.find((ch) => ch.name === n);
    const url = child('set-url') ? c.value(child('set-url')!.text) : undefined;
    const method = child('set-method') ? c.value(child('set-method')!.text) : undefined;
    const body = child('set-body') ? c.value(child('set-body')!.text) : undefined;
    const headerEdits = node.children.filter((ch) => ch.name === 'set-header').map((h) => headerSetter(h, c));
    const auth = child('authentication-managed-identity');
    const token = auth ? managedIdentityToken(auth, c) : undefined;

    const send = async (ctx: GatewayContext) => {
      const headers: Record<string, string | string[]> = {};
      let target = '';
      let verb = 'GET';
      let payload: Buffer | string | undefined;
      if (mode(ctx) === 'copy') {
        for (const [k, v] of Object.entries(ctx.headers)) if (v !== undefined && !HOP.has(k)) headers[k] = v;
        const qs = ctx.queryString();
        target = ctx.backendOrigin + ctx.backendBasePath + ctx.path + (qs ? `?${qs}` : '');
        verb = ctx.method;
        if (ctx.req.headers['content-length'] || ctx.req.headers['transfer-encoding'] || ctx.requestBody) payload = await bufferRequestBody(ctx);
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
      if (!HTTP_URL.test(target.trim())) throw new PolicyError('RequestFailed', `send-request: '${target}' is not an absolute http or https URL.`);
      const ms = timeoutMs(ctx);
      const res = await request(target, { dispatcher: c.services.client.dispatcher, signal: ctx.clientGone, method: verb as 'GET', headers, body: payload, headersTimeout: ms, bodyTimeout: ms });
      const buf = Buffer.from(await res.body.arrayBuffer());
      const h: Record<string, string | string[]> = {};
      for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) h[k] = v;
      const r = new GatewayResponse(res.statusCode, h);
      r.body = buf;
      return r;
    };
    return async (ctx) => {
      const name = variable(ctx);
      try {
        ctx.variables.set(name, await send(ctx));
      } catch (e) {
        if (e instanceof PolicyError) throw e;
        if (ignoreError) { ctx.variables.set(name, null); return; }
        const err = new PolicyError('RequestFailed', `send-request failed: ${e instanceof Error ? e.message : String(e)}`);
        err.source = 'send-request';
        throw err;
      }
    };
  },
};

export const sendRequestPolicies: PolicyDefinition[] = [sendRequest];
