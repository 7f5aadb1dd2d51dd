// rate-limit (per subscription, per policy definition) and rate-limit-by-key (one counter per key
// across scopes): sliding windows in a CounterStore; over the limit, 429 with Retry-After and APIM's body.
import type { XNode } from '../policy/xml.js';
import { PolicyError, apimBody, fixed, type CompileContext, type PolicyDefinition, type Read, type Run, type AttrSchema } from '../policy/types.js';
import { int, intAtLeast } from '../policy/parse.js';
import type { GatewayContext } from '../runtime/context.js';
import type { CounterResult } from '../runtime/services.js';

const MAX_RENEWAL_SECONDS = 300;
const ONE = fixed(1);
const PERIOD_MESSAGE = `The 'renewal-period' attribute must be between 1 and ${MAX_RENEWAL_SECONDS} seconds.`;

const common: Record<string, AttrSchema> = {
  calls: { required: true, type: 'int' }, 'renewal-period': { required: true, type: 'int' },
  'retry-after-header-name': {}, 'retry-after-variable-name': {}, 'remaining-calls-header-name': {},
  'remaining-calls-variable-name': {}, 'total-calls-header-name': {},
};

function checkPeriod(node: XNode): string | undefined {
  const p = node.attrs['renewal-period'];
  if (p !== undefined && /^\d+$/.test(p) && (Number(p) < 1 || Number(p) > MAX_RENEWAL_SECONDS)) {
    return PERIOD_MESSAGE;
  }
  return undefined;
}

/** renewal-period in milliseconds: an int in the range API Management accepts at PUT. */
function period(text: string): number {
  const n = int(text);
  if (n < 1 || n > MAX_RENEWAL_SECONDS) throw new PolicyError('ExpressionValueEvaluationFailure', `Expression evaluation failed. ${PERIOD_MESSAGE}`);
  return n * 1000;
}

/**
 * The limiter: counts `count` calls on a key and answers 429 (through on-error) when over the limit.
 * Limit and window are read per request only when an expression gives them.
 */
function limiter(node: XNode, c: CompileContext, count: Read<number>) {
  const calls = c.read(node, 'calls', intAtLeast(0, 'calls'))!;
  const windowMs = c.read(node, 'renewal-period', period)!;
  const attr = (n: string) => c.attr(node, n)?.constant;
  const retryHeader = (attr('retry-after-header-name') ?? 'Retry-After').toLowerCase();
  const retryVar = attr('retry-after-variable-name');
  const remainingHeader = attr('remaining-calls-header-name')?.toLowerCase();
  const remainingVar = attr('remaining-calls-variable-name');
  const totalHeader = attr('total-calls-header-name')?.toLowerCase();
  const counters = c.services.counters;
  const after = (ctx: GatewayContext, r: CounterResult, limit: number): void => {
    if (remainingVar) ctx.variables.set(remainingVar, r.remaining);
    if (remainingHeader || totalHeader) {
      const extra = (ctx.extraHeaders ??= []);
      if (remainingHeader) extra.push([remainingHeader, String(r.remaining)]);
      if (totalHeader) extra.push([totalHeader, String(limit)]);
    }
    if (r.allowed) return;
    const seconds = Math.max(1, Math.ceil(r.retryAfterMs / 1000));
    if (retryVar) ctx.variables.set(retryVar, seconds);
    const message = `Rate limit is exceeded. Try again in ${seconds} seconds.`;
    const err = new PolicyError('RateLimitExceeded', message, {
      status: 429, headers: { 'content-type': 'application/json', [retryHeader]: String(seconds) }, body: apimBody(429, message),
    });
    throw err;
  };
  return (ctx: GatewayContext, key: string): void | Promise<void> => {
    const limit = calls(ctx);
    const r = counters.hit(key, limit, windowMs(ctx), count(ctx));
    if (r instanceof Promise) return r.then((res) => after(ctx, res, limit));
    after(ctx, r, limit);
  };
}

const rateLimit: PolicyDefinition = {
  name: 'rate-limit',
  sections: ['inbound'],
  scopes: ['product', 'api', 'operation'],
  schema: {
    attrs: common,
    children: {
      api: {
        attrs: { name: {}, id: {}, calls: { required: true, type: 'int' }, 'renewal-period': { required: true, type: 'int' } },
        children: { operation: { attrs: { name: {}, id: {}, calls: { required: true, type: 'int' }, 'renewal-period': { required: true, type: 'int' } } } },
      },
    },
  },
  check: checkPeriod,
  compile(node, c): Run {
    const prefix = `rate-limit|${c.scopeKey}|${c.path}|`;
    // The policy's own limit, then nested <api> and <operation> limits for the calls they name.
    const limits: { applies: (ctx: GatewayContext) => boolean; key: string; limit: ReturnType<typeof limiter> }[] = [
      { applies: () => true, key: '', limit: limiter(node, c, ONE) },
    ];
    node.children.filter((a) => a.name === 'api').forEach((apiNode, i) => {
      const api = matcher(apiNode);
      limits.push({ applies: (ctx) => api(ctx.api.name, ctx.api.config.displayName), key: `api${i}|`, limit: limiter(apiNode, c, ONE) });
      apiNode.children.filter((o) => o.name === 'operation').forEach((opNode, j) => {
        const op = matcher(opNode);
        limits.push({
          applies: (ctx) => api(ctx.api.name, ctx.api.config.displayName) && op(ctx.operation.name, ctx.operation.config.displayName),
          key: `api${i}|op${j}|`, limit: limiter(opNode, c, ONE),
        });
      });
    });
    // Applies to calls made with a subscription key, one counter per subscription and policy definition.
    return (ctx) => {
      if (!ctx.subscription) return;
      const sub = ctx.subscription.name;
      const next = (k: number): void | Promise<void> => {
        for (; k < limits.length; k++) {
          const l = limits[k];
          if (!l.applies(ctx)) continue;
          const r = l.limit(ctx, prefix + l.key + sub);
          if (r instanceof Promise) return r.then(() => next(k + 1));
        }
      };
      return next(0);
    };
  },
};

/** `<api name|id>` / `<operation name|id>`: `id` is the resource name, `name` its display name (or name). */
function matcher(node: XNode): (name: string, displayName: string) => boolean {
  const id = node.attrs.id?.toLowerCase();
  const display = node.attrs.name?.toLowerCase();
  return (name, displayName) =>
    (id === undefined || id === name.toLowerCase())
    && (display === undefined || display === displayName.toLowerCase() || display === name.toLowerCase());
}

const rateLimitByKey: PolicyDefinition = {
  name: 'rate-limit-by-key',
  sections: ['inbound'],
  // rate-limit-by-key allows expressions in calls and renewal-period (rate-limit does not), and in its key/condition/count.
  schema: {
    attrs: {
      ...common, calls: { ...common.calls, expr: true }, 'renewal-period': { ...common['renewal-period'], expr: true },
      'counter-key': { required: true, expr: true }, 'increment-condition': { expr: true, type: 'bool' }, 'increment-count': { type: 'int', expr: true },
    },
  },
  check(node) {
    return checkPeriod(node);
  },
  compile(node, c): Run {
    const key = c.attr(node, 'counter-key')!;
    const cond = node.attrs['increment-condition'] === undefined ? undefined : c.condition(node, 'increment-condition');
    const limit = limiter(node, c, c.read(node, 'increment-count', intAtLeast(0, 'increment-count')) ?? ONE);
    return (ctx) => {
      if (cond && !cond(ctx)) return;
      return limit(ctx, `rate-limit-by-key|${key(ctx)}`);
    };
  },
};

export const rateLimitPolicies: PolicyDefinition[] = [rateLimit, rateLimitByKey];
