// The events of every partition, in the store (eh_events). A write returns once its transaction
// committed (SQLite: WAL with synchronous=FULL), so an event acknowledged to a sender survives a crash.
// Sequence numbers and byte offsets continue from the stored ones after a restart; this process is the
// only writer of the namespaces it serves.
import { EventEmitter } from 'node:events';
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
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

export class EventStore {
  private readonly tails = new Map<string, Tail>();
  /** Emits `key(ns, hub, partition)` after events were appended there (receivers waiting for more). */
  readonly appended = new EventEmitter();
  /** Appends run one after the other per partition, so sequence numbers stay dense and ordered. */
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(private readonly db: Kysely<Database>, private readonly clock: Clock) {
    this.appended.setMaxListeners(0);
  }

  static key = key;

  private async tail(ns: string, hub: string, partition: number): Promise<Tail> {
    const k = key(ns, hub, partition);
    const hit = this.tails.get(k);
    if (hit) return hit;
    const row = await this.db.selectFrom('eh_events').select(['seq', 'byte_offset', 'message', 'enqueued_ms'])
      .where('ns_key', '=', ns).where('hub_key', '=', hub).where('partition_id', '=', partition)
      .orderBy('seq', 'desc').limit(1).executeTakeFirst();
    const t: Tail = row
      ? { seq: Number(row.seq), offset: Number(row.byte_offset), size: row.message.length, enqueuedMs: Number(row.enqueued_ms) }
      : { seq: -1, offset: -1, size: 0, enqueuedMs: 0 };
    this.tails.set(k, t);
    return t;
  }

  /** Stores events at the end of a partition, in one transaction; returns them as stored. */
  append(ns: string, hub: string, partition: number, events: NewEvent[]): Promise<StoredEvent[]> {
    const k = key(ns, hub, partition);
    const run = (this.queues.get(k) ?? Promise.resolve()).catch(() => undefined).then(async () => {
      const t = await this.tail(ns, hub, partition);
      const now = this.clock.nowMs();
      let { seq, offset, size } = t;
      const stored: StoredEvent[] = events.map((e) => {
        seq += 1;
        offset = offset < 0 ? 0 : offset + size;
        size = e.message.length;
        return { seq, offset, enqueuedMs: now, partitionKey: e.partitionKey ?? null, message: e.message };
      });
      if (stored.length === 0) return stored;
      await this.db.transaction().execute(async (trx) => {
        // Chunks keep each statement's parameter count well under SQLite's and PostgreSQL's limits.
        for (let i = 0; i < stored.length; i += 200) {
          await trx.insertInto('eh_events').values(stored.slice(i, i + 200).map((s) => ({
            ns_key: ns, hub_key: hub, partition_id: partition, seq: s.seq, byte_offset: s.offset,
            enqueued_ms: s.enqueuedMs, partition_key: s.partitionKey, message: s.message,
          }))).execute();
        }
      });
      Object.assign(t, { seq, offset, size, enqueuedMs: now });
      this.appended.emit(k);
      return stored;
    });
    const settled = run.finally(() => { if (this.queues.get(k) === settled) this.queues.delete(k); });
    this.queues.set(k, settled);
    return run;
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
    const rows = await this.db.selectFrom('eh_events').select(['seq', 'byte_offset', 'enqueued_ms', 'partition_key', 'message'])
      .where('ns_key', '=', ns).where('hub_key', '=', hub).where('partition_id', '=', partition)
      .where('seq', '>', after).where('enqueued_ms', '>=', notBeforeMs).orderBy('seq').limit(limit).execute();
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

  /** Retention: deletes the hub's events enqueued before `cutoffMs` (the tail stays known in memory). */
  async expire(ns: string, hub: string, cutoffMs: number): Promise<number> {
    const r = await this.db.deleteFrom('eh_events').where('ns_key', '=', ns).where('hub_key', '=', hub).where('enqueued_ms', '<', cutoffMs).executeTakeFirst();
    return Number(r.numDeletedRows);
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
