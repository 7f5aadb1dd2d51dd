// POST /apim-local/identity-env {"resourceId": "..."}: the environment that lets a local process act
// as that resource with its managed identities (the App Service and IMDS protocols). Allowed to a
// caller that may write the resource, since whoever holds the secret gets its identities' tokens; the
// secret works while that caller still may, until it expires (24 hours, `expiresInHours` up to 720),
// and until `rotate` (or deleting the resource) revokes every secret issued before.
import { sendJson, readJsonBody, bearerToken, BodyTooLargeError, MalformedJsonError, type RequestContext } from '../common/http.js';
import { APP_SERVICE_PATH, IMDS_PREFIX } from '../entra/managed-identity-endpoints.js';
import type { ManagementPlanes } from './router.js';

/** How long an endpoint secret works unless asked otherwise, and at most (hours). */
const DEFAULT_HOURS = 24;
const MAX_HOURS = 720;

export async function identityEnvRoute(ctx: RequestContext, planes: ManagementPlanes): Promise<void> {
  if (ctx.method !== 'POST') {
    sendJson(ctx.res, 405, { error: { code: 'MethodNotAllowed', message: `The HTTP method '${ctx.method}' is not supported here; use POST.` } }, { allow: 'POST' });
    return;
  }
  let callerObjectId: string;
  try {
    const token = bearerToken(ctx.req);
    if (!token) throw new Error('missing');
    const claims = await planes.entra.verifier.verify(token, ['https://management.azure.com/', 'https://management.core.windows.net/']);
    // Only this server's tenant (its issuer already says so; the claim is checked too, as Resource Manager does).
    if (claims.tid !== planes.entra.tenantId) throw new Error('another tenant');
    callerObjectId = claims.oid;
  } catch {
    ctx.req.resume();
    sendJson(ctx.res, 401, { error: { code: 'AuthenticationFailed', message: 'A valid management token of this server is required (Authorization: Bearer, audience https://management.azure.com/).' } });
    return;
  }
  let body: unknown;
  try {
    body = await readJsonBody(ctx.req, { limit: 16 * 1024 });
  } catch (e) {
    if (!(e instanceof BodyTooLargeError || e instanceof MalformedJsonError)) throw e;
  }
  if (body === undefined || body === null) {
    sendJson(ctx.res, 400, { error: { code: 'InvalidRequestContent', message: 'The body must be JSON: {"resourceId": "<ARM resource id>"}.' } });
    return;
  }
  const { resourceId, rotate, expiresInHours } = body as { resourceId?: unknown; rotate?: unknown; expiresInHours?: unknown };
  if (rotate !== undefined && typeof rotate !== 'boolean') {
    sendJson(ctx.res, 400, { error: { code: 'InvalidRequestContent', message: "'rotate' must be true or false.", target: 'rotate' } });
    return;
  }
  const hours = expiresInHours ?? DEFAULT_HOURS;
  if (typeof hours !== 'number' || !Number.isInteger(hours) || hours < 1 || hours > MAX_HOURS) {
    sendJson(ctx.res, 400, { error: { code: 'InvalidRequestContent', message: `'expiresInHours' must be a whole number from 1 to ${MAX_HOURS}.`, target: 'expiresInHours' } });
    return;
  }
  if (typeof resourceId !== 'string' || !resourceId.startsWith('/subscriptions/')) {
    sendJson(ctx.res, 400, { error: { code: 'InvalidResourceId', message: 'resourceId must be the ARM id of a resource (/subscriptions/...).', target: 'resourceId' } });
    return;
  }
  const resource = await planes.arm.resources.get(resourceId);
  if (!resource) {
    sendJson(ctx.res, 404, { error: { code: 'ResourceNotFound', message: `The resource '${resourceId}' was not found.`, target: 'resourceId' } });
    return;
  }
  const action = `${resource.body.type}/write`;
  if (!(await planes.authz.isAllowed(callerObjectId, action, resource.id))) {
    sendJson(ctx.res, 403, { error: { code: 'AuthorizationFailed', message: `The client with object id '${callerObjectId}' does not have authorization to perform action '${action}' over scope '${resource.id}'.` } });
    return;
  }
  // Rotation first: every secret issued before this one stops working.
  if (rotate) await planes.entra.managedIdentities.rotateEndpointSecrets(resource.id);
  const { secret, expiresOn } = await planes.entra.managedIdentities.endpointSecret(resource.id, { objectId: callerObjectId, action }, hours * 3600);
  const base = planes.arm.context.baseUrl;
  sendJson(ctx.res, 200, {
    resourceId: resource.id,
    IDENTITY_ENDPOINT: `${base}${APP_SERVICE_PATH}`,
    IDENTITY_HEADER: secret,
    AZURE_POD_IDENTITY_AUTHORITY_HOST: `${base}${IMDS_PREFIX}${secret}`,
    expiresOn: new Date(expiresOn * 1000).toISOString(),
  });
}
