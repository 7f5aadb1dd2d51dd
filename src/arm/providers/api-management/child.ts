// One mechanism for the child resources of an API Management instance (apis, operations, products,
// subscriptions, backends, named values, tags, ...): a type is a spec (its kind, parent, contract names,
// writable fields and a `properties()` validation), and `defineApimChild` makes GET, PUT, PATCH, DELETE,
// list and HEAD of it with the same parent 404s, If-Match, 201/200, ETag, sealed private fields, paging
// and `$filter` for all. Links between entities (a product's APIs, an API's tags) are `defineApimLink`.
// Nothing here tells the gateway: the store's change hook does (index.ts).
import type { ArmRequest, ArmResult, ResourceTypeRegistration } from '../../registry.js';
import type { ArmContext } from '../../context.js';
import type { SecretBox } from '../../../common/crypto.js';
import type { Logger } from '../../../common/log.js';
import { ArmErrors } from '../../errors.js';
import { page } from '../../envelope.js';
import type { BatchWriter, ResourceBody, ResourceKind, StoredResource } from '../../resource-store.js';
import { APIM_API_VERSIONS, SERVICE, SERVICE_TYPE, type ServiceProperties } from './service.js';
import { applyApimFilter } from './filter.js';
import { ApimChildErrors, checkEntityName, propertiesOf } from './validation.js';

/** What the child modules are given. */
export interface ApimChildDeps {
  arm: ArmContext;
  box: SecretBox;
  logger: Logger;
}

/** Fields of a stored document that never leave the server (sealed secrets, policy references). */
export const PRIVATE = '_private';

/** The instance id of any resource id under `.../service/{name}`. */
export function instanceIdOf(id: string): string {
  const m = /^(.*?\/providers\/Microsoft\.ApiManagement\/service\/[^/]+)/i.exec(id);
  if (!m) throw new Error(`not an API Management child id: ${id}`);
  return m[1];
}

/** The instance must exist (else Resource Manager's 404 for the service); returns it. */
export async function requireInstance(deps: ApimChildDeps, req: ArmRequest): Promise<StoredResource<ServiceProperties>> {
  const svc = await deps.arm.resources.getOf(SERVICE, instanceIdOf(req.target.id));
  if (!svc) throw ArmErrors.resourceNotFound(SERVICE_TYPE, req.target.names[0], req.target.resourceGroup);
  return svc;
}

/** A stored entity that must exist (the parent of a grandchild, or the target itself): API Management's 404 otherwise. */
export async function requireEntity<P>(deps: ApimChildDeps, kind: ResourceKind<P>, id: string, entity: string): Promise<StoredResource<P>> {
  const r = await deps.arm.resources.getOf(kind, id);
  if (!r) throw ApimChildErrors.notFound(entity);
  return r;
}

/** The document as a client sees it: without private fields. */
export function publicBody(body: ResourceBody<unknown>): Record<string, unknown> {
  const { [PRIVATE]: _hidden, ...rest } = body;
  return rest;
}

function ifMatchOf(req: ArmRequest): string | undefined {
  const v = req.ctx.req.headers['if-match'];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** DELETE and PATCH: If-Match is required; `*` or the current etag. */
export function checkIfMatch(req: ArmRequest, current: StoredResource<unknown> | undefined): void {
  const im = ifMatchOf(req);
  if (im === undefined) throw ApimChildErrors.ifMatchRequired();
  if (im !== '*' && current && current.etag !== im) throw ApimChildErrors.preconditionFailed();
}

/** Seals a secret for the document with `id` (the id binds it: a sealed value cannot be moved to another entity). */
export function sealFor(deps: ApimChildDeps, id: string, field: string, value: string): string {
  return deps.box.seal(value, `${id.toLowerCase()}#${field}`);
}

export function openFor(deps: ApimChildDeps, id: string, field: string, sealed: string): string {
  return deps.box.open(sealed, `${id.toLowerCase()}#${field}`);
}

/**
 * A page of `docs` (the documents of a list of `type`): `$filter` (the collection's table in filter.ts)
 * first, then `$skip` (the SDK's `skip` option), then `$top` and the skiptoken of `page`; `count` is how
 * many match the filter. `nextLink` keeps the query, `$filter` too.
 */
export function pageOfDocuments(deps: ApimChildDeps, req: ArmRequest, type: string, docs: ResourceBody<unknown>[], map: (b: ResourceBody<unknown>) => unknown = publicBody): ArmResult {
  const matching = applyApimFilter(req.ctx.query, type, docs);
  const skipParam = req.ctx.query.get('$skip');
  const skip = skipParam !== null && /^\d+$/.test(skipParam) ? Number(skipParam) : 0;
  const result = page(req, matching.slice(skip).map(map), deps.arm.baseUrl);
  (result.body as Record<string, unknown>).count = matching.length;
  return result;
}

/** A registration of a type under `service/` with API Management's api-versions; HEAD answers 200 (getEntityTag). */
export function childType(path: string, handlers: Omit<ResourceTypeRegistration, 'type' | 'apiVersions' | 'scopes'>): ResourceTypeRegistration {
  return { type: `${SERVICE_TYPE}/${path}`, apiVersions: APIM_API_VERSIONS, scopes: ['resource'], headStatus: 200, ...handlers };
}

/** The entity a child hangs off, for types below another entity (`apis/{api}/operations`). */
export interface ParentSpec {
  kind: ResourceKind<unknown>;
  /** Its name in API Management's 404 message: 'Api', 'Product'. */
  entity: string;
}

/** Everything a spec's `properties()` needs for one PUT or PATCH. */
export interface ChildWrite<P> {
  req: ArmRequest;
  instance: StoredResource<ServiceProperties>;
  /** The parent entity (grandchildren only). */
  parent: StoredResource<unknown> | undefined;
  /** The entity's id (in its stored spelling when it exists) and name. */
  id: string;
  name: string;
  existing: StoredResource<P> | undefined;
  /** PATCH. */
  merge: boolean;
  /** The request's properties, their names checked against the contract. */
  given: Record<string, unknown>;
  /** What to validate: for PATCH the stored properties with the given writable fields over them; for PUT the given writable fields. */
  merged: Record<string, unknown>;
}

/** What a write stores: the properties and the private (sealed) fields. */
export interface ChildDocument<P> {
  properties: P;
  private?: Record<string, unknown>;
}

export interface ApimChildSpec<P> {
  kind: ResourceKind<P>;
  /** Its path under `service/`: 'backends', 'apis/operations'. */
  path: string;
  /** Its name in API Management's messages: 'Backend'. */
  entity: string;
  parent?: ParentSpec;
  /** Contract names for unknown-member errors: PUT's and PATCH's. */
  contracts: { create: string; update: string };
  writable: readonly string[];
  /** Accepted in a body (a GET's answer sent back) and ignored. */
  readOnly?: readonly string[];
  /** Accepted by PUT only (an import's `format` and `value`). */
  createOnly?: readonly string[];
  /** Writable by PATCH only (a subscription's `expirationDate`). */
  updateOnly?: readonly string[];
  /** Names other than API Management's identifier pattern (a policy is always 'policy'). */
  checkName?(name: string): void;
  /** Validates a write and returns what is stored. */
  properties(w: ChildWrite<P>): Promise<ChildDocument<P>> | ChildDocument<P>;
  /** In the transaction, before the entity is stored: the document to store (a logger's secrets move to named values). */
  prepare?(w: ChildWrite<P>, body: ResourceBody<P>, batch: BatchWriter): Promise<ResourceBody<P>>;
  /** More writes in the same transaction, after the entity (an import replaces the API's operations). */
  alsoWrite?(w: ChildWrite<P>, stored: StoredResource<P>, batch: BatchWriter): Promise<void>;
  /** After the write committed: the entity to answer with (a Key Vault named value is read at once). */
  afterWrite?(stored: StoredResource<P>): Promise<StoredResource<P>>;
  /** Refuses a delete (a named value a policy uses); may delete more in the same transaction. */
  beforeDelete?(existing: StoredResource<P>, req: ArmRequest, batch: BatchWriter): Promise<void>;
  /** The body a client sees (default: without private fields). */
  present?(body: ResourceBody<P>, req: ArmRequest): unknown;
  /** POST actions by lower-cased name, given the entity (404 when it does not exist). */
  actions?: Record<string, (req: ArmRequest, entity: StoredResource<P>) => Promise<ArmResult>>;
}

/** GET, PUT, PATCH, DELETE, list and actions of one child type, from its spec. */
export function defineApimChild<P>(deps: ApimChildDeps, spec: ApimChildSpec<P>): ResourceTypeRegistration {
  const { resources } = deps.arm;
  const present = (body: ResourceBody<P>, req: ArmRequest) => (spec.present ? spec.present(body, req) : publicBody(body));

  /** The instance and (for grandchildren) the parent entity must exist. */
  async function parents(req: ArmRequest): Promise<{ instance: StoredResource<ServiceProperties>; parent: StoredResource<unknown> | undefined }> {
    const instance = await requireInstance(deps, req);
    const parent = spec.parent ? await requireEntity(deps, spec.parent.kind, req.target.scope, spec.parent.entity) : undefined;
    return { instance, parent };
  }

  async function find(req: ArmRequest): Promise<StoredResource<P>> {
    await parents(req);
    return requireEntity(deps, spec.kind, req.target.id, spec.entity);
  }

  async function write(req: ArmRequest, merge: boolean): Promise<ArmResult> {
    const { instance, parent } = await parents(req);                                           // 1. parents
    const name = req.target.name!;
    (spec.checkName ?? checkEntityName)(name);                                                   // 2. name
    const existing = await resources.getOf(spec.kind, req.target.id);                           // 3. preconditions
    if (merge) {
      if (!existing) throw ApimChildErrors.notFound(spec.entity);
      checkIfMatch(req, existing);
    }
    const contract = merge ? spec.contracts.update : spec.contracts.create;                     // 4. contract
    const writable = [...spec.writable, ...(merge ? spec.updateOnly ?? [] : [])];
    const given = propertiesOf(req, contract, [...writable, ...(spec.readOnly ?? []), ...(merge ? [] : spec.createOnly ?? [])]);
    const merged: Record<string, unknown> = merge ? { ...(existing!.body.properties as Record<string, unknown>) } : {};
    for (const k of writable) if (given[k] !== undefined) merged[k] = given[k];
    const id = existing?.id ?? req.target.id;
    const w: ChildWrite<P> = { req, instance, parent, id, name: existing?.body.name ?? name, existing, merge, given, merged };
    const doc = await spec.properties(w);                                                        // 5. validate
    const body: ResourceBody<P> = {
      id, type: spec.kind.type, name: w.name, properties: doc.properties,
      ...(doc.private && Object.keys(doc.private).length > 0 ? { [PRIVATE]: doc.private } : {}),
    };
    // PATCH writes over the version it read; PUT honours the request's own If-Match.
    const ifMatch = merge ? existing!.etag : ifMatchOf(req);
    const r = await resources.batch(async (batch) => {                                           // 6. store (one transaction)
      const toStore = spec.prepare ? await spec.prepare(w, body, batch) : body;
      const put = await batch.put({ id, parent: parent?.id ?? instance.id, body: toStore, ifMatch });
      await spec.alsoWrite?.(w, put.resource, batch);
      return put;
    });
    const stored = spec.afterWrite ? await spec.afterWrite(r.resource) : r.resource;           // 7. after commit
    return { status: !merge && r.created ? 201 : 200, body: present(stored.body, req), headers: { etag: stored.etag } };
  }

  const actions = spec.actions
    ? Object.fromEntries(Object.entries(spec.actions).map(([n, run]) => [n, async (req: ArmRequest) => run(req, await find(req))]))
    : undefined;

  return childType(spec.path, {
    async get(req) {
      const r = await find(req);
      return { status: 200, body: present(r.body, req), headers: { etag: r.etag } };
    },
    put: (req) => write(req, false),
    patch: (req) => write(req, true),
    async delete(req) {
      await parents(req);
      const existing = await resources.getOf(spec.kind, req.target.id);
      checkIfMatch(req, existing);
      if (!existing) return { status: 204 };
      await resources.batch(async (batch) => {
        await spec.beforeDelete?.(existing, req, batch);
        await batch.deleteTree(existing.id);
      });
      return { status: 200 };
    },
    async list(req) {
      const { instance, parent } = await parents(req);
      const all = await resources.listOf(spec.kind, { parent: parent?.id ?? instance.id });
      return pageOfDocuments(deps, req, spec.kind.type, all.map((r) => r.body), (b) => present(b as ResourceBody<P>, req));
    },
    ...(actions ? { actions } : {}),
  });
}

export interface ApimLinkSpec<T> {
  /** The link's type path under `service/` ('products/apis', 'apis/tags') and its stored kind. */
  path: string;
  kind: ResourceKind<Record<string, never>>;
  /** The entity the link hangs off (a product, an API). */
  parent: ParentSpec;
  /** What it links to: a collection of the instance (`apis`, `tags`). */
  target: { kind: ResourceKind<T>; collection: string; entity: string };
  /** HEAD's status when the link exists: 204 (checkEntityExists) or 200 (getEntityState). */
  headStatus: number;
}

/**
 * A link between two entities of an instance (`products/{p}/apis/{api}`, `apis/{api}/tags/{tag}`):
 * PUT links (no body), GET and PUT answer the target's contract, DELETE unlinks, list pages the linked
 * targets with the target collection's `$filter`.
 */
export function defineApimLink<T>(deps: ApimChildDeps, spec: ApimLinkSpec<T>): ResourceTypeRegistration {
  const { resources } = deps.arm;
  const parentOf = async (req: ArmRequest) => {
    await requireInstance(deps, req);
    return requireEntity(deps, spec.parent.kind, req.target.scope, spec.parent.entity);
  };
  const targetOf = (req: ArmRequest, name: string) =>
    requireEntity(deps, spec.target.kind, `${instanceIdOf(req.target.id)}/${spec.target.collection}/${name}`, spec.target.entity);

  return childType(spec.path, {
    headStatus: spec.headStatus,
    async get(req) {
      await parentOf(req);
      const link = await resources.getOf(spec.kind, req.target.id);
      if (!link) throw ApimChildErrors.notFound(spec.target.entity);
      const target = await targetOf(req, req.target.name!);
      return { status: 200, body: publicBody(target.body), headers: { etag: target.etag } };
    },
    async put(req) {
      const p = await parentOf(req);
      const target = await targetOf(req, req.target.name!);
      const id = `${p.id}/${spec.path.split('/').pop()}/${target.body.name}`;
      const r = await resources.put({ id, parent: p.id, body: { id, type: spec.kind.type, name: target.body.name, properties: {} } });
      return { status: r.created ? 201 : 200, body: publicBody(target.body), headers: { etag: target.etag } };
    },
    async delete(req) {
      await parentOf(req);
      const existing = await resources.getOf(spec.kind, req.target.id);
      if (!existing) return { status: 204 };
      await resources.deleteTree(existing.id);
      return { status: 200 };
    },
    async list(req) {
      const p = await parentOf(req);
      const instanceId = instanceIdOf(p.id);
      const targets: ResourceBody<unknown>[] = [];
      for (const l of await resources.listOf(spec.kind, { parent: p.id })) {
        const t = await resources.getOf(spec.target.kind, `${instanceId}/${spec.target.collection}/${l.body.name}`);
        if (t) targets.push(t.body);
      }
      return pageOfDocuments(deps, req, spec.kind.type, targets);
    },
  });
}

/** Names of the targets linked to `parentId` by links of `kind`. */
export async function linkedNames(deps: ApimChildDeps, kind: ResourceKind<unknown>, parentId: string): Promise<string[]> {
  return (await deps.arm.resources.listOf(kind, { parent: parentId })).map((l) => l.body.name);
}

/** Deleting a target deletes every link to it (an API leaves its products, a tag its APIs). */
export function unlinkOnDelete(deps: ApimChildDeps, target: ResourceKind<unknown>, link: ResourceKind<unknown>): void {
  deps.arm.resources.onDelete(target, async (deleted) => {
    const instanceId = instanceIdOf(deleted.id);
    for (const l of await deps.arm.resources.listOf(link, { under: instanceId })) {
      if (l.body.name.toLowerCase() === deleted.body.name.toLowerCase()) await deps.arm.resources.deleteTree(l.id);
    }
  });
}
