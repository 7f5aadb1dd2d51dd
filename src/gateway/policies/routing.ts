// set-backend-service, rewrite-uri, forward-request: where and how the request goes to the backend.
import type { IncomingMessage } from 'node:http';
import { PolicyError, type PolicyDefinition, type Run, type Step } from '../policy/types.js';
import { namedValueRefs } from '../policy/values.js';
import { GatewayResponse, type GatewayContext } from '../runtime/context.js';
import { BackendStream } from '../runtime/backend.js';
import type { InstanceServices } from '../runtime/services.js';

/** Splits a base URL into the origin undici's pool needs and the path prefix (no trailing slash). */
export function splitBaseUrl(url: string): { origin: string; basePath: string } {
  const u = new URL(url);
  return { origin: u.origin, basePath: u.pathname.replace(/\/+$/, '') };
}

const setBackendService: PolicyDefinition = {
  name: 'set-backend-service',
  sections: ['inbound', 'backend'],
  schema: { attrs: { 'base-url': { expr: 'pending' }, 'backend-id': { expr: 'pending' } } },
  check(node) {
    const n = ['base-url', 'backend-id'].filter((a) => node.attrs[a] !== undefined).length;
    if (n !== 1) return `Exactly one of the 'base-url' and 'backend-id' attributes must be given.`;
    const url = node.attrs['base-url'];
    // A {{named value}} is checked once substituted (compile); a stray '{{' is just text.
    if (url !== undefined && namedValueRefs(url).length === 0 && !/^https?:\/\/[^/]/i.test(url)) return `The 'base-url' attribute '${url}' is not an absolute http or https URL.`;
    return undefined;
  },
  compile(node, c): Run {
    const baseUrl = c.attr(node, 'base-url')?.constant;
    const backendId = c.attr(node, 'backend-id')?.constant;
    const url = baseUrl ?? c.services.backends.get(backendId!.toLowerCase())?.url;
    if (url === undefined) {
      return () => { throw new PolicyError('BackendNotFound', `Backend with id '${backendId}' could not be found.`); };
    }
    let parts: { origin: string; basePath: string };
    try {
      parts = splitBaseUrl(url);
      if (!/^https?:$/.test(new URL(url).protocol)) throw new Error('not http(s)');
    } catch {
      // A {{named value}} that is missing or not a URL: the calls through this policy fail, not the document.
      return () => { throw new PolicyError('BackendUrlInvalid', `The backend URL '${url}' is not an absolute http or https URL.`); };
    }
    const { origin, basePath } = parts;
    return (ctx) => { ctx.backendOrigin = origin; ctx.backendBasePath = basePath; };
  },
};

const PARAM = /\{([^{}]+)\}/g;

const rewriteUri: PolicyDefinition = {
  name: 'rewrite-uri',
  sections: ['inbound'],
  // template: "When expressions are used, the whole value must be an expression."
  schema: { attrs: { template: { required: true, expr: 'pending' }, 'copy-unmatched-params': { type: 'bool', expr: 'pending' } } },
  compile(node, c): Run {
    const template = c.attr(node, 'template')!.constant!;
    const copyUnmatched = (node.attrs['copy-unmatched-params'] ?? 'true').toLowerCase() === 'true';
    const q = template.indexOf('?');
    const pathTemplate = q === -1 ? template : template.slice(0, q);
    const queryTemplate = q === -1 ? '' : template.slice(q + 1);
    return (ctx) => {
      const params = ctx.matchedParameters ?? {};
      const path = pathTemplate.replace(PARAM, (_, n: string) => encodeURIComponent(params[n] ?? ''));
      const query = new URLSearchParams(queryTemplate.replace(PARAM, (_, n: string) => encodeURIComponent(params[n] ?? '')));
      if (copyUnmatched) {
        const templated = ctx.operation.queryParameterNames;
        for (const [k, v] of ctx.query) if (!templated.includes(k) && !query.has(k)) query.append(k, v);
      }
      ctx.path = path.startsWith('/') ? path : `/${path}`;
      ctx.setRawQuery(query.toString());
    };
  },
};

function readAll(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Reads the client's body once, for policies that need it (buffer-request-body, send-request copy). */
export async function bufferRequestBody(ctx: GatewayContext): Promise<Buffer> {
  if (ctx.requestBody === undefined) {
    ctx.requestBodyConsumed = true;
    ctx.requestBody = await readAll(ctx.req);
  }
  return ctx.requestBody;
}

function forwardRun(services: InstanceServices, timeoutMs: number, buffer: boolean, failOnErrorStatus: boolean): Run {
  // Runs in undici's onHeaders: context.Response is the backend's, its body still streaming in.
  const ready = (ctx: GatewayContext) => (stream: BackendStream) => {
    if (ctx.response?.body instanceof BackendStream) ctx.response.body.discard();
    const r = new GatewayResponse(stream.status, undefined, stream.rawHeaders);
    r.reason = stream.statusText || undefined;
    r.body = stream;
    ctx.response = r;
    if (failOnErrorStatus && stream.status >= 400) {
      throw new PolicyError('BackendErrorStatusCode', `The backend answered ${stream.status}.`);
    }
  };
  // One promise per call: the backend's headers.
  const send = (ctx: GatewayContext) => services.client.forward(ctx, timeoutMs, ready(ctx)) as Promise<unknown> as Promise<void>;
  if (!buffer) return send;
  return (ctx) => bufferRequestBody(ctx).then(() => send(ctx));
}

/** The default global policy's backend step. */
export function forwardRequestStep(services: InstanceServices): Step {
  return { name: 'forward-request', id: '', path: 'forward-request[1]', scope: 'global', section: 'backend', run: forwardRun(services, 300_000, false, false) };
}

const forwardRequest: PolicyDefinition = {
  name: 'forward-request',
  sections: ['backend'],
  schema: {
    attrs: {
      // buffer-response and fail-on-error-status-code: "aren't allowed"; http-version and buffer-request-body: silent.
      timeout: { type: 'int', expr: 'pending' }, 'timeout-ms': { type: 'int', expr: 'pending' }, 'continue-timeout': { type: 'int', expr: 'pending' },
      'buffer-request-body': { type: 'bool' }, 'follow-redirects': { type: 'bool', expr: 'pending' }, 'buffer-response': { type: 'bool' },
      'fail-on-error-status-code': { type: 'bool' }, 'http-version': { values: ['1', '2or1', '2'] },
    },
  },
  compile(node, c): Run {
    const ms = node.attrs['timeout-ms'] !== undefined ? Number(c.attr(node, 'timeout-ms')!.constant)
      : Number(c.attr(node, 'timeout')?.constant ?? 300) * 1000;
    const bool = (name: string) => (node.attrs[name] ?? 'false').toLowerCase() === 'true';
    return forwardRun(c.services, ms, bool('buffer-request-body'), bool('fail-on-error-status-code'));
  },
};

export const routingPolicies: PolicyDefinition[] = [setBackendService, rewriteUri, forwardRequest];
