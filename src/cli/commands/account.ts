// `apim-local account show|list|get-access-token`: az's account commands. The signed-in identity is
// the admin application of connection.json; the subscription is the data directory's one.
import type { Command } from 'commander';
import { action, withCommonOptions, type CliContext } from '../command.js';
import { API_VERSIONS } from '../arm-client.js';
import { CliError, UsageError } from '../errors.js';

/** az's default resource for get-access-token (Resource Manager, as the classic audience). */
const DEFAULT_RESOURCE = 'https://management.core.windows.net/';

interface SubscriptionOption { subscription?: string }

async function subscription(ctx: CliContext, requested: string | undefined): Promise<Record<string, any>> {
  const sub = await ctx.arm.get<Record<string, any>>(ctx.arm.subscriptionScope, API_VERSIONS.subscriptions);
  if (requested !== undefined && requested.toLowerCase() !== String(sub.subscriptionId).toLowerCase() && requested !== sub.displayName) {
    throw new CliError(`Subscription '${requested}' not found. Check the spelling and casing and try again.`);
  }
  return sub;
}

/** One entry of az's profile: the subscription and who is signed in to it. */
function accountView(ctx: CliContext, sub: Record<string, any>): Record<string, unknown> {
  return {
    homeTenantId: ctx.connection.tenantId, id: sub.subscriptionId, isDefault: true, managedByTenants: sub.managedByTenants ?? [],
    name: sub.displayName, state: sub.state, tenantId: sub.tenantId ?? ctx.connection.tenantId,
    user: { name: ctx.connection.clientId, type: 'servicePrincipal' },
  };
}

/** Python's datetime.fromtimestamp(t).strftime('%Y-%m-%d %H:%M:%S.%f'): local time. */
function localTimestamp(unixSeconds: number): string {
  const d = new Date(unixSeconds * 1000);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds() * 1000, 6)}`;
}

export function registerAccount(program: Command): void {
  const account = program.command('account').description('Manage the subscription and the signed-in identity.');

  withCommonOptions(account.command('show').description('Get the details of the subscription.'))
    .option('-s, --subscription <id>', 'name or id of the subscription (there is one per data directory)')
    .action(action<SubscriptionOption>(async (ctx, o) => {
      const sub = await subscription(ctx, o.subscription);
      return { value: { environmentName: 'AzureCloud', ...accountView(ctx, sub) } };
    }));

  withCommonOptions(account.command('list').description('Get the list of subscriptions.'))
    .action(action(async (ctx) => {
      const sub = await subscription(ctx, undefined);
      return {
        value: [{ cloudName: 'AzureCloud', ...accountView(ctx, sub) }],
        table: (items: Record<string, any>[]) => items.map((a) => ({
          Name: a.name, CloudName: a.cloudName, SubscriptionId: a.id, TenantId: a.tenantId, State: a.state, IsDefault: a.isDefault,
        })),
      };
    }));

  withCommonOptions(account.command('get-access-token').description('Get a token for the admin application to access a resource.'))
    .option('--resource <resource>', `resource (audience) of the token (default ${DEFAULT_RESOURCE})`)
    .option('--scope <scopes...>', "space-separated scopes (v2), e.g. 'https://vault.azure.net/.default'")
    .option('-s, --subscription <id>', 'name or id of the subscription')
    .action(action<SubscriptionOption & { resource?: string; scope?: string[] }>(async (ctx, o) => {
      if (o.resource && o.scope) throw new UsageError('usage error: --resource and --scope are mutually exclusive');
      if (o.subscription !== undefined) await subscription(ctx, o.subscription);
      const token = await ctx.server.token(o.scope ? { scope: o.scope.join(' ') } : { resource: o.resource ?? DEFAULT_RESOURCE });
      return {
        value: {
          accessToken: token.accessToken, expiresOn: localTimestamp(token.expiresOn), expires_on: token.expiresOn,
          subscription: ctx.connection.subscriptionId, tenant: ctx.connection.tenantId, tokenType: token.tokenType,
        },
      };
    }));
}
