// The events of every partition, in the store (eh_events). A write resolves once its transaction is
// durable (SQLite: WAL, flushed before the write resolves; store/appender.ts), so an event acknowledged
// to a sender survives a crash, and readers see only durable events. Sequence numbers and byte offsets
// continue from the stored ones after a restart; this process is the only writer of the namespaces it
// serves.
import { EventEmitter } from 'node:events';
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import type { RowAppender } from '../store/appender.js';
import type { Clock } from '../common/clock.js';

export interface NewEvent {
  /** The AMQP-encoded message (properties, application properties, body), without service annotations. */
  message: Buffer;
  partitionKey?: string;
}

export interface StoredEvent {
  seq: number;
  offset: number;
  enqueuedMs: number;
  partitionKey: string | null;
  message: Buffer;
}

export interface PartitionInfo {
  beginSequenceNumber: number;
  lastSequenceNumber: number;
  lastOffset: number;
  lastEnqueuedMs: number;
  empty: boolean;
}

interface Tail { seq: number; offset: number; size: number; enqueuedMs: number }

/** A position to read from: strictly after (or at) a sequence number, offset or enqueued time. */
export type StartPosition =
  | { kind: 'seq'; value: number; inclusive: boolean }
  | { kind: 'offset'; value: number; inclusive: boolean }
  | { kind: 'time'; value: number }
  | { kind: 'start' }
  | { kind: 'latest' };

const key = (ns: string, hub: string, partition: number) => `${ns}\u0000${hub}\u0000${partition}`;

/** Appends waiting for the next write, in the order they came. */
interface PendingAppend {
  ns: string;
  hub: string;
  partition: number;
  events: NewEvent[];
  resolve(stored: StoredEvent[]): void;
  reject(e: unknown): void;
}

export class EventStore {
  /** The durable end of each partition known to this process (what readers may see, where appends continue). */
  private readonly tails = new Map<string, Tail>();
  private readonly tailLoads = new Map<string, Promise<Tail>>();
  /** Emits `key(ns, hub, partition)` after events were appended there (receivers waiting for more). */
  readonly appended = new EventEmitter();
  private pending: PendingAppend[] = [];
  private writing = false;

  constructor(private readonly db: Kysely<Database>, private readonly rows: RowAppender, private readonly clock: Clock) {
    this.appended.setMaxListeners(0);
  }

  static key = key;

  private tail(ns: string, hub: string, partition: number): Promise<Tail> {
    const k = key(ns, hub, partition);
    const hit = this.tails.get(k);
    if (hit) return Promise.resolve(hit);
    // One load per partition at a time: two would leave two tails, and appends continuing a stale one.
    let load = this.tailLoads.get(k);
    if (!load) {
      load = (async () => {
        const row = await this.db.selectFrom('eh_events').select(['seq', 'byte_offset', 'message', 'enqueued_ms'])
          .where('ns_key', '=', ns).where('hub_key', '=', hub).where('partition_id', '=', partition)
          .orderBy('seq', 'desc').limit(1).executeTakeFirst();
        const t: Tail = row
          ? { seq: Number(row.seq), offset: Number(row.byte_offset), size: row.message.length, enqueuedMs: Number(row.enqueued_ms) }
          : { seq: -1, offset: -1, size: 0, enqueuedMs: 0 };
        this.tails.set(k, t);
        return t;
      })().finally(() => this.tailLoads.delete(k));
      this.tailLoads.set(k, load);
    }
    return load;
  }

  /**
   * Stores events at the end of a partition; resolves with them as stored once they are durable. The
   * appends made while a write is under way (of every partition) go in the next one, in one
   * transaction: under load a disk flush is shared by many appends instead of one each.
   */
  append(ns: string, hub: string, partition: number, events: NewEvent[]): Promise<StoredEvent[]> {
    if (events.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      this.pending.push({ ns, hub, partition, events, resolve, reject });
      if (!this.writing) {
        this.writing = true;
        // After the current turn: the appends it makes join this write.
        setImmediate(() => { void this.writeAll(); });
      }
    });
  }

  private async writeAll(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        const batch = this.pending;
        this.pending = [];
        await this.write(batch);
      }
    } finally {
      this.writing = false;
    }
  }

  /** One transaction: sequence numbers continue each partition's durable tail, in the order of the appends. */
  private async write(batch: PendingAppend[]): Promise<void> {
    const keys = [...new Set(batch.map((a) => key(a.ns, a.hub, a.partition)))];
    let tails: Tail[];
    try {
      tails = await Promise.all(batch.map((a) => this.tail(a.ns, a.hub, a.partition)));
    } catch (e) {
      for (const a of batch) a.reject(e);
      return;
    }
    const now = this.clock.nowMs();
    const next = new Map<Tail, Tail>();
    const rows: Database['eh_events'][] = [];
    const stored = batch.map((a, i) => {
      const t = next.get(tails[i]) ?? { ...tails[i] };
      next.set(tails[i], t);
      return a.events.map((e): StoredEvent => {
        t.seq += 1;
        t.offset = t.offset < 0 ? 0 : t.offset + t.size;
        t.size = e.message.length;
        t.enqueuedMs = now;
        rows.push({ ns_key: a.ns, hub_key: a.hub, partition_id: a.partition, seq: t.seq, byte_offset: t.offset, enqueued_ms: now, partition_key: e.partitionKey ?? null, message: e.message });
        return { seq: t.seq, offset: t.offset, enqueuedMs: now, partitionKey: e.partitionKey ?? null, message: e.message };
      });
    });
    try {
      await this.rows.insert('eh_events', rows);
    } catch (e) {
      // Committed or not, the store knows: the tails are read again by the next append.
      for (const k of keys) this.tails.delete(k);
      for (const a of batch) a.reject(e);
      return;
    }
    for (const [t, n] of next) Object.assign(t, n);
    for (const k of keys) this.appended.emit(k);
    batch.forEach((a, i) => a.resolve(stored[i]));
  }

  /** The sequence number a reader at `start` has seen last (-1: nothing yet), resolved now. */
  async resolve(ns: string, hub: string, partition: number, start: StartPosition): Promise<number> {
    switch (start.kind) {
      case 'start': return -1;
      case 'latest': return (await this.tail(ns, hub, partition)).seq;
      case 'seq': return start.inclusive ? start.value - 1 : start.value;
      case 'offset': {
        const op = start.inclusive ? '>=' : '>';
        const row = await this.db.selectFrom('eh_events').select('seq').where('ns_key', '=', ns).where('hub_key', '=', hub)
          .where('partition_id', '=', partition).where('byte_offset', op, start.value).orderBy('seq').limit(1).executeTakeFirst();
        return row ? Number(row.seq) - 1 : (await this.tail(ns, hub, partition)).seq;
      }
      case 'time': {
        const row = await this.db.selectFrom('eh_events').select('seq').where('ns_key', '=', ns).where('hub_key', '=', hub)
          .where('partition_id', '=', partition).where('enqueued_ms', '>', start.value).orderBy('seq').limit(1).executeTakeFirst();
        return row ? Number(row.seq) - 1 : (await this.tail(ns, hub, partition)).seq;
      }
    }
  }

  /** Up to `limit` events after sequence number `after`, not older than `notBeforeMs` (retention). */
  async read(ns: string, hub: string, partition: number, after: number, limit: number, notBeforeMs: number): Promise<StoredEvent[]> {
    // Not past the durable tail: rows of a write whose flush is under way are committed, not yet durable.
    const last = (await this.tail(ns, hub, partition)).seq;
    if (last <= after) return [];
    const rows = await this.db.selectFrom('eh_events').select(['seq', 'byte_offset', 'enqueued_ms', 'partition_key', 'message'])
      .where('ns_key', '=', ns).where('hub_key', '=', hub).where('partition_id', '=', partition)
      .where('seq', '>', after).where('seq', '<=', last).where('enqueued_ms', '>=', notBeforeMs).orderBy('seq').limit(limit).execute();
    return rows.map((r) => ({ seq: Number(r.seq), offset: Number(r.byte_offset), enqueuedMs: Number(r.enqueued_ms), partitionKey: r.partition_key, message: Buffer.from(r.message) }));
  }

  async info(ns: string, hub: string, partition: number, notBeforeMs: number): Promise<PartitionInfo> {
    const t = await this.tail(ns, hub, partition);
    const first = await this.db.selectFrom('eh_events').select('seq').where('ns_key', '=', ns).where('hub_key', '=', hub)
      .where('partition_id', '=', partition).where('enqueued_ms', '>=', notBeforeMs).orderBy('seq').limit(1).executeTakeFirst();
    const empty = first === undefined;
    return {
      beginSequenceNumber: empty ? t.seq + 1 : Number(first.seq), lastSequenceNumber: t.seq,
      lastOffset: t.offset, lastEnqueuedMs: t.enqueuedMs, empty,
    };
  }

  /**
   * Retention: deletes the events of a hub's partitions enqueued before `cutoffMs` (the tails stay known
   * in memory). Enqueued times grow with sequence numbers, so each partition loses a prefix: found from
   * the partition's start along the primary key, at the cost of the events it deletes, not of the hub.
   */
  async expire(ns: string, hub: string, partitions: number, cutoffMs: number): Promise<number> {
    let deleted = 0;
    for (let partition = 0; partition < partitions; partition++) {
      const keep = await this.db.selectFrom('eh_events').select('seq').where('ns_key', '=', ns).where('hub_key', '=', hub)
        .where('partition_id', '=', partition).where('enqueued_ms', '>=', cutoffMs).orderBy('seq').limit(1).executeTakeFirst();
      let q = this.db.deleteFrom('eh_events').where('ns_key', '=', ns).where('hub_key', '=', hub).where('partition_id', '=', partition);
      if (keep) q = q.where('seq', '<', keep.seq);
      const r = await q.executeTakeFirst();
      deleted += Number(r.numDeletedRows);
    }
    return deleted;
  }

  /** A hub or a whole namespace is gone: its events go too. */
  async purge(ns: string, hub?: string): Promise<void> {
    let q = this.db.deleteFrom('eh_events').where('ns_key', '=', ns);
    if (hub !== undefined) q = q.where('hub_key', '=', hub);
    await q.execute();
    const prefix = hub === undefined ? `${ns}\u0000` : `${ns}\u0000${hub}\u0000`;
    for (const k of [...this.tails.keys()]) if (k.startsWith(prefix)) this.tails.delete(k);
  }
}
