// retry, wait and include-fragment: policies that run other policies (Microsoft Learn, "retry",
// "wait", "include-fragment" policy reference pages).
//
// retry: runs its children once, then again while `condition` is true and fewer than `count` retries
// were made, waiting between attempts (fixed, linear or exponential, as the page's "Retry wait times"
// describes). The request body is buffered first, so a retried forward-request re-sends it. A child
// policy's error is recorded (context.LastError, context.Response APIM's 500) and the condition decides
// whether it is retried; when it is not, the error goes on to on-error.
// wait: runs its immediate children (send-request, cache-lookup-value, choose) side by side and
// completes when all, or the first, completed.
// include-fragment: the fragment's policies compiled in place, in the section of the include.
import { setTimeout as sleep } from 'node:timers/promises';
import { PolicyError, fixed, type PolicyDefinition, type Read, type Run, type Step } from '../policy/types.js';
import type { XNode } from '../policy/xml.js';
import { isExpression } from '../policy/values.js';
import { bool, int, intAtLeast, oneOf } from '../policy/parse.js';
import { recordError, runSteps, waitBranch } from '../runtime/steps.js';
import { hasBody } from '../runtime/backend.js';
import { bufferRequestBody } from './routing.js';
import type { GatewayContext } from '../runtime/context.js';

const ALL = ['inbound', 'backend', 'outbound', 'on-error'] as const;

/** retry's count: "A positive number between 1 and 50". */
const retryCount = (text: string): number => {
  const n = int(text);
  if (n < 1 || n > 50) throw new PolicyError('ExpressionValueEvaluationFailure', `Expression evaluation failed. Specified argument was out of the range of valid values. (Parameter 'count')`);
  return n;
};

/**
 * The wait before retry number `retry` (1 for the first), in milliseconds, as the retry page gives it:
 * interval only: fixed; interval and delta: linear, interval + (retry - 1) * delta; interval, delta and
 * max-interval: exponential, interval + (2^(retry - 1) - 1) * delta (delta varied by ±20%), at most
 * max-interval (10, 20, 40, 80, 100, 100... for interval = delta = 10 and max-interval = 100).
 */
export function retryDelayMs(retry: number, interval: number, delta: number | undefined, maxInterval: number | undefined, random: () => number = Math.random): number {
  let seconds: number;
  if (delta === undefined) seconds = interval;
  else if (maxInterval === undefined) seconds = interval + (retry - 1) * delta;
  else seconds = Math.min(maxInterval, interval + (2 ** (retry - 1) - 1) * delta * (0.8 + 0.4 * random()));
  return Math.max(0, Math.round(seconds * 1000));
}

const constantProblem = (node: XNode, name: string, ok: (n: number) => boolean, expected: string): string | undefined => {
  const v = node.attrs[name];
  if (v === undefined || isExpression(v) || v.includes('{{') || !/^\s*-?\d+\s*$/.test(v)) return undefined;
  return ok(Number(v)) ? undefined : `The '${name}' attribute has an invalid value '${v}': ${expected}.`;
};

const retry: PolicyDefinition = {
  name: 'retry',
  sections: ALL,
  schema: {
    attrs: {
      condition: { required: true, type: 'bool', expr: true }, count: { required: true, type: 'int', expr: true },
      interval: { required: true, type: 'int', expr: true }, 'max-interval': { type: 'int', expr: true },
      delta: { type: 'int', expr: true }, 'first-fast-retry': { type: 'bool', expr: true },
    },
    policies: true,
  },
  check(node) {
    // "The retry policy may contain any other policies as its child elements, except for wait policy."
    const w = node.children.find((c) => c.name === 'wait');
    if (w) return { node: w, message: `The 'wait' policy cannot be used inside 'retry'.` };
    return constantProblem(node, 'count', (n) => n >= 1 && n <= 50, 'a number between 1 and 50 is expected')
      ?? constantProblem(node, 'interval', (n) => n >= 0, 'a number of seconds, 0 or more, is expected')
      ?? constantProblem(node, 'max-interval', (n) => n >= 0, 'a number of seconds, 0 or more, is expected')
      ?? constantProblem(node, 'delta', (n) => n >= 0, 'a number of seconds, 0 or more, is expected');
  },
  compile(node, c): Run {
    const condition = c.condition(node, 'condition');
    const count = c.read(node, 'count', retryCount)!;
    const interval = c.read(node, 'interval', intAtLeast(0, 'interval'))!;
    const maxInterval = c.read(node, 'max-interval', intAtLeast(0, 'max-interval'));
    const delta = c.read(node, 'delta', intAtLeast(0, 'delta'));
    const fast = c.read(node, 'first-fast-retry', bool) ?? fixed(false);
    const steps = c.steps(node, '');
    const request = c.section === 'inbound' || c.section === 'backend';
    return async (ctx) => {
      // A retried forward-request or send-request mode="copy" sends the body again: keep it.
      if (request && !ctx.requestBodyConsumed && hasBody(ctx)) await bufferRequestBody(ctx);
      const n = count(ctx);
      for (let made = 0; ; made++) {
        let failure: PolicyError | undefined;
        try {
          await runSteps(steps, ctx);
        } catch (e) {
          // A failed attempt (a backend that cannot be reached, a timeout) is recorded as API Management
          // records an error (context.LastError, context.Response its 500) and the condition decides:
          // retried while it holds (`context.Response.StatusCode == 500` retries BackendConnectionFailure),
          // else the error goes on to on-error.
          failure = e instanceof PolicyError ? e : new PolicyError('PolicyExecutionFailure', e instanceof Error ? e.message : String(e));
          if (ctx.clientGone.aborted) throw failure;
          recordError(ctx, failure);
        }
        if (ctx.stopped || made >= n || !condition(ctx)) { if (failure) throw failure; return; }
        if (made === 0 && fast(ctx)) continue;
        const ms = retryDelayMs(made + 1, interval(ctx), delta?.(ctx), maxInterval?.(ctx));
        if (ms > 0) await sleep(ms, undefined, { signal: ctx.clientGone });
      }
    };
  },
};

/** What a `wait` may hold directly, as its page lists them. */
const WAIT_CHILDREN = ['send-request', 'cache-lookup-value', 'choose'];
const FOR = ['all', 'any'] as const;

const wait: PolicyDefinition = {
  name: 'wait',
  sections: ['inbound', 'outbound', 'backend'],
  schema: { attrs: { for: { values: FOR, expr: true } }, policies: true },
  check(node) {
    const other = node.children.find((ch) => !WAIT_CHILDREN.includes(ch.name));
    if (other) return { node: other, message: `The 'wait' policy can contain only 'send-request', 'cache-lookup-value' and 'choose' policies.` };
    return undefined;
  },
  compile(node, c): Run {
    const mode: Read<(typeof FOR)[number]> = c.read(node, 'for', oneOf(FOR)) ?? fixed('all');
    const branches: Step[] = c.steps(node, '');
    if (branches.length === 0) return () => undefined;
    return (ctx) => {
      // Each child starts at once; a child that finishes synchronously settles at once too.
      if (mode(ctx) === 'all') return Promise.all(branches.map((s) => Promise.resolve().then(() => runSteps([s], ctx)))).then(() => undefined);
      const done = new AbortController();
      const running = branches.map((s) => waitBranch.run(done.signal, () => Promise.resolve().then(() => runSteps([s], ctx))));
      // The first to complete completes the wait; the others are stopped (a terminated one's error is not the call's).
      for (const r of running) r.catch(() => undefined);
      return Promise.race(running).finally(() => done.abort()).then(() => undefined);
    };
  },
};

const includeFragment: PolicyDefinition = {
  name: 'include-fragment',
  sections: ALL,
  // fragment-id: "Policy expressions aren't allowed."
  schema: { attrs: { 'fragment-id': { required: true } } },
  compile(node, c): Run {
    const id = node.attrs['fragment-id'];
    const fragment = c.fragment(id);
    // Validation with the instance's fragments refuses this at PUT; a configuration that still has it
    // (the fragment deleted behind the store's back) does not compile, and the API answers 500.
    if (fragment === undefined) throw new Error(`Policy fragment '${id}' was not found.`);
    const steps = c.steps(fragment, '');
    return (ctx: GatewayContext) => runSteps(steps, ctx);
  },
};

export const controlPolicies: PolicyDefinition[] = [retry, wait, includeFragment];
