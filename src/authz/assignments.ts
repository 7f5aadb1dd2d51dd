// Role assignments: who holds which role at which scope. Scopes are ARM ids, compared case-insensitively;
// an assignment applies at its scope and every scope below it.
import { sql, type Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import type { Clock } from '../common/clock.js';

export interface RoleAssignment {
  id: string;
  type: 'Microsoft.Authorization/roleAssignments';
  name: string;
  properties: {
    roleDefinitionId: string;
    principalId: string;
    principalType: string;
    scope: string;
    condition: string | null;
    conditionVersion: string | null;
    description: string | null;
    createdOn: string;
    updatedOn: string;
    createdBy: string | null;
    updatedBy: string | null;
    delegatedManagedIdentityResourceId: string | null;
  };
}

export const scopeKey = (scope: string): string => (scope === '' || scope === '/' ? '/' : scope.toLowerCase().replace(/\/+$/, ''));

/** True when `scope` is `ancestor` or lies below it. */
export function scopeWithin(scope: string, ancestor: string): boolean {
  const s = scopeKey(scope);
  const a = scopeKey(ancestor);
  return a === '/' || s === a || s.startsWith(a + '/');
}

/**
 * How long a principal's assignments are served from memory. Writes in this process clear the cache at
 * once; another process sharing the PostgreSQL store is followed within this time.
 */
const CACHE_TTL_MS = 1000;

export class RoleAssignments {
  private readonly byPrincipal = new Map<string, { atMs: number; list: RoleAssignment[] }>();

  constructor(private readonly db: Kysely<Database>, private readonly clock: Clock) {}

  async get(name: string): Promise<RoleAssignment | undefined> {
    const row = await this.db.selectFrom('authz_role_assignments').select('body').where('name', '=', name.toLowerCase()).executeTakeFirst();
    return row ? (JSON.parse(row.body) as RoleAssignment) : undefined;
  }

  async findExisting(scope: string, principalId: string, roleDefinitionGuid: string): Promise<RoleAssignment | undefined> {
    const rows = await this.db.selectFrom('authz_role_assignments').select(['body', 'role_definition_id'])
      .where('scope_key', '=', scopeKey(scope)).where('principal_id', '=', principalId.toLowerCase()).execute();
    const hit = rows.find((r) => r.role_definition_id === roleDefinitionGuid.toLowerCase());
    return hit ? (JSON.parse(hit.body) as RoleAssignment) : undefined;
  }

  async create(input: { name: string; scope: string; roleDefinitionId: string; roleDefinitionGuid: string; principalId: string; principalType: string; description?: string | null; createdBy: string | null }): Promise<RoleAssignment> {
    const now = this.clock.nowMs();
    const iso = new Date(now).toISOString();
    const scope = input.scope === '' ? '/' : input.scope;
    const assignment: RoleAssignment = {
      id: `${scope === '/' ? '' : scope}/providers/Microsoft.Authorization/roleAssignments/${input.name}`,
      type: 'Microsoft.Authorization/roleAssignments',
      name: input.name,
      properties: {
        roleDefinitionId: input.roleDefinitionId, principalId: input.principalId, principalType: input.principalType,
        scope, condition: null, conditionVersion: null, description: input.description ?? null,
        createdOn: iso, updatedOn: iso, createdBy: input.createdBy, updatedBy: input.createdBy,
        delegatedManagedIdentityResourceId: null,
      },
    };
    await this.db.insertInto('authz_role_assignments').values({
      name: input.name.toLowerCase(), scope_key: scopeKey(scope), principal_id: input.principalId.toLowerCase(),
      role_definition_id: input.roleDefinitionGuid.toLowerCase(), body: JSON.stringify(assignment), created_ms: now,
    }).execute();
    this.byPrincipal.clear();
    return assignment;
  }

  async delete(name: string): Promise<RoleAssignment | undefined> {
    const existing = await this.get(name);
    if (!existing) return undefined;
    await this.db.deleteFrom('authz_role_assignments').where('name', '=', name.toLowerCase()).execute();
    this.byPrincipal.clear();
    return existing;
  }

  /** Assignments of one principal (all scopes): the access check's hot path, cached briefly. */
  async forPrincipal(principalId: string): Promise<RoleAssignment[]> {
    const key = principalId.toLowerCase();
    const now = this.clock.nowMs();
    const hit = this.byPrincipal.get(key);
    if (hit && now - hit.atMs < CACHE_TTL_MS) return hit.list;
    const rows = await this.db.selectFrom('authz_role_assignments').select('body').where('principal_id', '=', key).execute();
    const list = rows.map((r) => JSON.parse(r.body) as RoleAssignment);
    if (this.byPrincipal.size > 10_000) this.byPrincipal.clear();
    this.byPrincipal.set(key, { atMs: now, list });
    return list;
  }

  /** Every assignment, oldest first (list filters are applied by the caller). */
  async all(): Promise<RoleAssignment[]> {
    const rows = await this.db.selectFrom('authz_role_assignments').select('body').orderBy('created_ms').execute();
    return rows.map((r) => JSON.parse(r.body) as RoleAssignment);
  }

  /** Removes the assignments at or below a scope (its resource was deleted). */
  async deleteWithin(scope: string): Promise<void> {
    const key = scopeKey(scope);
    // ESCAPE is explicit: SQLite's LIKE has no default escape character (PostgreSQL's is the backslash).
    const pattern = `${key.replace(/[\\%_]/g, (c) => '\\' + c)}/%`;
    await this.db.deleteFrom('authz_role_assignments')
      .where((eb) => eb.or([eb('scope_key', '=', key), sql<boolean>`${eb.ref('scope_key')} like ${pattern} escape '\\'`]))
      .execute();
    this.byPrincipal.clear();
  }
}
