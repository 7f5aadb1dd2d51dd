// `apim-local apim backend create|show|list|update|delete`: the backends that set-backend-service
// backend-id names (apim-local's own; az has none), printed as the SDK's BackendContract.
import type { Command } from 'commander';
import { action, parseChoice, withCommonOptions, type CliContext } from '../command.js';
import {
  confirmed, contractView, create, get, ifMatchOption, list, remove, serviceOptions, servicePath, write, type Resource, type ServiceOptions,
} from './apim-common.js';

const BACKEND_FIELDS = ['credentials', 'description', 'properties', 'protocol', 'proxy', 'resourceId', 'title', 'tls', 'url'] as const;
const PROTOCOLS = ['http', 'soap'] as const;

const backendView = (b: Resource): Resource => contractView(b, BACKEND_FIELDS);

interface BackendOptions extends ServiceOptions { backendId: string }
interface PropertyOptions { url?: string; protocol?: string; title?: string; description?: string; resourceId?: string }

const backendPath = (ctx: CliContext, o: BackendOptions) => servicePath(ctx, o, 'backends', o.backendId);

function propertyOptions(cmd: Command): Command {
  return cmd
    .option('--title <title>', 'title of the backend')
    .option('--description <text>', 'description of the backend')
    .option('--resource-id <url>', 'management URI of the resource behind the backend (e.g. a function app)');
}

function properties(o: PropertyOptions): Resource {
  const p: Resource = {};
  if (o.url !== undefined) p.url = o.url;
  const protocol = parseChoice('--protocol', o.protocol, PROTOCOLS);
  if (protocol !== undefined) p.protocol = protocol;
  if (o.title !== undefined) p.title = o.title;
  if (o.description !== undefined) p.description = o.description;
  if (o.resourceId !== undefined) p.resourceId = o.resourceId;
  return p;
}

export function registerApimBackend(apim: Command): void {
  const backend = apim.command('backend').description('Manage the backends of an API Management service instance.');

  withCommonOptions(propertyOptions(serviceOptions(backend.command('create').description('Create a backend (or replace one).'))))
    .requiredOption('--backend-id <id>', 'identifier of the backend (what backend-id of set-backend-service names)')
    .requiredOption('--url <url>', 'runtime URL of the backend')
    .option('--protocol <protocol>', `${PROTOCOLS.join(' | ')} (default http)`, 'http')
    .option('--no-wait', 'do not wait for the long-running operation to finish')
    .action(action<BackendOptions & PropertyOptions & { wait: boolean }>(async (ctx, o) => {
      const created = await create(ctx, backendPath(ctx, o), { properties: properties(o) }, o.wait);
      return created ? { value: backendView(created) } : undefined;
    }));

  withCommonOptions(serviceOptions(backend.command('show').description('Show the details of a backend.')))
    .requiredOption('--backend-id <id>', 'identifier of the backend')
    .action(action<BackendOptions>(async (ctx, o) => ({ value: backendView(await get(ctx, backendPath(ctx, o))) })));

  withCommonOptions(serviceOptions(backend.command('list').description('List the backends of an instance.')))
    .action(action<ServiceOptions>(async (ctx, o) => ({ value: (await list(ctx, servicePath(ctx, o, 'backends'))).map(backendView) })));

  withCommonOptions(ifMatchOption(propertyOptions(serviceOptions(backend.command('update').description('Update a backend (what is not given stays).')))))
    .requiredOption('--backend-id <id>', 'identifier of the backend')
    .option('--url <url>', 'runtime URL of the backend')
    .option('--protocol <protocol>', PROTOCOLS.join(' | '))
    .action(action<BackendOptions & PropertyOptions & { ifMatch?: string }>(async (ctx, o) => ({
      value: backendView(await write(ctx, 'PATCH', backendPath(ctx, o), { properties: properties(o) }, o.ifMatch ?? '*')),
    })));

  withCommonOptions(ifMatchOption(serviceOptions(backend.command('delete').description('Delete a backend.'))))
    .requiredOption('--backend-id <id>', 'identifier of the backend')
    .option('-y, --yes', 'do not prompt for confirmation')
    .action(action<BackendOptions & { ifMatch?: string; yes?: boolean }>(async (ctx, o) => {
      if (!(await confirmed(ctx, o.yes))) return;
      await remove(ctx, backendPath(ctx, o), o.ifMatch);
    }));
}
