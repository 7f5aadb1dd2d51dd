// What a compiled expression runs with: its variables (Env), and the step budget that stops a runaway
// expression. Expressions are synchronous, so one budget per process is enough: evaluate() sets it on
// entry, and loops, lambda calls and library code that walks a sequence spend from it.
import { DotNetException } from './dotnet/exceptions.js';

/** Locals of one method body or lambda invocation; lambdas see their enclosing Env through `up`. */
export interface Env {
  readonly locals: unknown[];
  readonly up: Env | undefined;
  /** The `context` object of the request. */
  readonly context: unknown;
  /** A `return` statement's value while it unwinds. */
  ret?: unknown;
}

/** Steps one evaluation may take: loop iterations, lambda calls, sequence elements. */
export const STEP_LIMIT = 1_000_000;
/** Wall-clock limit of one evaluation, checked every 4096 steps. */
export const TIME_LIMIT_MS = 1_000;
/** Longest string an expression may build (characters). */
export const MAX_STRING_LENGTH = 64 * 1024 * 1024;

let steps = 0;
let deadline = 0;
/** Evaluations in progress (a lambda stored by one and called by another nests). */
let depth = 0;

/**
 * Thrown when an evaluation exceeds its budget. Not a DotNetException: a `catch` in the expression
 * cannot swallow it.
 */
export class BudgetExceeded extends Error {
  constructor(readonly why: 'steps' | 'time') {
    super(why === 'steps'
      ? `The expression was stopped after ${STEP_LIMIT} steps (loop iterations, lambda calls or sequence elements).`
      : `The expression was stopped after running for ${TIME_LIMIT_MS} ms.`);
  }
}

/** Spends steps; throws BudgetExceeded when the evaluation has used its budget. */
export function tick(n = 1): void {
  // Library code used outside an evaluation (a test, the gateway itself) has no budget to spend.
  if (depth === 0) return;
  const before = steps;
  steps -= n;
  if (steps < 0) throw new BudgetExceeded('steps');
  // The clock is read once per 4096 steps (first to start it: a short expression never reads it).
  if (before >> 12 !== steps >> 12) {
    if (deadline === 0) deadline = performance.now() + TIME_LIMIT_MS;
    else if (performance.now() > deadline) throw new BudgetExceeded('time');
  }
}

/** A string result, refused beyond MAX_STRING_LENGTH. */
export function checkedString(s: string): string {
  if (s.length > MAX_STRING_LENGTH) throw new DotNetException('System.OutOfMemoryException', 'Insufficient memory to continue the execution of the program.');
  return s;
}

const NO_LOCALS: unknown[] = [];

/** Runs a compiled body with a fresh budget (a nested evaluation shares its caller's). */
export function evaluate<R>(body: (env: Env) => R, context: unknown, slots: number): R {
  if (depth++ === 0) { steps = STEP_LIMIT; deadline = 0; }
  try {
    return body({ locals: slots === 0 ? NO_LOCALS : new Array(slots).fill(null), up: undefined, context });
  } catch (e) {
    if (e instanceof RangeError) {
      // The JS engine's own limits (stack depth, string or array length) surface as .NET would.
      throw new DotNetException(/stack/i.test(e.message) ? 'System.InsufficientExecutionStackException' : 'System.OutOfMemoryException',
        /stack/i.test(e.message) ? 'Insufficient stack to continue executing the program safely.' : 'Insufficient memory to continue the execution of the program.');
    }
    throw e;
  } finally {
    depth--;
  }
}
