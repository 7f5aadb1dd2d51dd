// Runs a list of compiled steps: synchronously while each step finishes synchronously, switching to
// promises only at the first step that has to wait. An error is located once (the innermost step)
// as context.LastError's source, scope, section, path and policy id.
import { randomUUID } from 'node:crypto';
import { AsyncLocalStorage } from 'node:async_hooks';
import { GatewayResponse, type GatewayContext } from './context.js';
import { BackendStream } from './backend.js';
import { internalError } from './answers.js';
import { PolicyError, type Step } from '../policy/types.js';

export function runSteps(steps: readonly Step[], ctx: GatewayContext, from = 0): void | Promise<void> {
  for (let i = from; i < steps.length; i++) {
    if (ctx.stopped) return;
    const s = steps[i];
    let r: void | Promise<void>;
    try {
      r = ctx.trace === undefined ? s.run(ctx) : ctx.trace.step(s, ctx);
    } catch (e) {
      throw locate(e, s);
    }
    if (r !== undefined) {
      const next = i + 1;
      return r.then(() => runSteps(steps, ctx, next), (e) => { throw locate(e, s); });
    }
  }
}

export function locate(e: unknown, s: Step): PolicyError {
  const err = e instanceof PolicyError ? e : new PolicyError('PolicyExecutionFailure', e instanceof Error ? e.message : String(e));
  if (!err.located) {
    err.located = true;
    if (!err.source) err.source = s.name;
    err.scope = s.scope;
    err.section = s.section;
    err.path = s.path;
    err.policyId = s.id;
  }
  return err;
}

/** The request's activity id (context.RequestId), made on first use. */
export function activityId(ctx: GatewayContext): string {
  if (ctx.requestId === '') ctx.requestId = randomUUID();
  return ctx.requestId;
}

/**
 * A policy error as API Management records it: context.LastError, and context.Response the error's own
 * answer (validate-jwt's 401, ...) or APIM's 500 with the activity id. The pipeline does this before
 * on-error; retry does it for a failed attempt, before its condition decides.
 */
export function recordError(ctx: GatewayContext, err: PolicyError): void {
  ctx.lastError = {
    source: err.source, reason: err.reason, message: err.message, scope: err.scope, section: err.section || ctx.section, path: err.path, policyId: err.policyId,
  };
  ctx.trace?.add('error', ctx.lastError);
  if (ctx.response?.body instanceof BackendStream) ctx.response.body.discard();
  const d = err.response;
  const r = new GatewayResponse(d?.status ?? 500, { 'content-type': 'application/json', ...d?.headers });
  r.body = d?.body ?? internalError(activityId(ctx));
  ctx.response = r;
}

/**
 * Inside a branch of `wait for="any"`: aborted once another branch completed the wait ("execution of any
 * other immediate child policies is terminated"). A send-request in such a branch stops its call and
 * leaves its variable unset.
 */
export const waitBranch = new AsyncLocalStorage<AbortSignal>();
