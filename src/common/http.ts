// HTTP helpers shared by every listener: request context, bounded body reading, the one JSON body
// reader, JSON replies.
import type { IncomingMessage, ServerResponse } from 'node:http';
import crypto from 'node:crypto';
import { MAX_JSON_DEPTH, jsonDepthExceededAt } from './json-depth.js';

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

/** A body with a content type the listener does not take (its plane answers 415). */
export class UnsupportedMediaTypeError extends Error {
  constructor(readonly contentType: string | undefined) { super(`unsupported content type '${contentType ?? ''}'`); }
}

/** A body that is not JSON; `detail` is the parser's message (its plane answers 400 in its own words). */
export class MalformedJsonError extends Error {
  constructor(readonly detail: string) { super(`malformed JSON: ${detail}`); }
}

export interface JsonBodyOptions {
  /** Largest body read; a larger one is BodyTooLargeError. */
  limit: number;
  /** Content types taken (UnsupportedMediaTypeError otherwise); absent, any. */
  contentType?: RegExp;
  /** A plane's reading of a text strict JSON refuses (undefined: refused after all), e.g. Resource Manager's of az's template splice. */
  lenient?: (text: string) => unknown;
}

/**
 * The one JSON body reader of every listener. A request that declares no body, or sends an empty one,
 * has none (undefined), whatever its content type; otherwise the content type is checked before the
 * body is read (the unread body is drained), at most `limit` bytes are read, and the text is parsed.
 * Failures are typed (UnsupportedMediaTypeError, BodyTooLargeError, MalformedJsonError): each caller
 * maps them to its own plane's error envelope.
 */
export async function readJsonBody(req: IncomingMessage, o: JsonBodyOptions): Promise<unknown> {
  const declared = req.headers['content-length'];
  const chunked = req.headers['transfer-encoding'] !== undefined;
  if (!chunked && (declared === undefined || declared === '0')) return undefined;
  const contentType = req.headers['content-type'];
  if (o.contentType && (contentType === undefined || !o.contentType.test(contentType))) {
    req.resume();
    throw new UnsupportedMediaTypeError(contentType);
  }
  const raw = await readBody(req, o.limit);
  if (raw.length === 0) return undefined;
  const text = raw.toString('utf8');
  // Refused before parsing: no recursive walk of the value (validation, storage) ever sees deeper nesting.
  const deep = jsonDepthExceededAt(text);
  if (deep >= 0) throw new MalformedJsonError(`The reader's MaxDepth of ${MAX_JSON_DEPTH} has been exceeded at position ${deep}`);
  try {
    return JSON.parse(text);
  } catch (e) {
    const read = o.lenient?.(text);
    if (read !== undefined) return read;
    throw new MalformedJsonError(e instanceof Error ? e.message : String(e));
  }
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
