// CORS for data planes the portal calls straight from the browser (Key Vault), as Azure's do for the
// Azure portal: Key Vault answers cross-origin requests from the portal's origins only (which is why the
// portal's Secrets blade meets the vault's firewall with the browser's own IP), with the bearer token in
// Authorization, never cookies. So: the allowed origins are the portal's exactly (the management
// listener's origin), echoed back with `Vary: Origin`; never `*`, never Allow-Credentials.
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface CorsPolicy {
  /** Exact origins (`https://localhost:8443`). */
  origins: readonly string[];
  methods: readonly string[];
  /** Request headers a browser may send (lower-case). */
  allowHeaders: readonly string[];
  /** Response headers a browser script may read. */
  exposeHeaders: readonly string[];
  maxAgeSeconds: number;
}

/** The origins the portal is served from: the management listener's URL, by name and by loopback address. */
export function portalOrigins(managementBaseUrl: string): string[] {
  const u = new URL(managementBaseUrl);
  const out = [u.origin];
  if (u.hostname === 'localhost') out.push(`${u.protocol}//127.0.0.1${u.port ? `:${u.port}` : ''}`);
  return out;
}

/** The allowed origin of a request, if it came from one. */
function allowedOrigin(req: IncomingMessage, policy: CorsPolicy): string | undefined {
  const origin = req.headers.origin;
  return typeof origin === 'string' && policy.origins.includes(origin) ? origin : undefined;
}

/**
 * A preflight (OPTIONS with Origin and Access-Control-Request-Method) from an allowed origin is answered
 * here (204); true when it was. A preflight from any other origin is left to the plane (it answers as for
 * any unauthenticated OPTIONS, without CORS headers, so the browser refuses).
 */
export function answerPreflight(req: IncomingMessage, res: ServerResponse, policy: CorsPolicy): boolean {
  if (req.method !== 'OPTIONS' || req.headers['access-control-request-method'] === undefined) return false;
  const origin = allowedOrigin(req, policy);
  if (origin === undefined) return false;
  req.resume();
  res.writeHead(204, {
    'access-control-allow-origin': origin,
    'access-control-allow-methods': policy.methods.join(', '),
    'access-control-allow-headers': policy.allowHeaders.join(', '),
    'access-control-max-age': String(policy.maxAgeSeconds),
    vary: 'Origin',
    'content-length': '0',
  });
  res.end();
  return true;
}

/** The CORS headers of an actual response (none for a request from another origin, or none at all). */
export function corsHeaders(req: IncomingMessage, policy: CorsPolicy): Record<string, string> {
  const origin = allowedOrigin(req, policy);
  if (origin === undefined) return req.headers.origin === undefined ? {} : { vary: 'Origin' };
  return { 'access-control-allow-origin': origin, 'access-control-expose-headers': policy.exposeHeaders.join(', '), vary: 'Origin' };
}
