// The shape of one built-in function and the argument checks they share (Azure's wording).
import { ExpressionError, Msg } from '../errors.js';
import type { EvalScope, Phase } from '../scope.js';
import { typeName, type JsonValue } from '../values.js';

export interface FunctionContext {
  scope: EvalScope;
  phase: Phase;
  /** Loop indexes visible here (resource loop as '' plus named loops). */
  copyIndex: Record<string, number>;
  /** The function name as written in the template (messages quote it). */
  name: string;
  /** parameters(name) / variables(name), evaluated lazily by the evaluator. */
  parameter(name: string): Promise<JsonValue>;
  variable(name: string): Promise<JsonValue>;
}

export interface EagerFunction {
  name: string;
  lazy?: false;
  call(args: JsonValue[], ctx: FunctionContext): JsonValue | Promise<JsonValue>;
}

/** Functions that decide which arguments to evaluate (if: only the chosen branch, as ARM documents). */
export interface LazyFunction {
  name: string;
  lazy: true;
  call(args: (() => Promise<JsonValue>)[], ctx: FunctionContext): Promise<JsonValue>;
}

export type TemplateFunction = EagerFunction | LazyFunction;

export const fail = (name: string, why: string): ExpressionError => new ExpressionError(Msg.function(name, why));

export function arity(name: string, args: readonly unknown[], min: number, max = min): void {
  const n = args.length;
  if (n >= min && n <= max) return;
  if (min === max) throw fail(name, `the function expects ${min} parameter${min === 1 ? '' : 's'} but received ${n}.`);
  if (max === Infinity) throw fail(name, `the function expects at least ${min} parameter${min === 1 ? '' : 's'} but received ${n}.`);
  throw fail(name, `the function expects between ${min} and ${max} parameters but received ${n}.`);
}

const ORDINAL = ['first', 'second', 'third', 'fourth', 'fifth'];
const nth = (i: number) => ORDINAL[i] ?? `${i + 1}th`;

export function str(name: string, args: readonly JsonValue[], i: number): string {
  const v = args[i];
  if (typeof v !== 'string') throw fail(name, `the ${nth(i)} parameter must be of type 'String' but is of type '${typeName(v)}'.`);
  return v;
}

export function int(name: string, args: readonly JsonValue[], i: number): number {
  const v = args[i];
  if (typeof v !== 'number' || !Number.isInteger(v)) throw fail(name, `the ${nth(i)} parameter must be of type 'Integer' but is of type '${typeName(v)}'.`);
  return v;
}

export function bool(name: string, args: readonly JsonValue[], i: number): boolean {
  const v = args[i];
  if (typeof v !== 'boolean') throw fail(name, `the ${nth(i)} parameter must be of type 'Boolean' but is of type '${typeName(v)}'.`);
  return v;
}

export function defineAll(...fns: TemplateFunction[]): TemplateFunction[] {
  return fns;
}

/** Long results are capped as ARM caps template literals. */
export const MAX_STRING = 131_072;
export function capped(name: string, s: string): string {
  if (s.length > MAX_STRING) throw fail(name, `the result length '${s.length}' exceeds the template literal limit of '${MAX_STRING}' characters.`);
  return s;
}
