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

export interface PrincipalData {
  alternativeNames?: string[];
  identifierUris?: string[];
  /** 2 makes tokens for this application (as a resource) v2.0 tokens, as Entra's requestedAccessTokenVersion. */
  accessTokenVersion?: 1 | 2;
  appRoles?: AppRole[];
  /** App roles granted to this principal on other applications (resource app id + role id). */
  appRoleAssignments?: { resourceAppId: string; appRoleId: string }[];
  /** For managed identities: the resource id that goes into xms_mirid. */
  managedIdentityResourceId?: string;
}

export interface Principal extends PrincipalData {
  objectId: string;
  appId: string;
  displayName: string;
  principalType: PrincipalType;
  createdMs: number;
}

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
  constructor(private readonly db: Kysely<Database>, private readonly clock: Clock) {}

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
    const normalized = resource.replace(/\/+$/, '').toLowerCase();
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
  async addSecret(objectId: string, lifetimeMs = 365 * 86_400_000): Promise<{ secret: string; id: string; expiresMs: number }> {
    const secret = newClientSecret();
    const now = this.clock.nowMs();
    const id = newGuid();
    await this.db.insertInto('entra_credentials').values({
      id, object_id: objectId, kind: 'secret', secret_hash: hashSecret(secret), certificate_pem: null,
      x5t: null, x5t_s256: null, created_ms: now, expires_ms: now + lifetimeMs,
    }).execute();
    return { secret, id, expiresMs: now + lifetimeMs };
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
