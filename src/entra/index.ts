// The Entra ID plane: tenant, directory, signing keys, discovery, JWKS and the token endpoint.
// Other planes use what this exports: the verifier for bearer tokens, the issuer and the directory.
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import type { Clock } from '../common/clock.js';
import type { SecretBox } from '../common/crypto.js';
import type { RequestContext } from '../common/http.js';
import { readBody, sendJson, BodyTooLargeError } from '../common/http.js';
import { isAzureError } from '../common/errors.js';
import { newGuid } from '../common/ids.js';
import { getMeta, getOrCreateMeta } from '../store/meta.js';
import { SigningKeys } from './signing-keys.js';
import { Directory } from './directory.js';
import { TokenIssuer, TokenVerifier, type Issuers } from './tokens.js';
import { discoveryDocument } from './discovery.js';
import { handleTokenRequest, withBasicCredentials } from './token-endpoint.js';
import { EntraErrors, entraErrorBody } from './errors.js';
import { ManagedIdentities } from './managed-identities.js';
import { handleManagedIdentityEndpoint } from './managed-identity-endpoints.js';
import type { EndpointGuard } from './managed-identities.js';
import { GraphService, ensureMicrosoftGraph, GRAPH_RESOURCE } from './graph/index.js';
import { SignInGrants } from './sign-in-grants.js';

export { Directory, type Principal, type PrincipalType, certificateThumbprints } from './directory.js';
export { TokenVerifier, TokenIssuer, TokenRejectedError, type AccessTokenClaims, type TokenRejection, type Issuers } from './tokens.js';
export { SigningKeys } from './signing-keys.js';
export { GraphService, GRAPH_PATH, GRAPH_APP_ID, GRAPH_PERMISSIONS } from './graph/index.js';
export { SignInGrants, CODE_LIFETIME_MS } from './sign-in-grants.js';
export { ManagedIdentities, MiErrors, isMiTokenFailure, type MiKind, type IdentitySelector, type MiTokenFailure } from './managed-identities.js';

export interface EntraOptions {
  db: Kysely<Database>;
  box: SecretBox;
  clock: Clock;
  /** `https://localhost:PORT`: the authority host and issuer origin. */
  baseUrl: string;
  tokenLifetimeSeconds: number;
  /** Whether the holder of a managed identity endpoint secret may still act as its resource (the authorization plane's check). */
  identityEndpointGuard: EndpointGuard;
}

export interface AdminCredentials { clientId: string; clientSecret: string; objectId: string }

export class EntraPlane {
  /**
   * The plane, ready: the tenant, a signing key and the admin application are made at first start and
   * loaded after; the issuer, verifier and managed identities are built on them.
   */
  static async create(options: EntraOptions): Promise<EntraPlane> {
    const { db, box, clock, tokenLifetimeSeconds } = options;
    const tenantId = await getOrCreateMeta(db, 'entra.tenantId', () => newGuid());
    const keys = await SigningKeys.open(db, box, clock, tokenLifetimeSeconds * 1000);
    // az asks Graph tokens for the cloud's microsoftGraphResourceId, this server's origin: Microsoft Graph here.
    const directory = new Directory(db, clock, new Map([[options.baseUrl.toLowerCase(), GRAPH_RESOURCE]]));
    const admin = await adminCredentials(db, box, directory);
    await ensureMicrosoftGraph(directory, admin.objectId);
    return new EntraPlane(options, tenantId, keys, directory, admin);
  }

  readonly issuers: Issuers;
  readonly issuer: TokenIssuer;
  readonly verifier: TokenVerifier;
  readonly managedIdentities: ManagedIdentities;
  /** Microsoft Graph at `{baseUrl}/v1.0` (graph/index.ts). */
  readonly graph: GraphService;
  /** Authorization codes and refresh tokens (the portal's sign-in link); in memory, revoked by a restart. */
  readonly signInGrants: SignInGrants;

  private constructor(
    private readonly options: EntraOptions,
    readonly tenantId: string,
    readonly keys: SigningKeys,
    readonly directory: Directory,
    readonly admin: AdminCredentials,
  ) {
    const { db, box, baseUrl, clock, tokenLifetimeSeconds } = options;
    this.issuers = { v1: `${baseUrl}/${tenantId}/`, v2: `${baseUrl}/${tenantId}/v2.0` };
    this.issuer = new TokenIssuer(keys, clock, tenantId, this.issuers, tokenLifetimeSeconds);
    this.verifier = new TokenVerifier(keys, clock, this.issuers);
    this.managedIdentities = new ManagedIdentities(db, directory, this.issuer, box, clock);
    this.signInGrants = new SignInGrants(clock);
    this.graph = new GraphService({ directory, verifier: this.verifier, clock, tenantId, baseUrl, adminObjectId: admin.objectId });
  }

  /**
   * The portal's sign-in link for an application: an authorization code in the fragment (never sent to
   * a server, nor in a Referer), which the portal redeems and then strips from the address bar.
   */
  portalSignInLink(appId: string): { url: string; expiresMs: number } {
    const { code, expiresMs } = this.signInGrants.mintCode(appId);
    return { url: `${this.options.baseUrl}/portal/#code=${code}&client_id=${appId}`, expiresMs };
  }

  /** Serves the Entra routes; returns false when the path is not Entra's. */
  async handle(ctx: RequestContext): Promise<boolean> {
    if (await handleManagedIdentityEndpoint(ctx, this.managedIdentities, this.options.clock, this.options.identityEndpointGuard)) return true;
    // The ADFS-style authority `{base}/adfs` (the cloud metadata's login endpoint): MSAL skips instance
    // discovery for it and reads this document, the default tenant's v2 one, so tokens come from the
    // tenant's v2 token endpoint with the tenant's issuer, verifiable as any other.
    if (/^\/adfs\/\.well-known\/openid-configuration\/?$/i.test(ctx.path)) {
      if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return methodNotAllowed(ctx);
      sendJson(ctx.res, 200, discoveryDocument(this.options.baseUrl, this.tenantId, 2, this.issuers.v2));
      return true;
    }
    const m = /^\/([^/]+)\/(v2\.0\/\.well-known\/openid-configuration|\.well-known\/openid-configuration|discovery\/v2\.0\/keys|discovery\/keys|oauth2\/v2\.0\/token|oauth2\/token)\/?$/i.exec(ctx.path);
    if (!m) return false;
    const [, tenant, route] = m;
    const r = route.toLowerCase();
    try {
      if (tenant.toLowerCase() !== this.tenantId) throw EntraErrors.tenantNotFound(decodeURIComponent(tenant));
      const base = this.options.baseUrl;
      if (r.endsWith('openid-configuration') || r.includes('keys')) {
        if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return methodNotAllowed(ctx);
        if (r.includes('keys')) sendJson(ctx.res, 200, { keys: this.keys.publishedKeys() }, { 'cache-control': 'max-age=300' });
        else {
          const v = r.startsWith('v2.0') ? 2 : 1;
          sendJson(ctx.res, 200, discoveryDocument(base, this.tenantId, v, v === 2 ? this.issuers.v2 : this.issuers.v1));
        }
        return true;
      }
      if (ctx.method !== 'POST') return methodNotAllowed(ctx);
      const contentType = String(ctx.req.headers['content-type'] ?? '');
      if (!/^application\/x-www-form-urlencoded\b/i.test(contentType)) throw EntraErrors.formBody();
      const form = withBasicCredentials(new URLSearchParams((await readBody(ctx.req, 256 * 1024)).toString('utf8')), ctx.req.headers.authorization);
      const version = r === 'oauth2/v2.0/token' ? 2 : 1;
      const body = await handleTokenRequest(form, version, {
        tenantId: this.tenantId, directory: this.directory, issuer: this.issuer, clock: this.options.clock, signInGrants: this.signInGrants,
        tokenEndpointUrls: (v) => [`${base}/${this.tenantId}/oauth2/${v === 2 ? 'v2.0/' : ''}token`, `${base}/${this.tenantId}/oauth2/v2.0/token`, `${base}/${this.tenantId}/oauth2/token`],
      });
      sendJson(ctx.res, 200, body, { 'x-ms-request-id': ctx.requestId });
    } catch (e) {
      if (isAzureError(e) && e.body) sendJson(ctx.res, e.status, entraErrorBody(e, ctx.requestId, clientRequestId(ctx)), { 'x-ms-request-id': ctx.requestId });
      else if (e instanceof BodyTooLargeError) sendJson(ctx.res, 413, { error: 'invalid_request', error_description: 'The request body is too large.' });
      else throw e;
    }
    return true;
  }
}

/** Entra echoes the client's `client-request-id` (MSAL sends it as header and query parameter) as correlation_id. */
function clientRequestId(ctx: RequestContext): string {
  const sent = ctx.req.headers['client-request-id'] ?? ctx.query.get('client-request-id') ?? undefined;
  return typeof sent === 'string' && /^[\w-]{1,64}$/.test(sent) ? sent : ctx.correlationId;
}

/** The admin application (Owner of the default subscription): made once, its credentials sealed in `meta`. */
async function adminCredentials(db: Kysely<Database>, box: SecretBox, directory: Directory): Promise<AdminCredentials> {
  const sealed = await getMeta(db, 'entra.admin');
  if (sealed) return JSON.parse(box.open(sealed, 'entra.admin')) as AdminCredentials;
  const app = await directory.create({ displayName: 'apim-local-admin', principalType: 'Application' });
  const { secret } = await directory.addSecret(app.objectId, 100 * 365 * 86_400_000);
  const admin = { clientId: app.appId, clientSecret: secret, objectId: app.objectId };
  await db.insertInto('meta').values({ key: 'entra.admin', value: box.seal(JSON.stringify(admin), 'entra.admin') }).execute();
  return admin;
}

function methodNotAllowed(ctx: RequestContext): true {
  sendJson(ctx.res, 405, { error: 'invalid_request', error_description: `The HTTP method '${ctx.method}' is not supported here.` }, { allow: 'GET, POST' });
  return true;
}
