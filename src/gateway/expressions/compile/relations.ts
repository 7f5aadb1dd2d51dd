// How static types relate: supertypes, C#'s implicit and explicit conversions (with what each does to the
// runtime value), member lookup with type arguments substituted, delegates. The checker asks these
// questions; the answers come only from the declared surface and C#'s rules for built-in types.
import type { IndexerDef, MemberDef, TypeDef } from '../surface/define.js';
import type { Surface } from '../surface/index.js';
import { T, arrayOf, sameType, substitute, t, typeText, type TypeRef } from '../surface/types.js';
import { invalidCast, invalidOperation } from '../dotnet/exceptions.js';

export type Convert = (v: unknown) => unknown;
export const identity: Convert = (v) => v;

/** A conversion: its cost (lower is better, for overload resolution) and what it does at run time. */
export interface Conversion { cost: number; apply: Convert }

export const NUMERIC = ['SByte', 'Byte', 'Int16', 'UInt16', 'Int32', 'UInt32', 'Int64', 'UInt64', 'Single', 'Double', 'Decimal', 'Char'] as const;
const INTEGRAL = new Set(['SByte', 'Byte', 'Int16', 'UInt16', 'Int32', 'UInt32', 'Int64', 'UInt64', 'Char']);
const BIG = new Set(['Int64', 'UInt64']);

// C#'s implicit numeric conversions (spec §10.2.3).
const WIDENS: Record<string, readonly string[]> = {
  SByte: ['Int16', 'Int32', 'Int64', 'Single', 'Double', 'Decimal'],
  Byte: ['Int16', 'UInt16', 'Int32', 'UInt32', 'Int64', 'UInt64', 'Single', 'Double', 'Decimal'],
  Int16: ['Int32', 'Int64', 'Single', 'Double', 'Decimal'],
  UInt16: ['Int32', 'UInt32', 'Int64', 'UInt64', 'Single', 'Double', 'Decimal'],
  Int32: ['Int64', 'Single', 'Double', 'Decimal'],
  UInt32: ['Int64', 'UInt64', 'Single', 'Double', 'Decimal'],
  Int64: ['Single', 'Double', 'Decimal'],
  UInt64: ['Single', 'Double', 'Decimal'],
  Char: ['UInt16', 'Int32', 'UInt32', 'Int64', 'UInt64', 'Single', 'Double', 'Decimal'],
  Single: ['Double'],
};

const RANGES: Record<string, [number, number]> = {
  SByte: [-128, 127], Byte: [0, 255], Int16: [-32768, 32767], UInt16: [0, 65535], Int32: [-2147483648, 2147483647], UInt32: [0, 4294967295],
};

export const isNumeric = (ty: TypeRef) => (NUMERIC as readonly string[]).includes(ty.name) && ty.args.length === 0;
export const isIntegral = (ty: TypeRef) => INTEGRAL.has(ty.name) && ty.args.length === 0;
export const isBig = (ty: TypeRef) => BIG.has(ty.name);
export const isNullable = (ty: TypeRef) => ty.name === '?';
export const underlying = (ty: TypeRef) => (ty.name === '?' ? ty.args[0] : ty);

/** Numeric conversion between representations (unchecked, as C# is by default). */
export function numericConvert(from: string, to: string): Convert {
  if (from === to) return identity;
  return (v) => {
    if (to === 'Int64' || to === 'UInt64') {
      let b: bigint;
      if (typeof v === 'bigint') b = v;
      else if (typeof v === 'string') b = BigInt(v.charCodeAt(0));
      else b = Number.isFinite(v as number) ? BigInt(Math.trunc(v as number)) : 0n;
      return to === 'Int64' ? BigInt.asIntN(64, b) : BigInt.asUintN(64, b);
    }
    if (to === 'Double' || to === 'Single' || to === 'Decimal') {
      const n = typeof v === 'bigint' ? Number(v) : typeof v === 'string' ? v.charCodeAt(0) : (v as number);
      return to === 'Single' ? Math.fround(n) : n;
    }
    // To a 32-bit-or-smaller integral type (or char): wrap as C#'s unchecked conversions do.
    let n: number;
    if (typeof v === 'bigint') n = Number(BigInt.asIntN(32, v));
    else if (typeof v === 'string') n = v.charCodeAt(0);
    else n = Number.isFinite(v as number) ? Math.trunc(v as number) : 0;
    switch (to) {
      case 'Int32': return n | 0;
      case 'UInt32': return n >>> 0;
      case 'Int16': return (n << 16) >> 16;
      case 'UInt16': return n & 0xffff;
      case 'SByte': return (n << 24) >> 24;
      case 'Byte': return n & 0xff;
      case 'Char': return String.fromCharCode(n & 0xffff);
      default: return n;
    }
  };
}

export interface DelegateSig { params: readonly TypeRef[]; ret: TypeRef }

/** Func/Action/Predicate/Comparison/MatchEvaluator: lambdas convert to these. */
export function delegateSig(ty: TypeRef): DelegateSig | undefined {
  switch (ty.name) {
    case 'Func': return ty.args.length ? { params: ty.args.slice(0, -1), ret: ty.args[ty.args.length - 1] } : undefined;
    case 'Action': return { params: ty.args, ret: T.void };
    case 'Predicate': return { params: [ty.args[0]], ret: T.bool };
    case 'Comparison': return { params: [ty.args[0], ty.args[0]], ret: T.int };
    case 'Converter': return { params: [ty.args[0]], ret: ty.args[1] };
    case 'MatchEvaluator': return { params: [t('Match')], ret: T.string };
    default: return undefined;
  }
}

/** Interfaces an array T[] has (its members come from the surface's '[]' definition). */
const ARRAY_INTERFACES = ['IList', 'ICollection', 'IEnumerable', 'IReadOnlyList', 'IReadOnlyCollection'];
const COVARIANT = new Set(['IEnumerable', 'IReadOnlyList', 'IReadOnlyCollection', 'IEnumerator']);

export interface FoundMember { member: MemberDef; bindings: Map<string, TypeRef> }
export interface FoundIndexer { indexer: IndexerDef; bindings: Map<string, TypeRef> }

export class TypeRelations {
  /** Types made while compiling one expression (anonymous types). */
  private readonly local = new Map<string, TypeDef>();
  constructor(readonly surface: Surface) {}

  def(ty: TypeRef): TypeDef | undefined {
    return this.surface.type(ty.name) ?? this.local.get(ty.name);
  }

  addLocalType(def: TypeDef): void { this.local.set(def.name, def); }

  /** The type's own type arguments, as bindings for its definition's parameters. */
  bindingsOf(ty: TypeRef, def: TypeDef): Map<string, TypeRef> {
    const b = new Map<string, TypeRef>();
    def.typeParams.forEach((p, i) => { if (ty.args[i]) b.set(p, ty.args[i]); });
    return b;
  }

  isValueType(ty: TypeRef): boolean {
    if (isNumeric(ty) || ty.name === 'Boolean' || ty.name === '?') return true;
    return !!this.def(ty)?.struct;
  }

  /** Can hold null: reference types and nullable value types. */
  acceptsNull(ty: TypeRef): boolean {
    return ty.name === '?' || !this.isValueType(ty);
  }

  /** Direct supertypes (base class and interfaces, substituted), without Object. */
  private directSupers(ty: TypeRef): TypeRef[] {
    if (ty.name === '[]') return [t('Array'), ...ARRAY_INTERFACES.map((n) => t(n, ty.args[0]))];
    if (ty.name === 'String') return [t('IEnumerable', T.char)];
    const def = this.def(ty);
    if (!def) return [];
    const b = this.bindingsOf(ty, def);
    return [...(def.base ? [def.base] : []), ...def.interfaces].map((s) => substitute(s, b));
  }

  /** Every supertype, nearest first (Object last). */
  supertypes(ty: TypeRef): TypeRef[] {
    const out: TypeRef[] = [];
    const queue = this.directSupers(ty);
    while (queue.length && out.length < 64) {
      const s = queue.shift()!;
      if (out.some((o) => sameType(o, s))) continue;
      out.push(s);
      queue.push(...this.directSupers(s));
    }
    if (ty.name !== 'Object') out.push(T.object);
    return out;
  }

  /** The type itself or its supertype with this name (`IEnumerable` of `List<int>` → `IEnumerable<int>`). */
  asType(ty: TypeRef, name: string): TypeRef | undefined {
    if (ty.name === name) return ty;
    return this.supertypes(ty).find((s) => s.name === name);
  }

  /** The element type of something foreach can walk. */
  elementType(ty: TypeRef): TypeRef | undefined {
    if (ty.name === '[]') return ty.args[0];
    if (ty.name === 'String') return T.char;
    return this.asType(ty, 'IEnumerable')?.args[0];
  }

  private referenceConvertible(from: TypeRef, to: TypeRef): boolean {
    if (to.name === 'Object') return true;
    for (const s of [from, ...this.supertypes(from)]) {
      if (sameType(s, to)) return true;
      if (s.name === to.name && COVARIANT.has(to.name) && s.args.length === to.args.length
        && s.args.every((a, i) => sameType(a, to.args[i]) || (!this.isValueType(a) && this.referenceConvertible(a, to.args[i])))) return true;
    }
    return false;
  }

  /** C#'s implicit conversion from one type to another, or undefined. */
  implicit(from: TypeRef, to: TypeRef, constant?: unknown): Conversion | undefined {
    if (sameType(from, to)) return { cost: 0, apply: identity };
    if (to.param || from.param) return undefined;
    if (from.name === '<null>') return this.acceptsNull(to) ? { cost: 1, apply: identity } : undefined;
    if (isNumeric(from) && isNumeric(to)) {
      if (WIDENS[from.name]?.includes(to.name)) return { cost: 1 + NUMERIC.indexOf(to.name as typeof NUMERIC[number]) / 100, apply: numericConvert(from.name, to.name) };
      // A constant int that fits converts to a smaller integral type (`byte b = 5;`).
      const r = RANGES[to.name];
      if (from.name === 'Int32' && typeof constant === 'number' && r && constant >= r[0] && constant <= r[1]) return { cost: 1, apply: identity };
      if (from.name === 'Int32' && typeof constant === 'number' && constant >= 0 && to.name === 'UInt64') return { cost: 1, apply: numericConvert('Int32', 'UInt64') };
      return undefined;
    }
    if (to.name === '?') {
      const inner = this.implicit(from, to.args[0], constant);
      return inner ? { cost: inner.cost + 1, apply: inner.apply } : undefined;
    }
    if (from.name === '?') return to.name === 'Object' ? { cost: 5, apply: identity } : undefined;
    if (this.isValueType(from) && to.name === 'Object') return { cost: 5, apply: identity };
    if (this.referenceConvertible(from, to)) return { cost: to.name === 'Object' ? 5 : 2, apply: identity };
    const user = this.userConversion(from, to, 'op_Implicit');
    if (user) return { cost: 10, apply: user };
    return undefined;
  }

  /** C#'s explicit conversion (a cast), or undefined when C# refuses it at compile time. */
  explicit(from: TypeRef, to: TypeRef): Conversion | undefined {
    const imp = this.implicit(from, to);
    if (imp) return imp;
    if (isNumeric(underlying(from)) && isNumeric(underlying(to))) {
      const conv = numericConvert(underlying(from).name, underlying(to).name);
      const toNullable = to.name === '?';
      return { cost: 20, apply: (v) => (v === null ? (toNullable ? null : nullableHasNoValue()) : conv(v)) };
    }
    if (from.name === '?' && sameType(from.args[0], to)) return { cost: 20, apply: (v) => (v === null ? nullableHasNoValue() : v) };
    const user = this.userConversion(from, to, 'op_Explicit') ?? this.userConversion(underlying(from), underlying(to), 'op_Explicit');
    if (user) return { cost: 20, apply: user };
    // Unboxing or a downcast: checked at run time.
    const check = this.runtimeCheck(to);
    if (check && (from.name === 'Object' || this.referenceConvertible(to, from) || this.def(from)?.fullName.includes('.I') || from.name.startsWith('I'))) {
      const target = typeText(to);
      return {
        cost: 20,
        apply: (v) => {
          if (v === null) { if (this.acceptsNull(to)) return null; throw nullReferenceCast(); }
          if (!check(v)) throw invalidCast(runtimeTypeName(v), target);
          return v;
        },
      };
    }
    return undefined;
  }

  private userConversion(from: TypeRef, to: TypeRef, op: 'op_Implicit' | 'op_Explicit'): Convert | undefined {
    for (const owner of [to, from]) {
      const def = this.def(owner);
      for (const m of def?.statics.get(op) ?? []) {
        if (m.kind !== 'method' || m.params.length !== 1) continue;
        const b = this.bindingsOf(owner, def!);
        const p = substitute(m.params[0].type, b);
        const r = substitute(m.ret, b);
        if (sameType(r, to) && (sameType(p, from) || (!this.isValueType(from) && this.referenceConvertible(from, p)))) {
          const impl = m.impl as unknown as (v: unknown) => unknown;
          return (v) => impl(v);
        }
      }
    }
    return undefined;
  }

  /** A run-time type test (`is`, `as`, casts from object), or undefined when the type has none. */
  runtimeCheck(ty: TypeRef): ((v: unknown) => boolean) | undefined {
    switch (ty.name) {
      case 'Object': return (v) => v !== null;
      case 'String': return (v) => typeof v === 'string';
      case 'Char': return (v) => typeof v === 'string' && v.length === 1;
      case 'Boolean': return (v) => typeof v === 'boolean';
      case 'Int32': case 'Int16': case 'UInt16': case 'UInt32': case 'Byte': case 'SByte':
        return (v) => typeof v === 'number' && Number.isInteger(v);
      case 'Double': case 'Single': case 'Decimal': return (v) => typeof v === 'number';
      case 'Int64': case 'UInt64': return (v) => typeof v === 'bigint';
      case '?': return this.runtimeCheck(ty.args[0]);
      case '[]': {
        if (ty.args[0].name === 'Byte') return (v) => v instanceof Uint8Array;
        const inner = this.runtimeCheck(ty.args[0]);
        return inner ? (v) => Array.isArray(v) && v.every((x) => x === null || inner(x)) : undefined;
      }
      case 'IEnumerable': return (v) => v !== null && typeof v === 'object' && Symbol.iterator in (v as object);
      default: return this.def(ty)?.is;
    }
  }

  /** Members named `name` on the type or its supertypes (nearest first), with bindings for their type parameters. */
  members(ty: TypeRef, name: string, statics: boolean): FoundMember[] {
    const out: FoundMember[] = [];
    const chain = statics ? [ty] : [ty, ...this.supertypes(ty)];
    for (const s of chain) {
      const def = this.def(s);
      if (!def) continue;
      const list = (statics ? def.statics : def.instance).get(name);
      if (list) for (const m of list) out.push({ member: m, bindings: this.bindingsOf(s, def) });
      // Properties hide inherited members of the same name; methods overload across the chain.
      if (out.some((f) => f.member.kind === 'property')) return out.filter((f) => f.member.kind === 'property').slice(0, 1);
    }
    return out;
  }

  indexers(ty: TypeRef): FoundIndexer[] {
    for (const s of [ty, ...this.supertypes(ty)]) {
      const def = this.def(s.name === '[]' ? t('[]') : s);
      if (def?.indexers.length) {
        const bindings = s.name === '[]' ? new Map([['T', s.args[0]]]) : this.bindingsOf(s, def);
        return def.indexers.map((indexer) => ({ indexer, bindings }));
      }
    }
    return [];
  }

  /** The best common type of two branches (`c ? a : b`, `a ?? b`), or undefined. */
  common(a: TypeRef, b: TypeRef): TypeRef | undefined {
    if (sameType(a, b)) return a;
    if (this.implicit(a, b)) return b;
    if (this.implicit(b, a)) return a;
    return undefined;
  }
}

function nullableHasNoValue(): never { throw invalidOperation('Nullable object must have a value.'); }
function nullReferenceCast() { return invalidOperation('Nullable object must have a value.'); }

/** The .NET type name of a run-time value, for InvalidCastException messages. */
export function runtimeTypeName(v: unknown): string {
  if (typeof v === 'string') return v.length === 1 ? 'System.String' : 'System.String';
  if (typeof v === 'boolean') return 'System.Boolean';
  if (typeof v === 'number') return Number.isInteger(v) ? 'System.Int32' : 'System.Double';
  if (typeof v === 'bigint') return 'System.Int64';
  if (Array.isArray(v)) return 'System.Object[]';
  const named = v as { dotNetType?: string } | null;
  return named?.dotNetType ?? 'System.Object';
}

export { arrayOf };
