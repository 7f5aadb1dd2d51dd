// GET /portal/...: the portal's static files (built by Vite into dist/portal), served as a single-page
// app. The files are public (the portal signs in in the browser and calls the public APIs with a
// bearer token), so this route authenticates nobody; what it must get right is serving only those files:
//   1. method     GET or HEAD (405)
//   2. resolve    the decoded path to a file under dist/portal; `..`, backslashes, NUL or a symlink out
//                 of the folder are refused (400/404); a path without a file extension falls back to
//                 index.html (the portal routes with history.pushState)
//   3. headers    content type by extension, a strict Content-Security-Policy with a fresh nonce (the
//                 styling engine adds <style> elements), hashed assets cached for a year, index.html never
//   4. body       gzip when the client accepts it (compressed once per file and kept)
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { sendJson, type RequestContext } from '../common/http.js';

export const PORTAL_PATH = /^\/portal(\/|$)/i;

/** dist/portal beside dist/management (this file compiles to dist/management/portal-route.js). */
const DEFAULT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../portal');
/** Where index.html asks for the nonce of this response (Vite copies the placeholder through). */
const NONCE_PLACEHOLDER = /__CSP_NONCE__/g;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};
const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.json', '.svg', '.txt', '.map']);

interface CachedFile { mtimeMs: number; size: number; raw: Buffer; gzip?: Buffer }

/** The portal's files under `root`, read and compressed once per file version. */
export class PortalFiles {
  private readonly cache = new Map<string, CachedFile>();
  private readonly realRoot: string | undefined;

  constructor(readonly root: string = DEFAULT_ROOT) {
    try { this.realRoot = fs.realpathSync(root); } catch { this.realRoot = undefined; }
  }

  /** The file for a path under /portal/, or undefined when there is none (or it lies outside the root). */
  read(relative: string): { file: string; data: CachedFile } | undefined {
    if (!this.realRoot) return undefined;
    const file = path.resolve(this.realRoot, relative);
    if (file !== this.realRoot && !file.startsWith(this.realRoot + path.sep)) return undefined;
    let real: string;
    let stat: fs.Stats;
    try {
      real = fs.realpathSync(file);
      stat = fs.statSync(real);
    } catch { return undefined; }
    if (!real.startsWith(this.realRoot + path.sep) || !stat.isFile()) return undefined;
    const hit = this.cache.get(real);
    if (hit && hit.mtimeMs === stat.mtimeMs && hit.size === stat.size) return { file: real, data: hit };
    const data: CachedFile = { mtimeMs: stat.mtimeMs, size: stat.size, raw: fs.readFileSync(real) };
    this.cache.set(real, data);
    return { file: real, data };
  }

  gzip(data: CachedFile): Buffer {
    data.gzip ??= zlib.gzipSync(data.raw, { level: 9 });
    return data.gzip;
  }
}

const defaultFiles = new PortalFiles();

/** The Content-Security-Policy of every portal response: scripts only from this origin, styles only with the nonce. */
export function contentSecurityPolicy(nonce: string): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    `style-src 'self' 'nonce-${nonce}'`,
    "img-src 'self' data:",
    "font-src 'self' data:",
    // The public APIs: Resource Manager and Entra on this origin; Key Vault and gateways on their own local ports.
    "connect-src 'self' https://localhost:* https://127.0.0.1:* wss://localhost:* wss://127.0.0.1:*",
    "manifest-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export function portalRoute(ctx: RequestContext, files: PortalFiles = defaultFiles): void {
  ctx.req.resume();
  if (ctx.method !== 'GET' && ctx.method !== 'HEAD') {                                          // 1. method
    sendJson(ctx.res, 405, { error: { code: 'MethodNotAllowed', message: `The HTTP method '${ctx.method}' is not supported here; use GET.` } }, { allow: 'GET, HEAD' });
    return;
  }
  if (/^\/portal$/i.test(ctx.path)) {                                                           // /portal → /portal/
    ctx.res.writeHead(301, { location: '/portal/', 'content-length': '0' });
    ctx.res.end();
    return;
  }
  let relative: string;                                                                         // 2. resolve
  try {
    relative = decodeURIComponent(ctx.path.slice('/portal/'.length));
  } catch {
    return badPath(ctx);
  }
  const segments = relative.split('/');
  if (relative.includes('\\') || relative.includes('\0') || segments.some((s) => s === '..' || s === '.')) return badPath(ctx);
  // A file of the build, else: a missing file (its extension one the build makes) is 404, and any other
  // path is a portal route (`create/Microsoft.Template`, `resource/subscriptions/...`): index.html.
  const ext0 = path.extname(relative).toLowerCase();
  const isAsset = Object.hasOwn(CONTENT_TYPES, ext0);
  const hidden = segments.some((seg) => seg.startsWith('.'));   // .build-stamp and the like are not the portal's
  const found = (relative !== '' && !hidden ? files.read(relative) : undefined) ?? (isAsset ? undefined : files.read('index.html'));
  if (!found) {
    if (!isAsset && !files.read('index.html')) {
      sendJson(ctx.res, 503, { error: { code: 'PortalNotBuilt', message: "The portal is not built: run 'npm run build' (or 'npm install') in apim-local's folder." } });
      return;
    }
    sendJson(ctx.res, 404, { error: { code: 'NotFound', message: `The portal has no file '${relative}'.` } });
    return;
  }
  const ext = path.extname(found.file).toLowerCase();
  const isIndex = path.basename(found.file) === 'index.html';
  const nonce = crypto.randomBytes(16).toString('base64');                                     // 3. headers
  const headers: Record<string, string> = {
    'content-type': CONTENT_TYPES[ext] ?? 'application/octet-stream',
    'content-security-policy': contentSecurityPolicy(nonce),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    'cross-origin-opener-policy': 'same-origin',
    // Vite names what it builds under assets/ by content hash: a new build means new names.
    'cache-control': isIndex ? 'no-cache' : /^assets\//.test(relative) ? 'public, max-age=31536000, immutable' : 'public, max-age=300',
    vary: 'accept-encoding',
  };
  let body = found.data.raw;                                                                    // 4. body
  if (isIndex) {
    body = Buffer.from(body.toString('utf8').replace(NONCE_PLACEHOLDER, nonce));
    if (acceptsGzip(ctx)) { body = zlib.gzipSync(body); headers['content-encoding'] = 'gzip'; }
  } else if (COMPRESSIBLE.has(ext) && acceptsGzip(ctx)) {
    body = files.gzip(found.data);
    headers['content-encoding'] = 'gzip';
  }
  headers['content-length'] = String(body.length);
  ctx.res.writeHead(200, headers);
  ctx.res.end(ctx.method === 'HEAD' ? undefined : body);
}

function acceptsGzip(ctx: RequestContext): boolean {
  const accept = String(ctx.req.headers['accept-encoding'] ?? '');
  return accept.split(',').some((part) => {
    const [coding, ...params] = part.trim().split(';');
    if (coding.trim().toLowerCase() !== 'gzip') return false;
    const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)).find((m) => m);
    return !q || Number(q[1]) > 0;
  });
}

function badPath(ctx: RequestContext): void {
  sendJson(ctx.res, 400, { error: { code: 'InvalidPath', message: `The path '${ctx.path}' is not a valid portal path.` } });
}
