// Quotas and concurrency (Microsoft Learn, "Set usage quota by subscription" quota, "Set usage quota by
// key" quota-by-key, "Limit concurrency" limit-concurrency). Quotas count calls and kilobytes in fixed
// renewal periods (0: one endless period) in counters the server keeps in the store; over a quota the
// caller gets 403 with Retry-After. A call is counted when its answer has been sent, so an
// increment-condition can look at context.Response. limit-concurrency lets at most max-count requests run
// its enclosed policies at once; the others fail at once with 429.
import type { XNode } from '../policy/xml.js';
import { PolicyError, apimBody, type AttrSchema, type CompileContext, type PolicyDefinition, type Run, type Step } from '../policy/types.js';
import type { GatewayContext } from '../runtime/context.js';
import type { QuotaCounters, QuotaUsage } from '../runtime/limits.js';
import { runSteps } from '../runtime/steps.js';

/** quota-by-key's shortest renewal period ("Minimum period: 300 seconds"); 0 is an endless period. */
const MIN_KEY_PERIOD_S = 300;
/** 0001-01-01T00:00:00Z, the default first-period-start (Date.UTC maps year 1 to 1901). */
const DOTNET_MIN_DATE_MS = Date.parse('0001-01-01T00:00:00Z');

interface QuotaLimit {
  calls: number | undefined;
  /** Kilobytes. */
  bandwidth: number | undefined;
  /** Seconds; 0: endless. */
  period: number;
}

const limitAttrs: Record<string, AttrSchema> = { calls: { type: 'int' }, bandwidth: { type: 'int' }, 'renewal-period': { required: true, type: 'int' } };

function checkLimit(node: XNode, minPeriod: number): string | undefined {
  if (node.attrs.calls === undefined && node.attrs.bandwidth === undefined) return `Either 'calls', 'bandwidth', or both together must be specified.`;
  for (const a of ['calls', 'bandwidth', 'renewal-period']) {
    const v = node.attrs[a];
    if (v !== undefined && /^-\d+$/.test(v.trim())) return `The '${a}' attribute must not be negative.`;
  }
  const p = node.attrs['renewal-period'];
  if (minPeriod > 0 && p !== undefined && /^\d+$/.test(p.trim()) && Number(p) !== 0 && Number(p) < minPeriod) {
    return `The 'renewal-period' attribute must be 0 (no renewal) or at least ${minPeriod} seconds.`;
  }
  return undefined;
}

/** The limits of an element, {{named values}} substituted (a value that is not a number limits nothing). */
function limitOf(node: XNode, c: CompileContext): QuotaLimit {
  const n = (a: string) => {
    if (node.attrs[a] === undefined) return undefined;
    const v = Number((c.value(node.attrs[a]).constant ?? '').trim());
    return Number.isFinite(v) ? v : undefined;
  };
  return { calls: n('calls'), bandwidth: n('bandwidth'), period: n('renewal-period') ?? 0 };
}

/** The period `now` falls in: its start and end (ms); an endless period never ends. */
export function periodOf(startMs: number, periodS: number, now: number): { start: number; end: number } {
  if (periodS <= 0) return { start: startMs, end: Infinity };
  const p = periodS * 1000;
  const start = startMs + Math.floor((now - startMs) / p) * p;
  return { start, end: start + p };
}

/** A .NET TimeSpan as "[d.]hh:mm:ss" (what the quota message shows). */
export function timeSpan(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const d = Math.floor(total / 86400);
  const pad = (n: number) => String(n).padStart(2, '0');
  const hms = `${pad(Math.floor(total / 3600) % 24)}:${pad(Math.floor(total / 60) % 60)}:${pad(total % 60)}`;
  return d > 0 ? `${d}.${hms}` : hms;
}

function exceeded(kind: 'call volume' | 'bandwidth', endMs: number, now: number): PolicyError {
  const endless = endMs === Infinity;
  const message = endless ? `Out of ${kind} quota.` : `Out of ${kind} quota. Quota will be replenished in ${timeSpan(endMs - now)}.`;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (!endless) headers['retry-after'] = String(Math.max(1, Math.ceil((endMs - now) / 1000)));
  return new PolicyError('QuotaExceeded', message, { status: 403, headers, body: apimBody(403, message) });
}

/** Keys a request has been counted on already ("incremented only once per request"). */
const counted = new WeakMap<GatewayContext, Set<string>>();

/** The bytes of the call's request and response bodies, as far as the gateway knows them. */
function bodyBytes(ctx: GatewayContext, writtenBefore: number): number {
  const reqLen = Number(ctx.req.headers['content-length'] ?? ctx.requestBody?.length ?? 0) || 0;
  const resLen = Number(ctx.res.getHeader('content-length'));
  return reqLen + (Number.isFinite(resLen) ? resLen : Math.max(0, (ctx.req.socket?.bytesWritten ?? 0) - writtenBefore));
}

/**
 * Checks a counter against its limit now and counts the call when its answer has been sent (when
 * `counts(ctx)` says so then). Returns a promise only while the counter is read from the store.
 */
function enforce(quotas: QuotaCounters, ctx: GatewayContext, key: string, limit: QuotaLimit, startMs: number,
  counts: ((ctx: GatewayContext) => boolean) | undefined): void | Promise<void> {
  const now = Date.now();
  const period = periodOf(startMs, limit.period, now);
  const check = (u: QuotaUsage): void => {
    if (limit.calls !== undefined && u.calls >= limit.calls) throw exceeded('call volume', period.end, now);
    if (limit.bandwidth !== undefined && u.bytes >= limit.bandwidth * 1024) throw exceeded('bandwidth', period.end, now);
    let seen = counted.get(ctx);
    if (seen === undefined) { seen = new Set(); counted.set(ctx, seen); }
    if (seen.has(key)) return;
    seen.add(key);
    const written = ctx.req.socket?.bytesWritten ?? 0;
    let done = false;
    const count = (): void => {
      if (done) return;
      done = true;
      // A call refused by a quota is not counted on the others it passed.
      if (ctx.lastError?.reason === 'QuotaExceeded') return;
      let yes = true;
      try { yes = counts === undefined || counts(ctx); } catch { yes = false; }
      if (!yes) return;
      const r = quotas.add(key, period.start, 1, bodyBytes(ctx, written));
      if (r instanceof Promise) r.catch(() => undefined);
    };
    // 'finish': the answer was handed to the connection; 'close' alone: the client went away first.
    ctx.res.once('finish', count);
    ctx.res.once('close', count);
  };
  const u = quotas.usage(key, period.start);
  if (u instanceof Promise) return u.then(check);
  check(u);
}

/** `<api name|id>` / `<operation name|id>`: id wins over name when both are given (the reference page). */
function matcher(node: XNode): (name: string, displayName: string) => boolean {
  const id = node.attrs.id?.toLowerCase();
  const name = node.attrs.name?.toLowerCase();
  if (id !== undefined) return (n) => n.toLowerCase() === id;
  return (n, display) => name === undefined || name === display.toLowerCase() || name === n.toLowerCase();
}

const quota: PolicyDefinition = {
  name: 'quota',
  sections: ['inbound'],
  scopes: ['product'],
  oncePerSection: true,
  schema: {
    attrs: limitAttrs,
    children: {
      api: {
        attrs: { name: {}, id: {}, ...limitAttrs },
        children: { operation: { attrs: { name: {}, id: {}, ...limitAttrs } } },
      },
    },
  },
  check(node) {
    for (const n of [node, ...node.children, ...node.children.flatMap((a) => a.children)]) {
      if (n !== node && n.attrs.name === undefined && n.attrs.id === undefined) return { node: n, message: `Either 'name' or 'id' must be specified.` };
      const problem = checkLimit(n, 0);
      if (problem) return n === node ? problem : { node: n, message: problem };
    }
    return undefined;
  },
  compile(node, c): Run {
    const prefix = `quota|${c.scopeKey}|`;
    const quotas = c.services.quotas;
    // The product's quota, then each <api> and <operation> quota for the calls they name: independent counters.
    const limits: { applies: (ctx: GatewayContext) => boolean; key: string; limit: QuotaLimit }[] = [{ applies: () => true, key: '', limit: limitOf(node, c) }];
    node.children.forEach((apiNode, i) => {
      const api = matcher(apiNode);
      const apiApplies = (ctx: GatewayContext) => api(ctx.api.name, ctx.api.config.displayName);
      limits.push({ applies: apiApplies, key: `api${i}|`, limit: limitOf(apiNode, c) });
      apiNode.children.forEach((opNode, j) => {
        const op = matcher(opNode);
        limits.push({ applies: (ctx) => apiApplies(ctx) && op(ctx.operation.name, ctx.operation.config.displayName), key: `api${i}|op${j}|`, limit: limitOf(opNode, c) });
      });
    });
    // Only calls made with a subscription key count; periods start when the subscription was created.
    return (ctx) => {
      const sub = ctx.subscription;
      if (!sub) return;
      const next = (k: number): void | Promise<void> => {
        for (; k < limits.length; k++) {
          const l = limits[k];
          if (!l.applies(ctx)) continue;
          const r = enforce(quotas, ctx, prefix + l.key + sub.name, l.limit, sub.createdMs, undefined);
          if (r instanceof Promise) return r.then(() => next(k + 1));
        }
      };
      return next(0);
    };
  },
};

const quotaByKey: PolicyDefinition = {
  name: 'quota-by-key',
  sections: ['inbound'],
  schema: {
    attrs: { ...limitAttrs, 'counter-key': { required: true, expr: true }, 'increment-condition': { type: 'bool', expr: true }, 'first-period-start': {} },
  },
  check(node) {
    const s = node.attrs['first-period-start'];
    if (s !== undefined && !s.includes('{{') && !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(s.trim())) {
      return `The 'first-period-start' attribute must be a date and time in the format yyyy-MM-ddTHH:mm:ssZ.`;
    }
    return checkLimit(node, MIN_KEY_PERIOD_S);
  },
  compile(node, c): Run {
    const key = c.attr(node, 'counter-key')!;
    const cond = node.attrs['increment-condition'] === undefined ? undefined : c.condition(node, 'increment-condition');
    const first = c.value(node.attrs['first-period-start'] ?? '0001-01-01T00:00:00Z').constant ?? '';
    const start = first.startsWith('0001-') ? DOTNET_MIN_DATE_MS : Date.parse(first.trim());
    if (!Number.isFinite(start)) {
      return () => { throw new PolicyError('ExpressionValueEvaluationFailure', `String '${first}' was not recognized as a valid DateTime.`); };
    }
    const limit = limitOf(node, c);
    const quotas = c.services.quotas;
    // One counter per key value, shared by every scope that uses the key.
    return (ctx) => enforce(quotas, ctx, `quota-by-key|${key(ctx)}`, limit, start, cond);
  },
};

/** limit-concurrency's answer when every slot is taken: 429, as the reference page says. */
function tooMany(): PolicyError {
  const message = 'Too many concurrent requests. Try again later.';
  return new PolicyError('ConcurrencyLimitExceeded', message, { status: 429, headers: { 'content-type': 'application/json' }, body: apimBody(429, message) });
}

const limitConcurrency: PolicyDefinition = {
  name: 'limit-concurrency',
  sections: ['inbound', 'backend', 'outbound', 'on-error'],
  schema: { attrs: { key: { required: true, expr: true }, 'max-count': { required: true, type: 'int' } }, policies: true },
  check(node) {
    const m = node.attrs['max-count'];
    if (m !== undefined && /^-?\d+$/.test(m.trim()) && Number(m) < 1) return `The 'max-count' attribute must be a positive integer.`;
    return undefined;
  },
  compile(node, c): Run {
    const key = c.attr(node, 'key')!;
    const max = Number(c.value(node.attrs['max-count']).constant ?? '0');
    const steps: Step[] = c.steps(node, '');
    const slots = c.services.concurrency;
    const prefix = `${c.services.instanceId.toLowerCase()}|`;
    return (ctx) => {
      const k = prefix + key(ctx);
      // The slot is given back when the enclosed policies are done, whatever their outcome.
      const inside = (ok: boolean): void | Promise<void> => {
        if (!ok) throw tooMany();
        let r: void | Promise<void>;
        try { r = runSteps(steps, ctx); } catch (e) { slots.release(k); throw e; }
        if (r instanceof Promise) return r.finally(() => slots.release(k));
        slots.release(k);
      };
      const got = slots.acquire(k, Number.isFinite(max) ? max : 0);
      if (got instanceof Promise) return got.then(inside);
      return inside(got);
    };
  },
};

export const limitPolicies: PolicyDefinition[] = [quota, quotaByKey, limitConcurrency];
