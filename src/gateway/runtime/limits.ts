// Counters of the limits policies beyond rate limits: quota counters (quota, quota-by-key), kept in the
// server process and written to the gateway's own table (gateway_quota_counters) so a restart keeps them,
// and concurrency slots (limit-concurrency). Gateway workers reach both through the server process.
import type { Kysely } from 'kysely';
import type { Database } from '../../store/schema.js';
import type { Logger } from '../../common/log.js';

/** What a quota counter holds for one period. */
export interface QuotaUsage { calls: number; bytes: number }

export interface QuotaCounters {
  /** The counter's usage in the period that starts at `periodStart` (unix ms): zero for a new period. */
  usage(key: string, periodStart: number): QuotaUsage | Promise<QuotaUsage>;
  /** Counts calls and bytes in that period (a counter of an older period starts again from zero). */
  add(key: string, periodStart: number, calls: number, bytes: number): void | Promise<void>;
}

interface Counter { periodStart: number; calls: number; bytes: number; dirty: boolean }

const ZERO: QuotaUsage = Object.freeze({ calls: 0, bytes: 0 });
/** Counters held in memory; clean ones beyond this are dropped (they are read again from the store). */
const MAX_HELD = 100_000;

/** Quota counters in memory, without a store (tests, and gateways built without one). */
export class MemoryQuotaCounters implements QuotaCounters {
  protected readonly held = new Map<string, Counter>();

  usage(key: string, periodStart: number): QuotaUsage | Promise<QuotaUsage> {
    const c = this.held.get(key);
    return c === undefined || c.periodStart !== periodStart ? ZERO : { calls: c.calls, bytes: c.bytes };
  }

  add(key: string, periodStart: number, calls: number, bytes: number): void | Promise<void> {
    let c = this.held.get(key);
    if (c === undefined || c.periodStart < periodStart) {
      c = { periodStart, calls: 0, bytes: 0, dirty: true };
      this.held.set(key, c);
    } else if (c.periodStart > periodStart) {
      return; // a call of a period that has ended (the clock moved on while it ran)
    }
    c.calls += calls;
    c.bytes += bytes;
    c.dirty = true;
  }
}

/**
 * Quota counters persisted in the store: read once per key (then served from memory), written behind
 * every `flushMs` and when the gateway closes. A counter changed in the last flushMs before a kill -9 is
 * lost; API Management's own quota counts are approximate in the same way ("quota accuracy").
 */
export class StoreQuotaCounters extends MemoryQuotaCounters {
  private readonly loading = new Map<string, Promise<void>>();
  private readonly timer: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();

  constructor(private readonly db: Kysely<Database>, private readonly logger: Logger, flushMs = 1000) {
    super();
    this.timer = setInterval(() => { void this.flush(); }, flushMs);
    this.timer.unref();
  }

  override usage(key: string, periodStart: number): QuotaUsage | Promise<QuotaUsage> {
    if (this.held.has(key)) return super.usage(key, periodStart);
    return this.load(key).then(() => super.usage(key, periodStart));
  }

  override add(key: string, periodStart: number, calls: number, bytes: number): void | Promise<void> {
    if (this.held.has(key)) return super.add(key, periodStart, calls, bytes);
    return this.load(key).then(() => super.add(key, periodStart, calls, bytes));
  }

  private load(key: string): Promise<void> {
    let p = this.loading.get(key);
    if (p === undefined) {
      p = this.db.selectFrom('gateway_quota_counters').selectAll().where('counter_key', '=', key).executeTakeFirst()
        .then((row) => {
          if (!this.held.has(key)) {
            this.held.set(key, row ? { periodStart: Number(row.period_start_ms), calls: Number(row.calls), bytes: Number(row.bytes), dirty: false }
              : { periodStart: -Infinity, calls: 0, bytes: 0, dirty: false }); // nothing counted yet: any period is newer
          }
          this.trim();
        })
        .finally(() => this.loading.delete(key));
      this.loading.set(key, p);
    }
    return p;
  }

  private trim(): void {
    if (this.held.size <= MAX_HELD) return;
    for (const [k, c] of this.held) {
      if (this.held.size <= MAX_HELD) break;
      if (!c.dirty) this.held.delete(k);
    }
  }

  /** Writes the counters changed since the last flush. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      const dirty = [...this.held].filter(([, c]) => c.dirty);
      if (dirty.length === 0) return;
      for (const [, c] of dirty) c.dirty = false;
      const now = Date.now();
      try {
        await this.db.transaction().execute(async (tx) => {
          for (const [k, c] of dirty) {
            const row = { counter_key: k, period_start_ms: c.periodStart, calls: c.calls, bytes: c.bytes, updated_ms: now };
            await tx.insertInto('gateway_quota_counters').values(row)
              .onConflict((oc) => oc.column('counter_key').doUpdateSet({ period_start_ms: c.periodStart, calls: c.calls, bytes: c.bytes, updated_ms: now }))
              .execute();
          }
        });
      } catch (e) {
        for (const [, c] of dirty) c.dirty = true;
        this.logger.error('gateway: writing quota counters failed', e);
      }
    });
    return this.flushing;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await Promise.all(this.loading.values());
    await this.flush();
  }
}

/** Concurrency slots per key (limit-concurrency): a request holds one while its enclosed policies run. */
export interface ConcurrencyLimiter {
  /** Takes a slot unless `max` are taken: false when none is free. */
  acquire(key: string, max: number): boolean | Promise<boolean>;
  release(key: string): void;
}

export class MemoryConcurrency implements ConcurrencyLimiter {
  private readonly taken = new Map<string, number>();
  acquire(key: string, max: number): boolean {
    const n = this.taken.get(key) ?? 0;
    if (n >= max) return false;
    this.taken.set(key, n + 1);
    return true;
  }

  release(key: string): void {
    const n = this.taken.get(key) ?? 0;
    if (n <= 1) this.taken.delete(key); else this.taken.set(key, n - 1);
  }
}
