// Policy expressions: `@(...)` and `@{...}` compiled once, when a policy document is validated or
// compiled, into closures over the request's context. What the gateway's policies use from here:
// compileExpression (throws ExpressionError with a position in the expression) and the compiled
// expression's run().
import { ExpressionError, parseExpression } from './syntax.js';
import { Compiler } from './compile/compiler.js';
import { Surface } from './surface/index.js';
import { coreTypes } from './surface/core.js';
import { CONTEXT_TYPE, contextTypes } from './surface/context.js';
import { certificateTypes } from './surface/certificates.js';
import { T, typeText, type TypeRef } from './surface/types.js';
import { evaluate } from './runtime.js';
import { formatValue } from './dotnet/composite.js';
import type { GatewayContext } from '../runtime/context.js';

export { ExpressionError } from './syntax.js';
export { BudgetExceeded } from './runtime.js';
export { DotNetException } from './dotnet/exceptions.js';

const SURFACE = Surface.of(coreTypes, contextTypes, certificateTypes);

/** What the policy needs the value as: a condition (bool), text (any value, by its ToString()), or the value itself. */
export type Expect = 'bool' | 'string' | 'object';

export interface CompiledExpression {
  readonly type: TypeRef;
  /** Reads a message body: the policy buffers it before running the expression. */
  readonly readsBody: boolean;
  run(ctx: GatewayContext): unknown;
}

const cache = new Map<string, CompiledExpression>();
const CACHE_LIMIT = 10_000;

/** Compiles `@(...)`/`@{...}`; an ExpressionError (position inside the text) when it is not valid. */
export function compileExpression(text: string, expect: Expect): CompiledExpression {
  const key = `${expect}\u0000${text}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const compiled = compile(text, expect);
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
  cache.set(key, compiled);
  return compiled;
}

function compile(text: string, expect: Expect): CompiledExpression {
  const parsed = parseExpression(text);
  try {
    const c = new Compiler(SURFACE, { contextType: CONTEXT_TYPE, position: parsed.position });
    let type: TypeRef;
    let body: (env: Parameters<Parameters<typeof evaluate>[0]>[0]) => unknown;
    let direct: ((ctx: GatewayContext) => unknown) | undefined;
    let notNull = false;
    if (parsed.block) {
      const { exec, returns } = c.block(parsed.root);
      if (returns.length === 0) throw new ExpressionError('Not all code paths return a value: the block must end with a return statement.', 1, 1);
      type = returns.find((r) => r.name !== '<null>') ?? T.object;
      body = (env) => { exec(env); return env.ret ?? null; };
    } else {
      const b = c.expression(parsed.root);
      type = b.type;
      body = b.emit;
      direct = b.direct;
      notNull = b.notNull === true;
      if (type.name === 'Void') throw new ExpressionError('The expression does not produce a value.', 1, 1);
    }
    if (expect === 'bool' && type.name !== 'Boolean') {
      throw new ExpressionError(`Cannot implicitly convert type '${typeText(type)}' to 'bool'.`, 1, 1);
    }
    const slots = c.root.slots;
    const staticType = (type.name === '?' ? type.args[0] : type).name;
    // An expression computed from the context alone (Bound.direct: no loop, lambda or library call, so no
    // budget to spend) runs without an evaluation frame.
    const run = direct
      ? expect === 'string'
        ? staticType === 'String'
          ? notNull ? direct : (ctx: GatewayContext) => (direct(ctx) as string | null) ?? ''
          : (ctx: GatewayContext) => formatValue(direct(ctx), null, staticType)
        : direct
      : expect === 'string'
      ? staticType === 'String'
        ? (ctx: GatewayContext) => (evaluate(body, ctx, slots) as string | null) ?? ''
        : (ctx: GatewayContext) => formatValue(evaluate(body, ctx, slots), null, staticType)
      : (ctx: GatewayContext) => evaluate(body, ctx, slots);
    return { type, readsBody: /\bBody\b/.test(text), run };
  } finally {
    parsed.dispose();
  }
}
