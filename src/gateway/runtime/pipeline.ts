// One request through an instance, in order:
//   route → authenticate → inbound → backend → outbound → (on-error) → serialize.
// Each step is a plain function call while nothing has to wait; a promise only where a policy waits
// (a token not cached yet, the backend's headers).
import { GatewayContext, GatewayResponse } from './context.js';
import { BackendStream } from './backend.js';
import { activityId, locate, recordError } from './steps.js';
import { BAD_PATH, INVALID_KEY, MISSING_KEY, NOT_FOUND, TRACE_HTTPS_ONLY, internalError, sendAnswer } from './answers.js';
import { TRACE_PATH, TraceRecorder, isSubscriptionTraceKey, traceStoreKey, type TraceSink } from './trace.js';
import { verifyDebugToken } from './debug-token.js';
import type { CompiledApi, CompiledInstance } from './instance.js';
import { matchRoute } from './router.js';
import { normalizePath } from './paths.js';
import { PolicyError, type Step } from '../policy/types.js';
import type { Pipeline } from '../policy/compile.js';

export function handleRequest(inst: CompiledInstance, ctx: GatewayContext, traces: TraceSink): void {
  const req = ctx.req;
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const rawQuery = q === -1 ? '' : url.slice(q + 1);
  // 0. Dot segments resolved before routing (as API Management does); none climbs above the root.
  const path = normalizePath(q === -1 ? url : url.slice(0, q));
  if (path === null) return answer(ctx, 400, BAD_PATH);

  // 1. Route: the API by the longest path prefix (and its protocols), the operation by method and template.
  const api = inst.findApi(path.toLowerCase());
  if (api === undefined || !(ctx.secure ? api.https : api.http)) return notFound(ctx, inst);
  const rest = api.prefix === '' ? path : path.slice(api.prefix.length + 1);
  const ops = api.byMethod.get(ctx.method);
  let params: Record<string, string> | undefined | null = null;
  let op;
  if (ops !== undefined) {
    for (let i = 0; i < ops.length; i++) {
      params = matchRoute(ops[i].route, rest, rawQuery);
      if (params !== null) { op = ops[i]; break; }
    }
  }
  if (op === undefined) {
    if (ctx.method === 'OPTIONS' && ctx.headers.origin !== undefined && ctx.headers['access-control-request-method'] !== undefined) return preflight(api, ctx, rest, rawQuery, traces);
    return notFound(ctx, inst);
  }
  ctx.api = api;
  ctx.operation = op;
  ctx.matchedParameters = params ?? undefined;
  ctx.path = rest;
  ctx.setRawQuery(rawQuery);
  ctx.backendOrigin = api.origin;
  ctx.backendBasePath = api.basePath;

  // 2. Authenticate: the subscription key (header, or query parameter, by the API's names).
  let key = ctx.headers[api.keyHeader];
  let keyFromQuery = false;
  if (key === undefined && rawQuery !== '') {
    const k = new URLSearchParams(rawQuery).get(api.keyQuery);
    if (k !== null) { key = k; keyFromQuery = true; }
  }
  if (key !== undefined) {
    const sub = inst.subscriptions.get(Array.isArray(key) ? key[0] : key);
    if (sub !== undefined && sub.active && (sub.apis === '*' || sub.apis.has(api.name.toLowerCase()))) {
      ctx.subscription = sub;
      ctx.productName = sub.productName;
    } else if (api.config.subscriptionRequired) {
      return answer(ctx, 401, INVALID_KEY);
    }
  } else if (api.config.subscriptionRequired) {
    return answer(ctx, 401, MISSING_KEY);
  }
  const pipeline = op.pipelines.get(ctx.productName) ?? op.pipelines.get('')!;
  // Tracing: a debug credential for this API (Apim-Debug-Authorization, Azure's current protocol), or
  // Ocp-Apim-Trace with a subscription that allows tracing (the older one).
  const debug = ctx.headers['apim-debug-authorization'];
  const debugKey = inst.config.debugCredentialsKey;
  if (typeof debug === 'string' && typeof debugKey === 'string') {
    const check = verifyDebugToken(debugKey, inst.config.instanceId, debug, api.name, Date.now());
    if (check.ok) ctx.trace = new TraceRecorder(ctx, { kind: 'debug', instanceId: inst.config.instanceId, token: debug }, inst.secrets);
    else if (check.reason === 'expired') (ctx.extraHeaders ??= []).push(['Apim-Debug-Authorization-Expired', `Debug authorization expired at ${check.expiredAt}.`]);
    else if (check.reason === 'wrongApi') (ctx.extraHeaders ??= []).push(['Apim-Debug-Authorization-WrongAPI', `Debug authorization was issued for a different API ('${check.apiName}').`]);
  }
  if (ctx.trace === undefined && ctx.subscription?.allowTracing && ctx.headers['ocp-apim-trace'] === 'true' && typeof key === 'string') {
    ctx.trace = new TraceRecorder(ctx, { kind: 'subscription', key }, inst.secrets);
  }
  if (ctx.trace !== undefined) {
    const cert = ctx.clientCertificate;
    ctx.trace.add('request', {
      method: ctx.method, url: req.url, keyFromQuery, headers: ctx.trace.maskHeaders(ctx.headers), api: api.name, operation: op.name, product: ctx.productName || undefined,
      // context.Request.Certificate, as the trace shows it: who presented which certificate.
      clientCertificate: cert ? { thumbprint: cert.fingerprint.replace(/:/g, ''), subject: cert.subject.split('\n').join(', ') } : undefined,
    });
  }
  // The debug credential is the gateway's, not the backend's: it is not forwarded (the trace shows it, masked).
  if (debug !== undefined) delete ctx.headers['apim-debug-authorization'];

  // 3-6. inbound → backend → outbound (or on-error after an error), then 7. serialize: see drive().
  drive(new Run(ctx, pipeline, traces));
}

/**
 * A CORS preflight that no OPTIONS operation takes: only the cors policies directly in inbound run
 * ("Only the cors policy is evaluated on the OPTIONS request during preflight", Microsoft Learn, "cors"),
 * those of the operation the actual request will reach (by Access-Control-Request-Method), else the API's.
 * No subscription key is needed (a browser sends none in a preflight); no cors policy at all: 404 as before.
 * The answer is cors's, or an empty 200 when none answered.
 */
function preflight(api: CompiledApi, ctx: GatewayContext, rest: string, rawQuery: string, traces: TraceSink): void {
  const requested = String(ctx.headers['access-control-request-method']).trim().toUpperCase();
  let pipeline = api.preflight;
  for (const o of api.byMethod.get(requested) ?? []) {
    if (matchRoute(o.route, rest, rawQuery) !== null) { pipeline = o.preflight; ctx.operation = o; break; }
  }
  if (pipeline.inbound.length === 0) return notFound(ctx);
  ctx.api = api;
  ctx.path = rest;
  ctx.setRawQuery(rawQuery);
  ctx.preflight = true;
  ctx.req.resume();
  drive(new Run(ctx, pipeline, traces));
}

const INBOUND = 0;
const BACKEND = 1;
const OUTBOUND = 2;
const ON_ERROR = 3;
const SECTION_NAMES = ['inbound', 'backend', 'outbound', 'on-error'] as const;

/** Where a request is in its pipeline: section and step, so a step that waits resumes here. */
class Run {
  phase = INBOUND;
  index = 0;
  steps: readonly Step[];
  readonly resume = (): void => drive(this);
  readonly failed = (e: unknown): void => {
    try { this.error(e); } catch (x) { fail(this.ctx, x); return; }
    drive(this);
  };
  constructor(readonly ctx: GatewayContext, readonly p: Pipeline, readonly traces: TraceSink) {
    this.steps = p.inbound;
  }

  /** An error: context.LastError, the error's own answer (or APIM's 500), then the on-error section. */
  error(e: unknown): void {
    const ctx = this.ctx;
    if (this.phase === ON_ERROR) throw e; // an error in on-error itself: APIM's 500 (fail())
    const s = this.steps[this.index - 1];
    const err = s !== undefined ? locate(e, s) : e instanceof PolicyError ? e : new PolicyError('InternalError', String(e));
    recordError(ctx, err);
    ctx.stopped = false;
    this.enter(ON_ERROR);
  }

  /** A cache hit in inbound: to outbound, after the step named by ctx.resumeAfter (all of it if absent). */
  resumeOutbound(ctx: GatewayContext): void {
    const after = ctx.resumeAfter;
    ctx.resumeAfter = undefined;
    if (this.phase !== INBOUND) return;
    this.enter(OUTBOUND);
    this.index = this.steps.findIndex((s) => s.name === after) + 1;
  }

  enter(phase: number): void {
    this.phase = phase;
    this.index = 0;
    this.ctx.section = SECTION_NAMES[phase];
    const p = this.p;
    this.steps = phase === INBOUND ? p.inbound : phase === BACKEND ? p.backend : phase === OUTBOUND ? p.outbound : p.onError;
  }
}

/**
 * Runs steps in order, synchronously while they finish synchronously; a step that returns a promise
 * suspends the run, which resumes here when it settles (one promise per waiting step, nothing else).
 */
function drive(run: Run): void {
  const ctx = run.ctx;
  try {
    for (;;) {
      if (ctx.resumeAfter !== undefined) run.resumeOutbound(ctx);
      const steps = run.steps;
      while (run.index < steps.length && !ctx.stopped && ctx.resumeAfter === undefined) {
        const s = steps[run.index++];
        let r: void | Promise<void>;
        try {
          r = ctx.trace === undefined ? s.run(ctx) : ctx.trace.step(s, ctx);
        } catch (e) {
          run.error(e);
          break;
        }
        if (r !== undefined) { r.then(run.resume, run.failed); return; }
      }
      if (ctx.resumeAfter !== undefined) continue; // a cache hit: outbound, after cache-store
      if (run.index < run.steps.length && !ctx.stopped) continue; // entered on-error: run it
      // A section ended (or a policy answered: return-response, mock-response, a failed check).
      if (ctx.stopped || run.phase >= OUTBOUND) break;
      run.enter(run.phase + 1);
    }
  } catch (e) {
    fail(ctx, e);
    return;
  }
  // 7. Serialize the answer.
  try { serialize(ctx, run.traces); } catch (e) { fail(ctx, e); }
}

/** Writes the answer: the backend's streamed body, or a body a policy set. */
function serialize(ctx: GatewayContext, traces: TraceSink): void {
  const res = ctx.res;
  const r = ctx.response ?? new GatewayResponse(200, {});
  let traceLocation: string | undefined;
  if (ctx.trace !== undefined) {
    ctx.trace.add('response', { status: r.status, headers: ctx.trace.maskHeaders(r.headers) });
    // Always https (the same port serves both): a trace is never read over plain HTTP. A debug trace is
    // read through Resource Manager's listTrace: the client gets its id only.
    if (ctx.trace.access.kind === 'debug') (ctx.extraHeaders ??= []).push(['Apim-Trace-Id', ctx.trace.traceId]);
    else traceLocation = `https://${ctx.trace.host}${TRACE_PATH}${ctx.trace.storeKey}`;
    traces.put(ctx.trace.storeKey, ctx.trace.finish({ api: ctx.api.name, operation: ctx.operation.name, gatewayWorker: traces.gatewayWorker, lastError: ctx.lastError }));
  }
  const extra = ctx.extraHeaders;
  const body = r.body;
  if (body instanceof BackendStream) {
    const raw = r.rawHeaders;
    if (raw !== undefined && extra === undefined && traceLocation === undefined) res.writeHead(r.status, r.reason, flatten(raw));
    else res.writeHead(r.status, r.reason, withExtra(r.headers, extra, traceLocation, true));
    body.pipeTo(res);
    return;
  }
  const payload = body ?? '';
  const headers = withExtra(r.headers, extra, traceLocation, false);
  headers['content-length'] = String(Buffer.byteLength(payload));
  res.writeHead(r.status, r.reason, headers);
  res.end(payload);
}

const HOP_RESPONSE = new Set(['connection', 'keep-alive', 'transfer-encoding', 'proxy-connection', 'upgrade', 'trailer']);

/** Raw backend headers as Node's flat [name, value, ...] list, without hop-by-hop ones. */
function flatten(raw: Buffer[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i].toString('latin1');
    const n = name.length;
    if ((n === 10 || n === 17 || n === 16 || n === 7) && HOP_RESPONSE.has(name.toLowerCase())) continue;
    out.push(name, raw[i + 1].toString('latin1'));
  }
  return out;
}

function withExtra(h: Record<string, string | string[]>, extra: [string, string][] | undefined, traceLocation: string | undefined, streamed: boolean): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const k in h) if (!HOP_RESPONSE.has(k) && (streamed || k !== 'content-length')) out[k] = h[k];
  if (extra !== undefined) for (const [k, v] of extra) out[k] = v;
  if (traceLocation !== undefined) out['ocp-apim-trace-location'] = traceLocation;
  return out;
}

function notFound(ctx: GatewayContext, inst?: CompiledInstance): void {
  // The global cross-domain policy answers /crossdomain.xml where no operation does (cross-domain reference page).
  if (inst?.crossDomain !== undefined && (ctx.method === 'GET' || ctx.method === 'HEAD') && (ctx.req.url ?? '').split('?')[0].toLowerCase() === '/crossdomain.xml') {
    sendAnswer(ctx.res, 200, ctx.method === 'HEAD' ? '' : inst.crossDomain, { 'content-type': 'text/xml' });
    return;
  }
  answer(ctx, 404, NOT_FOUND);
}
function answer(ctx: GatewayContext, status: number, body: string): void { sendAnswer(ctx.res, status, body); }

/** Last resort: an error in on-error itself, or while answering. */
function fail(ctx: GatewayContext, e: unknown): void {
  if (ctx.res.headersSent) { ctx.res.destroy(e instanceof Error ? e : undefined); return; }
  sendAnswer(ctx.res, 500, internalError(activityId(ctx)));
}

/**
 * Serves a finished trace (GET {TRACE_PATH}{signature}/{id}); true when the path was a trace path.
 * What reads a trace is what API Management asks for one: the location handed to the caller (its
 * signature, like the SAS of APIM's trace blob URL), or `{TRACE_PATH}{id}` with the subscription key of
 * an active subscription that allows tracing (the one that made the trace: the signature is an HMAC of
 * the id under that key). Over HTTPS only; the trace id alone reads nothing.
 */
export function serveTrace(ctx: GatewayContext, traces: TraceSink, inst: CompiledInstance | undefined): boolean {
  const url = ctx.req.url ?? '';
  if (!url.startsWith(TRACE_PATH)) return false;
  ctx.req.resume();
  if (!ctx.secure) { sendAnswer(ctx.res, 403, TRACE_HTTPS_ONLY); return true; }
  const q = url.indexOf('?');
  const rest = url.slice(TRACE_PATH.length, q === -1 ? undefined : q);
  let storeKey: string | undefined;
  if (rest.includes('/')) {
    // Only a location this gateway handed out (`{signature}/{uuid}`): debug traces are never served here.
    if (!isSubscriptionTraceKey(rest)) { sendAnswer(ctx.res, 404, NOT_FOUND); return true; }
    storeKey = rest;
  } else {
    // By id, with a subscription key: the header, or the query parameter (APIM's default names).
    let key = ctx.header('ocp-apim-subscription-key');
    if (key === undefined && q !== -1) key = new URLSearchParams(url.slice(q + 1)).get('subscription-key') ?? undefined;
    if (key === undefined) { sendAnswer(ctx.res, 401, MISSING_KEY); return true; }
    const sub = inst?.subscriptions.get(key);
    if (sub === undefined || !sub.active || !sub.allowTracing) { sendAnswer(ctx.res, 401, INVALID_KEY); return true; }
    storeKey = traceStoreKey(key, rest);
  }
  const answerWith = (json: string | undefined) => {
    if (json === undefined) sendAnswer(ctx.res, 404, NOT_FOUND);
    else sendAnswer(ctx.res, 200, json);
  };
  const json = traces.get(storeKey);
  if (json instanceof Promise) json.then(answerWith, () => answerWith(undefined));
  else answerWith(json);
  return true;
}
