// The authorization plane: role definitions, role assignments and the access check every plane uses.
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import type { Clock } from '../common/clock.js';
import { RoleDefinitions } from './role-definitions.js';
import { RoleAssignments, scopeWithin } from './assignments.js';

export { RoleDefinitions, type CompiledRole } from './role-definitions.js';
export { RoleAssignments, scopeWithin, scopeKey, type RoleAssignment } from './assignments.js';
export const OWNER_ROLE_ID = '8e3af657-a8ff-443c-a75c-2fe8c4bcb635';

export class AuthzPlane {
  readonly definitions = new RoleDefinitions();
  readonly assignments: RoleAssignments;

  constructor(db: Kysely<Database>, clock: Clock) {
    this.assignments = new RoleAssignments(db, clock);
  }

  /** True when one of the principal's role assignments at `scope` or above allows `action`. */
  async isAllowed(principalId: string, action: string, scope: string): Promise<boolean> {
    return this.check(principalId, scope, (role) => role.allowsAction(action));
  }

  /** The same for a data action (Key Vault, Event Hubs data planes). */
  async isDataActionAllowed(principalId: string, dataAction: string, scope: string): Promise<boolean> {
    return this.check(principalId, scope, (role) => role.allowsDataAction(dataAction));
  }

  private async check(principalId: string, scope: string, allows: (role: import('./role-definitions.js').CompiledRole) => boolean): Promise<boolean> {
    for (const a of await this.assignments.forPrincipal(principalId)) {
      if (!scopeWithin(scope, a.properties.scope)) continue;
      const role = this.definitions.get(a.properties.roleDefinitionId);
      if (role && allows(role)) return true;
    }
    return false;
  }
}
