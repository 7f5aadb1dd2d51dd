// What the signed-in principal may do at a scope, from Azure's public "Permissions - List For Resource /
// For Resource Group" API: GET {scope}/providers/Microsoft.Authorization/permissions?api-version=2022-04-01
// → { value: [{ actions, notActions, dataActions, notDataActions }] }. Wildcards as Azure's: `*` matches
// any run of characters, case-insensitively; an action is allowed when some entry grants it and that
// same entry does not exclude it.
import type { ApiClient } from './client';
import { API_VERSIONS } from './arm-types';

export interface Permission { actions: string[]; notActions: string[]; dataActions?: string[]; notDataActions?: string[] }

export interface RoleDefinition {
  id: string;
  name: string;
  properties: { roleName: string; type?: string; permissions: Permission[] };
}

function matches(pattern: string, action: string): boolean {
  const re = new RegExp('^' + pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$', 'i');
  return re.test(action);
}

/** Whether `permissions` grant `action` (a data action when `data`). */
export function allows(permissions: Permission[], action: string, data = false): boolean {
  return permissions.some((p) => {
    const grant = data ? p.dataActions ?? [] : p.actions;
    const deny = data ? p.notDataActions ?? [] : p.notActions;
    return grant.some((a) => matches(a, action)) && !deny.some((a) => matches(a, action));
  });
}

export function permissionsPath(scope: string): string {
  return `${scope.replace(/\/+$/, '')}/providers/Microsoft.Authorization/permissions`;
}

/** The principal's permissions at `scope`; undefined when the server cannot say (then the API decides and its 403 is shown). */
export async function listPermissions(api: ApiClient, scope: string): Promise<Permission[] | undefined> {
  try {
    return await api.arm.list<Permission>(permissionsPath(scope), API_VERSIONS.authorization);
  } catch {
    return undefined;
  }
}

/** Built-in roles that grant `action`, narrowest first (fewest wildcard actions), for "which role is missing". */
export async function rolesGranting(api: ApiClient, subscriptionId: string, action: string, data = false): Promise<string[]> {
  const roles = await api.arm.list<RoleDefinition>(`/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions`, API_VERSIONS.authorization);
  const width = (r: RoleDefinition) => r.properties.permissions.reduce((n, p) => n + (data ? p.dataActions ?? [] : p.actions).filter((a) => a.includes('*')).length * 10 + (data ? p.dataActions ?? [] : p.actions).length, 0);
  return roles
    .filter((r) => allows(r.properties.permissions, action, data))
    .sort((a, b) => width(a) - width(b))
    .map((r) => r.properties.roleName);
}
