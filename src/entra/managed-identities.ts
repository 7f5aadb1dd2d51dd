// Managed identities in the directory: their service principals, which resource each is assigned to,
// and tokens for them. A token goes only to a resource its identity is assigned to.
import crypto, { timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import { nowSeconds, type Clock } from '../common/clock.js';
import { getMeta, setMeta } from '../store/meta.js';
import type { SecretBox } from '../common/crypto.js';
import { AzureError } from '../common/errors.js';
import { grantedRoles, type Directory, type Principal } from './directory.js';
import type { IssuedToken, TokenIssuer } from './tokens.js';

export type MiKind = 'SystemAssigned' | 'UserAssigned';

/** Which identity of a resource a token is asked for; none: the system-assigned one. */
export interface IdentitySelector {
  clientId?: string;
  objectId?: string;
  resourceId?: string;
}

/**
 * Why a token for a managed identity was refused (ManagedIdentities.tokenFor): the error's `code`, which
 * other planes and processes classify on (the gateway's authentication-managed-identity policy, across
 * its worker IPC), never the message text. The wire answer of the HTTP endpoints is in the error's body.
 */
export const MI_TOKEN_FAILURES = [
  /** The resource has no system-assigned identity (none was selected). */
  'NoSystemAssignedIdentity',
  /** No identity assigned to the resource matches the selector (client_id, object_id, mi_res_id). */
  'IdentityNotFound',
  /** More than one selector was given. */
  'AmbiguousIdentitySelector',
] as const;
export type MiTokenFailure = typeof MI_TOKEN_FAILURES[number];

export function isMiTokenFailure(code: unknown): code is MiTokenFailure {
  return (MI_TOKEN_FAILURES as readonly unknown[]).includes(code);
}

/** Errors of the managed identity endpoints: `{"error","error_description"}`, 400 (never 404: SDKs retry 404). */
export const MiErrors = {
  identityNotFound: () => miError(400, 'invalid_request', 'Identity not found', 'IdentityNotFound'),
  noSystemAssigned: () => miError(400, 'invalid_request', 'Identity not found: the resource has no system-assigned managed identity.', 'NoSystemAssignedIdentity'),
  missingResource: () => miError(400, 'invalid_request', "Required query variable 'resource' is missing"),
  badApiVersion: (v: string | null, expected: string) =>
    miError(400, 'invalid_request', v ? `Invalid api-version '${v}'; this endpoint supports '${expected}'.` : "Required query variable 'api-version' is missing"),
  missingMetadata: () => miError(400, 'invalid_request', 'Required metadata header not specified'),
  unauthorized: () => miError(401, 'unauthorized_client', 'The identity header (secret) is missing or does not match a resource.'),
  oneSelector: () => miError(400, 'invalid_request', 'Only one of client_id, object_id and mi_res_id/msi_res_id may be given.', 'AmbiguousIdentitySelector'),
};

/** `code` is the typed failure for token refusals, else the OAuth error itself. */
function miError(status: number, error: string, description: string, failure?: MiTokenFailure): AzureError {
  return new AzureError({ status, code: failure ?? error, message: description, body: { error, error_description: description } });
}

/** Renew a cached token when less than this is left (SDK caches renew 5 minutes early). */
const RENEW_BEFORE_MS = 10 * 60_000;

export class ManagedIdentities {
  private readonly tokenCache = new Map<string, IssuedToken>();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly directory: Directory,
    private readonly issuer: TokenIssuer,
    private readonly box: SecretBox,
    private readonly clock: Clock,
  ) {}

  /** A new service principal for a managed identity (appId = clientId). */
  createPrincipal(input: { resourceId: string; displayName: string; kind: MiKind }): Promise<Principal> {
    return this.directory.create({
      displayName: input.displayName,
      principalType: 'ManagedIdentity',
      alternativeNames: [`isExplicit=${input.kind === 'UserAssigned' ? 'True' : 'False'}`, input.resourceId],
      managedIdentityResourceId: input.resourceId,
    });
  }

  /** Deletes a managed identity's principal and every assignment of it. */
  async deletePrincipal(objectId: string): Promise<void> {
    await this.db.deleteFrom('entra_mi_assignments').where('principal_id', '=', objectId).execute();
    await this.directory.delete(objectId);
    for (const key of this.tokenCache.keys()) if (key.startsWith(objectId + '|')) this.tokenCache.delete(key);
  }

  /** Replaces the identities assigned to a resource. */
  async setAssignments(resourceId: string, assigned: { principalId: string; kind: MiKind }[]): Promise<void> {
    const key = resourceId.toLowerCase();
    const now = this.clock.nowMs();
    await this.db.transaction().execute(async (tx) => {
      await tx.deleteFrom('entra_mi_assignments').where('resource_key', '=', key).execute();
      for (const a of assigned) {
        await tx.insertInto('entra_mi_assignments').values({ resource_key: key, principal_id: a.principalId, kind: a.kind, created_ms: now }).execute();
      }
    });
  }

  async assignments(resourceId: string): Promise<{ principalId: string; kind: MiKind }[]> {
    const rows = await this.db.selectFrom('entra_mi_assignments').select(['principal_id', 'kind'])
      .where('resource_key', '=', resourceId.toLowerCase()).execute();
    return rows.map((r) => ({ principalId: r.principal_id, kind: r.kind as MiKind }));
  }

  /** The principal a resource asks for, if it is assigned to that resource. */
  async resolve(resourceId: string, selector: IdentitySelector): Promise<Principal> {
    const given = [selector.clientId, selector.objectId, selector.resourceId].filter((v) => v !== undefined && v !== '');
    if (given.length > 1) throw MiErrors.oneSelector();
    const assigned = await this.assignments(resourceId);
    if (given.length === 0) {
      const system = assigned.find((a) => a.kind === 'SystemAssigned');
      const p = system && await this.directory.getByObjectId(system.principalId);
      if (!p) throw MiErrors.noSystemAssigned();
      return p;
    }
    for (const a of assigned) {
      const p = await this.directory.getByObjectId(a.principalId);
      if (!p) continue;
      if (selector.clientId && p.appId.toLowerCase() === selector.clientId.toLowerCase()) return p;
      if (selector.objectId && p.objectId.toLowerCase() === selector.objectId.toLowerCase()) return p;
      if (selector.resourceId && a.kind === 'UserAssigned' && p.managedIdentityResourceId?.toLowerCase() === selector.resourceId.toLowerCase()) return p;
    }
    throw MiErrors.identityNotFound();
  }

  /**
   * A token for `audience` as one identity of `resourceId`: the internal API of the gateway, and what the
   * HTTP endpoints serve. Cached per (principal, audience) and renewed before it expires.
   */
  async tokenFor(resourceId: string, selector: IdentitySelector, audience: string): Promise<{ token: IssuedToken; principal: Principal }> {
    const principal = await this.resolve(resourceId, selector);
    const resourceApp = await this.directory.findResourceApplication(audience);
    // App roles granted to the identity on the resource (Microsoft Graph's Application.ReadWrite.All, ...):
    // part of the cache key, so a grant or a revocation shows in the next token asked for.
    const roles = grantedRoles(principal, resourceApp);
    const key = `${principal.objectId}|${audience}|${roles.join(' ')}`;
    const cached = this.tokenCache.get(key);
    if (cached && cached.expiresOn * 1000 - this.clock.nowMs() > RENEW_BEFORE_MS) return { token: cached, principal };
    const token = await this.issuer.issue({ principal, audience, version: resourceApp?.accessTokenVersion === 2 ? 2 : 1, roles });
    this.tokenCache.set(key, token);
    return { token, principal };
  }

  /**
   * The secret that lets a local process act as `resourceId` (IDENTITY_HEADER, and the IMDS path):
   * `{hex payload}.{hex mac}`, lower-case (MSAL lowercases the IMDS URL). The payload binds it to the
   * resource, the principal it was issued to (`holder`, who must still be allowed `action` on the
   * resource), an expiry, and the resource's current epoch: rotating (or deleting the resource) moves the
   * epoch on, and every secret issued before stops working.
   */
  async endpointSecret(resourceId: string, holder: { objectId: string; action: string }, lifetimeSeconds: number): Promise<{ secret: string; expiresOn: number }> {
    const expiresOn = nowSeconds(this.clock) + lifetimeSeconds;
    const payload: EndpointSecretPayload = { r: resourceId.toLowerCase(), h: holder.objectId, a: holder.action, e: expiresOn, n: await this.endpointEpoch(resourceId) };
    const hex = Buffer.from(JSON.stringify(payload)).toString('hex');
    return { secret: `${hex}.${this.box.mac('identity-endpoint', hex).toString('hex')}`, expiresOn };
  }

  /** Invalidates every endpoint secret of `resourceId` issued so far (`identity env --rotate`, or the resource is gone). */
  async rotateEndpointSecrets(resourceId: string): Promise<void> {
    await setMeta(this.db, epochKey(resourceId), crypto.randomBytes(8).toString('hex'));
  }

  private async endpointEpoch(resourceId: string): Promise<string> {
    return (await getMeta(this.db, epochKey(resourceId))) ?? '0';
  }

  /**
   * The resource a genuine, unexpired, current endpoint secret acts as, once its holder is still allowed
   * to (`guard`); undefined otherwise, whatever the reason (the caller answers the same 401).
   */
  async resourceForSecret(secret: string, guard: EndpointGuard): Promise<string | undefined> {
    const m = /^([0-9a-f]{2,4096})\.([0-9a-f]{64})$/.exec(secret.toLowerCase());
    if (!m) return undefined;
    const expected = this.box.mac('identity-endpoint', m[1]);
    const given = Buffer.from(m[2], 'hex');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    let p: EndpointSecretPayload;
    try { p = JSON.parse(Buffer.from(m[1], 'hex').toString('utf8')) as EndpointSecretPayload; } catch { return undefined; }
    if (typeof p.r !== 'string' || typeof p.h !== 'string' || typeof p.a !== 'string' || typeof p.e !== 'number' || typeof p.n !== 'string') return undefined;
    if (p.e <= nowSeconds(this.clock)) return undefined;
    if (p.n !== (await this.endpointEpoch(p.r))) return undefined;
    if (!(await guard(p.h, p.a, p.r))) return undefined;
    return p.r;
  }

}

/** Whether `holder` may still act as the resource (`action` on it): the authorization plane's answer. */
export type EndpointGuard = (holder: string, action: string, resourceId: string) => Promise<boolean>;

/** What an endpoint secret carries: resource, holder, action, expiry (unix seconds), epoch. */
interface EndpointSecretPayload { r: string; h: string; a: string; e: number; n: string }

const epochKey = (resourceId: string) => `entra.identity-endpoint-epoch:${resourceId.toLowerCase()}`;
