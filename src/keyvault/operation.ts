// What a route is and what its handler gets: the vault, the caller, the path parameters, the query and
// the body (read only after the caller is authorized), plus body validation helpers.
import type { KvCaller, Requirement } from './auth.js';
import type { VaultView } from './bundles.js';
import type { SecretStore } from './secrets.js';
import type { CertificateStore } from './certificates.js';
import { KvErrors } from './errors.js';

export interface Stores { secrets: SecretStore; certificates: CertificateStore }

export interface Operation {
  view: VaultView;
  caller: KvCaller;
  /** Decoded path parameters: [name, version?]. */
  params: string[];
  path: string;
  query: URLSearchParams;
  stores: Stores;
  /** The parsed JSON body (undefined when empty). */
  body(): Promise<unknown>;
}

export interface OpResult { status: number; body?: unknown }

export interface Route {
  method: string;
  pattern: RegExp;
  /** What the caller needs; the object name (params[0]) scopes RBAC when `scoped`. */
  need: Requirement;
  scoped: boolean;
  handle(op: Operation): Promise<OpResult>;
}

const DA = 'Microsoft.KeyVault/vaults';
/** Access policy permission + RBAC data action of a secrets operation. */
export const secretNeed = (permission: string, action: string): Requirement => ({ collection: 'secrets', permission, dataAction: `${DA}/secrets/${action}` });
export const certNeed = (permission: string, action: string): Requirement => ({ collection: 'certificates', permission, dataAction: `${DA}/certificates/${action}` });

export function object(value: unknown): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw KvErrors.badBody('The request body must be a JSON object.');
  return value as Record<string, unknown>;
}

export function optString(v: unknown, name: string): string | null | undefined {
  if (v === undefined) return undefined;
  if (v === null) return null;
  if (typeof v !== 'string') throw KvErrors.badBody(`Property '${name}' must be a string.`);
  return v;
}

/** Tags: at most 15, names up to 512 characters, values up to 256, as Key Vault. */
export function tags(v: unknown): Record<string, string> | null | undefined {
  if (v === undefined) return undefined;
  if (v === null) return null;
  if (typeof v !== 'object' || Array.isArray(v)) throw KvErrors.badBody("Property 'tags' must be an object of strings.");
  const entries = Object.entries(v as Record<string, unknown>);
  if (entries.length > 15) throw KvErrors.badBody(`Too many tags: ${entries.length}; at most 15 are allowed.`);
  for (const [k, val] of entries) {
    if (typeof val !== 'string') throw KvErrors.badBody(`The value of tag '${k}' must be a string.`);
    if (k.length > 512 || val.length > 256) throw KvErrors.badBody(`Tag '${k}' is too long: names have at most 512 characters, values 256.`);
  }
  return v as Record<string, string>;
}

/** attributes {enabled, nbf, exp} (times in unix seconds). */
export function attributes(v: unknown): { enabled?: boolean; nbf?: number | null; exp?: number | null } | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw KvErrors.badBody("Property 'attributes' must be an object.");
  const a = v as Record<string, unknown>;
  const out: { enabled?: boolean; nbf?: number | null; exp?: number | null } = {};
  if (a.enabled !== undefined && a.enabled !== null) {
    if (typeof a.enabled !== 'boolean') throw KvErrors.badBody("Property 'attributes.enabled' must be a boolean.");
    out.enabled = a.enabled;
  }
  for (const k of ['nbf', 'exp'] as const) {
    if (a[k] === undefined) continue;
    if (a[k] !== null && (typeof a[k] !== 'number' || !Number.isFinite(a[k]))) throw KvErrors.badBody(`Property 'attributes.${k}' must be a number of seconds since 1970.`);
    out[k] = a[k] === null ? null : Math.floor(a[k] as number);
  }
  if (out.nbf != null && out.exp != null && out.exp < out.nbf) throw KvErrors.badBody("Property 'attributes.exp' must not be before 'attributes.nbf'.");
  return out;
}
