// `apim-local ad sp create-for-rbac|list|show|delete`: az's service principal commands, over
// apim-local's admin API where az calls Microsoft Graph.
import type { Command } from 'commander';
import { action, withCommonOptions, type CliContext } from '../command.js';
import type { ApplicationCredentials, DirectoryPrincipal } from '../admin-client.js';
import { AzureApiError, CliError, UsageError } from '../errors.js';
import { buildScope, createAssignment, resolveRoleId } from '../rbac.js';

const CREDENTIAL_WARNING = 'The output includes credentials that you must protect. Be sure that you do not include these credentials in '
  + 'your code or check the credentials into your source control. For more information, see https://aka.ms/azadsp-cli';

/** A service principal in Microsoft Graph's shape (the fields apim-local has). */
function servicePrincipalView(p: DirectoryPrincipal): Record<string, unknown> {
  return {
    accountEnabled: true, appDisplayName: p.principalType === 'Application' ? p.displayName : null, appId: p.appId,
    displayName: p.displayName, id: p.objectId, servicePrincipalNames: [p.appId], servicePrincipalType: p.principalType,
  };
}

async function findServicePrincipal(ctx: CliContext, identifier: string): Promise<DirectoryPrincipal> {
  const p = await ctx.admin.findPrincipal(identifier);
  if (!p) throw new CliError(`Service principal '${identifier}' doesn't exist`);
  return p;
}

/** az's default display name: azure-cli-YYYY-MM-DD-HH-MM-SS (UTC). */
function defaultDisplayName(now = new Date()): string {
  return `azure-cli-${now.toISOString().slice(0, 19).replace('T', '-').replace(/:/g, '-')}`;
}

/** Creates the application, or (as az, by display name) gives an existing one a new password. */
async function createOrResetApplication(ctx: CliContext, displayName: string): Promise<ApplicationCredentials> {
  const existing = (await ctx.admin.listPrincipals()).filter((p) => p.principalType === 'Application' && p.displayName === displayName);
  if (existing.length > 1) {
    throw new CliError(`More than one application have the same display name '${displayName}': (id) ${existing.map((p) => p.objectId).join(', ')}, please remove them first.`);
  }
  if (existing.length === 1) {
    ctx.warn(`Found an existing application instance: (id) ${existing[0].objectId}. We will patch it.`);
    return ctx.admin.resetPassword(existing[0].appId);
  }
  return ctx.admin.createApplication(displayName);
}

export function registerAd(program: Command): void {
  const ad = program.command('ad').description('Manage Microsoft Entra ID objects: service principals.');
  const sp = ad.command('sp').description('Manage service principals.');

  withCommonOptions(sp.command('create-for-rbac').description('Create an application and its service principal, optionally with role assignments.'))
    .option('-n, --name <name>', 'display name of the service principal (default azure-cli-{timestamp})')
    .option('--display-name <name>', 'the same as --name')
    .option('--role <role>', 'role of the service principal on --scopes')
    .option('--scopes <scopes...>', 'space-separated scopes the role assignment applies to')
    .action(action<{ name?: string; displayName?: string; role?: string; scopes?: string[] }>(async (ctx, o) => {
      const scopes = o.scopes ?? [];
      if (Boolean(o.role) !== scopes.length > 0) throw new UsageError('Usage error: To create role assignments, specify both --role and --scopes.');
      const displayName = o.name ?? o.displayName ?? defaultDisplayName();
      const app = await createOrResetApplication(ctx, displayName);
      for (const s of scopes) {
        ctx.warn(`Creating '${o.role}' role assignment under scope '${s}'`);
        const scope = buildScope(ctx, undefined, s);
        const roleId = await resolveRoleId(ctx, o.role!, scope);
        try {
          await createAssignment(ctx, { scope, roleId, principalId: app.objectId, principalType: 'ServicePrincipal' });
        } catch (e) {
          if (!(e instanceof AzureApiError && e.status === 409 && /role assignment already exists/i.test(e.message))) {
            ctx.warn('  Role assignment creation failed.\n');
            throw e;
          }
          ctx.warn('  Role assignment already exists.\n');
        }
      }
      ctx.warn(CREDENTIAL_WARNING);
      return { value: { appId: app.appId, displayName: app.displayName, password: app.password, tenant: app.tenant } };
    }));

  withCommonOptions(sp.command('list').description('List service principals (applications and managed identities).'))
    .option('--display-name <name>', 'only those whose display name starts with this')
    .option('--spn <name>', 'only the one with this service principal name (its appId)')
    .option('--all', 'list all (apim-local always does)')
    .action(action<{ displayName?: string; spn?: string; all?: boolean }>(async (ctx, o) => {
      let all = await ctx.admin.listPrincipals();
      if (o.displayName !== undefined) all = all.filter((p) => p.displayName.toLowerCase().startsWith(o.displayName!.toLowerCase()));
      if (o.spn !== undefined) all = all.filter((p) => p.appId.toLowerCase() === o.spn!.toLowerCase());
      return { value: all.map(servicePrincipalView) };
    }));

  withCommonOptions(sp.command('show').description('Get the details of a service principal.'))
    .requiredOption('--id <id>', 'service principal name (appId) or object id')
    .action(action<{ id: string }>(async (ctx, o) => ({ value: servicePrincipalView(await findServicePrincipal(ctx, o.id)) })));

  withCommonOptions(sp.command('delete').description('Delete a service principal and its application.'))
    .requiredOption('--id <id>', 'service principal name (appId) or object id')
    .action(action<{ id: string }>(async (ctx, o) => {
      const p = await findServicePrincipal(ctx, o.id);
      await ctx.admin.deleteApplication(p.appId);
    }));
}
