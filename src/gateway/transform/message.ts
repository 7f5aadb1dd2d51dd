// The message a transformation policy works on: the request in inbound and backend, the response in
// outbound and on-error. Reading buffers it (the one body reader: bufferRequestBody, BackendStream.readAll
// with its size cap); writing replaces it and drops the stale Content-Length.
import type { Section } from '../policy/types.js';
import type { GatewayContext, GatewayResponse } from '../runtime/context.js';
import { BackendStream } from '../runtime/backend.js';
import { bufferRequestBody } from '../policies/routing.js';

/** Replaces a response's body, dropping a backend body still streaming in. */
export function replaceBody(r: GatewayResponse, body: string | Buffer): void {
  if (r.body instanceof BackendStream) r.body.discard();
  r.body = body;
  delete r.headers['content-length'];
  delete r.headers['content-encoding'];
}

export const isRequestSection = (s: Section) => s === 'inbound' || s === 'backend';

export async function readBody(ctx: GatewayContext, request: boolean): Promise<Buffer> {
  if (request) return bufferRequestBody(ctx);
  const r = ctx.response;
  if (!r || r.body === undefined) return Buffer.alloc(0);
  if (r.body instanceof BackendStream) r.body = await r.body.readAll();
  return typeof r.body === 'string' ? Buffer.from(r.body) : r.body;
}

export function writeBody(ctx: GatewayContext, request: boolean, body: string | Buffer): void {
  if (request) {
    if (!ctx.requestBodyConsumed) { ctx.requestBodyConsumed = true; ctx.req.resume(); }
    ctx.requestBody = typeof body === 'string' ? Buffer.from(body) : body;
    return;
  }
  replaceBody(ctx.ensureResponse(), body);
}

const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v.join(',') : v);

export function contentType(ctx: GatewayContext, request: boolean): string {
  return (request ? one(ctx.headers['content-type']) : one(ctx.response?.headers['content-type'])) ?? '';
}

export function setContentType(ctx: GatewayContext, request: boolean, value: string): void {
  if (request) ctx.headers['content-type'] = value;
  else ctx.ensureResponse().headers['content-type'] = value;
}

/** The media types of a Content-Type or Accept value, lower-cased, without parameters. */
export const mediaTypes = (v: string | undefined) => (v ?? '').split(',').map((p) => p.split(';')[0].trim().toLowerCase()).filter(Boolean);

export const isJsonType = (t: string) => t === 'application/json' || t === 'text/json' || t.endsWith('+json');
export const isXmlType = (t: string) => t === 'application/xml' || t === 'text/xml' || t.endsWith('+xml');
