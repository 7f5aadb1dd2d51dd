// What the keyvault commands share: vaults found by name through Resource Manager (az looks a vault's
// resource group up the same way), Key Vault's data plane on the vault's own port (vaultUri) with a
// token for https://vault.azure.net from the same client-credentials path, Key Vault's errors
// (with their inner error code) and az's ISO times.
import type { CliContext } from './command.js';
import { encodePath } from './arm-client.js';
import { AzureApiError, CliError, UsageError } from './errors.js';
import { parseIntArg } from './command.js';

export type Resource = Record<string, any>;

/** The Microsoft.KeyVault api-version the vault commands use (az's azure-mgmt-keyvault). */
export const KEYVAULT_ARM_API = '2023-07-01';
/** The data plane api-version (az's azure-keyvault-secrets / -certificates). */
export const KEYVAULT_DATA_API = '7.5';
const VAULT_SCOPE = 'https://vault.azure.net/.default';
export const VAULT_TYPE = 'Microsoft.KeyVault/vaults';

/**
 * An error answered by a vault's data plane: `{"error":{"code","message","innererror":{"code"}}}`.
 * Printed as az prints an HttpResponseError, the inner error (e.g. ForbiddenByFirewall) included.
 */
export class KeyVaultApiError extends AzureApiError {
  constructor(status: number, code: string, message: string, readonly innerError?: Record<string, unknown>) {
    super(status, code, message);
    this.name = 'KeyVaultApiError';
  }

  override describe(): string {
    const inner = this.innerError ? `\nInner error: ${JSON.stringify(this.innerError, null, 4)}` : '';
    return `${super.describe()}${inner}`;
  }
}

function kvError(status: number, body: unknown, text: string): AzureApiError {
  const e = (body as { error?: Record<string, unknown> } | undefined)?.error;
  if (e && typeof e === 'object' && typeof e.code === 'string') {
    const inner = e.innererror && typeof e.innererror === 'object' ? e.innererror as Record<string, unknown> : undefined;
    return new KeyVaultApiError(status, e.code, typeof e.message === 'string' ? e.message : '', inner);
  }
  const snippet = text.length > 300 ? `${text.slice(0, 300)}...` : text;
  return new KeyVaultApiError(status, `HttpStatus${status}`, snippet || `The vault answered ${status} without a body.`);
}

// ---- vaults through Resource Manager ----

export const groupScope = (ctx: CliContext, group: string) => `${ctx.arm.subscriptionScope}/resourceGroups/${encodePath(group)}`;
export const vaultPath = (ctx: CliContext, group: string, name: string) => `${groupScope(ctx, group)}/providers/${VAULT_TYPE}/${encodeURIComponent(name)}`;

/** The resource group in a resource id (`/subscriptions/{s}/resourceGroups/{g}/...`). */
export function groupOf(id: string): string {
  const parts = id.split('/');
  const i = parts.findIndex((p) => p.toLowerCase() === 'resourcegroups');
  return i === -1 ? '' : parts[i + 1];
}

export async function listVaults(ctx: CliContext, group?: string): Promise<Resource[]> {
  const scope = group ? groupScope(ctx, group) : ctx.arm.subscriptionScope;
  return ctx.arm.list<Resource>(`${scope}/providers/${VAULT_TYPE}`, KEYVAULT_ARM_API);
}

/**
 * az's validate_resource_group_name: the group as given, or the one the vault of that name is in
 * (looked up in the subscription).
 */
export async function resolveGroup(ctx: CliContext, name: string, group: string | undefined): Promise<string> {
  if (group) return group;
  const found = (await listVaults(ctx)).find((v) => String(v.name).toLowerCase() === name.toLowerCase());
  if (!found) throw new CliError(`The Vault '${name}' not found within subscription.`);
  return groupOf(String(found.id));
}

export async function getVault(ctx: CliContext, name: string, group: string | undefined): Promise<{ group: string; vault: Resource }> {
  const g = await resolveGroup(ctx, name, group);
  return { group: g, vault: await ctx.arm.get<Resource>(vaultPath(ctx, g, name), KEYVAULT_ARM_API) };
}

// ---- the data plane ----

/** `https://localhost:1234/secrets/name/version` → its parts (az's parse_key_vault_id). */
export function parseObjectId(id: string, collection: string): { origin: string; host: string; name: string; version?: string } {
  let url: URL;
  try { url = new URL(id); } catch { throw new CliError(`'${id}' is not a valid Key Vault ${collection.replace(/s$/, '')} identifier.`); }
  const parts = url.pathname.split('/').filter((p) => p !== '');
  if (url.protocol !== 'https:' || parts.length < 2 || parts.length > 3 || parts[0].toLowerCase() !== collection) {
    throw new CliError(`'${id}' is not a valid Key Vault ${collection.replace(/s$/, '')} identifier: expected https://{vault}/${collection}/{name}[/{version}].`);
  }
  return { origin: url.origin, host: url.hostname, name: decodeURIComponent(parts[1]), version: parts[2] ? decodeURIComponent(parts[2]) : undefined };
}

export class VaultDataClient {
  private constructor(private readonly ctx: CliContext, readonly vaultName: string, readonly baseUrl: string) {}

  /** The data plane of a vault of the subscription, by name (its vaultUri from Resource Manager). */
  static async forVault(ctx: CliContext, vaultName: string): Promise<VaultDataClient> {
    const vault = (await listVaults(ctx)).find((v) => String(v.name).toLowerCase() === vaultName.toLowerCase());
    if (!vault) throw new CliError(`The Vault '${vaultName}' not found within subscription.`);
    return VaultDataClient.of(ctx, vault);
  }

  /**
   * The vault an identifier points at: a vaultUri of this subscription (`https://localhost:{port}/...`),
   * or Azure's `https://{vault}.vault.azure.net/...`, which means the local vault of that name. The
   * token goes to no other origin.
   */
  static async forOrigin(ctx: CliContext, origin: string, host: string): Promise<VaultDataClient> {
    const vaults = await listVaults(ctx);
    const azure = /^([a-z0-9-]+)\.vault\.azure\.net$/i.exec(host);
    const vault = azure
      ? vaults.find((v) => String(v.name).toLowerCase() === azure[1].toLowerCase())
      : vaults.find((v) => typeof v.properties?.vaultUri === 'string' && new URL(v.properties.vaultUri).origin === origin);
    if (!vault) throw new CliError(`No vault of this subscription is served at ${origin}.`);
    return VaultDataClient.of(ctx, vault);
  }

  private static of(ctx: CliContext, vault: Resource): VaultDataClient {
    const uri = vault.properties?.vaultUri;
    if (typeof uri !== 'string') throw new CliError(`The vault '${vault.name}' has no vaultUri.`);
    return new VaultDataClient(ctx, String(vault.name), new URL(uri).origin);
  }

  /** One request to the vault; an error status becomes Key Vault's error (exit code 1). */
  async request<T = Resource>(method: string, path: string, body?: unknown, query: Record<string, string | undefined> = {}): Promise<T> {
    const q = new URLSearchParams({ 'api-version': KEYVAULT_DATA_API });
    for (const [k, v] of Object.entries(query)) if (v !== undefined) q.set(k, v);
    return this.send<T>(method, `${this.baseUrl}${path}?${q.toString()}`, body);
  }

  /** Every item of a list, following nextLink (on the same vault only). */
  async list<T = Resource>(path: string, query: Record<string, string | undefined> = {}): Promise<T[]> {
    const items: T[] = [];
    let page = await this.request<{ value?: T[]; nextLink?: string | null }>('GET', path, undefined, query);
    for (let pages = 1; ; pages++) {
      items.push(...(page?.value ?? []));
      if (!page?.nextLink) return items;
      if (pages >= 10_000) throw new CliError(`The list at '${path}' did not end after ${pages} pages.`);
      page = await this.send('GET', page.nextLink);
    }
  }

  /** `--maxresults`: the first n items (of those `keep` keeps) of a whole list, as az cuts it. */
  async listUpTo(path: string, maxresults: string | undefined, keep: (item: Resource) => boolean = () => true): Promise<Resource[]> {
    const max = parseIntArg('--maxresults', maxresults);
    const items = (await this.list<Resource>(path)).filter(keep);
    return max ? items.slice(0, max) : items;
  }

  private async send<T>(method: string, url: string, body?: unknown): Promise<T> {
    if (new URL(url).origin !== this.baseUrl) throw new CliError(`Refusing to send the vault token to '${new URL(url).origin}': not the vault ${this.baseUrl}.`);
    const { accessToken } = await this.ctx.server.token({ scope: VAULT_SCOPE });
    const headers: Record<string, string> = { authorization: `Bearer ${accessToken}`, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await this.ctx.server.send(method, url, { headers, body: body === undefined ? undefined : JSON.stringify(body) });
    if (res.status >= 400) throw kvError(res.status, res.json, res.text);
    return res.json as T;
  }
}

/** The vault a data plane command names: `--id` (an object identifier) or `--vault-name` and `--name`. */
export async function resolveObject(ctx: CliContext, collection: string, o: { id?: string; vaultName?: string; name?: string; version?: string }):
  Promise<{ client: VaultDataClient; name: string; version?: string }> {
  const usage = 'incorrect usage: --id ID | --vault-name VAULT --name/-n NAME [--version VERSION]';
  if (o.id) {
    if (o.vaultName) throw new CliError('--vault-name and --id are mutually exclusive.');
    const parsed = parseObjectId(o.id, collection);
    const client = await VaultDataClient.forOrigin(ctx, parsed.origin, parsed.host);
    return { client, name: parsed.name, version: parsed.version ?? o.version };
  }
  if (!o.vaultName || !o.name) throw new CliError(usage);
  return { client: await VaultDataClient.forVault(ctx, o.vaultName), name: o.name, version: o.version };
}

export const objectPath = (collection: string, name: string, version?: string) =>
  `/${collection}/${encodeURIComponent(name)}${version ? `/${encodeURIComponent(version)}` : ''}`;

// ---- az's shapes ----

/** Unix seconds → Python's datetime.isoformat() of a UTC time, as az prints it; null when absent. */
export function isoTime(seconds: unknown): string | null {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds)) return null;
  return new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

/** az's datetime_type: 2017-12-31T01:11:59Z, 2017-12-31T01:11Z, 2017-12-31T01Z or 2017-12-31 → unix seconds. */
export function parseDateArg(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2})(?::(\d{2})(?::(\d{2}))?)?Z)?$/.exec(value);
  const ms = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0)) : NaN;
  if (!m || Number.isNaN(ms)) throw new UsageError(`argument ${flag}: Input '${value}' not valid. Valid example: 2000-12-31T12:59:59Z`);
  return Math.floor(ms / 1000);
}

/** The object name in an identifier (az's extract: the 5th segment of https://host/collection/name/...). */
export function nameFromId(id: unknown): string | null {
  if (typeof id !== 'string') return null;
  const items = id.split('/');
  return items.length > 4 ? items[4] : null;
}
