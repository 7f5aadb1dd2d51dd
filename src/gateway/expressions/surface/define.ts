// The declared surface of policy expressions: every .NET type, member and method an expression may use,
// written as C# signatures next to their JavaScript implementations. The checker resolves every name
// in an expression against this table only, so what is not declared here does not exist for an
// expression (no reflection, no process, no prototype: the sandbox is the table).
//
// A module declares types like this:
//
//   export const text: TypeSpec[] = [{
//     name: 'StringBuilder', namespace: 'System.Text',
//     is: (v) => v instanceof StringBuilderImpl,
//     ctors: { '()': () => new StringBuilderImpl(), '(string value)': (s: string) => new StringBuilderImpl(s) },
//     instance: {
//       'Length: int': (sb: StringBuilderImpl) => sb.length,                  // a read-only property
//       'Capacity: int': { get: (sb) => ..., set: (sb, n) => ... },           // a settable one
//       'Append(string value): StringBuilder': (sb, s) => sb.append(s),
//       'this[int index]: char': { get: (sb, i) => ..., set: (sb, i, ch) => ... },
//     },
//     statics: {
//       'op_Equality(StringBuilder a, StringBuilder b): bool': ...,        // operators: .NET's op_ names
//       'op_Explicit(JToken value): string': ...,                          // casts (op_Implicit too)
//     },
//   }];
//
// Calling conventions (what an implementation receives), fixed by the compiler:
// - instance members get the receiver first (never null: the compiler throws NullReferenceException);
// - every declared parameter is passed, in order: optional ones filled with their default, a `params T[]`
//   packed into one array;
// - an `out T name` / `ref T name` parameter (ParamDef.byRef) is passed as a box, a `Ref<T>` ({ value }):
//   the implementation reads (ref) and writes (out, ref) box.value; the compiler copies it back to the
//   caller's variable;
// - a generic method (`As<T>(...)`, `Where<T>(...)`) gets one more, last argument: its type arguments
//   as TypeRef[] (most ignore it);
// - extension methods (`Where<T>(this IEnumerable<T> source, ...)`) are statics whose first parameter
//   is the receiver.
//
// Values are represented as: string → string, bool → boolean, char → a one-character string,
// int/short/byte/double/float/decimal → number, long/ulong → bigint, null → null (never undefined),
// T[] and List<T> → Array, byte[] → Uint8Array, IEnumerable<T> → any Iterable; everything else a class
// instance from ../dotnet/. Exceptions are DotNetException (../dotnet/exceptions.ts).
import { canonicalName, parseTypeText, TypeTextReader, type TypeRef } from './types.js';

/** An implementation: its parameters are typed by the module that writes it. */
// `never[]` parameters: any function type is assignable to it, and calling it needs one explicit cast here.
export type Impl = (...args: never[]) => unknown;
export interface Accessor { get: Impl; set?: Impl }

/**
 * A property whose value is its receiver seen through another interface (context.Request is the request
 * context itself): the compiler reads no property at all for it.
 */
export const RECEIVER = <T>(self: T): T => self;

export interface TypeSpec {
  /** The C# name (`StringBuilder`, `JObject`), or the System name of a keyword type (`String`, `Int32`). */
  name: string;
  namespace: string;
  typeParams?: string[];
  /** The base class (`JContainer` for JObject); `Object` when absent. */
  base?: string;
  /** Interfaces used for conversions and extension methods (`IEnumerable<JToken>`). */
  implements?: string[];
  /** A value type: not null, `T?` for nullable. */
  struct?: boolean;
  /** A static class (Math, Convert): no instances, only statics. */
  static?: boolean;
  /** Whether a runtime value is of this type: casts, `is`, `as` and pattern matching from object. */
  is?: (v: unknown) => boolean;
  ctors?: Record<string, Impl>;
  instance?: Record<string, Impl | Accessor>;
  statics?: Record<string, Impl | Accessor>;
}

/** The box an `out`/`ref` parameter's implementation receives. */
export interface Ref<T> { value: T }

export interface ParamDef {
  readonly name: string;
  readonly type: TypeRef;
  readonly optional: boolean;
  readonly defaultValue?: unknown;
  /** `params T[]`: the rest of the arguments, packed. */
  readonly isParams: boolean;
  /** `out T x` or `ref T x`: passed as a Ref<T> box. */
  readonly byRef: boolean;
  /** `out` (the callee assigns; the caller's variable need not be assigned before the call). */
  readonly isOut: boolean;
}

export interface MethodDef {
  readonly kind: 'method';
  readonly name: string;
  readonly typeParams: readonly string[];
  readonly params: readonly ParamDef[];
  readonly ret: TypeRef;
  /** `this` on the first parameter. */
  readonly extension: boolean;
  readonly impl: Impl;
  readonly owner: TypeDef;
}

export interface PropertyDef {
  readonly kind: 'property';
  readonly name: string;
  readonly type: TypeRef;
  readonly get: Impl;
  readonly set?: Impl;
  readonly owner: TypeDef;
}

export interface IndexerDef {
  readonly params: readonly ParamDef[];
  readonly type: TypeRef;
  readonly get: Impl;
  readonly set?: Impl;
  readonly owner: TypeDef;
}

export type MemberDef = MethodDef | PropertyDef;

export interface TypeDef {
  readonly name: string;
  readonly fullName: string;
  readonly typeParams: readonly string[];
  readonly base: TypeRef | undefined;
  readonly interfaces: readonly TypeRef[];
  readonly struct: boolean;
  readonly isStatic: boolean;
  readonly is: ((v: unknown) => boolean) | undefined;
  readonly ctors: readonly MethodDef[];
  readonly instance: ReadonlyMap<string, readonly MemberDef[]>;
  readonly statics: ReadonlyMap<string, readonly MemberDef[]>;
  readonly indexers: readonly IndexerDef[];
}

/** Turns specs into checked definitions; throws on a malformed signature (a bug found when the surface loads). */
export function defineType(spec: TypeSpec): TypeDef {
  const typeParams = spec.typeParams ?? [];
  const instance = new Map<string, MemberDef[]>();
  const statics = new Map<string, MemberDef[]>();
  const indexers: IndexerDef[] = [];
  const ctors: MethodDef[] = [];
  const def: TypeDef = {
    name: canonicalName(spec.name), fullName: `${spec.namespace}.${spec.name}`, typeParams,
    base: spec.base ? parseTypeText(spec.base, typeParams) : undefined,
    interfaces: (spec.implements ?? []).map((i) => parseTypeText(i, typeParams)),
    struct: !!spec.struct, isStatic: !!spec.static, is: spec.is, ctors, instance, statics, indexers,
  };
  const add = (table: Map<string, MemberDef[]>, m: MemberDef) => {
    const list = table.get(m.name);
    if (list) list.push(m); else table.set(m.name, [m]);
  };
  for (const [sig, impl] of Object.entries(spec.ctors ?? {})) {
    const r = new TypeTextReader(sig, typeParams);
    const params = readParams(r, typeParams, sig);
    r.end();
    ctors.push({ kind: 'method', name: '.ctor', typeParams: [], params, ret: selfType(def), extension: false, impl, owner: def });
  }
  for (const [isStatic, entries] of [[false, spec.instance], [true, spec.statics]] as const) {
    for (const [sig, impl] of Object.entries(entries ?? {})) {
      const member = readMember(sig, impl, typeParams, def);
      if ('params' in member && member.kind === undefined) {
        if (isStatic) throw new Error(`surface ${def.fullName}: '${sig}': a static indexer`);
        indexers.push(member);
      } else add(isStatic ? statics : instance, member as MemberDef);
    }
  }
  return def;
}

/** The type a definition stands for, with its own parameters (`List<T>`). */
export function selfType(def: TypeDef): TypeRef {
  return { name: def.name, args: def.typeParams.map((p) => ({ name: p, args: [], param: true })) };
}

type ReadMember = MemberDef | (IndexerDef & { kind?: undefined });

function readMember(sig: string, impl: Impl | Accessor, typeParams: readonly string[], owner: TypeDef): ReadMember {
  const r = new TypeTextReader(sig, typeParams);
  const accessor: Accessor = typeof impl === 'function' ? { get: impl } : impl;
  const name = r.name();
  if (name === 'this') {
    r.expect('[');
    const params = readParams(r, typeParams, sig, ']');
    r.expect(':');
    const type = r.type();
    r.end();
    return { params, type, get: accessor.get, set: accessor.set, owner };
  }
  let own: string[] = [];
  if (r.eat('<')) {
    do own.push(r.name()); while (r.eat(','));
    r.expect('>');
  }
  const all = [...typeParams, ...own];
  if (r.peek() === '(') {
    if (typeof impl !== 'function') throw new Error(`surface ${owner.fullName}: '${sig}': a method needs a function`);
    const params = readParams(r, all, sig);
    r.expect(':');
    const ret = r.type(all);
    r.end();
    const extension = params.length > 0 && /\(\s*this\s/.test(sig);
    return { kind: 'method', name, typeParams: own, params, ret, extension, impl, owner };
  }
  if (own.length) throw new Error(`surface ${owner.fullName}: '${sig}': a generic property`);
  r.expect(':');
  const type = r.type();
  r.end();
  return { kind: 'property', name, type, get: accessor.get, set: accessor.set, owner };
}

/** Reads `(this T a, params U[] b, int c = 5)` up to the closing bracket. */
function readParams(reader: TypeTextReader, params: readonly string[], sig: string, close = ')'): ParamDef[] {
  if (close === ')') reader.expect('(');
  const out: ParamDef[] = [];
  if (reader.eat(close)) return out;
  do {
    let isParams = false;
    const save = reader.rest();
    const first = /^\s*(this|params|out|ref)\s/.exec(save);
    if (first) { reader.name(); isParams = first[1] === 'params'; }
    const byRef = first?.[1] === 'out' || first?.[1] === 'ref';
    const type = reader.type(params);
    const name = reader.name();
    let optional = false;
    let defaultValue: unknown;
    if (reader.eat('=')) {
      optional = true;
      const m = /^\s*("(?:[^"\\]|\\.)*"|true|false|null|-?\d+(?:\.\d+)?|default)/.exec(reader.rest());
      if (!m) throw new Error(`surface signature '${sig}': unreadable default value`);
      const lit = m[1];
      defaultValue = lit === 'true' ? true : lit === 'false' ? false : lit === 'null' || lit === 'default' ? null
        : lit.startsWith('"') ? JSON.parse(lit) : Number(lit);
      reader.skip(m[0].length);
    }
    out.push({ name, type, optional: optional || isParams, defaultValue, isParams, byRef, isOut: first?.[1] === 'out' });
  } while (reader.eat(','));
  reader.expect(close);
  return out;
}
