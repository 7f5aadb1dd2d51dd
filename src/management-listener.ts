// The management listener (HTTPS): Entra ID (discovery, JWKS, token), Resource Manager, and the
// apim-local admin endpoints. Each request goes to the first plane that claims its path.
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { createContext, sendJson, type RequestContext } from './common/http.js';
import { adminRoutes } from './admin-routes.js';
import { identityEnvRoute } from './identity-env-route.js';
import type { Logger } from './common/log.js';
import type { EntraPlane } from './entra/index.js';
import type { ArmPlane } from './arm/index.js';
import type { AuthzPlane } from './authz/index.js';

export interface ManagementPlanes {
  entra: EntraPlane;
  arm: ArmPlane;
  authz: AuthzPlane;
}

export interface ManagementListener {
  server: https.Server;
  port: number;
  /** Planes are attached once built: they need the listener's port for their URLs. */
  attach(planes: ManagementPlanes): void;
  close(): Promise<void>;
}

export async function startManagementListener(options: { host: string; port: number; certPem: string; keyPem: string; logger: Logger }): Promise<ManagementListener> {
  let planes: ManagementPlanes | undefined;
  const server = https.createServer({ cert: options.certPem, key: options.keyPem, requestTimeout: 60_000, headersTimeout: 30_000 }, (req, res) => {
    const ctx = createContext(req, res);
    if (!planes) { sendJson(res, 503, { error: { code: 'ServiceUnavailable', message: 'apim-local is starting.' } }, { 'retry-after': '1' }); return; }
    route(ctx, planes).catch((e) => {
      options.logger.error(`${ctx.method} ${ctx.path} failed (request ${ctx.requestId})`, e);
      if (!res.headersSent) sendJson(res, 500, { error: { code: 'InternalServerError', message: `An internal error occurred. Tracking id '${ctx.requestId}'.` } });
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => { server.off('error', reject); resolve(); });
  });
  return {
    server,
    port: (server.address() as AddressInfo).port,
    attach(p) { planes = p; },
    close: () => new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); }),
  };
}

async function route(ctx: RequestContext, planes: ManagementPlanes): Promise<void> {
  if (planes.arm.matches(ctx.path)) return planes.arm.handle(ctx);
  if (/^\/apim-local\/identity-env$/i.test(ctx.path)) return identityEnvRoute(ctx, planes);
  if (/^\/apim-local\//i.test(ctx.path)) return adminRoutes(ctx, planes);
  if (await planes.entra.handle(ctx)) return;
  sendJson(ctx.res, 404, { error: { code: 'NotFound', message: `No HTTP resource was found that matches the request URI '${ctx.path}'.` } });
}
