// The `meta` table: small per-plane settings (keys are prefixed with the plane: `entra.tenantId`).
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

export async function getMeta(db: Kysely<Database>, key: string): Promise<string | undefined> {
  const row = await db.selectFrom('meta').select('value').where('key', '=', key).executeTakeFirst();
  return row?.value;
}

/** Reads a meta value, creating it once; safe when two processes start on one store. */
export async function getOrCreateMeta(db: Kysely<Database>, key: string, make: () => string): Promise<string> {
  const existing = await getMeta(db, key);
  if (existing !== undefined) return existing;
  await db.insertInto('meta').values({ key, value: make() }).onConflict((oc) => oc.column('key').doNothing()).execute();
  return (await getMeta(db, key))!;
}

export async function setMeta(db: Kysely<Database>, key: string, value: string): Promise<void> {
  await db.insertInto('meta').values({ key, value }).onConflict((oc) => oc.column('key').doUpdateSet({ value })).execute();
}
