// One HTTPS listener per vault (its vaultUri is https://localhost:{port}/): turns each HTTP request into
// a pipeline request and writes the result or Key Vault's error body.
import type https from 'node:https';
import { limitedHttpsServer } from '../common/listener-limits.js';
import type { AddressInfo } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { bearerToken, createContext, readJsonBody, sendJson, BodyTooLargeError } from '../common/http.js';
import { isAzureError } from '../common/errors.js';
import { answerPreflight, corsHeaders, type CorsPolicy } from '../common/cors.js';
import type { Logger } from '../common/log.js';
import { KvErrors, kvErrorBody } from './errors.js';
import type { VaultPipeline } from './pipeline.js';
import type { VaultView } from './bundles.js';

/** Largest body a vault reads: a secret is at most 25 KB; a PFX with its chain fits well within this. */
export const MAX_BODY_BYTES = 1024 * 1024;

export interface VaultListenerOptions {
  host: string;
  port: number;
  certPem: string;
  keyPem: string;
  logger: Logger;
  pipeline: VaultPipeline;
  /** The vault's current view (settings change without restarting the listener); undefined once it is gone. */
  view(): VaultView | undefined;
  /** The portal's origins, whose scripts may call the vault (common/cors.ts). */
  browserOrigins: readonly string[];
}

/** What the portal's Secrets and Certificates blades send and read (the challenge included). */
const corsPolicy = (origins: readonly string[]): CorsPolicy => ({
  origins, methods: ['GET', 'PUT', 'POST', 'PATCH', 'DELETE'],
  allowHeaders: ['authorization', 'content-type', 'x-ms-client-request-id', 'x-ms-return-client-request-id'],
  exposeHeaders: ['www-authenticate', 'x-ms-request-id', 'x-ms-client-request-id', 'x-ms-keyvault-service-version', 'x-ms-keyvault-region', 'x-ms-keyvault-network-info', 'retry-after', 'location'],
  maxAgeSeconds: 600,
});

/** A vault answers small requests: a minute for one, 30 s for its headers, 65 s idle (as before). */
const VAULT_LIMITS = { headersMs: 30_000, requestMs: 60_000, idleMs: 65_000 };

export async function startVaultListener(o: VaultListenerOptions): Promise<{ server: https.Server; port: number }> {
  const server = limitedHttpsServer({ cert: o.certPem, key: o.keyPem }, VAULT_LIMITS);
  const cors = corsPolicy(o.browserOrigins);
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (answerPreflight(req, res, cors)) return;
    serve(req, res, o, cors).catch((e) => {
      o.logger.error(`key vault ${req.method} ${req.url?.split('?')[0]} failed`, e);
      if (!res.headersSent) sendJson(res, 500, kvErrorBody(KvErrors.internal('')));
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => { server.off('error', reject); resolve(); });
  });
  return { server, port: (server.address() as AddressInfo).port };
}

async function serve(req: IncomingMessage, res: ServerResponse, o: VaultListenerOptions, cors: CorsPolicy): Promise<void> {
  const ctx = createContext(req, res);
  const headers: Record<string, string> = {
    ...corsHeaders(req, cors),
    'x-ms-request-id': ctx.requestId,
    'x-ms-keyvault-service-version': '1.9.0.0',
    'x-ms-keyvault-network-info': `conn_type=Ipv4;addr=${ctx.clientIp};act_addr_fam=InterNetwork;`,
  };
  let bodyRead = false;
  try {
    const view = o.view();
    if (!view) throw KvErrors.vaultNotFound();
    headers['x-ms-keyvault-region'] = view.vault.settings.location;
    const result = await o.pipeline.run(view, {
      method: ctx.method, path: ctx.path, query: ctx.query, token: bearerToken(req),
      origin: { clientIp: ctx.clientIp, trustedService: false },
      readJson: () => { bodyRead = true; return readJsonBody(req, { limit: MAX_BODY_BYTES }); },
    });
    if (!bodyRead) req.resume();
    sendJson(res, result.status, result.body, headers);
  } catch (e) {
    // Requests refused before their body was read (the 401 challenge first of all) leave it unread.
    if (!bodyRead) req.resume();
    let err;
    if (e instanceof BodyTooLargeError) { err = KvErrors.bodyTooLarge(e.limit); headers.connection = 'close'; }
    else if (isAzureError(e)) err = e;
    else {
      o.logger.error(`key vault ${ctx.method} ${ctx.path} failed (request ${ctx.requestId})`, e);
      err = KvErrors.internal(ctx.requestId);
    }
    if (res.headersSent) { res.destroy(); return; }
    sendJson(res, err.status, kvErrorBody(err), { ...headers, ...err.headers });
  }
}

export function closeServer(server: https.Server): Promise<void> {
  return new Promise((resolve) => { server.close(() => resolve()); server.closeAllConnections(); });
}
