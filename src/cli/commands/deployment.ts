// `apim-local deployment group|sub create|show|list|validate|delete` and `deployment operation group
// list`: az's template deployment commands. create shows each resource's state on stderr as the
// deployment runs (unless --no-wait or --only-show-errors), then prints the deployment; a failed one
// is an error with the deployment's error and its details.
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from 'commander';
import { action, withCommonOptions, type CliContext } from '../command.js';
import { API_VERSIONS, encodePath } from '../arm-client.js';
import { AzureApiError, UsageError, type ErrorDetail } from '../errors.js';
import { readParameters, readTemplate } from '../template-files.js';

const V = API_VERSIONS.resources;
type Json = Record<string, any>;

interface Scope { kind: 'group' | 'sub'; resourceGroup?: string; location?: string }
interface DeployOptions { resourceGroup?: string; location?: string; name?: string; templateFile?: string; parameters?: string[]; mode?: string; wait: boolean }

const scopePath = (ctx: CliContext, s: Scope) => (s.kind === 'group' ? `${ctx.arm.subscriptionScope}/resourcegroups/${encodePath(s.resourceGroup!)}` : ctx.arm.subscriptionScope);
const deploymentPath = (ctx: CliContext, s: Scope, name: string) => `${scopePath(ctx, s)}/providers/Microsoft.Resources/deployments/${encodePath(name)}`;

function scopeOf(kind: Scope['kind'], o: { resourceGroup?: string; location?: string }, needsLocation: boolean): Scope {
  if (kind === 'group' && !o.resourceGroup) throw new UsageError('the following arguments are required: --resource-group/-g');
  if (kind === 'sub' && needsLocation && !o.location) throw new UsageError('the following arguments are required: --location/-l');
  return { kind, resourceGroup: o.resourceGroup, location: o.location };
}

/** The request body of create/validate; the name defaults to the template file's, as az. */
function deploymentBody(ctx: CliContext, s: Scope, o: DeployOptions, cwd: string): { name: string; body: Json } {
  if (!o.templateFile) throw new UsageError('the following arguments are required: --template-file/-f');
  const template = readTemplate(o.templateFile, cwd);
  const parameters = readParameters(o.parameters, template, cwd);
  const mode = o.mode ?? 'Incremental';
  if (!['incremental', 'complete'].includes(mode.toLowerCase())) throw new UsageError(`argument --mode: invalid choice: '${mode}' (choose from 'Complete', 'Incremental')`);
  const name = o.name ?? path.basename(o.templateFile).replace(/\.[^.]*$/, '');
  return { name, body: { ...(s.location ? { location: s.location } : {}), properties: { mode, template, parameters } } };
}

/** Polls the deployment until it is over, writing each operation's state to stderr when it changes. */
async function follow(ctx: CliContext, p: string, progress: (line: string) => void): Promise<Json> {
  const seen = new Map<string, string>();
  for (;;) {
    const d = await ctx.arm.get<Json>(p, V);
    for (const op of await ctx.arm.list<Json>(`${p}/operations`, V)) {
      const t = op.properties?.targetResource;
      if (!t) continue;
      const state = String(op.properties.provisioningState);
      if (seen.get(op.operationId) === state) continue;
      seen.set(op.operationId, state);
      const error = op.properties.statusMessage?.error;
      progress(` - ${t.resourceType} '${t.resourceName}': ${state}${state === 'Running' ? '' : ` (${op.properties.statusCode ?? ''}, ${op.properties.duration})`}${error ? `: (${error.code}) ${error.message}` : ''}`);
    }
    const state = d.properties?.provisioningState;
    if (state !== 'Accepted' && state !== 'Running') return d;
    await sleep(500);
  }
}

function failure(d: Json): AzureApiError {
  const e = d.properties?.error ?? {};
  return new AzureApiError(400, String(e.code ?? 'DeploymentFailed'), String(e.message ?? 'The deployment failed.'), e.target, (e.details ?? []) as ErrorDetail[]);
}

/** az's table for `deployment ... list`. */
const listTable = (items: Json[]) => items.map((d) => ({ Name: d.name, State: d.properties?.provisioningState, Timestamp: d.properties?.timestamp, Mode: d.properties?.mode }));

function registerScope(parent: Command, kind: Scope['kind']): void {
  const cmd = parent.command(kind).description(kind === 'group' ? 'Manage deployments at resource group scope.' : 'Manage deployments at subscription scope.');
  const where = (c: Command) => (kind === 'group'
    ? c.option('-g, --resource-group <name>', 'the resource group to deploy to')
    : c.option('-l, --location <location>', 'the location to store the deployment metadata'));
  const templateOptions = (c: Command) => where(c)
    .option('-n, --name <name>', 'the deployment name (default: the template file name)')
    .option('-f, --template-file <file>', 'the template file (nested deployments\' local templateLink files are read too)')
    .option('-p, --parameters <parameters...>', '@file.json, inline JSON, or NAME=VALUE; can be given several times')
    .option('--mode <mode>', 'Incremental (default) or Complete');

  withCommonOptions(templateOptions(cmd.command('create').description('Start a deployment.')))
    .option('--no-wait', 'do not wait for the deployment to finish')
    .action(action<DeployOptions>(async (ctx, o) => {
      const s = scopeOf(kind, o, true);
      const { name, body } = deploymentBody(ctx, s, o, ctx.cwd);
      const p = deploymentPath(ctx, s, name);
      await ctx.arm.send('PUT', p, { apiVersion: V, body });
      if (!o.wait) return;
      const d = await follow(ctx, p, ctx.progress);
      if (d.properties?.provisioningState !== 'Succeeded') throw failure(d);
      return { value: d };
    }));

  withCommonOptions(templateOptions(cmd.command('validate').description('Validate whether a template is syntactically correct.')))
    .action(action<DeployOptions>(async (ctx, o) => {
      const s = scopeOf(kind, o, true);
      const { name, body } = deploymentBody(ctx, s, o, ctx.cwd);
      return { value: await ctx.arm.post(`${deploymentPath(ctx, s, name)}/validate`, V, body) };
    }));

  withCommonOptions(where(cmd.command('show').description('Show a deployment.')).option('-n, --name <name>', 'the deployment name'))
    .action(action<{ resourceGroup?: string; name?: string }>(async (ctx, o) => {
      if (!o.name) throw new UsageError('the following arguments are required: --name/-n');
      return { value: await ctx.arm.get(deploymentPath(ctx, scopeOf(kind, o, false), o.name), V) };
    }));

  withCommonOptions(where(cmd.command('list').description('List deployments.')))
    .option('--filter <filter>', "e.g. \"provisioningState eq 'Failed'\"")
    .action(action<{ resourceGroup?: string; filter?: string }>(async (ctx, o) => {
      const items = await ctx.arm.list<Json>(`${scopePath(ctx, scopeOf(kind, o, false))}/providers/Microsoft.Resources/deployments`, V, { $filter: o.filter });
      return { value: items, table: listTable };
    }));

  withCommonOptions(where(cmd.command('delete').description('Delete a deployment (its resources stay).')).option('-n, --name <name>', 'the deployment name'))
    .option('--no-wait', 'do not wait for the deletion to finish')
    .action(action<{ resourceGroup?: string; name?: string; wait: boolean }>(async (ctx, o) => {
      if (!o.name) throw new UsageError('the following arguments are required: --name/-n');
      await ctx.arm.delete(deploymentPath(ctx, scopeOf(kind, o, false), o.name), V, { wait: o.wait });
    }));
}

export function registerDeployment(program: Command): void {
  const deployment = program.command('deployment').description('Manage Azure Resource Manager template deployments.');
  registerScope(deployment, 'group');
  registerScope(deployment, 'sub');
  const operation = deployment.command('operation').description('Manage deployment operations.');
  for (const kind of ['group', 'sub'] as const) {
    const c = operation.command(kind).description(`Deployment operations at ${kind === 'group' ? 'resource group' : 'subscription'} scope.`);
    const list = c.command('list').description("List a deployment's operations, with their state, timing and error.")
      .option('-n, --name <name>', 'the deployment name');
    if (kind === 'group') list.option('-g, --resource-group <name>', 'the resource group');
    withCommonOptions(list).action(action<{ resourceGroup?: string; name?: string }>(async (ctx, o) => {
      if (!o.name) throw new UsageError('the following arguments are required: --name/-n');
      const items = await ctx.arm.list<Json>(`${deploymentPath(ctx, scopeOf(kind, o, false), o.name)}/operations`, V);
      return {
        value: items,
        table: (ops: Json[]) => ops.map((op) => ({
          Resource: op.properties?.targetResource?.resourceName ?? '', Type: op.properties?.targetResource?.resourceType ?? op.properties?.provisioningOperation,
          State: op.properties?.provisioningState, Status: op.properties?.statusCode, Duration: op.properties?.duration,
          Error: op.properties?.statusMessage?.error?.code ?? '',
        })),
      };
    }));
  }
}
