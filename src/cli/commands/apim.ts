// `apim-local apim create|show|list|update|delete` (az's API Management service commands) and
// `apim identity assign|remove|show` (the instance's managed identities, as az's `containerapp identity`),
// `apim hostname set|list|remove` (apim-hostname.ts).
import type { Command } from 'commander';
import {
  action, parseChoice, parseIntArg, parseTags, parseThreeState, withCommonOptions, type CliContext,
} from '../command.js';
import { API_VERSIONS, encodePath } from '../arm-client.js';
import { CliError, UsageError } from '../errors.js';
import {
  groupLocation, hasSystemAssigned, hasUserAssigned, identityType, resourcePath, serviceIdentityView, userAssignedIdentityId,
  type Resource,
} from '../managed-identity.js';
import { registerChildGroups } from './child-group.js';
import { APIM_CHILD_GROUPS } from './apim-children.js';
import { registerHostnameCommands } from './apim-hostname.js';

const V = API_VERSIONS.apiManagement;
const SERVICE_TYPE = 'Microsoft.ApiManagement/service';
const SKUS = ['Developer', 'Standard', 'Premium', 'Basic', 'Consumption', 'Isolated', 'BasicV2', 'StandardV2', 'PremiumV2'] as const;

/** The fields of the SDK's ApiManagementServiceResource that az prints (null where unset). */
const SERVICE_FIELDS = [
  'additionalLocations', 'apiVersionConstraint', 'certificates', 'createdAtUtc', 'customProperties', 'developerPortalUrl',
  'disableGateway', 'enableClientCertificate', 'etag', 'gatewayRegionalUrl', 'gatewayUrl', 'hostnameConfigurations', 'id',
  'identity', 'location', 'managementApiUrl', 'name', 'natGatewayState', 'notificationSenderEmail', 'outboundPublicIpAddresses',
  'platformVersion', 'portalUrl', 'privateEndpointConnections', 'privateIpAddresses', 'provisioningState', 'publicIpAddressId',
  'publicIpAddresses', 'publicNetworkAccess', 'publisherEmail', 'publisherName', 'restore', 'scmUrl', 'sku', 'systemData', 'tags',
  'targetProvisioningState', 'type', 'virtualNetworkConfiguration', 'virtualNetworkType', 'zones',
];
/** Wire names the Python SDK spells differently (az prints the SDK's attribute names in camelCase). */
const RENAMED: Record<string, string> = {
  publicIPAddresses: 'publicIpAddresses', privateIPAddresses: 'privateIpAddresses', outboundPublicIPAddresses: 'outboundPublicIpAddresses',
};

/** An instance as az prints it: the properties lifted to the top, every SDK field present. */
function serviceView(body: Resource): Resource {
  const out: Resource = Object.fromEntries(SERVICE_FIELDS.map((f) => [f, null]));
  const { properties, identity, ...top } = body;
  for (const [k, v] of Object.entries({ ...top, ...(properties ?? {}) })) out[RENAMED[k] ?? k] = v ?? null;
  out.identity = identity ? serviceIdentityView(identity) : null;
  return out;
}

/** az's service_output_format: the table of `apim show|list|create`. */
const str = (v: unknown) => (v ? String(v) : ' ');
const serviceTable = (result: Resource | Resource[]) => (Array.isArray(result) ? result : [result]).map((s) => {
  const status: Record<string, string> = { activating: 'Activating', created: 'Activating', failed: 'Error', stopped: 'Stopped', succeeded: 'Online', updating: 'Updating' };
  const state = str(s.provisioningState);
  const ips = (v: unknown) => (Array.isArray(v) && v.length > 0 ? v.join(',') : ' ');
  return {
    NAME: str(s.name), 'RESOURCE GROUP': str(s.resourceGroup), LOCATION: str(s.location), 'GATEWAY ADDR': str(s.gatewayUrl),
    'PUBLIC IP': ips(s.publicIpAddresses), 'PRIVATE IP': ips(s.privateIpAddresses), STATUS: status[state.toLowerCase()] ?? state,
    TIER: str(s.sku?.name), UNITS: str(s.sku?.capacity),
  };
});

interface InstanceOptions { resourceGroup: string; name: string }

const servicePath = (ctx: CliContext, o: InstanceOptions) => resourcePath(ctx, o.resourceGroup, SERVICE_TYPE, o.name);

function instanceOptions(cmd: Command): Command {
  return cmd
    .requiredOption('-g, --resource-group <name>', 'name of the resource group')
    .requiredOption('-n, --name <name>', 'name of the API Management instance');
}

/** `--user-assigned` values (ids or names of identities in the instance's group) → ids, without duplicates. */
function userAssignedIds(ctx: CliContext, group: string, values: string[]): string[] {
  // commander takes the next argument for a required value even when it is an option (argparse does not).
  if (values.length > 0 && values[0].startsWith('-')) throw new UsageError('argument --user-assigned: expected at least one argument');
  const ids = new Map<string, string>();
  for (const v of values) {
    const id = userAssignedIdentityId(ctx, group, v);
    if (ids.has(id.toLowerCase())) ctx.warn('At least one identity was passed twice.');
    ids.set(id.toLowerCase(), id);
  }
  return [...ids.values()];
}

/** The user-assigned identity keys of an instance's identity. */
const assignedKeys = (identity: Resource | undefined): string[] => Object.keys(identity?.userAssignedIdentities ?? {});

export function registerApim(program: Command): void {
  const apim = program.command('apim').description('Manage Azure API Management services.');
  const identity = apim.command('identity').description("Manage an API Management service's managed identities.");

  withCommonOptions(instanceOptions(apim.command('create').description('Create an API Management service instance.')))
    .requiredOption('--publisher-email <email>', 'the e-mail address to receive all system notifications')
    .requiredOption('--publisher-name <name>', 'the name of your organization for the developer portal and e-mail notifications')
    .option('--sku-name <sku>', `the sku: ${SKUS.join(', ')} (default Developer)`)
    .option('--sku-capacity <n>', 'the number of deployed units of the sku (default 1; Consumption: 0)')
    .option('-l, --location <location>', "location (default: the resource group's)")
    .option('--enable-managed-identity [bool]', 'give the instance a system-assigned managed identity (true|false; alone: true)')
    .option('--user-assigned <ids...>', 'user-assigned identities to assign: resource ids, or names of identities in the resource group')
    .option('--tags <tags...>', 'space-separated tags: key[=value] [key[=value] ...]')
    .option('--no-wait', 'do not wait for the long-running operation to finish')
    .action(action<InstanceOptions & {
      publisherEmail: string; publisherName: string; skuName?: string; skuCapacity?: string; location?: string;
      enableManagedIdentity?: string | boolean; userAssigned?: string[]; tags?: string[]; wait: boolean;
    }>(async (ctx, o) => {
      const skuName = parseChoice('--sku-name', o.skuName, SKUS) ?? 'Developer';
      // As az: capacity 1 unless given; a Consumption instance always has 0.
      const capacity = skuName === 'Consumption' ? 0 : parseIntArg('--sku-capacity', o.skuCapacity) ?? 1;
      const system = parseThreeState('--enable-managed-identity', o.enableManagedIdentity) ?? false;
      const user = userAssignedIds(ctx, o.resourceGroup, o.userAssigned ?? []);
      const tags = parseTags(o.tags);
      const body: Resource = {
        location: o.location ?? await groupLocation(ctx, o.resourceGroup),
        sku: { name: skuName, capacity },
        properties: { publisherEmail: o.publisherEmail, publisherName: o.publisherName, notificationSenderEmail: o.publisherEmail },
        ...(tags ? { tags } : {}),
      };
      if (system || user.length > 0) {
        body.identity = { type: identityType(system, user.length > 0) };
        if (user.length > 0) body.identity.userAssignedIdentities = Object.fromEntries(user.map((id) => [id, {}]));
      }
      const created = await ctx.arm.write<Resource>('PUT', servicePath(ctx, o), V, body, { wait: o.wait });
      return created ? { value: serviceView(created), table: serviceTable } : undefined;
    }));

  withCommonOptions(instanceOptions(apim.command('show').description('Show details of an API Management service instance.')))
    .action(action<InstanceOptions>(async (ctx, o) => ({ value: serviceView(await ctx.arm.get<Resource>(servicePath(ctx, o), V)), table: serviceTable })));

  withCommonOptions(apim.command('list').description('List API Management service instances (of a resource group, or of the subscription).'))
    .option('-g, --resource-group <name>', 'name of the resource group (default: the whole subscription)')
    .action(action<{ resourceGroup?: string }>(async (ctx, o) => {
      const scope = o.resourceGroup ? `${ctx.arm.subscriptionScope}/resourceGroups/${encodePath(o.resourceGroup)}` : ctx.arm.subscriptionScope;
      const items = await ctx.arm.list<Resource>(`${scope}/providers/${SERVICE_TYPE}`, V);
      return { value: items.map(serviceView), table: serviceTable };
    }));

  withCommonOptions(instanceOptions(apim.command('update').description('Update an API Management service instance (PATCH: what is not given stays).')))
    .option('--publisher-email <email>', 'the e-mail address to receive all system notifications')
    .option('--publisher-name <name>', 'the name of your organization')
    .option('--sku-name <sku>', `the sku: ${SKUS.join(', ')}`)
    .option('--sku-capacity <n>', 'the number of deployed units of the sku')
    .option('--enable-managed-identity [bool]', 'true: add the system-assigned identity; false: remove it (user-assigned ones stay)')
    .option('--tags <tags...>', 'space-separated tags: key[=value] [key[=value] ...]; "" clears them')
    .option('--no-wait', 'do not wait for the long-running operation to finish')
    .action(action<InstanceOptions & {
      publisherEmail?: string; publisherName?: string; skuName?: string; skuCapacity?: string;
      enableManagedIdentity?: string | boolean; tags?: string[]; wait: boolean;
    }>(async (ctx, o) => {
      const skuName = parseChoice('--sku-name', o.skuName, SKUS);
      const capacity = parseIntArg('--sku-capacity', o.skuCapacity);
      const system = parseThreeState('--enable-managed-identity', o.enableManagedIdentity);
      const tags = parseTags(o.tags);
      const path = servicePath(ctx, o);
      const body: Resource = {};
      const properties: Resource = {};
      if (o.publisherEmail !== undefined) properties.publisherEmail = o.publisherEmail;
      if (o.publisherName !== undefined) properties.publisherName = o.publisherName;
      if (Object.keys(properties).length > 0) body.properties = properties;
      if (tags) body.tags = tags;
      if (skuName !== undefined || capacity !== undefined || system !== undefined) {
        const current = await ctx.arm.get<Resource>(path, V);
        if (skuName !== undefined || capacity !== undefined) {
          const name = skuName ?? current.sku?.name;
          body.sku = { name, capacity: capacity ?? (name === 'Consumption' ? 0 : current.sku?.capacity) };
        }
        // The user-assigned identities stay as they are (PATCH merges them).
        if (system !== undefined) body.identity = { type: identityType(system, hasUserAssigned(current.identity?.type)) };
      }
      const updated = await ctx.arm.write<Resource>('PATCH', path, V, body, { wait: o.wait });
      return updated ? { value: serviceView(updated), table: serviceTable } : undefined;
    }));

  withCommonOptions(instanceOptions(apim.command('delete').description('Delete an API Management service instance (and its system-assigned identity).')))
    .option('-y, --yes', 'do not prompt for confirmation')
    .option('--no-wait', 'do not wait for the long-running operation to finish')
    .action(action<InstanceOptions & { yes?: boolean; wait: boolean }>(async (ctx, o) => {
      if (!(await ctx.confirmed(o.yes))) return;
      await ctx.arm.delete(servicePath(ctx, o), V, { wait: o.wait });
    }));

  withCommonOptions(instanceOptions(identity.command('assign').description('Assign managed identities to the instance; those it has stay.')))
    .option('--system-assigned', 'the system-assigned identity')
    .option('--user-assigned <ids...>', 'user-assigned identities: resource ids, or names of identities in the resource group')
    .action(action<InstanceOptions & { systemAssigned?: boolean; userAssigned?: string[] }>(async (ctx, o) => {
      const add = userAssignedIds(ctx, o.resourceGroup, o.userAssigned ?? []);
      if (!o.systemAssigned && add.length === 0) throw new UsageError('usage error: --system-assigned and/or --user-assigned ID [ID ...]');
      const path = servicePath(ctx, o);
      const current = (await ctx.arm.get<Resource>(path, V)).identity as Resource | undefined;
      const hadSystem = hasSystemAssigned(current?.type);
      if (o.systemAssigned && hadSystem) ctx.warn(`System identity is already assigned to the API Management service '${o.name}'.`);
      const existing = new Set(assignedKeys(current).map((k) => k.toLowerCase()));
      const added: Resource = {};
      for (const id of add) {
        if (existing.has(id.toLowerCase())) ctx.warn(`User identity ${id} is already assigned to the API Management service '${o.name}'.`);
        else added[id] = {};
      }
      const user = existing.size > 0 || add.length > 0;
      const requested: Resource = { type: identityType(hadSystem || !!o.systemAssigned, user) };
      if (Object.keys(added).length > 0) requested.userAssignedIdentities = added; // PATCH keeps the others
      const updated = await ctx.arm.write<Resource>('PATCH', path, V, { identity: requested });
      return { value: serviceIdentityView(updated!.identity) };
    }));

  withCommonOptions(instanceOptions(identity.command('remove').description(
    'Remove managed identities from the instance. With no user-assigned identity left the type drops UserAssigned; with none at all it is None.',
  )))
    .option('--system-assigned', 'the system-assigned identity (its service principal is deleted)')
    .option('--user-assigned [ids...]', 'user-assigned identities (ids or names); with no value, all of them')
    .action(action<InstanceOptions & { systemAssigned?: boolean; userAssigned?: string[] | true }>(async (ctx, o) => {
      if (!o.systemAssigned && o.userAssigned === undefined) throw new UsageError('usage error: --system-assigned and/or --user-assigned [ID ...]');
      const path = servicePath(ctx, o);
      const current = (await ctx.arm.get<Resource>(path, V)).identity as Resource | undefined;
      const type = current?.type ?? 'None';
      if (!hasSystemAssigned(type) && !hasUserAssigned(type)) throw new CliError(`The API Management service '${o.name}' has no system or user assigned identities.`);
      if (o.systemAssigned && !hasSystemAssigned(type)) throw new CliError(`The API Management service '${o.name}' has no system assigned identity.`);
      const keys = assignedKeys(current);
      const removed = new Set<string>();
      if (o.userAssigned === true) {
        for (const k of keys) removed.add(k);
      } else if (o.userAssigned) {
        for (const id of userAssignedIds(ctx, o.resourceGroup, o.userAssigned)) {
          const key = keys.find((k) => k.toLowerCase() === id.toLowerCase());
          if (!key) throw new CliError(`The API Management service '${o.name}' does not have specified user identity '${id}' assigned, so it cannot be removed.`);
          removed.add(key);
        }
      }
      const userLeft = keys.length > removed.size;
      const requested: Resource = { type: identityType(hasSystemAssigned(type) && !o.systemAssigned, userLeft) };
      // PATCH: a user-assigned identity set to null is removed; without UserAssigned in the type, all are.
      if (userLeft && removed.size > 0) requested.userAssignedIdentities = Object.fromEntries([...removed].map((k) => [k, null]));
      const updated = await ctx.arm.write<Resource>('PATCH', path, V, { identity: requested });
      return { value: serviceIdentityView(updated!.identity) };
    }));

  withCommonOptions(instanceOptions(identity.command('show').description("Show the instance's managed identities.")))
    .action(action<InstanceOptions>(async (ctx, o) => ({ value: serviceIdentityView((await ctx.arm.get<Resource>(servicePath(ctx, o), V)).identity) })));

  registerHostnameCommands(apim, instanceOptions, servicePath);

  // The instance's configuration: APIs and operations, policies, named values, products, subscriptions, backends.
  registerChildGroups(apim, APIM_CHILD_GROUPS);
}
