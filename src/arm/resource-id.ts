// Parses a Resource Manager request path into what it addresses: a resource, a collection, or an
// action on a resource, at a scope (tenant, subscription, resource group, or another resource for
// extension types such as role assignments). Case-insensitive, as ARM is.
import { ArmErrors } from './errors.js';
import type { ProviderRegistry, ResourceTypeRegistration, ScopeKind } from './registry.js';
import { isGuid } from '../common/ids.js';

export interface ArmTarget {
  kind: 'resource' | 'collection' | 'action';
  registration: ResourceTypeRegistration;
  /** Resource id (resource, action) or collection path (collection), canonical type casing, names as given. */
  id: string;
  /** The scope the resource or collection sits at: '' (tenant), /subscriptions/{s}, .../resourceGroups/{g}, or a resource id. */
  scope: string;
  scopeKind: ScopeKind;
  /** Names along the provider chain (for child types: parent names first). */
  names: string[];
  /** The resource's own name (resource, action). */
  name?: string;
  /** POST action name, as sent. */
  action?: string;
  subscriptionId?: string;
  resourceGroup?: string;
}

const RESOURCES = 'Microsoft.Resources';

/** Splits and decodes the path; refuses `..`, encoded slashes, empty segments (but one, below) and control characters. */
export function pathSegments(rawPath: string): string[] {
  const trimmed = rawPath.replace(/^\/+/, '').replace(/\/$/, '');
  if (trimmed === '') return [];
  const parts = trimmed.split('/');
  // The SDKs' generic resource operations (`az resource show/create -g -n --resource-type`) put an empty
  // parentResourcePath after the namespace: `providers/{ns}//{type}/{name}`, which ARM reads as
  // `providers/{ns}/{type}/{name}`. Only that empty segment is taken.
  const afterNamespace = (i: number) => i >= 2 && parts[i - 2].toLowerCase() === 'providers' && parts[i - 1] !== '';
  return parts.filter((raw, i) => !(raw === '' && afterNamespace(i))).map((raw) => {
    if (raw === '') throw ArmErrors.invalidRequestUri('the path has an empty segment.');
    if (/%2f|%5c/i.test(raw)) throw ArmErrors.invalidRequestUri('encoded slashes are not allowed in the path.');
    let seg: string;
    try { seg = decodeURIComponent(raw); } catch { throw ArmErrors.invalidRequestUri(`'${raw}' is not correctly percent-encoded.`); }
    if (seg === '.' || seg === '..') throw ArmErrors.invalidRequestUri("'.' and '..' segments are not allowed.");
    if (/[\u0000-\u001f\u007f\\]/.test(seg)) throw ArmErrors.invalidRequestUri('the path contains control characters or backslashes.');
    return seg;
  });
}

/**
 * A resource group's deployment operations have a path of their own in ARM's API (and the SDKs use it):
 * `/subscriptions/{s}/resourcegroups/{g}/deployments/{name}/operations[/{id}]`, the same resources as
 * `.../resourcegroups/{g}/providers/Microsoft.Resources/deployments/{name}/operations`.
 */
function legacyDeploymentPath(segs: string[]): string[] {
  if (segs.length >= 6 && segs[0].toLowerCase() === 'subscriptions' && segs[2].toLowerCase() === 'resourcegroups' && segs[4].toLowerCase() === 'deployments') {
    return [...segs.slice(0, 4), 'providers', 'Microsoft.Resources', ...segs.slice(4)];
  }
  return segs;
}

/** `apiVersion` is only quoted in InvalidResourceType, as ARM's message does. */
export function parseArmPath(rawPath: string, registry: ProviderRegistry, apiVersion = ''): ArmTarget {
  const segs = legacyDeploymentPath(pathSegments(rawPath));
  const lc = (i: number) => segs[i]?.toLowerCase();
  const n = segs.length;
  const reg = (type: string): ResourceTypeRegistration => {
    const r = registry.type(type);
    if (!r) throw new Error(`built-in type ${type} is not registered`);
    return r;
  };
  if (n === 0) throw ArmErrors.noRoute('/');

  let scope = '';
  let scopeKind: ScopeKind = 'tenant';
  let subscriptionId: string | undefined;
  let resourceGroup: string | undefined;
  let i = 0;

  if (lc(0) === 'subscriptions') {
    if (n === 1) return { kind: 'collection', registration: reg(`${RESOURCES}/subscriptions`), id: '/subscriptions', scope: '', scopeKind: 'tenant', names: [] };
    subscriptionId = segs[1];
    if (!isGuid(subscriptionId)) throw ArmErrors.invalidSubscriptionId(subscriptionId);
    scope = `/subscriptions/${subscriptionId}`;
    if (n === 2) return { kind: 'resource', registration: reg(`${RESOURCES}/subscriptions`), id: scope, scope: '', scopeKind: 'tenant', names: [subscriptionId], name: subscriptionId, subscriptionId };
    scopeKind = 'subscription';
    i = 2;
    if (lc(2) === 'resourcegroups') {
      if (n === 3) return { kind: 'collection', registration: reg(`${RESOURCES}/resourceGroups`), id: `${scope}/resourceGroups`, scope, scopeKind, names: [], subscriptionId };
      resourceGroup = segs[3];
      const groupScope = `${scope}/resourceGroups/${resourceGroup}`;
      if (n === 4) return { kind: 'resource', registration: reg(`${RESOURCES}/resourceGroups`), id: groupScope, scope, scopeKind, names: [resourceGroup], name: resourceGroup, subscriptionId, resourceGroup };
      if (n === 5 && lc(4) === 'exporttemplate') {
        return { kind: 'action', registration: reg(`${RESOURCES}/resourceGroups`), id: groupScope, scope, scopeKind, names: [resourceGroup], name: resourceGroup, action: segs[4], subscriptionId, resourceGroup };
      }
      scope = groupScope;
      scopeKind = 'resourceGroup';
      i = 4;
    }
    if (lc(i) === 'resources' && i + 1 === n) {
      return { kind: 'collection', registration: reg(`${RESOURCES}/resources`), id: `${scope}/resources`, scope, scopeKind, names: [], subscriptionId, resourceGroup };
    }
    if (lc(i) === 'operationresults' && i + 2 === n && scopeKind === 'subscription') {
      return { kind: 'resource', registration: reg(`${RESOURCES}/operationResults`), id: `${scope}/operationresults/${segs[i + 1]}`, scope, scopeKind, names: [segs[i + 1]], name: segs[i + 1], subscriptionId };
    }
  }

  // One or more provider chains: {scope}/providers/{ns}/{type}/{name}/{childType}/{childName}...[/providers/...]
  for (;;) {
    if (lc(i) !== 'providers') throw ArmErrors.noRoute('/' + segs.join('/'));
    if (i + 1 === n) {
      return { kind: 'collection', registration: reg(`${RESOURCES}/providers`), id: `${scope}/providers`, scope, scopeKind, names: [], subscriptionId, resourceGroup };
    }
    const namespace = registry.namespace(segs[i + 1]);
    if (!namespace) throw ArmErrors.invalidResourceNamespace(segs[i + 1]);
    if (i + 2 === n) {
      return { kind: 'resource', registration: reg(`${RESOURCES}/providers`), id: `${scope}/providers/${namespace}`, scope, scopeKind, names: [namespace], name: namespace, subscriptionId, resourceGroup };
    }
    const types: string[] = [];
    const names: string[] = [];
    let j = i + 2;
    while (j < n) {
      if (names.length > 0 && names.length === types.length && lc(j) === 'providers') break;
      types.push(segs[j]);
      if (j + 1 < n) names.push(segs[j + 1]);
      j += 2;
    }
    const fullType = `${namespace}/${types.join('/')}`;
    if (j < n) {
      // A complete resource followed by another provider chain: it becomes the scope (extension resource).
      const r = registry.type(fullType);
      const typeCasing = r ? r.type : fullType;
      scope = `${scope}/providers/${canonicalPath(typeCasing, names)}`;
      scopeKind = 'resource';
      i = j;
      continue;
    }
    const own = registry.type(fullType);
    if (types.length === names.length) {
      if (!own) throw ArmErrors.invalidResourceType(types.join('/'), namespace, apiVersion);
      const id = `${scope}/providers/${canonicalPath(own.type, names)}`;
      return { kind: 'resource', registration: own, id, scope: names.length > 1 ? parentIdOf(scope, own.type, names) : scope, scopeKind: names.length > 1 ? 'resource' : scopeKind, names, name: names[names.length - 1], subscriptionId, resourceGroup };
    }
    // One type more than names: a collection of a (child) type, or an action on the resource.
    if (own) {
      const parentNames = names;
      const parentScope = parentNames.length > 0 ? parentIdOf(scope, own.type, [...parentNames, '']) : scope;
      return { kind: 'collection', registration: own, id: `${scope}/providers/${canonicalPath(own.type, names)}`.replace(/\/$/, ''), scope: parentScope, scopeKind: parentNames.length > 0 ? 'resource' : scopeKind, names, subscriptionId, resourceGroup };
    }
    const resourceType = `${namespace}/${types.slice(0, -1).join('/')}`;
    const resourceReg = names.length > 0 ? registry.type(resourceType) : undefined;
    const action = types[types.length - 1];
    if (!resourceReg || !resourceReg.actions?.[action.toLowerCase()]) {
      throw ArmErrors.invalidResourceType(types.join('/'), namespace, apiVersion);
    }
    const id = `${scope}/providers/${canonicalPath(resourceReg.type, names)}`;
    return { kind: 'action', registration: resourceReg, id, scope: names.length > 1 ? parentIdOf(scope, resourceReg.type, names) : scope, scopeKind: names.length > 1 ? 'resource' : scopeKind, names, name: names[names.length - 1], action, subscriptionId, resourceGroup };
  }
}

/** `Microsoft.X/a/b` + [n1, n2] → `Microsoft.X/a/n1/b/n2` (a trailing '' name leaves the last type open). */
function canonicalPath(fullType: string, names: string[]): string {
  const [ns, ...types] = fullType.split('/');
  const parts = [ns];
  types.forEach((t, k) => { parts.push(t); if (k < names.length && names[k] !== '') parts.push(names[k]); });
  return parts.join('/');
}

/** The id of the parent resource of a child resource (names include the child's own name last). */
function parentIdOf(scope: string, fullType: string, names: string[]): string {
  const parentType = fullType.split('/').slice(0, -1).join('/');
  return `${scope}/providers/${canonicalPath(parentType, names.slice(0, -1))}`;
}

/**
 * `scope` (a prefix of the addressed path, in canonical casing) spelled as the request spelled it:
 * ARM's messages echo the path as sent (`/subscriptions/{s}/resourcegroups/{g}` from arm-resources).
 */
export function scopeAsSent(rawPath: string, scope: string): string {
  const want = scope.split('/').filter((x) => x !== '');
  if (want.length === 0) return scope;
  let sent: string[];
  try { sent = pathSegments(rawPath); } catch { return scope; }
  if (sent.length < want.length) return scope;
  for (let k = 0; k < want.length; k++) if (sent[k].toLowerCase() !== want[k].toLowerCase()) return scope;
  return '/' + sent.slice(0, want.length).join('/');
}

/** Lower-cased key of an ARM id, for storage and comparison. */
export const idKey = (id: string): string => id.toLowerCase();
