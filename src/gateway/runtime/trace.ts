// Request tracing (Ocp-Apim-Trace: true with a subscription that allows it): every policy step with its
// scope, section, path, duration and outcome, the backend call and the answer, kept in memory for an
// hour and served from the gateway listener (HTTPS only) at /__apim-local/traces/{signature}/{id}, the
// signature being an HMAC of the id under the subscription key that made the trace, or at
// /__apim-local/traces/{id} to a caller with that key (pipeline.ts serveTrace). Credentials are masked:
// Authorization headers and subscription keys by name (the client's own, even when a policy replaced
// them), and every key, bearer token and secret named value wherever its value appears.
// The same recorder serves debug-credential traces (Apim-Debug-Authorization, debug-token.ts): those are
// kept under a key of their own (the instance and the trace id), never served from the gateway, and read
// only through Resource Manager's listTrace, in Azure's layout (traceEntries by section).
import { createHmac, randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { GatewayContext } from './context.js';
import type { Step } from '../policy/types.js';

export const TRACE_PATH = '/__apim-local/traces/';
const MASK = '***';
const JWT = /^[\w-]+\.[\w-]+\.[\w-]*$/;

interface Entry { section: string; source: string; timestamp: string; elapsedMs: number; data: unknown }

/** Who may read the trace: the subscription key that asked for it (Ocp-Apim-Trace), or a debug credential. */
export type TraceAccess = { kind: 'subscription'; key: string } | { kind: 'debug'; instanceId: string; token: string };

export class TraceRecorder {
  readonly id = randomUUID();
  private readonly entries: Entry[] = [];
  private readonly t0 = performance.now();
  readonly secrets: string[];
  /** The Host the client called (before the request's headers are edited for the backend). */
  readonly host: string;

  /** Where the trace is stored and served: `{signature}/{id}`. */
  readonly storeKey: string;
  /** Header names whose values are credentials (lower-case). */
  private readonly credentialHeaders: Set<string>;

  /** access: the subscription key (it signs the trace's location) or the debug token of the traced call; both are masked. */
  constructor(readonly ctx: GatewayContext, readonly access: TraceAccess, secrets: string[]) {
    this.secrets = [...secrets, access.kind === 'subscription' ? access.key : access.token];
    this.host = ctx.req.headers.host ?? 'localhost';
    this.storeKey = access.kind === 'subscription' ? traceStoreKey(access.key, this.id) : debugTraceKey(access.instanceId, this.traceId);
    this.credentialHeaders = new Set([...CREDENTIAL_HEADERS, ctx.api?.keyHeader ?? 'ocp-apim-subscription-key']);
    // The client's own Authorization, which a policy may replace before the trace is written.
    const auth = ctx.req.headers.authorization;
    if (typeof auth === 'string') this.secrets.push(auth, auth.replace(/^\S+\s+/, ''));
  }

  /** The id the client is given: Apim-Trace-Id (32 hex digits) for a debug trace, else the UUID. */
  get traceId(): string { return this.access.kind === 'debug' ? this.id.replace(/-/g, '') : this.id; }

  /** A copy of headers with credentials masked by name. */
  maskHeaders(h: IncomingHttpHeaders | Record<string, string | string[] | undefined>): Record<string, string | string[] | undefined> {
    const out: Record<string, string | string[] | undefined> = {};
    for (const k in h) {
      const v = h[k];
      // The scheme stays readable (`Bearer ***`): what kind of credential was sent, never its value.
      out[k] = !this.credentialHeaders.has(k.toLowerCase()) ? v : typeof v === 'string' && /^[\w-]+\s+\S/.test(v) && k.toLowerCase().endsWith('authorization') ? `${v.split(/\s/)[0]} ${MASK}` : MASK;
    }
    return out;
  }

  add(source: string, data: unknown): void {
    this.entries.push({ section: this.ctx.section, source, timestamp: new Date().toISOString(), elapsedMs: round(performance.now() - this.t0), data });
  }

  /** The trace policy's message. */
  message(m: { source: string; severity: string; message: string; metadata: Record<string, string> }): void { this.add('trace', m); }

  /** Runs a step, recording it. */
  step(s: Step, ctx: GatewayContext): void | Promise<void> {
    const start = performance.now();
    const done = (outcome: string, error?: unknown) => this.add(s.name, {
      path: s.path, scope: s.scope, id: s.id || undefined, durationMs: round(performance.now() - start), outcome,
      error: error instanceof Error ? error.message : undefined,
      ...(s.name === 'forward-request' && outcome === 'succeeded' ? { backendStatus: ctx.response?.status } : {}),
      ...(s.name === 'set-backend-service' || s.name === 'rewrite-uri' ? { url: backendUrl(ctx) } : {}),
    });
    if (s.name === 'forward-request') this.add('backend-request', { method: ctx.method, url: backendUrl(ctx), headers: this.maskHeaders(ctx.headers) });
    let r: void | Promise<void>;
    try { r = s.run(ctx); } catch (e) { done('failed', e); throw e; }
    if (r === undefined) { done(ctx.stopped ? 'answered' : 'succeeded'); return; }
    return r.then(() => done(ctx.stopped ? 'answered' : 'succeeded'), (e) => { done('failed', e); throw e; });
  }

  /** The whole trace as JSON, with every secret seen masked. */
  finish(extra: Record<string, unknown>): string {
    const auth = this.ctx.headers.authorization;
    const tokens = typeof auth === 'string' ? [auth.replace(/^bearer\s+/i, '')] : [];
    const variables: Record<string, unknown> = {};
    if (this.ctx.hasVariables()) {
      for (const [k, v] of this.ctx.variables) {
        // Tokens (output-token-variable-name) are secrets too.
        if (typeof v === 'string' && JWT.test(v)) tokens.push(v);
        variables[k] = typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v === null ? v : `[${typeof v}]`;
      }
    }
    const doc = this.access.kind === 'subscription'
      ? { traceId: this.id, ...extra, variables, entries: this.entries }
      : { traceId: this.traceId, ...extra, variables, traceEntries: bySection(this.entries) };
    let text = JSON.stringify(doc, null, 2);
    for (const s of [...this.secrets, ...tokens].filter((x) => x.length >= 4).sort((a, b) => b.length - a.length)) {
      text = text.split(JSON.stringify(s).slice(1, -1)).join(MASK);
    }
    return text;
  }
}

const CREDENTIAL_HEADERS = ['authorization', 'proxy-authorization', 'ocp-apim-subscription-key', 'apim-debug-authorization'];

/**
 * Azure's trace layout (listTrace, the portal's Test tab): entries by section, each with its source,
 * timestamp and `elapsed` since the request arrived as a .NET TimeSpan (`00:00:00.0012345`).
 */
function bySection(entries: Entry[]): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = { inbound: [], backend: [], outbound: [] };
  for (const e of entries) {
    (out[e.section] ??= []).push({ source: e.source, timestamp: e.timestamp, elapsed: timeSpan(e.elapsedMs), data: e.data });
  }
  return out;
}

function timeSpan(ms: number): string {
  const ticks = Math.round(ms * 10_000);
  const s = Math.floor(ticks / 10_000_000);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(Math.floor(s / 3600))}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}.${pad(ticks % 10_000_000, 7)}`;
}

/** Where a debug trace is kept: by instance, so listTrace of one instance never reads another's. */
export const debugTraceKey = (instanceId: string, traceId: string): string => `debug:${instanceId.toLowerCase()}:${traceId}`;

/** The store key of a trace served from the gateway (Ocp-Apim-Trace-Location): `{signature}/{uuid}`. */
export const isSubscriptionTraceKey = (key: string): boolean => TRACE_ID.test(key);

/** `{signature}/{id}`: the signature is HMAC-SHA256(subscription key, id), base64url. */
export function traceStoreKey(subscriptionKey: string, id: string): string {
  return `${createHmac('sha256', subscriptionKey).update(id).digest('base64url')}/${id}`;
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;
const backendUrl = (ctx: GatewayContext) => {
  const qs = ctx.queryString();
  return ctx.backendOrigin + ctx.backendBasePath + ctx.path + (qs ? `?${qs}` : '');
};

/**
 * Where finished traces go and are served from. `gatewayWorker` names the process recording them
 * (0: the server, 1..n-1: gateway workers), written into each trace.
 */
export interface TraceSink {
  readonly gatewayWorker: number;
  put(id: string, json: string): void;
  get(id: string): string | undefined | Promise<string | undefined>;
}

/** Finished traces by id, at most MAX, each kept for TTL_MS (the server process's store). */
export class TraceStore implements TraceSink {
  private static readonly MAX = 500;
  private static readonly TTL_MS = 3600_000;
  private readonly traces = new Map<string, { json: string; at: number }>();
  private readonly waiting = new Map<string, (() => void)[]>();
  readonly gatewayWorker = 0;

  /** waitMs: how long get() waits for a trace not here yet (a worker's put may still be on its way). */
  constructor(private readonly waitMs = 0) {}

  put(id: string, json: string): void {
    this.traces.set(id, { json, at: Date.now() });
    if (this.traces.size > TraceStore.MAX) this.traces.delete(this.traces.keys().next().value!);
    const w = this.waiting.get(id);
    if (w) { this.waiting.delete(id); for (const f of w) f(); }
  }

  get(id: string): string | undefined | Promise<string | undefined> {
    const now = this.find(id);
    if (now !== undefined || this.waitMs === 0 || !(TRACE_ID.test(id) || DEBUG_ID.test(id)) || this.waiting.size > TraceStore.MAX) return now;
    return new Promise((resolve) => {
      const done = () => { clearTimeout(timer); resolve(this.find(id)); };
      const timer = setTimeout(() => {
        const list = this.waiting.get(id)?.filter((f) => f !== done);
        if (list?.length) this.waiting.set(id, list); else this.waiting.delete(id);
        resolve(undefined);
      }, this.waitMs);
      const list = this.waiting.get(id);
      if (list) list.push(done); else this.waiting.set(id, [done]);
    });
  }

  private find(id: string): string | undefined {
    const t = this.traces.get(id);
    if (!t || Date.now() - t.at > TraceStore.TTL_MS) return undefined;
    return t.json;
  }
}

const TRACE_ID = /^[\w-]{43}\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const DEBUG_ID = /^debug:\/subscriptions\/[^:]{1,400}:[0-9a-f]{32}$/;
