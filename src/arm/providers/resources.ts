// Microsoft.Resources: subscriptions, resource groups, the generic resources list, the providers API
// and the operation results of resource group deletion.
import { callerName, type ArmHandler, type ArmResult, type ResourceProviderModule, type ResourceTypeRegistration } from '../registry.js';
import { scopeAsSent } from '../resource-id.js';
import type { ArmContext } from '../context.js';
import { ArmErrors } from '../errors.js';
import { asObject, normalizeLocation, page, preconditions, rejectUnknown, validateTags } from '../envelope.js';
import { resourceKind, type ResourceBody, type StoredResource } from '../resource-store.js';
import { resourceGroupsFilter, resourcesFilter, type FilterableResource } from './resources-filter.js';

/** api-versions of Microsoft.Resources that the SDKs, az and the seed's templates send. */
export const RESOURCES_API_VERSIONS = [
  '2014-04-01', '2015-01-01', '2015-11-01', '2016-02-01', '2016-06-01', '2016-07-01', '2016-09-01', '2017-05-10', '2017-06-01',
  '2017-08-01', '2018-02-01', '2018-05-01', '2019-03-01', '2019-05-01', '2019-05-10', '2019-06-01', '2019-07-01', '2019-08-01',
  '2019-10-01', '2019-11-01', '2020-01-01', '2020-06-01', '2020-08-01', '2020-10-01', '2021-01-01', '2021-04-01', '2022-01-01',
  '2022-09-01', '2022-12-01', '2023-07-01', '2024-03-01', '2024-07-01', '2024-11-01', '2025-01-01', '2025-03-01', '2025-04-01',
] as const;

const RG_NAME = /^[-\w._()\p{L}\p{N}]{1,90}$/u;

/**
 * Azure's Subscription has its fields at the top of the document and no `properties`: the kind's
 * properties are `undefined`, and stored subscriptions have none.
 */
export const SUBSCRIPTION = resourceKind<undefined>('Microsoft.Resources/subscriptions');

export interface SubscriptionBody extends ResourceBody<undefined> {
  subscriptionId: string;
  tenantId: string;
  displayName: string;
  state: 'Enabled';
  authorizationSource: 'RoleBased';
  managedByTenants: { tenantId: string }[];
  subscriptionPolicies: { locationPlacementId: string; quotaId: string; spendingLimit: 'On' | 'Off' | 'CurrentPeriodOff' };
}

export interface ResourceGroupProperties {
  provisioningState: 'Succeeded';
}

export const RESOURCE_GROUP = resourceKind<ResourceGroupProperties>('Microsoft.Resources/resourceGroups');

/** The document of subscription `id` (the default subscription is the one this machine creates). */
function subscriptionBody(id: string, tenantId: string, displayName: string): SubscriptionBody {
  return {
    id: `/subscriptions/${id}`, authorizationSource: 'RoleBased', managedByTenants: [], subscriptionId: id, tenantId,
    displayName, state: 'Enabled',
    subscriptionPolicies: { locationPlacementId: 'Public_2014-09-01', quotaId: 'PayAsYouGo_2014-09-01', spendingLimit: 'Off' },
    // JSON leaves `properties: undefined` out: the stored document has none, as Azure's.
    name: id, type: SUBSCRIPTION.type, properties: undefined,
  };
}

/** Binds sealed operation ids to their purpose. */
const OPERATION_AAD = 'arm#operationresults';

/** What Microsoft.Resources serves from other modules: the resource group's exportTemplate (the templates engine). */
export interface ResourcesProviderOptions {
  exportTemplate: ArmHandler;
}

export function resourcesProvider(arm: ArmContext, o: ResourcesProviderOptions): ResourceProviderModule {
  const common = { apiVersions: RESOURCES_API_VERSIONS, apiVersionError: 'invalidApiVersion' as const };

  const subscriptions: ResourceTypeRegistration = {
    ...common, type: SUBSCRIPTION.type, scopes: ['tenant'], listScopes: ['tenant'],
    actionFor: (method, target) => (target.kind === 'collection' ? null : 'Microsoft.Resources/subscriptions/read'),
    async get(req) {
      const sub = await arm.resources.getOf(SUBSCRIPTION, req.target.id);
      if (!sub) throw ArmErrors.subscriptionNotFound(req.target.name!);
      return { status: 200, body: sub.body };
    },
    async list(req) {
      // Every caller sees the subscriptions it has any read access to.
      const all = await arm.resources.listOf(SUBSCRIPTION);
      const visible = [];
      for (const s of all) if (await arm.authz.isAllowed(req.caller.objectId, 'Microsoft.Resources/subscriptions/read', s.id)) visible.push(s.body);
      return page(req, visible, arm.baseUrl);
    },
  };

  const resourceGroups: ResourceTypeRegistration = {
    ...common, type: RESOURCE_GROUP.type, scopes: ['subscription'], listScopes: ['subscription'],
    actionFor: (method, target) => {
      if (target.kind === 'collection') return null; // list filters by what the caller may read
      if (target.kind === 'action') return 'Microsoft.Resources/subscriptions/resourceGroups/exportTemplate/action';
      return `Microsoft.Resources/subscriptions/resourceGroups/${method === 'GET' || method === 'HEAD' ? 'read' : method === 'DELETE' ? 'delete' : 'write'}`;
    },
    async get(req) {
      const rg = await arm.resources.getOf(RESOURCE_GROUP, req.target.id);
      if (!rg) throw ArmErrors.resourceGroupNotFound(req.target.name!);
      return { status: 200, body: rg.body };
    },
    async put(req) {
      const name = req.target.name!;
      if (!RG_NAME.test(name) || name.endsWith('.')) throw ArmErrors.invalidResourceGroupName(name);
      if (req.body === undefined) throw ArmErrors.missingBody();
      const body = asObject(req.body, '');
      rejectUnknown(body, ['location', 'tags', 'managedBy', 'properties', 'id', 'name', 'type'], 'ResourceGroup', '');
      if (typeof body.location !== 'string' || body.location.trim() === '') throw ArmErrors.locationRequired();
      const location = normalizeLocation(body.location);
      const tags = validateTags(body.tags);
      if (body.properties !== undefined && body.properties !== null) rejectUnknown(asObject(body.properties, 'properties'), ['provisioningState'], 'ResourceGroupProperties', 'properties');
      const existing = await arm.resources.getOf(RESOURCE_GROUP, req.target.id);
      if (existing && existing.body.location !== location) throw ArmErrors.invalidResourceGroupLocation(body.location, existing.body.location);
      const id = existing?.id ?? `/subscriptions/${req.target.subscriptionId}/resourceGroups/${name}`;
      const doc: ResourceBody<ResourceGroupProperties> = {
        id, name: existing?.body.name ?? name, type: RESOURCE_GROUP.type, location,
        ...(tags ? { tags } : {}), ...(typeof body.managedBy === 'string' ? { managedBy: body.managedBy } : {}),
        properties: { provisioningState: 'Succeeded' },
      };
      const { created, resource } = await arm.resources.put({ id, parent: req.target.scope, body: doc, ...preconditions(req) });
      return { status: created ? 201 : 200, body: resource.body };
    },
    async patch(req) {
      const existing = await arm.resources.getOf(RESOURCE_GROUP, req.target.id);
      if (!existing) throw ArmErrors.resourceGroupNotFound(req.target.name!);
      const body = asObject(req.body ?? {}, '');
      rejectUnknown(body, ['tags', 'managedBy', 'properties', 'name'], 'ResourceGroupPatchable', '');
      const doc = { ...existing.body };
      if (body.tags !== undefined) {
        const tags = validateTags(body.tags);
        if (tags) doc.tags = tags; else delete doc.tags;
      }
      if (typeof body.managedBy === 'string') doc.managedBy = body.managedBy;
      const { resource } = await arm.resources.put({ id: existing.id, parent: req.target.scope, body: doc, ...preconditions(req) });
      return { status: 200, body: resource.body };
    },
    async delete(req) {
      const existing = await arm.resources.getOf(RESOURCE_GROUP, req.target.id);
      if (!existing) throw ArmErrors.resourceGroupNotFound(req.target.name!);
      // Everything in the group goes with it, and the role assignments at or below it.
      await arm.resources.deleteTree(existing.id);
      await arm.authz.assignments.deleteWithin(existing.id);
      // As Azure: 202 and a Location to poll; the deletion is already done, so the poll answers 200. The
      // operation id is sealed and names its caller: nobody can forge one to ask whether a group exists.
      const token = Buffer.from(arm.box.seal(JSON.stringify({
        jobId: `RESOURCEGROUPDELETIONJOB-${existing.body.name.toUpperCase()}-${String(existing.body.location).toUpperCase()}`,
        jobLocation: existing.body.location, group: existing.id, caller: req.caller.objectId,
      }), OPERATION_AAD)).toString('base64url');
      return {
        status: 202,
        headers: { location: `${arm.baseUrl}/subscriptions/${req.target.subscriptionId}/operationresults/${token}?api-version=${req.apiVersion}`, 'retry-after': '1' },
      };
    },
    actions: { exporttemplate: o.exportTemplate },
    async list(req) {
      const groups = await arm.resources.listOf(RESOURCE_GROUP, { parent: req.target.scope });
      // As ARM: a caller without read on the subscription sees the groups it may read, and a 403 if none.
      const read = 'Microsoft.Resources/subscriptions/resourceGroups/read';
      let visible = groups;
      if (!(await arm.authz.isAllowed(req.caller.objectId, read, req.target.scope))) {
        visible = [];
        for (const g of groups) if (await arm.authz.isAllowed(req.caller.objectId, read, g.id)) visible.push(g);
        if (visible.length === 0) throw ArmErrors.authorizationFailed(callerName(req.caller), req.caller.objectId, read, scopeAsSent(req.ctx.path, req.target.scope));
      }
      let items = visible.map((g) => g.body);
      const filter = req.ctx.query.get('$filter');
      if (filter) {
        const f = resourceGroupsFilter(filter);
        items = items.filter(f.keep).map((g) => (f.hidesTags ? withoutTags(g) : g));
      }
      return page(req, items, arm.baseUrl);
    },
  };

  const operationResults: ResourceTypeRegistration = {
    ...common, type: 'Microsoft.Resources/operationResults', scopes: ['subscription'],
    actionFor: () => null,
    async get(req) {
      let job: { group?: string; caller?: string };
      try { job = JSON.parse(arm.box.open(Buffer.from(req.target.name!, 'base64url').toString('utf8'), OPERATION_AAD)); } catch { job = {}; }
      if (typeof job.group !== 'string' || job.caller !== req.caller.objectId || !job.group.toLowerCase().startsWith(`/subscriptions/${req.target.subscriptionId}/`.toLowerCase())) {
        throw ArmErrors.invalidValue('operationId', `The operation id '${req.target.name}' is invalid.`);
      }
      if (await arm.resources.exists(job.group)) return { status: 202, headers: { location: `${arm.baseUrl}${req.ctx.path}?api-version=${req.apiVersion}`, 'retry-after': '1' } };
      return { status: 200 };
    },
  };

  const resources: ResourceTypeRegistration = {
    ...common, type: 'Microsoft.Resources/resources', scopes: [], listScopes: ['subscription', 'resourceGroup'],
    actionFor: (method, target) => (target.scopeKind === 'resourceGroup'
      ? 'Microsoft.Resources/subscriptions/resourceGroups/resources/read' : 'Microsoft.Resources/subscriptions/resources/read'),
    async list(req) {
      const all = await arm.resources.list(req.target.resourceGroup
        ? { group: req.target.scope, topLevel: true }
        : { subscriptionId: req.target.subscriptionId!, topLevel: true });
      const filter = req.ctx.query.get('$filter');
      const f = filter ? resourcesFilter(filter) : undefined;
      const expand = expandOf(req.ctx.query.get('$expand'));
      // Deployments are kept in the group but are not among its resources, as Azure.
      const items = all.filter((r) => r.body.type.toLowerCase() !== 'microsoft.resources/deployments')
        .map((r) => genericResource(r, expand))
        .filter((r) => !f || f.keep(r))
        .map((r) => (f?.hidesTags ? withoutTags(r) : r));
      return page(req, items, arm.baseUrl);
    },
  };

  const providers: ResourceTypeRegistration = {
    ...common, type: 'Microsoft.Resources/providers', scopes: ['tenant', 'subscription'], listScopes: ['tenant', 'subscription'],
    actionFor: () => null,
    async get(req) {
      return { status: 200, body: providerBody(arm, req.target.scope, req.target.name!) };
    },
    async list(req) {
      return page(req, arm.registry.allNamespaces().map((ns) => providerBody(arm, req.target.scope, ns)), arm.baseUrl);
    },
  };

  return { namespace: 'Microsoft.Resources', types: [subscriptions, resourceGroups, operationResults, resources, providers] };
}


function providerBody(arm: ArmContext, scope: string, namespace: string): Record<string, unknown> {
  return {
    id: `${scope}/providers/${namespace}`, namespace, registrationState: 'Registered', registrationPolicy: 'RegistrationRequired',
    resourceTypes: arm.registry.typesOf(namespace).map((t) => ({
      resourceType: t.type.slice(namespace.length + 1), locations: [...(t.locations ?? [])], apiVersions: [...t.apiVersions].reverse(),
    })),
  };
}

/** A resource in the generic resources list: its envelope without `properties`. */
type GenericResource = FilterableResource & { [envelope: string]: unknown };

/** `$expand` of the resources list: the extra top-level fields ARM adds (az sends all three). */
const EXPANDABLE = ['createdTime', 'changedTime', 'provisioningState'] as const;
type Expandable = typeof EXPANDABLE[number];

function expandOf(raw: string | null): Set<Expandable> {
  const out = new Set<Expandable>();
  if (raw === null) return out;
  for (const part of raw.split(',').map((p) => p.trim()).filter(Boolean)) {
    const known = EXPANDABLE.find((e) => e.toLowerCase() === part.toLowerCase());
    if (!known) throw ArmErrors.invalidValue('$expand', `The value '${raw}' of query parameter '$expand' is invalid. Allowed values: ${EXPANDABLE.join(', ')}.`);
    out.add(known);
  }
  return out;
}

function genericResource(r: StoredResource, expand: Set<Expandable>): GenericResource {
  const { properties, ...rest } = r.body;
  const out: GenericResource = { ...rest };
  if (expand.has('createdTime')) out.createdTime = new Date(r.createdMs).toISOString();
  if (expand.has('changedTime')) out.changedTime = new Date(r.updatedMs).toISOString();
  if (expand.has('provisioningState')) {
    const state = properties && typeof properties === 'object' ? (properties as Record<string, unknown>).provisioningState : undefined;
    out.provisioningState = typeof state === 'string' ? state : 'Succeeded';
  }
  return out;
}

/** ARM leaves tags out of a list filtered by tag name and value (Resources - List). */
function withoutTags<T extends object>(r: T): T {
  const { tags: _t, ...rest } = r as T & { tags?: unknown };
  return rest as T;
}

export { subscriptionBody };
export type { ArmResult };
