// Secret versions: values sealed with AES-256-GCM (bound to vault, name and version), attributes, tags,
// and the operations on them: set, get, list, versions, update, delete/recover/purge, backup/restore.
import type { KvSecretVersionTable } from '../store/schema.js';
import type { SecretBox } from '../common/crypto.js';
import { nowSeconds } from '../common/clock.js';
import { KvErrors } from './errors.js';
import { ObjectStore, isVersion, nameKey, newVersion, type Db } from './objects.js';
import type { KvObjectTable } from '../store/schema.js';

/** Azure's limit on a secret value. */
export const MAX_SECRET_CHARS = 25_600;

export interface SecretAttributesInput { enabled?: boolean; nbf?: number | null; exp?: number | null }

export interface SecretInput {
  value: string;
  contentType?: string | null;
  tags?: Record<string, string> | null;
  attributes?: SecretAttributesInput;
}

export interface SecretVersion {
  name: string;
  version: string;
  value?: string;
  contentType: string | null;
  tags: Record<string, string> | null;
  enabled: boolean;
  nbf: number | null;
  exp: number | null;
  created: number;
  updated: number;
  managed: boolean;
}

export interface SecretWithObject { object: KvObjectTable; version: SecretVersion }

const aad = (vaultKey: string, name: string, version: string) => `kv.secret:${vaultKey}:${nameKey(name)}:${version}`;

export class SecretStore {
  constructor(readonly objects: ObjectStore, private readonly box: SecretBox) {}

  private get db() { return this.objects.db; }
  private now(): number { return nowSeconds(this.objects.clock); }

  /** A new version (PUT /secrets/{name}); `managed` is the secret behind a certificate. */
  async set(vaultKey: string, name: string, input: SecretInput, opts: { managed?: boolean; version?: string; db?: Db } = {}): Promise<SecretWithObject> {
    if (input.value.length > MAX_SECRET_CHARS) throw KvErrors.secretTooLarge();
    const run = async (db: Db) => {
      const existing = await this.objects.find(db, vaultKey, 'secret', name);
      if (existing?.deleted_ms != null) throw KvErrors.deletedButRecoverable('secret', existing.name);
      if (existing && existing.managed === 1 && !opts.managed) throw KvErrors.managedByCertificate('SetSecret', existing.name);
      if (existing && existing.managed === 0 && opts.managed) throw KvErrors.nameUsedBySecret(existing.name);
      const version = opts.version ?? newVersion();
      const now = this.now();
      const row: KvSecretVersionTable = {
        vault_key: vaultKey, name_key: nameKey(name), version,
        value_sealed: this.box.seal(input.value, aad(vaultKey, name, version)),
        content_type: input.contentType ?? null, tags: input.tags ? JSON.stringify(input.tags) : null,
        enabled: input.attributes?.enabled === false ? 0 : 1, nbf: input.attributes?.nbf ?? null, exp: input.attributes?.exp ?? null,
        created_s: now, updated_s: now, managed: opts.managed ? 1 : 0, seq: this.objects.clock.nowMs(),
      };
      await db.insertInto('kv_secret_versions').values(row).execute();
      await this.objects.setCurrent(db, vaultKey, 'secret', existing?.name ?? name, version, { managed: opts.managed });
      const object = (await this.objects.find(db, vaultKey, 'secret', name))!;
      return { object, version: { ...this.toVersion(row, object.name), value: input.value } };
    };
    return opts.db ? run(opts.db) : this.db.transaction().execute(run);
  }

  /** A version with its value (latest when `version` is empty). */
  async get(vaultKey: string, name: string, version: string | undefined, withValue = true): Promise<SecretWithObject> {
    const object = await this.objects.live(this.db, vaultKey, 'secret', name);
    const v = version || object.current_version;
    const row = isVersion(v) ? await this.versionRow(vaultKey, name, v) : undefined;
    if (!row) throw KvErrors.notFound('secret', `${name}/${version}`);
    return { object, version: this.toVersion(row, object.name, withValue) };
  }

  /** The current version of each live secret (no values). */
  async list(vaultKey: string): Promise<SecretWithObject[]> {
    const objects = await this.objects.list(vaultKey, 'secret', false);
    return this.currentOf(vaultKey, objects);
  }

  async listDeleted(vaultKey: string): Promise<SecretWithObject[]> {
    const objects = (await this.objects.list(vaultKey, 'secret', true)).filter((o) => o.managed === 0);
    return this.currentOf(vaultKey, objects);
  }

  async versions(vaultKey: string, name: string): Promise<SecretWithObject[]> {
    const object = await this.objects.live(this.db, vaultKey, 'secret', name);
    const rows = await this.db.selectFrom('kv_secret_versions').selectAll().where('vault_key', '=', vaultKey)
      .where('name_key', '=', nameKey(name)).orderBy('seq').execute();
    return rows.map((r) => ({ object, version: this.toVersion(r, object.name, false) }));
  }

  /** PATCH /secrets/{name}/{version}: contentType, tags, attributes. */
  async update(vaultKey: string, name: string, version: string, patch: { contentType?: string | null; tags?: Record<string, string> | null; attributes?: SecretAttributesInput }, db: Db = this.db): Promise<SecretWithObject> {
    const object = await this.objects.live(db, vaultKey, 'secret', name);
    const v = version || object.current_version;
    const row = isVersion(v) ? await this.versionRow(vaultKey, name, v, db) : undefined;
    if (!row) throw KvErrors.notFound('secret', `${name}/${version}`);
    const set: Partial<KvSecretVersionTable> = { updated_s: this.now() };
    if (patch.contentType !== undefined) set.content_type = patch.contentType;
    if (patch.tags !== undefined) set.tags = patch.tags === null ? null : JSON.stringify(patch.tags);
    if (patch.attributes?.enabled !== undefined) set.enabled = patch.attributes.enabled ? 1 : 0;
    if (patch.attributes?.nbf !== undefined) set.nbf = patch.attributes.nbf;
    if (patch.attributes?.exp !== undefined) set.exp = patch.attributes.exp;
    await db.updateTable('kv_secret_versions').set(set).where('vault_key', '=', vaultKey)
      .where('name_key', '=', nameKey(name)).where('version', '=', v).execute();
    return { object, version: this.toVersion({ ...row, ...set }, object.name, false) };
  }

  /** DELETE /secrets/{name}: soft delete (retention days) or purge; the deleted secret's current version. */
  async remove(vaultKey: string, name: string, retentionDays: number | undefined): Promise<SecretWithObject> {
    return this.db.transaction().execute(async (tx) => {
      const object = await this.objects.live(tx, vaultKey, 'secret', name);
      if (object.managed === 1) throw KvErrors.managedByCertificate('DeleteSecret', object.name);
      const row = (await this.versionRow(vaultKey, name, object.current_version, tx))!;
      await this.objects.remove(tx, vaultKey, 'secret', name, retentionDays);
      const after = retentionDays === undefined ? object : (await this.objects.find(tx, vaultKey, 'secret', name))!;
      return { object: after, version: this.toVersion(row, object.name, false) };
    });
  }

  async getDeleted(vaultKey: string, name: string): Promise<SecretWithObject> {
    const object = await this.objects.deleted(this.db, vaultKey, 'secret', name);
    if (object.managed === 1) throw KvErrors.deletedNotFound('secret', name);
    const row = (await this.versionRow(vaultKey, name, object.current_version))!;
    return { object, version: this.toVersion(row, object.name, false) };
  }

  async recover(vaultKey: string, name: string): Promise<SecretWithObject> {
    await this.getDeleted(vaultKey, name);
    await this.objects.recover(this.db, vaultKey, 'secret', name);
    return this.get(vaultKey, name, undefined, false);
  }

  async purge(vaultKey: string, name: string): Promise<void> {
    await this.getDeleted(vaultKey, name);
    await this.objects.purge(this.db, vaultKey, 'secret', name);
  }

  /** POST /secrets/{name}/backup: every version, sealed with the master key (opaque to the caller). */
  async backup(vaultKey: string, name: string): Promise<string> {
    const object = await this.objects.live(this.db, vaultKey, 'secret', name);
    if (object.managed === 1) throw KvErrors.managedByCertificate('BackupSecret', object.name);
    const rows = await this.db.selectFrom('kv_secret_versions').selectAll().where('vault_key', '=', vaultKey)
      .where('name_key', '=', object.name_key).orderBy('seq').execute();
    const doc = { kind: 'secret', name: object.name, current: object.current_version, versions: rows.map((r) => this.toVersion(r, object.name, true)) };
    return Buffer.from(this.box.seal(JSON.stringify(doc), 'kv.backup.secret')).toString('base64url');
  }

  /** POST /secrets/restore: the whole secret, with its versions, into this vault. */
  async restore(vaultKey: string, blob: string): Promise<SecretWithObject> {
    let doc: { kind: string; name: string; current: string; versions: SecretVersion[] };
    try { doc = JSON.parse(this.box.open(Buffer.from(blob, 'base64url').toString('utf8'), 'kv.backup.secret')); } catch { throw KvErrors.badBackup(); }
    if (doc.kind !== 'secret' || !Array.isArray(doc.versions)) throw KvErrors.badBackup();
    await this.db.transaction().execute(async (tx) => {
      const existing = await this.objects.find(tx, vaultKey, 'secret', doc.name);
      if (existing?.deleted_ms != null) throw KvErrors.deletedButRecoverable('secret', existing.name);
      if (existing) throw KvErrors.alreadyExists('secret', existing.name);
      for (const v of doc.versions) {
        await tx.insertInto('kv_secret_versions').values({
          vault_key: vaultKey, name_key: nameKey(doc.name), version: v.version,
          value_sealed: this.box.seal(v.value ?? '', aad(vaultKey, doc.name, v.version)), content_type: v.contentType,
          tags: v.tags ? JSON.stringify(v.tags) : null, enabled: v.enabled ? 1 : 0, nbf: v.nbf, exp: v.exp,
          created_s: v.created, updated_s: v.updated, managed: 0, seq: v.created * 1000,
        }).execute();
      }
      await this.objects.setCurrent(tx, vaultKey, 'secret', doc.name, doc.current);
    });
    return this.get(vaultKey, doc.name, undefined, false);
  }

  private async currentOf(vaultKey: string, objects: KvObjectTable[]): Promise<SecretWithObject[]> {
    const out: SecretWithObject[] = [];
    for (const object of objects) {
      const row = await this.versionRow(vaultKey, object.name, object.current_version);
      if (row) out.push({ object, version: this.toVersion(row, object.name, false) });
    }
    return out;
  }

  private versionRow(vaultKey: string, name: string, version: string, db: Db = this.db): Promise<KvSecretVersionTable | undefined> {
    return db.selectFrom('kv_secret_versions').selectAll().where('vault_key', '=', vaultKey)
      .where('name_key', '=', nameKey(name)).where('version', '=', version.toLowerCase()).executeTakeFirst();
  }

  private toVersion(r: KvSecretVersionTable, name: string, withValue = false): SecretVersion {
    return {
      name, version: r.version, contentType: r.content_type, tags: r.tags ? JSON.parse(r.tags) : null,
      enabled: r.enabled === 1, nbf: r.nbf === null ? null : Number(r.nbf), exp: r.exp === null ? null : Number(r.exp),
      created: Number(r.created_s), updated: Number(r.updated_s), managed: r.managed === 1,
      ...(withValue ? { value: this.box.open(r.value_sealed, aad(r.vault_key, name, r.version)) } : {}),
    };
  }
}
