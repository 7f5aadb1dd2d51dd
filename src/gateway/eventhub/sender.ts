// One azureEventHub logger's sender: events are queued by log-to-eventhub (never waited for by a call),
// and sent in batches over one AMQP connection (rhea as a client) to the logger's namespace: the local
// namespace in process when `endpointAddress` / the connection string names one on this machine, else
// amqps://{host}:5671 as Azure's. Authentication is the CBS put-token of Event Hubs: a SAS token made
// from the connection string, or the instance's managed identity token (cached by the gateway's
// TokenCache and put again before it expires). A failure is kept as the logger's last error (shown in
// traces) and written to the server log once per distinct message.
import crypto from 'node:crypto';
import type { Duplex } from 'node:stream';
import rhea, { type Connection, type Container, type Delivery, type EventContext, type Receiver, type Sender } from 'rhea';
import type { Logger } from '../../common/log.js';
import type { LoggerConfig } from '../config.js';

/** How the gateway reaches namespaces on this machine (the Event Hubs plane, in process). */
export interface LocalEventHubs {
  connect(host: string, o: { trustedService: boolean }): Duplex | undefined;
}

/** A managed identity token for Event Hubs, as the instance's identity (the gateway's token cache). */
export type EventHubTokenSource = (clientId: string | undefined) => string | Promise<string>;

/** `message`: the event as an encoded AMQP message (eventMessage()). */
export interface QueuedEvent { message: Buffer; partitionId?: string; partitionKey?: string }

export const EVENTHUBS_RESOURCE = 'https://eventhubs.azure.net/';
const BATCH_FORMAT = 0x80013700;
const MAX_QUEUE = 10_000;
/** A queue this long is sent without waiting for flushMs: half the queue, so that a busy gateway never fills it. */
const SEND_AT_EVENTS = MAX_QUEUE / 2;
const MAX_BATCH_BYTES = 900 * 1024;
const OP_TIMEOUT_MS = 10_000;
/** SAS tokens made here live an hour; every token is put again before it has 5 minutes left. */
const SAS_LIFETIME_S = 3600;
const RENEW_MARGIN_MS = 5 * 60_000;

interface Target { host: string; port: number; hub: string; sas?: { keyName: string; key: string } }

export function parseTarget(c: NonNullable<LoggerConfig['eventHub']>): Target {
  if (c.connectionString) {
    const parts = new Map<string, string>();
    for (const p of c.connectionString.split(';')) {
      const i = p.indexOf('=');
      if (i > 0) parts.set(p.slice(0, i).trim().toLowerCase(), p.slice(i + 1).trim());
    }
    const endpoint = parts.get('endpoint');
    if (!endpoint) throw new Error('the connection string has no Endpoint');
    const u = new URL(endpoint.replace(/^sb:/i, 'https:'));
    const keyName = parts.get('sharedaccesskeyname');
    const key = parts.get('sharedaccesskey');
    if (!keyName || !key) throw new Error('the connection string has no SharedAccessKeyName and SharedAccessKey');
    return { host: u.hostname, port: u.port ? Number(u.port) : 5671, hub: parts.get('entitypath') || c.name, sas: { keyName, key } };
  }
  if (!c.endpointAddress) throw new Error('the logger has neither a connection string nor an endpoint address');
  const u = new URL(/^[a-z]+:\/\//i.test(c.endpointAddress) ? c.endpointAddress.replace(/^sb:/i, 'https:') : `https://${c.endpointAddress}`);
  return { host: u.hostname, port: u.port ? Number(u.port) : 5671, hub: c.name };
}

export class LoggerSender {
  private queue: QueuedEvent[] = [];
  private queuedBytes = 0;
  private dropped = 0;
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private conn: { connection: Connection; cbs: { sender: Sender; receiver: Receiver }; tokenRenewAt: number; senders: Map<string, Sender> } | undefined;
  private readonly container: Container = rhea.create_container({ id: `apim-local-gateway-${crypto.randomUUID()}` });
  private readonly target: Target | undefined;
  private readonly configError: string | undefined;
  lastError: string | undefined;
  private loggedError: string | undefined;
  private closed = false;

  constructor(private readonly o: {
    instanceId: string; config: LoggerConfig; local: LocalEventHubs | undefined; token: EventHubTokenSource;
    logger: Logger; flushMs: number;
  }) {
    try { this.target = parseTarget(o.config.eventHub!); } catch (e) { this.configError = `logger '${o.config.name}': ${(e as Error).message}`; this.lastError = this.configError; }
    this.container.on('error', () => undefined);
  }

  /**
   * Queues an event (a full queue drops it and says so in the logger's error). The queue is sent
   * flushMs after its first event, or at once when it holds a full batch.
   */
  enqueue(e: QueuedEvent): void {
    if (this.closed) return;
    if (this.queue.length >= MAX_QUEUE) { this.dropped++; this.fail(`logger '${this.o.config.name}': ${this.dropped} event(s) dropped, the send queue is full (${MAX_QUEUE})`); return; }
    this.queue.push(e);
    const before = this.queuedBytes;
    this.queuedBytes += e.message.length;
    // A full batch (by count or size) goes now: once, as the queue reaches it.
    if (this.queue.length === SEND_AT_EVENTS || (before < MAX_BATCH_BYTES && this.queuedBytes >= MAX_BATCH_BYTES)) {
      if (this.timer) { clearTimeout(this.timer); this.timer = undefined; }
      void this.flush();
      return;
    }
    this.timer ??= setTimeout(() => { this.timer = undefined; void this.flush(); }, this.o.flushMs);
  }

  /** Sends what is queued (one flush at a time); resolves when it was sent or failed. */
  flush(): Promise<void> {
    if (this.flushing) return this.flushing.then(() => (this.queue.length ? this.flush() : undefined));
    this.flushing = this.send().finally(() => { this.flushing = undefined; });
    return this.flushing;
  }

  private async send(): Promise<void> {
    const events = this.queue;
    if (events.length === 0) return;
    this.queue = [];
    this.queuedBytes = 0;
    if (this.configError || !this.target) { this.fail(this.configError ?? 'no target'); return; }
    try {
      const c = await this.connection(this.target);
      // Events go in batches per target (the hub, or a partition) and partition key, in their order.
      const groups = new Map<string, QueuedEvent[]>();
      for (const e of events) {
        const k = `${e.partitionId ?? ''}\u0000${e.partitionKey ?? ''}`;
        const g = groups.get(k);
        if (g) g.push(e); else groups.set(k, [e]);
      }
      for (const group of groups.values()) {
        const { partitionId, partitionKey } = group[0];
        const address = partitionId !== undefined ? `${this.target.hub}/Partitions/${partitionId}` : this.target.hub;
        const sender = await this.sender(c, address);
        for (const batch of batches(group)) await this.transfer(sender, envelope(batch, partitionKey));
      }
      if (this.lastError && this.lastError !== this.configError) { this.lastError = undefined; this.loggedError = undefined; }
    } catch (e) {
      this.fail(`logger '${this.o.config.name}': ${events.length} event(s) not sent to event hub '${this.target.hub}': ${e instanceof Error ? e.message : String(e)}`);
      this.drop();
    }
  }

  private fail(message: string): void {
    this.lastError = message;
    if (this.loggedError !== message) { this.loggedError = message; this.o.logger.error(`gateway ${this.o.instanceId}: ${message}`); }
  }

  private drop(): void {
    const c = this.conn;
    this.conn = undefined;
    try { c?.connection.close(); } catch { /* gone */ }
  }

  private async connection(t: Target) {
    const now = Date.now();
    if (this.conn && this.conn.connection.is_open() && this.conn.tokenRenewAt > now) return this.conn;
    if (this.conn && this.conn.connection.is_open()) {
      // The token is getting old: put a new one on the same connection.
      this.conn.tokenRenewAt = await this.putToken(this.conn.cbs, t);
      return this.conn;
    }
    this.drop();
    const trusted = !t.sas && this.o.config.eventHub?.identityClientId?.toLowerCase() === 'systemassigned';
    const local = this.o.local?.connect(`${t.host}:${t.port}`, { trustedService: trusted }) ?? this.o.local?.connect(t.host, { trustedService: trusted });
    const options = {
      host: t.host, port: t.port, hostname: t.host, username: 'apim-local', reconnect: false, idle_time_out: 120_000,
      ...(local
        ? { connection_details: () => ({ host: t.host, port: t.port, connect: (_p: number, _h: string, _o: unknown, cb: () => void) => { local.once('connect', cb); return local; } }) }
        : { transport: 'tls' as const, servername: t.host }),
    };
    const connection = this.container.connect(options as Parameters<Container['connect']>[0]);
    await once(connection, 'connection_open', ['connection_error', 'disconnected', 'connection_close']);
    const replyTo = `cbs-${crypto.randomUUID()}`;
    const cbsSender = connection.open_sender({ target: { address: '$cbs' } });
    const cbsReceiver = connection.open_receiver({ name: replyTo, source: { address: '$cbs' }, target: { address: replyTo } } as Parameters<Connection['open_receiver']>[0]);
    await Promise.all([once(cbsSender, 'sendable', ['sender_close', 'sender_error']), once(cbsReceiver, 'receiver_open', ['receiver_close', 'receiver_error'])]);
    const cbs = { sender: cbsSender, receiver: cbsReceiver };
    const tokenRenewAt = await this.putToken(cbs, t);
    this.conn = { connection, cbs, tokenRenewAt, senders: new Map() };
    connection.on('disconnected', () => { if (this.conn?.connection === connection) this.conn = undefined; });
    return this.conn;
  }

  /** CBS put-token for the hub; returns when to put a new one. */
  private async putToken(cbs: { sender: Sender; receiver: Receiver }, t: Target): Promise<number> {
    const audience = `sb://${t.host}/${t.hub}`;
    let token: string;
    let type: string;
    let expiresMs: number;
    if (t.sas) {
      expiresMs = Date.now() + SAS_LIFETIME_S * 1000;
      const sr = encodeURIComponent(audience);
      const se = Math.floor(expiresMs / 1000);
      const sig = crypto.createHmac('sha256', t.sas.key).update(`${sr}\n${se}`).digest('base64');
      token = `SharedAccessSignature sr=${sr}&sig=${encodeURIComponent(sig)}&se=${se}&skn=${encodeURIComponent(t.sas.keyName)}`;
      type = 'servicebus.windows.net:sastoken';
    } else {
      const id = this.o.config.eventHub?.identityClientId;
      token = await this.o.token(id && id.toLowerCase() !== 'systemassigned' ? id : undefined);
      type = 'jwt';
      expiresMs = jwtExpiry(token);
    }
    const messageId = crypto.randomUUID();
    const reply = new Promise<EventContext>((resolve, reject) => {
      const timer = setTimeout(() => { cbs.receiver.removeListener('message', onMessage); reject(new Error('the CBS put-token timed out')); }, OP_TIMEOUT_MS);
      const onMessage = (ctx: EventContext) => {
        if (ctx.message?.correlation_id !== messageId) return;
        clearTimeout(timer);
        cbs.receiver.removeListener('message', onMessage);
        resolve(ctx);
      };
      cbs.receiver.on('message', onMessage);
    });
    cbs.sender.send({
      message_id: messageId, reply_to: cbs.receiver.name, body: token,
      application_properties: { operation: 'put-token', type, name: audience },
    });
    const ctx = await reply;
    const props = (ctx.message?.application_properties ?? {}) as Record<string, unknown>;
    const status = Number(props['status-code'] ?? props.statusCode);
    if (status !== 200 && status !== 202) throw new Error(`put-token refused (${status}): ${String(props['status-description'] ?? props.statusDescription ?? '')}`);
    return Math.min(expiresMs - RENEW_MARGIN_MS, Date.now() + 30 * 60_000);
  }

  private async sender(c: NonNullable<LoggerSender['conn']>, address: string): Promise<Sender> {
    const existing = c.senders.get(address);
    if (existing && existing.is_open()) return existing;
    const s = c.connection.open_sender({ target: { address }, autosettle: true });
    await once(s, 'sendable', ['sender_close', 'sender_error']);
    c.senders.set(address, s);
    return s;
  }

  private transfer(sender: Sender, payload: Buffer): Promise<void> {
    return new Promise((resolve, reject) => {
      const delivery: Delivery = sender.send(payload, undefined, BATCH_FORMAT);
      const timer = setTimeout(() => { cleanup(); reject(new Error('the send timed out')); }, OP_TIMEOUT_MS);
      const settle = (ctx: EventContext) => {
        if (ctx.delivery !== delivery) return;
        cleanup();
        const state = ctx.delivery.remote_state as { error?: { condition?: string; description?: string } } | undefined;
        if (state?.error) reject(new Error(`${state.error.condition ?? 'rejected'}: ${state.error.description ?? ''}`));
        else resolve();
      };
      const closed = (ctx: EventContext) => {
        cleanup();
        const err = ctx.sender?.error as { condition?: string; description?: string } | undefined;
        reject(new Error(err ? `${err.condition ?? 'detached'}: ${err.description ?? ''}` : 'the link was closed'));
      };
      const cleanup = () => {
        clearTimeout(timer);
        for (const ev of ['accepted', 'rejected', 'released', 'modified']) sender.removeListener(ev, settle);
        sender.removeListener('sender_close', closed);
      };
      for (const ev of ['accepted', 'rejected', 'released', 'modified']) sender.on(ev, settle);
      sender.on('sender_close', closed);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) { clearTimeout(this.timer); this.timer = undefined; }
    this.drop();
  }
}

/**
 * An event as an AMQP message of one data section holding `text` as UTF-8 (AMQP 1.0 §3.2.6: descriptor
 * 0x75, then vbin8 or vbin32), and nothing else: no header or properties to decode on the way in, and
 * written straight into its buffer (rhea's message.encode allocates a 1 KB writer per message).
 */
export function eventMessage(text: string): Buffer {
  const n = Buffer.byteLength(text, 'utf8');
  const head = n < 256 ? 5 : 8;
  const b = Buffer.allocUnsafe(head + n);
  b[0] = 0x00; b[1] = 0x53; b[2] = 0x75;
  if (n < 256) { b[3] = 0xa0; b[4] = n; } else { b[3] = 0xb0; b.writeUInt32BE(n, 4); }
  b.write(text, head, 'utf8');
  return b;
}

/** Batches of at most MAX_BATCH_BYTES of encoded events. */
function batches(events: QueuedEvent[]): Buffer[][] {
  const out: Buffer[][] = [];
  let cur: Buffer[] = [];
  let size = 0;
  for (const e of events) {
    const m = e.message;
    if (cur.length && size + m.length > MAX_BATCH_BYTES) { out.push(cur); cur = []; size = 0; }
    cur.push(m);
    size += m.length + 8;
  }
  if (cur.length) out.push(cur);
  return out;
}

/** Event Hubs' batch: a message whose data sections are the encoded events (and the partition key). */
function envelope(encoded: Buffer[], partitionKey: string | undefined): Buffer {
  return rhea.message.encode({
    body: rhea.message.data_sections(encoded),
    ...(partitionKey !== undefined ? { message_annotations: { 'x-opt-partition-key': partitionKey } } : {}),
  });
}

function jwtExpiry(token: string): number {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { exp?: number };
    if (typeof payload.exp === 'number') return payload.exp * 1000;
  } catch { /* not a JWT: renew soon */ }
  return Date.now() + 10 * 60_000;
}

/** Waits for `event` on a rhea endpoint, failing on any of `failures`. */
function once(emitter: { once(ev: string, f: (ctx: EventContext) => void): unknown; removeListener(ev: string, f: (ctx: EventContext) => void): unknown }, event: string, failures: string[]): Promise<EventContext> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { cleanup(); reject(new Error(`no ${event} within ${OP_TIMEOUT_MS / 1000} s`)); }, OP_TIMEOUT_MS);
    const ok = (ctx: EventContext) => { cleanup(); resolve(ctx); };
    const bad = (ctx: EventContext) => {
      cleanup();
      const err = (ctx.sender?.error ?? ctx.receiver?.error ?? ctx.connection?.error ?? ctx.error) as { condition?: string; description?: string; message?: string } | undefined;
      reject(new Error(err ? `${err.condition ?? 'error'}: ${err.description ?? err.message ?? ''}` : `${event} failed`));
    };
    const cleanup = () => { clearTimeout(timer); emitter.removeListener(event, ok); for (const f of failures) emitter.removeListener(f, bad); };
    emitter.once(event, ok);
    for (const f of failures) emitter.once(f, bad);
  });
}
