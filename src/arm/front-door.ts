// The Resource Manager front door. The whole pipeline of an ARM request, in order:
//   1. route        path → resource / collection / action of a registered type (case-insensitive)
//   2. authenticate bearer token of this server, ARM audience
//   3. api-version  required, and one the type supports
//   4. scope        the subscription and resource group exist
//   5. authorize    the caller's role assignments allow the action at the target's scope
//   6. validate     content type, size and JSON of the body
//   7. handle       the provider's handler
//   8. serialize    JSON with request ids; errors in ARM's envelope
import crypto from 'node:crypto';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import type { RequestContext } from '../common/http.js';
import { bearerToken, readJsonBody, sendJson, BodyTooLargeError, MalformedJsonError, UnsupportedMediaTypeError } from '../common/http.js';
import { isAzureError, AzureError } from '../common/errors.js';
import type { Logger } from '../common/log.js';
import type { AuthzPlane } from '../authz/index.js';
import { TokenRejectedError, type TokenVerifier } from '../entra/index.js';
import { ArmErrors } from './errors.js';
import { readAzTemplateSplice } from './az-template-body.js';
import { parseArmPath, scopeAsSent, type ArmTarget } from './resource-id.js';
import { callerName, defaultAction, type ArmCaller, type ArmHandler, type ArmResult, type ProviderRegistry } from './registry.js';
import type { ResourceStore } from './resource-store.js';

export interface FrontDoorOptions {
  registry: ProviderRegistry;
  verifier: TokenVerifier;
  authz: AuthzPlane;
  resources: ResourceStore;
  tenantId: string;
  /** `https://localhost:PORT` */
  baseUrl: string;
  maxBodyBytes: number;
  logger: Logger;
}

/** What ARM reads as JSON: application/json, application/*+json, text/json (with parameters). */
const ARM_JSON = /^(?:application\/(?:[\w.+-]*\+)?json|text\/json)\b/i;

export class ArmFrontDoor {
  private readonly audiences: string[];
  private readonly authorizationUri: string;
  private readonly knownSubscriptions = new Set<string>();

  constructor(private readonly o: FrontDoorOptions) {
    // Azure's order, as its InvalidAuthenticationTokenAudience message lists them.
    this.audiences = ['https://management.core.windows.net/', 'https://management.azure.com/', o.baseUrl, `${o.baseUrl}/`];
    this.authorizationUri = `${o.baseUrl}/${o.tenantId}`;
  }

  async handle(ctx: RequestContext): Promise<void> {
    const common = { 'x-ms-request-id': ctx.requestId, 'x-ms-correlation-request-id': ctx.correlationId };
    try {
      const result = await this.process(ctx, () => this.authenticate(ctx), () => this.readJsonBody(ctx));
      this.send(ctx, result, common);                                           // 8. serialize
    } catch (e) {
      this.sendError(ctx, e, common);
    }
  }

  /**
   * A request made inside this process (a template deployment's resource writes and reads): every step
   * of handle() but authentication, which the deploying caller already passed, and serialization. So a
   * resource deployed from a template is authorized and validated exactly as a direct request.
   */
  dispatch(call: InternalRequest): Promise<ArmResult> {
    const ctx = internalContext(call);
    return this.process(ctx, async () => call.caller, async () => call.body);
  }

  /** Steps 1 to 7 (see the top of this file). */
  private async process(ctx: RequestContext, authenticate: () => Promise<ArmCaller>, readBody: () => Promise<unknown>): Promise<ArmResult> {
    const target = parseArmPath(ctx.path, this.o.registry, ctx.query.get('api-version') ?? ''); // 1. route
    const caller = await authenticate();                                      // 2. authenticate
    const apiVersion = this.checkApiVersion(ctx, target);                     // 3. api-version
    await this.checkScope(target);                                            // 4. scope
    const { handler, head } = this.pickHandler(ctx.method, target);
    await this.authorize(ctx, target, caller);                                // 5. authorize
    const body = await readBody();                                            // 6. validate
    const result = await handler({ ctx, target, apiVersion, caller, body });  // 7. handle
    return head ? toHead(result, target.registration.headStatus) : result;
  }

  private async authenticate(ctx: RequestContext): Promise<ArmCaller> {
    const token = bearerToken(ctx.req);
    if (!token) throw ArmErrors.authenticationMissing(this.authorizationUri);
    try {
      const claims = await this.o.verifier.verify(token, this.audiences);
      if (claims.tid !== this.o.tenantId) throw ArmErrors.wrongTenant(this.authorizationUri, String(claims.iss), this.o.tenantId);
      return { objectId: claims.oid, clientId: claims.appid ?? claims.azp ?? claims.oid, tenantId: claims.tid, claims };
    } catch (e) {
      if (!(e instanceof TokenRejectedError)) throw e;
      const r = e.rejection;
      switch (r.reason) {
        case 'expired': throw ArmErrors.expiredToken(this.authorizationUri, r.expiredAt, r.now);
        case 'audience': throw ArmErrors.wrongAudience(this.authorizationUri, r.audience, this.audiences.slice(0, 2).flatMap((a) => [a, a.replace(/\/$/, '')]));
        case 'notYetValid': throw ArmErrors.invalidToken(this.authorizationUri, 'The token is not yet valid.');
        case 'missing': throw ArmErrors.authenticationMissing(this.authorizationUri);
        default: throw ArmErrors.invalidToken(this.authorizationUri, '');
      }
    }
  }

  private checkApiVersion(ctx: RequestContext, target: ArmTarget): string {
    const v = ctx.query.get('api-version');
    if (v === null || v === '') throw ArmErrors.missingApiVersion();
    const reg = target.registration;
    if (!reg.apiVersions.includes(v)) {
      // ARM lists the supported versions newest first, and names the type without its namespace.
      const newestFirst = [...reg.apiVersions].sort().reverse();
      if (reg.apiVersionError === 'invalidApiVersion') throw ArmErrors.invalidApiVersion(v, newestFirst);
      throw ArmErrors.noRegisteredProvider('global', v, reg.type.slice(reg.type.indexOf('/') + 1), newestFirst, reg.locations ?? []);
    }
    return v;
  }

  private async checkScope(target: ArmTarget): Promise<void> {
    const isSubscriptionItself = target.registration.type === 'Microsoft.Resources/subscriptions';
    if (target.subscriptionId && !isSubscriptionItself) {
      // Subscriptions are never deleted here, so one that was found once is remembered.
      const key = target.subscriptionId.toLowerCase();
      if (!this.knownSubscriptions.has(key)) {
        if (!(await this.o.resources.exists(`/subscriptions/${target.subscriptionId}`))) throw ArmErrors.subscriptionNotFound(target.subscriptionId);
        this.knownSubscriptions.add(key);
      }
    }
    const isGroupItself = target.registration.type === 'Microsoft.Resources/resourceGroups' && target.kind === 'resource';
    if (target.resourceGroup && !isGroupItself
      && !(await this.o.resources.exists(`/subscriptions/${target.subscriptionId}/resourceGroups/${target.resourceGroup}`))) {
      throw ArmErrors.resourceGroupNotFound(target.resourceGroup);
    }
  }

  private pickHandler(method: string, target: ArmTarget): { handler: ArmHandler; head: boolean } {
    const reg = target.registration;
    let handler: ArmHandler | undefined;
    let head = false;
    if (target.kind === 'collection') handler = method === 'GET' ? reg.list : undefined;
    else if (target.kind === 'action') handler = method === 'POST' ? reg.actions?.[target.action!.toLowerCase()] : undefined;
    else {
      switch (method) {
        case 'GET': handler = reg.get; break;
        case 'HEAD': handler = reg.get; head = true; break;
        case 'PUT': handler = reg.put; break;
        case 'PATCH': handler = reg.patch; break;
        case 'DELETE': handler = reg.delete; break;
      }
    }
    if (!handler) throw ArmErrors.methodNotAllowed(method, reg.type);
    return { handler, head };
  }

  private async authorize(ctx: RequestContext, target: ArmTarget, caller: ArmCaller): Promise<void> {
    const method = ctx.method;
    const action = target.registration.actionFor ? target.registration.actionFor(method, target) : defaultAction(method, target);
    if (action === null) return; // open to every authenticated caller (the handler filters what it returns)
    const scope = target.kind === 'collection' ? (target.scope || '/') : target.id;
    if (!(await this.o.authz.isAllowed(caller.objectId, action, scope))) {
      // As Azure: the client is a user's UPN, else the object id; the scope as the request spelled it.
      throw ArmErrors.authorizationFailed(callerName(caller), caller.objectId, action, scopeAsSent(ctx.path, scope));
    }
  }

  private async readJsonBody(ctx: RequestContext): Promise<unknown> {
    if (ctx.method !== 'PUT' && ctx.method !== 'PATCH' && ctx.method !== 'POST') return undefined;
    try {
      return await readJsonBody(ctx.req, { limit: this.o.maxBodyBytes, contentType: ARM_JSON, lenient: readAzTemplateSplice });
    } catch (e) {
      if (e instanceof UnsupportedMediaTypeError) throw ArmErrors.unsupportedMediaType(e.contentType);
      if (e instanceof MalformedJsonError) throw ArmErrors.invalidRequestContent(`${e.detail}. Path '', line 1.`);
      throw e;
    }
  }

  private send(ctx: RequestContext, result: ArmResult, common: Record<string, string>): void {
    sendJson(ctx.res, result.status, result.body, { ...common, ...result.headers });
  }

  private sendError(ctx: RequestContext, e: unknown, common: Record<string, string>): void {
    let err: AzureError;
    const headers: Record<string, string> = { ...common };
    if (e instanceof BodyTooLargeError) {
      err = ArmErrors.requestTooLarge();
      // Keep the connection open while the rest of the body is discarded (see below): Node would
      // otherwise close it right after this answer, for a client that sent `Connection: close`, and the
      // reset can reach the client before it has read the 413.
      headers.connection = 'keep-alive';
    } else if (isAzureError(e)) err = e;
    else {
      this.o.logger.error(`ARM ${ctx.method} ${ctx.path} failed (request ${ctx.requestId})`, e);
      err = ArmErrors.internal(ctx.requestId);
    }
    if (ctx.res.headersSent) { ctx.res.destroy(); return; }
    sendJson(ctx.res, err.status, err.toEnvelope(), { ...headers, ...err.headers, 'x-ms-failure-cause': err.status >= 500 ? 'service' : 'gateway' });
    if (e instanceof BodyTooLargeError) {
      // The rest of the body is still arriving: it is read and discarded, so the client gets to read this
      // answer, and the connection stays usable. A client still sending after a few seconds is cut off.
      const socket = ctx.req.socket;
      ctx.req.resume();
      if (!ctx.req.complete) {
        const timer = setTimeout(() => socket.destroy(), 5000);
        timer.unref();
        const done = () => clearTimeout(timer);
        ctx.req.once('end', done);
        socket.once('close', done);
      }
    }
  }
}

/** A request made in process: method, path (with its query) and parsed body, as the caller. */
export interface InternalRequest {
  method: 'GET' | 'PUT' | 'PATCH' | 'DELETE' | 'POST';
  /** Path with `?api-version=...` (segments percent-encoded, as on the wire). */
  path: string;
  body?: unknown;
  caller: ArmCaller;
  /** The correlation id of the request this one is made for (a deployment's). */
  correlationId: string;
}

/** The RequestContext of an in-process request: a request object with no socket behind it, never answered. */
function internalContext(call: InternalRequest): RequestContext {
  const q = call.path.indexOf('?');
  const req = new IncomingMessage(new Socket());
  req.method = call.method;
  req.url = call.path;
  const requestId = crypto.randomUUID();
  return {
    req, res: new ServerResponse(req), method: call.method, path: q === -1 ? call.path : call.path.slice(0, q),
    query: new URLSearchParams(q === -1 ? '' : call.path.slice(q + 1)), requestId, correlationId: call.correlationId, clientIp: '127.0.0.1',
  };
}

/** HEAD: the status of GET without the body (204 for 200, as ARM's checkExistence, unless the type says otherwise). */
function toHead(result: ArmResult, headStatus = 204): ArmResult {
  return { status: result.status === 200 ? headStatus : result.status, headers: result.headers };
}
