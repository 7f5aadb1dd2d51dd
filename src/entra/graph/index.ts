// Microsoft Graph, the part the Azure CLI and the Graph SDKs call: /me, users, servicePrincipals,
// applications (with addPassword and removePassword), appRoleAssignments and directoryObjects/getByIds,
// served at `{managementEndpoint}/v1.0/...` (`beta` too). The cloud metadata's `microsoftGraphResourceId`
// is `{managementEndpoint}/` (src/arm/cloud-metadata.ts): az sends Graph requests under it and asks
// tokens for it as a resource, so a token for the management origin and one for
// `https://graph.microsoft.com` (the SDKs' scope) are both Graph tokens here.
// The whole pipeline of a Graph request, in order:
//   1. route         /{version}/{segments} → one of ROUTES (400 unknown segment, 405)
//   2. authenticate  a token of this server for Microsoft Graph (401)
//   3. authorize     the token's `roles` hold a permission the route needs (403; permissions.ts)
//   4. validate      content type, size and JSON of the body; query options (400, 413, 415)
//   5. handle        the route's handler, on the directory (entra/directory.ts)
//   6. serialize     OData JSON (@odata.context, value, @odata.nextLink); errors in Graph's envelope
import { readJsonBody, sendJson, bearerToken, BodyTooLargeError, MalformedJsonError, UnsupportedMediaTypeError, type RequestContext } from '../../common/http.js';
import { isAzureError } from '../../common/errors.js';
import type { Clock } from '../../common/clock.js';
import { TokenRejectedError, type AccessTokenClaims, type TokenVerifier } from '../tokens.js';
import type { Directory } from '../directory.js';
import { GraphErrors, graphErrorBody } from './errors.js';
import { allows, GRAPH_APP_ID, GRAPH_RESOURCE } from './permissions.js';
import { ROUTES, type GraphRoute, type GraphRequest } from './routes.js';

export { ensureMicrosoftGraph, GRAPH_APP_ID, GRAPH_PERMISSIONS, GRAPH_RESOURCE } from './permissions.js';

/** Largest body Graph reads here: directory objects are small. */
const MAX_BODY_BYTES = 64 * 1024;
const VERSIONS = ['v1.0', 'beta'];

export interface GraphServiceOptions {
  directory: Directory;
  verifier: TokenVerifier;
  clock: Clock;
  tenantId: string;
  /** `https://localhost:PORT`: Graph's base URL here, and the audience az asks Graph tokens for. */
  baseUrl: string;
  /** The admin application's object id: never deleted through Graph. */
  adminObjectId: string;
}

/** Graph's paths on the management listener: its API versions. */
export const GRAPH_PATH = /^\/(?:v1\.0|beta)(?:\/|$)/;

export class GraphService {
  readonly graphUrl: string;
  private readonly audiences: string[];

  constructor(private readonly o: GraphServiceOptions) {
    this.graphUrl = o.baseUrl;
    this.audiences = [GRAPH_RESOURCE, this.graphUrl, GRAPH_APP_ID];
  }

  async handle(ctx: RequestContext): Promise<void> {
    const clientRequestId = clientRequestIdOf(ctx);
    const headers = { 'request-id': ctx.requestId, 'client-request-id': clientRequestId, 'odata-version': '4.0' };
    try {
      const { route, params, version } = this.route(ctx);                              // 1. route
      const claims = await this.authenticate(ctx);                                    // 2. authenticate
      if (route.needs && !allows(claims.roles, route.needs)) throw GraphErrors.forbidden(); // 3. authorize
      const body = route.body ? await readGraphBody(ctx) : undefined;                 // 4. validate
      if (!route.body) ctx.req.resume();
      const req: GraphRequest = {
        ctx, params, body, claims, version, directory: this.o.directory, clock: this.o.clock, adminObjectId: this.o.adminObjectId,
        shape: { tenantId: this.o.tenantId, graphUrl: this.graphUrl }, root: `${this.graphUrl}/${version}`,
      };
      const result = await route.handle(req);                                         // 5. handle
      sendJson(ctx.res, result.status, result.body, { ...headers, ...(result.headers ?? {}) }); // 6. serialize
    } catch (e) {
      if (!isAzureError(e)) throw e;
      ctx.req.resume();
      sendJson(ctx.res, e.status, graphErrorBody(e, { requestId: ctx.requestId, clientRequestId, now: new Date(this.o.clock.nowMs()) }), { ...headers, ...e.headers });
    }
  }

  private route(ctx: RequestContext): { route: GraphRoute; params: string[]; version: string } {
    const rest = ctx.path.slice(1);
    const slash = rest.indexOf('/');
    const version = slash < 0 ? rest : rest.slice(0, slash);
    if (!VERSIONS.includes(version)) throw GraphErrors.versionNotFound(version);
    // Matched decoded, so `applications(appId='...')` matches however its quotes and parentheses were sent;
    // an encoded slash never splits a segment (ids are GUIDs).
    const raw = slash < 0 ? '' : rest.slice(slash).replace(/\/+$/, '');
    if (/%2f|%5c/i.test(raw)) throw GraphErrors.segmentNotFound(raw);
    let path: string;
    try { path = decodeURIComponent(raw); } catch { throw GraphErrors.segmentNotFound(raw); }
    const candidates = ROUTES.map((route) => ({ route, m: route.pattern.exec(path) })).filter((c) => c.m !== null);
    if (candidates.length === 0) throw GraphErrors.segmentNotFound(firstUnknownSegment(path));
    const hit = candidates.find((c) => c.route.method === ctx.method);
    if (!hit) throw GraphErrors.methodNotAllowed([...new Set(candidates.map((c) => c.route.method))]);
    return { route: hit.route, params: hit.m!.slice(1), version };
  }

  private async authenticate(ctx: RequestContext): Promise<AccessTokenClaims> {
    const token = bearerToken(ctx.req);
    if (!token) throw GraphErrors.tokenMissing();
    try {
      const claims = await this.o.verifier.verify(token, this.audiences);
      if (claims.tid !== this.o.tenantId) throw GraphErrors.tokenInvalid('Invalid tenant.');
      return claims;
    } catch (e) {
      if (!(e instanceof TokenRejectedError)) throw e;
      const r = e.rejection;
      if (r.reason === 'expired') throw GraphErrors.tokenExpired();
      if (r.reason === 'audience') throw GraphErrors.tokenInvalid('Invalid audience.');
      if (r.reason === 'signature') throw GraphErrors.tokenInvalid('Invalid signature.');
      throw GraphErrors.tokenInvalid(r.reason === 'issuer' ? 'Invalid issuer.' : 'The token is malformed.');
    }
  }
}

function firstUnknownSegment(path: string): string {
  const segs = path.split('/').filter(Boolean);
  const known = ['me', 'users', 'servicePrincipals', 'applications', 'directoryObjects'];
  const first = segs[0] ?? '';
  if (!known.some((k) => first.toLowerCase().startsWith(k.toLowerCase()))) return first;
  return segs[segs.length - 1] ?? first;
}

/** Graph echoes the client's `client-request-id` header; it makes one otherwise. */
function clientRequestIdOf(ctx: RequestContext): string {
  const sent = ctx.req.headers['client-request-id'];
  return typeof sent === 'string' && /^[\w-]{1,64}$/.test(sent) ? sent : ctx.requestId;
}

async function readGraphBody(ctx: RequestContext): Promise<unknown> {
  try {
    return await readJsonBody(ctx.req, { limit: MAX_BODY_BYTES, contentType: /^application\/json\b/i });
  } catch (e) {
    if (e instanceof UnsupportedMediaTypeError) throw GraphErrors.unsupportedMediaType();
    if (e instanceof BodyTooLargeError) throw GraphErrors.tooLarge(MAX_BODY_BYTES);
    if (e instanceof MalformedJsonError) throw GraphErrors.badJson();
    throw e;
  }
}
