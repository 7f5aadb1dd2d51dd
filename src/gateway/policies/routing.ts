// set-backend-service, rewrite-uri, forward-request: where and how the request goes to the backend.
import type { IncomingMessage } from 'node:http';
import { PolicyError, fixed, type PolicyDefinition, type Read, type Run, type Step } from '../policy/types.js';
import { isExpression, namedValueRefs } from '../policy/values.js';
import { bool, intAtLeast } from '../policy/parse.js';
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
  schema: { attrs: { 'base-url': { expr: true }, 'backend-id': { expr: true } } },
  check(node) {
    const n = ['base-url', 'backend-id'].filter((a) => node.attrs[a] !== undefined).length;
    if (n !== 1) return `Exactly one of the 'base-url' and 'backend-id' attributes must be given.`;
    const url = node.attrs['base-url'];
    // A {{named value}} is checked once substituted (compile), an expression's value per request; a stray '{{' is just text.
    if (url !== undefined && !isExpression(url) && namedValueRefs(url).length === 0 && !/^https?:\/\/[^/]/i.test(url)) return `The 'base-url' attribute '${url}' is not an absolute http or https URL.`;
    return undefined;
  },
  compile(node, c): Run {
    // A constant (or a {{named value}}) is resolved once; a URL or backend that is not there fails the
    // calls through this policy, not the document.
    const target = node.attrs['base-url'] !== undefined
      ? c.read(node, 'base-url', backendTarget)!
      : c.read(node, 'backend-id', (id) => {
        const url = c.services.backends.get(id.toLowerCase())?.url;
        if (url === undefined) throw new PolicyError('BackendNotFound', `Backend with id '${id}' could not be found.`);
        return backendTarget(url);
      })!;
    const k = target.constant;
    if (k !== undefined) return (ctx) => { ctx.backendOrigin = k.origin; ctx.backendBasePath = k.basePath; };
    return (ctx) => { const t = target(ctx); ctx.backendOrigin = t.origin; ctx.backendBasePath = t.basePath; };
  },
};

/** An absolute http(s) URL split for the backend call; else the policy's BackendUrlInvalid error. */
function backendTarget(url: string): { origin: string; basePath: string } {
  try {
    if (/^https?:$/.test(new URL(url).protocol)) return splitBaseUrl(url);
  } catch { /* not a URL */ }
  throw new PolicyError('BackendUrlInvalid', `The backend URL '${url}' is not an absolute http or https URL.`);
}

const PARAM = /\{([^{}]+)\}/g;

const rewriteUri: PolicyDefinition = {
  name: 'rewrite-uri',
  sections: ['inbound'],
  // template: "When expressions are used, the whole value must be an expression."
  schema: { attrs: { template: { required: true, expr: true }, 'copy-unmatched-params': { type: 'bool', expr: true } } },
  compile(node, c): Run {
    // An expression gives the template itself: its {parameters} are then filled in as a literal template's.
    const template = c.read(node, 'template', splitTemplate)!;
    const copyUnmatched = c.read(node, 'copy-unmatched-params', bool) ?? fixed(true);
    return (ctx) => {
      const { pathTemplate, queryTemplate } = template(ctx);
      const params = ctx.matchedParameters ?? {};
      const path = pathTemplate.replace(PARAM, (_, n: string) => encodeURIComponent(params[n] ?? ''));
      const query = new URLSearchParams(queryTemplate.replace(PARAM, (_, n: string) => encodeURIComponent(params[n] ?? '')));
      if (copyUnmatched(ctx)) {
        const templated = ctx.operation.queryParameterNames;
        for (const [k, v] of ctx.query) if (!templated.includes(k) && !query.has(k)) query.append(k, v);
      }
      ctx.path = path.startsWith('/') ? path : `/${path}`;
      ctx.setRawQuery(query.toString());
    };
  },
};

function splitTemplate(template: string): { pathTemplate: string; queryTemplate: string } {
  const q = template.indexOf('?');
  return q === -1 ? { pathTemplate: template, queryTemplate: '' } : { pathTemplate: template.slice(0, q), queryTemplate: template.slice(q + 1) };
}

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

function forwardRun(services: InstanceServices, timeoutMs: Read<number>, buffer: boolean, failOnErrorStatus: boolean): Run {
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
  const ms = timeoutMs.constant;
  const send = ms !== undefined
    ? (ctx: GatewayContext) => services.client.forward(ctx, ms, ready(ctx)) as Promise<unknown> as Promise<void>
    : (ctx: GatewayContext) => services.client.forward(ctx, timeoutMs(ctx), ready(ctx)) as Promise<unknown> as Promise<void>;
  if (!buffer) return send;
  return (ctx) => bufferRequestBody(ctx).then(() => send(ctx));
}

/** The default global policy's backend step. */
export function forwardRequestStep(services: InstanceServices): Step {
  return { name: 'forward-request', id: '', path: 'forward-request[1]', scope: 'global', section: 'backend', run: forwardRun(services, fixed(300_000), false, false) };
}

const seconds = (text: string) => intAtLeast(0, 'timeout')(text) * 1000;

const forwardRequest: PolicyDefinition = {
  name: 'forward-request',
  sections: ['backend'],
  schema: {
    attrs: {
      // buffer-response and fail-on-error-status-code: "aren't allowed"; http-version and buffer-request-body: silent.
      timeout: { type: 'int', expr: true }, 'timeout-ms': { type: 'int', expr: true }, 'continue-timeout': { type: 'int', expr: true },
      'buffer-request-body': { type: 'bool' }, 'follow-redirects': { type: 'bool', expr: true }, 'buffer-response': { type: 'bool' },
      'fail-on-error-status-code': { type: 'bool' }, 'http-version': { values: ['1', '2or1', '2'] },
    },
  },
  compile(node, c): Run {
    const ms = c.read(node, 'timeout-ms', intAtLeast(0, 'timeout-ms')) ?? c.read(node, 'timeout', seconds) ?? fixed(300_000);
    const flag = (name: string) => (node.attrs[name] ?? 'false').toLowerCase() === 'true';
    const run = forwardRun(c.services, ms, flag('buffer-request-body'), flag('fail-on-error-status-code'));
    // continue-timeout and follow-redirects have no effect here (the backend client neither waits for
    // 100-continue nor follows redirects), but an expression in them is still evaluated, so a value
    // API Management would refuse fails the call as it would there.
    const unused = [c.read(node, 'continue-timeout', intAtLeast(0, 'continue-timeout')), c.read(node, 'follow-redirects', bool)]
      .filter((r): r is Read<number> | Read<boolean> => r !== undefined && r.constant === undefined);
    if (unused.length === 0) return run;
    return (ctx) => { for (const r of unused) r(ctx); return run(ctx); };
  },
};

export const routingPolicies: PolicyDefinition[] = [setBackendService, rewriteUri, forwardRequest];
