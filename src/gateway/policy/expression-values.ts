// Attribute and text values that are policy expressions, compiled for a policy: as text (Value), as a
// condition, or as an object (set-variable). {{named values}} are substituted first (a named value may
// itself hold an expression). A .NET exception or a stopped runaway expression becomes the policy's
// error: context.LastError with Reason ExpressionValueEvaluationFailure, as API Management reports it.
import { BudgetExceeded, DotNetException, compileExpression, type CompiledExpression, type Expect } from '../expressions/index.js';
import { PolicyError, constant, type Value } from './types.js';
import { isExpression, type NamedValueTable } from './values.js';
import type { GatewayContext } from '../runtime/context.js';

export function expressionFailure(e: unknown): unknown {
  if (e instanceof DotNetException || e instanceof BudgetExceeded) {
    return new PolicyError('ExpressionValueEvaluationFailure', `Expression evaluation failed. ${e.message}`);
  }
  if (e instanceof PolicyError) return e;
  if (e instanceof Error && !(e instanceof RangeError)) return new PolicyError('ExpressionValueEvaluationFailure', `Expression evaluation failed. ${e.message}`);
  return e;
}

function guarded<R>(x: CompiledExpression, convert: (v: unknown) => R): (ctx: GatewayContext) => R {
  return (ctx) => {
    try {
      return convert(x.run(ctx));
    } catch (e) {
      throw expressionFailure(e);
    }
  };
}

/** Compiles values for one policy; `readsBody` tells whether an expression reads a message body. */
export class ExpressionValues {
  readsBody = false;
  constructor(private readonly nv: NamedValueTable, private readonly missing: string[]) {}

  private compile(raw: string, expect: Expect): CompiledExpression | string {
    const text = this.nv.substitute(raw, this.missing);
    if (!isExpression(text)) return text;
    const x = compileExpression(text.trim(), expect);
    if (x.readsBody) this.readsBody = true;
    return x;
  }

  value(raw: string): Value {
    const x = this.compile(raw, 'string');
    return typeof x === 'string' ? constant(x) : guarded(x, (v) => v as string);
  }

  condition(raw: string): (ctx: GatewayContext) => boolean {
    const x = this.compile(raw, 'bool');
    if (typeof x === 'string') { const b = x.trim().toLowerCase() === 'true'; return () => b; }
    return guarded(x, (v) => v === true);
  }

  object(raw: string): (ctx: GatewayContext) => unknown {
    const x = this.compile(raw, 'object');
    return typeof x === 'string' ? () => x : guarded(x, (v) => v);
  }
}
