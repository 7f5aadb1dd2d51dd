// apim-local's own administration endpoints under /apim-local/ (not Azure APIs), used by the command
// line for what Azure does through other services (Microsoft Graph for applications, key rotation).
import { sendJson, bearerToken, type RequestContext } from './common/http.js';
import type { ManagementPlanes } from './management-listener.js';

/**
 * apim-local's own administration (not an Azure API): signing key rotation. Allowed to a principal that
 * may write role assignments on the default subscription (Owner, User Access Administrator).
 */
export async function adminRoutes(ctx: RequestContext, planes: ManagementPlanes): Promise<void> {
  if (!/^\/apim-local\/keys\/rotate$/i.test(ctx.path)) {
    sendJson(ctx.res, 404, { error: { code: 'NotFound', message: `No HTTP resource was found that matches the request URI '${ctx.path}'.` } });
    return;
  }
  if (ctx.method !== 'POST') { sendJson(ctx.res, 405, { error: { code: 'MethodNotAllowed', message: 'Use POST.' } }); return; }
  const token = bearerToken(ctx.req);
  let oid: string;
  try {
    if (!token) throw new Error('missing');
    oid = (await planes.entra.verifier.verify(token, ['https://management.azure.com/', 'https://management.core.windows.net/'])).oid;
  } catch {
    sendJson(ctx.res, 401, { error: { code: 'AuthenticationFailed', message: 'A valid management token is required.' } });
    return;
  }
  const scope = `/subscriptions/${planes.arm.subscriptionId}`;
  if (!(await planes.authz.isAllowed(oid, 'Microsoft.Authorization/roleAssignments/write', scope))) {
    sendJson(ctx.res, 403, { error: { code: 'AuthorizationFailed', message: `The client with object id '${oid}' may not rotate signing keys: it needs Microsoft.Authorization/roleAssignments/write over scope '${scope}'.` } });
    return;
  }
  const kid = await planes.entra.keys.rotate();
  sendJson(ctx.res, 200, { kid, keys: planes.entra.keys.publishedKeys().map((k) => k.kid) });
}
