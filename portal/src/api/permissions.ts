// What the signed-in principal may do at a scope, from Azure's public "Permissions - List For Resource /
// For Resource Group" API: GET {scope}/providers/Microsoft.Authorization/permissions?api-version=2022-04-01
// → { value: [{ actions, notActions, dataActions, notDataActions }] }, matched as Azure does (actions.ts).
import type { ApiClient } from './client';
import { API_VERSIONS } from './arm-types';
import { allows, type Permission } from './actions';

export { allows, type Permission } from './actions';

export interface RoleDefinition {
  id: string;
  name: string;
  properties: { roleName: string; type?: string; permissions: Permission[] };
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

/** Built-in roles that grant `action`, narrowest first (specific roles, then Contributor, then Owner), for "which role is missing". */
export async function rolesGranting(api: ApiClient, subscriptionId: string, action: string, data = false): Promise<string[]> {
  const roles = await api.arm.list<RoleDefinition>(`/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions`, API_VERSIONS.authorization);
  // A role granting every action ('*') is broad; among those, the one excluding more (Contributor) is narrower than Owner.
  const rank = (r: RoleDefinition): [number, number] => {
    const perms = r.properties.permissions;
    const grants = perms.flatMap((p) => (data ? p.dataActions ?? [] : p.actions));
    const excludes = perms.flatMap((p) => (data ? p.notDataActions ?? [] : p.notActions));
    return grants.includes('*') ? [1, -excludes.length] : [0, grants.length];
  };
  return roles
    .filter((r) => allows(r.properties.permissions, action, data))
    .map((r) => ({ r, k: rank(r) }))
    .sort((a, b) => a.k[0] - b.k[0] || a.k[1] - b.k[1])
    .map(({ r }) => r.properties.roleName);
}
