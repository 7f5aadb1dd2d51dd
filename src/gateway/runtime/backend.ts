// Calls to backends: one undici Pool (keep-alive) per origin, shared by every instance, and
// `dispatch()` with a raw handler, the cheapest way Node has to forward a request (see
// shared/research/proxy-baselines.md). Request and response bodies stream through both ways with
// back-pressure; nothing is buffered unless a policy replaced or buffered the body.
import type { ServerResponse } from 'node:http';
import { Writable } from 'node:stream';
import tls from 'node:tls';
import type { Agent, Pool, ProxyAgent, Dispatcher } from 'undici';
import { undici } from '../../common/lazy-modules.js';
import type { GatewayContext } from './context.js';
import { PolicyError } from '../policy/types.js';

const HIGH_WATER = 64 * 1024;
const MAX_CERTIFICATE_POOLS = 64;
/** The largest body a policy may read into memory. */
export const MAX_BUFFERED_BODY = 64 * 1024 * 1024;

/** The backend's answer as it arrives: headers first (a promise), then the body, pumped into the client's response. */
export class BackendStream {
  status = 0;
  statusText = '';
  rawHeaders: Buffer[] = [];
  private abortFn: ((err?: Error) => void) | undefined;
  /** The client went away before the answer was complete (an abort before undici connected waits for onConnect). */
  private cancelled = false;
  /** The client's response: its 'close' aborts the backend call (and frees the pool's connection). */
  private client: ServerResponse | undefined;
  private timer: NodeJS.Timeout | undefined;
  private resumeFn: (() => void) | undefined;
  private queue: Buffer[] | undefined;
  private queued = 0;
  private paused = false;
  private complete = false;
  private failed: Error | undefined;
  private sink: ServerResponse | undefined;
  private discarding = false;
  private gotHeaders = false;
  private resolve!: (s: BackendStream) => void;
  private reject!: (e: Error) => void;
  /** The stream once the backend's status and headers arrived; a failure before that as context.LastError. */
  readonly headersReceived: Promise<BackendStream>;

  /** Runs when the headers arrive, before headersReceived resolves (sets context.Response); may throw. */
  constructor(private readonly ready?: (s: BackendStream) => void) {
    this.headersReceived = new Promise<BackendStream>((resolve, reject) => { this.resolve = resolve; this.reject = reject; });
  }

  // ---- undici's dispatch handler ----
  onConnect(abort: (err?: Error) => void): void {
    this.abortFn = abort;
    if (this.cancelled) abort(clientGone());
  }

  onHeaders(status: number, raw: Buffer[], resume: () => void, statusText: string): boolean {
    if (status < 200) return true; // 1xx: informational, the real answer follows
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.status = status;
    this.statusText = statusText;
    this.rawHeaders = raw;
    this.resumeFn = resume;
    this.gotHeaders = true;
    if (this.ready !== undefined) {
      try { this.ready(this); } catch (e) { this.discard(); this.reject(e as Error); return true; }
    }
    this.resolve(this);
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.discarding) return true;
    if (this.sink) {
      if (this.sink.write(chunk)) return true;
      this.paused = true;
      this.sink.once('drain', this.onDrain);
      return false;
    }
    (this.queue ??= []).push(chunk);
    this.queued += chunk.length;
    if (this.queued < HIGH_WATER) return true;
    this.paused = true;
    return false;
  }

  onComplete(): void {
    this.complete = true;
    this.client?.off('close', this.onClientClose);
    if (this.sink) this.sink.end();
  }

  onError(err: Error): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.client?.off('close', this.onClientClose);
    if (!this.gotHeaders) { this.reject(backendError(err)); return; }
    this.failed = err;
    // The client already has (or will get) the status line: all that is left is to cut the answer short.
    if (this.sink) this.sink.destroy(err);
  }

  private onDrain = (): void => {
    if (!this.paused) return;
    this.paused = false;
    this.resumeFn?.();
  };

  // ---- the gateway's side ----
  /** Sends the body (after the caller wrote the head) into the client's response. */
  pipeTo(res: ServerResponse): void {
    if (this.failed) { res.destroy(this.failed); return; }
    this.sink = res;
    const q = this.queue;
    if (q) {
      this.queue = undefined;
      // A small answer that is all here: head and body in one write.
      if (this.complete && q.length === 1) { res.end(q[0]); return; }
      for (let i = 0; i < q.length; i++) res.write(q[i]);
    }
    if (this.complete) { res.end(); return; }
    if (this.paused) this.onDrain();
  }

  /** Reads the whole body into memory (a policy expression reads context.Response.Body). */
  readAll(limit = MAX_BUFFERED_BODY): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const sink = new Writable({
        write(chunk: Buffer, _enc, done) {
          size += chunk.length;
          if (size > limit) { done(new PolicyError('BodyTooLarge', `The response body is larger than ${limit} bytes and cannot be read by a policy.`)); return; }
          chunks.push(chunk);
          done();
        },
        final(done) { resolve(Buffer.concat(chunks)); done(); },
      });
      sink.on('error', reject);
      this.pipeTo(sink as unknown as ServerResponse);
    });
  }

  /** A policy replaced the body: read the backend's to the end (keeping the connection) and drop it. */
  discard(): void {
    this.discarding = true;
    this.queue = undefined;
    if (this.paused) this.onDrain();
  }

  abort(): void {
    this.cancelled = true;
    this.abortFn?.(clientGone());
    // Still queued for a connection (undici has not called onConnect): settle now.
    if (this.abortFn === undefined && !this.gotHeaders) this.reject(backendError(clientGone()));
  }

  /**
   * Bounds the wait for the backend's headers from now, queueing for a pool connection included
   * (undici's headersTimeout starts only once the request is written).
   */
  deadline(ms: number): void {
    if (!(ms > 0 && ms <= 2_147_483_647)) ms = 300_000;
    this.timer = setTimeout(() => {
      if (this.gotHeaders) return;
      const e = Object.assign(new Error('Headers Timeout Error'), { code: 'UND_ERR_HEADERS_TIMEOUT' });
      this.cancelled = true;
      this.abortFn?.(e);
      this.reject(backendError(e));
    }, ms);
  }

  /** Aborts the backend call when the client's connection closes before the answer is complete. */
  watch(res: ServerResponse): void {
    this.client = res;
    res.once('close', this.onClientClose);
  }

  private onClientClose = (): void => {
    if (!this.complete && !this.failed) this.abort();
  };
}

/** An HTTP proxy the backend call goes through (the proxy policy). */
export interface ProxySettings { url: string; username?: string; password?: string }

/** Headers a proxy must not forward (RFC 9110 §7.6.1), plus those undici sets itself. */
const HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'upgrade', 'trailer', 'expect', 'host']);

export class BackendClient {
  private readonly pools = new Map<string, Pool>();
  private readonly certificatePools: string[] = [];
  /** TLS trust of every backend connection: the public roots, plus apim-local's own CA when given. */
  private readonly connect: { ca: string[] } | undefined;
  private agent: Agent | undefined;

  /**
   * `trustedCaPem`: apim-local's CA certificate, so a backend that is this server (its Resource Manager,
   * a local vault, another instance's gateway) is trusted without NODE_EXTRA_CA_CERTS, as Azure's
   * gateway trusts Azure's own endpoints.
   */
  constructor(trustedCaPem?: string) {
    this.connect = trustedCaPem ? { ca: [...tls.rootCertificates, trustedCaPem] } : undefined;
  }

  /** For a policy's own calls (send-request): the same trust as the backend pools. */
  get dispatcher(): Agent {
    return (this.agent ??= new (undici().Agent)({ keepAliveTimeout: 30_000, connect: this.connect }));
  }

  /**
   * The pool for an origin; with a client certificate (authentication-certificate) a pool of its own, so
   * a connection made with one certificate is never reused for a call that presents another or none.
   */
  pool(origin: string, clientCertificate?: GatewayContext['backendClientCertificate']): Pool {
    const key = clientCertificate ? `${origin}|${clientCertificate.id}` : origin;
    let p = this.pools.get(key);
    if (!p) {
      const c = clientCertificate;
      const certificate = c ? (c.pfx ? { pfx: c.pfx, passphrase: c.passphrase } : { cert: c.cert, key: c.key }) : undefined;
      // The pool's trust (public roots + the local CA) and, for authentication-certificate, the client certificate.
      const connect = certificate || this.connect ? { ...this.connect, ...certificate } : undefined;
      p = new (undici().Pool)(origin, { keepAliveTimeout: 30_000, connections: 256, ...(connect ? { connect } : {}) });
      this.pools.set(key, p);
      if (c) {
        // Pools per certificate are bounded (a policy's body may give many): the oldest closes once its calls end.
        this.certificatePools.push(key);
        if (this.certificatePools.length > MAX_CERTIFICATE_POOLS) {
          const old = this.certificatePools.shift()!;
          const pool = this.pools.get(old);
          this.pools.delete(old);
          void pool?.close().catch(() => undefined);
        }
      }
    }
    return p;
  }

  /** forward-request: sends the context's backend request; resolves when the backend's headers arrived. */
  forward(ctx: GatewayContext, timeoutMs: number, ready?: (s: BackendStream) => void): Promise<BackendStream> {
    const h = ctx.headers;
    const bodyPresent = hasBody(ctx);
    // Hop-by-hop headers stay on this hop. Fast check first: a typical request has host and nothing else.
    delete h.host;
    if (h.connection !== undefined || h['transfer-encoding'] !== undefined || h['keep-alive'] !== undefined
      || h.te !== undefined || h.upgrade !== undefined || h.expect !== undefined || h['proxy-connection'] !== undefined || h.trailer !== undefined) {
      const listed = typeof h.connection === 'string' ? h.connection.split(',') : [];
      for (const name of listed) delete h[name.trim().toLowerCase()];
      for (const name of HOP) delete h[name];
    }
    const ip = ctx.req.socket.remoteAddress;
    // Once per request: a retried forward-request sends the same headers again.
    if (ip && !ctx.forwardedFor) {
      ctx.forwardedFor = true;
      const prev = h['x-forwarded-for'];
      h['x-forwarded-for'] = prev ? `${prev}, ${ip}` : ip;
    }
    let body: Buffer | GatewayContext['req'] | null = null;
    if (ctx.requestBody !== undefined) {
      body = ctx.requestBody;
      h['content-length'] = String(ctx.requestBody.length);
    } else if (!ctx.requestBodyConsumed && bodyPresent) {
      body = ctx.req;
    } else if (ctx.requestBodyConsumed) {
      delete h['content-length'];
    }
    const qs = ctx.queryString();
    const path = ctx.backendBasePath + ctx.path + (qs === '' ? '' : '?' + qs);
    const stream = new BackendStream(ready);
    // A client that went away already (while inbound policies waited) gets no backend call at all.
    if (ctx.res.destroyed || ctx.req.socket.destroyed) { stream.onError(clientGone()); return stream.headersReceived; }
    stream.watch(ctx.res);
    stream.deadline(timeoutMs);
    const proxy = ctx.proxy;
    const cert = ctx.backendClientCertificate;
    (proxy === undefined ? this.pool(ctx.backendOrigin, cert) : this.proxied(proxy, cert)).dispatch({
      origin: ctx.backendOrigin, path, method: ctx.method, headers: h as Record<string, string | string[]>, body,
      headersTimeout: timeoutMs, bodyTimeout: timeoutMs,
    }, stream);
    return stream.headersReceived;
  }

  private readonly proxies = new Map<string, ProxyAgent>();

  /**
   * The dispatcher through an HTTP proxy (the proxy policy): one per proxy and credentials. A plain
   * http backend is asked of the proxy with its absolute URL, an https one through a CONNECT tunnel.
   */
  proxied(proxy: ProxySettings, clientCertificate?: GatewayContext['backendClientCertificate']): Dispatcher {
    const key = `${proxy.url}\n${proxy.username ?? ''}\n${proxy.password ?? ''}\n${clientCertificate?.id ?? ''}`;
    let agent = this.proxies.get(key);
    if (!agent) {
      if (this.proxies.size >= 64) { const [k, old] = this.proxies.entries().next().value!; this.proxies.delete(k); old.close().catch(() => undefined); }
      const token = proxy.username !== undefined ? `Basic ${Buffer.from(`${proxy.username}:${proxy.password ?? ''}`).toString('base64')}` : undefined;
      // authentication-certificate through a proxy: the certificate goes in the TLS handshake with the backend.
      const c = clientCertificate;
      const certificate = c ? (c.pfx ? { pfx: c.pfx, passphrase: c.passphrase } : { cert: c.cert, key: c.key }) : undefined;
      const requestTls = certificate || this.connect ? { ...this.connect, ...certificate } : undefined;
      agent = new (undici().ProxyAgent)({ uri: proxy.url, proxyTunnel: false, keepAliveTimeout: 30_000, ...(token ? { token } : {}), ...(requestTls ? { requestTls } : {}) });
      this.proxies.set(key, agent);
    }
    return agent;
  }

  async close(): Promise<void> {
    const pools: Dispatcher[] = [...this.pools.values(), ...this.proxies.values()];
    this.pools.clear();
    this.proxies.clear();
    if (this.agent) pools.push(this.agent);
    await Promise.all(pools.map((p) => p.destroy().catch(() => undefined)));
  }
}

function clientGone(): Error {
  return Object.assign(new Error('The client closed the connection before the answer was complete.'), { code: 'CLIENT_GONE' });
}

export function hasBody(ctx: GatewayContext): boolean {
  const h = ctx.req.headers;
  const cl = h['content-length'];
  return (cl !== undefined && cl !== '0') || h['transfer-encoding'] !== undefined;
}

/** A failed backend call as context.LastError sees it; the default answer is APIM's 500. */
export function backendError(e: Error & { code?: string }): PolicyError {
  const timeout = e.code === 'UND_ERR_HEADERS_TIMEOUT' || e.code === 'UND_ERR_BODY_TIMEOUT' || e.code === 'UND_ERR_CONNECT_TIMEOUT';
  const err = new PolicyError(
    timeout ? 'Timeout' : 'BackendConnectionFailure',
    timeout ? 'Request to the backend service timed out' : `Error occured while calling backend service: ${e.message}`,
  );
  err.source = 'forward-request';
  return err;
}
