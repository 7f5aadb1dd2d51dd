// GET /apim-local/metrics: the gateway's metrics (every instance, every gateway process) in Prometheus's
// text format. Azure has no Prometheus endpoint for API Management (its metrics are read through Azure
// Monitor with an ARM token), so this one asks what Azure Monitor asks: a management token of this
// server (Prometheus gets one itself with its `oauth2` client-credentials scrape setting, scope
// https://management.azure.com/.default) whose principal holds 'Microsoft.Insights/metrics/read' on
// the subscription (Reader, Monitoring Reader, Contributor, Owner). Never anonymous.
//   1. method    GET only (405)
//   2. authenticate  the bearer token (401)
//   3. authorize     metrics read on the default subscription (403)
//   4. handle        the gateway's aggregated metrics
import { bearerToken, sendJson, type RequestContext } from '../common/http.js';
import type { ManagementPlanes } from './router.js';

const AUDIENCES = ['https://management.azure.com/', 'https://management.core.windows.net/'];
export const METRICS_READ = 'Microsoft.Insights/metrics/read';

/** What the route needs of the gateway plane. */
export interface MetricsSource { metrics(): Promise<{ contentType: string; text: string }> }

export async function metricsRoute(ctx: RequestContext, planes: ManagementPlanes & { gateway: MetricsSource }): Promise<void> {
  ctx.req.resume();
  const headers = { 'x-ms-request-id': ctx.requestId };
  if (ctx.method !== 'GET') {                                                                    // 1. method
    sendJson(ctx.res, 405, { error: { code: 'MethodNotAllowed', message: `The HTTP method '${ctx.method}' is not supported here; use GET.` } }, { ...headers, allow: 'GET' });
    return;
  }
  const token = bearerToken(ctx.req);                                                            // 2. authenticate
  let oid: string;
  try {
    if (!token) throw new Error('missing');
    const claims = await planes.entra.verifier.verify(token, AUDIENCES);
    if (claims.tid !== planes.entra.tenantId) throw new Error('tenant');
    oid = claims.oid;
  } catch {
    sendJson(ctx.res, 401, { error: { code: 'AuthenticationFailed', message: 'A valid management token of this server is required (Authorization: Bearer, audience https://management.azure.com/).' } },
      { ...headers, 'www-authenticate': 'Bearer' });
    return;
  }
  const scope = `/subscriptions/${planes.arm.subscriptionId}`;                                  // 3. authorize
  if (!(await planes.authz.isAllowed(oid, METRICS_READ, scope))) {
    sendJson(ctx.res, 403, { error: { code: 'AuthorizationFailed', message: `The client with object id '${oid}' does not have authorization to perform action '${METRICS_READ}' over scope '${scope}'.` } }, headers);
    return;
  }
  const { contentType, text } = await planes.gateway.metrics();                                  // 4. handle
  ctx.res.writeHead(200, { ...headers, 'content-type': contentType, 'content-length': String(Buffer.byteLength(text)), 'cache-control': 'no-store' });
  ctx.res.end(text);
}
