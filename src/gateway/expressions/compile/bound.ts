// What binding a syntax node gives: a value (its static type and closure), or a name that is not a value
// yet (a type, a namespace, a method group waiting for its call, a lambda waiting for its target type).
import type { Node } from '../syntax.js';
import type { TypeRef } from '../surface/types.js';
import type { PropertyDef } from '../surface/define.js';
import type { Emit } from './scope.js';

/** A bound expression: its static type and its closure. */
export interface Bound {
  kind: 'value';
  type: TypeRef;
  emit: Emit;
  constant?: { value: unknown };
  /** An lvalue: stores a value (returning it). */
  assign?: (value: Emit) => Emit;
  /** Part of a `?.` chain: a null short-circuits the members that follow. */
  conditional?: boolean;
  /**
   * The value computed from `context` alone, without an Env: set for `context` itself and for what
   * fast-paths.ts fuses on it. Such code has no loop, lambda or library call, so the compiled expression
   * may run it without an evaluation frame (no step budget can be spent).
   */
  direct?: (context: unknown) => unknown;
  /** Never null (as text it needs no `?? ''`). */
  notNull?: boolean;
  /** A property read: which property, on which receiver (fast-paths.ts fuses a call on it). */
  readVia?: { property: PropertyDef; receiver: Bound };
}
export interface TypeName { kind: 'type'; type: TypeRef }
export interface Namespace { kind: 'namespace'; path: string }
export interface MethodGroup { kind: 'methods'; receiver: Bound | TypeName; name: string; typeArgs?: TypeRef[]; node: Node }
export interface Lambda { kind: 'lambda'; node: Node }
export type Resolved = Bound | TypeName | Namespace | MethodGroup | Lambda;

/** A compile-time constant value. */
export function constantOf(value: unknown, type: TypeRef): Bound {
  return { kind: 'value', type, emit: () => value, constant: { value } };
}
