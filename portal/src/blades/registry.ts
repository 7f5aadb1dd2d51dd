// The shape of a blade, and how a portal route finds one. The list itself is blades/index.ts.
import type { ComponentType, LazyExoticComponent } from 'react';
import { parseResourceId } from '../api/arm-types';

export interface BladeProps {
  /** For resource blades: the resource id from the route. */
  resourceId: string;
  query: URLSearchParams;
}

interface BladeBase {
  /** The blade's title and accessible name: the label Azure's portal (and the seed) uses. */
  title: string;
  component: LazyExoticComponent<ComponentType<BladeProps>>;
}

/** A page of its own: route is the path after /portal/ ('' is Home). */
export interface PageBlade extends BladeBase {
  kind: 'page';
  route: string;
  /** Shown in the portal menu (left nav), in list order. */
  nav?: boolean;
  /** The menu's label when it differs from the title (Azure: menu 'Deploy a custom template', page 'Custom deployment'). */
  navLabel?: string;
}

/** A blade of a resource, in that resource type's menu: /portal/resource{id}/{name}. */
export interface ResourceBlade extends BladeBase {
  kind: 'resource';
  /** Full type as in resource ids ('Microsoft.ManagedIdentity/userAssignedIdentities'); '*' for any. */
  resourceType: string;
  /** URL segment, lower case ('overview', 'managedidentities'). */
  name: string;
  /** Menu section, as Azure's resource menu ('Settings', 'Security', 'APIs'); none for the top items. */
  group?: string;
}

export type BladeDefinition = PageBlade | ResourceBlade;

export type RouteMatch =
  | { kind: 'page'; blade: PageBlade }
  | { kind: 'resource'; blade: ResourceBlade; resourceId: string; resourceType: string; menu: ResourceBlade[] }
  | { kind: 'none' };

/** The blades of a resource type, specific ones first, then those for any type not already named. */
export function resourceMenu(blades: readonly BladeDefinition[], resourceType: string): ResourceBlade[] {
  const rs = blades.filter((b): b is ResourceBlade => b.kind === 'resource');
  const specific = rs.filter((b) => b.resourceType.toLowerCase() === resourceType.toLowerCase());
  const generic = rs.filter((b) => b.resourceType === '*' && !specific.some((s) => s.name === b.name));
  return [...specific, ...generic];
}

export function matchRoute(blades: readonly BladeDefinition[], path: string): RouteMatch {
  const m = /^resource(\/subscriptions\/.+)\/([^/]+)$/i.exec(path);
  if (m) {
    const [, resourceId, name] = m;
    const resourceType = parseResourceId(resourceId).type;
    const menu = resourceMenu(blades, resourceType);
    const blade = menu.find((b) => b.name === name.toLowerCase());
    return blade ? { kind: 'resource', blade, resourceId, resourceType, menu } : { kind: 'none' };
  }
  const page = blades.find((b): b is PageBlade => b.kind === 'page' && b.route.toLowerCase() === path.toLowerCase());
  return page ? { kind: 'page', blade: page } : { kind: 'none' };
}
