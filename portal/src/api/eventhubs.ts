// Event Hubs as the portal reads it: namespaces and hubs through Resource Manager, and incoming events
// live over AMQP on the namespace's WebSocket endpoint (wss://{host}/$servicebus/websocket, AMQPWSB10)
// with rhea's browser build; the connection authenticates by a CBS put-token of the portal's Event Hubs
// token, as the Azure SDKs do over WebSockets.
import type { Connection, Container, EventContext, Message } from 'rhea';

/** rhea's links are EventEmitters (typed through node's events, which the portal's types do not include). */
type On<T> = T & { on(event: string, handler: (ctx: EventContext) => void): void };
import type { ApiClient } from './client';
import type { ArmResource } from './arm-types';

export const NS_TYPE = 'Microsoft.EventHub/namespaces';
export const HUB_TYPE = 'Microsoft.EventHub/namespaces/eventhubs';
export const EH_API = '2024-01-01';

export type Namespace = ArmResource<{ serviceBusEndpoint?: string; status?: string; provisioningState?: string; disableLocalAuth?: boolean; publicNetworkAccess?: string; createdAt?: string; metricId?: string }> & { sku?: { name: string; tier?: string; capacity?: number } };
export type EventHub = ArmResource<{ partitionCount?: number; partitionIds?: string[]; messageRetentionInDays?: number; status?: string; createdAt?: string; retentionDescription?: { retentionTimeInHours?: number; cleanupPolicy?: string } }>;

export interface LiveEvent { partition: string; sequenceNumber: number; enqueuedTime: string; body: string; properties: string }

export interface LiveView { close(): void }

const on = <T>(x: T): On<T> => x as On<T>;

/** A readable body: text as is, JSON as JSON, bytes as base64. */
function bodyText(m: Message): string {
  const b: unknown = m.body;
  const bytes = (b && typeof b === 'object' && 'content' in b) ? (b as { content: unknown }).content : b;
  if (typeof bytes === 'string') return bytes;
  if (bytes instanceof Uint8Array) {
    const t = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
    return /[\u0000-\u0008\uFFFD]/.test(t) ? btoa(String.fromCharCode(...bytes.subarray(0, 4096))) : t;
  }
  try { return JSON.stringify(bytes); } catch { return String(bytes); }
}

/**
 * Receives a hub's events from now on, every partition, until close(): onEvent per event, onError once
 * when the connection or a link fails (Event Hubs' condition and description).
 */
export async function watchEvents(api: ApiClient, ns: Namespace, hub: EventHub, onEvent: (e: LiveEvent) => void, onError: (message: string) => void): Promise<LiveView> {
  const endpoint = new URL(ns.properties?.serviceBusEndpoint ?? '');
  const host = endpoint.host;
  const rhea = (await import('rhea/dist/rhea-umd.js')).default as unknown as Container & { types: { wrap_described(v: unknown, d: number): unknown } };
  const container = rhea.create_container();
  // The session's token for Event Hubs' audience: put on the CBS node, never in a URL.
  const token = await api.session.token('eventHubs');
  const ws = container.websocket_connect(WebSocket);
  const since = Date.now();
  const partitions = hub.properties?.partitionIds ?? Array.from({ length: hub.properties?.partitionCount ?? 1 }, (_, i) => String(i));
  let failed = false;
  const fail = (m: string) => { if (!failed) { failed = true; onError(m); } };
  const conn: Connection = container.connect({
    connection_details: ws(`wss://${host}/$servicebus/websocket`, ['AMQPWSB10'], {}),
    host: endpoint.hostname, hostname: endpoint.hostname, port: Number(endpoint.port || 443), reconnect: false, username: 'anonymous',
  } as Parameters<Container['connect']>[0]);
  const openReceivers = () => {
    for (const p of partitions) {
      const receiver = on(conn.open_receiver({
        name: `portal-live-${p}`,
        source: {
          address: `${hub.name}/ConsumerGroups/$Default/Partitions/${p}`,
          filter: { 'apache.org:selector-filter:string': rhea.types.wrap_described(`amqp.annotation.x-opt-enqueued-time > '${since}'`, 0x468C00000004) },
        },
        credit_window: 100,
      }));
      receiver.on('message', (ctx: EventContext) => {
        const m = ctx.message!;
        const ann = (m.message_annotations ?? {}) as Record<string, unknown>;
        const enq = ann['x-opt-enqueued-time'];
        onEvent({
          partition: p, sequenceNumber: Number(ann['x-opt-sequence-number'] ?? 0),
          enqueuedTime: (enq instanceof Date ? enq : new Date(Number(enq ?? Date.now()))).toISOString(),
          body: bodyText(m), properties: m.application_properties ? JSON.stringify(m.application_properties) : '',
        });
      });
      receiver.on('receiver_error', (ctx: EventContext) => fail(ctx.receiver?.error ? String((ctx.receiver.error as { description?: string }).description ?? ctx.receiver.error) : 'The receiver was closed.'));
    }
  };
  conn.on('connection_open', () => {
    const cbs = on(conn.open_sender('$cbs'));
    const replies = on(conn.open_receiver({ source: { address: '$cbs' }, target: { address: 'portal-cbs' } } as never));
    replies.on('message', (ctx: EventContext) => {
      const props = (ctx.message?.application_properties ?? {}) as Record<string, unknown>;
      const status = Number(props['status-code'] ?? props.statusCode);
      if (status >= 200 && status < 300) openReceivers();
      else fail(String(props['status-description'] ?? props.statusDescription ?? `CBS put-token failed (${status}).`));
    });
    cbs.on('sendable', () => {
      if ((cbs as unknown as { sent?: boolean }).sent) return;
      (cbs as unknown as { sent?: boolean }).sent = true;
      cbs.send({
        body: token, reply_to: 'portal-cbs', message_id: crypto.randomUUID(),
        application_properties: { operation: 'put-token', type: 'jwt', name: `sb://${endpoint.hostname}/${hub.name}`, expiration: Date.now() + 3_600_000 },
      });
    });
  });
  conn.on('connection_error', (ctx: EventContext) => fail(String((ctx.connection.error as { description?: string } | undefined)?.description ?? 'The connection failed.')));
  conn.on('disconnected', (ctx: EventContext) => fail(ctx.error ? `Disconnected: ${String((ctx.error as Error).message ?? ctx.error)}` : 'Disconnected.'));
  return { close: () => { failed = true; try { conn.close(); } catch { /* already closed */ } } };
}
