// HTTP helpers shared by every listener: request context, bounded body reading, JSON replies.
import type { IncomingMessage, ServerResponse } from 'node:http';
import crypto from 'node:crypto';

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  method: string;
  /** Raw path (still percent-encoded) with leading slashes collapsed to one: `//subscriptions` = `/subscriptions`. */
  path: string;
  /** Query parameters; keys are decoded, so `api%2Dversion` arrives as `api-version`. */
  query: URLSearchParams;
  requestId: string;
  correlationId: string;
  /** The peer address, IPv4-mapped IPv6 unwrapped. */
  clientIp: string;
}

export function createContext(req: IncomingMessage, res: ServerResponse): RequestContext {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const rawPath = q === -1 ? url : url.slice(0, q);
  const path = '/' + rawPath.replace(/^\/+/, '');
  const query = new URLSearchParams(q === -1 ? '' : url.slice(q + 1));
  const requestId = crypto.randomUUID();
  const correlationHeader = req.headers['x-ms-correlation-request-id'];
  const correlationId = typeof correlationHeader === 'string' && /^[\w-]{1,64}$/.test(correlationHeader) ? correlationHeader : requestId;
  let clientIp = req.socket.remoteAddress ?? '';
  if (clientIp.startsWith('::ffff:')) clientIp = clientIp.slice(7);
  return { req, res, method: (req.method ?? 'GET').toUpperCase(), path, query, requestId, correlationId, clientIp };
}

export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) { super(`request body exceeds ${limit} bytes`); }
}

/** Reads the whole body, refusing (before reading it) a declared length over `limit` and stopping at `limit`. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) {
    req.resume();
    return Promise.reject(new BodyTooLargeError(limit));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        reject(new BodyTooLargeError(limit));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => { if (!failed) resolve(Buffer.concat(chunks, size)); });
    req.on('error', (e) => { if (!failed) { failed = true; reject(e); } });
  });
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const payload = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, {
    ...(body === undefined ? {} : { 'content-type': 'application/json; charset=utf-8' }),
    'content-length': Buffer.byteLength(payload),
    'cache-control': 'no-cache',
    ...headers,
  });
  res.end(payload);
}

export function bearerToken(req: IncomingMessage): string | undefined {
  const h = req.headers.authorization;
  if (typeof h !== 'string') return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
  return m ? m[1] : undefined;
}
