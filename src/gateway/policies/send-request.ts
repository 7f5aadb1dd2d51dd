// send-request: a request of its own (mode new, or copy of the current one), with set-url/set-method/
// set-header/set-body and authentication-managed-identity inside; the answer (a Response, body read)
// goes into response-variable-name, or null when it failed and ignore-error is true.
import { request } from 'undici';
import { PolicyError, type PolicyDefinition, type Run } from '../policy/types.js';
import { GatewayResponse, type GatewayContext } from '../runtime/context.js';
import { managedIdentitySchema, managedIdentityToken } from './identity.js';
import { bufferRequestBody } from './routing.js';
import { isExpression, namedValueRefs } from '../policy/values.js';

const HTTP_URL = /^https?:\/\/[^/]/i;
const HOP = new Set(['host', 'connection', 'keep-alive', 'transfer-encoding', 'te', 'upgrade', 'expect', 'content-length']);

const sendRequest: PolicyDefinition = {
  name: 'send-request',
  sections: ['inbound', 'backend', 'outbound', 'on-error'],
  schema: {
    // response-variable-name allows expressions here (it does not in return-response); ignore-error does not.
    attrs: { mode: { values: ['new', 'copy'], expr: 'pending' }, 'response-variable-name': { required: true, expr: 'pending' }, timeout: { type: 'int', expr: 'pending' }, 'ignore-error': { type: 'bool' } },
    children: {
      'set-url': { text: true, textExpr: true, max: 1 },
      // "Sets the method of the request. Policy expressions aren't allowed."
      'set-method': { text: true, max: 1 },
      'set-header': { attrs: { name: { required: true, expr: 'pending' }, 'exists-action': { values: ['override', 'skip', 'append', 'delete'], expr: 'pending' } }, children: { value: { text: true, textExpr: true } } },
      'set-body': { text: true, textExpr: true, max: 1 },
      'authentication-managed-identity': { ...managedIdentitySchema, max: 1 },
    },
  },
  check(node) {
    const copy = (node.attrs.mode ?? 'new').toLowerCase() === 'copy';
    if (!copy && !node.children.some((c) => c.name === 'set-url')) return `The 'set-url' element is required when mode is 'new'.`;
    const setUrl = node.children.find((c) => c.name === 'set-url');
    if (setUrl && namedValueRefs(setUrl.text).length === 0 && !isExpression(setUrl.text) && !HTTP_URL.test(setUrl.text.trim())) {
      return { node: setUrl, message: `The URL '${setUrl.text.trim()}' is not an absolute http or https URL.` };
    }
    const auth = node.children.find((c) => c.name === 'authentication-managed-identity');
    if (auth?.attrs['output-token-variable-name'] !== undefined) return { node: auth, message: `The 'output-token-variable-name' attribute cannot be used inside send-request.` };
    return undefined;
  },
  compile(node, c): Run {
    const copy = (node.attrs.mode ?? 'new').toLowerCase() === 'copy';
    const variable = c.attr(node, 'response-variable-name')!.constant!;
    const timeoutMs = Number(c.attr(node, 'timeout')?.constant ?? 60) * 1000;
    const ignoreError = (node.attrs['ignore-error'] ?? 'false').toLowerCase() === 'true';
    const child = (n: string) => node.children.find((ch) => ch.name === n);
    const url = child('set-url') ? c.value(child('set-url')!.text) : undefined;
    const method = child('set-method') ? c.value(child('set-method')!.text) : undefined;
    const body = child('set-body') ? c.value(child('set-body')!.text) : undefined;
    const headerEdits = node.children.filter((ch) => ch.name === 'set-header').map((h) => ({
      name: c.attr(h, 'name')!.constant!.toLowerCase(), action: (h.attrs['exists-action'] ?? 'override').toLowerCase(),
      values: h.children.filter((v) => v.name === 'value').map((v) => c.value(v.text)),
    }));
    const auth = child('authentication-managed-identity');
    const token = auth ? managedIdentityToken(auth, c) : undefined;

    const send = async (ctx: GatewayContext) => {
      const headers: Record<string, string | string[]> = {};
      let target = '';
      let verb = 'GET';
      let payload: Buffer | string | undefined;
      if (copy) {
        for (const [k, v] of Object.entries(ctx.headers)) if (v !== undefined && !HOP.has(k)) headers[k] = v;
        const qs = ctx.queryString();
        target = ctx.backendOrigin + ctx.backendBasePath + ctx.path + (qs ? `?${qs}` : '');
        verb = ctx.method;
        if (ctx.req.headers['content-length'] || ctx.req.headers['transfer-encoding'] || ctx.requestBody) payload = await bufferRequestBody(ctx);
      }
      if (url) target = url(ctx);
      if (method) verb = method(ctx).trim().toUpperCase();
      if (body) payload = body(ctx);
      for (const e of headerEdits) {
        const vals = e.values.map((v) => v(ctx));
        if (e.action === 'delete') delete headers[e.name];
        else if (e.action === 'skip' && headers[e.name] !== undefined) continue;
        else if (e.action === 'append' && headers[e.name] !== undefined) headers[e.name] = [...[headers[e.name]].flat(), ...vals];
        else headers[e.name] = vals.length === 1 ? vals[0] : vals;
      }
      if (token) {
        const t = await token(ctx);
        if (t !== undefined) headers.authorization = `Bearer ${t}`;
      }
      // Only http(s): a named value or a copied request must not turn this into a file or data reader.
      if (!HTTP_URL.test(target.trim())) throw new PolicyError('RequestFailed', `send-request: '${target}' is not an absolute http or https URL.`);
      const res = await request(target, { signal: ctx.clientGone, method: verb as 'GET', headers, body: payload, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
      const buf = Buffer.from(await res.body.arrayBuffer());
      const h: Record<string, string | string[]> = {};
      for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) h[k] = v;
      const r = new GatewayResponse(res.statusCode, h);
      r.body = buf;
      return r;
    };
    return async (ctx) => {
      try {
        ctx.variables.set(variable, await send(ctx));
      } catch (e) {
        if (e instanceof PolicyError) throw e;
        if (ignoreError) { ctx.variables.set(variable, null); return; }
        const err = new PolicyError('RequestFailed', `send-request failed: ${e instanceof Error ? e.message : String(e)}`);
        err.source = 'send-request';
        throw err;
      }
    };
  },
};

export const sendRequestPolicies: PolicyDefinition[] = [sendRequest];
