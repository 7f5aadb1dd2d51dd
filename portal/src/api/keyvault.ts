// Key Vault as the portal reads it: the vault's Resource Manager document, its access policies and
// firewall, the data plane's secrets and certificates, and the principals a policy or role can name.
import type { ApiClient } from './client';
import type { ArmResource } from './arm-types';

export const VAULT_TYPE = 'Microsoft.KeyVault/vaults';
/** The api-version Azure's portal uses for vaults. */
export const VAULT_API = '2023-07-01';
/** The data plane's api-version. */
export const KV_DATA_API = '7.4';
export const APIM_API = '2022-08-01';

export type PolicyKind = 'keys' | 'secrets' | 'certificates';

export interface AccessPolicy {
  tenantId: string;
  objectId: string;
  applicationId?: string;
  permissions: Partial<Record<PolicyKind | 'storage', string[]>>;
}

export interface NetworkAcls {
  bypass?: 'AzureServices' | 'None';
  defaultAction?: 'Allow' | 'Deny';
  ipRules?: { value: string }[];
  virtualNetworkRules?: { id: string }[];
}

export interface VaultProperties {
  tenantId: string;
  sku?: { family: string; name: string };
  vaultUri?: string;
  accessPolicies?: AccessPolicy[];
  enableRbacAuthorization?: boolean;
  enableSoftDelete?: boolean;
  softDeleteRetentionInDays?: number;
  enablePurgeProtection?: boolean;
  publicNetworkAccess?: 'Enabled' | 'Disabled';
  networkAcls?: NetworkAcls;
  provisioningState?: string;
}

export type Vault = ArmResource<VaultProperties>;

/** The permissions Azure's portal offers per kind, in its order (wire names in lower case). */
export const POLICY_PERMISSIONS: Record<PolicyKind, { label: string; management: string[]; crypto?: string[]; privileged?: string[] }> = {
  keys: { label: 'Key permissions', management: ['Get', 'List', 'Update', 'Create', 'Import', 'Delete', 'Recover', 'Backup', 'Restore'], crypto: ['Decrypt', 'Encrypt', 'UnwrapKey', 'WrapKey', 'Verify', 'Sign'], privileged: ['Purge', 'Release', 'Rotate', 'GetRotationPolicy', 'SetRotationPolicy'] },
  secrets: { label: 'Secret permissions', management: ['Get', 'List', 'Set', 'Delete', 'Recover', 'Backup', 'Restore'], privileged: ['Purge'] },
  certificates: { label: 'Certificate permissions', management: ['Get', 'List', 'Update', 'Create', 'Import', 'Delete', 'Recover', 'Backup', 'Restore', 'ManageContacts', 'ManageIssuers', 'GetIssuers', 'ListIssuers', 'SetIssuers', 'DeleteIssuers'], privileged: ['Purge'] },
};

export function vaultUri(v: Vault | undefined): string | undefined {
  const u = v?.properties?.vaultUri;
  return u ? (u.endsWith('/') ? u : `${u}/`) : undefined;
}

/** A principal a policy or a role assignment can name: a managed identity found through Resource Manager. */
export interface PrincipalChoice {
  principalId: string;
  /** The name Azure's portal shows: the identity's name, or for a system-assigned identity its resource's name. */
  name: string;
  kind: 'User-assigned managed identity' | 'API Management';
  resourceId: string;
}

interface IdentityDoc { identity?: { type?: string; principalId?: string } }

/** The subscription's managed identities: user-assigned ones, and API Management instances' system-assigned ones. */
export async function listManagedIdentities(api: ApiClient, subscriptionId: string): Promise<PrincipalChoice[]> {
  const sub = `/subscriptions/${subscriptionId}`;
  const [uais, apims] = await Promise.all([
    api.arm.list<ArmResource<{ principalId?: string }>>(`${sub}/providers/Microsoft.ManagedIdentity/userAssignedIdentities`, '2023-01-31'),
    api.arm.list<ArmResource & IdentityDoc>(`${sub}/providers/Microsoft.ApiManagement/service`, APIM_API).catch(() => []),
  ]);
  const out: PrincipalChoice[] = [];
  for (const u of uais) if (u.properties?.principalId) out.push({ principalId: u.properties.principalId, name: u.name, kind: 'User-assigned managed identity', resourceId: u.id });
  for (const a of apims) {
    if (a.identity?.principalId && /systemassigned/i.test(a.identity.type ?? '')) out.push({ principalId: a.identity.principalId, name: a.name, kind: 'API Management', resourceId: a.id });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/** Key Vault data plane list (follows nextLink on the vault's own origin only). */
export async function listData<T>(api: ApiClient, base: string, path: string): Promise<T[]> {
  const out: T[] = [];
  let url: string | undefined = `${base}${path}${path.includes('?') ? '&' : '?'}api-version=${KV_DATA_API}`;
  for (let page = 0; url && page < 50; page++) {
    const r: { body: { value?: T[]; nextLink?: string | null } } = await api.send('keyVault', 'GET', url);
    out.push(...(r.body.value ?? []));
    const next: string | null | undefined = r.body.nextLink;
    url = next && new URL(next).origin === new URL(base).origin ? next : undefined;
  }
  return out;
}

export interface KvItem { id: string; contentType?: string; attributes?: { enabled?: boolean; created?: number; updated?: number; exp?: number; nbf?: number }; x5t?: string }

/** The object's name and version from a data-plane id (https://vault/secrets/name/version). */
export function kvIdParts(id: string): { name: string; version?: string } {
  const seg = new URL(id).pathname.split('/').filter(Boolean);
  return { name: seg[1] ?? '', version: seg[2] };
}

export function formatEpoch(s: number | undefined): string {
  return s ? new Date(s * 1000).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC') : '';
}
