// The wire shapes of Key Vault: SecretBundle, SecretItem, CertificateBundle, CertificateItem, their
// deleted variants and list pages. Ids are `https://localhost:{port}/{collection}/{name}[/{version}]`;
// times are unix seconds.
import type { KvObjectTable } from '../store/schema.js';
import type { CertificateWithObject } from './certificates.js';
import type { SecretWithObject } from './secrets.js';
import type { CompiledVault } from './vault-config.js';

export interface VaultView {
  vault: CompiledVault;
  /** `https://localhost:{port}/` */
  uri: string;
}

const secs = (ms: number) => Math.floor(ms / 1000);

function attributes(view: VaultView, a: { enabled: boolean; nbf: number | null; exp: number | null; created: number; updated: number }): Record<string, unknown> {
  const s = view.vault.settings;
  return {
    enabled: a.enabled,
    ...(a.nbf !== null ? { nbf: a.nbf } : {}),
    ...(a.exp !== null ? { exp: a.exp } : {}),
    created: a.created, updated: a.updated,
    recoveryLevel: view.vault.recoveryLevel,
    ...(s.enableSoftDelete ? { recoverableDays: s.softDeleteRetentionInDays } : {}),
  };
}

function deletedParts(view: VaultView, collection: string, object: KvObjectTable): Record<string, unknown> {
  if (object.deleted_ms === null) return {};
  return {
    recoveryId: `${view.uri}${collection}/${object.name}`,
    deletedDate: secs(object.deleted_ms),
    scheduledPurgeDate: secs(object.scheduled_purge_ms ?? object.deleted_ms),
  };
}

export function secretBundle(view: VaultView, s: SecretWithObject): Record<string, unknown> {
  const v = s.version;
  return {
    ...(v.value !== undefined ? { value: v.value } : {}),
    id: `${view.uri}secrets/${v.name}/${v.version}`,
    ...(v.contentType !== null ? { contentType: v.contentType } : {}),
    attributes: attributes(view, v),
    tags: v.tags ?? {},
    ...(v.managed ? { kid: `${view.uri}keys/${v.name}/${v.version}`, managed: true } : {}),
  };
}

export function deletedSecretBundle(view: VaultView, s: SecretWithObject): Record<string, unknown> {
  return { ...deletedParts(view, 'deletedsecrets', s.object), ...secretBundle(view, s) };
}

/** List items: no value; the id is versionless in the secrets list, versioned in a versions list. */
export function secretItem(view: VaultView, s: SecretWithObject, versioned: boolean): Record<string, unknown> {
  const v = s.version;
  return {
    id: versioned ? `${view.uri}secrets/${v.name}/${v.version}` : `${view.uri}secrets/${v.name}`,
    attributes: attributes(view, v),
    tags: v.tags ?? {},
    ...(v.contentType !== null ? { contentType: v.contentType } : {}),
    ...(v.managed ? { managed: true } : {}),
  };
}

export function deletedSecretItem(view: VaultView, s: SecretWithObject): Record<string, unknown> {
  return { ...deletedParts(view, 'deletedsecrets', s.object), ...secretItem(view, s, false) };
}

export function policyBody(view: VaultView, name: string, policy: Record<string, any>): Record<string, unknown> {
  return { id: `${view.uri}certificates/${name}/policy`, ...policy };
}

export function certificateBundle(view: VaultView, c: CertificateWithObject, withPolicy = true): Record<string, unknown> {
  const v = c.version;
  return {
    id: `${view.uri}certificates/${v.name}/${v.version}`,
    kid: `${view.uri}keys/${v.name}/${v.version}`,
    sid: `${view.uri}secrets/${v.name}/${v.version}`,
    x5t: v.x5t,
    cer: v.cer,
    ...(c.policy.secret_props?.contentType ? { contentType: c.policy.secret_props.contentType } : {}),
    attributes: attributes(view, v),
    tags: v.tags ?? {},
    ...(withPolicy ? { policy: policyBody(view, v.name, c.policy) } : {}),
    preserveCertOrder: false,
  };
}

export function deletedCertificateBundle(view: VaultView, c: CertificateWithObject): Record<string, unknown> {
  return { ...deletedParts(view, 'deletedcertificates', c.object), ...certificateBundle(view, c) };
}

export function certificateItem(view: VaultView, c: CertificateWithObject, versioned: boolean): Record<string, unknown> {
  const v = c.version;
  return {
    id: versioned ? `${view.uri}certificates/${v.name}/${v.version}` : `${view.uri}certificates/${v.name}`,
    attributes: attributes(view, v),
    tags: v.tags ?? {},
    x5t: v.x5t,
  };
}

export function deletedCertificateItem(view: VaultView, c: CertificateWithObject): Record<string, unknown> {
  return { ...deletedParts(view, 'deletedcertificates', c.object), ...certificateItem(view, c, false) };
}

/** A page of `value` with `nextLink` (maxresults: 1-25, Key Vault's maximum; $skiptoken continues). */
export function listPage(view: VaultView, path: string, query: URLSearchParams, items: unknown[]): { value: unknown[]; nextLink: string | null } {
  const max = Math.min(25, Math.max(1, Number(query.get('maxresults')) || 25));
  const skip = Math.max(0, Number(query.get('$skiptoken')) || 0);
  const value = items.slice(skip, skip + max);
  if (skip + max >= items.length) return { value, nextLink: null };
  const q = new URLSearchParams(query);
  q.set('$skiptoken', String(skip + max));
  q.set('maxresults', String(max));
  return { value, nextLink: `${view.uri}${path.replace(/^\//, '')}?${q.toString()}` };
}
