// What every child resource of an API Management instance shares: API Management's error shapes,
// the parent checks, If-Match, private (sealed) fields kept out of every response, and the reload of
// the instance's gateway after each change.
import type { ArmRequest, ArmResult, ResourceTypeRegistration } from '../registry.js';
import type { ArmContext } from '../context.js';
import type { SecretBox } from '../../common/crypto.js';
import type { Logger } from '../../common/log.js';
import { AzureError, type ErrorDetail } from '../../common/errors.js';
import { ArmErrors } from '../errors.js';
import { page, rejectUnknown } from '../envelope.js';
import type { ResourceBody, StoredResource } from '../resource-store.js';
import { APIM_API_VERSIONS, SERVICE_TYPE } from './api-management.js';
import { applyApimFilter } from './api-management-filter.js';

/** What the child modules are given. */
export interface ApimChildDeps {
  arm: ArmContext;
  box: SecretBox;
  logger: Logger;
}

/** Fields of a stored document that never leave the server (sealed secrets, policy references). */
export const PRIVATE = '_private';

/**
 * API Management's field errors: 400 ValidationError "One or more fields contain incorrect values:"
 * with one detail per field (as Azure/apiops#214, azure-powershell#8957 show them).
 */
export function validationError(target: string, message: string): AzureError {
  return validationErrors([{ code: 'ValidationError', target, message }]);
}

export function validationErrors(details: ErrorDetail[]): AzureError {
  return new AzureError({ status: 400, code: 'ValidationError', message: 'One or more fields contain incorrect values:', details });
}

export const ApimChildErrors = {
  /** API Management's 404 for an entity of an instance: `{"code":"ResourceNotFound","message":"Api not found."}`. */
  notFound: (entity: string) => new AzureError({ status: 404, code: 'ResourceNotFound', message: `${entity} not found.` }),
  required: (field: string) => validationError(field, `'${field}' is required.`),
  tooLong: (field: string, max: number) => validationError(field, `'${field}' must be at most ${max} characters long.`),
  invalidName: (name: string) => validationError('name', `Invalid identifier '${name}': it must be 1 to 256 characters and may not contain '*', '#', '&', '+', ':', '<', '>' or '?'.`),
  /** If-Match is a required header of API Management's DELETE and PATCH (the SDK always sends it). */
  ifMatchRequired: () => new AzureError({ status: 428, code: 'PreconditionRequired', message: "The 'If-Match' header is required for this operation. Use '*' to match any version of the entity." }),
  preconditionFailed: () => new AzureError({ status: 412, code: 'PreconditionFailed', message: 'The entity tag given in If-Match does not match the current version of the entity.' }),
};

/** `^[^*#&+:<>?]+$`, at most 256 characters: API Management's identifier pattern (apiId, namedValueId, ...). */
export function checkEntityName(name: string): void {
  if (!/^[^*#&+:<>?]+$/.test(name) || name.length > 256) throw ApimChildErrors.invalidName(name);
}

/** The instance id of any resource id under `.../service/{name}`. */
export function instanceIdOf(id: string): string {
  const m = /^(.*?\/providers\/Microsoft\.ApiManagement\/service\/[^/]+)/i.exec(id);
  if (!m) throw new Error(`not an API Management child id: ${id}`);
  return m[1];
}

/** The instance must exist (else Resource Manager's 404 for the service); returns it. */
export async function requireInstance(deps: ApimChildDeps, req: ArmRequest): Promise<StoredResource> {
  const id = instanceIdOf(req.target.id);
  const svc = await deps.arm.resources.get(id);
  if (!svc || svc.body.type !== SERVICE_TYPE) throw ArmErrors.resourceNotFound(SERVICE_TYPE, req.target.names[0], req.target.resourceGroup);
  return svc;
}

/** A stored child that must exist (the parent entity of a grandchild, or the target itself). */
export async function requireEntity(deps: ApimChildDeps, id: string, entity: string): Promise<StoredResource> {
  const r = await deps.arm.resources.get(id);
  if (!r) throw ApimChildErrors.notFound(entity);
  return r;
}

/** The document as a client sees it: without private fields. */
export function publicBody(body: ResourceBody): Record<string, unknown> {
  const { [PRIVATE]: _hidden, ...rest } = body;
  return rest;
}

export function ifMatchOf(req: ArmRequest): string | undefined {
  const v = req.ctx.req.headers['if-match'];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** DELETE and PATCH: If-Match is required; `*` or the current etag. */
export function checkIfMatch(req: ArmRequest, current: StoredResource | undefined): void {
  const im = ifMatchOf(req);
  if (im === undefined) throw ApimChildErrors.ifMatchRequired();
  if (im !== '*' && current && current.etag !== im) throw ApimChildErrors.preconditionFailed();
}

/** Stores a child and tells the gateway: PUT's 201 (created) or 200, body without private fields, ETag header. */
/**
 * What every child write starts with, after its parent is checked: a valid name, the entity as stored,
 * and for PATCH that it exists and matches If-Match.
 */
export async function existingForWrite(deps: ApimChildDeps, req: ArmRequest, entity: string, merge: boolean): Promise<StoredResource | undefined> {
  checkEntityName(req.target.name!);
  const existing = await deps.arm.resources.get(req.target.id);
  if (merge) {
    if (!existing) throw ApimChildErrors.notFound(entity);
    checkIfMatch(req, existing);
  }
  return existing;
}

export async function storeChild(deps: ApimChildDeps, req: ArmRequest, body: ResourceBody, opts: { parent?: string; ifMatch?: string } = {}): Promise<ArmResult> {
  const r = await deps.arm.resources.put({ id: body.id, parent: opts.parent ?? req.target.scope, body, ifMatch: opts.ifMatch });
  await reloadGateway(deps, instanceIdOf(body.id));
  return { status: r.created ? 201 : 200, body: publicBody(r.resource.body), headers: { etag: r.resource.etag } };
}

/** Tells the instance's gateway that its configuration changed; a failed reload never fails the request. */
export async function reloadGateway(deps: ApimChildDeps, instanceId: string): Promise<void> {
  try {
    await deps.arm.gateway.reload(instanceId);
  } catch (e) {
    deps.logger.error(`gateway reload of ${instanceId} failed`, e);
  }
}

/** Deletes a child (and what is under it) after the If-Match check: 200, or 204 when it did not exist. */
export async function deleteChild(deps: ApimChildDeps, req: ArmRequest, existing: StoredResource | undefined): Promise<ArmResult> {
  checkIfMatch(req, existing);
  if (!existing) return { status: 204 };
  await deps.arm.resources.deleteTree(existing.id);
  await reloadGateway(deps, instanceIdOf(existing.id));
  return { status: 200 };
}

/** GET of one child: 200 with the ETag header, or API Management's 404. */
export async function getChild(deps: ApimChildDeps, req: ArmRequest, entity: string): Promise<ArmResult> {
  await requireInstance(deps, req);
  const r = await deps.arm.resources.get(req.target.id);
  if (!r) throw ApimChildErrors.notFound(entity);
  return { status: 200, body: publicBody(r.body), headers: { etag: r.etag } };
}

/** A page of children of `parent` of `type`, `{value, count, nextLink}` as API Management's collections. */
export async function listChildren(deps: ApimChildDeps, req: ArmRequest, type: string, map: (b: ResourceBody) => unknown = publicBody): Promise<ArmResult> {
  await requireInstance(deps, req);
  const all = await deps.arm.resources.list({ parent: req.target.scope, type });
  return pageOfDocuments(deps, req, type, all.map((r) => r.body), map);
}

/**
 * A page of `docs` (the documents of a list of `type`): `$filter` (the collection's table in
 * api-management-filter.ts) first, then `$skip` (the SDK's `skip` option), then `$top` and the
 * skiptoken of `page`; `count` is how many match the filter. `nextLink` keeps the query, `$filter` too.
 */
export function pageOfDocuments(deps: ApimChildDeps, req: ArmRequest, type: string, docs: ResourceBody[], map: (b: ResourceBody) => unknown = publicBody): ArmResult {
  const matching = applyApimFilter(req.ctx.query, type, docs);
  const skipParam = req.ctx.query.get('$skip');
  const skip = skipParam !== null && /^\d+$/.test(skipParam) ? Number(skipParam) : 0;
  const result = page(req, matching.slice(skip).map(map), deps.arm.baseUrl);
  (result.body as Record<string, unknown>).count = matching.length;
  return result;
}

/** A child type registration with API Management's api-versions; HEAD answers 200 (getEntityTag). */
export function childType(type: string, handlers: Omit<ResourceTypeRegistration, 'type' | 'apiVersions' | 'scopes'>): ResourceTypeRegistration {
  return { type: `${SERVICE_TYPE}/${type}`, apiVersions: APIM_API_VERSIONS, scopes: ['resource'], headStatus: 200, ...handlers };
}

/** Seals a secret for the document with `id` (the id binds it: a sealed value cannot be moved to another entity). */
export function sealFor(deps: ApimChildDeps, id: string, field: string, value: string): string {
  return deps.box.seal(value, `${id.toLowerCase()}#${field}`);
}

export function openFor(deps: ApimChildDeps, id: string, field: string, sealed: string): string {
  return deps.box.open(sealed, `${id.toLowerCase()}#${field}`);
}

/** Checks a string property: type, required, length. Returns it (or undefined when absent and optional). */
export function str(props: Record<string, unknown>, field: string, o: { required?: boolean; max?: number; min?: number } = {}): string | undefined {
  const v = props[field];
  if (v === undefined || v === null) {
    if (o.required) throw ApimChildErrors.required(field);
    return undefined;
  }
  if (typeof v !== 'string') throw validationError(field, `'${field}' must be a string.`);
  if (o.required && v.trim() === '' && (o.min ?? 1) > 0) throw ApimChildErrors.required(field);
  if (o.max !== undefined && v.length > o.max) throw ApimChildErrors.tooLong(field, o.max);
  return v;
}

export function bool(props: Record<string, unknown>, field: string): boolean | undefined {
  const v = props[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw validationError(field, `'${field}' must be a boolean.`);
  return v;
}

/** The request body's `properties` object (a body is required for PUT). */
export function propertiesOf(req: ArmRequest, typeName: string, allowed: readonly string[]): Record<string, unknown> {
  if (req.body === undefined || req.body === null) throw ArmErrors.missingBody();
  if (typeof req.body !== 'object' || Array.isArray(req.body)) throw ArmErrors.invalidRequestContent('The body must be a JSON object.');
  const body = req.body as Record<string, unknown>;
  rejectUnknown(body, ['properties', 'id', 'name', 'type'], typeName, '');
  const props = body.properties ?? {};
  if (typeof props !== 'object' || props === null || Array.isArray(props)) throw ArmErrors.invalidRequestContent("'properties' must be a JSON object.");
  rejectUnknown(props as Record<string, unknown>, allowed, `${typeName}Properties`, 'properties');
  return props as Record<string, unknown>;
}
