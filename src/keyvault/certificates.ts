// Certificates: import (PFX with password, or PEM) as a new version, with its policy and the managed
// secret of the same name and version that holds the private key (sealed, like every secret value).
import type { KvCertificateVersionTable, KvObjectTable } from '../store/schema.js';
import { nowSeconds } from '../common/clock.js';
import { KvErrors } from './errors.js';
import { ObjectStore, isVersion, nameKey, newVersion, type Db } from './objects.js';
import type { SecretStore } from './secrets.js';
import { certificateFacts, parseCertificateContent, secretValueFor, PEM, PKCS12, type CertificateFacts } from './pkcs12.js';

export interface CertificateVersion {
  name: string;
  version: string;
  cer: string;
  x5t: string;
  tags: Record<string, string> | null;
  enabled: boolean;
  nbf: number | null;
  exp: number | null;
  created: number;
  updated: number;
}

export interface CertificateWithObject { object: KvObjectTable; version: CertificateVersion; policy: Record<string, any> }

export interface ImportInput {
  value: string;
  password?: string;
  policy?: Record<string, any>;
  attributes?: { enabled?: boolean };
  tags?: Record<string, string> | null;
}

export class CertificateStore {
  constructor(readonly objects: ObjectStore, private readonly secrets: SecretStore) {}

  private get db() { return this.objects.db; }
  private now(): number { return nowSeconds(this.objects.clock); }

  /** POST /certificates/{name}/import: parse and check everything first, then store in one transaction. */
  async import(vaultKey: string, name: string, input: ImportInput): Promise<CertificateWithObject> {
    const { material, format } = parseCertificateContent(input.value, input.password);
    const facts = certificateFacts(material);
    return this.db.transaction().execute(async (tx) => {
      const existing = await this.objects.find(tx, vaultKey, 'certificate', name);
      if (existing?.deleted_ms != null) throw KvErrors.deletedButRecoverable('certificate', existing.name);
      const previousPolicy = existing?.policy ? JSON.parse(existing.policy) : undefined;
      const contentType = contentTypeOf(input.policy) ?? contentTypeOf(previousPolicy) ?? format;
      if (contentType !== PEM && contentType !== PKCS12) throw KvErrors.badBody(`The content type '${contentType}' is not supported; use '${PKCS12}' or '${PEM}'.`);
      const secretValue = secretValueFor(material, contentType, existing?.name ?? name);
      const version = newVersion();
      const now = this.now();
      const enabled = input.attributes?.enabled !== false;
      const row: KvCertificateVersionTable = {
        vault_key: vaultKey, name_key: nameKey(name), version, cer: facts.cer, x5t: facts.x5t,
        tags: input.tags ? JSON.stringify(input.tags) : null, enabled: enabled ? 1 : 0, nbf: facts.nbf, exp: facts.exp,
        created_s: now, updated_s: now, seq: this.objects.clock.nowMs(),
      };
      await tx.insertInto('kv_certificate_versions').values(row).execute();
      const policy = buildPolicy(input.policy, previousPolicy, facts, contentType, now);
      await this.objects.setCurrent(tx, vaultKey, 'certificate', existing?.name ?? name, version, { policy: JSON.stringify(policy) });
      await this.secrets.set(vaultKey, existing?.name ?? name, {
        value: secretValue, contentType, tags: input.tags ?? null, attributes: { enabled, nbf: facts.nbf, exp: facts.exp },
      }, { managed: true, version, db: tx });
      const object = (await this.objects.find(tx, vaultKey, 'certificate', name))!;
      return { object, version: toVersion(row, object.name), policy };
    });
  }

  async get(vaultKey: string, name: string, version: string | undefined): Promise<CertificateWithObject> {
    const object = await this.objects.live(this.db, vaultKey, 'certificate', name);
    const v = version || object.current_version;
    const row = isVersion(v) ? await this.versionRow(vaultKey, name, v) : undefined;
    if (!row) throw KvErrors.notFound('certificate', `${name}/${version}`);
    return { object, version: toVersion(row, object.name), policy: JSON.parse(object.policy ?? '{}') };
  }

  async list(vaultKey: string, deleted = false): Promise<CertificateWithObject[]> {
    const out: CertificateWithObject[] = [];
    for (const object of await this.objects.list(vaultKey, 'certificate', deleted)) {
      const row = await this.versionRow(vaultKey, object.name, object.current_version);
      if (row) out.push({ object, version: toVersion(row, object.name), policy: JSON.parse(object.policy ?? '{}') });
    }
    return out;
  }

  async versions(vaultKey: string, name: string): Promise<CertificateWithObject[]> {
    const object = await this.objects.live(this.db, vaultKey, 'certificate', name);
    const rows = await this.db.selectFrom('kv_certificate_versions').selectAll().where('vault_key', '=', vaultKey)
      .where('name_key', '=', nameKey(name)).orderBy('seq').execute();
    const policy = JSON.parse(object.policy ?? '{}');
    return rows.map((r) => ({ object, version: toVersion(r, object.name), policy }));
  }

  /** PATCH /certificates/{name}/{version}: enabled and tags (on the managed secret too); a policy given here is applied. */
  async update(vaultKey: string, name: string, version: string, patch: { enabled?: boolean; tags?: Record<string, string> | null; policy?: Record<string, any> }): Promise<CertificateWithObject> {
    return this.db.transaction().execute(async (tx) => {
      const object = await this.objects.live(tx, vaultKey, 'certificate', name);
      const v = version || object.current_version;
      const row = isVersion(v) ? await this.versionRow(vaultKey, name, v, tx) : undefined;
      if (!row) throw KvErrors.notFound('certificate', `${name}/${version}`);
      const set: Partial<KvCertificateVersionTable> = { updated_s: this.now() };
      if (patch.enabled !== undefined) set.enabled = patch.enabled ? 1 : 0;
      if (patch.tags !== undefined) set.tags = patch.tags === null ? null : JSON.stringify(patch.tags);
      await tx.updateTable('kv_certificate_versions').set(set).where('vault_key', '=', vaultKey)
        .where('name_key', '=', nameKey(name)).where('version', '=', v).execute();
      await this.secrets.update(vaultKey, name, v, { tags: patch.tags, attributes: patch.enabled === undefined ? undefined : { enabled: patch.enabled } }, tx);
      let policy = JSON.parse(object.policy ?? '{}');
      if (patch.policy) {
        policy = mergePolicy(policy, patch.policy, this.now());
        await this.objects.setPolicy(tx, vaultKey, name, JSON.stringify(policy));
      }
      return { object, version: toVersion({ ...row, ...set }, object.name), policy };
    });
  }

  async getPolicy(vaultKey: string, name: string): Promise<Record<string, any>> {
    const object = await this.objects.live(this.db, vaultKey, 'certificate', name);
    return JSON.parse(object.policy ?? '{}');
  }

  async updatePolicy(vaultKey: string, name: string, patch: Record<string, any>): Promise<Record<string, any>> {
    return this.db.transaction().execute(async (tx) => {
      const object = await this.objects.live(tx, vaultKey, 'certificate', name);
      const policy = mergePolicy(JSON.parse(object.policy ?? '{}'), patch, this.now());
      await this.objects.setPolicy(tx, vaultKey, name, JSON.stringify(policy));
      return policy;
    });
  }

  /** DELETE /certificates/{name}: the certificate and its managed secret together. */
  async remove(vaultKey: string, name: string, retentionDays: number | undefined): Promise<CertificateWithObject> {
    return this.db.transaction().execute(async (tx) => {
      const object = await this.objects.live(tx, vaultKey, 'certificate', name);
      const row = (await this.versionRow(vaultKey, name, object.current_version, tx))!;
      await this.objects.remove(tx, vaultKey, 'certificate', name, retentionDays);
      if (await this.objects.find(tx, vaultKey, 'secret', name)) await this.objects.remove(tx, vaultKey, 'secret', name, retentionDays);
      const after = retentionDays === undefined ? object : (await this.objects.find(tx, vaultKey, 'certificate', name))!;
      return { object: after, version: toVersion(row, object.name), policy: JSON.parse(object.policy ?? '{}') };
    });
  }

  async getDeleted(vaultKey: string, name: string, db: Db = this.db): Promise<CertificateWithObject> {
    const object = await this.objects.deleted(db, vaultKey, 'certificate', name);
    const row = (await this.versionRow(vaultKey, name, object.current_version, db))!;
    return { object, version: toVersion(row, object.name), policy: JSON.parse(object.policy ?? '{}') };
  }

  async recover(vaultKey: string, name: string): Promise<CertificateWithObject> {
    await this.db.transaction().execute(async (tx) => {
      await this.getDeleted(vaultKey, name, tx);
      await this.objects.recover(tx, vaultKey, 'certificate', name);
      if (await this.objects.find(tx, vaultKey, 'secret', name)) await this.objects.recover(tx, vaultKey, 'secret', name);
    });
    return this.get(vaultKey, name, undefined);
  }

  async purge(vaultKey: string, name: string): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      await this.getDeleted(vaultKey, name, tx);
      await this.objects.purge(tx, vaultKey, 'certificate', name);
      await this.objects.purge(tx, vaultKey, 'secret', name);
    });
  }

  private versionRow(vaultKey: string, name: string, version: string, db: Db = this.db): Promise<KvCertificateVersionTable | undefined> {
    return db.selectFrom('kv_certificate_versions').selectAll().where('vault_key', '=', vaultKey)
      .where('name_key', '=', nameKey(name)).where('version', '=', version.toLowerCase()).executeTakeFirst();
  }
}

function toVersion(r: KvCertificateVersionTable, name: string): CertificateVersion {
  return {
    name, version: r.version, cer: r.cer, x5t: r.x5t, tags: r.tags ? JSON.parse(r.tags) : null, enabled: r.enabled === 1,
    nbf: r.nbf === null ? null : Number(r.nbf), exp: r.exp === null ? null : Number(r.exp),
    created: Number(r.created_s), updated: Number(r.updated_s),
  };
}

function contentTypeOf(policy: Record<string, any> | undefined): string | undefined {
  const ct = policy?.secret_props?.contentType;
  return typeof ct === 'string' && ct !== '' ? ct : undefined;
}

/** The policy of an imported certificate: what was given, else the previous one, with the facts of the certificate. */
function buildPolicy(given: Record<string, any> | undefined, previous: Record<string, any> | undefined, facts: CertificateFacts, contentType: string, now: number): Record<string, any> {
  const base = previous ?? {};
  const sans = Object.keys(facts.sans).length > 0 ? facts.sans : undefined;
  return {
    key_props: { ...facts.keyProps, ...(base.key_props ?? {}), ...(given?.key_props ?? {}), kty: facts.keyProps.kty },
    secret_props: { contentType },
    x509_props: {
      subject: facts.subject, ...(sans ? { sans } : {}), ekus: facts.ekus, key_usage: facts.keyUsage, validity_months: facts.validityMonths,
      basic_constraints: { ca: false },
    },
    lifetime_actions: given?.lifetime_actions ?? base.lifetime_actions ?? [{ trigger: { lifetime_percentage: 80 }, action: { action_type: 'EmailContacts' } }],
    issuer: given?.issuer ?? base.issuer ?? { name: 'Unknown' },
    attributes: { enabled: true, created: base.attributes?.created ?? now, updated: now },
  };
}

/** PATCH of a policy: given members replace the stored ones (secret_props.contentType among them). */
function mergePolicy(current: Record<string, any>, patch: Record<string, any>, now: number): Record<string, any> {
  const out = { ...current };
  for (const k of ['key_props', 'secret_props', 'x509_props', 'lifetime_actions', 'issuer']) {
    if (patch[k] !== undefined && patch[k] !== null) out[k] = Array.isArray(patch[k]) ? patch[k] : { ...(current[k] ?? {}), ...patch[k] };
  }
  const ct = out.secret_props?.contentType;
  if (ct !== undefined && ct !== PEM && ct !== PKCS12) throw KvErrors.badBody(`The content type '${ct}' is not supported; use '${PKCS12}' or '${PEM}'.`);
  out.attributes = { ...(current.attributes ?? {}), ...(patch.attributes?.enabled !== undefined ? { enabled: patch.attributes.enabled } : {}), updated: now };
  return out;
}
