// An API Management instance (Microsoft.ApiManagement/service) as the instance blades read and write it:
// its documents typed as far as they are used, the api-version (the one the project's ARM provider and
// the rest of the portal use), and the identity changes Azure's portal sends (PATCH of `identity`).
import { API_VERSIONS, type ArmResource } from './arm-types';

export const APIM_API_VERSION = API_VERSIONS.apiManagement;
export const APIM_TYPE = 'Microsoft.ApiManagement/service';
export const APIM_WRITE = `${APIM_TYPE}/write`;
export const KEY_VAULT_API_VERSION = API_VERSIONS.keyVault;
/** Key Vault data plane api-version (certificates and secrets lists). */
export const KEY_VAULT_DATA_API_VERSION = '7.4';

export type IdentityType = 'None' | 'SystemAssigned' | 'UserAssigned' | 'SystemAssigned, UserAssigned';

export interface ServiceIdentity {
  type: IdentityType;
  principalId?: string;
  tenantId?: string;
  userAssignedIdentities?: Record<string, { principalId?: string; clientId?: string }>;
}

export interface HostnameConfiguration {
  type: string;
  hostName: string;
  keyVaultId?: string | null;
  identityClientId?: string | null;
  negotiateClientCertificate?: boolean;
  defaultSslBinding?: boolean;
  certificateSource?: string;
  certificateStatus?: string;
  certificate?: { expiry: string; thumbprint: string; subject: string } | null;
}

export interface ServiceProperties {
  publisherEmail: string;
  publisherName: string;
  gatewayUrl?: string;
  developerPortalUrl?: string;
  managementApiUrl?: string;
  provisioningState?: string;
  createdAtUtc?: string;
  platformVersion?: string;
  publicIPAddresses?: string[];
  hostnameConfigurations?: HostnameConfiguration[];
}

export interface ApimService extends ArmResource<ServiceProperties> {
  sku?: { name: string; capacity: number };
  identity?: ServiceIdentity;
  etag?: string;
}

export interface NamedValueProperties {
  displayName: string;
  secret?: boolean;
  value?: string;
  tags?: string[];
  keyVault?: {
    secretIdentifier: string;
    identityClientId?: string | null;
    lastStatus?: { code: string; message?: string; timeStampUtc: string };
  };
}

export type NamedValue = ArmResource<NamedValueProperties>;

export const hasSystemAssigned = (i: ServiceIdentity | undefined) => !!i && i.type.includes('SystemAssigned');
export const userAssignedIds = (i: ServiceIdentity | undefined) => Object.keys(i?.userAssignedIdentities ?? {});

function typeOf(system: boolean, user: boolean): IdentityType {
  return system && user ? 'SystemAssigned, UserAssigned' : system ? 'SystemAssigned' : user ? 'UserAssigned' : 'None';
}

/** The PATCH body turning the system-assigned identity on or off, keeping the user-assigned ones. */
export function systemAssignedPatch(current: ServiceIdentity | undefined, on: boolean): { identity: Pick<ServiceIdentity, 'type'> } {
  return { identity: { type: typeOf(on, userAssignedIds(current).length > 0) } };
}

/** The PATCH body adding user-assigned identities (merged by Resource Manager with those already there). */
export function addUserAssignedPatch(current: ServiceIdentity | undefined, ids: string[]): { identity: ServiceIdentity } {
  return { identity: { type: typeOf(hasSystemAssigned(current), true), userAssignedIdentities: Object.fromEntries(ids.map((id) => [id, {}])) } };
}

/** The PATCH body removing one user-assigned identity (null removes it; the last one goes with its type). */
export function removeUserAssignedPatch(current: ServiceIdentity | undefined, id: string): { identity: ServiceIdentity | { type: IdentityType; userAssignedIdentities: Record<string, null> } } {
  const left = userAssignedIds(current).filter((k) => k.toLowerCase() !== id.toLowerCase());
  if (left.length === 0) return { identity: { type: typeOf(hasSystemAssigned(current), false) } };
  return { identity: { type: typeOf(hasSystemAssigned(current), true), userAssignedIdentities: { [id]: null } } };
}

/** The custom hostnames (the built-in *.azure-api.net one is Azure's and not listed as a custom domain). */
export const customHostnames = (s: ApimService | undefined) =>
  (s?.properties?.hostnameConfigurations ?? []).filter((h) => h.certificateSource !== 'BuiltIn');

/** A hostname sent back as Azure's portal does: what is settable, the certificate kept by thumbprint. */
export function hostnameForWrite(h: HostnameConfiguration): HostnameConfiguration {
  const { type, hostName, keyVaultId, identityClientId, negotiateClientCertificate, defaultSslBinding, certificate } = h;
  return {
    type, hostName, negotiateClientCertificate, defaultSslBinding,
    ...(keyVaultId ? { keyVaultId, ...(identityClientId ? { identityClientId } : {}) } : certificate ? { certificate } : {}),
  };
}

/** Key Vault data plane: a certificate as the certificates list answers. */
export interface KeyVaultCertificateItem { id: string; x5t?: string; attributes?: { enabled?: boolean; exp?: number } }
export interface KeyVaultVault extends ArmResource<{ vaultUri: string; enableRbacAuthorization?: boolean }> {}
