// `apim-local group create|show|list|delete|exists`: az's resource group commands.
import type { Command } from 'commander';
import { action, parseTags, withCommonOptions, type CliContext } from '../command.js';
import { API_VERSIONS, encodePath } from '../arm-client.js';
import { UsageError } from '../errors.js';

const V = API_VERSIONS.resources;

interface NameOptions { name?: string; resourceGroup?: string }

/** az's ResourceGroup: every property present, null where unset. */
function groupView(body: Record<string, unknown>): Record<string, unknown> {
  return {
    id: body.id, location: body.location, managedBy: body.managedBy ?? null, name: body.name,
    properties: body.properties ?? null, tags: body.tags ?? null, type: body.type ?? 'Microsoft.Resources/resourceGroups',
  };
}

/** az's table for `group list`. */
const groupListTable = (groups: Record<string, any>[]) =>
  groups.map((g) => ({ Name: g.name, Location: g.location, Status: g.properties?.provisioningState }));

function groupName(o: NameOptions): string {
  const name = o.name ?? o.resourceGroup;
  if (!name) throw new UsageError('the following arguments are required: --name/-n/--resource-group/-g');
  return name;
}

const groupPath = (ctx: CliContext, name: string) => `${ctx.arm.subscriptionScope}/resourcegroups/${encodePath(name)}`;

/** `-n/--name` with az's alias `-g/--resource-group`. */
function nameOptions(cmd: Command): Command {
  return cmd.option('-n, --name <name>', 'name of the resource group').option('-g, --resource-group <name>', 'the same as --name');
}

export function registerGroup(program: Command): void {
  const group = program.command('group').description('Manage resource groups.');

  withCommonOptions(nameOptions(group.command('create').description('Create a new resource group (or update an existing one).')))
    .option('-l, --location <location>', 'location, e.g. westeurope')
    .option('--tags <tags...>', 'space-separated tags: key[=value] [key[=value] ...]; "" clears them')
    .option('--managed-by <id>', 'id of the resource that manages this group')
    .action(action<NameOptions & { location?: string; tags?: string[]; managedBy?: string }>(async (ctx, o) => {
      const name = groupName(o);
      if (!o.location) throw new UsageError('the following arguments are required: --location/-l');
      const tags = parseTags(o.tags);
      const body = { location: o.location, ...(tags ? { tags } : {}), ...(o.managedBy ? { managedBy: o.managedBy } : {}) };
      return { value: groupView(await ctx.arm.put(groupPath(ctx, name), V, body)) };
    }));

  withCommonOptions(nameOptions(group.command('show').description('Gets a resource group.')))
    .action(action<NameOptions>(async (ctx, o) => ({ value: groupView(await ctx.arm.get(groupPath(ctx, groupName(o)), V)) })));

  withCommonOptions(group.command('list').description('List resource groups.'))
    .option('--tag <tag>', "a single tag in 'key[=value]' format; only groups with it are listed")
    .action(action<{ tag?: string }>(async (ctx, o) => {
      let filter: string | undefined;
      if (o.tag !== undefined) {
        const i = o.tag.indexOf('=');
        const quote = (s: string) => s.replace(/'/g, "''");
        filter = i === -1 ? `tagName eq '${quote(o.tag)}'` : `tagName eq '${quote(o.tag.slice(0, i))}' and tagValue eq '${quote(o.tag.slice(i + 1))}'`;
      }
      const groups = await ctx.arm.list(`${ctx.arm.subscriptionScope}/resourcegroups`, V, { $filter: filter });
      return { value: groups.map(groupView), table: groupListTable };
    }));

  withCommonOptions(nameOptions(group.command('delete').description('Delete a resource group and everything in it.')))
    .option('-y, --yes', 'do not prompt for confirmation')
    .option('--no-wait', 'do not wait for the deletion to finish')
    .action(action<NameOptions & { yes?: boolean; wait: boolean }>(async (ctx, o) => {
      const name = groupName(o);
      if (!(await ctx.confirmed(o.yes))) return;
      await ctx.arm.delete(groupPath(ctx, name), V, { wait: o.wait });
    }));

  withCommonOptions(nameOptions(group.command('exists').description('Check if a resource group exists.')))
    .action(action<NameOptions>(async (ctx, o) => ({ value: await ctx.arm.exists(groupPath(ctx, groupName(o)), V) })));
}
