// Role-based access control as az's role module does it: scopes from --scope/-g, role names resolved
// through the role definitions API, assignment searches, and az's flattened output shapes.
import { randomUUID } from 'node:crypto';
import type { CliContext } from './command.js';
import { API_VERSIONS, encodePath } from './arm-client.js';
import { isGuid } from './admin-client.js';
import { CliError, UsageError } from './errors.js';

const V = API_VERSIONS.authorization;
const ROLE_DEFINITION_ID = /^\/subscriptions\/.+\/providers\/Microsoft\.Authorization\/roleDefinitions\//i;

export type Resource = Record<string, any>;

/** az's _build_role_scope: --scope as given, or the group under the default subscription, or the subscription. */
export function buildScope(ctx: CliContext, resourceGroup: string | undefined, scope: string | undefined): string {
  if (scope) {
    if (resourceGroup) throw new UsageError(`Resource group "${resourceGroup}" is redundant because scope is supplied`);
    if (!scope.startsWith('/')) throw new UsageError(`Invalid scope '${scope}': a scope is a resource id such as /subscriptions/{id}/resourceGroups/{name}.`);
    return scope.length > 1 ? scope.replace(/\/+$/, '') : scope;
  }
  if (resourceGroup) return `${ctx.arm.subscriptionScope}/resourceGroups/${resourceGroup}`;
  return ctx.arm.subscriptionScope;
}

/** The URL path of an extension collection at a scope (`/` is the tenant root). */
export function atScope(scope: string, collection: 'roleAssignments' | 'roleDefinitions'): string {
  return `${scope === '/' ? '' : encodePath(scope)}/providers/Microsoft.Authorization/${collection}`;
}

/** The last segment of a role definition id, lower-cased: what two ids of one role share at any scope. */
export const roleGuid = (id: string): string => (id.split('/').pop() ?? '').toLowerCase();

/** az's _resolve_role_id: a full id as is, a GUID under the subscription, or a name looked up at the scope. */
export async function resolveRoleId(ctx: CliContext, role: string, scope: string): Promise<string> {
  if (ROLE_DEFINITION_ID.test(role)) return role;
  if (isGuid(role)) return `${ctx.arm.subscriptionScope}/providers/Microsoft.Authorization/roleDefinitions/${role}`;
  const defs = await ctx.arm.list<Resource>(atScope(scope, 'roleDefinitions'), V, { $filter: `roleName eq '${role.replace(/'/g, "''")}'` });
  if (defs.length === 0) throw new CliError(`Role '${role}' doesn't exist.`);
  if (defs.length > 1) throw new CliError(`More than one role matches the given name '${role}'. Please pick a value from '${defs.map((d) => d.id).join(', ')}'`);
  return defs[0].id as string;
}

/** A role assignment as az prints it: the properties lifted to the top. */
export function assignmentView(a: Resource): Resource {
  const p = a.properties ?? {};
  return {
    condition: p.condition ?? null, conditionVersion: p.conditionVersion ?? null, createdBy: p.createdBy ?? null,
    createdOn: p.createdOn ?? null, delegatedManagedIdentityResourceId: p.delegatedManagedIdentityResourceId ?? null,
    description: p.description ?? null, id: a.id, name: a.name, principalId: p.principalId, principalType: p.principalType ?? null,
    roleDefinitionId: p.roleDefinitionId, scope: p.scope, type: a.type, updatedBy: p.updatedBy ?? null, updatedOn: p.updatedOn ?? null,
  };
}

/** A role definition as az prints it (`type` of the properties becomes `roleType`). */
export function definitionView(d: Resource): Resource {
  const p = d.properties ?? {};
  return {
    assignableScopes: p.assignableScopes ?? [], createdBy: p.createdBy ?? null, createdOn: p.createdOn ?? null,
    description: p.description ?? null, id: d.id, name: d.name, permissions: p.permissions ?? [], roleName: p.roleName,
    roleType: p.type ?? null, type: d.type, updatedBy: p.updatedBy ?? null, updatedOn: p.updatedOn ?? null,
  };
}

export interface AssignmentSearch {
  /** undefined: the whole subscription (--all). */
  scope?: string;
  assigneeObjectId?: string;
  role?: string;
  includeInherited?: boolean;
}

/** az's _search_role_assignments, returning flattened assignments. */
export async function searchAssignments(ctx: CliContext, s: AssignmentSearch): Promise<Resource[]> {
  const sub = ctx.arm.subscriptionScope;
  let raw: Resource[];
  if (s.scope) raw = await ctx.arm.list<Resource>(atScope(s.scope, 'roleAssignments'), V, { $filter: 'atScope()' });
  else if (s.assigneeObjectId) raw = await ctx.arm.list<Resource>(atScope(sub, 'roleAssignments'), V, { $filter: `principalId eq '${s.assigneeObjectId}'` });
  else raw = await ctx.arm.list<Resource>(atScope(sub, 'roleAssignments'), V);
  let items = raw.map(assignmentView);
  if (s.scope) {
    const scope = s.scope.toLowerCase();
    items = items.filter((a) => {
      const at = String(a.scope).toLowerCase();
      return at === scope || (s.includeInherited === true && scope.startsWith(at));
    });
  }
  if (s.role) {
    const guid = roleGuid(await resolveRoleId(ctx, s.role, s.scope ?? sub));
    items = items.filter((a) => roleGuid(String(a.roleDefinitionId)) === guid);
  }
  if (s.assigneeObjectId) {
    const oid = s.assigneeObjectId.toLowerCase();
    items = items.filter((a) => String(a.principalId).toLowerCase() === oid);
  }
  return items;
}

/** Adds az's `roleDefinitionName` and `principalName` (a service principal's first name: its appId). */
export async function describeAssignments(ctx: CliContext, items: Resource[], scope: string | undefined): Promise<Resource[]> {
  if (items.length === 0) return items;
  const defs = await ctx.arm.list<Resource>(atScope(scope ?? ctx.arm.subscriptionScope, 'roleDefinitions'), V);
  const roleNames = new Map(defs.map((d) => [String(d.name).toLowerCase(), d.properties?.roleName as string]));
  let principals: Map<string, string> | undefined;
  try {
    principals = new Map((await ctx.admin.listPrincipals()).map((p) => [p.objectId.toLowerCase(), p.appId]));
  } catch {
    principals = undefined; // as az when Graph refuses: names stay unresolved
  }
  return items.map((a) => ({
    ...a,
    roleDefinitionName: roleNames.get(roleGuid(String(a.roleDefinitionId))) ?? null,
    ...(principals ? { principalName: principals.get(String(a.principalId).toLowerCase()) ?? '' } : {}),
  }));
}

/** Creates one assignment (a new GUID name unless given) and returns it flattened. */
export async function createAssignment(ctx: CliContext, input: { scope: string; roleId: string; principalId: string; principalType?: string; description?: string; name?: string }): Promise<Resource> {
  const name = input.name ?? randomUUID();
  const properties: Resource = { roleDefinitionId: input.roleId, principalId: input.principalId };
  if (input.principalType) properties.principalType = input.principalType;
  if (input.description) properties.description = input.description;
  const created = await ctx.arm.put<Resource>(`${atScope(input.scope, 'roleAssignments')}/${encodeURIComponent(name)}`, V, { properties });
  return assignmentView(created);
}

export async function deleteAssignmentById(ctx: CliContext, id: string): Promise<void> {
  await ctx.arm.delete(encodePath(id), V);
}
