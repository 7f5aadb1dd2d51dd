// A namespace's AMQP 1.0 endpoint (rhea as the server): SASL ANONYMOUS and PLAIN, the CBS node
// (`put-token`), `$management` (hub and partition runtime information), sender links to a hub or a
// partition (events stored before the delivery is accepted) and receiver links on
// `{hub}/ConsumerGroups/{group}/Partitions/{n}` from a filter's start position, with the annotations the
// SDKs read. One rhea container per namespace, so SASL PLAIN checks that namespace's rules.
import crypto from 'node:crypto';
import type { Duplex } from 'node:stream';
import rhea, { type Connection, type Container, type EventContext, type Message, type Receiver, type Sender } from 'rhea';
import type { Clock } from '../common/clock.js';
import type { Logger } from '../common/log.js';
import { AccessError, type Claim, type NamespaceAccess } from './access.js';
import { AddressError, parseAddress, parseStartFilter } from './addresses.js';
import { EventStore, type NewEvent, type StoredEvent } from './events.js';
import { verifySas, SasError, type SasGrant } from './sas.js';
import { firewallRefusal, type CompiledHub, type CompiledNamespace, type Origin } from './settings.js';

/** Event Hubs' largest event (batch) on Standard: 1 MB. */
export const MAX_MESSAGE_BYTES = 1024 * 1024;
const BATCH_FORMAT = 0x80013700;
const SERVICE_ANNOTATIONS = ['x-opt-sequence-number', 'x-opt-offset', 'x-opt-enqueued-time', 'x-opt-partition-key'];
const READ_CHUNK = 100;

interface ConnState {
  origin: Origin;
  remotePort?: number;
  claims: Map<string, Claim>;
  plain?: SasGrant;
  /** The links replies go on, by their target address (the client's reply-to). */
  replies: Map<string, Sender>;
}

interface ConsumerLink {
  hub: CompiledHub;
  partition: number;
  after: number;
  pumping: boolean;
  again: boolean;
  closed: boolean;
  wake: () => void;
}

interface ProducerLink {
  /** Resolves to the hub and partition once the link is authorized (rejects when it is not). */
  ready: Promise<{ hub: CompiledHub; partition?: number }>;
  queue: Promise<void>;
}

type ServerConnection = Connection & { accept(socket: Duplex): Connection };

/** What rhea keeps on a link and its typings leave out: the peer's attach, our attach, the credit. */
interface Terminus { address?: string; filter?: Record<string, unknown> }
interface LinkInternals {
  remote: { attach?: { source?: Terminus; target?: Terminus } };
  local: { attach: { max_message_size?: number } };
  credit: number;
  set_source(t: Terminus): void;
  set_target(t: Terminus): void;
}
const internals = (l: Sender | Receiver): LinkInternals => l as unknown as LinkInternals;
const asMessage = (m: unknown): Message => m as Message;

export interface NamespaceAmqpDeps {
  access: NamespaceAccess;
  events: EventStore;
  clock: Clock;
  logger: Logger;
  /** The namespace's current settings (they change without restarting the listener); undefined once it is gone. */
  view(): CompiledNamespace | undefined;
  /** Is the loopback connection from this local port the gateway's (undefined: no), and trusted? */
  gatewayConnection(remotePort: number): boolean | undefined;
}

export class NamespaceAmqp {
  private readonly container: Container;
  private readonly conns = new WeakMap<Connection, ConnState>();
  private readonly consumers = new WeakMap<Sender, ConsumerLink>();
  private readonly producers = new WeakMap<Receiver, ProducerLink>();
  private readonly open = new Set<Connection>();

  constructor(private readonly d: NamespaceAmqpDeps) {
    this.container = rhea.create_container({ id: `apim-local-eventhubs-${crypto.randomUUID()}` });
    const mechs = this.container.sasl_server_mechanisms as { enable_anonymous(): void; enable_plain(cb: (u: string, p: string) => boolean): void };
    mechs.enable_anonymous();
    // SASL PLAIN: a rule's name and one of its keys (the emulator's and older clients' way in).
    mechs.enable_plain((user, password) => {
      const ns = this.d.view();
      const rule = ns?.rulesByName.get(user.toLowerCase());
      if (!ns || !rule || ns.settings.disableLocalAuth) return false;
      return [rule.primaryKey, rule.secondaryKey].some((k) => k.length === password.length && crypto.timingSafeEqual(Buffer.from(k), Buffer.from(password)));
    });
    const c = this.container;
    c.on('connection_open', (ctx: EventContext) => this.onConnectionOpen(ctx));
    c.on('sender_open', (ctx: EventContext) => this.guard(ctx, () => this.onSenderOpen(ctx)));
    c.on('receiver_open', (ctx: EventContext) => this.guard(ctx, () => this.onReceiverOpen(ctx)));
    c.on('message', (ctx: EventContext) => this.guard(ctx, () => this.onMessage(ctx)));
    c.on('sendable', (ctx: EventContext) => { const s = ctx.sender; const st = s && this.consumers.get(s); if (s && st) void this.pump(s, st); });
    c.on('sender_close', (ctx: EventContext) => { const st = ctx.sender && this.consumers.get(ctx.sender); if (st) this.stopConsumer(st); });
    c.on('disconnected', (ctx: EventContext) => this.forget(ctx.connection));
    c.on('connection_close', (ctx: EventContext) => this.forget(ctx.connection));
    // Errors on links and connections are the peer's business; they must not reach the process.
    c.on('error', () => undefined);
  }

  /** Serves one connection (TLS already done, or plain from the loopback) until it ends. */
  accept(socket: Duplex, origin: Origin): void {
    const conn = this.container.create_connection({
      // Event Hubs closes a connection idle for 240 s; clients send empty frames well within that.
      idle_time_out: 240_000, max_frame_size: 65_536,
      receiver_options: { autoaccept: false, credit_window: 300 },
    } as Parameters<Container['create_connection']>[0]) as ServerConnection;
    const remotePort = (socket as { remotePort?: number }).remotePort;
    this.conns.set(conn, { origin, remotePort, claims: new Map(), replies: new Map() });
    this.open.add(conn);
    conn.accept(socket);
  }

  /** Ends every connection (the namespace was deleted or the server stops). */
  closeAll(): void {
    for (const c of this.open) { try { c.close({ condition: 'amqp:connection:forced', description: 'The namespace is no longer served.' }); } catch { /* gone */ } }
    this.open.clear();
  }

  private forget(conn: Connection | undefined): void {
    if (!conn) return;
    this.open.delete(conn);
    for (const s of collectSenders(conn)) { const st = this.consumers.get(s); if (st) this.stopConsumer(st); }
  }

  /** Runs a handler; an unexpected error closes the link (or connection) it came from, never the process. */
  private guard(ctx: EventContext, run: () => void | Promise<void>): void {
    const fail = (e: unknown) => {
      const err = toAmqpError(e);
      if (!(e instanceof AccessError || e instanceof AddressError)) this.d.logger.error('event hubs amqp handler failed', e);
      const link = ctx.sender ?? ctx.receiver;
      try { if (link) link.close(err); else ctx.connection.close(err); } catch { /* already closed */ }
    };
    try {
      const r = run();
      if (r) r.catch(fail);
    } catch (e) { fail(e); }
  }

  private state(conn: Connection): ConnState {
    const st = this.conns.get(conn);
    if (!st) throw new AccessError('amqp:internal-error', 'Unknown connection.');
    return st;
  }

  /** The firewall, again at each link and delivery: a rule set changed since the connection opened applies at once. */
  private admit(st: ConnState, ns: CompiledNamespace): void {
    const refusal = firewallRefusal(ns, st.origin);
    if (refusal) throw new AccessError('amqp:unauthorized-access', refusal);
  }

  private namespace(): CompiledNamespace {
    const ns = this.d.view();
    if (!ns) throw new AccessError('amqp:not-found', 'The namespace could not be found.', 404);
    return ns;
  }

  private onConnectionOpen(ctx: EventContext): void {
    const conn = ctx.connection;
    const st = this.conns.get(conn);
    const ns = this.d.view();
    if (!st || !ns) { conn.close({ condition: 'amqp:not-found', description: 'The namespace could not be found.' }); return; }
    // The gateway's connections registered their ports before they sent anything (index.ts connect).
    const gateway = st.remotePort !== undefined && (st.origin.clientIp === '127.0.0.1' || st.origin.clientIp === '::ffff:127.0.0.1')
      ? this.d.gatewayConnection(st.remotePort) : undefined;
    if (gateway !== undefined) st.origin = { clientIp: 'in-process', trustedService: gateway };
    // 1. firewall: refused addresses are closed before anything else (Event Hubs' message names the IP).
    const refusal = firewallRefusal(ns, st.origin);
    if (refusal) { conn.close({ condition: 'amqp:unauthorized-access', description: refusal }); return; }
    // 2. SASL PLAIN: the rule's rights for the whole connection.
    const user = saslUser(conn);
    if (user) {
      const rule = ns.rulesByName.get(user.toLowerCase());
      if (rule) st.plain = { rule: rule.name, rights: new Set(rule.rights), expiresMs: Number.MAX_SAFE_INTEGER };
    }
  }

  /** The client attaches a receiver: our sender. `$cbs`/`$management` replies, or events of a partition. */
  private async onSenderOpen(ctx: EventContext): Promise<void> {
    const sender = ctx.sender!;
    const st = this.state(ctx.connection);
    const link0 = internals(sender);
    const source = link0.remote.attach?.source;
    const target = link0.remote.attach?.target;
    link0.set_source({ address: source?.address });
    link0.set_target({ address: target?.address });
    const address = parseAddress(source?.address ?? '', true);
    if (address.kind === 'node') {
      // Replies go by reply-to: the client's link target address, or (the SDKs' CBS and management
      // clients leave the target empty) the link's name.
      if (target?.address) st.replies.set(target.address, sender);
      st.replies.set(sender.name, sender);
      return;
    }
    if (address.kind !== 'receive') throw new AddressError('not a receive address');
    const ns = this.namespace();
    this.admit(st, ns);
    await this.d.access.check(ns, st.claims.values(), st.plain, address.hub, 'Listen');
    const hub = ns.hubs.get(address.hub.toLowerCase())!;
    if (!hub.consumerGroupKeys.has(address.consumerGroup.toLowerCase())) {
      throw new AccessError('amqp:not-found', `The messaging entity '${ns.settings.name}:eventhub:${hub.name}/consumergroups/${address.consumerGroup}' could not be found.`, 404);
    }
    if (address.partition >= hub.partitionCount) {
      throw new AccessError('amqp:not-found', `The specified partition is invalid for an EventHub partition sender or receiver. It should be between 0 and ${hub.partitionCount - 1}.`, 400);
    }
    const filter = filterText(source?.filter);
    const start = parseStartFilter(filter);
    if (source?.filter) link0.set_source({ address: source.address, filter: source.filter });
    const after = await this.d.events.resolve(ns.key, hub.key, address.partition, start);
    const link: ConsumerLink = { hub, partition: address.partition, after, pumping: false, again: false, closed: false, wake: () => undefined };
    link.wake = () => { void this.pump(sender, link); };
    this.d.events.appended.on(EventStore.key(ns.key, hub.key, address.partition), link.wake);
    this.consumers.set(sender, link);
    void this.pump(sender, link);
  }

  private stopConsumer(link: ConsumerLink): void {
    if (link.closed) return;
    link.closed = true;
    const ns = this.d.view();
    if (ns) this.d.events.appended.off(EventStore.key(ns.key, link.hub.key, link.partition), link.wake);
    else this.d.events.appended.removeAllListeners();
  }

  /** Sends stored events while the link has credit; reruns when more arrive or credit comes. */
  private async pump(sender: Sender, link: ConsumerLink): Promise<void> {
    if (link.closed) return;
    if (link.pumping) { link.again = true; return; }
    link.pumping = true;
    const ns = this.d.view();
    try {
      do {
        link.again = false;
        while (ns && !link.closed && sender.sendable()) {
          const retentionStart = this.d.clock.nowMs() - link.hub.retentionHours * 3_600_000;
          const events = await this.d.events.read(ns.key, link.hub.key, link.partition, link.after, Math.min(internals(sender).credit, READ_CHUNK), retentionStart);
          if (events.length === 0 || link.closed) break;
          for (const e of events) { sender.send(toOutgoing(e)); link.after = e.seq; }
        }
      } while (link.again && !link.closed);
    } catch (e) {
      this.d.logger.error('event hubs: reading events failed', e);
      try { sender.close({ condition: 'com.microsoft:server-busy', description: 'The server could not read events now.' }); } catch { /* closed */ }
    } finally {
      link.pumping = false;
    }
  }

  /** The client attaches a sender: our receiver. `$cbs`/`$management` requests, or events to a hub. */
  private onReceiverOpen(ctx: EventContext): void {
    const receiver = ctx.receiver!;
    const st = this.state(ctx.connection);
    const link0 = internals(receiver);
    const target = link0.remote.attach?.target;
    const source = link0.remote.attach?.source;
    link0.set_target({ address: target?.address });
    link0.set_source({ address: source?.address });
    // The SDK sizes its batches by the max_message_size of our attach.
    link0.local.attach.max_message_size = MAX_MESSAGE_BYTES;
    const address = parseAddress(target?.address ?? '', false);
    if (address.kind === 'node') return;
    if (address.kind !== 'send') throw new AddressError('not a send address');
    const ready = (async () => {
      const ns = this.namespace();
      this.admit(st, ns);
      await this.d.access.check(ns, st.claims.values(), st.plain, address.hub, 'Send');
      const hub = ns.hubs.get(address.hub.toLowerCase())!;
      if (address.partition !== undefined && address.partition >= hub.partitionCount) {
        throw new AccessError('amqp:not-found', `The specified partition is invalid for an EventHub partition sender or receiver. It should be between 0 and ${hub.partitionCount - 1}.`, 400);
      }
      return { hub, partition: address.partition };
    })();
    // A refused link stays attached and rejects every delivery with the reason (onMessage): the sender
    // fails at once with it. A detach from this side could cross the client's own detach, and the
    // Event Hubs SDK then skips stopping its token renewal timer (a process that never exits).
    ready.catch(() => undefined);
    this.producers.set(receiver, { ready, queue: Promise.resolve() });
  }

  private onMessage(ctx: EventContext): void | Promise<void> {
    const receiver = ctx.receiver!;
    const address = internals(receiver).remote.attach?.target?.address ?? '';
    const lower = address.replace(/^.*\//, '').toLowerCase();
    if (lower === '$cbs') return this.onCbs(ctx);
    if (lower === '$management') return this.onManagement(ctx);
    const producer = this.producers.get(receiver);
    if (!producer) { ctx.delivery?.reject({ condition: 'amqp:not-allowed', description: 'Not a sender link.' }); return; }
    const delivery = ctx.delivery!;
    const payload = ctx.message as unknown as Buffer | Message;
    const format = (delivery as unknown as { format?: number }).format ?? 0;
    // Deliveries of a link are appended in the order they came; each is accepted once it is durable,
    // while the next ones are appended meanwhile (they share the store's write and its disk flush).
    producer.queue = producer.queue.then(async () => {
      let target;
      // A link refused at attach: its deliveries are rejected with the reason (the sender fails at once).
      try { target = await producer.ready; } catch (e) { delivery.reject(toAmqpError(e)); return; }
      let stored: Promise<unknown>;
      try {
        const { events, partitionKey } = eventsOf(payload, format);
        const ns = this.namespace();
        this.admit(this.state(ctx.connection), ns);
        const partition = target.partition ?? pickPartition(target.hub.partitionCount, partitionKey);
        if (target.partition !== undefined && partitionKey !== undefined) throw new AccessError('amqp:not-allowed', 'A partition key cannot be set when sending to a partition.', 400);
        stored = this.d.events.append(ns.key, target.hub.key, partition, events);
      } catch (e) {
        this.refuse(delivery, e);
        return;
      }
      stored.then(() => { try { delivery.accept(); } catch { /* the link is gone */ } }, (e: unknown) => this.refuse(delivery, e));
    });
  }

  private refuse(delivery: NonNullable<EventContext['delivery']>, e: unknown): void {
    if (!(e instanceof AccessError || e instanceof AddressError)) this.d.logger.error('event hubs: storing events failed', e);
    try { delivery.reject(toAmqpError(e)); } catch { /* the link is gone */ }
  }

  private reply(ctx: EventContext, request: Message, status: number, description: string, body?: unknown): void {
    const st = this.state(ctx.connection);
    const replyTo = request.reply_to;
    const link = (replyTo && st.replies.get(replyTo)) || undefined;
    if (!link) return;
    link.send({
      correlation_id: request.message_id, to: replyTo,
      application_properties: { 'status-code': status, 'status-description': description, statusCode: status, statusDescription: description },
      ...(body !== undefined ? { body } : {}),
    } as Message);
  }

  private async onCbs(ctx: EventContext): Promise<void> {
    const msg = ctx.message!;
    ctx.delivery?.accept();
    const props = (msg.application_properties ?? {}) as Record<string, unknown>;
    const st = this.state(ctx.connection);
    if (props.operation !== 'put-token') { this.reply(ctx, msg, 400, `The operation '${String(props.operation)}' is not supported.`); return; }
    try {
      const ns = this.namespace();
      const audience = String(props.name ?? '');
      const claim = await this.d.access.putToken(ns, String(props.type ?? ''), audience, String(msg.body ?? ''), st.origin.trustedService);
      st.claims.set(`${claim.kind}|${claim.entity}`, claim);
      this.reply(ctx, msg, 202, 'Accepted');
    } catch (e) {
      if (!(e instanceof AccessError)) throw e;
      this.reply(ctx, msg, e.status, e.message);
    }
  }

  private async onManagement(ctx: EventContext): Promise<void> {
    const msg = ctx.message!;
    ctx.delivery?.accept();
    const props = (msg.application_properties ?? {}) as Record<string, unknown>;
    const st = this.state(ctx.connection);
    try {
      const ns = this.namespace();
      if (String(props.operation) !== 'READ') throw new AccessError('amqp:not-implemented', `The operation '${String(props.operation)}' is not supported.`, 400);
      const hubName = String(props.name ?? '');
      // The request's own token (security_token), or the connection's claims.
      const claims = [...st.claims.values()];
      if (typeof props.security_token === 'string' && props.security_token) {
        const token = props.security_token;
        try {
          if (token.startsWith('SharedAccessSignature ')) {
            if (!ns.settings.disableLocalAuth) claims.push({ kind: 'sas', entity: hubName.toLowerCase(), grant: verifySas(ns, token, this.d.clock.nowMs()) });
          } else {
            claims.push(await this.d.access.putToken(ns, 'jwt', `sb://x/${hubName}`, token, st.origin.trustedService));
          }
        } catch (e) { if (!(e instanceof SasError || e instanceof AccessError)) throw e; }
      }
      await this.d.access.check(ns, claims, st.plain, hubName, 'Any');
      const hub = ns.hubs.get(hubName.toLowerCase())!;
      const ids = Array.from({ length: hub.partitionCount }, (_, i) => String(i));
      if (props.type === 'com.microsoft:eventhub') {
        this.reply(ctx, msg, 200, 'OK', {
          name: hub.name, type: 'com.microsoft:eventhub', created_at: new Date(hub.createdAt),
          partition_count: hub.partitionCount, partition_ids: ids,
        });
        return;
      }
      if (props.type === 'com.microsoft:partition') {
        const p = String(props.partition ?? '');
        if (!ids.includes(p)) throw new AccessError('amqp:not-found', `The specified partition is invalid for an EventHub partition sender or receiver. It should be between 0 and ${hub.partitionCount - 1}.`, 400);
        const info = await this.d.events.info(ns.key, hub.key, Number(p), this.d.clock.nowMs() - hub.retentionHours * 3_600_000);
        this.reply(ctx, msg, 200, 'OK', {
          name: hub.name, type: 'com.microsoft:partition', partition: p,
          begin_sequence_number: rhea.types.wrap_long(info.beginSequenceNumber),
          last_enqueued_sequence_number: rhea.types.wrap_long(info.lastSequenceNumber),
          last_enqueued_offset: String(Math.max(info.lastOffset, -1)),
          last_enqueued_time_utc: new Date(info.lastEnqueuedMs),
          is_partition_empty: info.empty,
        });
        return;
      }
      throw new AccessError('amqp:not-implemented', `The type '${String(props.type)}' is not supported.`, 400);
    } catch (e) {
      if (!(e instanceof AccessError)) throw e;
      this.reply(ctx, msg, e.status, e.message);
    }
  }
}

let roundRobin = 0;

/** The partition of an event sent to a hub: by its key (a stable hash), else round robin, as the service does. */
export function pickPartition(partitionCount: number, partitionKey: string | undefined): number {
  if (partitionKey !== undefined) return crypto.createHash('md5').update(partitionKey).digest().readUInt32BE(0) % partitionCount;
  roundRobin = (roundRobin + 1) % 1_000_000;
  return roundRobin % partitionCount;
}

/** The senders of a connection (to stop their subscriptions when it goes). */
function collectSenders(conn: Connection): Sender[] {
  const sessions = (conn as unknown as { local_channel_map?: Record<string, { links?: Record<string, unknown> }> }).local_channel_map ?? {};
  const out: Sender[] = [];
  for (const s of Object.values(sessions)) for (const l of Object.values(s.links ?? {})) if ((l as { is_sender?: () => boolean }).is_sender?.()) out.push(l as Sender);
  return out;
}

function saslUser(conn: Connection): string | undefined {
  const t = (conn as unknown as { sasl_transport?: { mechanism?: { username?: string; outcome?: boolean } } }).sasl_transport;
  return t?.mechanism?.outcome === true ? t.mechanism.username : undefined;
}

function filterText(filter: Record<string, unknown> | undefined): string | undefined {
  if (!filter) return undefined;
  for (const [k, v] of Object.entries(filter)) {
    if (k === 'apache.org:selector-filter:string' || k.endsWith('selector-filter:string')) {
      const value = (v as { value?: unknown } | string | null);
      if (typeof value === 'string') return value;
      if (value && typeof value === 'object' && 'value' in value) {
        const inner = (value as { value: unknown }).value;
        return typeof inner === 'string' ? inner : String((inner as { value?: unknown })?.value ?? '');
      }
    }
  }
  return undefined;
}

/** The events of a delivery: one message (format 0) or a batch (format 0x80013700: data sections of messages). */
export function eventsOf(payload: Buffer | Message, format: number): { events: NewEvent[]; partitionKey?: string } {
  const size = Buffer.isBuffer(payload) ? payload.length : 0;
  if (size > MAX_MESSAGE_BYTES) throw new AccessError('amqp:link:message-size-exceeded', `The received message (delivery-id:0, size:${size} bytes) exceeds the limit (${MAX_MESSAGE_BYTES} bytes) currently allowed on the link.`, 413);
  const envelope = Buffer.isBuffer(payload) ? asMessage(rhea.message.decode(payload)) : payload;
  const outerKey = annotation(envelope, 'x-opt-partition-key');
  if (format !== BATCH_FORMAT) {
    return { events: [stripped(envelope, outerKey)], partitionKey: outerKey };
  }
  const body = envelope.body as { typecode?: number; content?: unknown; multiple?: boolean } | undefined;
  const parts = body?.typecode === 0x75 ? (body.multiple ? body.content as Buffer[] : [body.content as Buffer]) : [];
  const events = parts.map((p) => {
    const b = Buffer.from(p);
    // An event without annotations (nothing to strip) is kept as sent, without decoding it.
    if (withoutAnnotations(b)) return { message: b, ...(outerKey !== undefined ? { partitionKey: outerKey } : {}) };
    return stripped(asMessage(rhea.message.decode(b)), outerKey);
  });
  return { events, partitionKey: outerKey ?? events.find((e) => e.partitionKey !== undefined)?.partitionKey };
}

/**
 * Does an encoded message go from its header (if any) straight to its properties, application
 * properties or body (descriptors 0x73..0x77, in the small-ulong form every client uses), with no
 * delivery or message annotations? rhea (so the Azure SDKs) always writes a header section first.
 */
export function withoutAnnotations(b: Buffer): boolean {
  let i = 0;
  if (b.length > 3 && b[0] === 0x00 && b[1] === 0x53 && b[2] === 0x70) {
    // The header is a list: list0, list8 (size byte) or list32 (size uint), the size counting what follows it.
    const t = b[3];
    if (t === 0x45) i = 4;
    else if (t === 0xc0 && b.length > 4) i = 5 + b[4];
    else if (t === 0xd0 && b.length > 8) i = 8 + b.readUInt32BE(4);
    else return false;
  }
  return b.length > i + 3 && b[i] === 0x00 && b[i + 1] === 0x53 && b[i + 2] >= 0x73 && b[i + 2] <= 0x77;
}

function annotation(m: Message, name: string): string | undefined {
  const v = (m.message_annotations as Record<string, unknown> | undefined)?.[name];
  return v === undefined || v === null ? undefined : String(v);
}

/** The message to keep: without the annotations the service sets on the way out. */
function stripped(m: Message, outerKey: string | undefined): NewEvent {
  const partitionKey = annotation(m, 'x-opt-partition-key') ?? outerKey;
  const ann = m.message_annotations as Record<string, unknown> | undefined;
  if (ann) {
    for (const k of SERVICE_ANNOTATIONS) delete ann[k];
    if (Object.keys(ann).length === 0) delete m.message_annotations;
  }
  return { message: rhea.message.encode(m), ...(partitionKey !== undefined ? { partitionKey } : {}) };
}

/** A stored event as a receiver gets it: the message with the service's annotations. */
export function toOutgoing(e: StoredEvent): Message {
  const m = asMessage(rhea.message.decode(e.message));
  m.message_annotations = {
    ...((m.message_annotations as Record<string, unknown> | undefined) ?? {}),
    'x-opt-sequence-number': rhea.types.wrap_long(e.seq),
    'x-opt-offset': String(e.offset),
    'x-opt-enqueued-time': new Date(e.enqueuedMs),
    ...(e.partitionKey !== null ? { 'x-opt-partition-key': e.partitionKey } : {}),
  };
  return m;
}

function toAmqpError(e: unknown): { condition: string; description: string } {
  if (e instanceof AccessError) return { condition: e.condition, description: e.message };
  if (e instanceof AddressError) return { condition: 'amqp:not-found', description: e.message };
  return { condition: 'amqp:internal-error', description: 'The service was unable to process the request; please retry the operation.' };
}
