// `apim-local apim subscription create|show|list|update|delete` and `apim subscription keys list|
// regenerate`: API Management subscriptions (apim-local's own; az has none). A subscription's scope is
// one API (--api-id), one product (--product-id) or all APIs (the default). Its keys are never shown by
// show or list (primaryKey and secondaryKey are null, as the SDK sees them): `keys list` prints them
// (listSecrets), `keys regenerate` replaces one and prints both.
import type { Command } from 'commander';
import { action, parseChoice, parseThreeState, withCommonOptions, type CliContext } from '../command.js';
import { UsageError } from '../errors.js';
import {
  confirmed, contractView, create, generatedId, get, ifMatchOption, list, post, pyDateTime, remove, serviceOptions, servicePath, write,
  type Resource, type ServiceOptions,
} from './apim-common.js';

const SUBSCRIPTION_FIELDS = [
  'allowTracing', 'createdDate', 'displayName', 'endDate', 'expirationDate', 'notificationDate', 'ownerId', 'primaryKey', 'scope',
  'secondaryKey', 'startDate', 'state', 'stateComment',
] as const;
const DATES = ['createdDate', 'endDate', 'expirationDate', 'notificationDate', 'startDate'];
const STATES = ['active', 'cancelled', 'expired', 'rejected', 'submitted', 'suspended'] as const;
const KEY_KINDS = ['primary', 'secondary'] as const;

function subscriptionView(b: Resource): Resource {
  const out = contractView(b, SUBSCRIPTION_FIELDS);
  for (const d of DATES) out[d] = pyDateTime(out[d]);
  return out;
}

interface SidOptions extends ServiceOptions { subscriptionId: string }
interface PropertyOptions { displayName?: string; state?: string; allowTracing?: string | boolean; primaryKey?: string; secondaryKey?: string; ownerId?: string }
interface ScopeOptions { apiId?: string; productId?: string; allApis?: boolean; scope?: string }

const sidPath = (ctx: CliContext, o: SidOptions, ...rest: string[]) => servicePath(ctx, o, 'subscriptions', o.subscriptionId, ...rest);

function propertyOptions(cmd: Command): Command {
  return cmd
    .option('--state <state>', `${STATES.join(' | ')} (create: default active)`)
    .option('--allow-tracing [bool]', 'whether the keys may turn on request tracing (Ocp-Apim-Trace) (true|false)')
    .option('--primary-key <key>', 'the primary key (default: generated)')
    .option('--secondary-key <key>', 'the secondary key (default: generated)')
    .option('--owner-id <id>', 'the owner (a user id), if any');
}

function scopeOptions(cmd: Command): Command {
  return cmd
    .option('--api-id <id>', 'scope: one API')
    .option('--product-id <id>', 'scope: one product')
    .option('--all-apis', 'scope: all APIs of the instance (the default)')
    .option('--scope <scope>', 'scope as API Management writes it: /apis, /apis/{apiId} or /products/{productId}');
}

/** The scope from the flags: at most one of them; none is all APIs on create, unchanged on update. */
function scopeOf(o: ScopeOptions): string | undefined {
  const given = [o.apiId, o.productId, o.allApis, o.scope].filter((v) => v !== undefined);
  if (given.length > 1) throw new UsageError('usage error: specify at most one: --api-id, --product-id, --all-apis, --scope');
  if (o.apiId !== undefined) return `/apis/${o.apiId}`;
  if (o.productId !== undefined) return `/products/${o.productId}`;
  if (o.allApis) return '/apis';
  return o.scope;
}

function properties(o: PropertyOptions): Resource {
  const p: Resource = {};
  if (o.displayName !== undefined) p.displayName = o.displayName;
  const state = parseChoice('--state', o.state, STATES);
  if (state !== undefined) p.state = state;
  const tracing = parseThreeState('--allow-tracing', o.allowTracing);
  if (tracing !== undefined) p.allowTracing = tracing;
  if (o.primaryKey !== undefined) p.primaryKey = o.primaryKey;
  if (o.secondaryKey !== undefined) p.secondaryKey = o.secondaryKey;
  if (o.ownerId !== undefined) p.ownerId = o.ownerId;
  return p;
}

const keysOf = (r: Resource | undefined): Resource => ({ primaryKey: r?.primaryKey ?? null, secondaryKey: r?.secondaryKey ?? null });

export function registerApimSubscription(apim: Command): void {
  const sub = apim.command('subscription').description('Manage the subscriptions (keys) of an API Management service instance.');

  withCommonOptions(scopeOptions(propertyOptions(serviceOptions(sub.command('create').description('Create a subscription to one API, one product or all APIs.')))))
    .requiredOption('--display-name <name>', 'display name of the subscription')
    .option('--subscription-id <id>', 'identifier of the subscription (default: a new one)')
    .option('--no-wait', 'do not wait for the long-running operation to finish')
    .action(action<ServiceOptions & ScopeOptions & PropertyOptions & { subscriptionId?: string; wait: boolean }>(async (ctx, o) => {
      const p: Resource = { scope: scopeOf(o) ?? '/apis', ...properties(o) };
      p.state ??= 'active';
      const created = await create(ctx, sidPath(ctx, { ...o, subscriptionId: o.subscriptionId ?? generatedId() }), { properties: p }, o.wait);
      return created ? { value: subscriptionView(created) } : undefined;
    }));

  withCommonOptions(serviceOptions(sub.command('show').description('Show a subscription (without its keys: see keys list).')))
    .requiredOption('--subscription-id <id>', 'identifier of the subscription')
    .action(action<SidOptions>(async (ctx, o) => ({ value: subscriptionView(await get(ctx, sidPath(ctx, o))) })));

  withCommonOptions(serviceOptions(sub.command('list').description('List the subscriptions of an instance (without their keys).')))
    .action(action<ServiceOptions>(async (ctx, o) => ({ value: (await list(ctx, servicePath(ctx, o, 'subscriptions'))).map(subscriptionView) })));

  withCommonOptions(ifMatchOption(scopeOptions(propertyOptions(serviceOptions(sub.command('update').description('Update a subscription (what is not given stays).'))))))
    .requiredOption('--subscription-id <id>', 'identifier of the subscription')
    .option('--display-name <name>', 'display name of the subscription')
    .action(action<SidOptions & ScopeOptions & PropertyOptions & { ifMatch?: string }>(async (ctx, o) => {
      const scope = scopeOf(o);
      const p = { ...(scope !== undefined ? { scope } : {}), ...properties(o) };
      return { value: subscriptionView(await write(ctx, 'PATCH', sidPath(ctx, o), { properties: p }, o.ifMatch ?? '*')) };
    }));

  withCommonOptions(ifMatchOption(serviceOptions(sub.command('delete').description('Delete a subscription (its keys stop working).'))))
    .requiredOption('--subscription-id <id>', 'identifier of the subscription')
    .option('-y, --yes', 'do not prompt for confirmation')
    .action(action<SidOptions & { ifMatch?: string; yes?: boolean }>(async (ctx, o) => {
      if (!(await confirmed(ctx, o.yes))) return;
      await remove(ctx, sidPath(ctx, o), o.ifMatch);
    }));

  const keys = sub.command('keys').description("Show or regenerate a subscription's keys.");

  withCommonOptions(serviceOptions(keys.command('list').description('The primary and secondary keys of a subscription (listSecrets).')))
    .requiredOption('--subscription-id <id>', 'identifier of the subscription')
    .action(action<SidOptions>(async (ctx, o) => ({ value: keysOf(await post(ctx, sidPath(ctx, o, 'listSecrets'))) })));

  withCommonOptions(serviceOptions(keys.command('regenerate').description('Replace the primary or secondary key with a new one; prints both keys.')))
    .requiredOption('--subscription-id <id>', 'identifier of the subscription')
    .requiredOption('--key-kind <kind>', `the key to replace: ${KEY_KINDS.join(' | ')}`)
    .action(action<SidOptions & { keyKind: string }>(async (ctx, o) => {
      const kind = parseChoice('--key-kind', o.keyKind, KEY_KINDS)!;
      await post(ctx, sidPath(ctx, o, kind === 'primary' ? 'regeneratePrimaryKey' : 'regenerateSecondaryKey'));
      return { value: keysOf(await post(ctx, sidPath(ctx, o, 'listSecrets'))) };
    }));
}
