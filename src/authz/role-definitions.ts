// Role definitions: Azure's built-in roles, compiled once into matchers for actions and data actions.
import { BUILT_IN_ROLES, BUILT_IN_ROLE_ASSIGNABLE_SCOPES, BUILT_IN_ROLE_TYPE, ROLE_DEFINITION_RESOURCE_TYPE, type BuiltInRole } from './builtin-roles.js';

export interface CompiledRole {
  role: BuiltInRole;
  allowsAction(action: string): boolean;
  allowsDataAction(dataAction: string): boolean;
}

// Azure's wildcard: `*` matches any run of characters; comparison ignores case. A whole wildcard segment
// may also be no segment at all: Managed Identity Operator's `userAssignedIdentities/*/assign/action`
// grants `userAssignedIdentities/assign/action`, the action Azure checks to attach an identity.
function wildcardMatcher(patterns: string[]): (value: string) => boolean {
  if (patterns.length === 0) return () => false;
  const escape = (part: string) => part.split('*').map((x) => x.replace(/[.+?^${}()|[\]\\/]/g, '\\$&')).join('.*');
  const source = patterns.map((p) => p.split('/*/').map(escape).join('\\/(?:.*\\/)?')).join('|');
  const re = new RegExp(`^(?:${source})$`, 'i');
  return (value) => re.test(value);
}

function compile(role: BuiltInRole): CompiledRole {
  const perms = role.permissions.map((p) => ({
    action: wildcardMatcher(p.actions), notAction: wildcardMatcher(p.notActions),
    data: wildcardMatcher(p.dataActions), notData: wildcardMatcher(p.notDataActions),
  }));
  return {
    role,
    allowsAction: (a) => perms.some((p) => p.action(a) && !p.notAction(a)),
    allowsDataAction: (a) => perms.some((p) => p.data(a) && !p.notData(a)),
  };
}

export class RoleDefinitions {
  private readonly byId = new Map<string, CompiledRole>();
  private readonly byName = new Map<string, CompiledRole>();

  constructor(roles: readonly BuiltInRole[] = BUILT_IN_ROLES) {
    for (const role of roles) {
      const compiled = compile(role);
      this.byId.set(role.name.toLowerCase(), compiled);
      this.byName.set(role.roleName.toLowerCase(), compiled);
    }
  }

  /** By GUID, or by a full id `.../providers/Microsoft.Authorization/roleDefinitions/{guid}`. */
  get(idOrGuid: string): CompiledRole | undefined {
    const guid = idOrGuid.split('/').pop() ?? '';
    return this.byId.get(guid.toLowerCase());
  }

  getByName(roleName: string): CompiledRole | undefined {
    return this.byName.get(roleName.toLowerCase());
  }

  all(): CompiledRole[] {
    return [...this.byId.values()];
  }

  /** The ARM document of a role definition as seen at `scope` ('' for the root scope). */
  toResource(role: BuiltInRole, scope: string): Record<string, unknown> {
    return {
      id: `${scope}/providers/Microsoft.Authorization/roleDefinitions/${role.name}`,
      type: ROLE_DEFINITION_RESOURCE_TYPE,
      name: role.name,
      properties: {
        roleName: role.roleName,
        type: BUILT_IN_ROLE_TYPE,
        description: role.description,
        assignableScopes: [...BUILT_IN_ROLE_ASSIGNABLE_SCOPES],
        permissions: role.permissions.map((p) => ({ ...p })),
        createdOn: '2015-02-02T21:55:09.8806423Z',
        updatedOn: '2024-01-01T00:00:00.0000000Z',
        createdBy: null,
        updatedBy: null,
      },
    };
  }
}
