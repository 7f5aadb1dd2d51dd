// Microsoft.EventHub: namespaces (sku, disableLocalAuth, publicNetworkAccess; serviceBusEndpoint on this
// machine, `https://localhost:{port}/`, the port kept across restarts), networkRuleSets/default (the
// firewall, trustedServiceAccessEnabled), eventhubs (partitionCount, retention), consumergroups
// (`$Default` made with the hub, never deleted), and authorizationRules on a namespace and on a hub with
// listKeys / regenerateKeys (keys sealed at rest, shown only by listKeys). Fields and messages follow
// Azure's REST specification (specification/eventhub, 2024-01-01) and its examples. The data plane
// (src/eventhubs) is given the whole namespace on every change under it.
import type { ArmRequest, ResourceProviderModule, ResourceTypeRegistration } from '../registry.js';
import type { ArmContext } from '../context.js';
import { AzureError } from '../../common/errors.js';
import { ArmErrors } from '../errors.js';
import { asObject, normalizeLocation, page, preconditions, rejectUnknown, systemData, validateTags } from '../envelope.js';
import { resourceKind, type ResourceBody, type StoredResource } from '../resource-store.js';
import { trackedResourceHandlers } from '../tracked-resource.js';
import { newSasKey, type AccessRight, type AuthorizationRuleSettings, type NamespaceSettings } from '../../eventhubs/index.js';

export const EVENTHUB_API_VERSIONS = ['2014-09-01', '2015-08-01', '2017-04-01', '2018-01-01-preview', '2021-01-01-preview', '2021-06-01-preview',
  '2021-11-01', '2022-01-01-preview', '2022-10-01-preview', '2023-01-01-preview', '2024-01-01', '2024-05-01-preview'] as const;

const NS_TYPE = 'Microsoft.EventHub/namespaces';
const HUB_TYPE = `${NS_TYPE}/eventhubs`;
const CG_TYPE = `${HUB_TYPE}/consumergroups`;
const NS_RULE_TYPE = `${NS_TYPE}/authorizationRules`;
const HUB_RULE_TYPE = `${HUB_TYPE}/authorizationRules`;
const NRS_TYPE = `${NS_TYPE}/networkRuleSets`;

export interface NamespaceProperties {
  minimumTlsVersion: string;
  publicNetworkAccess: string;
  disableLocalAuth: boolean;
  zoneRedundant: boolean;
  isAutoInflateEnabled: boolean;
  maximumThroughputUnits: number;
  kafkaEnabled: boolean;
  provisioningState: string;
  status: string;
  metricId: string;
  createdAt: string;
  updatedAt: string;
  serviceBusEndpoint: string;
}
export interface HubProperties {
  messageRetentionInDays: number;
  partitionCount: number;
  status: string;
  createdAt: string;
  updatedAt: string;
  partitionIds: string[];
  retentionDescription: { cleanupPolicy: string; retentionTimeInHours: number };
}
export interface ConsumerGroupProperties { createdAt: string; updatedAt: string; userMetadata?: string }
export interface RuleProperties { rights: AccessRight[] }
export interface NetworkRuleSetProperties {
  publicNetworkAccess: string;
  defaultAction: string;
  virtualNetworkRules: unknown[];
  ipRules: { ipMask: string; action: string }[];
  trustedServiceAccessEnabled: boolean;
}

export const EH_NAMESPACE = resourceKind<NamespaceProperties>(NS_TYPE);
export const EH_HUB = resourceKind<HubProperties>(HUB_TYPE);
const EH_CG = resourceKind<ConsumerGroupProperties>(CG_TYPE);
const EH_NS_RULE = resourceKind<RuleProperties>(NS_RULE_TYPE);
const EH_HUB_RULE = resourceKind<RuleProperties>(HUB_RULE_TYPE);
const EH_NRS = resourceKind<NetworkRuleSetProperties>(NRS_TYPE);

const PRIVATE = '_private';
const SKUS = { basic: 'Basic', standard: 'Standard', premium: 'Premium' } as const;
const RIGHTS: Record<string, AccessRight> = { listen: 'Listen', send: 'Send', manage: 'Manage' };
const NS_NAME = /^[a-zA-Z][a-zA-Z0-9-]{4,48}[a-zA-Z0-9]$/;
const ENTITY_NAME = /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,254}$/;
const RULE_NAME = /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,255}$/;

const bad = (message: string, target?: string) => new AzureError({ status: 400, code: 'BadRequest', message, target });
const conflict = (message: string) => new AzureError({ status: 409, code: 'Conflict', message });
const notFound = (what: string, name: string) => new AzureError({ status: 404, code: 'NotFound', message: `The requested resource ${name} does not exist. ${what}` });

const portOf = (b: ResourceBody<NamespaceProperties>): number => Number(new URL(b.properties.serviceBusEndpoint).port);

/** The document as a client sees it: without the sealed keys. */
function publicBody(b: ResourceBody<unknown>): Record<string, unknown> {
  const { [PRIVATE]: _hidden, ...rest } = b;
  return rest;
}

function bool(v: unknown, path: string, fallback: boolean): boolean {
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'boolean') throw ArmErrors.invalidValue(path, `The value of '${path}' must be a boolean.`);
  return v;
}

function int(v: unknown, path: string, fallback: number, min: number, max: number): number {
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw bad(`The value '${String(v)}' of '${path}' is out of range: it must be an integer from ${min} to ${max}.`, path);
  return v;
}

function enumOf<T extends string>(v: unknown, path: string, values: readonly T[], fallback: T): T {
  if (v === undefined || v === null) return fallback;
  const hit = values.find((x) => typeof v === 'string' && x.toLowerCase() === v.toLowerCase());
  if (!hit) throw bad(`The value '${String(v)}' of '${path}' is not valid. Allowed values: ${values.join(', ')}.`, path);
  return hit;
}

export function eventHubProvider(arm: ArmContext): ResourceProviderModule {
  const now = () => new Date(arm.clock.nowMs()).toISOString();
  const seal = (id: string, field: string, v: string) => arm.box.seal(v, `${id.toLowerCase()}#${field}`);
  const open = (id: string, field: string, v: string) => arm.box.open(v, `${id.toLowerCase()}#${field}`);

  async function requireNamespace(req: ArmRequest): Promise<StoredResource<NamespaceProperties>> {
    const nsId = req.target.id.split('/').slice(0, 9).join('/');
    const ns = await arm.resources.getOf(EH_NAMESPACE, nsId);
    if (!ns) throw ArmErrors.parentResourceNotFound(`${NS_TYPE}/${req.target.names[0]}`);
    return ns;
  }

  async function requireHub(req: ArmRequest): Promise<StoredResource<HubProperties>> {
    await requireNamespace(req);
    const hubId = req.target.id.split('/').slice(0, 11).join('/');
    const hub = await arm.resources.getOf(EH_HUB, hubId);
    if (!hub) throw ArmErrors.parentResourceNotFound(`${HUB_TYPE}/${req.target.names[0]}/${req.target.names[1]}`);
    return hub;
  }

  /** Everything under a namespace, as the data plane needs it, keys opened. */
  async function settingsOf(ns: StoredResource<NamespaceProperties>): Promise<NamespaceSettings> {
    const under = await arm.resources.list({ under: ns.id });
    const of = (type: string) => under.filter((r) => r.body.type.toLowerCase() === type.toLowerCase());
    const rule = (r: StoredResource): AuthorizationRuleSettings => ({
      name: r.body.name, rights: (r.body.properties as RuleProperties).rights,
      primaryKey: open(r.id, 'primaryKey', r.body[PRIVATE].primaryKey), secondaryKey: open(r.id, 'secondaryKey', r.body[PRIVATE].secondaryKey),
    });
    const parentOf = (id: string) => id.slice(0, id.lastIndexOf('/', id.lastIndexOf('/') - 1)).toLowerCase();
    const nrs = of(NRS_TYPE)[0]?.body.properties as NetworkRuleSetProperties | undefined;
    return {
      resourceId: ns.id, name: ns.body.name, tenantId: arm.tenantId, disableLocalAuth: ns.body.properties.disableLocalAuth,
      publicNetworkAccess: ns.body.properties.publicNetworkAccess,
      rules: of(NS_RULE_TYPE).map(rule),
      network: nrs,
      hubs: of(HUB_TYPE).map((h) => {
        const p = h.body.properties as HubProperties;
        return {
          resourceId: h.id, name: h.body.name, partitionCount: p.partitionCount, status: p.status, createdAt: p.createdAt,
          retentionHours: p.retentionDescription?.retentionTimeInHours ?? p.messageRetentionInDays * 24,
          consumerGroups: of(CG_TYPE).filter((c) => parentOf(c.id) === h.id.toLowerCase()).map((c) => c.body.name),
          rules: of(HUB_RULE_TYPE).filter((r) => parentOf(r.id) === h.id.toLowerCase()).map(rule),
        };
      }),
    };
  }

  /** Tells the data plane the namespace's current state (after every write under it). */
  async function push(nsId: string): Promise<void> {
    const ns = await arm.resources.getOf(EH_NAMESPACE, nsId);
    if (ns) await arm.eventHubs.ensureNamespace(await settingsOf(ns), portOf(ns.body));
  }

  /** Namespace names are global, as in Azure (they are DNS names). */
  async function nameTaken(name: string): Promise<boolean> {
    return (await arm.resources.listOf(EH_NAMESPACE)).some((r) => r.body.name.toLowerCase() === name.toLowerCase());
  }

  function ruleDoc(id: string, name: string, type: string, location: string | undefined, rights: AccessRight[], keys?: { primaryKey: string; secondaryKey: string }) {
    return {
      id, name, type, ...(location ? { location } : {}),
      properties: { rights },
      [PRIVATE]: { primaryKey: seal(id, 'primaryKey', keys?.primaryKey ?? newSasKey()), secondaryKey: seal(id, 'secondaryKey', keys?.secondaryKey ?? newSasKey()) },
    };
  }

  async function writeNamespace(req: ArmRequest, merge: boolean) {
    const name = req.target.names[0];
    if (!NS_NAME.test(name) || /-(sb|mgmt)$/i.test(name)) {
      throw bad(`The specified namespace name '${name}' is invalid. The name can contain only letters, numbers and hyphens, must start with a letter, end with a letter or number, be 6 to 50 characters long, and must not end with '-sb' or '-mgmt'.`);
    }
    const existing = await arm.resources.getOf(EH_NAMESPACE, req.target.id);
    if (merge && !existing) throw ArmErrors.resourceNotFound(NS_TYPE, name, req.target.resourceGroup);
    if (req.body === undefined) throw ArmErrors.missingBody();
    const body = asObject(req.body, '');
    rejectUnknown(body, ['location', 'tags', 'sku', 'properties', 'identity', 'id', 'name', 'type', 'systemData'], 'EHNamespace', '');
    let location: string = existing?.body.location;
    if (!merge) {
      if (typeof body.location !== 'string' || !body.location.trim()) throw ArmErrors.locationRequired();
      location = normalizeLocation(body.location);
    }
    if (!existing && await nameTaken(name)) throw conflict(`The namespace name '${name}' is already in use. Namespace names are global: pick another name.`);
    const skuIn = body.sku === undefined || body.sku === null ? undefined : asObject(body.sku, 'sku');
    if (skuIn) rejectUnknown(skuIn, ['name', 'tier', 'capacity'], 'Sku', 'sku');
    const prevSku = existing?.body.sku as { name: string; tier: string; capacity: number } | undefined;
    const skuName = enumOf(skuIn?.name, 'sku.name', Object.values(SKUS), (prevSku?.name as 'Standard' | undefined) ?? 'Standard');
    const sku = { name: skuName, tier: skuName, capacity: int(skuIn?.capacity, 'sku.capacity', prevSku?.capacity ?? 1, 1, skuName === 'Premium' ? 16 : 40) };
    const p = body.properties === undefined || body.properties === null ? {} : asObject(body.properties, 'properties');
    rejectUnknown(p, ['minimumTlsVersion', 'publicNetworkAccess', 'disableLocalAuth', 'zoneRedundant', 'isAutoInflateEnabled', 'maximumThroughputUnits',
      'kafkaEnabled', 'alternateName', 'clusterArmId', 'encryption', 'privateEndpointConnections', 'provisioningState', 'status', 'metricId',
      'createdAt', 'updatedAt', 'serviceBusEndpoint', 'geoDataReplication', 'premiumMessagingPartitions'], 'EHNamespaceProperties', 'properties');
    const prev = existing?.body.properties;
    const at = now();
    const props: NamespaceProperties = {
      minimumTlsVersion: enumOf(p.minimumTlsVersion, 'properties.minimumTlsVersion', ['1.0', '1.1', '1.2'] as const, (prev?.minimumTlsVersion as '1.2' | undefined) ?? '1.2'),
      publicNetworkAccess: enumOf(p.publicNetworkAccess, 'properties.publicNetworkAccess', ['Enabled', 'Disabled', 'SecuredByPerimeter'] as const, (prev?.publicNetworkAccess as 'Enabled' | undefined) ?? 'Enabled'),
      disableLocalAuth: bool(p.disableLocalAuth, 'properties.disableLocalAuth', prev?.disableLocalAuth ?? false),
      zoneRedundant: bool(p.zoneRedundant, 'properties.zoneRedundant', prev?.zoneRedundant ?? false),
      isAutoInflateEnabled: bool(p.isAutoInflateEnabled, 'properties.isAutoInflateEnabled', prev?.isAutoInflateEnabled ?? false),
      maximumThroughputUnits: int(p.maximumThroughputUnits, 'properties.maximumThroughputUnits', prev?.maximumThroughputUnits ?? 0, 0, 40),
      kafkaEnabled: skuName !== 'Basic',
      provisioningState: 'Succeeded', status: 'Active',
      metricId: `${req.target.subscriptionId}:${name.toLowerCase()}`,
      createdAt: prev?.createdAt ?? at, updatedAt: at,
      serviceBusEndpoint: prev?.serviceBusEndpoint ?? '',
    };
    const tags = body.tags === undefined && existing ? existing.body.tags : validateTags(body.tags) ?? {};
    const id = existing?.id ?? req.target.id;
    const doc: ResourceBody<NamespaceProperties> = {
      sku, id, name: existing?.body.name ?? name, type: 'Microsoft.EventHub/Namespaces', location, tags,
      systemData: systemData(req.caller, existing?.body.systemData, arm.clock.nowMs()), properties: props,
    };
    // The listener first (its port is part of the document), then the namespace with its defaults, then the settings.
    const port = await arm.eventHubs.ensureNamespace({
      resourceId: id, name: doc.name, tenantId: arm.tenantId, disableLocalAuth: props.disableLocalAuth, rules: [], hubs: [],
    }, existing ? portOf(existing.body) : 0);
    doc.properties.serviceBusEndpoint = `https://localhost:${port}/`;
    try {
      await arm.resources.batch(async (w) => {
        await w.put({ id, parent: req.target.scope, body: doc, ...preconditions(req) });
        if (!existing) {
          const ruleId = `${id}/authorizationRules/RootManageSharedAccessKey`;
          await w.put({ id: ruleId, parent: id, body: ruleDoc(ruleId, 'RootManageSharedAccessKey', 'Microsoft.EventHub/Namespaces/AuthorizationRules', location, ['Listen', 'Manage', 'Send']) });
          const nrsId = `${id}/networkRuleSets/default`;
          await w.put({ id: nrsId, parent: id, body: networkRuleSetDoc(nrsId, location, { publicNetworkAccess: 'Enabled', defaultAction: 'Allow', virtualNetworkRules: [], ipRules: [], trustedServiceAccessEnabled: false }) });
        }
      });
    } catch (e) {
      if (!existing) await arm.eventHubs.deleteNamespace(doc.name);
      throw e;
    }
    await push(id);
    const stored = (await arm.resources.getOf(EH_NAMESPACE, id))!;
    return { status: existing ? 200 : 201, body: stored.body, headers: { etag: stored.etag } };
  }

  const networkRuleSetDoc = (id: string, location: string | undefined, properties: NetworkRuleSetProperties) =>
    ({ id, name: 'default', type: 'Microsoft.EventHub/Namespaces/NetworkRuleSets', ...(location ? { location } : {}), properties });

  const namespaces: ResourceTypeRegistration = {
    type: NS_TYPE, apiVersions: EVENTHUB_API_VERSIONS, scopes: ['resourceGroup'], listScopes: ['subscription', 'resourceGroup'], locations: [],
    async get(req) {
      const r = await arm.resources.getOf(EH_NAMESPACE, req.target.id);
      if (!r) throw ArmErrors.resourceNotFound(NS_TYPE, req.target.names[0], req.target.resourceGroup);
      return { status: 200, body: r.body };
    },
    put: (req) => writeNamespace(req, false),
    patch: (req) => writeNamespace(req, true),
    ...trackedResourceHandlers(arm, NS_TYPE),
  };
  arm.resources.onDelete(EH_NAMESPACE, async (deleted) => { await arm.eventHubs.deleteNamespace(deleted.body.name); });

  const networkRuleSets: ResourceTypeRegistration = {
    type: NRS_TYPE, apiVersions: EVENTHUB_API_VERSIONS, scopes: ['resource'],
    async get(req) {
      await requireNamespace(req);
      if (req.target.names[1].toLowerCase() !== 'default') throw notFound('', req.target.names[1]);
      const r = await arm.resources.getOf(EH_NRS, req.target.id);
      if (!r) throw notFound('', 'default');
      return { status: 200, body: r.body };
    },
    async list(req) {
      await requireNamespace(req);
      return page(req, (await arm.resources.listOf(EH_NRS, { parent: req.target.scope })).map((r) => r.body), arm.baseUrl);
    },
    async put(req) {
      const ns = await requireNamespace(req);
      if (req.target.names[1].toLowerCase() !== 'default') throw bad(`The network rule set name must be 'default', not '${req.target.names[1]}'.`);
      const body = asObject(req.body ?? {}, '');
      rejectUnknown(body, ['properties', 'id', 'name', 'type', 'location', 'systemData'], 'NetworkRuleSet', '');
      const p = asObject(body.properties ?? {}, 'properties');
      rejectUnknown(p, ['publicNetworkAccess', 'defaultAction', 'virtualNetworkRules', 'ipRules', 'trustedServiceAccessEnabled'], 'NetworkRuleSetProperties', 'properties');
      if (p.virtualNetworkRules !== undefined && (!Array.isArray(p.virtualNetworkRules) || p.virtualNetworkRules.length > 0)) {
        throw bad('Virtual network rules are not supported on this machine: there are no virtual networks.', 'properties.virtualNetworkRules');
      }
      const ipIn = p.ipRules === undefined || p.ipRules === null ? [] : p.ipRules;
      if (!Array.isArray(ipIn)) throw ArmErrors.invalidValue('properties.ipRules', "'properties.ipRules' must be an array.");
      const ipRules = ipIn.map((r, i) => {
        const o = asObject(r, `properties.ipRules[${i}]`);
        rejectUnknown(o, ['ipMask', 'action'], 'NWRuleSetIpRules', `properties.ipRules[${i}]`);
        if (typeof o.ipMask !== 'string' || !/^[0-9a-fA-F:.]+(\/\d{1,3})?$/.test(o.ipMask)) throw bad(`The IP mask '${String(o.ipMask)}' is not valid.`, `properties.ipRules[${i}].ipMask`);
        return { ipMask: o.ipMask, action: enumOf(o.action, `properties.ipRules[${i}].action`, ['Allow'] as const, 'Allow') };
      });
      const props: NetworkRuleSetProperties = {
        publicNetworkAccess: enumOf(p.publicNetworkAccess, 'properties.publicNetworkAccess', ['Enabled', 'Disabled', 'SecuredByPerimeter'] as const, 'Enabled'),
        defaultAction: enumOf(p.defaultAction, 'properties.defaultAction', ['Allow', 'Deny'] as const, 'Allow'),
        virtualNetworkRules: [], ipRules, trustedServiceAccessEnabled: bool(p.trustedServiceAccessEnabled, 'properties.trustedServiceAccessEnabled', false),
      };
      const id = `${ns.id}/networkRuleSets/default`;
      const r = await arm.resources.put({ id, parent: ns.id, body: networkRuleSetDoc(id, ns.body.location, props) });
      await push(ns.id);
      return { status: 200, body: r.resource.body };
    },
  };

  const eventhubs: ResourceTypeRegistration = {
    type: HUB_TYPE, apiVersions: EVENTHUB_API_VERSIONS, scopes: ['resource'],
    async get(req) {
      await requireNamespace(req);
      const r = await arm.resources.getOf(EH_HUB, req.target.id);
      if (!r) throw notFound(`Event hub '${req.target.names[1]}' in namespace '${req.target.names[0]}'.`, req.target.names[1]);
      return { status: 200, body: r.body };
    },
    async list(req) {
      await requireNamespace(req);
      return page(req, (await arm.resources.listOf(EH_HUB, { parent: req.target.scope })).map((r) => r.body), arm.baseUrl);
    },
    async put(req) {
      const ns = await requireNamespace(req);
      const name = req.target.names[1];
      if (!ENTITY_NAME.test(name)) throw bad(`The entity name '${name}' is invalid: it can contain letters, numbers, periods, hyphens and underscores, start with a letter or number, and be up to 256 characters long.`);
      const body = asObject(req.body ?? {}, '');
      rejectUnknown(body, ['properties', 'id', 'name', 'type', 'location', 'systemData'], 'Eventhub', '');
      const p = body.properties === undefined || body.properties === null ? {} : asObject(body.properties, 'properties');
      rejectUnknown(p, ['messageRetentionInDays', 'partitionCount', 'status', 'captureDescription', 'retentionDescription', 'createdAt', 'updatedAt', 'partitionIds', 'messageTimestampDescription', 'userMetadata', 'identifier'], 'EventhubProperties', 'properties');
      if (p.captureDescription !== undefined && p.captureDescription !== null && asObject(p.captureDescription, 'properties.captureDescription').enabled === true) {
        throw bad('Capture is not supported on this machine.', 'properties.captureDescription');
      }
      const existing = await arm.resources.getOf(EH_HUB, req.target.id);
      const tier = (ns.body.sku as { name: string }).name;
      const maxDays = tier === 'Basic' ? 1 : tier === 'Premium' ? 90 : 7;
      const partitionCount = int(p.partitionCount, 'properties.partitionCount', existing?.body.properties.partitionCount ?? 4, 1, tier === 'Premium' ? 100 : 32);
      if (existing && partitionCount !== existing.body.properties.partitionCount && tier !== 'Premium') {
        throw bad(`The partition count of event hub '${name}' cannot be changed in the ${tier} tier.`, 'properties.partitionCount');
      }
      const rdIn = p.retentionDescription === undefined || p.retentionDescription === null ? undefined : asObject(p.retentionDescription, 'properties.retentionDescription');
      if (rdIn) rejectUnknown(rdIn, ['cleanupPolicy', 'retentionTimeInHours', 'tombstoneRetentionTimeInHours', 'minCompactionLagInMins', 'minCompactionLagTimeInMinutes'], 'RetentionDescription', 'properties.retentionDescription');
      if (rdIn?.cleanupPolicy !== undefined && String(rdIn.cleanupPolicy) !== 'Delete') throw bad("Only the cleanup policy 'Delete' is supported on this machine.", 'properties.retentionDescription.cleanupPolicy');
      let hours: number;
      if (rdIn?.retentionTimeInHours !== undefined) hours = int(rdIn.retentionTimeInHours, 'properties.retentionDescription.retentionTimeInHours', 24, 1, maxDays * 24);
      else hours = int(p.messageRetentionInDays, 'properties.messageRetentionInDays', existing ? existing.body.properties.messageRetentionInDays : 1, 1, maxDays) * 24;
      const at = now();
      const id = existing?.id ?? req.target.id;
      const doc: ResourceBody<HubProperties> = {
        id, name: existing?.body.name ?? name, type: 'Microsoft.EventHub/Namespaces/EventHubs', location: ns.body.location,
        systemData: systemData(req.caller, existing?.body.systemData, arm.clock.nowMs()),
        properties: {
          messageRetentionInDays: Math.max(1, Math.ceil(hours / 24)), partitionCount,
          status: enumOf(p.status, 'properties.status', ['Active', 'Disabled', 'SendDisabled', 'ReceiveDisabled'] as const, (existing?.body.properties.status as 'Active' | undefined) ?? 'Active'),
          createdAt: existing?.body.properties.createdAt ?? at, updatedAt: at,
          partitionIds: Array.from({ length: partitionCount }, (_, i) => String(i)),
          retentionDescription: { cleanupPolicy: 'Delete', retentionTimeInHours: hours },
        },
      };
      const r = await arm.resources.batch(async (w) => {
        const put = await w.put({ id, parent: ns.id, body: doc, ...preconditions(req) });
        if (!existing) {
          const cgId = `${id}/consumergroups/$Default`;
          await w.put({ id: cgId, parent: id, body: { id: cgId, name: '$Default', type: 'Microsoft.EventHub/Namespaces/EventHubs/ConsumerGroups', location: ns.body.location, properties: { createdAt: at, updatedAt: at } } });
        }
        return put;
      });
      await push(ns.id);
      return { status: 200, body: r.resource.body };
    },
    async delete(req) {
      const ns = await requireNamespace(req);
      const r = await arm.resources.deleteTree(req.target.id);
      if (!r) return { status: 204 };
      await push(ns.id);
      await arm.eventHubs.purgeHub(ns.body.name, r.body.name);
      return { status: 200 };
    },
  };

  const consumerGroups: ResourceTypeRegistration = {
    type: CG_TYPE, apiVersions: EVENTHUB_API_VERSIONS, scopes: ['resource'],
    async get(req) {
      await requireHub(req);
      const r = await arm.resources.getOf(EH_CG, req.target.id);
      if (!r) throw notFound(`Consumer group '${req.target.names[2]}'.`, req.target.names[2]);
      return { status: 200, body: r.body };
    },
    async list(req) {
      await requireHub(req);
      return page(req, (await arm.resources.listOf(EH_CG, { parent: req.target.scope })).map((r) => r.body), arm.baseUrl);
    },
    async put(req) {
      const hub = await requireHub(req);
      const name = req.target.names[2];
      if (!/^[a-zA-Z0-9$][a-zA-Z0-9._-]{0,49}$/.test(name)) throw bad(`The consumer group name '${name}' is invalid: up to 50 letters, numbers, periods, hyphens and underscores, starting with a letter or number.`);
      const body = asObject(req.body ?? {}, '');
      rejectUnknown(body, ['properties', 'id', 'name', 'type', 'location', 'systemData'], 'ConsumerGroup', '');
      const p = body.properties === undefined || body.properties === null ? {} : asObject(body.properties, 'properties');
      rejectUnknown(p, ['userMetadata', 'createdAt', 'updatedAt'], 'ConsumerGroupProperties', 'properties');
      if (p.userMetadata !== undefined && (typeof p.userMetadata !== 'string' || p.userMetadata.length > 1024)) throw bad("'userMetadata' must be a string of at most 1024 characters.", 'properties.userMetadata');
      const existing = await arm.resources.getOf(EH_CG, req.target.id);
      const at = now();
      const id = existing?.id ?? req.target.id;
      const r = await arm.resources.put({
        id, parent: hub.id, body: {
          id, name: existing?.body.name ?? name, type: 'Microsoft.EventHub/Namespaces/EventHubs/ConsumerGroups', location: hub.body.location,
          properties: { createdAt: existing?.body.properties.createdAt ?? at, updatedAt: at, ...(p.userMetadata !== undefined ? { userMetadata: p.userMetadata as string } : {}) },
        },
      });
      await push(req.target.id.split('/').slice(0, 9).join('/'));
      return { status: 200, body: r.resource.body };
    },
    async delete(req) {
      await requireHub(req);
      if (req.target.names[2] === '$Default') throw bad("The consumer group '$Default' cannot be deleted.");
      const r = await arm.resources.deleteTree(req.target.id);
      if (!r) return { status: 204 };
      await push(req.target.id.split('/').slice(0, 9).join('/'));
      return { status: 200 };
    },
  };

  /** authorizationRules on a namespace (depth 0) or a hub (depth 1): CRUD, listKeys, regenerateKeys. */
  function rules(type: string, kind: typeof EH_NS_RULE, onHub: boolean): ResourceTypeRegistration {
    const ruleName = (req: ArmRequest) => req.target.names[onHub ? 2 : 1];
    const parentOf = async (req: ArmRequest) => (onHub ? requireHub(req) : requireNamespace(req));
    const nsIdOf = (req: ArmRequest) => req.target.id.split('/').slice(0, 9).join('/');
    const find = async (req: ArmRequest) => {
      await parentOf(req);
      const r = await arm.resources.getOf(kind, req.target.id);
      if (!r) throw notFound(`Authorization rule '${ruleName(req)}'.`, ruleName(req));
      return r;
    };
    const keysOf = async (req: ArmRequest, r: StoredResource<RuleProperties>) => {
      const ns = (await arm.resources.getOf(EH_NAMESPACE, nsIdOf(req)))!;
      const endpoint = `sb://localhost:${portOf(ns.body)}/`;
      const primaryKey = open(r.id, 'primaryKey', r.body[PRIVATE].primaryKey);
      const secondaryKey = open(r.id, 'secondaryKey', r.body[PRIVATE].secondaryKey);
      const entity = onHub ? `;EntityPath=${req.target.names[1]}` : '';
      const cs = (k: string) => `Endpoint=${endpoint};SharedAccessKeyName=${r.body.name};SharedAccessKey=${k}${entity}`;
      return { primaryConnectionString: cs(primaryKey), secondaryConnectionString: cs(secondaryKey), primaryKey, secondaryKey, keyName: r.body.name };
    };
    return {
      type, apiVersions: EVENTHUB_API_VERSIONS, scopes: ['resource'],
      async get(req) { return { status: 200, body: publicBody((await find(req)).body) }; },
      async list(req) {
        await parentOf(req);
        return page(req, (await arm.resources.listOf(kind, { parent: req.target.scope })).map((r) => publicBody(r.body)), arm.baseUrl);
      },
      async put(req) {
        const parent = await parentOf(req);
        const name = ruleName(req);
        if (!RULE_NAME.test(name)) throw bad(`The authorization rule name '${name}' is invalid.`);
        const body = asObject(req.body ?? {}, '');
        rejectUnknown(body, ['properties', 'id', 'name', 'type', 'location', 'systemData'], 'AuthorizationRule', '');
        const p = asObject(body.properties ?? {}, 'properties');
        rejectUnknown(p, ['rights'], 'AuthorizationRuleProperties', 'properties');
        if (!Array.isArray(p.rights) || p.rights.length === 0) throw bad("'properties.rights' is required: one or more of 'Listen', 'Send', 'Manage'.", 'properties.rights');
        const rights = [...new Set(p.rights.map((x, i) => {
          const v = typeof x === 'string' ? RIGHTS[x.toLowerCase()] : undefined;
          if (!v) throw bad(`The right '${String(x)}' is not valid: use 'Listen', 'Send' or 'Manage'.`, `properties.rights[${i}]`);
          return v;
        }))];
        if (rights.includes('Manage') && !(rights.includes('Listen') && rights.includes('Send'))) {
          throw bad("The 'Manage' right requires the 'Listen' and 'Send' rights too.", 'properties.rights');
        }
        const existing = await arm.resources.getOf(kind, req.target.id);
        const id = existing?.id ?? req.target.id;
        const keys = existing ? { primaryKey: open(id, 'primaryKey', existing.body[PRIVATE].primaryKey), secondaryKey: open(id, 'secondaryKey', existing.body[PRIVATE].secondaryKey) } : undefined;
        const doc = ruleDoc(id, existing?.body.name ?? name, onHub ? 'Microsoft.EventHub/Namespaces/EventHubs/AuthorizationRules' : 'Microsoft.EventHub/Namespaces/AuthorizationRules', parent.body.location, rights, keys);
        const r = await arm.resources.put({ id, parent: parent.id, body: doc });
        await push(nsIdOf(req));
        return { status: 200, body: publicBody(r.resource.body) };
      },
      async delete(req) {
        await parentOf(req);
        const r = await arm.resources.deleteTree(req.target.id);
        if (!r) return { status: 204 };
        await push(nsIdOf(req));
        return { status: 200 };
      },
      actions: {
        async listkeys(req) { return { status: 200, body: await keysOf(req, await find(req)) }; },
        async regeneratekeys(req) {
          const r = await find(req);
          const body = asObject(req.body ?? {}, '');
          rejectUnknown(body, ['keyType', 'key'], 'RegenerateAccessKeyParameters', '');
          const keyType = enumOf(body.keyType, 'keyType', ['PrimaryKey', 'SecondaryKey'] as const, 'PrimaryKey');
          if (body.keyType === undefined) throw bad("'keyType' is required: 'PrimaryKey' or 'SecondaryKey'.", 'keyType');
          let key = newSasKey();
          if (body.key !== undefined) {
            if (typeof body.key !== 'string' || body.key.length < 32 || body.key.length > 256) throw bad("'key' must be a string of 32 to 256 characters.", 'key');
            key = body.key;
          }
          const field = keyType === 'PrimaryKey' ? 'primaryKey' : 'secondaryKey';
          const updated = { ...r.body, [PRIVATE]: { ...r.body[PRIVATE], [field]: seal(r.id, field, key) } };
          const w = await arm.resources.put({ id: r.id, parent: r.id.slice(0, r.id.lastIndexOf('/authorizationRules/')), body: updated });
          await push(nsIdOf(req));
          return { status: 200, body: await keysOf(req, w.resource as StoredResource<RuleProperties>) };
        },
      },
    };
  }

  return {
    namespace: 'Microsoft.EventHub',
    types: [namespaces, networkRuleSets, eventhubs, consumerGroups, rules(NS_RULE_TYPE, EH_NS_RULE, false), rules(HUB_RULE_TYPE, EH_HUB_RULE, true)],
    // After a restart: every namespace listens again on the port of its serviceBusEndpoint.
    async init() {
      for (const ns of await arm.resources.listOf(EH_NAMESPACE)) await arm.eventHubs.ensureNamespace(await settingsOf(ns), portOf(ns.body));
    },
  };
}
