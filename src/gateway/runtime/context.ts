// One request's state while it passes through the pipeline: APIM's `context` (Request, Response,
// Variables, LastError, Api, Operation, Product, Subscription), shaped for the hot path: the incoming
// headers object is reused as the backend request's, the query string stays raw until a policy edits it,
// and response headers stay raw (as undici gives them) until a policy reads them.
import type { IncomingMessage, ServerResponse, IncomingHttpHeaders } from 'node:http';
import type { X509Certificate } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import type { Section } from '../policy/types.js';
import type { CompiledApi, CompiledOperation, CompiledSubscription } from './instance.js';
import type { BackendStream, ProxySettings } from './backend.js';
import type { TraceRecorder } from './trace.js';

export interface LastError {
  source: string;
  reason: string;
  message: string;
  scope: string;
  section: string;
  path: string;
  policyId: string;
}

export type ResponseBody = string | Buffer | BackendStream | undefined;

export class GatewayResponse {
  reason: string | undefined = undefined;
  body: ResponseBody = undefined;
  private h: Record<string, string | string[]> | undefined;
  constructor(public status: number, headers?: Record<string, string | string[]>, private raw?: Buffer[]) {
    this.h = headers;
  }

  /** The headers, lower-cased names; built from the backend's raw headers on first use. */
  get headers(): Record<string, string | string[]> {
    if (this.h) return this.h;
    const h: Record<string, string | string[]> = {};
    const raw = this.raw ?? [];
    for (let i = 0; i < raw.length; i += 2) {
      const k = raw[i].toString('latin1').toLowerCase();
      const v = raw[i + 1].toString('latin1');
      const prev = h[k];
      h[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
    }
    this.raw = undefined;
    this.h = h;
    return h;
  }

  /** Raw backend headers while nobody has read them (the fast path writes them as they came). */
  get rawHeaders(): Buffer[] | undefined { return this.h ? undefined : this.raw; }
}

export class GatewayContext {
  requestId = '';
  /** The instance's ARM id (context.Deployment). */
  instanceId = '';
  /** When the request arrived, ms since the epoch (context.Timestamp, context.Elapsed). */
  readonly started = Date.now();
  api!: CompiledApi;
  operation!: CompiledOperation;
  productName = '';
  subscription: CompiledSubscription | undefined = undefined;
  matchedParameters: Record<string, string> | undefined = undefined;
  /** The backend request: method, headers (the incoming object, edited in place), path, query. */
  method: string;
  headers: IncomingHttpHeaders;
  /** The operation path after the API's path suffix, still percent-encoded (`/users/5`). */
  path = '';
  /** The raw query string without `?`, while no policy edited it. */
  private rawQuery = '';
  private queryParams: URLSearchParams | undefined = undefined;
  /** The backend base URL: origin plus path prefix (serviceUrl, or set by set-backend-service). */
  backendOrigin = '';
  backendBasePath = '';
  /** A request body that replaced or buffered the client's (set-body, buffer-request-body). */
  requestBody: Buffer | undefined = undefined;
  /** The client's body was read (buffered) or must be dropped (replaced). */
  requestBodyConsumed = false;
  private vars: Map<string, unknown> | undefined = undefined;
  response: GatewayResponse | undefined = undefined;
  /** A policy answered (return-response, mock-response, a failed check): skip to the answer. */
  stopped = false;
  section: Section = 'inbound';
  lastError: LastError | undefined = undefined;
  trace: TraceRecorder | undefined = undefined;
  /** The HTTP proxy for the backend call (the proxy policy). */
  proxy: ProxySettings | undefined = undefined;
  /** X-Forwarded-For already carries the client's address (a retried forward-request adds it once). */
  forwardedFor = false;
  /** An OPTIONS preflight that no operation matched: only cors policies run (cors.ts). */
  preflight = false;
  /** Headers added to whatever answer is sent (cors). */
  extraHeaders: [string, string][] | undefined = undefined;

  /** The Host the client called, kept: the backend call removes `host` from the (shared) headers. */
  readonly host: string;

  constructor(readonly req: IncomingMessage, readonly res: ServerResponse, readonly secure: boolean) {
    this.method = req.method ?? 'GET';
    this.headers = req.headers;
    this.host = req.headers.host ?? 'localhost';
  }

  private gone: AbortController | undefined = undefined;
  /** Aborted when the client's connection closes before its answer was sent (a policy's own calls stop then). */
  get clientGone(): AbortSignal {
    if (this.gone === undefined) {
      const ac = (this.gone = new AbortController());
      const res = this.res;
      if (res.destroyed) ac.abort();
      else res.once('close', () => { if (!res.writableFinished) ac.abort(); });
    }
    return this.gone.signal;
  }

  private peerCert: X509Certificate | null | undefined = undefined;
  /**
   * The certificate the client presented in the TLS handshake (hostnames with negotiateClientCertificate
   * ask for one), for context.Request.Certificate; undefined when none was sent or over plain HTTP. Not
   * validated here: policies judge it (validate-client-certificate, expressions).
   */
  get clientCertificate(): X509Certificate | undefined {
    if (this.peerCert === undefined) {
      const socket = this.req.socket as Partial<TLSSocket>;
      this.peerCert = (this.secure && typeof socket.getPeerX509Certificate === 'function' ? socket.getPeerX509Certificate() : undefined) ?? null;
    }
    return this.peerCert ?? undefined;
  }

  get variables(): Map<string, unknown> { return (this.vars ??= new Map()); }
  hasVariables(): boolean { return this.vars !== undefined && this.vars.size > 0; }

  setRawQuery(q: string): void { this.rawQuery = q; this.queryParams = undefined; }
  /** The query for editing (set-query-parameter, rewrite-uri). */
  get query(): URLSearchParams { return (this.queryParams ??= new URLSearchParams(this.rawQuery)); }
  queryString(): string {
    if (this.queryParams) return this.queryParams.toString();
    return this.rawQuery;
  }

  /** A request header as one string (joined with `,`), or undefined. */
  header(name: string): string | undefined {
    const v = this.headers[name];
    return v === undefined ? undefined : Array.isArray(v) ? v.join(',') : v;
  }

  /** The response, created (200, empty) when none exists yet. */
  ensureResponse(): GatewayResponse { return (this.response ??= new GatewayResponse(200, {})); }
}
