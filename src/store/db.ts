// Opens the store: Kysely over better-sqlite3 (default) or pg, then runs the migrations.
import path from 'node:path';
import { Kysely, Migrator, PostgresDialect, SqliteAdapter, SqliteDialect, type DialectAdapter, type MigrationProvider } from 'kysely';
import SQLite from 'better-sqlite3';
import type { Pool } from 'pg';
import type { Database } from './schema.js';
import { migrations } from './migrations.js';
import { KyselyAppender, SqliteAppender, type RowAppender } from './appender.js';

export type StoreDialect = 'sqlite' | 'postgres';

export interface Store {
  db: Kysely<Database>;
  dialect: StoreDialect;
  /** Bulk inserts acknowledged once durable, without blocking the event loop on the disk (appender.ts). */
  appender: RowAppender;
  close(): Promise<void>;
}

export type StoreOptions =
  | { kind: 'sqlite'; file: string | ':memory:' }
  | { kind: 'postgres'; url: string };

const INT8_OID = 20;

/**
 * SQLite runs DDL inside transactions, but Kysely's adapter says it does not, so its migrator would
 * commit (and sync to disk) every CREATE on its own: a new data directory's tables were ~50 syncs.
 * Saying so makes the whole migration run one transaction, all or nothing.
 */
class SqliteTransactionalDdlAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean { return true; }
}
class SqliteStoreDialect extends SqliteDialect {
  override createAdapter(): DialectAdapter { return new SqliteTransactionalDdlAdapter(); }
}

/**
 * For PostgreSQL, a `schema` query parameter on the URL (postgres://.../db?schema=name) puts every
 * table in that schema, created if missing: several instances (or test runs) can share one database.
 */
function parsePostgresUrl(url: string): { connectionString: string; schema?: string } {
  const parsed = new URL(url);
  const schema = parsed.searchParams.get('schema') ?? undefined;
  parsed.searchParams.delete('schema');
  if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new Error(`store: schema '${schema}' must be lower-case letters, digits and underscores`);
  }
  return { connectionString: parsed.toString(), schema };
}

async function postgresPool(url: string): Promise<Pool> {
  // Loaded only for a PostgreSQL store: the default SQLite start does not pay for the driver.
  const { default: pg } = await import('pg');
  const { connectionString, schema } = parsePostgresUrl(url);
  if (schema) {
    const client = new pg.Client({ connectionString });
    await client.connect();
    try { await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`); } finally { await client.end(); }
  }
  return new pg.Pool({
    connectionString,
    max: 10,
    // Millisecond timestamps are int8: read them as numbers (safe below 2^53).
    types: { getTypeParser: ((oid: number, format?: any) => oid === INT8_OID ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format)) as any },
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
}

export async function openStore(options: StoreOptions): Promise<Store> {
  let db: Kysely<Database>;
  let dialect: StoreDialect;
  let appender: RowAppender;
  if (options.kind === 'sqlite') {
    const file = options.file === ':memory:' ? ':memory:' : path.resolve(options.file);
    const sqlite = new SQLite(file);
    // WAL + synchronous=FULL: a write acknowledged to a client is on disk and survives kill -9.
    const mode = sqlite.pragma('journal_mode = WAL', { simple: true });
    sqlite.pragma('synchronous = FULL');
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma('foreign_keys = ON');
    db = new Kysely<Database>({ dialect: new SqliteStoreDialect({ database: sqlite }) });
    dialect = 'sqlite';
    appender = new SqliteAppender(db, sqlite, file !== ':memory:' && mode === 'wal' ? `${file}-wal` : undefined);
  } else {
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: await postgresPool(options.url) }) });
    dialect = 'postgres';
    appender = new KyselyAppender(db);
  }
  const provider: MigrationProvider = { getMigrations: async () => migrations(dialect) };
  // On PostgreSQL the migration tables go in the store's own schema: Kysely looks for them by name in
  // every schema, so another instance's tables in the same database would otherwise count as ours.
  const migrationTableSchema = options.kind === 'postgres' ? parsePostgresUrl(options.url).schema ?? 'public' : undefined;
  const migrator = new Migrator({ db, provider, ...(migrationTableSchema ? { migrationTableSchema } : {}) });
  const { error } = await migrator.migrateToLatest();
  if (error) {
    await db.destroy();
    throw error instanceof Error ? error : new Error(String(error));
  }
  return { db, dialect, appender, close: () => db.destroy() };
}
