// `apim-local eventhubs ...`: az's Event Hubs commands over the ARM API (namespace create|show|list|delete,
// namespace authorization-rule keys list, eventhub create|show|list|delete), and `eventhubs eventhub tail`,
// apim-local's own: prints a hub's events as they arrive (AMQP over TLS to the namespace, with the
// namespace's RootManageSharedAccessKey, trusting the server's CA from the connection file).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import rhea, { type EventContext } from 'rhea';
import { action, parseIntArg, parseTags, parseThreeState, withCommonOptions, type CliContext } from '../command.js';
import { encodePath } from '../arm-client.js';
import { CliError } from '../errors.js';
import { groupLocation } from '../managed-identity.js';

const V = '2024-01-01';
type Resource = Record<string, any>;

const nsPath = (ctx: CliContext, group: string, ns: string) =>
  `${ctx.arm.subscriptionScope}/resourceGroups/${encodePath(group)}/providers/Microsoft.EventHub/namespaces/${encodeURIComponent(ns)}`;
const hubPath = (ctx: CliContext, group: string, ns: string, hub: string) => `${nsPath(ctx, group, ns)}/eventhubs/${encodeURIComponent(hub)}`;

interface NsOptions { resourceGroup: string; name: string }
interface HubOptions { resourceGroup: string; namespaceName: string; name: string }

export function registerEventHubs(program: Command): void {
  const eh = program.command('eventhubs').description('Manage Azure Event Hubs namespaces and event hubs.');
  const ns = eh.command('namespace').description('Manage Event Hubs namespaces.');
  const hub = eh.command('eventhub').description('Manage the event hubs of a namespace.');

  withCommonOptions(ns.command('create').description('Create a namespace (or update it).'))
    .requiredOption('-g, --resource-group <name>', 'name of the resource group')
    .requiredOption('-n, --name <name>', 'name of the namespace')
    .option('-l, --location <location>', "location (default: the resource group's)")
    .option('--sku <sku>', 'Basic | Standard | Premium (default Standard)')
    .option('--capacity <n>', 'throughput units')
    .option('--disable-local-auth [bool]', 'refuse SAS keys: Entra ID only (true|false)')
    .option('--public-network-access <value>', 'Enabled | Disabled')
    .option('--tags <tags...>', 'space-separated tags: key[=value] [key[=value] ...]')
    .action(action<NsOptions & { location?: string; sku?: string; capacity?: string; disableLocalAuth?: string | boolean; publicNetworkAccess?: string; tags?: string[] }>(async (ctx, o) => {
      const location = o.location ?? await groupLocation(ctx, o.resourceGroup);
      const tags = parseTags(o.tags);
      const capacity = parseIntArg('--capacity', o.capacity);
      const disableLocalAuth = parseThreeState('--disable-local-auth', o.disableLocalAuth);
      const body = {
        location, ...(tags ? { tags } : {}),
        sku: { name: o.sku ?? 'Standard', tier: o.sku ?? 'Standard', ...(capacity !== undefined ? { capacity } : {}) },
        properties: { ...(disableLocalAuth !== undefined ? { disableLocalAuth } : {}), ...(o.publicNetworkAccess ? { publicNetworkAccess: o.publicNetworkAccess } : {}) },
      };
      return { value: await ctx.arm.put<Resource>(nsPath(ctx, o.resourceGroup, o.name), V, body) };
    }));

  withCommonOptions(ns.command('show').description('Show a namespace.'))
    .requiredOption('-g, --resource-group <name>', 'name of the resource group')
    .requiredOption('-n, --name <name>', 'name of the namespace')
    .action(action<NsOptions>(async (ctx, o) => ({ value: await ctx.arm.get<Resource>(nsPath(ctx, o.resourceGroup, o.name), V) })));

  withCommonOptions(ns.command('list').description('List the namespaces of a resource group, or of the subscription.'))
    .option('-g, --resource-group <name>', 'name of the resource group')
    .action(action<{ resourceGroup?: string }>(async (ctx, o) => {
      const scope = o.resourceGroup ? `${ctx.arm.subscriptionScope}/resourceGroups/${encodePath(o.resourceGroup)}` : ctx.arm.subscriptionScope;
      return { value: await ctx.arm.list<Resource>(`${scope}/providers/Microsoft.EventHub/namespaces`, V) };
    }));

  withCommonOptions(ns.command('delete').description('Delete a namespace (its hubs and events go with it).'))
    .requiredOption('-g, --resource-group <name>', 'name of the resource group')
    .requiredOption('-n, --name <name>', 'name of the namespace')
    .action(action<NsOptions>(async (ctx, o) => { await ctx.arm.delete(nsPath(ctx, o.resourceGroup, o.name), V); }));

  const rule = ns.command('authorization-rule').description("Manage a namespace's authorization rules.");
  const keys = rule.command('keys').description("An authorization rule's keys.");
  withCommonOptions(keys.command('list').description('List the keys and connection strings of an authorization rule.'))
    .requiredOption('-g, --resource-group <name>', 'name of the resource group')
    .requiredOption('--namespace-name <name>', 'name of the namespace')
    .requiredOption('-n, --name <name>', 'name of the authorization rule')
    .action(action<{ resourceGroup: string; namespaceName: string; name: string }>(async (ctx, o) => ({
      value: await ctx.arm.post<Resource>(`${nsPath(ctx, o.resourceGroup, o.namespaceName)}/authorizationRules/${encodeURIComponent(o.name)}/listKeys`, V),
    })));

  const hubCmd = (name: string, description: string) => withCommonOptions(hub.command(name).description(description))
    .requiredOption('-g, --resource-group <name>', 'name of the resource group')
    .requiredOption('--namespace-name <name>', 'name of the namespace');

  hubCmd('create', 'Create an event hub (or update it).')
    .requiredOption('-n, --name <name>', 'name of the event hub')
    .option('--partition-count <n>', 'number of partitions (default 4)')
    .option('--retention-time-in-hours <n>', 'how long events are kept')
    .option('--cleanup-policy <policy>', 'Delete')
    .action(action<HubOptions & { partitionCount?: string; retentionTimeInHours?: string; cleanupPolicy?: string }>(async (ctx, o) => {
      const partitionCount = parseIntArg('--partition-count', o.partitionCount);
      const hours = parseIntArg('--retention-time-in-hours', o.retentionTimeInHours);
      const properties = {
        ...(partitionCount !== undefined ? { partitionCount } : {}),
        ...(hours !== undefined || o.cleanupPolicy ? { retentionDescription: { cleanupPolicy: o.cleanupPolicy ?? 'Delete', ...(hours !== undefined ? { retentionTimeInHours: hours } : {}) } } : {}),
      };
      return { value: await ctx.arm.put<Resource>(hubPath(ctx, o.resourceGroup, o.namespaceName, o.name), V, { properties }) };
    }));

  hubCmd('show', 'Show an event hub.')
    .requiredOption('-n, --name <name>', 'name of the event hub')
    .action(action<HubOptions>(async (ctx, o) => ({ value: await ctx.arm.get<Resource>(hubPath(ctx, o.resourceGroup, o.namespaceName, o.name), V) })));

  hubCmd('list', 'List the event hubs of a namespace.')
    .action(action<{ resourceGroup: string; namespaceName: string }>(async (ctx, o) => ({
      value: await ctx.arm.list<Resource>(`${nsPath(ctx, o.resourceGroup, o.namespaceName)}/eventhubs`, V),
    })));

  hubCmd('delete', 'Delete an event hub (its events go with it).')
    .requiredOption('-n, --name <name>', 'name of the event hub')
    .action(action<HubOptions>(async (ctx, o) => { await ctx.arm.delete(hubPath(ctx, o.resourceGroup, o.namespaceName, o.name), V); }));

  hubCmd('tail', 'Print the events of an event hub as they arrive, one JSON object a line.')
    .requiredOption('-n, --name <name>', 'name of the event hub')
    .option('--consumer-group <name>', 'consumer group (default $Default)')
    .option('--from-beginning', 'start with the oldest event kept (default: only new ones)')
    .option('--count <n>', 'stop after this many events')
    .option('--timeout <seconds>', 'stop after this many seconds')
    .action(action<HubOptions & { consumerGroup?: string; fromBeginning?: boolean; count?: string; timeout?: string }>(async (ctx, o) => {
      const count = parseIntArg('--count', o.count);
      const timeout = parseIntArg('--timeout', o.timeout);
      const namespace = await ctx.arm.get<Resource>(nsPath(ctx, o.resourceGroup, o.namespaceName), V);
      const hubDoc = await ctx.arm.get<Resource>(hubPath(ctx, o.resourceGroup, o.namespaceName, o.name), V);
      const k = await ctx.arm.post<Resource>(`${nsPath(ctx, o.resourceGroup, o.namespaceName)}/authorizationRules/RootManageSharedAccessKey/listKeys`, V);
      if (!k) throw new CliError('The namespace has no RootManageSharedAccessKey rule to read events with.');
      const endpoint = new URL(String(namespace.properties.serviceBusEndpoint));
      const ca = fs.readFileSync(path.resolve(ctx.dataDir, ctx.connection.caCertificatePath), 'utf8');
      await tail({
        host: endpoint.hostname, port: Number(endpoint.port || 5671), ca, hub: String(hubDoc.name), keyName: String(k.keyName), key: String(k.primaryKey),
        partitions: (hubDoc.properties.partitionIds as string[]) ?? ['0'], consumerGroup: o.consumerGroup ?? '$Default',
        fromBeginning: !!o.fromBeginning, count, timeoutMs: timeout !== undefined ? timeout * 1000 : undefined,
        print: (line) => process.stdout.write(`${line}\n`),
      });
    }));
}

/** A data body as the SDKs read it: JSON when it parses (what they send for objects and strings), else text. */
function bodyText(b: Buffer): unknown {
  const text = b.toString('utf8');
  try { return JSON.parse(text) as unknown; } catch { return text; }
}

interface TailOptions {
  host: string; port: number; ca: string; hub: string; keyName: string; key: string; partitions: string[]; consumerGroup: string;
  fromBeginning: boolean; count?: number; timeoutMs?: number; print(line: string): void;
}

/** Receives from every partition until `count` events or the timeout (or the process is stopped). */
async function tail(o: TailOptions): Promise<void> {
  const container = rhea.create_container({ id: `apim-local-cli-${crypto.randomUUID()}` });
  const conn = container.connect({ host: o.host, port: o.port, transport: 'tls', ca: [o.ca], servername: o.host, username: o.keyName, reconnect: false } as Parameters<typeof container.connect>[0]);
  let seen = 0;
  await new Promise<void>((resolve, reject) => {
    const timer = o.timeoutMs !== undefined ? setTimeout(resolve, o.timeoutMs) : undefined;
    const stop = () => { if (timer) clearTimeout(timer); resolve(); };
    process.once('SIGINT', stop);
    conn.on('connection_error', (ctx: EventContext) => reject(new CliError(`Event Hubs refused the connection: ${String((ctx.connection.error as { description?: string } | undefined)?.description ?? '')}`)));
    conn.on('disconnected', (ctx: EventContext) => { if (ctx.error) reject(new CliError(`Disconnected from ${o.host}:${o.port}: ${String(ctx.error)}`)); });
    conn.once('connection_open', () => {
      const replyTo = `cbs-${crypto.randomUUID()}`;
      const cbsOut = conn.open_sender({ target: { address: '$cbs' } });
      const cbsIn = conn.open_receiver({ name: replyTo, source: { address: '$cbs' }, target: { address: replyTo } } as Parameters<typeof conn.open_receiver>[0]);
      const audience = `sb://${o.host}:${o.port}/${o.hub}`;
      const se = Math.floor(Date.now() / 1000) + 3600;
      const sr = encodeURIComponent(audience);
      const sig = crypto.createHmac('sha256', o.key).update(`${sr}\n${se}`).digest('base64');
      const token = `SharedAccessSignature sr=${sr}&sig=${encodeURIComponent(sig)}&se=${se}&skn=${encodeURIComponent(o.keyName)}`;
      cbsOut.once('sendable', () => cbsOut.send({ message_id: 'put-token', reply_to: replyTo, body: token, application_properties: { operation: 'put-token', type: 'servicebus.windows.net:sastoken', name: audience } }));
      cbsIn.on('message', (ctx: EventContext) => {
        const status = Number((ctx.message?.application_properties as Record<string, unknown> | undefined)?.['status-code']);
        if (status !== 202 && status !== 200) { reject(new CliError(`put-token refused (${status})`)); return; }
        const filter = o.fromBeginning ? "amqp.annotation.x-opt-offset > '-1'" : "amqp.annotation.x-opt-offset > '@latest'";
        for (const p of o.partitions) {
          const r = conn.open_receiver({
            source: { address: `${o.hub}/ConsumerGroups/${o.consumerGroup}/Partitions/${p}`, filter: { 'apache.org:selector-filter:string': rhea.types.wrap_described(filter, 0x468c00000004) } },
            credit_window: 100,
          } as Parameters<typeof conn.open_receiver>[0]);
          r.on('message', (m: EventContext) => {
            const msg = m.message!;
            const ann = (msg.message_annotations ?? {}) as Record<string, unknown>;
            const body = msg.body as unknown;
            const content = body && typeof body === 'object' && 'content' in (body as object) ? (body as { content: unknown }).content : body;
            o.print(JSON.stringify({
              partition: p, sequenceNumber: Number(ann['x-opt-sequence-number']), offset: ann['x-opt-offset'],
              enqueuedTime: ann['x-opt-enqueued-time'] instanceof Date ? (ann['x-opt-enqueued-time'] as Date).toISOString() : ann['x-opt-enqueued-time'],
              partitionKey: ann['x-opt-partition-key'] ?? null, properties: msg.application_properties ?? {},
              body: Buffer.isBuffer(content) ? bodyText(content) : content,
            }));
            seen++;
            if (o.count !== undefined && seen >= o.count) stop();
          });
          r.on('receiver_error', (e: EventContext) => reject(new CliError(`Receiving from partition ${p} failed: ${String((e.receiver?.error as { description?: string } | undefined)?.description ?? '')}`)));
        }
      });
    });
  }).finally(() => { try { conn.close(); } catch { /* closed */ } });
}
