// `apim-local keyvault create|show|list|delete|purge|recover|list-deleted|update|set-policy|delete-policy`
// and `keyvault network-rule add|remove|list`: az's vault commands over Resource Manager, as az does them
// (a policy or network rule change is a GET and a PUT of the whole vault). The data plane commands are
// `keyvault secret` (keyvault-secret.ts) and `keyvault certificate` (keyvault-certificate.ts).
import type { Command } from 'commander';
import { action, parseChoice, parseIntArg, parseTags, parseThreeState, withCommonOptions, type CliContext } from '../command.js';
import { API_VERSIONS } from '../arm-client.js';
import { AzureApiError, CliError, UsageError } from '../errors.js';
import {
  getVault, groupOf, groupScope, KEYVAULT_ARM_API as V, listVaults, resolveGroup, vaultPath, type Resource,
} from '../keyvault-client.js';
import { overlaps, parseNetwork, sameNetwork } from './keyvault-network.js';
import { registerKeyVaultSecret } from './keyvault-secret.js';
import { registerKeyVaultCertificate } from './keyvault-certificate.js';

const DEFAULT_ACTIONS = ['Allow', 'Deny'] as const;
const BYPASS = ['AzureServices', 'None'] as const;
const SKUS = ['standard', 'premium'] as const;
const PUBLIC_NETWORK_ACCESS = ['Enabled', 'Disabled'] as const;

/** The permission names az offers (azure-mgmt-keyvault's enums), matched case-insensitively. */
const PERMISSIONS = {
  keys: ['all', 'backup', 'create', 'decrypt', 'delete', 'encrypt', 'get', 'getrotationpolicy', 'import', 'list', 'purge', 'recover',
    'release', 'restore', 'rotate', 'setrotationpolicy', 'sign', 'unwrapKey', 'update', 'verify', 'wrapKey'],
  secrets: ['all', 'backup', 'delete', 'get', 'list', 'purge', 'recover', 'restore', 'set'],
  certificates: ['all', 'backup', 'create', 'delete', 'deleteissuers', 'get', 'getissuers', 'import', 'list', 'listissuers',
    'managecontacts', 'manageissuers', 'purge', 'recover', 'restore', 'setissuers', 'update'],
  storage: ['all', 'backup', 'delete', 'deletesas', 'get', 'getsas', 'list', 'listsas', 'purge', 'recover', 'regeneratekey', 'restore',
    'set', 'setsas', 'update'],
} as const;

const DELETE_WARNING = 'Warning! If you have soft-delete protection enabled on this key vault, you will not be able to reuse this key vault '
  + 'name until the key vault has been purged from the soft deleted state. Please see the following documentation for additional '
  + 'guidance.\nhttps://learn.microsoft.com/azure/key-vault/general/soft-delete-overview';

// ---- az's output shapes (azure-mgmt-keyvault models: every attribute, null where unset) ----

function permissionsView(p: Resource | undefined): Resource {
  return { certificates: p?.certificates ?? null, keys: p?.keys ?? null, secrets: p?.secrets ?? null, storage: p?.storage ?? null };
}

export function networkAclsView(n: Resource | null | undefined): Resource | null {
  if (!n) return null;
  return {
    bypass: n.bypass ?? null, defaultAction: n.defaultAction ?? null,
    ipRules: n.ipRules ? n.ipRules.map((r: Resource) => ({ value: r.value })) : null,
    virtualNetworkRules: n.virtualNetworkRules ? n.virtualNetworkRules.map((r: Resource) => ({ id: r.id, ignoreMissingVnetServiceEndpoint: r.ignoreMissingVnetServiceEndpoint ?? null })) : null,
  };
}

export function vaultView(v: Resource): Resource {
  const p = v.properties ?? {};
  return {
    id: v.id, location: v.location, name: v.name,
    properties: {
      accessPolicies: (p.accessPolicies ?? []).map((a: Resource) => ({
        applicationId: a.applicationId ?? null, objectId: a.objectId, permissions: permissionsView(a.permissions), tenantId: a.tenantId,
      })),
      createMode: p.createMode ?? null, enablePurgeProtection: p.enablePurgeProtection ?? null,
      enableRbacAuthorization: p.enableRbacAuthorization ?? null, enableSoftDelete: p.enableSoftDelete ?? null,
      enabledForDeployment: p.enabledForDeployment ?? null, enabledForDiskEncryption: p.enabledForDiskEncryption ?? null,
      enabledForTemplateDeployment: p.enabledForTemplateDeployment ?? null, hsmPoolResourceId: p.hsmPoolResourceId ?? null,
      networkAcls: networkAclsView(p.networkAcls), privateEndpointConnections: p.privateEndpointConnections ?? null,
      provisioningState: p.provisioningState ?? null, publicNetworkAccess: p.publicNetworkAccess ?? null,
      sku: p.sku ? { family: p.sku.family ?? 'A', name: p.sku.name } : null,
      softDeleteRetentionInDays: p.softDeleteRetentionInDays ?? null, tenantId: p.tenantId ?? null, vaultUri: p.vaultUri ?? null,
    },
    systemData: v.systemData ?? null, tags: v.tags ?? {}, type: v.type,
  };
}

/** `keyvault list` without a group: az lists the subscription's vaults as generic resources. */
const resourceView = (v: Resource): Resource => ({ id: v.id, location: v.location, name: v.name, tags: v.tags ?? {}, type: v.type });

function deletedVaultView(d: Resource): Resource {
  const p = d.properties ?? {};
  return {
    id: d.id, name: d.name,
    properties: {
      deletionDate: p.deletionDate ?? null, location: p.location ?? null, purgeProtectionEnabled: p.purgeProtectionEnabled ?? null,
      scheduledPurgeDate: p.scheduledPurgeDate ?? null, tags: p.tags ?? null, vaultId: p.vaultId ?? null,
    },
    type: d.type,
  };
}

// ---- helpers ----

/** PUT of the whole vault (location, tags, properties), as az's create_or_update after a change. */
async function putVault(ctx: CliContext, group: string, vault: Resource, wait: boolean): Promise<Resource | undefined> {
  const body = { location: vault.location, tags: vault.tags ?? {}, properties: vault.properties };
  const out = await ctx.arm.write<Resource>('PUT', vaultPath(ctx, group, String(vault.name)), V, body, { wait });
  return out ? vaultView(out) : undefined;
}

/** The signed-in identity's object id: the `oid` of its management token. */
async function currentObjectId(ctx: CliContext): Promise<string> {
  const { accessToken } = await ctx.server.token();
  try {
    const claims = JSON.parse(Buffer.from(accessToken.split('.')[1], 'base64url').toString('utf8')) as { oid?: string };
    if (claims.oid) return claims.oid;
  } catch { /* fall through */ }
  throw new CliError('Cannot create vault.\nUnable to query active directory for information about the current user.\nYou may try the --no-self-perms flag to create a vault without permissions.');
}

/** `--object-id | --spn | --upn` → object id (az's _object_id_args_helper; a service principal by its appId). */
async function principalObjectId(ctx: CliContext, o: PrincipalOptions): Promise<string> {
  const given = [o.objectId, o.spn, o.upn].filter((x) => x);
  if (given.length !== 1) throw new UsageError('specify exactly one: --object-id, --spn, --upn');
  if (o.objectId) return o.objectId;
  if (o.spn) {
    const spn = o.spn.toLowerCase();
    const found = (await ctx.admin.listPrincipals()).filter((p) => p.appId.toLowerCase() === spn);
    if (found.length === 1) return found[0].objectId;
    ctx.warn(found.length === 0 ? `Unable to find user with spn '${o.spn}'` : `Multiple service principals found with spn '${o.spn}'. You can avoid this by specifying object id.`);
  } else {
    ctx.warn(`Unable to find user with upn '${o.upn}'`);
  }
  throw new CliError('Unable to get object id from principal name.');
}

function permissionList(flag: string, values: string[] | undefined, choices: readonly string[]): string[] | undefined {
  if (values === undefined) return undefined;
  const out: string[] = [];
  for (const v of values) {
    const p = parseChoice(flag, v, choices)!;
    if (!out.includes(p)) out.push(p);
  }
  return out;
}

/** The deleted vault of that name (az's validate_deleted_vault_or_hsm_name): its location and original group. */
async function findDeleted(ctx: CliContext, name: string, location: string | undefined): Promise<Resource> {
  const n = name.toLowerCase();
  if (location) {
    return ctx.arm.get<Resource>(`${ctx.arm.subscriptionScope}/providers/Microsoft.KeyVault/locations/${encodeURIComponent(location)}/deletedVaults/${encodeURIComponent(name)}`, V);
  }
  const all = await ctx.arm.list<Resource>(`${ctx.arm.subscriptionScope}/providers/Microsoft.KeyVault/deletedVaults`, V);
  const found = all.find((d) => String(d.properties?.vaultId ?? '').split('/').pop()?.toLowerCase() === n || String(d.name).toLowerCase() === n);
  if (!found) throw new CliError(`No deleted Vault or HSM was found with name ${name}`);
  return found;
}

// ---- options ----

interface VaultOptions { name: string; resourceGroup?: string }
interface PrincipalOptions { objectId?: string; spn?: string; upn?: string; applicationId?: string }
interface NoWait { wait: boolean }

function vaultOptions(cmd: Command, groupRequired = false): Command {
  cmd.requiredOption('-n, --name <name>', 'name of the vault');
  return groupRequired
    ? cmd.requiredOption('-g, --resource-group <name>', 'name of the resource group')
    : cmd.option('-g, --resource-group <name>', 'name of the resource group (default: the one the vault is in)');
}

function principalOptions(cmd: Command): Command {
  return cmd
    .option('--object-id <guid>', 'object id of a user, service principal or security group')
    .option('--spn <name>', 'name of a service principal (its appId; a managed identity\'s client id)')
    .option('--upn <name>', 'name of a user (apim-local has no users)')
    .option('--application-id <guid>', 'application id of a compound identity (the policy holds for that application on behalf of --object-id)');
}

export function registerKeyVault(program: Command): void {
  const kv = program.command('keyvault').description('Manage Key Vault vaults, their access policies and firewall, secrets and certificates.');

  withCommonOptions(vaultOptions(kv.command('create').description('Create a vault.'), true))
    .option('-l, --location <location>', "location (default: the resource group's)")
    .option('--sku <sku>', 'standard (default) or premium')
    .option('--enable-rbac-authorization [bool]', 'use Azure RBAC for data actions instead of access policies (default true, as az)')
    .option('--no-self-perms', 'do not give the signed-in identity an access policy (only without RBAC)')
    .option('--retention-days <days>', 'soft delete retention in days, 7 to 90 (default 90)')
    .option('--enable-purge-protection [bool]', 'refuse purging deleted vaults and objects before their retention ends (irreversible)')
    .option('--default-action <action>', 'firewall: Allow or Deny when no rule matches')
    .option('--bypass <bypass>', 'firewall: AzureServices (trusted services pass) or None')
    .option('--network-acls-ips <ips...>', 'firewall: IP addresses or CIDR ranges to allow')
    .option('--public-network-access <value>', 'Enabled or Disabled')
    .option('--enabled-for-deployment [bool]', 'let virtual machines read certificates stored as secrets')
    .option('--enabled-for-disk-encryption [bool]', 'let Azure Disk Encryption read secrets and unwrap keys')
    .option('--enabled-for-template-deployment [bool]', 'let Resource Manager read secrets')
    .option('--tags <tags...>', 'space-separated tags: key[=value] [key[=value] ...]')
    .option('--no-wait', 'do not wait for the operation to finish')
    .action(action<VaultOptions & NoWait & {
      location?: string; sku?: string; enableRbacAuthorization?: string | boolean; selfPerms: boolean; retentionDays?: string;
      enablePurgeProtection?: string | boolean; defaultAction?: string; bypass?: string; networkAclsIps?: string[]; publicNetworkAccess?: string;
      enabledForDeployment?: string | boolean; enabledForDiskEncryption?: string | boolean; enabledForTemplateDeployment?: string | boolean; tags?: string[];
    }>(async (ctx, o) => {
      const group = o.resourceGroup!;
      const rbac = parseThreeState('--enable-rbac-authorization', o.enableRbacAuthorization) ?? true;
      const purgeProtection = parseThreeState('--enable-purge-protection', o.enablePurgeProtection);
      const retention = parseIntArg('--retention-days', o.retentionDays) ?? 90;
      const defaultAction = parseChoice('--default-action', o.defaultAction, DEFAULT_ACTIONS);
      const bypass = parseChoice('--bypass', o.bypass, BYPASS);
      const sku = parseChoice('--sku', o.sku, SKUS) ?? 'standard';
      const publicNetworkAccess = parseChoice('--public-network-access', o.publicNetworkAccess, PUBLIC_NETWORK_ACCESS);
      const tags = parseTags(o.tags);
      for (const ip of o.networkAclsIps ?? []) parseNetwork(ip);
      const path = vaultPath(ctx, group, o.name);
      // As az: a GET first; a vault that answers is not created again (any error means there is none).
      let existing = false;
      try { await ctx.arm.get(path, V); existing = true; } catch (e) { if (!(e instanceof AzureApiError)) throw e; }
      if (existing) throw new CliError(`The specified vault: ${o.name} already exists`);
      const location = o.location ?? String((await ctx.arm.get<Resource>(groupScope(ctx, group), API_VERSIONS.resources)).location);
      const tenantId = ctx.connection.tenantId;
      const accessPolicies = !o.selfPerms || rbac ? [] : [{
        tenantId, objectId: await currentObjectId(ctx),
        permissions: { keys: ['all'], secrets: ['all'], certificates: ['all'], storage: ['all'] },
      }];
      // az: the given bypass/default action, AzureServices + Allow when neither is given.
      const networkAcls: Resource = !bypass && !defaultAction ? { bypass: 'AzureServices', defaultAction: 'Allow' }
        : { ...(bypass ? { bypass } : {}), ...(defaultAction ? { defaultAction } : {}) };
      if (o.networkAclsIps) {
        networkAcls.ipRules = [...new Set(o.networkAclsIps)].map((value) => ({ value }));
        networkAcls.virtualNetworkRules = [];
      }
      const properties: Resource = {
        tenantId, sku: { family: 'A', name: sku }, accessPolicies, enableRbacAuthorization: rbac, softDeleteRetentionInDays: retention, networkAcls,
      };
      if (purgeProtection !== undefined) properties.enablePurgeProtection = purgeProtection;
      if (publicNetworkAccess) properties.publicNetworkAccess = publicNetworkAccess;
      applyEnabledFor(o, properties);
      const created = await ctx.arm.write<Resource>('PUT', path, V, { location, ...(tags ? { tags } : {}), properties }, { wait: o.wait });
      return created ? { value: vaultView(created) } : undefined;
    }));

  withCommonOptions(vaultOptions(kv.command('show').description('Show the details of a vault.')))
    .action(action<VaultOptions>(async (ctx, o) => ({ value: vaultView((await getVault(ctx, o.name, o.resourceGroup)).vault) })));

  withCommonOptions(kv.command('list').description('List the vaults of a resource group (full details) or of the subscription.'))
    .option('-g, --resource-group <name>', 'name of the resource group')
    .option('--resource-type <type>', "'vault' (apim-local has no managed HSMs)")
    .action(action<{ resourceGroup?: string; resourceType?: string }>(async (ctx, o) => {
      if (o.resourceType !== undefined && !['vault', 'hsm'].includes(o.resourceType)) throw new CliError(`Unsupported resource type: ${o.resourceType}`);
      if (o.resourceType === 'hsm') return { value: [] };
      const vaults = await listVaults(ctx, o.resourceGroup);
      return { value: o.resourceGroup ? vaults.map(vaultView) : vaults.map(resourceView) };
    }));

  withCommonOptions(vaultOptions(kv.command('delete').description('Delete a vault (soft delete: it can be recovered until purged).')))
    .option('--no-wait', 'do not wait for the operation to finish')
    .action(action<VaultOptions & NoWait>(async (ctx, o) => {
      const group = await resolveGroup(ctx, o.name, o.resourceGroup);
      ctx.warn(DELETE_WARNING);
      await ctx.arm.delete(vaultPath(ctx, group, o.name), V, { wait: o.wait });
    }));

  withCommonOptions(kv.command('list-deleted').description('List the soft-deleted vaults of the subscription.'))
    .option('--resource-type <type>', "'vault' (apim-local has no managed HSMs)")
    .action(action<{ resourceType?: string }>(async (ctx, o) => {
      if (o.resourceType === 'hsm') return { value: [] };
      const items = await ctx.arm.list<Resource>(`${ctx.arm.subscriptionScope}/providers/Microsoft.KeyVault/deletedVaults`, V);
      return { value: items.map(deletedVaultView) };
    }));

  withCommonOptions(kv.command('show-deleted').description('Show a soft-deleted vault.'))
    .requiredOption('-n, --name <name>', 'name of the deleted vault')
    .option('-l, --location <location>', 'location of the deleted vault (default: looked up)')
    .action(action<{ name: string; location?: string }>(async (ctx, o) => ({ value: deletedVaultView(await findDeleted(ctx, o.name, o.location)) })));

  withCommonOptions(kv.command('purge').description('Permanently delete a soft-deleted vault and everything in it.'))
    .requiredOption('-n, --name <name>', 'name of the deleted vault')
    .option('-l, --location <location>', 'location of the deleted vault (default: looked up)')
    .option('--no-wait', 'do not wait for the operation to finish')
    .action(action<{ name: string; location?: string } & NoWait>(async (ctx, o) => {
      const deleted = await findDeleted(ctx, o.name, o.location);
      const location = String(deleted.properties?.location ?? o.location);
      const res = await ctx.arm.send('POST', `${ctx.arm.subscriptionScope}/providers/Microsoft.KeyVault/locations/${encodeURIComponent(location)}/deletedVaults/${encodeURIComponent(o.name)}/purge`, { apiVersion: V });
      if (o.wait) await ctx.arm.waitForLocation(res);
    }));

  withCommonOptions(kv.command('recover').description('Recover a soft-deleted vault into its resource group, with everything it held.'))
    .requiredOption('-n, --name <name>', 'name of the deleted vault')
    .option('-g, --resource-group <name>', 'resource group of the deleted vault (default: its original one)')
    .option('-l, --location <location>', 'location of the deleted vault (default: looked up)')
    .option('--no-wait', 'do not wait for the operation to finish')
    .action(action<{ name: string; resourceGroup?: string; location?: string } & NoWait>(async (ctx, o) => {
      const deleted = await findDeleted(ctx, o.name, o.location);
      const original = groupOf(String(deleted.properties?.vaultId ?? ''));
      const group = o.resourceGroup ?? original;
      if (group.toLowerCase() !== original.toLowerCase()) {
        throw new CliError(`The specified resource group does not match that of the deleted vault or hsm ${o.name}. The vault or hsm must be recovered to the original resource group ${original}.`);
      }
      const body = {
        location: deleted.properties?.location ?? o.location,
        properties: { tenantId: ctx.connection.tenantId, sku: { family: 'A', name: 'standard' }, createMode: 'recover' },
      };
      const recovered = await ctx.arm.write<Resource>('PUT', vaultPath(ctx, group, o.name), V, body, { wait: o.wait });
      return recovered ? { value: vaultView(recovered) } : undefined;
    }));

  withCommonOptions(vaultOptions(kv.command('update').description('Update the properties of a vault.')))
    .option('--enable-rbac-authorization [bool]', 'use Azure RBAC for data actions instead of access policies')
    .option('--retention-days <days>', 'soft delete retention in days, 7 to 90')
    .option('--enable-purge-protection [bool]', 'refuse purging before the retention ends (irreversible)')
    .option('--default-action <action>', 'firewall: Allow or Deny when no rule matches')
    .option('--bypass <bypass>', 'firewall: AzureServices (trusted services pass) or None')
    .option('--public-network-access <value>', 'Enabled or Disabled')
    .option('--enabled-for-deployment [bool]', 'let virtual machines read certificates stored as secrets')
    .option('--enabled-for-disk-encryption [bool]', 'let Azure Disk Encryption read secrets and unwrap keys')
    .option('--enabled-for-template-deployment [bool]', 'let Resource Manager read secrets')
    .option('--no-wait', 'do not wait for the operation to finish')
    .action(action<VaultOptions & NoWait & {
      enableRbacAuthorization?: string | boolean; retentionDays?: string; enablePurgeProtection?: string | boolean; defaultAction?: string; bypass?: string;
      publicNetworkAccess?: string; enabledForDeployment?: string | boolean; enabledForDiskEncryption?: string | boolean; enabledForTemplateDeployment?: string | boolean;
    }>(async (ctx, o) => {
      const rbac = parseThreeState('--enable-rbac-authorization', o.enableRbacAuthorization);
      const purge = parseThreeState('--enable-purge-protection', o.enablePurgeProtection);
      const retention = parseIntArg('--retention-days', o.retentionDays);
      const defaultAction = parseChoice('--default-action', o.defaultAction, DEFAULT_ACTIONS);
      const bypass = parseChoice('--bypass', o.bypass, BYPASS);
      const publicNetworkAccess = parseChoice('--public-network-access', o.publicNetworkAccess, PUBLIC_NETWORK_ACCESS);
      const { group, vault } = await getVault(ctx, o.name, o.resourceGroup);
      const p = vault.properties;
      if (rbac !== undefined) p.enableRbacAuthorization = rbac;
      if (purge !== undefined) p.enablePurgeProtection = purge;
      if (retention !== undefined) p.softDeleteRetentionInDays = retention;
      if (publicNetworkAccess) p.publicNetworkAccess = publicNetworkAccess;
      applyEnabledFor(o, p);
      if (bypass || defaultAction) {
        p.networkAcls = p.networkAcls
          ? { ...p.networkAcls, ...(bypass ? { bypass } : {}), ...(defaultAction ? { defaultAction } : {}) }
          : { ...(bypass ? { bypass } : {}), ...(defaultAction ? { defaultAction } : {}) };
      }
      const updated = await putVault(ctx, group, vault, o.wait);
      return updated ? { value: updated } : undefined;
    }));

  withCommonOptions(principalOptions(vaultOptions(kv.command('set-policy').description("Update a vault's access policy for a principal (adding one when it has none)."))))
    .option('--key-permissions <permissions...>', `space-separated: ${PERMISSIONS.keys.join(' ')}`)
    .option('--secret-permissions <permissions...>', `space-separated: ${PERMISSIONS.secrets.join(' ')}`)
    .option('--certificate-permissions <permissions...>', `space-separated: ${PERMISSIONS.certificates.join(' ')}`)
    .option('--storage-permissions <permissions...>', `space-separated: ${PERMISSIONS.storage.join(' ')}`)
    .option('--no-wait', 'do not wait for the operation to finish')
    .action(action<VaultOptions & PrincipalOptions & NoWait & {
      keyPermissions?: string[]; secretPermissions?: string[]; certificatePermissions?: string[]; storagePermissions?: string[];
    }>(async (ctx, o) => {
      const given = {
        keys: permissionList('--key-permissions', o.keyPermissions, PERMISSIONS.keys),
        secrets: permissionList('--secret-permissions', o.secretPermissions, PERMISSIONS.secrets),
        certificates: permissionList('--certificate-permissions', o.certificatePermissions, PERMISSIONS.certificates),
        storage: permissionList('--storage-permissions', o.storagePermissions, PERMISSIONS.storage),
      };
      if (Object.values(given).every((v) => v === undefined)) {
        throw new UsageError('specify at least one: --key-permissions, --secret-permissions, --certificate-permissions --storage-permissions');
      }
      if ([o.objectId, o.spn, o.upn].filter((x) => x).length !== 1) throw new UsageError('specify exactly one: --object-id, --spn, --upn');
      const objectId = await principalObjectId(ctx, o);
      const { group, vault } = await getVault(ctx, o.name, o.resourceGroup);
      const p = vault.properties;
      if (p.enableRbacAuthorization) throw new CliError("Cannot set policies to a vault with '--enable-rbac-authorization' specified");
      const tenant = String(p.tenantId).toLowerCase();
      const appId = (o.applicationId ?? '').toLowerCase();
      p.accessPolicies = p.accessPolicies ?? [];
      const policy = (p.accessPolicies as Resource[]).find((a) => a.objectId.toLowerCase() === objectId.toLowerCase()
        && (a.applicationId ?? '').toLowerCase() === appId && String(a.tenantId).toLowerCase() === tenant);
      if (!policy) {
        const permissions: Resource = {};
        for (const [k, v] of Object.entries(given)) if (v !== undefined) permissions[k] = v;
        p.accessPolicies.push({ tenantId: p.tenantId, objectId, ...(o.applicationId ? { applicationId: o.applicationId } : {}), permissions });
      } else {
        const permissions: Resource = { ...(policy.permissions ?? {}) };
        for (const [k, v] of Object.entries(given)) if (v !== undefined) permissions[k] = v;
        policy.permissions = permissions;
      }
      const updated = await putVault(ctx, group, vault, o.wait);
      return updated ? { value: updated } : undefined;
    }));

  withCommonOptions(principalOptions(vaultOptions(kv.command('delete-policy').description("Delete a principal's access policy from a vault."))))
    .option('--no-wait', 'do not wait for the operation to finish')
    .action(action<VaultOptions & PrincipalOptions & NoWait>(async (ctx, o) => {
      if ([o.objectId, o.spn, o.upn].filter((x) => x).length !== 1) throw new UsageError('specify exactly one: --object-id, --spn, --upn');
      const objectId = await principalObjectId(ctx, o);
      const { group, vault } = await getVault(ctx, o.name, o.resourceGroup);
      const p = vault.properties;
      if (p.enableRbacAuthorization) throw new CliError("Cannot delete policies to a vault with '--enable-rbac-authorization' specified");
      const tenant = String(p.tenantId).toLowerCase();
      const appId = (o.applicationId ?? '').toLowerCase();
      const before: Resource[] = p.accessPolicies ?? [];
      p.accessPolicies = before.filter((a) => String(a.tenantId).toLowerCase() !== tenant || a.objectId.toLowerCase() !== objectId.toLowerCase()
        || (a.applicationId ?? '').toLowerCase() !== appId);
      if (p.accessPolicies.length === before.length) throw new CliError('No matching policies found');
      const updated = await putVault(ctx, group, vault, o.wait);
      return updated ? { value: updated } : undefined;
    }));

  registerNetworkRule(kv);
  registerKeyVaultSecret(kv);
  registerKeyVaultCertificate(kv);
}

function registerNetworkRule(kv: Command): void {
  const rule = kv.command('network-rule').description("Manage a vault's firewall rules (networkAcls.ipRules).");

  withCommonOptions(vaultOptions(rule.command('add').description('Add IP rules to the firewall of a vault.')))
    .option('--ip-address <ips...>', 'IPv4 or IPv6 addresses or CIDR ranges, space-separated')
    .option('--subnet <id>', 'virtual network rules are not supported by apim-local')
    .option('--no-wait', 'do not wait for the operation to finish')
    .action(action<VaultOptions & NoWait & { ipAddress?: string[]; subnet?: string }>(async (ctx, o) => {
      if (o.subnet) throw new CliError('apim-local has no virtual networks: --subnet is not supported. Use --ip-address.');
      const ips = (o.ipAddress ?? []).map((ip) => ({ ip, net: parseNetwork(ip) }));
      for (const [i, a] of ips.entries()) {
        for (const b of ips.slice(i + 1)) {
          if (overlaps(a.net, b.net)) throw new CliError(`ip addresses ${a.ip} and ${b.ip} provided are overlapping: --ip_address ip1 [ip2]...`);
        }
      }
      const { group, vault } = await getVault(ctx, o.name, o.resourceGroup);
      const p = vault.properties;
      p.networkAcls = p.networkAcls ?? { bypass: 'AzureServices', defaultAction: 'Allow' };
      const rules: Resource[] = p.networkAcls.ipRules ?? [];
      p.networkAcls.ipRules = rules;
      if (ips.length === 0) ctx.warn('No subnet or ip address supplied.');
      let changed = false;
      for (const { ip, net } of ips) {
        const existing = rules.find((r) => overlaps(parseNetwork(String(r.value)), net));
        if (existing) {
          ctx.warn(`IP/CIDR ${ip} overlaps with ${existing.value}, which exists already. Not adding duplicates.`);
          continue;
        }
        rules.push({ value: ip });
        changed = true;
      }
      if (!changed) return { value: vaultView(vault) };
      const updated = await putVault(ctx, group, vault, o.wait);
      return updated ? { value: updated } : undefined;
    }));

  withCommonOptions(vaultOptions(rule.command('remove').description('Remove IP rules from the firewall of a vault.')))
    .option('--ip-address <ips...>', 'IPv4 or IPv6 addresses or CIDR ranges, space-separated')
    .option('--subnet <id>', 'virtual network rules are not supported by apim-local')
    .option('--no-wait', 'do not wait for the operation to finish')
    .action(action<VaultOptions & NoWait & { ipAddress?: string[]; subnet?: string }>(async (ctx, o) => {
      if (o.subnet) throw new CliError('apim-local has no virtual networks: --subnet is not supported. Use --ip-address.');
      const remove = (o.ipAddress ?? []).map(parseNetwork);
      const { group, vault } = await getVault(ctx, o.name, o.resourceGroup);
      const acls = vault.properties.networkAcls;
      if (!acls || remove.length === 0 || !acls.ipRules?.length) return { value: vaultView(vault) };
      const kept = (acls.ipRules as Resource[]).filter((r) => !remove.some((n) => sameNetwork(parseNetwork(String(r.value)), n)));
      if (kept.length === acls.ipRules.length) return { value: vaultView(vault) };
      acls.ipRules = kept;
      const updated = await putVault(ctx, group, vault, o.wait);
      return updated ? { value: updated } : undefined;
    }));

  withCommonOptions(vaultOptions(rule.command('list').description("List a vault's firewall rules.")))
    .action(action<VaultOptions>(async (ctx, o) => ({ value: networkAclsView((await getVault(ctx, o.name, o.resourceGroup)).vault.properties?.networkAcls) })));
}

/** --enabled-for-deployment / -disk-encryption / -template-deployment, shared by create and update. */
function applyEnabledFor(o: Record<string, any>, target: Record<string, any>): void {
  for (const [k, flag, v] of [
    ['enabledForDeployment', '--enabled-for-deployment', o.enabledForDeployment],
    ['enabledForDiskEncryption', '--enabled-for-disk-encryption', o.enabledForDiskEncryption],
    ['enabledForTemplateDeployment', '--enabled-for-template-deployment', o.enabledForTemplateDeployment],
  ] as const) {
    const b = parseThreeState(flag, v);
    if (b !== undefined) target[k] = b;
  }
}
