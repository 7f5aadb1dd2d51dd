// Microsoft.KeyVault: vaults (Azure's validation and defaults, a vaultUri on this machine whose port is
// kept across restarts), accessPolicies add|replace|remove, and soft-deleted vaults (list, get, purge,
// recover with createMode: recover). The data plane (src/keyvault) is told every change.
import type { ArmRequest, ResourceProviderModule, ResourceTypeRegistration } from '../registry.js';
import type { ArmContext } from '../context.js';
import type { ResourceBody, StoredResource } from '../resource-store.js';
import { ArmErrors } from '../errors.js';
import { asObject, normalizeLocation, page, preconditions, rejectUnknown, systemData, validateTags } from '../envelope.js';
import type { AccessPolicyEntry } from '../../keyvault/index.js';
import {
  DELETED_VAULT, KvArmErrors as E, originalVault, parseVaultProperties, PERMISSION_KINDS, toSettings, VAULT, VAULT_NAME, VAULT_TYPE,
  type DeletedVaultProperties, type VaultProperties, type VaultPropertiesInput,
} from './key-vault-properties.js';
import { trackedResourceHandlers } from '../tracked-resource.js';
import { vaultSecretsRegistration } from './key-vault-secrets.js';

export const KEYVAULT_API_VERSIONS = ['2018-02-14', '2019-09-01', '2020-04-01-preview', '2021-04-01-preview', '2021-06-01-preview',
  '2021-10-01', '2021-11-01-preview', '2022-02-01-preview', '2022-07-01', '2022-11-01', '2023-02-01', '2023-07-01',
  '2023-08-01-preview', '2024-04-01-preview', '2024-11-01', '2024-12-01-preview', '2025-05-01', '2026-02-01'] as const;

export { VAULT_TYPE };
const DELETED_TYPE = DELETED_VAULT.type;

type DeletedVault = StoredResource<DeletedVaultProperties>;

const portOf = (body: ResourceBody<VaultProperties>): number => Number(new URL(body.properties.vaultUri).port);

export function keyVaultProvider(arm: ArmContext): ResourceProviderModule {
  const deletedId = (sub: string, location: string, name: string) =>
    `/subscriptions/${sub}/providers/Microsoft.KeyVault/locations/${normalizeLocation(location)}/deletedVaults/${name}`;

  /** Vault names are global: taken by a vault or a deleted vault of any subscription. */
  async function nameTaken(name: string): Promise<boolean> {
    const n = name.toLowerCase();
    const vaults = await arm.resources.listOf(VAULT);
    const deleted = await liveDeleted(await arm.resources.listOf(DELETED_VAULT));
    return [...vaults, ...deleted].some((r) => r.body.name.toLowerCase() === n);
  }

  /** Deleted vaults past their scheduled purge date are purged on the way. */
  async function liveDeleted(rows: DeletedVault[]): Promise<DeletedVault[]> {
    const now = arm.clock.nowMs();
    const out: DeletedVault[] = [];
    for (const r of rows) {
      if (Date.parse(r.body.properties.scheduledPurgeDate) <= now) await purgeDeleted(r);
      else out.push(r);
    }
    return out;
  }

  async function purgeDeleted(r: DeletedVault): Promise<void> {
    await arm.resources.deleteTree(r.id);
    await arm.keyVault.purgeVault(r.body.name);
  }

  const present = (r: DeletedVault) => {
    const { vault: _v, ...rest } = r.body;
    return rest;
  };

  async function write(req: ArmRequest, merge: boolean) {
    const name = req.target.names[0];
    if (!VAULT_NAME.test(name) || name.includes('--')) throw E.invalidName(name);
    const existing = await arm.resources.getOf(VAULT, req.target.id);
    if (merge && !existing) throw ArmErrors.resourceNotFound(VAULT_TYPE, name, req.target.resourceGroup);
    if (req.body === undefined) throw ArmErrors.missingBody();
    const body = asObject(req.body, '');
    rejectUnknown(body, merge ? ['tags', 'properties'] : ['location', 'tags', 'properties', 'id', 'name', 'type', 'systemData'], merge ? 'VaultPatchParameters' : 'VaultCreateOrUpdateParameters', '');
    const propsIn = body.properties === undefined || body.properties === null ? {} : asObject(body.properties, 'properties');
    if (!merge && String(propsIn.createMode ?? '').toLowerCase() === 'recover') return recover(req, body, existing);

    let location: string = existing?.body.location;
    if (!merge) {
      if (typeof body.location !== 'string' || !body.location.trim()) throw ArmErrors.locationRequired();
      location = normalizeLocation(body.location);
      if (existing && existing.body.location !== location) throw E.badRequest(`The location of vault '${name}' cannot be changed from '${existing.body.location}' to '${location}'.`);
    }
    if (!existing && await nameTaken(name)) throw E.alreadyExists(name);
    const props = parseVaultProperties(propsIn, {
      previous: existing?.body.properties, merge, apiVersion: req.apiVersion,
    });
    const tags = body.tags === undefined && existing ? existing.body.tags : validateTags(body.tags) ?? {};
    const id = existing?.id ?? req.target.id;
    const doc: ResourceBody<VaultPropertiesInput> = { id, name: existing?.body.name ?? name, type: VAULT_TYPE, location, tags, systemData: systemData(req.caller, existing?.body.systemData, arm.clock.nowMs()), properties: props };
    return store(req, doc, existing ? portOf(existing.body) : 0, !existing);
  }

  /** Starts or reconfigures the vault's listener, then stores the vault with its vaultUri. */
  async function store(req: ArmRequest, doc: ResourceBody<VaultPropertiesInput>, port: number, created: boolean) {
    const bound = await arm.keyVault.ensureVault(toSettings(doc), port);
    const vault: ResourceBody<VaultProperties> = { ...doc, properties: inAzureOrder({ ...doc.properties, vaultUri: `https://localhost:${bound}/` }) };
    try {
      const r = await arm.resources.put({ id: vault.id, parent: req.target.scope, body: vault, ...preconditions(req) });
      return { status: 200, body: r.resource.body, headers: { etag: r.resource.etag } };
    } catch (e) {
      if (created) await arm.keyVault.stopVault(doc.name);
      throw e;
    }
  }

  /** createMode: recover: the deleted vault comes back as it was, in its own resource group. */
  async function recover(req: ArmRequest, body: Record<string, unknown>, existing: StoredResource<VaultProperties> | undefined) {
    const name = req.target.names[0];
    if (existing) throw E.alreadyExists(name);
    const deleted = (await liveDeleted(await arm.resources.listOf(DELETED_VAULT, { subscriptionId: req.target.subscriptionId! })))
      .find((r) => r.body.name.toLowerCase() === name.toLowerCase());
    if (!deleted) throw E.deletedNotFound(name);
    const original = originalVault(deleted.body);
    if (original.id.toLowerCase() !== req.target.id.toLowerCase()) {
      throw E.badRequest(`The deleted vault '${name}' can only be recovered into its original resource group: '${original.id}'.`);
    }
    if (typeof body.location === 'string' && normalizeLocation(body.location) !== original.location) {
      throw E.badRequest(`The deleted vault '${name}' is in location '${original.location}', not '${body.location}'.`);
    }
    const tags = body.tags === undefined ? original.tags : validateTags(body.tags) ?? {};
    const doc: ResourceBody<VaultProperties> = { ...original, tags, systemData: systemData(req.caller, original.systemData, arm.clock.nowMs()), properties: { ...original.properties, provisioningState: 'Succeeded' } };
    const result = await store(req, doc, portOf(original), true);
    await arm.resources.deleteTree(deleted.id);
    return result;
  }

  const vaults: ResourceTypeRegistration = {
    type: VAULT_TYPE, apiVersions: KEYVAULT_API_VERSIONS, scopes: ['resourceGroup'], listScopes: ['subscription', 'resourceGroup'], locations: [],
    async get(req) {
      const r = await arm.resources.getOf(VAULT, req.target.id);
      if (!r) throw ArmErrors.resourceNotFound(VAULT_TYPE, req.target.names[0], req.target.resourceGroup);
      return { status: 200, body: r.body };
    },
    put: (req) => write(req, false),
    patch: (req) => write(req, true),
    ...trackedResourceHandlers(arm, VAULT_TYPE),
  };

  // PUT .../vaults/{name}/accessPolicies/{add|replace|remove}: the seed's template form.
  const accessPolicies: ResourceTypeRegistration = {
    type: 'Microsoft.KeyVault/vaults/accessPolicies', apiVersions: KEYVAULT_API_VERSIONS, scopes: ['resource'],
    async put(req) {
      const [vaultName, kind] = req.target.names;
      const op = kind.toLowerCase();
      if (!['add', 'replace', 'remove'].includes(op)) throw E.badRequest(`The access policy update kind '${kind}' is invalid. Valid values are 'add', 'replace' and 'remove'.`);
      const vault = await arm.resources.getOf(VAULT, req.target.scope);
      if (!vault) throw ArmErrors.parentResourceNotFound(`${VAULT_TYPE}/${vaultName}`);
      const body = asObject(req.body ?? {}, '');
      rejectUnknown(body, ['properties', 'id', 'name', 'type', 'location'], 'VaultAccessPolicyParameters', '');
      const props = asObject(body.properties ?? {}, 'properties');
      const given = parseVaultProperties({ accessPolicies: props.accessPolicies ?? [] }, { previous: vault.body.properties, merge: true, apiVersion: req.apiVersion }).accessPolicies;
      const doc: ResourceBody<VaultProperties> = {
        ...vault.body, systemData: systemData(req.caller, vault.body.systemData, arm.clock.nowMs()),
        properties: { ...vault.body.properties, accessPolicies: applyPolicyChange(vault.body.properties.accessPolicies ?? [], given, op as 'add' | 'replace' | 'remove') },
      };
      await arm.keyVault.ensureVault(toSettings(doc), portOf(doc));
      await arm.resources.put({ id: vault.id, parent: vault.id.split('/providers/')[0], body: doc });
      return {
        status: 200,
        body: { id: `${vault.id}/accessPolicies/${op}`, name: op, type: 'Microsoft.KeyVault/vaults/accessPolicies', location: vault.body.location, properties: { accessPolicies: given } },
      };
    },
  };

  const deletedVaults: ResourceTypeRegistration = {
    type: DELETED_TYPE, apiVersions: KEYVAULT_API_VERSIONS, scopes: ['subscription'], listScopes: ['subscription'],
    async list(req) {
      const items = await liveDeleted(await arm.resources.listOf(DELETED_VAULT, { subscriptionId: req.target.subscriptionId! }));
      return page(req, items.map(present), arm.baseUrl);
    },
  };

  const locationDeletedVaults: ResourceTypeRegistration = {
    type: 'Microsoft.KeyVault/locations/deletedVaults', apiVersions: KEYVAULT_API_VERSIONS, scopes: ['subscription'],
    actionNames: { purge: 'Microsoft.KeyVault/locations/deletedVaults/purge/action' },
    async get(req) {
      const r = await findDeleted(req);
      return { status: 200, body: present(r) };
    },
    actions: {
      async purge(req) {
        const r = await findDeleted(req);
        if (r.body.properties.purgeProtectionEnabled) throw E.purgeProtected(r.body.name, r.body.properties.scheduledPurgeDate);
        await purgeDeleted(r);
        return { status: 200 };
      },
    },
  };

  async function findDeleted(req: ArmRequest): Promise<DeletedVault> {
    const [location, name] = req.target.names;
    const r = await arm.resources.getOf(DELETED_VAULT, deletedId(req.target.subscriptionId!, location, name));
    if (!r || (await liveDeleted([r])).length === 0) throw E.deletedNotFound(name);
    return r;
  }

  // A deleted vault (also with its resource group) is kept, recoverable, for its retention; without
  // soft delete its objects go at once.
  arm.resources.onDelete(VAULT, async (deleted) => {
    const p = deleted.body.properties;
    if (!p.enableSoftDelete) { await arm.keyVault.purgeVault(deleted.body.name); return; }
    await arm.keyVault.stopVault(deleted.body.name);
    const sub = deleted.id.split('/')[2];
    const now = arm.clock.nowMs();
    const id = deletedId(sub, deleted.body.location, deleted.body.name);
    await arm.resources.put<DeletedVaultProperties>({
      id, parent: `/subscriptions/${sub}`,
      body: {
        id, name: deleted.body.name, type: DELETED_TYPE,
        properties: {
          vaultId: deleted.id, location: deleted.body.location, deletionDate: new Date(now).toISOString(),
          scheduledPurgeDate: new Date(now + p.softDeleteRetentionInDays * 86_400_000).toISOString(),
          tags: deleted.body.tags ?? {}, purgeProtectionEnabled: p.enablePurgeProtection === true,
        },
        vault: deleted.body,
      },
    });
  });

  return {
    namespace: 'Microsoft.KeyVault',
    types: [vaults, accessPolicies, vaultSecretsRegistration(arm, KEYVAULT_API_VERSIONS), deletedVaults, locationDeletedVaults],
    // After a restart: every vault listens again on the port of its vaultUri.
    async init() {
      for (const v of await arm.resources.listOf(VAULT)) await arm.keyVault.ensureVault(toSettings(v.body), portOf(v.body));
    },
  };
}

/** add: merge permissions per (objectId, applicationId); replace: set them; remove: take them away. */
function applyPolicyChange(current: AccessPolicyEntry[], given: AccessPolicyEntry[], op: 'add' | 'replace' | 'remove'): AccessPolicyEntry[] {
  const same = (a: AccessPolicyEntry, b: AccessPolicyEntry) => a.objectId.toLowerCase() === b.objectId.toLowerCase()
    && (a.applicationId ?? '').toLowerCase() === (b.applicationId ?? '').toLowerCase();
  const out = current.map((p) => ({ ...p, permissions: { ...p.permissions } }));
  for (const g of given) {
    const hit = out.find((p) => same(p, g));
    if (!hit) { if (op !== 'remove') out.push(g); continue; }
    for (const k of PERMISSION_KINDS) {
      const have = hit.permissions[k] ?? [];
      const want = g.permissions[k] ?? [];
      if (op === 'replace') hit.permissions[k] = want;
      else if (op === 'add') hit.permissions[k] = [...have, ...want.filter((w) => !have.some((h) => h.toLowerCase() === w.toLowerCase()))];
      else hit.permissions[k] = have.filter((h) => !want.some((w) => w.toLowerCase() === h.toLowerCase()));
    }
  }
  const empty = (p: AccessPolicyEntry) => PERMISSION_KINDS.every((k) => (p.permissions[k] ?? []).length === 0);
  return op === 'add' ? out : out.filter((p) => !empty(p));
}

/**
 * Azure's order of a vault's properties in responses; fields not set are left out. Every field is named
 * here: the compiler checks the list against VaultProperties.
 */
function inAzureOrder(p: VaultProperties): VaultProperties {
  const ordered: { [K in keyof Required<VaultProperties>]: VaultProperties[K] } = {
    sku: p.sku, tenantId: p.tenantId, accessPolicies: p.accessPolicies, enabledForDeployment: p.enabledForDeployment,
    enabledForDiskEncryption: p.enabledForDiskEncryption, enabledForTemplateDeployment: p.enabledForTemplateDeployment,
    enableSoftDelete: p.enableSoftDelete, softDeleteRetentionInDays: p.softDeleteRetentionInDays, enableRbacAuthorization: p.enableRbacAuthorization,
    enablePurgeProtection: p.enablePurgeProtection, networkAcls: p.networkAcls, vaultUri: p.vaultUri, provisioningState: p.provisioningState,
    publicNetworkAccess: p.publicNetworkAccess,
  };
  if (ordered.enablePurgeProtection === undefined) delete ordered.enablePurgeProtection;
  if (ordered.networkAcls === undefined) delete ordered.networkAcls;
  return ordered;
}
