// The lifecycle of a vault's named objects (secrets and certificates): which version is current, and
// soft delete (deleted, recoverable until purged or until its retention ends). Versions live in
// secrets.ts and certificates.ts; this module owns kv_objects and purges versions with their object.
import crypto from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { Database, KvObjectTable } from '../store/schema.js';
import type { Clock } from '../common/clock.js';
import { KvErrors } from './errors.js';

export type ObjectKind = 'secret' | 'certificate';
export type Db = Kysely<Database> | Transaction<Database>;

export const nameKey = (name: string): string => name.toLowerCase();
export const newVersion = (): string => crypto.randomBytes(16).toString('hex');

/** Secret and certificate names: 1-127 letters, digits and hyphens. */
const NAME = /^[0-9a-zA-Z-]{1,127}$/;
const VERSION = /^[0-9a-fA-F]{32}$/;

export function checkName(name: string): void {
  if (!NAME.test(name)) throw KvErrors.invalidName(name);
}

/** True when `version` can be a version id (otherwise it cannot exist: 404, as Key Vault). */
export const isVersion = (version: string): boolean => VERSION.test(version);

export class ObjectStore {
  constructor(readonly db: Kysely<Database>, readonly clock: Clock) {}

  /** The object row, or undefined; a deleted object past its retention is purged on the way. */
  async find(db: Db, vaultKey: string, kind: ObjectKind, name: string): Promise<KvObjectTable | undefined> {
    const row = await db.selectFrom('kv_objects').selectAll()
      .where('vault_key', '=', vaultKey).where('kind', '=', kind).where('name_key', '=', nameKey(name)).executeTakeFirst();
    if (row && row.scheduled_purge_ms !== null && row.scheduled_purge_ms <= this.clock.nowMs()) {
      await this.purgeRows(db, vaultKey, kind, row.name_key);
      return undefined;
    }
    return row;
  }

  /** An object that is not deleted, or 404. */
  async live(db: Db, vaultKey: string, kind: ObjectKind, name: string): Promise<KvObjectTable> {
    const row = await this.find(db, vaultKey, kind, name);
    if (!row || row.deleted_ms !== null) throw KvErrors.notFound(kind, name);
    return row;
  }

  /** A deleted object, or 404 "Deleted ... not found". */
  async deleted(db: Db, vaultKey: string, kind: ObjectKind, name: string): Promise<KvObjectTable> {
    const row = await this.find(db, vaultKey, kind, name);
    if (!row || row.deleted_ms === null) throw KvErrors.deletedNotFound(kind, name);
    return row;
  }

  /** Points an object at a new current version, creating it if needed (never a deleted one). */
  async setCurrent(db: Db, vaultKey: string, kind: ObjectKind, name: string, version: string, extra: { managed?: boolean; policy?: string } = {}): Promise<void> {
    const now = this.clock.nowMs();
    const existing = await this.find(db, vaultKey, kind, name);
    if (existing) {
      await db.updateTable('kv_objects').set({
        current_version: version, updated_ms: now,
        ...(extra.policy !== undefined ? { policy: extra.policy } : {}),
      }).where('vault_key', '=', vaultKey).where('kind', '=', kind).where('name_key', '=', existing.name_key).execute();
    } else {
      await db.insertInto('kv_objects').values({
        vault_key: vaultKey, kind, name_key: nameKey(name), name, current_version: version, managed: extra.managed ? 1 : 0,
        policy: extra.policy ?? null, deleted_ms: null, scheduled_purge_ms: null, created_ms: now, updated_ms: now,
      }).execute();
    }
  }

  async setPolicy(db: Db, vaultKey: string, name: string, policy: string): Promise<void> {
    await db.updateTable('kv_objects').set({ policy, updated_ms: this.clock.nowMs() })
      .where('vault_key', '=', vaultKey).where('kind', '=', 'certificate').where('name_key', '=', nameKey(name)).execute();
  }

  /** Soft delete (retention in days), or purge at once when the vault has no soft delete. */
  async remove(db: Db, vaultKey: string, kind: ObjectKind, name: string, retentionDays: number | undefined): Promise<void> {
    const now = this.clock.nowMs();
    if (retentionDays === undefined) { await this.purgeRows(db, vaultKey, kind, nameKey(name)); return; }
    await db.updateTable('kv_objects').set({ deleted_ms: now, scheduled_purge_ms: now + retentionDays * 86_400_000 })
      .where('vault_key', '=', vaultKey).where('kind', '=', kind).where('name_key', '=', nameKey(name)).execute();
  }

  async recover(db: Db, vaultKey: string, kind: ObjectKind, name: string): Promise<void> {
    const now = this.clock.nowMs();
    await db.updateTable('kv_objects').set({ deleted_ms: null, scheduled_purge_ms: null, updated_ms: now })
      .where('vault_key', '=', vaultKey).where('kind', '=', kind).where('name_key', '=', nameKey(name)).execute();
  }

  async purge(db: Db, vaultKey: string, kind: ObjectKind, name: string): Promise<void> {
    await this.purgeRows(db, vaultKey, kind, nameKey(name));
  }

  /** Objects of a kind, live or deleted, by creation order; expired deleted ones are purged. */
  async list(vaultKey: string, kind: ObjectKind, deleted: boolean): Promise<KvObjectTable[]> {
    const rows = await this.db.selectFrom('kv_objects').selectAll().where('vault_key', '=', vaultKey).where('kind', '=', kind)
      .where('deleted_ms', deleted ? 'is not' : 'is', null).orderBy('created_ms').orderBy('name_key').execute();
    const now = this.clock.nowMs();
    const out: KvObjectTable[] = [];
    for (const r of rows) {
      if (r.scheduled_purge_ms !== null && r.scheduled_purge_ms <= now) await this.purgeRows(this.db, vaultKey, kind, r.name_key);
      else out.push(r);
    }
    return out;
  }

  /** Everything a vault holds (the vault was purged). */
  async purgeVault(vaultKey: string): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      await tx.deleteFrom('kv_secret_versions').where('vault_key', '=', vaultKey).execute();
      await tx.deleteFrom('kv_certificate_versions').where('vault_key', '=', vaultKey).execute();
      await tx.deleteFrom('kv_objects').where('vault_key', '=', vaultKey).execute();
    });
  }

  private async purgeRows(db: Db, vaultKey: string, kind: ObjectKind, key: string): Promise<void> {
    const table = kind === 'secret' ? 'kv_secret_versions' : 'kv_certificate_versions';
    await db.deleteFrom(table).where('vault_key', '=', vaultKey).where('name_key', '=', key).execute();
    await db.deleteFrom('kv_objects').where('vault_key', '=', vaultKey).where('kind', '=', kind).where('name_key', '=', key).execute();
  }
}
