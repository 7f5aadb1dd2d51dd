// The management listener (HTTPS): Entra ID (discovery, JWKS, token, managed identity endpoints),
// Resource Manager, and apim-local's admin endpoints, on one port (routing: router.ts).
//
// The planes need this listener's port for their URLs (issuer, authority host, identity endpoint), so
// the socket is bound first and the planes are built after, by `build(port)`. The request handler is
// installed right after listening, in the same turn of the event loop, so no request can arrive
// without it; it serves each request once the planes are built (a request that comes early, say a
// probe of the port, waits for them rather than failing). No handler is attached, swapped or
// mutated later: the listener is returned with its planes, built, or not at all.
import type https from 'node:https';
import { limitedHttpsServer } from '../common/listener-limits.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createContext, sendJson } from '../common/http.js';
import type { Logger } from '../common/log.js';
import { route, type ManagementPlanes } from './router.js';

export type { ManagementPlanes } from './router.js';

export interface ManagementListenerOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  certPem: string;
  keyPem: string;
  logger: Logger;
}

export interface ManagementListener<P extends ManagementPlanes> {
  server: https.Server;
  port: number;
  /** What `build` returned: the planes this listener serves (and whatever else the caller built with them). */
  planes: P;
  close(): Promise<void>;
}

/**
 * Listens, then builds the planes with the port (`build`) and serves them. If building fails the
 * listener is closed and the error thrown.
 */
export async function startManagementListener<P extends ManagementPlanes>(
  o: ManagementListenerOptions,
  build: (port: number) => Promise<P>,
): Promise<ManagementListener<P>> {
  // Resource Manager, Entra and admin requests are small: a minute for one, 30 s for its headers, 65 s idle.
  const server = limitedHttpsServer({ cert: o.certPem, key: o.keyPem }, { headersMs: 30_000, requestMs: 60_000, idleMs: 65_000 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => { server.off('error', reject); resolve(); });
  });
  const port = (server.address() as AddressInfo).port;
  const close = () => new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); });
  const planes = build(port);
  server.on('request', (req, res) => void serve(req, res, planes, o.logger));
  try {
    return { server, port, planes: await planes, close };
  } catch (e) {
    await close();
    throw e;
  }
}

async function serve(req: IncomingMessage, res: ServerResponse, building: Promise<ManagementPlanes>, logger: Logger): Promise<void> {
  const ctx = createContext(req, res);
  let planes: ManagementPlanes;
  try {
    planes = await building;
  } catch {
    sendJson(res, 503, { error: { code: 'ServiceUnavailable', message: 'apim-local failed to start.' } });
    return;
  }
  await route(ctx, planes).catch((e) => {
    logger.error(`${ctx.method} ${ctx.path} failed (request ${ctx.requestId})`, e);
    if (!res.headersSent) sendJson(res, 500, { error: { code: 'InternalServerError', message: `An internal error occurred. Tracking id '${ctx.requestId}'.` } });
    else res.destroy();
  });
}
