// The directory: applications (each with its service principal: one object id here) and managed
// identity service principals, with their credentials. Other planes use this through entra/index.ts.
import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database, EntraPrincipalTable } from '../store/schema.js';
import type { Clock } from '../common/clock.js';
import { hashSecret, newClientSecret, verifySecret } from '../common/crypto.js';
import { newGuid } from '../common/ids.js';

export type PrincipalType = 'Application' | 'ManagedIdentity';

export interface AppRole { id: string; value: string; displayName?: string; allowedMemberTypes?: string[] }

/** An app role granted to a principal on a resource application (Graph's appRoleAssignment). */
export interface AppRoleGrant { resourceAppId: string; appRoleId: string; id?: string; createdMs?: number }

export interface PrincipalData {
  alternativeNames?: string[];
  identifierUris?: string[];
  /** 2 makes tokens for this application (as a resource) v2.0 tokens, as Entra's requestedAccessTokenVersion. */
  accessTokenVersion?: 1 | 2;
  appRoles?: AppRole[];
  /** App roles granted to this principal on other applications (resource app id + role id). */
  appRoleAssignments?: AppRoleGrant[];
  /** For managed identities: the resource id that goes into xms_mirid. */
  managedIdentityResourceId?: string;
  /**
   * The application object's own id (Graph's `application.id`; the service principal's is `objectId`).
   * Absent on principals made before Graph was served: applicationObjectId() derives a stable one.
   */
  applicationObjectId?: string;
  /** False for an application registered through Graph whose service principal was not created yet (or was deleted). */
  hasServicePrincipal?: boolean;
  /** A first-party application of Microsoft's tenant (Microsoft Graph): a service principal here, never an application. */
  firstParty?: boolean;
  /** What Graph shows of each client secret (keyed by credential id): its display name and first three characters. */
  passwordInfo?: Record<string, { displayName: string | null; hint: string }>;
  /** Graph properties of an application stored as given and echoed back (web, api, requiredResourceAccess, ...). */
  graphProperties?: Record<string, unknown>;
}

export interface Principal extends PrincipalData {
  objectId: string;
  appId: string;
  displayName: string;
  principalType: PrincipalType;
  createdMs: number;
}

/**
 * Graph's `application.id` of an application principal: the stored one, or one derived from the
 * service principal's object id (stable, for principals made before applications had their own).
 */
export function applicationObjectId(p: Principal): string {
  if (p.applicationObjectId) return p.applicationObjectId;
  const h = crypto.createHash('sha256').update(`application|${p.objectId}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((parseInt(h[16], 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The names of the app roles `principal` holds on `resourceApp`: the `roles` claim of its tokens for that resource. */
export function grantedRoles(principal: Principal, resourceApp: Principal | undefined): string[] {
  if (!resourceApp) return [];
  return (principal.appRoleAssignments ?? [])
    .filter((a) => a.resourceAppId === resourceApp.appId)
    .map((a) => resourceApp.appRoles?.find((r) => r.id === a.appRoleId)?.value)
    .filter((v): v is string => typeof v === 'string');
}

export interface CredentialInfo { id: string; kind: 'secret' | 'certificate'; createdMs: number; expiresMs: number | null; x5t: string | null; subject: string | null }

function toPrincipal(row: EntraPrincipalTable): Principal {
  return {
    ...(JSON.parse(row.data) as PrincipalData),
    objectId: row.object_id, appId: row.app_id, displayName: row.display_name,
    principalType: row.principal_type as PrincipalType, createdMs: row.created_ms,
  };
}

export function certificateThumbprints(certPem: string): { x5t: string; x5tS256: string; der: Buffer } {
  const cert = new crypto.X509Certificate(certPem);
  const der = cert.raw;
  return {
    der,
    x5t: crypto.createHash('sha1').update(der).digest('base64url'),
    x5tS256: crypto.createHash('sha256').update(der).digest('base64url'),
  };
}

export class Directory {
  private uriIndex?: { atMs: number; map: Map<string, string> };
  /**
   * `resourceAliases`: other names of a resource application's identifier URI (normalized, no trailing
   * slash), e.g. this server's Graph URL for `https://graph.microsoft.com`, which az asks tokens for.
   */
  constructor(private readonly db: Kysely<Database>, private readonly clock: Clock, private readonly resourceAliases: ReadonlyMap<string, string> = new Map()) {}

  /** Renames a principal (Graph's PATCH of an application's displayName). */
  async rename(objectId: string, displayName: string): Promise<void> {
    await this.db.updateTable('entra_principals').set({ display_name: displayName }).where('object_id', '=', objectId).execute();
  }

  async create(input: { displayName: string; principalType: PrincipalType; appId?: string; objectId?: string } & PrincipalData): Promise<Principal> {
    const { displayName, principalType, appId = newGuid(), objectId = newGuid(), ...data } = input;
    const now = this.clock.nowMs();
    await this.db.insertInto('entra_principals').values({
      object_id: objectId, app_id: appId, display_name: displayName, principal_type: principalType,
      data: JSON.stringify(data), created_ms: now,
    }).execute();
    this.uriIndex = undefined;
    return { ...data, objectId, appId, displayName, principalType, createdMs: now };
  }

  async update(objectId: string, data: PrincipalData): Promise<Principal | undefined> {
    const current = await this.getByObjectId(objectId);
    if (!current) return undefined;
    const { objectId: _o, appId: _a, displayName: _d, principalType: _t, createdMs: _c, ...old } = current;
    const merged = { ...old, ...data };
    await this.db.updateTable('entra_principals').set({ data: JSON.stringify(merged) }).where('object_id', '=', objectId).execute();
    this.uriIndex = undefined;
    return { ...current, ...merged };
  }

  async getByObjectId(objectId: string): Promise<Principal | undefined> {
    const row = await this.db.selectFrom('entra_principals').selectAll().where('object_id', '=', objectId.toLowerCase()).executeTakeFirst();
    return row ? toPrincipal(row) : undefined;
  }

  async getByAppId(appId: string): Promise<Principal | undefined> {
    const row = await this.db.selectFrom('entra_principals').selectAll().where('app_id', '=', appId.toLowerCase()).executeTakeFirst();
    return row ? toPrincipal(row) : undefined;
  }

  async list(): Promise<Principal[]> {
    const rows = await this.db.selectFrom('entra_principals').selectAll().orderBy('created_ms').execute();
    return rows.map(toPrincipal);
  }

  /** Finds the application a token is requested for: by identifier URI or by appId (`api://{appId}` too). */
  async findResourceApplication(resource: string): Promise<Principal | undefined> {
    const given = resource.replace(/\/+$/, '').toLowerCase();
    const normalized = this.resourceAliases.get(given) ?? given;
    const byAppId = /^(api:\/\/)?([0-9a-f-]{36})$/.exec(normalized);
    if (byAppId) {
      const p = await this.getByAppId(byAppId[2]);
      if (p) return p;
    }
    const objectId = (await this.identifierUriIndex()).get(normalized);
    return objectId ? this.getByObjectId(objectId) : undefined;
  }

  /**
   * Identifier URI → object id of its application. Every token request looks a resource up here, so the
   * map is built once and rebuilt after a directory write in this process, or after a second (another
   * process may share a PostgreSQL store).
   */
  private async identifierUriIndex(): Promise<Map<string, string>> {
    const now = this.clock.nowMs();
    if (this.uriIndex && now - this.uriIndex.atMs < 1000) return this.uriIndex.map;
    const rows = await this.db.selectFrom('entra_principals').selectAll().where('principal_type', '=', 'Application').execute();
    const map = new Map<string, string>();
    for (const row of rows) {
      for (const u of toPrincipal(row).identifierUris ?? []) map.set(u.replace(/\/+$/, '').toLowerCase(), row.object_id);
    }
    this.uriIndex = { atMs: now, map };
    return map;
  }

  async delete(objectId: string): Promise<boolean> {
    return this.db.transaction().execute(async (tx) => {
      await tx.deleteFrom('entra_credentials').where('object_id', '=', objectId).execute();
      const r = await tx.deleteFrom('entra_principals').where('object_id', '=', objectId).executeTakeFirst();
      this.uriIndex = undefined;
      return Number(r.numDeletedRows) > 0;
    });
  }

  /** Adds a client secret and returns it; only its salted hash is stored. */
  async addSecret(objectId: string, lifetimeMs = 365 * 86_400_000, o: { startMs?: number; expiresMs?: number } = {}): Promise<{ secret: string; id: string; startMs: number; expiresMs: number }> {
    const secret = newClientSecret();
    const startMs = o.startMs ?? this.clock.nowMs();
    const expiresMs = o.expiresMs ?? startMs + lifetimeMs;
    const id = newGuid();
    await this.db.insertInto('entra_credentials').values({
      id, object_id: objectId, kind: 'secret', secret_hash: hashSecret(secret), certificate_pem: null,
      x5t: null, x5t_s256: null, created_ms: startMs, expires_ms: expiresMs,
    }).execute();
    return { secret, id, startMs, expiresMs };
  }

  /** The credentials of a principal (no secret material): Graph's passwordCredentials and keyCredentials. */
  async credentials(objectId: string): Promise<CredentialInfo[]> {
    const rows = await this.db.selectFrom('entra_credentials').select(['id', 'kind', 'created_ms', 'expires_ms', 'x5t', 'certificate_pem'])
      .where('object_id', '=', objectId).orderBy('created_ms').execute();
    return rows.map((r) => ({
      id: r.id, kind: r.kind as 'secret' | 'certificate', createdMs: r.created_ms, expiresMs: r.expires_ms, x5t: r.x5t,
      subject: r.certificate_pem ? new crypto.X509Certificate(r.certificate_pem).subject.split('\n').reverse().join(', ') : null,
    }));
  }

  /** Removes one credential of a principal; false when it has none with that id. */
  async removeCredential(objectId: string, id: string): Promise<boolean> {
    const r = await this.db.deleteFrom('entra_credentials').where('object_id', '=', objectId).where('id', '=', id.toLowerCase()).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  /** Removes every client secret of a principal (a credential reset, as az's create-for-rbac on an existing app). */
  async removeSecrets(objectId: string): Promise<number> {
    const r = await this.db.deleteFrom('entra_credentials').where('object_id', '=', objectId).where('kind', '=', 'secret').executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  async addCertificate(objectId: string, certPem: string): Promise<{ id: string; x5t: string; x5tS256: string }> {
    const { x5t, x5tS256 } = certificateThumbprints(certPem);
    const cert = new crypto.X509Certificate(certPem);
    const id = newGuid();
    await this.db.insertInto('entra_credentials').values({
      id, object_id: objectId, kind: 'certificate', secret_hash: null, certificate_pem: cert.toString(),
      x5t, x5t_s256: x5tS256, created_ms: this.clock.nowMs(), expires_ms: Date.parse(cert.validTo),
    }).execute();
    return { id, x5t, x5tS256 };
  }

  async checkSecret(objectId: string, secret: string): Promise<boolean> {
    const now = this.clock.nowMs();
    const rows = await this.db.selectFrom('entra_credentials').select(['secret_hash', 'expires_ms'])
      .where('object_id', '=', objectId).where('kind', '=', 'secret').execute();
    return rows.some((r) => r.secret_hash !== null && (r.expires_ms === null || r.expires_ms > now) && verifySecret(secret, r.secret_hash));
  }

  async findCertificate(objectId: string, thumb: { x5t?: string; x5tS256?: string }): Promise<string | undefined> {
    let q = this.db.selectFrom('entra_credentials').select(['certificate_pem', 'expires_ms'])
      .where('object_id', '=', objectId).where('kind', '=', 'certificate');
    if (thumb.x5tS256) q = q.where('x5t_s256', '=', thumb.x5tS256);
    else if (thumb.x5t) q = q.where('x5t', '=', thumb.x5t);
    else return undefined;
    const row = await q.executeTakeFirst();
    if (!row?.certificate_pem) return undefined;
    if (row.expires_ms !== null && row.expires_ms <= this.clock.nowMs()) return undefined;
    return row.certificate_pem;
  }

  async hasCertificates(objectId: string): Promise<boolean> {
    const row = await this.db.selectFrom('entra_credentials').select('id').where('object_id', '=', objectId).where('kind', '=', 'certificate').executeTakeFirst();
    return row !== undefined;
  }
}
