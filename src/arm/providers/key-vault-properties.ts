// The properties of a Microsoft.KeyVault/vaults resource: validation with Azure's rules and defaults,
// the irreversible switches (soft delete, purge protection), and the settings the data plane gets.
import { AzureError } from '../../common/errors.js';
import { isGuid } from '../../common/ids.js';
import { ArmErrors } from '../errors.js';
import { asObject, rejectUnknown } from '../envelope.js';
import { resourceKind, type ResourceBody } from '../resource-store.js';
import { normalizeIpRule, type AccessPolicyEntry, type VaultSettings } from '../../keyvault/index.js';

/** 3-24 letters, digits and hyphens, starting with a letter, ending with a letter or digit (no `--`: checked apart). */
export const VAULT_NAME = /^[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$/;

const bad = (message: string, code = 'BadRequest') => new AzureError({ status: 400, code, message });

export const KvArmErrors = {
  invalidName: (name: string) => bad(`The vault name '${name}' is invalid. A vault's name must be between 3-24 alphanumeric characters. The name must begin with a letter, end with a letter or digit, and not contain consecutive hyphens. Follow this link for more information: https://go.microsoft.com/fwlink/?linkid=2147742`, 'VaultNameNotValid'),
  alreadyExists: (name: string) => new AzureError({
    status: 409, code: 'VaultAlreadyExists',
    message: `The vault name '${name}' is already in use. Vault names are globally unique so it is possible that the name is already taken. If you are sure that the vault name was not taken then it is possible that a vault with the same name was recently deleted but not purged after being placed in a recoverable state. If the vault is in a recoverable state then the vault will need to be purged before reusing the name. For more information about VaultAlreadyExists, soft delete and purging a vault follow this link https://go.microsoft.com/fwlink/?linkid=2147740.`,
  }),
  deletedNotFound: (name: string) => new AzureError({ status: 404, code: 'DeletedVaultNotFound', message: `The specified deleted vault '${name}' does not exist.` }),
  purgeProtected: (name: string, until: string) => new AzureError({
    status: 409, code: 'VaultPurgeProtected',
    message: `The vault '${name}' has purge protection enabled and cannot be purged before its scheduled purge date ${until}.`,
  }),
  badRequest: (message: string) => bad(message),
};

const PERMISSIONS: Record<PermissionKind, readonly string[]> = {
  keys: ['all', 'encrypt', 'decrypt', 'wrapkey', 'unwrapkey', 'sign', 'verify', 'get', 'list', 'create', 'update', 'import', 'delete',
    'backup', 'restore', 'recover', 'purge', 'release', 'rotate', 'getrotationpolicy', 'setrotationpolicy'],
  secrets: ['all', 'get', 'list', 'set', 'delete', 'backup', 'restore', 'recover', 'purge'],
  certificates: ['all', 'get', 'list', 'delete', 'create', 'import', 'update', 'managecontacts', 'getissuers', 'listissuers', 'setissuers',
    'deleteissuers', 'manageissuers', 'recover', 'purge', 'backup', 'restore'],
  storage: ['all', 'get', 'list', 'delete', 'set', 'update', 'regeneratekey', 'recover', 'purge', 'backup', 'restore', 'setsas', 'listsas',
    'getsas', 'deletesas'],
};

type PermissionKind = keyof AccessPolicyEntry['permissions'];
export const PERMISSION_KINDS: readonly PermissionKind[] = ['keys', 'secrets', 'certificates', 'storage'];

const WRITABLE = ['tenantId', 'sku', 'accessPolicies', 'vaultUri', 'enabledForDeployment', 'enabledForDiskEncryption', 'enabledForTemplateDeployment',
  'enableSoftDelete', 'softDeleteRetentionInDays', 'enableRbacAuthorization', 'createMode', 'enablePurgeProtection', 'networkAcls',
  'provisioningState', 'publicNetworkAccess', 'hsmPoolResourceId', 'privateEndpointConnections'];

/** `properties.networkAcls` as stored: Azure's defaults filled in, addresses normalized. */
export interface VaultNetworkRuleSet {
  bypass: 'AzureServices' | 'None';
  defaultAction: 'Allow' | 'Deny';
  ipRules: { value: string }[];
  // Accepted and returned as given: nothing on this machine is a virtual network.
  virtualNetworkRules: unknown[];
}

/** The stored properties of a vault (VaultProperties of the Key Vault REST API, as Azure returns them). */
export interface VaultProperties {
  tenantId: string;
  sku: { family: 'A'; name: 'standard' | 'premium' };
  accessPolicies: AccessPolicyEntry[];
  enabledForDeployment: boolean;
  enabledForDiskEncryption: boolean;
  enabledForTemplateDeployment: boolean;
  enableSoftDelete: boolean;
  softDeleteRetentionInDays: number;
  enableRbacAuthorization: boolean;
  /** Absent until it was once set: Azure does not return `false` for a vault never asked. */
  enablePurgeProtection?: boolean;
  networkAcls?: VaultNetworkRuleSet;
  /** The vault's listener on this machine; its port is kept across restarts. */
  vaultUri: string;
  provisioningState: 'Succeeded';
  publicNetworkAccess: 'Enabled' | 'Disabled';
}

/** A vault's properties after a PUT or PATCH, before its listener (and so its vaultUri) is known. */
export type VaultPropertiesInput = Omit<VaultProperties, 'vaultUri'> & { vaultUri?: string };

export const VAULT = resourceKind<VaultProperties>('Microsoft.KeyVault/vaults');
export const VAULT_TYPE = VAULT.type;

/** A soft-deleted vault (DeletedVaultProperties); the document also keeps the vault itself, for recovery. */
export interface DeletedVaultProperties {
  vaultId: string;
  location: string;
  deletionDate: string;
  scheduledPurgeDate: string;
  tags: Record<string, string>;
  purgeProtectionEnabled: boolean;
}

export const DELETED_VAULT = resourceKind<DeletedVaultProperties>('Microsoft.KeyVault/deletedVaults');

/** The vault as it was when deleted: the private `vault` field of a deleted vault's document. */
export const originalVault = (deleted: ResourceBody<DeletedVaultProperties>): ResourceBody<VaultProperties> => deleted.vault;

const bool = (v: unknown, name: string): boolean | undefined => {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw bad(`The property '${name}' must be a boolean.`);
  return v;
};

/**
 * The vault's properties after a PUT (replace) or PATCH (merge) over `previous`. api-version 2026-02-01
 * and later make Azure RBAC the default permission model of a new vault, as Azure does. A PATCH leaves
 * what it does not name as it was; a PUT over an existing vault keeps what it cannot change.
 */
export function parseVaultProperties(p: Record<string, unknown>, o: { previous?: VaultProperties; merge: boolean; apiVersion: string }): VaultPropertiesInput {
  rejectUnknown(p, WRITABLE, 'VaultProperties', 'properties');
  const prev = o.previous;

  let tenantId: string;
  if (typeof p.tenantId === 'string' && isGuid(p.tenantId)) tenantId = p.tenantId.toLowerCase();
  else if (p.tenantId === undefined && prev) tenantId = prev.tenantId;
  else throw ArmErrors.invalidRequestContent(p.tenantId === undefined ? "Required property 'tenantId' not found in JSON. Path 'properties'" : `Error converting value "${String(p.tenantId)}" to type 'System.Guid'. Path 'properties.tenantId'`, 'properties.tenantId');

  let sku: VaultProperties['sku'];
  if (p.sku === undefined && prev) sku = prev.sku;
  else {
    if (p.sku === undefined) throw ArmErrors.invalidRequestContent("Required property 'sku' not found in JSON. Path 'properties'", 'properties.sku');
    const given = asObject(p.sku, 'properties.sku');
    rejectUnknown(given, ['family', 'name'], 'Sku', 'properties.sku');
    const name = typeof given.name === 'string' ? given.name.toLowerCase() : '';
    if (name !== 'standard' && name !== 'premium') throw bad(`The sku name '${String(given.name)}' is invalid. Valid values are 'standard' and 'premium'.`);
    if (given.family !== undefined && String(given.family).toUpperCase() !== 'A') throw bad(`The sku family '${String(given.family)}' is invalid. The only valid value is 'A'.`);
    sku = { family: 'A', name };
  }
  const policies = p.accessPolicies !== undefined || !o.merge || !prev ? accessPolicies(p.accessPolicies ?? prev?.accessPolicies ?? []) : prev.accessPolicies;

  const flag = (k: 'enabledForDeployment' | 'enabledForDiskEncryption' | 'enabledForTemplateDeployment') => bool(p[k], k) ?? prev?.[k] ?? false;
  const enabledForDeployment = flag('enabledForDeployment');
  const enabledForDiskEncryption = flag('enabledForDiskEncryption');
  const enabledForTemplateDeployment = flag('enabledForTemplateDeployment');

  const softDelete = bool(p.enableSoftDelete, 'enableSoftDelete') ?? prev?.enableSoftDelete ?? true;
  if (prev?.enableSoftDelete === true && softDelete === false) {
    throw bad('The property "enableSoftDelete" cannot be set to false. Enabling the soft delete for a vault is an irreversible action.');
  }
  const retention = p.softDeleteRetentionInDays ?? prev?.softDeleteRetentionInDays ?? 90;
  if (typeof retention !== 'number' || !Number.isInteger(retention) || retention < 7 || retention > 90) {
    throw bad(`The property "softDeleteRetentionInDays" has an invalid value '${String(retention)}'. It must be an integer between 7 and 90.`);
  }
  if (prev && prev.softDeleteRetentionInDays !== undefined && retention !== prev.softDeleteRetentionInDays) {
    throw bad('The property "softDeleteRetentionInDays" cannot be changed once the vault is created.');
  }

  const purge = bool(p.enablePurgeProtection, 'enablePurgeProtection');
  if (prev?.enablePurgeProtection === true && purge === false) {
    throw bad('The property "enablePurgeProtection" cannot be set to false. Enabling the purge protection for a vault is an irreversible action.');
  }
  if (purge === true && !softDelete) throw bad('The property "enablePurgeProtection" cannot be set to true when "enableSoftDelete" is false.');
  const enablePurgeProtection = purge ?? prev?.enablePurgeProtection;

  const rbac = bool(p.enableRbacAuthorization, 'enableRbacAuthorization');
  const enableRbacAuthorization = rbac ?? (o.merge || prev ? prev?.enableRbacAuthorization ?? false : o.apiVersion >= '2026-02-01');

  const acls = p.networkAcls !== undefined && p.networkAcls !== null ? networkAcls(p.networkAcls) : prev?.networkAcls;

  let publicNetworkAccess: VaultProperties['publicNetworkAccess'];
  if (p.publicNetworkAccess !== undefined) {
    const v = String(p.publicNetworkAccess);
    if (!['enabled', 'disabled'].includes(v.toLowerCase())) throw bad(`The property 'publicNetworkAccess' has an invalid value '${v}'. Valid values are 'Enabled' and 'Disabled'.`);
    publicNetworkAccess = v.toLowerCase() === 'enabled' ? 'Enabled' : 'Disabled';
  } else publicNetworkAccess = prev?.publicNetworkAccess ?? 'Enabled';

  return {
    tenantId, sku, accessPolicies: policies, enabledForDeployment, enabledForDiskEncryption, enabledForTemplateDeployment,
    enableSoftDelete: softDelete, softDeleteRetentionInDays: retention, enableRbacAuthorization,
    ...(enablePurgeProtection !== undefined ? { enablePurgeProtection } : {}),
    ...(acls ? { networkAcls: acls } : {}),
    publicNetworkAccess, provisioningState: 'Succeeded',
    ...(prev?.vaultUri ? { vaultUri: prev.vaultUri } : {}),
  };
}

function accessPolicies(value: unknown): AccessPolicyEntry[] {
  if (!Array.isArray(value)) throw bad("The property 'accessPolicies' must be an array.");
  if (value.length > 1024) throw bad(`Too many access policies: ${value.length}; a vault can have at most 1024.`);
  return value.map((raw, i) => {
    const path = `properties.accessPolicies[${i}]`;
    const e = asObject(raw, path);
    rejectUnknown(e, ['tenantId', 'objectId', 'applicationId', 'permissions'], 'AccessPolicyEntry', path);
    if (typeof e.tenantId !== 'string' || !isGuid(e.tenantId)) throw bad(`The property 'tenantId' of ${path} must be a GUID.`);
    if (typeof e.objectId !== 'string' || e.objectId.trim() === '') throw bad(`The property 'objectId' of ${path} is required.`);
    // Azure's Key Vault provider: "Invalid value found at accessPolicies[0].ObjectId: x" (an object id is a GUID).
    if (!isGuid(e.objectId)) throw bad(`Invalid value found at accessPolicies[${i}].ObjectId: ${e.objectId}`);
    if (e.applicationId !== undefined && e.applicationId !== null && (typeof e.applicationId !== 'string' || !isGuid(e.applicationId))) {
      throw bad(`The property 'applicationId' of ${path} must be a GUID.`);
    }
    const perms = asObject(e.permissions ?? {}, `${path}.permissions`);
    rejectUnknown(perms, Object.keys(PERMISSIONS), 'Permissions', `${path}.permissions`);
    const permissions: AccessPolicyEntry['permissions'] = {};
    for (const k of PERMISSION_KINDS) {
      const allowed = PERMISSIONS[k];
      const list = perms[k];
      if (list === undefined || list === null) continue;
      if (!Array.isArray(list)) throw bad(`The property '${k}' of ${path}.permissions must be an array.`);
      permissions[k] = list.map((x) => {
        const v = String(x);
        if (!allowed.includes(v.toLowerCase())) throw bad(`The permission '${v}' is not valid for ${k}. Valid values are: ${allowed.join(', ')}.`);
        return v;
      });
    }
    return {
      tenantId: e.tenantId.toLowerCase(), objectId: e.objectId,
      ...(typeof e.applicationId === 'string' ? { applicationId: e.applicationId } : {}),
      permissions,
    };
  });
}

function networkAcls(value: unknown): VaultNetworkRuleSet {
  const acls = asObject(value, 'properties.networkAcls');
  rejectUnknown(acls, ['bypass', 'defaultAction', 'ipRules', 'virtualNetworkRules'], 'NetworkRuleSet', 'properties.networkAcls');
  const defaultAction = acls.defaultAction === undefined ? 'Allow' : String(acls.defaultAction);
  if (!['allow', 'deny'].includes(defaultAction.toLowerCase())) throw bad(`The property 'defaultAction' has an invalid value '${defaultAction}'. Valid values are 'Allow' and 'Deny'.`);
  const bypass = acls.bypass === undefined ? 'AzureServices' : String(acls.bypass);
  if (!['azureservices', 'none'].includes(bypass.toLowerCase())) throw bad(`The property 'bypass' has an invalid value '${bypass}'. Valid values are 'AzureServices' and 'None'.`);
  const rules = acls.ipRules ?? [];
  if (!Array.isArray(rules)) throw bad("The property 'ipRules' must be an array.");
  if (rules.length > 1000) throw bad('A vault can have at most 1000 IP rules.');
  const ipRules = rules.map((r, i) => {
    const value = typeof r === 'object' && r !== null ? (r as Record<string, unknown>).value : undefined;
    const normalized = typeof value === 'string' ? normalizeIpRule(value) : undefined;
    if (!normalized) throw bad(`The IP rule '${String(value)}' (properties.networkAcls.ipRules[${i}]) is not a valid IP address or CIDR range.`);
    return { value: normalized };
  });
  const vnets = acls.virtualNetworkRules ?? [];
  if (!Array.isArray(vnets)) throw bad("The property 'virtualNetworkRules' must be an array.");
  return {
    bypass: bypass.toLowerCase() === 'none' ? 'None' : 'AzureServices', defaultAction: defaultAction.toLowerCase() === 'deny' ? 'Deny' : 'Allow',
    ipRules, virtualNetworkRules: vnets,
  };
}

/** What the data plane needs of a vault document. */
export function toSettings(doc: ResourceBody<VaultPropertiesInput>): VaultSettings {
  const p = doc.properties;
  return {
    resourceId: doc.id, name: doc.name, location: doc.location, tenantId: p.tenantId, accessPolicies: p.accessPolicies ?? [],
    enableRbacAuthorization: p.enableRbacAuthorization === true, enableSoftDelete: p.enableSoftDelete !== false,
    softDeleteRetentionInDays: p.softDeleteRetentionInDays ?? 90, enablePurgeProtection: p.enablePurgeProtection === true,
    networkAcls: p.networkAcls, publicNetworkAccess: p.publicNetworkAccess,
  };
}
