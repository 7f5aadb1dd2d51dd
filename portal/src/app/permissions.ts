// RBAC-aware controls: usePermission(scope, action) says whether the signed-in principal may do
// `action` at `scope` and, when not, why (the missing action and the built-in roles that grant it).
// Permissions are read once per scope per session (api/permissions.ts).
import { listPermissions, allows, rolesGranting, type Permission } from '../api/permissions';
import type { ApiClient } from '../api/client';
import { usePortal } from './context';
import { useAsync } from './use-async';

export interface PermissionState {
  /** True while unknown too: the API decides then, and its 403 is shown. */
  allowed: boolean;
  loading: boolean;
  /** Why not, in words, when not allowed. */
  reason?: string;
}

const cache = new WeakMap<ApiClient, Map<string, Promise<Permission[] | undefined>>>();

function permissionsAt(api: ApiClient, scope: string): Promise<Permission[] | undefined> {
  let byScope = cache.get(api);
  if (!byScope) { byScope = new Map(); cache.set(api, byScope); }
  const key = scope.toLowerCase();
  let p = byScope.get(key);
  if (!p) { p = listPermissions(api, scope); byScope.set(key, p); }
  return p;
}

/** Forgets what was read (after a role assignment changed). */
export function clearPermissionCache(api: ApiClient): void { cache.delete(api); }

export function usePermission(scope: string | undefined, action: string, data = false): PermissionState {
  const { api, subscription } = usePortal();
  const state = useAsync(async (): Promise<PermissionState> => {
    if (!scope) return { allowed: true, loading: false };
    const perms = await permissionsAt(api, scope);
    if (!perms || allows(perms, action, data)) return { allowed: true, loading: false };
    const roles = await rolesGranting(api, subscription.subscriptionId, action, data).catch(() => []);
    const roleText = roles.length > 0 ? ` A role that grants it: ${roles.slice(0, 3).join(', ')}.` : '';
    return { allowed: false, loading: false, reason: `You do not have permission to perform '${action}' at scope '${scope}'.${roleText}` };
  }, [api, scope, action, data]);
  return state.data ?? { allowed: true, loading: true };
}
