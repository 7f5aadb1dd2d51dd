// `apim-local role assignment create|list|delete` and `role definition list`: az's role commands.
import type { Command } from 'commander';
import { action, withCommonOptions } from '../command.js';
import { resolveAssignee } from '../admin-client.js';
import { AzureApiError, CliError, UsageError } from '../errors.js';
import {
  buildScope, createAssignment, definitionView, deleteAssignmentById, describeAssignments, resolveRoleId, searchAssignments,
  atScope, type Resource,
} from '../rbac.js';
import { API_VERSIONS } from '../arm-client.js';

interface ScopeOptions { scope?: string; resourceGroup?: string }

const assignmentTable = (items: Resource[]) => items.map((a) => ({ Principal: a.principalName, Role: a.roleDefinitionName, Scope: a.scope }));
const definitionTable = (items: Resource[]) => items.map((d) => ({ Name: d.roleName, Type: d.roleType, Description: d.description }));

function scopeOptions(cmd: Command): Command {
  return cmd
    .option('--scope <scope>', 'scope: a resource id, e.g. /subscriptions/{id}/resourceGroups/{name}')
    .option('-g, --resource-group <name>', 'a resource group of the default subscription, as the scope');
}

export function registerRole(program: Command): void {
  const role = program.command('role').description('Manage Azure role-based access control (RBAC).');
  const assignment = role.command('assignment').description('Manage role assignments.');
  const definition = role.command('definition').description('Manage role definitions.');

  withCommonOptions(scopeOptions(assignment.command('create').description('Create a new role assignment for a service principal.')))
    .option('--assignee <id>', "the service principal's appId or object id")
    .option('--assignee-object-id <guid>', 'the object id, used without looking it up')
    .option('--assignee-principal-type <type>', 'with --assignee-object-id: User, Group, ServicePrincipal, ...')
    .requiredOption('--role <role>', 'role name (e.g. Reader) or role definition id (a GUID or a full id)')
    .option('--description <text>', 'description of the role assignment')
    .option('--name <guid>', 'a GUID for the assignment name (default: a new one)')
    .action(action<ScopeOptions & { assignee?: string; assigneeObjectId?: string; assigneePrincipalType?: string; role: string; description?: string; name?: string }>(async (ctx, o) => {
      if (Boolean(o.assignee) === Boolean(o.assigneeObjectId)) throw new UsageError('usage error: --assignee STRING | --assignee-object-id GUID');
      if (o.assigneePrincipalType && !o.assigneeObjectId) throw new UsageError('usage error: --assignee-object-id GUID --assignee-principal-type TYPE');
      if (!o.scope && !o.resourceGroup) throw new UsageError('the following arguments are required: --scope (or --resource-group/-g)');
      const scope = buildScope(ctx, o.resourceGroup, o.scope);
      const principal = o.assignee
        ? await resolveAssignee(ctx.admin, o.assignee, ctx.warn)
        : { objectId: o.assigneeObjectId!, principalType: o.assigneePrincipalType };
      const roleId = await resolveRoleId(ctx, o.role, scope);
      try {
        return { value: await createAssignment(ctx, { scope, roleId, principalId: principal.objectId, principalType: principal.principalType, description: o.description, name: o.name }) };
      } catch (e) {
        // As az: creating an assignment that exists returns the existing one.
        if (!(e instanceof AzureApiError && e.status === 409 && /role assignment already exists/i.test(e.message))) throw e;
        const existing = await searchAssignments(ctx, { scope, assigneeObjectId: principal.objectId, role: roleId });
        if (existing.length === 0) throw e;
        return { value: (await describeAssignments(ctx, existing, scope))[0] };
      }
    }));

  withCommonOptions(scopeOptions(assignment.command('list').description('List role assignments (by default those at the subscription scope).')))
    .option('--assignee <id>', "only those of this service principal (appId or object id)")
    .option('--role <role>', 'only those of this role (name or id)')
    .option('--all', 'everything in the subscription, at any scope')
    .option('--include-inherited', 'also those at scopes above --scope')
    .action(action<ScopeOptions & { assignee?: string; role?: string; all?: boolean; includeInherited?: boolean }>(async (ctx, o) => {
      if (o.all && (o.scope || o.resourceGroup)) throw new UsageError('group or scope are not required when --all is used');
      const scope = o.all ? undefined : buildScope(ctx, o.resourceGroup, o.scope);
      const assigneeObjectId = o.assignee ? (await resolveAssignee(ctx.admin, o.assignee, ctx.warn)).objectId : undefined;
      const items = await searchAssignments(ctx, { scope, assigneeObjectId, role: o.role, includeInherited: o.includeInherited });
      return { value: await describeAssignments(ctx, items, scope), table: assignmentTable };
    }));

  withCommonOptions(scopeOptions(assignment.command('delete').description('Delete role assignments.')))
    .option('--ids <ids...>', 'space-separated role assignment ids')
    .option('--assignee <id>', "the service principal's appId or object id")
    .option('--role <role>', 'role name or id')
    .option('--include-inherited', 'also those at scopes above --scope')
    .option('-y, --yes', 'with no filter at all: delete every assignment of the subscription without asking')
    .action(action<ScopeOptions & { ids?: string[]; assignee?: string; role?: string; includeInherited?: boolean; yes?: boolean }>(async (ctx, o) => {
      if (o.ids && o.ids.length > 0) {
        for (const [flag, value] of [['--assignee', o.assignee], ['--role', o.role], ['--resource-group', o.resourceGroup], ['--scope', o.scope], ['--include-inherited', o.includeInherited]] as const) {
          if (value) ctx.warn(`option '${flag}' will be ignored due to use of '--ids'.`);
        }
        for (const id of o.ids) await deleteAssignmentById(ctx, id);
        return;
      }
      if (!o.assignee && !o.role && !o.resourceGroup && !o.scope && !o.yes
        && !(await ctx.confirm('This will delete all role assignments under the subscription. Are you sure?'))) return;
      const scope = buildScope(ctx, o.resourceGroup, o.scope);
      const assigneeObjectId = o.assignee ? (await resolveAssignee(ctx.admin, o.assignee, ctx.warn)).objectId : undefined;
      const items = await searchAssignments(ctx, { scope, assigneeObjectId, role: o.role, includeInherited: o.includeInherited });
      if (items.length === 0) throw new CliError('No matched assignments were found to delete');
      for (const a of items) await deleteAssignmentById(ctx, String(a.id));
    }));

  withCommonOptions(scopeOptions(definition.command('list').description('List role definitions.')))
    .option('-n, --name <name>', 'a role name (e.g. Reader) or its GUID')
    .option('--custom-role-only', 'only custom roles')
    .action(action<ScopeOptions & { name?: string; customRoleOnly?: boolean }>(async (ctx, o) => {
      const scope = buildScope(ctx, o.resourceGroup, o.scope);
      let roles = await ctx.arm.list<Resource>(atScope(scope, 'roleDefinitions'), API_VERSIONS.authorization);
      if (o.name) roles = roles.filter((r) => r.name === o.name || r.properties?.roleName === o.name);
      if (o.customRoleOnly) roles = roles.filter((r) => r.properties?.type === 'CustomRole');
      return { value: roles.map(definitionView), table: definitionTable };
    }));
}
