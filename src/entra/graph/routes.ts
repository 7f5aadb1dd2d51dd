// The Graph operations served, one handler each, on the directory (entra/directory.ts). The pipeline
// around them (route, authenticate, authorize, validate, serialize) is index.ts.
import crypto from 'node:crypto';
import type { RequestContext } from '../../common/http.js';
import type { Clock } from '../../common/clock.js';
import { isGuid, newGuid } from '../../common/ids.js';
import type { FilterSchema } from '../../common/odata-filter-eval.js';
import type { AccessTokenClaims } from '../tokens.js';
import { applicationObjectId, type AppRole, type Directory, type Principal, type PrincipalData } from '../directory.js';
import { GraphErrors } from './errors.js';
import { NEEDS, type GraphPermission } from './permissions.js';
import { APPLICATION_FILTER, USER_FILTER, graphFilter, servicePrincipalFilter } from './filters.js';
import { application, appRoleAssignment, passwordCredential, servicePrincipal, type GraphObject, type ShapeContext } from './shapes.js';

export interface GraphRequest {
  ctx: RequestContext;
  /** Path parameters, decoded. */
  params: string[];
  body: unknown;
  claims: AccessTokenClaims;
  version: string;
  directory: Directory;
  clock: Clock;
  adminObjectId: string;
  shape: ShapeContext;
  /** `{graphUrl}/{version}`: where @odata.context and @odata.nextLink point. */
  root: string;
}

export interface GraphResult { status: number; body?: unknown; headers?: Record<string, string> }

export interface GraphRoute {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Matched against the decoded path after the version (`/servicePrincipals/{id}`). */
  pattern: RegExp;
  /** Any one of these application permissions allows the route; none listed: every Graph token. */
  needs?: readonly GraphPermission[];
  /** True when the route takes a JSON body. */
  body?: boolean;
  handle(req: GraphRequest): Promise<GraphResult>;
}

const ID = '([^/()]+)';
const BY_APP_ID = "\\(appId='([^'/]*)'\\)";
/** Graph's default and largest page. */
const PAGE_SIZE = 100;
const MAX_PAGE = 999;
const MAX_DISPLAY_NAME = 256;
/** Client secrets an application may hold (each token request checks them all). */
const MAX_PASSWORDS = 50;
const DEFAULT_PASSWORD_LIFETIME_MS = 2 * 365 * 86_400_000;

export const ROUTES: GraphRoute[] = [
  { method: 'GET', pattern: /^\/me$/i, handle: me },
  { method: 'GET', pattern: /^\/users$/i, needs: NEEDS.readUsers, handle: listUsers },
  { method: 'GET', pattern: new RegExp(`^/users/${ID}$`, 'i'), needs: NEEDS.readUsers, handle: async (r) => { throw GraphErrors.notFound(r.params[0]); } },
  { method: 'GET', pattern: /^\/servicePrincipals$/i, needs: NEEDS.readApplications, handle: listServicePrincipals },
  { method: 'POST', pattern: /^\/servicePrincipals$/i, needs: NEEDS.writeApplications, body: true, handle: createServicePrincipal },
  { method: 'GET', pattern: new RegExp(`^/servicePrincipals/${ID}$`, 'i'), needs: NEEDS.readApplications, handle: getServicePrincipal },
  { method: 'GET', pattern: new RegExp(`^/servicePrincipals${BY_APP_ID}$`, 'i'), needs: NEEDS.readApplications, handle: getServicePrincipal },
  { method: 'DELETE', pattern: new RegExp(`^/servicePrincipals/${ID}$`, 'i'), needs: NEEDS.writeApplications, handle: deleteServicePrincipal },
  { method: 'GET', pattern: new RegExp(`^/servicePrincipals/${ID}/appRoleAssignments$`, 'i'), needs: NEEDS.readApplications, handle: listAppRoleAssignments },
  { method: 'POST', pattern: new RegExp(`^/servicePrincipals/${ID}/appRoleAssignments$`, 'i'), needs: NEEDS.writeAppRoleAssignments, body: true, handle: createAppRoleAssignment },
  { method: 'DELETE', pattern: new RegExp(`^/servicePrincipals/${ID}/appRoleAssignments/${ID}$`, 'i'), needs: NEEDS.writeAppRoleAssignments, handle: deleteAppRoleAssignment },
  { method: 'GET', pattern: /^\/applications$/i, needs: NEEDS.readApplications, handle: listApplications },
  { method: 'POST', pattern: /^\/applications$/i, needs: NEEDS.writeApplications, body: true, handle: createApplication },
  { method: 'GET', pattern: new RegExp(`^/applications/${ID}$`, 'i'), needs: NEEDS.readApplications, handle: getApplication },
  { method: 'GET', pattern: new RegExp(`^/applications${BY_APP_ID}$`, 'i'), needs: NEEDS.readApplications, handle: getApplication },
  { method: 'PATCH', pattern: new RegExp(`^/applications/${ID}$`, 'i'), needs: NEEDS.writeApplications, body: true, handle: updateApplication },
  { method: 'DELETE', pattern: new RegExp(`^/applications/${ID}$`, 'i'), needs: NEEDS.writeApplications, handle: deleteApplication },
  { method: 'POST', pattern: new RegExp(`^/applications/${ID}/addPassword$`, 'i'), needs: NEEDS.writeApplications, body: true, handle: addPassword },
  { method: 'POST', pattern: new RegExp(`^/applications/${ID}/removePassword$`, 'i'), needs: NEEDS.writeApplications, body: true, handle: removePassword },
  { method: 'POST', pattern: /^\/directoryObjects\/getByIds$/i, needs: NEEDS.readApplications, body: true, handle: getByIds },
];

// ---- query options and OData bodies -------------------------------------------------------------

const LIST_OPTIONS = ['$filter', '$top', '$skiptoken', '$select', '$count'];

function checkOptions(ctx: RequestContext, allowed: readonly string[]): void {
  for (const k of ctx.query.keys()) {
    if (k.startsWith('$') && !allowed.includes(k.toLowerCase())) {
      throw GraphErrors.unsupportedQuery(`The query option '${k}' is not supported by apim-local's Microsoft Graph; supported: ${allowed.join(', ')}.`);
    }
  }
}

/** `$select=a,b`: only those properties (checked against the type's). */
function select(ctx: RequestContext, type: string, sample: GraphObject): (o: GraphObject) => GraphObject {
  const raw = ctx.query.get('$select');
  if (raw === null) return (o) => o;
  const wanted = raw.split(',').map((s) => s.trim()).filter(Boolean);
  const props = Object.keys(sample);
  const picked = wanted.map((w) => {
    const name = props.find((p) => p.toLowerCase() === w.toLowerCase());
    if (!name) throw GraphErrors.selectUnknown(w, type);
    return name;
  });
  return (o) => Object.fromEntries(picked.map((k) => [k, o[k]]));
}

async function listOf(req: GraphRequest, o: {
  collection: string; type: string; items: Principal[]; schema: FilterSchema<Principal>; shape(p: Principal): Promise<GraphObject>; sample: GraphObject;
}): Promise<GraphResult> {
  const { ctx } = req;
  checkOptions(ctx, LIST_OPTIONS);
  const filter = ctx.query.get('$filter');
  const items = filter ? o.items.filter(graphFilter(filter, o.schema)) : o.items;
  const topText = ctx.query.get('$top');
  let top = PAGE_SIZE;
  if (topText !== null) {
    top = Number(topText);
    if (!/^\d+$/.test(topText) || top < 1 || top > MAX_PAGE) throw GraphErrors.pageSize(topText);
  }
  let offset = 0;
  const skip = ctx.query.get('$skiptoken');
  if (skip !== null) {
    const m = /^o(\d{1,9})$/.exec(skip);
    if (!m) throw GraphErrors.skipToken();
    offset = Number(m[1]);
  }
  const pick = select(ctx, o.type, o.sample);
  const page = await Promise.all(items.slice(offset, offset + top).map(async (p) => pick(await o.shape(p))));
  const body: Record<string, unknown> = { '@odata.context': `${req.root}/$metadata#${o.collection}` };
  if (ctx.query.get('$count') === 'true') body['@odata.count'] = items.length;
  if (offset + top < items.length) {
    const next = new URLSearchParams(ctx.query);
    next.set('$skiptoken', `o${offset + top}`);
    body['@odata.nextLink'] = `${req.root}/${o.collection}?${next.toString().replace(/%24/g, '$')}`;
  }
  body.value = page;
  return { status: 200, body };
}

function entity(req: GraphRequest, collection: string, type: string, obj: GraphObject): GraphResult {
  checkOptions(req.ctx, ['$select']);
  return { status: 200, body: { '@odata.context': `${req.root}/$metadata#${collection}/$entity`, ...select(req.ctx, type, obj)(obj) } };
}

function asObject(body: unknown): Record<string, unknown> {
  if (body === undefined) return {};
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw GraphErrors.badJson();
  return body as Record<string, unknown>;
}

function rejectUnknown(body: Record<string, unknown>, allowed: readonly string[]): void {
  for (const k of Object.keys(body)) {
    if (k.startsWith('@odata.')) continue;
    if (!allowed.includes(k)) throw GraphErrors.unknownProperty(k);
  }
}

// ---- lookups --------------------------------------------------------------------------------------

const hasServicePrincipal = (p: Principal): boolean => p.hasServicePrincipal !== false;
const isApplication = (p: Principal): boolean => p.principalType === 'Application' && !p.firstParty;

async function servicePrincipalOf(req: GraphRequest): Promise<Principal> {
  const key = req.params[0];
  const byAppId = /\(appId=/i.test(req.ctx.path) || /appId=/i.test(decodeURIComponentSafe(req.ctx.path));
  const p = byAppId ? (isGuid(key) ? await req.directory.getByAppId(key) : undefined) : (isGuid(key) ? await req.directory.getByObjectId(key) : undefined);
  if (!p || !hasServicePrincipal(p)) throw GraphErrors.notFound(key);
  return p;
}

async function applicationOf(req: GraphRequest): Promise<Principal> {
  const key = req.params[0];
  const byAppId = /appId=/i.test(decodeURIComponentSafe(req.ctx.path));
  let p: Principal | undefined;
  if (isGuid(key)) {
    if (byAppId) p = await req.directory.getByAppId(key);
    else p = (await req.directory.list()).find((x) => isApplication(x) && applicationObjectId(x) === key.toLowerCase());
  }
  if (!p || !isApplication(p)) throw GraphErrors.notFound(key);
  return p;
}

function decodeURIComponentSafe(s: string): string {
  try { return decodeURIComponent(s); } catch { return s; }
}

async function shapeServicePrincipal(req: GraphRequest, p: Principal): Promise<GraphObject> {
  const creds = p.principalType === 'ManagedIdentity' ? await req.directory.credentials(p.objectId) : [];
  return servicePrincipal(p, creds, req.shape);
}

async function shapeApplication(req: GraphRequest, p: Principal): Promise<GraphObject> {
  return application(p, await req.directory.credentials(p.objectId), req.shape);
}

const SAMPLE: Principal = { objectId: '', appId: '', displayName: '', principalType: 'Application', createdMs: 0 };

// ---- handlers -------------------------------------------------------------------------------------

async function me(): Promise<GraphResult> {
  // Every token this server issues is an application's (app-only): Graph has no signed-in user for it.
  throw GraphErrors.meNotDelegated();
}

async function listUsers(req: GraphRequest): Promise<GraphResult> {
  checkOptions(req.ctx, LIST_OPTIONS);
  // Bound (so a bad filter is refused) and applied to the users there are: none, apim-local has no users.
  const filter = req.ctx.query.get('$filter');
  if (filter) graphFilter(filter, USER_FILTER);
  return { status: 200, body: { '@odata.context': `${req.root}/$metadata#users`, value: [] } };
}

async function listServicePrincipals(req: GraphRequest): Promise<GraphResult> {
  const items = (await req.directory.list()).filter(hasServicePrincipal);
  return listOf(req, {
    collection: 'servicePrincipals', type: 'servicePrincipal', items, schema: servicePrincipalFilter(req.shape),
    shape: (p) => shapeServicePrincipal(req, p), sample: servicePrincipal(SAMPLE, [], req.shape),
  });
}

async function getServicePrincipal(req: GraphRequest): Promise<GraphResult> {
  const p = await servicePrincipalOf(req);
  return entity(req, 'servicePrincipals', 'servicePrincipal', await shapeServicePrincipal(req, p));
}

async function createServicePrincipal(req: GraphRequest): Promise<GraphResult> {
  const body = asObject(req.body);
  rejectUnknown(body, ['appId', 'accountEnabled', 'tags']);
  if (typeof body.appId !== 'string' || body.appId === '') throw GraphErrors.badRequest("The property 'appId' is required to create a service principal.");
  if (body.accountEnabled !== undefined && body.accountEnabled !== true) throw GraphErrors.badRequest("apim-local's service principals are always enabled: 'accountEnabled' must be true.");
  const appId = body.appId;
  const p = isGuid(appId) ? await req.directory.getByAppId(appId) : undefined;
  if (!p || p.principalType !== 'Application') throw GraphErrors.spAppNotFound(appId);
  if (hasServicePrincipal(p)) throw GraphErrors.spExists(appId);
  const made = (await req.directory.update(p.objectId, { hasServicePrincipal: true }))!;
  return { status: 201, body: { '@odata.context': `${req.root}/$metadata#servicePrincipals/$entity`, ...(await shapeServicePrincipal(req, made)) } };
}

/** Only what this tenant owns and made through Graph or the admin API may be removed. */
function checkModifiable(req: GraphRequest, p: Principal): void {
  if (p.firstParty) throw GraphErrors.firstParty();
  if (p.principalType === 'ManagedIdentity') throw GraphErrors.managedIdentity();
  if (p.objectId === req.adminObjectId) throw GraphErrors.protectedAdmin();
}

async function deleteServicePrincipal(req: GraphRequest): Promise<GraphResult> {
  const p = await servicePrincipalOf(req);
  checkModifiable(req, p);
  // The application stays; without its service principal it can no longer sign in here (AADSTS7000229).
  await req.directory.update(p.objectId, { hasServicePrincipal: false });
  return { status: 204 };
}

async function listAppRoleAssignments(req: GraphRequest): Promise<GraphResult> {
  const p = await servicePrincipalOf(req);
  checkOptions(req.ctx, ['$filter', '$top', '$select', '$count', '$skiptoken']);
  const value: GraphObject[] = [];
  for (const g of p.appRoleAssignments ?? []) {
    const resource = await req.directory.getByAppId(g.resourceAppId);
    if (resource) value.push(appRoleAssignment(g, p, resource));
  }
  return { status: 200, body: { '@odata.context': `${req.root}/$metadata#servicePrincipals('${p.objectId}')/appRoleAssignments`, value } };
}

async function createAppRoleAssignment(req: GraphRequest): Promise<GraphResult> {
  const p = await servicePrincipalOf(req);
  const body = asObject(req.body);
  rejectUnknown(body, ['principalId', 'resourceId', 'appRoleId']);
  for (const k of ['principalId', 'resourceId', 'appRoleId']) {
    if (typeof body[k] !== 'string' || !isGuid(body[k] as string)) throw GraphErrors.badRequest(`The property '${k}' must be a GUID.`);
  }
  if ((body.principalId as string).toLowerCase() !== p.objectId) throw GraphErrors.badRequest(`The principalId '${String(body.principalId)}' must be the id of the service principal in the request path.`);
  const resource = await req.directory.getByObjectId(body.resourceId as string);
  if (!resource || !hasServicePrincipal(resource)) throw GraphErrors.notFound(String(body.resourceId));
  const role = (resource.appRoles ?? []).find((r) => r.id === (body.appRoleId as string).toLowerCase());
  if (!role) throw GraphErrors.badRequest(`Permission being assigned was not found on application '${resource.appId}'.`);
  const grants = [...(p.appRoleAssignments ?? [])];
  if (grants.some((g) => g.resourceAppId === resource.appId && g.appRoleId === role.id)) throw GraphErrors.badRequest('Permission being assigned already exists on the object');
  const grant = { resourceAppId: resource.appId, appRoleId: role.id, id: crypto.randomBytes(32).toString('base64url').slice(0, 43), createdMs: req.clock.nowMs() };
  grants.push(grant);
  await req.directory.update(p.objectId, { appRoleAssignments: grants });
  return { status: 201, body: { '@odata.context': `${req.root}/$metadata#servicePrincipals('${p.objectId}')/appRoleAssignments/$entity`, ...appRoleAssignment(grant, p, resource) } };
}

async function deleteAppRoleAssignment(req: GraphRequest): Promise<GraphResult> {
  const p = await servicePrincipalOf(req);
  const id = req.params[1];
  const grants = p.appRoleAssignments ?? [];
  if (!grants.some((g) => g.id === id)) throw GraphErrors.notFound(id);
  await req.directory.update(p.objectId, { appRoleAssignments: grants.filter((g) => g.id !== id) });
  return { status: 204 };
}

async function listApplications(req: GraphRequest): Promise<GraphResult> {
  const items = (await req.directory.list()).filter(isApplication);
  return listOf(req, {
    collection: 'applications', type: 'application', items, schema: APPLICATION_FILTER,
    shape: (p) => shapeApplication(req, p), sample: application(SAMPLE, [], req.shape),
  });
}

async function getApplication(req: GraphRequest): Promise<GraphResult> {
  return entity(req, 'applications', 'application', await shapeApplication(req, await applicationOf(req)));
}

// ---- application bodies -------------------------------------------------------------------------

const APPLICATION_PROPERTIES = [
  'displayName', 'identifierUris', 'signInAudience', 'keyCredentials', 'passwordCredentials', 'appRoles', 'api', 'web', 'spa',
  'publicClient', 'requiredResourceAccess', 'optionalClaims', 'tags', 'notes', 'description', 'isFallbackPublicClient', 'info',
];
const SIGN_IN_AUDIENCES = ['AzureADMyOrg', 'AzureADMultipleOrgs', 'AzureADandPersonalMicrosoftAccount', 'PersonalMicrosoftAccount'];

interface ApplicationInput {
  displayName?: string;
  data: PrincipalData;
  /** PEM certificates to register (keyCredentials), when given. */
  certificates?: string[];
}

function stringOrNull(body: Record<string, unknown>, k: string): void {
  if (body[k] !== undefined && body[k] !== null && typeof body[k] !== 'string') throw GraphErrors.invalidValue(k, 'application');
}
function objectOrNull(body: Record<string, unknown>, k: string): void {
  const v = body[k];
  if (v !== undefined && v !== null && (typeof v !== 'object' || Array.isArray(v))) throw GraphErrors.invalidValue(k, 'application');
}
function stringArray(v: unknown, k: string): string[] {
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw GraphErrors.invalidValue(k, 'application');
  return v as string[];
}

async function applicationInput(req: GraphRequest, raw: unknown, current: Principal | undefined): Promise<ApplicationInput> {
  const body = asObject(raw);
  rejectUnknown(body, APPLICATION_PROPERTIES);
  const out: ApplicationInput = { data: {} };
  const extra: Record<string, unknown> = { ...(current?.graphProperties ?? {}) };
  if (body.displayName !== undefined || !current) {
    const d = body.displayName;
    if (typeof d !== 'string' || d.trim() === '') throw GraphErrors.badRequest("The property 'displayName' is required and must be a non-empty string.");
    if (d.length > MAX_DISPLAY_NAME) throw GraphErrors.badRequest(`The property 'displayName' is ${d.length} characters long; at most ${MAX_DISPLAY_NAME} are allowed.`);
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001f\u007f]/.test(d)) throw GraphErrors.badRequest("The property 'displayName' must not contain control characters.");
    out.displayName = d;
  }
  if (body.identifierUris !== undefined) {
    const uris = stringArray(body.identifierUris, 'identifierUris');
    for (const u of uris) {
      let url: URL | undefined;
      try { url = new URL(u); } catch { url = undefined; }
      if (!url || /\s/.test(u) || u.length > 255) throw GraphErrors.invalidValue('identifierUris', 'application');
      // Entra takes `api://` and `urn:` names, and https ones only on the tenant's verified domains: here
      // there are none, so nobody can claim a Microsoft resource's name (https://vault.azure.net) and with
      // it the tokens other principals ask for that resource.
      if (url.protocol !== 'api:' && url.protocol !== 'urn:') throw GraphErrors.unverifiedDomain();
    }
    const others = (await req.directory.list()).filter((p) => p.objectId !== current?.objectId);
    const taken = new Set(others.flatMap((p) => (p.identifierUris ?? []).map((u) => u.replace(/\/+$/, '').toLowerCase())));
    if (uris.some((u) => taken.has(u.replace(/\/+$/, '').toLowerCase()))) throw GraphErrors.identifierUriTaken();
    out.data.identifierUris = uris;
  }
  if (body.signInAudience !== undefined) {
    if (typeof body.signInAudience !== 'string' || !SIGN_IN_AUDIENCES.includes(body.signInAudience)) throw GraphErrors.invalidValue('signInAudience', 'application');
    extra.signInAudience = body.signInAudience;
  }
  if (body.appRoles !== undefined) out.data.appRoles = appRolesOf(body.appRoles);
  if (body.api !== undefined && body.api !== null) {
    objectOrNull(body, 'api');
    const v = (body.api as Record<string, unknown>).requestedAccessTokenVersion;
    if (v !== undefined && v !== null && v !== 1 && v !== 2) throw GraphErrors.invalidValue('api.requestedAccessTokenVersion', 'application');
    if (v === 1 || v === 2) out.data.accessTokenVersion = v;
  }
  for (const k of ['web', 'spa', 'publicClient', 'optionalClaims', 'info']) { objectOrNull(body, k); if (body[k] !== undefined) extra[k] = body[k]; }
  for (const k of ['notes', 'description']) { stringOrNull(body, k); if (body[k] !== undefined) extra[k] = body[k]; }
  if (body.tags !== undefined) extra.tags = stringArray(body.tags, 'tags');
  if (body.requiredResourceAccess !== undefined) {
    if (!Array.isArray(body.requiredResourceAccess)) throw GraphErrors.invalidValue('requiredResourceAccess', 'application');
    extra.requiredResourceAccess = body.requiredResourceAccess;
  }
  if (body.isFallbackPublicClient !== undefined) {
    if (body.isFallbackPublicClient !== null && typeof body.isFallbackPublicClient !== 'boolean') throw GraphErrors.invalidValue('isFallbackPublicClient', 'application');
    extra.isFallbackPublicClient = body.isFallbackPublicClient;
  }
  // Secrets are made by addPassword (Graph ignores passwordCredentials on create and update).
  if (body.passwordCredentials !== undefined && !(Array.isArray(body.passwordCredentials) && body.passwordCredentials.length === 0)) {
    throw GraphErrors.badRequest("Password credentials are added with POST /applications/{id}/addPassword, not with 'passwordCredentials'.");
  }
  if (body.keyCredentials !== undefined) out.certificates = certificatesOf(body.keyCredentials);
  out.data.graphProperties = extra;
  return out;
}

function appRolesOf(v: unknown): AppRole[] {
  if (!Array.isArray(v)) throw GraphErrors.invalidValue('appRoles', 'application');
  return v.map((r: unknown) => {
    const role = (r ?? {}) as Record<string, unknown>;
    if (typeof role.id !== 'string' || !isGuid(role.id) || typeof role.value !== 'string' || role.value === '') throw GraphErrors.invalidValue('appRoles', 'application');
    const members = role.allowedMemberTypes === undefined ? ['Application'] : stringArray(role.allowedMemberTypes, 'appRoles');
    return { id: role.id.toLowerCase(), value: role.value, displayName: typeof role.displayName === 'string' ? role.displayName : undefined, allowedMemberTypes: members };
  });
}

/** keyCredentials: X.509 certificates (`key`: base64 of the DER or PEM), for signing client assertions. */
function certificatesOf(v: unknown): string[] {
  if (!Array.isArray(v)) throw GraphErrors.invalidValue('keyCredentials', 'application');
  return v.map((k: unknown, i) => {
    const kc = (k ?? {}) as Record<string, unknown>;
    if (kc.type !== undefined && kc.type !== 'AsymmetricX509Cert') throw GraphErrors.badRequest(`keyCredentials[${i}].type must be 'AsymmetricX509Cert'.`);
    if (kc.usage !== undefined && kc.usage !== 'Verify') throw GraphErrors.badRequest(`keyCredentials[${i}].usage must be 'Verify'.`);
    if (typeof kc.key !== 'string') throw GraphErrors.badRequest(`keyCredentials[${i}].key must be the certificate, base64-encoded.`);
    try {
      return new crypto.X509Certificate(Buffer.from(kc.key, 'base64')).toString();
    } catch {
      throw GraphErrors.badRequest(`keyCredentials[${i}].key is not a valid X.509 certificate.`);
    }
  });
}

async function createApplication(req: GraphRequest): Promise<GraphResult> {
  const input = await applicationInput(req, req.body, undefined);
  const app = await req.directory.create({
    ...input.data, displayName: input.displayName!, principalType: 'Application', applicationObjectId: newGuid(), hasServicePrincipal: false,
  });
  for (const pem of input.certificates ?? []) await req.directory.addCertificate(app.objectId, pem);
  return { status: 201, body: { '@odata.context': `${req.root}/$metadata#applications/$entity`, ...(await shapeApplication(req, app)) } };
}

async function updateApplication(req: GraphRequest): Promise<GraphResult> {
  const app = await applicationOf(req);
  if (app.objectId === req.adminObjectId) throw GraphErrors.protectedAdmin();
  const input = await applicationInput(req, req.body, app);
  await req.directory.update(app.objectId, input.data);
  if (input.displayName !== undefined && input.displayName !== app.displayName) await req.directory.rename(app.objectId, input.displayName);
  if (input.certificates) {
    for (const c of await req.directory.credentials(app.objectId)) if (c.kind === 'certificate') await req.directory.removeCredential(app.objectId, c.id);
    for (const pem of input.certificates) await req.directory.addCertificate(app.objectId, pem);
  }
  return { status: 204 };
}

async function deleteApplication(req: GraphRequest): Promise<GraphResult> {
  const app = await applicationOf(req);
  checkModifiable(req, app);
  // Its service principal goes with it, as in Entra; role assignments naming it stay (Azure shows them as unknown).
  await req.directory.delete(app.objectId);
  return { status: 204 };
}

function dateOf(v: unknown, name: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  const ms = typeof v === 'string' ? Date.parse(v) : NaN;
  if (!Number.isFinite(ms)) throw GraphErrors.badRequest(`Invalid value specified for property '${name}': '${String(v)}' is not a date and time.`);
  return ms;
}

async function addPassword(req: GraphRequest): Promise<GraphResult> {
  const app = await applicationOf(req);
  if (app.objectId === req.adminObjectId) throw GraphErrors.protectedAdmin();
  const body = asObject(req.body);
  rejectUnknown(body, ['passwordCredential']);
  const pc = body.passwordCredential === undefined || body.passwordCredential === null ? {} : body.passwordCredential;
  if (typeof pc !== 'object' || Array.isArray(pc)) throw GraphErrors.invalidValue('passwordCredential', 'application');
  const cred = pc as Record<string, unknown>;
  rejectUnknown(cred, ['displayName', 'startDateTime', 'endDateTime', 'customKeyIdentifier', 'keyId', 'hint', 'secretText']);
  if (cred.secretText !== undefined && cred.secretText !== null) throw GraphErrors.badRequest('The secret is generated by the service; secretText cannot be given.');
  stringOrNull(cred, 'displayName');
  const startMs = dateOf(cred.startDateTime, 'startDateTime') ?? req.clock.nowMs();
  const expiresMs = dateOf(cred.endDateTime, 'endDateTime') ?? startMs + DEFAULT_PASSWORD_LIFETIME_MS;
  if (expiresMs <= startMs) throw GraphErrors.badRequest('Invalid value specified for property \'endDateTime\': it must be later than startDateTime.');
  const existing = await req.directory.credentials(app.objectId);
  if (existing.filter((c) => c.kind === 'secret').length >= MAX_PASSWORDS) throw GraphErrors.badRequest(`An application can hold at most ${MAX_PASSWORDS} client secrets here; remove one first.`);
  const added = await req.directory.addSecret(app.objectId, 0, { startMs, expiresMs });
  const info = { displayName: (cred.displayName as string | null | undefined) ?? null, hint: added.secret.slice(0, 3) };
  const updated = (await req.directory.update(app.objectId, { passwordInfo: { ...(app.passwordInfo ?? {}), [added.id]: info } }))!;
  const shown = passwordCredential({ id: added.id, kind: 'secret', createdMs: added.startMs, expiresMs: added.expiresMs, x5t: null, subject: null }, updated);
  return { status: 200, body: { '@odata.context': `${req.root}/$metadata#microsoft.graph.passwordCredential`, ...shown, secretText: added.secret } };
}

async function removePassword(req: GraphRequest): Promise<GraphResult> {
  const app = await applicationOf(req);
  if (app.objectId === req.adminObjectId) throw GraphErrors.protectedAdmin();
  const body = asObject(req.body);
  rejectUnknown(body, ['keyId']);
  if (typeof body.keyId !== 'string' || !isGuid(body.keyId)) throw GraphErrors.badRequest("The property 'keyId' must be the GUID of one of the application's password credentials.");
  const keyId = body.keyId.toLowerCase();
  const cred = (await req.directory.credentials(app.objectId)).find((c) => c.id === keyId && c.kind === 'secret');
  if (!cred) throw GraphErrors.passwordNotFound(body.keyId);
  await req.directory.removeCredential(app.objectId, keyId);
  const { [keyId]: _gone, ...rest } = app.passwordInfo ?? {};
  await req.directory.update(app.objectId, { passwordInfo: rest });
  return { status: 204 };
}

const OBJECT_TYPES = ['user', 'group', 'servicePrincipal', 'application', 'device', 'directoryObjectPartnerReference', 'orgContact', 'directoryRole'];

async function getByIds(req: GraphRequest): Promise<GraphResult> {
  const body = asObject(req.body);
  rejectUnknown(body, ['ids', 'types']);
  const ids = body.ids;
  if (!Array.isArray(ids) || ids.length === 0 || ids.some((x) => typeof x !== 'string')) throw GraphErrors.badRequest("The property 'ids' must be a non-empty array of object ids.");
  if (ids.length > 1000) throw GraphErrors.badRequest('At most 1000 ids may be given.');
  const types = body.types === undefined ? OBJECT_TYPES : stringArray(body.types, 'types');
  for (const t of types) if (!OBJECT_TYPES.some((o) => o.toLowerCase() === t.toLowerCase())) throw GraphErrors.badRequest(`Unsupported type '${t}' in 'types'.`);
  const wants = (t: string) => types.some((x) => x.toLowerCase() === t.toLowerCase());
  const wanted = new Set((ids as string[]).map((i) => i.toLowerCase()));
  const value: GraphObject[] = [];
  for (const p of await req.directory.list()) {
    if (wants('servicePrincipal') && hasServicePrincipal(p) && wanted.has(p.objectId)) {
      value.push({ '@odata.type': '#microsoft.graph.servicePrincipal', ...(await shapeServicePrincipal(req, p)) });
    }
    if (wants('application') && isApplication(p) && wanted.has(applicationObjectId(p))) {
      value.push({ '@odata.type': '#microsoft.graph.application', ...(await shapeApplication(req, p)) });
    }
  }
  return { status: 200, body: { '@odata.context': `${req.root}/$metadata#directoryObjects`, value } };
}
