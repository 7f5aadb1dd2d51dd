// Which plane serves a request on the management listener: the first that claims its path, in order.
import { sendJson, type RequestContext } from '../common/http.js';
import { GRAPH_PATH, type EntraPlane } from '../entra/index.js';
import type { ArmPlane } from '../arm/index.js';
import type { AuthzPlane } from '../authz/index.js';
import { adminRoutes } from './admin-routes.js';
import { identityEnvRoute } from './identity-env-route.js';
import { metricsRoute, type MetricsSource } from './metrics-route.js';
import { PORTAL_PATH, portalRoute } from './portal-route.js';
import type { GatewayProxy } from './gateway-proxy-route.js';

/** The planes the management listener serves. */
export interface ManagementPlanes {
  entra: EntraPlane;
  arm: ArmPlane;
  authz: AuthzPlane;
  /** The gateway's metrics (GET /apim-local/metrics). */
  gateway: MetricsSource;
  /** The portal's Test tab: requests to an instance's gateway (POST /apim-local/gateway-proxy). */
  gatewayProxy: GatewayProxy;
}

export async function route(ctx: RequestContext, planes: ManagementPlanes): Promise<void> {
  if (planes.arm.matches(ctx.path)) return planes.arm.handle(ctx);                        // Resource Manager
  if (/^\/apim-local\/identity-env$/i.test(ctx.path)) return identityEnvRoute(ctx, planes); // a resource's managed identity environment
  if (/^\/apim-local\/metrics$/i.test(ctx.path)) return metricsRoute(ctx, planes);             // the gateway's metrics (Prometheus)
  if (/^\/apim-local\/gateway-proxy$/i.test(ctx.path)) return planes.gatewayProxy.handle(ctx, planes); // the portal's Test tab
  if (/^\/apim-local\//i.test(ctx.path)) return adminRoutes(ctx, planes);                 // apim-local's administration
  if (PORTAL_PATH.test(ctx.path)) return portalRoute(ctx);                                 // the portal's files (a single-page app)
  if (GRAPH_PATH.test(ctx.path)) return planes.entra.graph.handle(ctx);                    // Microsoft Graph (/v1.0, /beta)
  if (await planes.entra.handle(ctx)) return;                                             // Entra ID, managed identity endpoints
  sendJson(ctx.res, 404, { error: { code: 'NotFound', message: `No HTTP resource was found that matches the request URI '${ctx.path}'.` } });
}
