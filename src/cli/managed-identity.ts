// What the identity and apim commands share: user-assigned identity ids from names (as az does),
// the resource group's location as a default, and az's output shapes for identities.
import type { CliContext } from './command.js';
import { API_VERSIONS, encodePath } from './arm-client.js';

export type Resource = Record<string, any>;

export const USER_ASSIGNED_TYPE = 'Microsoft.ManagedIdentity/userAssignedIdentities';

/** `/subscriptions/{sub}/resourceGroups/{group}/providers/{provider}/{type}/{name}`, encoded for a URL path. */
export function resourcePath(ctx: CliContext, group: string, provider: string, name: string): string {
  return `${ctx.arm.subscriptionScope}/resourceGroups/${encodePath(group)}/providers/${provider}/${encodeURIComponent(name)}`;
}

/**
 * az's _ensure_identity_resource_id: a resource id stays as given; a name is a user-assigned identity
 * of that name in the group of the command.
 */
export function userAssignedIdentityId(ctx: CliContext, group: string, nameOrId: string): string {
  if (nameOrId.startsWith('/')) return nameOrId;
  return `${ctx.arm.subscriptionScope}/resourceGroups/${group}/providers/${USER_ASSIGNED_TYPE}/${nameOrId}`;
}

/** az's default location (get_default_location_from_resource_group): the group's. */
export async function groupLocation(ctx: CliContext, group: string): Promise<string> {
  const g = await ctx.arm.get<Resource>(`${ctx.arm.subscriptionScope}/resourcegroups/${encodePath(group)}`, API_VERSIONS.resources);
  return String(g.location);
}

/** A user-assigned identity as `az identity` prints it: its properties lifted to the top (client_flatten). */
export function userAssignedIdentityView(body: Resource): Resource {
  const { properties, ...rest } = body;
  return { ...rest, ...(properties ?? {}) };
}

/**
 * The `identity` of a resource as az prints the SDK's ManagedServiceIdentity: every field, null where
 * unset; a missing identity is type None.
 */
export function serviceIdentityView(identity: Resource | null | undefined): Resource {
  const i = identity ?? {};
  const uai = i.userAssignedIdentities as Record<string, Resource> | undefined;
  return {
    principalId: i.principalId ?? null,
    tenantId: i.tenantId ?? null,
    type: i.type ?? 'None',
    userAssignedIdentities: uai && Object.keys(uai).length > 0
      ? Object.fromEntries(Object.entries(uai).map(([id, v]) => [id, { clientId: v?.clientId ?? null, principalId: v?.principalId ?? null }]))
      : null,
  };
}

/** `SystemAssigned`, `UserAssigned`, both or `None`, as Azure spells them. */
export function identityType(system: boolean, user: boolean): string {
  if (system && user) return 'SystemAssigned, UserAssigned';
  if (system) return 'SystemAssigned';
  if (user) return 'UserAssigned';
  return 'None';
}

export const hasSystemAssigned = (type: unknown): boolean => typeof type === 'string' && /systemassigned/i.test(type);
export const hasUserAssigned = (type: unknown): boolean => typeof type === 'string' && /userassigned/i.test(type);
