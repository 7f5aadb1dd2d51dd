// POST /apim-local/gateway-proxy: the portal's Test tab sends a request to an instance's gateway.
//
// Why a proxy: the portal runs at {managementEndpoint}/portal/ and each gateway listens on a port of its
// own, another origin. Azure's portal does the same: its Test tab does not call the gateway from the
// browser (no CORS policy is needed on the API) but sends the request description to API Management's
// CORS proxy, which calls the gateway and returns status, headers and body. Here that proxy is on the
// portal's own origin (so no CORS is involved at all), and it reaches only what Azure's would: the
// gateway of an instance the caller may read. The whole pipeline, in order:
//   1. authenticate  a management token of this server (401)
//   2. validate      JSON body {serviceId, method, url, headers?, body?} (400, 413, 415)
//   3. authorize     Microsoft.ApiManagement/service/read on serviceId, by the caller's role assignments (403)
//   4. resolve       the instance exists (404); url's origin must be exactly its gatewayUrl's (400): no
//                    other host, port or scheme is ever reached, and redirects are not followed
//   5. forward       over HTTPS trusting apim-local's CA; at most 30 s, an answer of at most 4 MB
//   6. serialize     {status, reason, headers, body, bodyEncoding} (or 502/504 when the gateway failed)
// Credentials the caller puts in `headers` (subscription key, Apim-Debug-Authorization) go to the gateway
// only; the management token never does.
import type { Agent } from 'undici';
import { undici } from '../common/lazy-modules.js';
import { bearerToken, readJsonBody, sendJson, BodyTooLargeError, MalformedJsonError, UnsupportedMediaTypeError, type RequestContext } from '../common/http.js';
import { AzureError, isAzureError } from '../common/errors.js';
import type { ManagementPlanes } from './router.js';

const MANAGEMENT_AUDIENCES = ['https://management.azure.com/', 'https://management.core.windows.net/'];
const READ_ACTION = 'Microsoft.ApiManagement/service/read';
const SERVICE_TYPE = 'microsoft.apimanagement/service';
/** The request description (with a body of up to about 4 MB, base64 or text). */
const MAX_REQUEST_BYTES = 6 * 1024 * 1024;
const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;
const TIMEOUT_MS = 30_000;
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE']);
/** Set by the proxy itself, never taken from the description. */
const NOT_FORWARDED = new Set(['host', 'connection', 'keep-alive', 'transfer-encoding', 'content-length', 'upgrade', 'proxy-connection', 'te', 'trailer', 'expect']);
const TEXTUAL = /^(?:text\/|application\/(?:[\w.+-]*\+)?(?:json|xml)|application\/(?:javascript|x-www-form-urlencoded))/i;

const err = (status: number, code: string, message: string, target?: string) => new AzureError({ status, code, message, target });

/** The proxy's outbound side: one undici agent that trusts apim-local's CA (the gateways' certificates), made on first use. */
export class GatewayProxy {
  private agent: Agent | undefined;

  constructor(private readonly caCertPem: string) {}

  async handle(ctx: RequestContext, planes: ManagementPlanes): Promise<void> {
    const headers = { 'x-ms-request-id': ctx.requestId };
    try {
      if (ctx.method !== 'POST') throw err(405, 'MethodNotAllowed', `The HTTP method '${ctx.method}' is not supported here; use POST.`);
      const caller = await authenticate(ctx, planes);                                      // 1. authenticate
      const call = parse(await readBody(ctx));                                             // 2. validate
      if (!(await planes.authz.isAllowed(caller, READ_ACTION, call.serviceId))) {          // 3. authorize
        throw err(403, 'AuthorizationFailed', `The client '${caller}' with object id '${caller}' does not have authorization to perform action '${READ_ACTION}' over scope '${call.serviceId}' or the scope is invalid. If access was recently granted, please refresh your credentials.`);
      }
      const target = await resolve(planes, call);                                          // 4. resolve
      const answer = await this.forward(target, call);                                     // 5. forward
      sendJson(ctx.res, 200, answer, headers);                                             // 6. serialize
    } catch (e) {
      if (!isAzureError(e)) throw e;
      ctx.req.resume();
      sendJson(ctx.res, e.status, e.toEnvelope(), { ...headers, ...e.headers });
    }
  }

  private async forward(url: URL, call: ProxyCall): Promise<Record<string, unknown>> {
    const signal = AbortSignal.timeout(TIMEOUT_MS);
    const u = undici();
    this.agent ??= new u.Agent({ connect: { ca: this.caCertPem }, headersTimeout: TIMEOUT_MS, bodyTimeout: TIMEOUT_MS, connections: 16 });
    let res;
    try {
      res = await u.request(url, {
        method: call.method as 'GET', headers: call.headers, body: call.body, dispatcher: this.agent, signal,
      });
    } catch (e) {
      if (signal.aborted || e instanceof u.errors.HeadersTimeoutError) throw err(504, 'GatewayTimeout', `The gateway did not answer within ${TIMEOUT_MS / 1000} seconds.`);
      throw err(502, 'BadGateway', `The gateway could not be reached: ${e instanceof Error ? e.message : String(e)}`);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let truncated = false;
    try {
      for await (const chunk of res.body) {
        const b = chunk as Buffer;
        if (size + b.length > MAX_RESPONSE_BYTES) { chunks.push(b.subarray(0, MAX_RESPONSE_BYTES - size)); truncated = true; res.body.destroy(); break; }
        chunks.push(b);
        size += b.length;
      }
    } catch (e) {
      if (!truncated) throw err(502, 'BadGateway', `The gateway's answer broke off: ${e instanceof Error ? e.message : String(e)}`);
    }
    const body = Buffer.concat(chunks);
    const type = res.headers['content-type'];
    const textual = body.length === 0 || (typeof type === 'string' && TEXTUAL.test(type));
    return {
      status: res.statusCode,
      headers: res.headers,
      body: textual ? body.toString('utf8') : body.toString('base64'),
      bodyEncoding: textual ? 'utf8' : 'base64',
      ...(truncated ? { truncated: true } : {}),
    };
  }

  async close(): Promise<void> { await this.agent?.close(); }
}

interface ProxyCall {
  serviceId: string;
  method: string;
  url: URL;
  headers: Record<string, string>;
  body: Buffer | undefined;
}

async function authenticate(ctx: RequestContext, planes: ManagementPlanes): Promise<string> {
  const token = bearerToken(ctx.req);
  try {
    if (!token) throw new Error('missing');
    const claims = await planes.entra.verifier.verify(token, MANAGEMENT_AUDIENCES);
    if (claims.tid !== planes.entra.tenantId) throw new Error('another tenant');
    return claims.oid;
  } catch {
    throw err(401, 'AuthenticationFailed', 'A valid management token of this server is required (Authorization: Bearer, audience https://management.azure.com/).');
  }
}

async function readBody(ctx: RequestContext): Promise<unknown> {
  try {
    return await readJsonBody(ctx.req, { limit: MAX_REQUEST_BYTES, contentType: /^application\/json\b/i });
  } catch (e) {
    if (e instanceof BodyTooLargeError) throw err(413, 'RequestEntityTooLarge', `The request description is larger than ${MAX_REQUEST_BYTES} bytes.`);
    if (e instanceof UnsupportedMediaTypeError) throw err(415, 'UnsupportedMediaType', "Only 'application/json' is supported.");
    if (e instanceof MalformedJsonError) throw err(400, 'InvalidRequestContent', `The request content is not valid JSON: ${e.detail}`);
    throw e;
  }
}

/** The request description: every field checked, the fault named by `target`. */
function parse(raw: unknown): ProxyCall {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw err(400, 'InvalidRequestContent', 'The body must be a JSON object: {"serviceId", "method", "url", "headers", "body"}.');
  }
  const o = raw as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!['serviceId', 'method', 'url', 'headers', 'body', 'bodyEncoding'].includes(k)) throw err(400, 'InvalidRequestContent', `Unknown member '${k}'.`, k);
  }
  if (typeof o.serviceId !== 'string' || !/^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.ApiManagement\/service\/[^/]+$/i.test(o.serviceId)) {
    throw err(400, 'InvalidResourceId', 'serviceId must be the resource id of an API Management instance.', 'serviceId');
  }
  const method = typeof o.method === 'string' ? o.method.toUpperCase() : '';
  if (!METHODS.has(method)) throw err(400, 'InvalidRequestContent', `method must be one of ${[...METHODS].join(', ')}.`, 'method');
  let url: URL;
  try { url = new URL(String(o.url)); } catch { throw err(400, 'InvalidRequestContent', 'url must be an absolute URL on the instance\'s gateway.', 'url'); }
  const headers: Record<string, string> = {};
  if (o.headers !== undefined) {
    if (o.headers === null || typeof o.headers !== 'object' || Array.isArray(o.headers)) throw err(400, 'InvalidRequestContent', 'headers must be an object of header names to string values.', 'headers');
    for (const [name, value] of Object.entries(o.headers as Record<string, unknown>)) {
      if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name) || typeof value !== 'string' || /[\r\n\0]/.test(value)) {
        throw err(400, 'InvalidRequestContent', `Header '${name}' is not a valid header name with a string value.`, `headers.${name}`);
      }
      if (!NOT_FORWARDED.has(name.toLowerCase())) headers[name] = value;
    }
  }
  let body: Buffer | undefined;
  if (o.body !== undefined && o.body !== null) {
    if (typeof o.body !== 'string') throw err(400, 'InvalidRequestContent', 'body must be a string.', 'body');
    const encoding = o.bodyEncoding ?? 'utf8';
    if (encoding !== 'utf8' && encoding !== 'base64') throw err(400, 'InvalidRequestContent', "bodyEncoding must be 'utf8' or 'base64'.", 'bodyEncoding');
    body = Buffer.from(o.body, encoding);
    if (method === 'GET' || method === 'HEAD') throw err(400, 'InvalidRequestContent', `A ${method} request has no body.`, 'body');
  }
  return { serviceId: o.serviceId, method, url, headers, body };
}

/** The instance's gateway: the url must be on its gatewayUrl's origin (scheme, host and port), nowhere else. */
async function resolve(planes: ManagementPlanes, call: ProxyCall): Promise<URL> {
  const svc = await planes.arm.resources.get(call.serviceId);
  if (!svc || svc.body.type.toLowerCase() !== SERVICE_TYPE) {
    throw err(404, 'ResourceNotFound', `The Resource 'Microsoft.ApiManagement/service/${call.serviceId.split('/').pop()}' under resource group '${call.serviceId.split('/')[4]}' was not found.`, 'serviceId');
  }
  const props = svc.body.properties as { gatewayUrl?: unknown } | undefined;
  const gatewayUrl = typeof props?.gatewayUrl === 'string' ? new URL(props.gatewayUrl) : undefined;
  if (!gatewayUrl || call.url.origin !== gatewayUrl.origin || call.url.username !== '' || call.url.password !== '') {
    throw err(400, 'InvalidRequestContent', `url must be on the instance's gateway (${gatewayUrl?.origin ?? 'none'}).`, 'url');
  }
  return call.url;
}
