// Bulk inserts acknowledged once durable, without holding the event loop while the disk flushes: the
// store's write path for high-rate appends (Event Hubs events).
//
// SQLite: a commit with synchronous=FULL fsyncs the WAL inside the call, on the event loop (5-10 ms on
// an ordinary disk), and every request the process serves waits that long. Here the transaction commits
// with synchronous=NORMAL (the frames are written to the WAL, not flushed), then the WAL is flushed with
// an fdatasync in libuv's thread pool, and only then does insert() resolve: what a caller acknowledges
// is on disk, as with FULL, while the loop goes on. One flush covers every commit made before it starts,
// so concurrent appenders share it. The statements are prepared once per table and column set, not built
// by Kysely and compiled by SQLite per call. On PostgreSQL the commit does not block the loop: a Kysely
// transaction.
import fsp from 'node:fs/promises';
import type { Insertable, Kysely } from 'kysely';
import type SQLite from 'better-sqlite3';
import type { Database } from './schema.js';

export interface RowAppender {
  /** Inserts `rows` (all with the same columns) in one transaction; resolves once it is durable. */
  insert<T extends keyof Database & string>(table: T, rows: Insertable<Database[T]>[]): Promise<void>;
}

/** PostgreSQL (and any other Kysely dialect): one transaction, in chunks under the parameter limits. */
export class KyselyAppender implements RowAppender {
  constructor(private readonly db: Kysely<Database>) {}

  async insert<T extends keyof Database & string>(table: T, rows: Insertable<Database[T]>[]): Promise<void> {
    if (rows.length === 0) return;
    const perChunk = Math.max(1, Math.floor(2000 / Object.keys(rows[0]).length));
    await this.db.transaction().execute(async (trx) => {
      for (let i = 0; i < rows.length; i += perChunk) {
        // Kysely cannot relate a generic table name to its row type; the signature above does.
        await trx.insertInto(table).values(rows.slice(i, i + perChunk) as never).execute();
      }
    });
  }
}

/** Rows per multi-row statement, within SQLite's limit of 32766 parameters (eh_events: 64 × 8). */
const ROWS_PER_STATEMENT = 64;
const MAX_PARAMETERS = 32766;

export class SqliteAppender implements RowAppender {
  private readonly statements = new Map<string, SQLite.Statement>();
  private readonly normal: SQLite.Statement;
  private readonly full: SQLite.Statement;
  private flushing: Promise<void> | undefined;
  private nextFlush: Promise<void> | undefined;

  /**
   * `walFile`: the database's write-ahead log when it is in WAL mode with synchronous=FULL (flushed
   * here after each commit); undefined otherwise (in memory: nothing to flush; another journal mode:
   * the commit keeps the connection's own synchronous setting).
   */
  constructor(private readonly db: Kysely<Database>, private readonly sqlite: SQLite.Database, private readonly walFile: string | undefined) {
    this.normal = sqlite.prepare('PRAGMA synchronous = NORMAL');
    this.full = sqlite.prepare('PRAGMA synchronous = FULL');
  }

  async insert<T extends keyof Database & string>(table: T, rows: Insertable<Database[T]>[]): Promise<void> {
    if (rows.length === 0) return;
    const columns = Object.keys(rows[0]);
    const one = this.statement(table, columns, 1);
    const per = Math.min(ROWS_PER_STATEMENT, Math.floor(MAX_PARAMETERS / columns.length));
    const many = per > 1 && rows.length >= per ? this.statement(table, columns, per) : undefined;
    // Through Kysely's connection: it is one connection, and a Kysely transaction open on it (between
    // two awaits) must not take these rows in.
    await this.db.connection().execute(async () => {
      if (this.walFile) this.normal.run();
      try {
        this.sqlite.transaction(() => {
          let i = 0;
          if (many) {
            // Rows go `per` to a statement: a quarter less time than a statement per row.
            const values: unknown[] = new Array(per * columns.length);
            for (; i + per <= rows.length; i += per) {
              let v = 0;
              for (let r = i; r < i + per; r++) {
                const row = rows[r] as Record<string, unknown>;
                for (const c of columns) values[v++] = row[c] ?? null;
              }
              many.run(values);
            }
          }
          for (; i < rows.length; i++) one.run(columns.map((c) => (rows[i] as Record<string, unknown>)[c] ?? null));
        })();
      } finally {
        if (this.walFile) this.full.run();
      }
    });
    if (this.walFile) await this.flush();
  }

  /** `insert into table (columns) values (?, ...), ...`: `count` rows, prepared once. */
  private statement(table: string, columns: string[], count: number): SQLite.Statement {
    const k = `${table}\u0000${count}\u0000${columns.join('\u0000')}`;
    let s = this.statements.get(k);
    if (!s) {
      const q = (id: string) => `"${id.replace(/"/g, '""')}"`;
      const row = `(${columns.map(() => '?').join(', ')})`;
      s = this.sqlite.prepare(`insert into ${q(table)} (${columns.map(q).join(', ')}) values ${new Array(count).fill(row).join(', ')}`);
      this.statements.set(k, s);
    }
    return s;
  }

  /** Resolves after an fdatasync of the WAL that started after this call. */
  private flush(): Promise<void> {
    if (!this.flushing) {
      this.flushing = this.datasync().finally(() => { this.flushing = undefined; });
      return this.flushing;
    }
    // The flush under way may have started before our commit: the next one covers it (and every
    // commit made meanwhile).
    this.nextFlush ??= this.flushing.catch(() => undefined).then(() => { this.nextFlush = undefined; return this.flush(); });
    return this.nextFlush;
  }

  private async datasync(): Promise<void> {
    // Opened each time: SQLite may delete and re-create the WAL (e.g. when the last connection closes).
    const fh = await fsp.open(this.walFile!, 'r+');
    try { await fh.datasync(); } finally { await fh.close(); }
  }
}
