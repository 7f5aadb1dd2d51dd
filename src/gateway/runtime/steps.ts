// Runs a list of compiled steps: synchronously while each step finishes synchronously, switching to
// promises only at the first step that has to wait. An error is located once (the innermost step)
// as context.LastError's source, scope, section, path and policy id.
import type { GatewayContext } from './context.js';
import { PolicyError, type Step } from '../policy/types.js';

export function runSteps(steps: readonly Step[], ctx: GatewayContext, from = 0): void | Promise<void> {
  for (let i = from; i < steps.length; i++) {
    if (ctx.stopped || ctx.resumeAfter !== undefined) return;
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
