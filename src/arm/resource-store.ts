// Generic storage of ARM resources as JSON documents, keyed by lower-cased id, with indexed columns for
// listing by parent, resource group and subscription. Every provider of the ARM plane stores here.
import crypto from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import type { Clock } from '../common/clock.js';
import { recordChange } from '../store/db.js';
import { ArmErrors } from './errors.js';

export type ResourceBody = Record<string, any> & { id: string; type: string; name: string };

export interface StoredResource {
  id: string;
  body: ResourceBody;
  etag: string;
  createdMs: number;
  updatedMs: number;
}

export interface ListQuery {
  parent?: string;
  /** Resources in this resource group (not the group itself). */
  group?: string;
  subscriptionId?: string;
  type?: string;
  /** Only resources directly under a resource group (tracked top-level resources). */
  topLevel?: boolean;
}

export type DeleteHook = (deleted: StoredResource) => Promise<void>;

function groupKeyOf(id: string): string | null {
  const m = /^\/subscriptions\/[^/]+\/resourcegroups\/[^/]+/i.exec(id);
  return m ? m[0].toLowerCase() : null;
}

function subscriptionOf(id: string): string {
  const m = /^\/subscriptions\/([^/]+)/i.exec(id);
  return m ? m[1].toLowerCase() : '';
}

export const newEtag = (): string => `"${crypto.randomUUID()}"`;

export class ResourceStore {
  private readonly deleteHooks = new Map<string, DeleteHook[]>();

  constructor(private readonly db: Kysely<Database>, private readonly clock: Clock) {}

  /** Runs `hook` after a resource of `type` is deleted (directly or with its group or parent). */
  onDelete(type: string, hook: DeleteHook): void {
    const k = type.toLowerCase();
    this.deleteHooks.set(k, [...(this.deleteHooks.get(k) ?? []), hook]);
  }

  async get(id: string): Promise<StoredResource | undefined> {
    const row = await this.db.selectFrom('arm_resources').selectAll().where('id_key', '=', id.toLowerCase()).executeTakeFirst();
    return row ? { id: row.id, body: JSON.parse(row.body), etag: row.etag, createdMs: row.created_ms, updatedMs: row.updated_ms } : undefined;
  }

  async exists(id: string): Promise<boolean> {
    const row = await this.db.selectFrom('arm_resources').select('id_key').where('id_key', '=', id.toLowerCase()).executeTakeFirst();
    return row !== undefined;
  }

  /**
   * Creates or replaces a resource. `parent` is the id of the scope it sits at. `ifMatch` / `ifNoneMatch`
   * are the request's preconditions. The body is stored with a new etag, which is returned in it.
   */
  async put(input: { id: string; parent: string; body: ResourceBody; ifMatch?: string; ifNoneMatch?: string; keepEtagField?: boolean }): Promise<{ created: boolean; resource: StoredResource }> {
    const now = this.clock.nowMs();
    const key = input.id.toLowerCase();
    const etag = newEtag();
    return this.db.transaction().execute(async (tx) => {
      const current = await tx.selectFrom('arm_resources').select(['etag', 'created_ms', 'id']).where('id_key', '=', key).executeTakeFirst();
      if (input.ifMatch !== undefined && input.ifMatch !== '*' && (!current || current.etag !== input.ifMatch)) throw ArmErrors.preconditionFailed();
      if (input.ifMatch === '*' && !current) throw ArmErrors.preconditionFailed();
      if (input.ifNoneMatch === '*' && current) throw ArmErrors.preconditionFailed();
      const body = { ...input.body };
      if (input.keepEtagField) body.etag = etag;
      const row = {
        id: current?.id ?? input.id, type_key: input.body.type.toLowerCase(), parent_key: input.parent.toLowerCase(),
        group_key: groupKeyOf(input.id), subscription_id: subscriptionOf(input.id), body: JSON.stringify(body), etag, updated_ms: now,
      };
      if (current) {
        await tx.updateTable('arm_resources').set(row).where('id_key', '=', key).execute();
      } else {
        await tx.insertInto('arm_resources').values({ ...row, id_key: key, created_ms: now }).execute();
      }
      await recordChange(tx, 'arm', key, 'put', now);
      return { created: !current, resource: { id: row.id, body, etag, createdMs: current?.created_ms ?? now, updatedMs: now } };
    });
  }

  async list(q: ListQuery): Promise<StoredResource[]> {
    let query = this.db.selectFrom('arm_resources').selectAll();
    if (q.parent !== undefined) query = query.where('parent_key', '=', q.parent.toLowerCase());
    if (q.group !== undefined) query = query.where('group_key', '=', q.group.toLowerCase());
    if (q.subscriptionId !== undefined) query = query.where('subscription_id', '=', q.subscriptionId.toLowerCase());
    if (q.type !== undefined) query = query.where('type_key', '=', q.type.toLowerCase());
    const rows = await query.orderBy('created_ms').orderBy('id_key').execute();
    return rows
      .filter((r) => q.group === undefined || r.id_key !== q.group.toLowerCase())
      .filter((r) => !q.topLevel || (r.group_key !== null && r.parent_key === r.group_key))
      .map((r) => ({ id: r.id, body: JSON.parse(r.body), etag: r.etag, createdMs: r.created_ms, updatedMs: r.updated_ms }));
  }

  /** Deletes a resource and everything under it (children, extension resources); runs the delete hooks. */
  async deleteTree(id: string): Promise<StoredResource | undefined> {
    const key = id.toLowerCase();
    const escaped = key.replace(/[\\%_]/g, (c) => '\\' + c);
    const now = this.clock.nowMs();
    const deleted = await this.db.transaction().execute(async (tx) => {
      // ESCAPE is explicit: SQLite's LIKE has no default escape character (PostgreSQL's is the backslash).
      const rows = await tx.selectFrom('arm_resources').selectAll()
        .where((eb) => eb.or([eb('id_key', '=', key), sql<boolean>`${eb.ref('id_key')} like ${`${escaped}/%`} escape '\\'`])).execute();
      // LIKE is case-insensitive in SQLite for ASCII, and id_key is lower-cased anyway.
      const victims = rows.filter((r) => r.id_key === key || r.id_key.startsWith(key + '/'));
      for (const r of victims) {
        await tx.deleteFrom('arm_resources').where('id_key', '=', r.id_key).execute();
        await recordChange(tx, 'arm', r.id_key, 'delete', now);
      }
      return victims.map((r) => ({ id: r.id, body: JSON.parse(r.body) as ResourceBody, etag: r.etag, createdMs: r.created_ms, updatedMs: r.updated_ms }));
    });
    // Children first, so a hook on a parent sees its children gone.
    for (const r of [...deleted].sort((a, b) => b.id.length - a.id.length)) {
      for (const hook of this.deleteHooks.get(r.body.type.toLowerCase()) ?? []) await hook(r);
    }
    return deleted.find((r) => r.id.toLowerCase() === key);
  }
}
