// `apim-local identity create|show|list|delete`: az's user-assigned identity commands; and
// `identity env`, apim-local's own: the environment that lets a local process get the managed identity
// tokens of a resource (an API Management instance), as App Service or IMDS would give them.
import type { Command } from 'commander';
import { action, parseChoice, parseIntArg, parseTags, withCommonOptions, type CliContext } from '../command.js';
import { API_VERSIONS, encodePath } from '../arm-client.js';
import { UsageError } from '../errors.js';
import { groupLocation, resourcePath, userAssignedIdentityView, USER_ASSIGNED_TYPE, type Resource } from '../managed-identity.js';

const V = API_VERSIONS.managedIdentity;
const USER_ASSIGNED_ID = /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.ManagedIdentity\/userAssignedIdentities\/[^/]+$/i;
const PROTOCOLS = ['appservice', 'imds'] as const;

interface NameOptions { resourceGroup?: string; name?: string }
interface IdsOptions extends NameOptions { ids?: string[] }

const identityPath = (ctx: CliContext, group: string, name: string) => resourcePath(ctx, group, USER_ASSIGNED_TYPE, name);

/** The identities a show/delete names: `--ids`, or `-g` and `-n` (URL paths). */
function targets(ctx: CliContext, o: IdsOptions): string[] {
  if (o.ids && o.ids.length > 0) {
    if (o.resourceGroup || o.name) throw new UsageError('usage error: --ids ID [ID ...] | --resource-group/-g NAME --name/-n NAME, not both');
    return o.ids.map((id) => {
      if (!USER_ASSIGNED_ID.test(id)) {
        throw new UsageError(`'${id}' is not the id of a user-assigned identity: /subscriptions/{id}/resourceGroups/{group}/providers/${USER_ASSIGNED_TYPE}/{name}`);
      }
      return encodePath(id);
    });
  }
  const missing = [!o.resourceGroup && '--resource-group/-g', !o.name && '--name/-n'].filter(Boolean);
  if (missing.length > 0) throw new UsageError(`the following arguments are required: ${missing.join(', ')} (or --ids)`);
  return [identityPath(ctx, o.resourceGroup!, o.name!)];
}

function idsOptions(cmd: Command): Command {
  return cmd
    .option('-g, --resource-group <name>', 'name of the resource group')
    .option('-n, --name <name>', 'name of the identity')
    .option('--ids <ids...>', 'one or more identity resource ids (instead of -g and -n)');
}

/** POSIX shell single quotes: safe for any value. */
const shellQuote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;

export function registerIdentity(program: Command): void {
  const identity = program.command('identity').description('Manage user-assigned managed identities, and run local processes as a resource.');

  withCommonOptions(identity.command('create').description('Create an identity in the resource group (or update its tags).'))
    .requiredOption('-g, --resource-group <name>', 'name of the resource group')
    .requiredOption('-n, --name <name>', 'name of the identity')
    .option('-l, --location <location>', "location (default: the resource group's)")
    .option('--tags <tags...>', 'space-separated tags: key[=value] [key[=value] ...]; "" clears them')
    .action(action<{ resourceGroup: string; name: string; location?: string; tags?: string[] }>(async (ctx, o) => {
      const tags = parseTags(o.tags);
      const location = o.location ?? await groupLocation(ctx, o.resourceGroup);
      const created = await ctx.arm.put<Resource>(identityPath(ctx, o.resourceGroup, o.name), V, { location, ...(tags ? { tags } : {}) });
      return { value: userAssignedIdentityView(created) };
    }));

  withCommonOptions(idsOptions(identity.command('show').description('Get an identity.')))
    .action(action<IdsOptions>(async (ctx, o) => {
      const items: Resource[] = [];
      for (const path of targets(ctx, o)) items.push(userAssignedIdentityView(await ctx.arm.get<Resource>(path, V)));
      return { value: items.length === 1 ? items[0] : items };
    }));

  withCommonOptions(identity.command('list').description('List the identities of a resource group, or of the subscription.'))
    .option('-g, --resource-group <name>', 'name of the resource group (default: the whole subscription)')
    .action(action<{ resourceGroup?: string }>(async (ctx, o) => {
      const scope = o.resourceGroup ? `${ctx.arm.subscriptionScope}/resourceGroups/${encodePath(o.resourceGroup)}` : ctx.arm.subscriptionScope;
      const items = await ctx.arm.list<Resource>(`${scope}/providers/${USER_ASSIGNED_TYPE}`, V);
      return { value: items.map(userAssignedIdentityView) };
    }));

  withCommonOptions(idsOptions(identity.command('delete').description('Delete an identity (and its service principal).')))
    .action(action<IdsOptions>(async (ctx, o) => {
      for (const path of targets(ctx, o)) await ctx.arm.delete(path, V);
    }));

  withCommonOptions(identity.command('env').description(
    "Print the environment that gives a local process the managed identities of a resource: shell 'export' lines "
    + '(eval "$(apim-local identity env --resource-id ID)"), or JSON with -o json. apim-local\'s own; az has no equivalent.',
  ), { ownDefaultOutput: true })
    .requiredOption('--resource-id <id>', 'resource id of the resource (e.g. an API Management instance) whose identities to use')
    .option('--protocol <protocol>', 'appservice: IDENTITY_ENDPOINT and IDENTITY_HEADER (default); imds: AZURE_POD_IDENTITY_AUTHORITY_HOST')
    .option('--rotate', 'revoke every secret issued for this resource before, then print a new one')
    .option('--expires-in-hours <n>', 'how long the secret works (1-720, default 24)')
    .action(action<{ resourceId: string; protocol?: string; rotate?: boolean; expiresInHours?: string }>(async (ctx, o) => {
      const protocol = parseChoice('--protocol', o.protocol, PROTOCOLS) ?? 'appservice';
      const expiresInHours = parseIntArg('--expires-in-hours', o.expiresInHours);
      if (expiresInHours !== undefined && (expiresInHours < 1 || expiresInHours > 720)) throw new UsageError(`argument --expires-in-hours: ${expiresInHours} is not from 1 to 720.`);
      const env = await ctx.admin.identityEnv(o.resourceId, { ...(o.rotate ? { rotate: true } : {}), ...(expiresInHours !== undefined ? { expiresInHours } : {}) });
      const value: Record<string, string> = protocol === 'imds'
        ? { AZURE_POD_IDENTITY_AUTHORITY_HOST: env.AZURE_POD_IDENTITY_AUTHORITY_HOST }
        : { IDENTITY_ENDPOINT: env.IDENTITY_ENDPOINT, IDENTITY_HEADER: env.IDENTITY_HEADER };
      if (o.output !== undefined || o.query !== undefined) return { value };
      // The SDKs prefer the App Service variables to IMDS: the IMDS form unsets them.
      const lines = protocol === 'imds' ? ['unset IDENTITY_ENDPOINT IDENTITY_HEADER'] : [];
      for (const [k, v] of Object.entries(value)) lines.push(`export ${k}=${shellQuote(v)}`);
      return { value, text: `${lines.join('\n')}\n` };
    }));
}
