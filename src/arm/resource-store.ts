// Generic storage of ARM resources as JSON documents, keyed by lower-cased id, with indexed columns for
// listing by parent, resource group and subscription. Every provider of the ARM plane stores here.
//
// The store is also the one source of change notifications: `onChange(typePrefix, hook)` runs after
// every commit that put or deleted a resource of a matching type, and the write that caused it returns
// only once the hooks are done (the gateway reloads an instance this way, so a PUT returns once every
// gateway process applied it). Several writes that belong together go in one `batch`: one transaction,
// one notification.
import crypto from 'node:crypto';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../store/schema.js';
import type { Clock } from '../common/clock.js';
import { ArmErrors } from './errors.js';

/**
 * The properties of a document whose provider has not declared their type yet. Typed providers give
 * their own interface through a `ResourceKind<P>`.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type UntypedProperties = Record<string, any>;

/** A stored ARM document: Resource Manager's envelope around `properties` of type `P`. */
export interface ResourceBody<P = UntypedProperties> {
  id: string;
  type: string;
  name: string;
  properties: P;
  // The envelope fields a provider adds (location, tags, sku, identity, systemData, zones, kind, etag, private fields).
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  [envelope: string]: any;
}

export interface StoredResource<P = UntypedProperties> {
  id: string;
  body: ResourceBody<P>;
  etag: string;
  createdMs: number;
  updatedMs: number;
}

/** A resource type with the type of its properties: typed access to the store (`resources.getOf(API, id)`). */
export interface ResourceKind<P> {
  readonly type: string;
  /** Only carries `P` for the compiler. */
  readonly _properties?: P;
}

export const resourceKind = <P>(type: string): ResourceKind<P> => ({ type });

export interface ListQuery {
  parent?: string;
  /** Resources in this resource group (not the group itself). */
  group?: string;
  subscriptionId?: string;
  type?: string;
  /** Resources whose id starts with this id + '/' (everything below a resource, at any depth). */
  under?: string;
  /** Only resources directly under a resource group (tracked top-level resources). */
  topLevel?: boolean;
}

export interface PutInput<P = UntypedProperties> {
  id: string;
  parent: string;
  body: ResourceBody<P>;
  ifMatch?: string;
  ifNoneMatch?: string;
  keepEtagField?: boolean;
}

/** One committed change, as the hooks see it. */
export interface ResourceChange {
  id: string;
  type: string;
  op: 'put' | 'delete';
}

export type ChangeHook = (changes: ResourceChange[]) => Promise<void>;
export type DeleteHook = (deleted: StoredResource) => Promise<void>;

/**
 * Reads and writes inside one `batch`: applied in one transaction, notified once after it commits.
 * Inside a batch, read through it too: the store's own methods would wait for the transaction's
 * connection (SQLite has one).
 */
export interface BatchWriter {
  put<P>(input: PutInput<P>): Promise<{ created: boolean; resource: StoredResource<P> }>;
  deleteTree(id: string): Promise<StoredResource | undefined>;
  listOf<P>(kind: ResourceKind<P>, q?: Omit<ListQuery, 'type'>): Promise<StoredResource<P>[]>;
}

function groupKeyOf(id: string): string | null {
  const m = /^\/subscriptions\/[^/]+\/resourcegroups\/[^/]+/i.exec(id);
  return m ? m[0].toLowerCase() : null;
}

function subscriptionOf(id: string): string {
  const m = /^\/subscriptions\/([^/]+)/i.exec(id);
  return m ? m[1].toLowerCase() : '';
}

/** LIKE pattern for everything below `key` (ESCAPE is explicit: SQLite's LIKE has no default escape character). */
const belowPattern = (key: string) => `${key.replace(/[\\%_]/g, (c) => '\\' + c)}/%`;

export const newEtag = (): string => `"${crypto.randomUUID()}"`;

type Tx = Transaction<Database>;

interface Pending {
  changes: ResourceChange[];
  deleted: StoredResource[];
}

export class ResourceStore {
  private readonly deleteHooks = new Map<string, DeleteHook[]>();
  private readonly changeHooks: { prefix: string; hook: ChangeHook }[] = [];

  constructor(private readonly db: Kysely<Database>, private readonly clock: Clock) {}

  /** Runs `hook` after a resource of `type` is deleted (directly or with its group or parent): cascades. */
  onDelete<P>(kind: ResourceKind<P>, hook: (deleted: StoredResource<P>) => Promise<void>): void {
    const k = kind.type.toLowerCase();
    // Hooks are kept by type, and called only with resources of that type (batch() below).
    this.deleteHooks.set(k, [...(this.deleteHooks.get(k) ?? []), hook as DeleteHook]);
  }

  /**
   * Runs `hook` after each commit that changed resources whose type starts with `typePrefix`
   * (`Microsoft.ApiManagement/service` matches the instances and all their children), with those
   * changes. The write returns after the hook; a hook's failure is the hook's to report, not the write's.
   */
  onChange(typePrefix: string, hook: ChangeHook): void {
    this.changeHooks.push({ prefix: typePrefix.toLowerCase(), hook });
  }

  async get(id: string): Promise<StoredResource | undefined> {
    const row = await this.db.selectFrom('arm_resources').selectAll().where('id_key', '=', id.toLowerCase()).executeTakeFirst();
    return row ? { id: row.id, body: JSON.parse(row.body), etag: row.etag, createdMs: row.created_ms, updatedMs: row.updated_ms } : undefined;
  }

  /** The resource `id` if it is of `kind`'s type. */
  async getOf<P>(kind: ResourceKind<P>, id: string): Promise<StoredResource<P> | undefined> {
    const r = await this.get(id);
    return r && r.body.type.toLowerCase() === kind.type.toLowerCase() ? (r as StoredResource<P>) : undefined;
  }

  async exists(id: string): Promise<boolean> {
    const row = await this.db.selectFrom('arm_resources').select('id_key').where('id_key', '=', id.toLowerCase()).executeTakeFirst();
    return row !== undefined;
  }

  list(q: ListQuery): Promise<StoredResource[]> {
    return this.listIn(this.db, q);
  }

  private async listIn(db: Kysely<Database>, q: ListQuery): Promise<StoredResource[]> {
    let query = db.selectFrom('arm_resources').selectAll();
    if (q.parent !== undefined) query = query.where('parent_key', '=', q.parent.toLowerCase());
    if (q.group !== undefined) query = query.where('group_key', '=', q.group.toLowerCase());
    if (q.subscriptionId !== undefined) query = query.where('subscription_id', '=', q.subscriptionId.toLowerCase());
    if (q.type !== undefined) query = query.where('type_key', '=', q.type.toLowerCase());
    if (q.under !== undefined) query = query.where(sql<boolean>`id_key like ${belowPattern(q.under.toLowerCase())} escape '\\'`);
    const rows = await query.orderBy('created_ms').orderBy('id_key').execute();
    const underKey = q.under?.toLowerCase();
    return rows
      .filter((r) => q.group === undefined || r.id_key !== q.group.toLowerCase())
      .filter((r) => underKey === undefined || r.id_key.startsWith(underKey + '/'))
      .filter((r) => !q.topLevel || (r.group_key !== null && r.parent_key === r.group_key))
      .map((r) => ({ id: r.id, body: JSON.parse(r.body), etag: r.etag, createdMs: r.created_ms, updatedMs: r.updated_ms }));
  }

  /** Resources of `kind` (with `q`'s other conditions). */
  async listOf<P>(kind: ResourceKind<P>, q: Omit<ListQuery, 'type'> = {}): Promise<StoredResource<P>[]> {
    return (await this.list({ ...q, type: kind.type })) as StoredResource<P>[];
  }

  /**
   * Creates or replaces a resource. `parent` is the id of the scope it sits at. `ifMatch` / `ifNoneMatch`
   * are the request's preconditions. The body is stored with a new etag, which is returned in it.
   */
  put<P>(input: PutInput<P>): Promise<{ created: boolean; resource: StoredResource<P> }> {
    return this.batch((w) => w.put(input));
  }

  /** Deletes a resource and everything under it (children, extension resources); runs the delete hooks. */
  deleteTree(id: string): Promise<StoredResource | undefined> {
    return this.batch((w) => w.deleteTree(id));
  }

  /**
   * Runs `work` in one transaction: all of its writes commit or none does. Then the delete hooks of
   * what it deleted run, and the change hooks once with every change.
   */
  async batch<T>(work: (w: BatchWriter) => Promise<T>): Promise<T> {
    const pending: Pending = { changes: [], deleted: [] };
    const result = await this.db.transaction().execute((tx) => work({
      put: (input) => this.putIn(tx, input, pending),
      deleteTree: (id) => this.deleteIn(tx, id, pending),
      listOf: async <P>(kind: ResourceKind<P>, q: Omit<ListQuery, 'type'> = {}) => (await this.listIn(tx, { ...q, type: kind.type })) as StoredResource<P>[],
    }));
    // Children first, so a hook on a parent sees its children gone.
    for (const r of [...pending.deleted].sort((a, b) => b.id.length - a.id.length)) {
      for (const hook of this.deleteHooks.get(r.body.type.toLowerCase()) ?? []) await hook(r);
    }
    await this.notify(pending.changes);
    return result;
  }

  private async notify(changes: ResourceChange[]): Promise<void> {
    if (changes.length === 0) return;
    for (const { prefix, hook } of this.changeHooks) {
      const mine = changes.filter((c) => c.type.toLowerCase().startsWith(prefix));
      if (mine.length > 0) await hook(mine);
    }
  }

  private async putIn<P>(tx: Tx, input: PutInput<P>, pending: Pending): Promise<{ created: boolean; resource: StoredResource<P> }> {
    const now = this.clock.nowMs();
    const key = input.id.toLowerCase();
    const etag = newEtag();
    const current = await tx.selectFrom('arm_resources').select(['etag', 'created_ms', 'id']).where('id_key', '=', key).executeTakeFirst();
    if (input.ifMatch !== undefined && input.ifMatch !== '*' && (!current || current.etag !== input.ifMatch)) throw ArmErrors.preconditionFailed();
    if (input.ifMatch === '*' && !current) throw ArmErrors.preconditionFailed();
    if (input.ifNoneMatch === '*' && current) throw ArmErrors.preconditionFailed();
    const body: ResourceBody<P> = { ...input.body };
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
    pending.changes.push({ id: row.id, type: body.type, op: 'put' });
    return { created: !current, resource: { id: row.id, body, etag, createdMs: current?.created_ms ?? now, updatedMs: now } };
  }

  private async deleteIn(tx: Tx, id: string, pending: Pending): Promise<StoredResource | undefined> {
    const key = id.toLowerCase();
    const rows = await tx.selectFrom('arm_resources').selectAll()
      .where((eb) => eb.or([eb('id_key', '=', key), sql<boolean>`${eb.ref('id_key')} like ${belowPattern(key)} escape '\\'`])).execute();
    // LIKE is case-insensitive in SQLite for ASCII, and id_key is lower-cased anyway.
    const victims = rows.filter((r) => r.id_key === key || r.id_key.startsWith(key + '/'));
    const deleted: StoredResource[] = [];
    for (const r of victims) {
      await tx.deleteFrom('arm_resources').where('id_key', '=', r.id_key).execute();
      const body = JSON.parse(r.body) as ResourceBody;
      deleted.push({ id: r.id, body, etag: r.etag, createdMs: r.created_ms, updatedMs: r.updated_ms });
      pending.changes.push({ id: r.id, type: body.type, op: 'delete' });
    }
    pending.deleted.push(...deleted);
    return deleted.find((r) => r.id.toLowerCase() === key);
  }
}
