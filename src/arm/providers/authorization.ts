// Microsoft.Authorization: role definitions (Azure's built-in roles) and role assignments at any scope.
import type { ArmRequest, ResourceProviderModule, ResourceTypeRegistration } from '../registry.js';
import type { ArmContext } from '../context.js';
import type { RoleAssignment } from '../../authz/index.js';
import { scopeWithin, scopeKey } from '../../authz/index.js';
import { ArmErrors } from '../errors.js';
import { AzureError } from '../../common/errors.js';
import { asObject, page, rejectUnknown } from '../envelope.js';
import { isGuid } from '../../common/ids.js';

const ROLE_ASSIGNMENT_VERSIONS = ['2015-07-01', '2017-10-01-preview', '2018-01-01-preview', '2018-09-01-preview', '2020-03-01-preview',
  '2020-04-01-preview', '2020-08-01-preview', '2020-10-01-preview', '2021-04-01-preview', '2022-01-01-preview', '2022-04-01'] as const;
const ROLE_DEFINITION_VERSIONS = ['2015-07-01', '2018-01-01-preview', '2022-04-01', '2022-05-01-preview'] as const;
// Permissions (Microsoft.Authorization/permissions) are served with every api-version of the provider's
// other types, as Azure's authorization provider answers them.
const PERMISSION_VERSIONS = [...new Set([...ROLE_ASSIGNMENT_VERSIONS, ...ROLE_DEFINITION_VERSIONS])].sort();
const PRINCIPAL_TYPES = ['User', 'Group', 'ServicePrincipal', 'ForeignGroup', 'Device'];

const err = (status: number, code: string, message: string, target?: string) => new AzureError({ status, code, message, target });
export const AuthorizationErrors = {
  invalidAssignmentId: (name: string) => err(400, 'InvalidRoleAssignmentId', `The role assignment ID '${name}' is not valid. The role assignment ID must be a GUID.`),
  exists: () => err(409, 'RoleAssignmentExists', 'The role assignment already exists.'),
  principalNotFound: (id: string, tenant: string) =>
    err(400, 'PrincipalNotFound', `Principal ${id.replace(/-/g, '')} does not exist in the directory ${tenant}. Check that you have the correct principal ID. If you are creating this principal and then immediately assigning a role, this error might be related to a replication delay. In this case, set the role assignment principalType property to a value, such as ServicePrincipal, User, or Group.  See https://aka.ms/docs-principaltype`),
  invalidPrincipalId: (id: unknown) =>
    typeof id === 'string' && id !== ''
      ? err(400, 'InvalidPrincipalId', `The Principal ID '${id}' is not valid. Principal ID must be a GUID.`, 'properties.principalId')
      : err(400, 'InvalidPrincipalId', 'A valid principal ID must be provided for role assignment.', 'properties.principalId'),
  roleDefinitionNotFound: (id: string) => err(400, 'RoleDefinitionDoesNotExist', `The specified role definition with ID '${id}' does not exist.`, 'properties.roleDefinitionId'),
  updateNotPermitted: () => err(409, 'RoleAssignmentUpdateNotPermitted', 'Tenant ID, application ID, principal ID, and scope are not allowed to be updated.'),
  notFound: (name: string) => err(404, 'RoleAssignmentNotFound', `The role assignment '${name}' is not found.`),
  roleDefinitionNotFoundGet: (id: string) => err(404, 'RoleDefinitionDoesNotExist', `The specified role definition with ID '${id}' does not exist.`),
  unmatchedPrincipalType: (given: string, actual: string) =>
    err(400, 'UnmatchedPrincipalType', `The PrincipalId '${''}' has type '${actual}' , which is different from specified PrincipalType '${given}'.`, 'properties.principalType'),
  invalidFilter: (f: string) => err(400, 'InvalidFilter', `The filter '${f}' is not supported. Supported filters: atScope(), principalId eq '{id}', assignedTo('{id}').`),
};

export function authorizationProvider(arm: ArmContext): ResourceProviderModule {
  const definitions = arm.authz.definitions;

  const roleDefinitions: ResourceTypeRegistration = {
    type: 'Microsoft.Authorization/roleDefinitions', apiVersions: ROLE_DEFINITION_VERSIONS,
    scopes: ['tenant', 'subscription', 'resourceGroup', 'resource'], listScopes: ['tenant', 'subscription', 'resourceGroup', 'resource'],
    actionFor: () => null, // Role definitions are readable by every principal of the tenant.
    async get(req) {
      const role = definitions.get(req.target.name!);
      if (!role) throw AuthorizationErrors.roleDefinitionNotFoundGet(req.target.name!);
      return { status: 200, body: definitions.toResource(role.role, req.target.scope) };
    },
    async list(req) {
      const filter = req.ctx.query.get('$filter');
      let roles = definitions.all();
      if (filter) {
        const byName = /^roleName\s+eq\s+'([^']*)'$/i.exec(filter.trim());
        const byType = /^type\s+eq\s+'(BuiltInRole|CustomRole)'$/i.exec(filter.trim());
        if (byName) roles = roles.filter((r) => r.role.roleName.toLowerCase() === byName[1].toLowerCase());
        else if (byType) roles = byType[1].toLowerCase() === 'builtinrole' ? roles : [];
        else throw ArmErrors.invalidFilter(filter);
      }
      return page(req, roles.map((r) => definitions.toResource(r.role, req.target.scope)), arm.baseUrl);
    },
  };

  const roleAssignments: ResourceTypeRegistration = {
    type: 'Microsoft.Authorization/roleAssignments', apiVersions: ROLE_ASSIGNMENT_VERSIONS,
    scopes: ['tenant', 'subscription', 'resourceGroup', 'resource'], listScopes: ['tenant', 'subscription', 'resourceGroup', 'resource'],
    async get(req) {
      const name = req.target.name!;
      if (!isGuid(name)) throw AuthorizationErrors.invalidAssignmentId(name);
      const a = await arm.authz.assignments.get(name);
      if (!a || scopeKey(a.properties.scope) !== scopeKey(req.target.scope)) throw AuthorizationErrors.notFound(name);
      return { status: 200, body: a };
    },
    async put(req) {
      const name = req.target.name!;
      if (!isGuid(name)) throw AuthorizationErrors.invalidAssignmentId(name);
      if (req.body === undefined) throw ArmErrors.missingBody();
      const body = asObject(req.body, '');
      rejectUnknown(body, ['properties', 'id', 'name', 'type'], 'RoleAssignmentCreateParameters', '');
      const props = asObject(body.properties, 'properties');
      rejectUnknown(props, ['roleDefinitionId', 'principalId', 'principalType', 'description', 'condition', 'conditionVersion', 'delegatedManagedIdentityResourceId', 'scope'], 'RoleAssignmentProperties', 'properties');
      const { roleDefinitionId, principalId, principalType, description } = props;
      if (typeof principalId !== 'string' || !isGuid(principalId)) throw AuthorizationErrors.invalidPrincipalId(principalId);
      if (typeof roleDefinitionId !== 'string') throw ArmErrors.invalidValue('properties.roleDefinitionId', "The property 'roleDefinitionId' is required.");
      const role = definitions.get(roleDefinitionId);
      if (!role) throw AuthorizationErrors.roleDefinitionNotFound(roleDefinitionId.split('/').pop() ?? roleDefinitionId);
      if (principalType !== undefined && (typeof principalType !== 'string' || !PRINCIPAL_TYPES.includes(principalType))) {
        throw ArmErrors.invalidValue('properties.principalType', `The value '${String(principalType)}' of 'principalType' is invalid. Valid values: ${PRINCIPAL_TYPES.join(', ')}.`);
      }
      if (props.condition !== undefined && props.condition !== null) {
        throw ArmErrors.invalidValue('properties.condition', 'Role assignment conditions are not supported by apim-local.');
      }
      const principal = await arm.entra.directory.getByObjectId(principalId);
      // An application registered through Graph has no principal to assign until its service principal is made.
      if (!principal || principal.hasServicePrincipal === false) throw AuthorizationErrors.principalNotFound(principalId, arm.tenantId);
      if (req.target.scope !== '' && req.target.scopeKind !== 'tenant' && !(await scopeExists(arm, req.target.scope))) {
        throw scopeNotFound(req.target.scope);
      }
      const existing = await arm.authz.assignments.get(name);
      if (existing) {
        const same = existing.properties.principalId.toLowerCase() === principalId.toLowerCase()
          && scopeKey(existing.properties.scope) === scopeKey(req.target.scope)
          && (definitions.get(existing.properties.roleDefinitionId)?.role.name === role.role.name);
        if (!same) throw AuthorizationErrors.updateNotPermitted();
        return { status: 201, body: existing };
      }
      if (await arm.authz.assignments.findExisting(req.target.scope, principalId, role.role.name)) throw AuthorizationErrors.exists();
      const scope = req.target.scope === '' ? '/' : req.target.scope;
      const canonicalRoleId = `${req.target.subscriptionId ? `/subscriptions/${req.target.subscriptionId}` : ''}/providers/Microsoft.Authorization/roleDefinitions/${role.role.name}`;
      const created = await arm.authz.assignments.create({
        name: name.toLowerCase(), scope, roleDefinitionId: canonicalRoleId, roleDefinitionGuid: role.role.name, principalId: principalId.toLowerCase(),
        principalType: typeof principalType === 'string' ? principalType : 'ServicePrincipal',
        description: typeof description === 'string' ? description : null, createdBy: req.caller.objectId,
      });
      return { status: 201, body: created };
    },
    async delete(req) {
      const name = req.target.name!;
      if (!isGuid(name)) throw AuthorizationErrors.invalidAssignmentId(name);
      const a = await arm.authz.assignments.get(name);
      if (!a || scopeKey(a.properties.scope) !== scopeKey(req.target.scope)) return { status: 204 };
      await arm.authz.assignments.delete(name);
      return { status: 200, body: a };
    },
    async list(req) {
      const scope = req.target.scope === '' ? '/' : req.target.scope;
      const filter = req.ctx.query.get('$filter')?.trim() ?? '';
      let atScopeOnly = false;
      let principal: string | undefined;
      for (const clause of filter ? filter.split(/\s+and\s+/i) : []) {
        const c = clause.trim();
        let m: RegExpExecArray | null;
        if (/^atScope\(\)$/i.test(c)) atScopeOnly = true;
        else if ((m = /^principalId\s+eq\s+'([^']*)'$/i.exec(c)) || (m = /^assignedTo\('([^']*)'\)$/i.exec(c))) principal = m[1].toLowerCase();
        else throw AuthorizationErrors.invalidFilter(filter);
      }
      const all: RoleAssignment[] = principal ? await arm.authz.assignments.forPrincipal(principal) : await arm.authz.assignments.all();
      // Without atScope(): at, above and below the scope; with it: at or above.
      const items = all.filter((a) => scopeWithin(scope, a.properties.scope) || (!atScopeOnly && scopeWithin(a.properties.scope, scope)));
      return page(req, items, arm.baseUrl);
    },
  };

  // The caller's own effective permissions at a scope (the portal's "what may I do here"): one entry per
  // role the caller holds there or above, as Azure's PermissionGetResult. Asking needs no action (it
  // reveals only the caller's own grants); an empty list means no role at all.
  const permissions: ResourceTypeRegistration = {
    type: 'Microsoft.Authorization/permissions', apiVersions: PERMISSION_VERSIONS,
    scopes: [], listScopes: ['subscription', 'resourceGroup', 'resource'],
    actionFor: () => null,
    async list(req) {
      const scope = req.target.scope;
      if (req.target.scopeKind === 'tenant') throw ArmErrors.missingSubscription();
      const seen = new Set<string>();
      const value: Record<string, unknown>[] = [];
      for (const a of await arm.authz.assignments.forPrincipal(req.caller.objectId)) {
        if (!scopeWithin(scope, a.properties.scope)) continue;
        const role = definitions.get(a.properties.roleDefinitionId);
        if (!role || seen.has(role.role.name)) continue; // the same role held at two scopes grants the same
        seen.add(role.role.name);
        for (const p of role.role.permissions) {
          value.push({ actions: [...p.actions], notActions: [...p.notActions], dataActions: [...p.dataActions], notDataActions: [...p.notDataActions] });
        }
      }
      return page(req, value, arm.baseUrl);
    },
  };

  return { namespace: 'Microsoft.Authorization', types: [roleDefinitions, roleAssignments, permissions] };
}

/** ARM's 404 for a scope that does not exist: ResourceNotFound naming `{namespace}/{type}/{name}` and its group. */
function scopeNotFound(scope: string) {
  const m = /^\/subscriptions\/[^/]+(?:\/resourceGroups\/([^/]+))?\/providers\/(.+)$/i.exec(scope);
  if (!m) return ArmErrors.resourceNotFound('scope', scope, undefined);
  const parts = m[2].split('/');
  return ArmErrors.resourceNotFound(parts.slice(0, -1).join('/'), parts[parts.length - 1], m[1]);
}

async function scopeExists(arm: ArmContext, scope: string): Promise<boolean> {
  return arm.resources.exists(scope);
}

export type { ArmRequest };
