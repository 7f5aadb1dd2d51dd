// apim-local's own administration endpoints under /apim-local/ (not Azure APIs), used by the command
// line for what Azure does through other services (Microsoft Graph for applications, key rotation).
// The whole pipeline of an admin request, in order:
//   1. route         path and method → one of ROUTES (404, 405)
//   2. authenticate  a management token of this server (401)
//   3. authorize     the caller may write role assignments on the default subscription (403)
//   4. validate      content type, size and JSON of the body (415, 413, 400)
//   5. handle        the route's handler
//   6. serialize     JSON with a request id; errors as {"error":{"code","message"}}
import { sendJson, bearerToken, readJsonBody, BodyTooLargeError, MalformedJsonError, UnsupportedMediaTypeError, type RequestContext } from '../common/http.js';
import { AzureError, isAzureError } from '../common/errors.js';
import type { Principal } from '../entra/index.js';
import type { ManagementPlanes } from './router.js';

/** Largest body an admin endpoint reads: they take a few short fields. */
const MAX_BODY_BYTES = 16 * 1024;
const MAX_DISPLAY_NAME = 120;
const ADMIN_AUDIENCES = ['https://management.azure.com/', 'https://management.core.windows.net/'];
/** What an administrator may do: Owner and User Access Administrator hold it. */
const ADMIN_ACTION = 'Microsoft.Authorization/roleAssignments/write';

const err = (status: number, code: string, message: string, headers?: Record<string, string>) => new AzureError({ status, code, message, headers });
const AdminErrors = {
  notFound: (path: string) => err(404, 'NotFound', `No HTTP resource was found that matches the request URI '${path}'.`),
  methodNotAllowed: (method: string, allowed: string[]) =>
    err(405, 'MethodNotAllowed', `The HTTP method '${method}' is not supported here; use ${allowed.join(' or ')}.`, { allow: allowed.join(', ') }),
  unauthenticated: () => err(401, 'AuthenticationFailed', 'A valid management token of this server is required (Authorization: Bearer, audience https://management.azure.com/).'),
  forbidden: (oid: string, scope: string) =>
    err(403, 'AuthorizationFailed', `The client with object id '${oid}' does not have authorization to administer apim-local: it needs '${ADMIN_ACTION}' over scope '${scope}'.`),
  unsupportedMediaType: (type: string | undefined) =>
    err(415, 'UnsupportedMediaType', `The content media type '${type ?? ''}' is not supported. Only 'application/json' is supported.`),
  tooLarge: () => err(413, 'RequestEntityTooLarge', `The request body is larger than ${MAX_BODY_BYTES} bytes.`),
  invalidContent: (message: string) => err(400, 'InvalidRequestContent', message),
  invalidDisplayName: (message: string) => err(400, 'InvalidDisplayName', message),
  applicationNotFound: (appId: string) => err(404, 'ApplicationNotFound', `No application with appId '${appId}' exists in this tenant.`),
  protectedAdmin: (appId: string) =>
    err(409, 'OperationNotAllowed', `The application '${appId}' is apim-local's administrator (its credentials are in connection.json); it cannot be deleted or reset.`),
  managedIdentity: (appId: string) =>
    err(409, 'OperationNotAllowed', `The service principal '${appId}' is a managed identity: it is created and deleted with its Azure resource.`),
};

interface AdminRequest {
  ctx: RequestContext;
  planes: ManagementPlanes;
  /** Path parameters, decoded. */
  params: string[];
  body: unknown;
}

interface AdminResult { status: number; body?: unknown }

interface AdminRoute {
  method: 'GET' | 'POST' | 'DELETE';
  pattern: RegExp;
  /** True when the route takes a JSON body. */
  body?: boolean;
  handle(req: AdminRequest): Promise<AdminResult>;
}

const ROUTES: AdminRoute[] = [
  { method: 'POST', pattern: /^\/apim-local\/keys\/rotate$/i, handle: rotateKeys },
  { method: 'POST', pattern: /^\/apim-local\/portal\/signInLink$/i, handle: portalSignInLink },
  { method: 'GET', pattern: /^\/apim-local\/applications$/i, handle: listApplications },
  { method: 'POST', pattern: /^\/apim-local\/applications$/i, body: true, handle: createApplication },
  { method: 'DELETE', pattern: /^\/apim-local\/applications\/([^/]+)$/i, handle: deleteApplication },
  { method: 'POST', pattern: /^\/apim-local\/applications\/([^/]+)\/resetPassword$/i, handle: resetPassword },
];

export async function adminRoutes(ctx: RequestContext, planes: ManagementPlanes): Promise<void> {
  const headers = { 'x-ms-request-id': ctx.requestId };
  try {
    const { route, params } = matchRoute(ctx);                                  // 1. route
    await requireAdministrator(ctx, planes);                                    // 2. authenticate, 3. authorize
    const body = route.body ? await readAdminBody(ctx) : undefined;             // 4. validate
    if (!route.body) ctx.req.resume();
    const result = await route.handle({ ctx, planes, params, body });           // 5. handle
    sendJson(ctx.res, result.status, result.body, headers);                     // 6. serialize
  } catch (error) {
    if (!isAzureError(error)) throw error;
    ctx.req.resume();
    sendJson(ctx.res, error.status, error.toEnvelope(), { ...headers, ...error.headers });
  }
}

function matchRoute(ctx: RequestContext): { route: AdminRoute; params: string[] } {
  const candidates = ROUTES.map((route) => ({ route, m: route.pattern.exec(ctx.path) })).filter((c) => c.m !== null);
  if (candidates.length === 0) throw AdminErrors.notFound(ctx.path);
  const hit = candidates.find((c) => c.route.method === ctx.method);
  if (!hit) throw AdminErrors.methodNotAllowed(ctx.method, candidates.map((c) => c.route.method));
  const params = hit.m!.slice(1).map((p) => {
    try { return decodeURIComponent(p); } catch { throw AdminErrors.notFound(ctx.path); }
  });
  return { route: hit.route, params };
}

/**
 * The one check every admin endpoint makes: a valid management token of this server, whose principal
 * may write role assignments on the default subscription (Owner, User Access Administrator).
 * Returns the caller's object id.
 */
export async function requireAdministrator(ctx: RequestContext, planes: ManagementPlanes): Promise<string> {
  const token = bearerToken(ctx.req);
  let oid: string;
  try {
    if (!token) throw new Error('missing');
    const claims = await planes.entra.verifier.verify(token, ADMIN_AUDIENCES);
    if (claims.tid !== planes.entra.tenantId) throw new Error('tenant');
    oid = claims.oid;
  } catch {
    throw AdminErrors.unauthenticated();
  }
  const scope = `/subscriptions/${planes.arm.subscriptionId}`;
  if (!(await planes.authz.isAllowed(oid, ADMIN_ACTION, scope))) throw AdminErrors.forbidden(oid, scope);
  return oid;
}

/** A JSON body (common/http.ts readJsonBody), refused in the admin endpoints' words. */
async function readAdminBody(ctx: RequestContext): Promise<unknown> {
  let body: unknown;
  try {
    body = await readJsonBody(ctx.req, { limit: MAX_BODY_BYTES, contentType: /^application\/json\b/i });
  } catch (e) {
    if (e instanceof UnsupportedMediaTypeError) throw AdminErrors.unsupportedMediaType(e.contentType);
    if (e instanceof BodyTooLargeError) throw AdminErrors.tooLarge();
    if (e instanceof MalformedJsonError) throw AdminErrors.invalidContent(`The request body is not valid JSON: ${e.detail}`);
    throw e;
  }
  if (body === undefined) throw AdminErrors.invalidContent('The request body is empty; a JSON object is required.');
  return body;
}

/**
 * A new one-time sign-in link to the portal for the calling administrator's application (the link
 * `apim-local start` printed is single use and lives 10 minutes). A managed identity cannot sign in.
 */
async function portalSignInLink({ ctx, planes }: AdminRequest): Promise<AdminResult> {
  const claims = await planes.entra.verifier.verify(bearerToken(ctx.req) ?? '', ADMIN_AUDIENCES);
  const caller = await planes.entra.directory.getByObjectId(claims.oid);
  if (!caller || caller.principalType !== 'Application') throw AdminErrors.managedIdentity(claims.oid);
  const link = planes.entra.portalSignInLink(caller.appId);
  return { status: 200, body: { url: link.url, expiresOn: new Date(link.expiresMs).toISOString(), appId: caller.appId } };
}

async function rotateKeys({ planes }: AdminRequest): Promise<AdminResult> {
  const kid = await planes.entra.keys.rotate();
  return { status: 200, body: { kid, keys: planes.entra.keys.publishedKeys().map((k) => k.kid) } };
}

function principalSummary(p: Principal): Record<string, unknown> {
  return { appId: p.appId, objectId: p.objectId, displayName: p.displayName, principalType: p.principalType };
}

async function listApplications({ planes }: AdminRequest): Promise<AdminResult> {
  // Microsoft's own service principals (Microsoft Graph) are not this tenant's applications.
  const all = (await planes.entra.directory.list()).filter((p) => !p.firstParty);
  return { status: 200, body: { value: all.map(principalSummary) } };
}

function validateDisplayName(value: unknown): string {
  if (value === undefined || value === null) throw AdminErrors.invalidDisplayName("The property 'displayName' is required.");
  if (typeof value !== 'string') throw AdminErrors.invalidDisplayName("The property 'displayName' must be a string.");
  if (value.trim().length === 0) throw AdminErrors.invalidDisplayName("The property 'displayName' must not be empty.");
  if (value.length > MAX_DISPLAY_NAME) {
    throw AdminErrors.invalidDisplayName(`The property 'displayName' is ${value.length} characters long; at most ${MAX_DISPLAY_NAME} are allowed.`);
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value)) throw AdminErrors.invalidDisplayName("The property 'displayName' must not contain control characters.");
  return value;
}

async function createApplication({ planes, body }: AdminRequest): Promise<AdminResult> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw AdminErrors.invalidContent('The request body must be a JSON object.');
  const input = body as Record<string, unknown>;
  const unknown = Object.keys(input).filter((k) => k !== 'displayName');
  if (unknown.length > 0) throw AdminErrors.invalidContent(`Unknown member '${unknown[0]}'; an application takes only 'displayName'.`);
  const displayName = validateDisplayName(input.displayName);
  const app = await planes.entra.directory.create({ displayName, principalType: 'Application' });
  const { secret } = await planes.entra.directory.addSecret(app.objectId);
  return { status: 201, body: { appId: app.appId, objectId: app.objectId, displayName: app.displayName, password: secret, tenant: planes.entra.tenantId } };
}

/** The application with this appId; refuses the administrator and managed identities. */
async function modifiableApplication(planes: ManagementPlanes, appId: string): Promise<Principal> {
  const p = await planes.entra.directory.getByAppId(appId);
  if (!p || p.firstParty) throw AdminErrors.applicationNotFound(appId);
  if (p.principalType !== 'Application') throw AdminErrors.managedIdentity(appId);
  if (p.objectId === planes.entra.admin.objectId) throw AdminErrors.protectedAdmin(appId);
  return p;
}

async function deleteApplication({ planes, params }: AdminRequest): Promise<AdminResult> {
  const app = await modifiableApplication(planes, params[0]);
  await planes.entra.directory.delete(app.objectId);
  return { status: 204 };
}

/** Replaces every client secret of an application with a new one (az's create-for-rbac on an existing app). */
async function resetPassword({ planes, params }: AdminRequest): Promise<AdminResult> {
  const app = await modifiableApplication(planes, params[0]);
  await planes.entra.directory.removeSecrets(app.objectId);
  const { secret } = await planes.entra.directory.addSecret(app.objectId);
  return { status: 200, body: { appId: app.appId, objectId: app.objectId, displayName: app.displayName, password: secret, tenant: planes.entra.tenantId } };
}
