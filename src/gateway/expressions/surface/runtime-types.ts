// Runtime type tests for what generic methods get as type arguments (OfType<T>, Cast<T>, Value<T>,
// ToObject<T>): keyword types by their representation (define.ts), declared types by their spec's `is`.
import { dotnetTypeName } from '../dotnet/collections.js';
import type { TypeSpec } from './define.js';
import { declaredSpecs } from './index.js';
import type { TypeRef } from './types.js';

const PRIMITIVE_TESTS: Readonly<Record<string, (v: unknown) => boolean>> = {
  Object: (v) => v !== null,
  String: (v) => typeof v === 'string',
  Boolean: (v) => typeof v === 'boolean',
  Char: (v) => typeof v === 'string' && v.length === 1,
  Int32: (v) => typeof v === 'number' && Number.isInteger(v) && v >= -2147483648 && v <= 2147483647,
  Int16: (v) => typeof v === 'number' && Number.isInteger(v) && v >= -32768 && v <= 32767,
  Byte: (v) => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 255,
  Int64: (v) => typeof v === 'bigint',
  UInt64: (v) => typeof v === 'bigint',
  Double: (v) => typeof v === 'number',
  Single: (v) => typeof v === 'number',
  Decimal: (v) => typeof v === 'number',
};

let byName: Map<string, TypeSpec> | undefined;
// Built on first use: the module list imports this file, so it cannot be read while modules load.
const specs = (): Map<string, TypeSpec> => (byName ??= new Map(declaredSpecs().map((s) => [s.name, s])));

/** Whether a runtime value is of a type: `is T` for generic methods' type arguments. */
export function typeTest(t: TypeRef | undefined): (v: unknown) => boolean {
  if (!t) return () => false;
  if (t.name === '?') return typeTest(t.args[0]);
  if (t.name === '[]') {
    const elem = typeTest(t.args[0]);
    return (v) => (t.args[0].name === 'Byte' ? v instanceof Uint8Array : Array.isArray(v) && v.every((x) => x === null || elem(x)));
  }
  const prim = PRIMITIVE_TESTS[t.name];
  if (prim) return prim;
  const is = specs().get(t.name)?.is;
  return is ?? (() => false);
}

/** The CLR full name of a runtime value's type, as InvalidCastException messages print it. */
export function runtimeTypeName(v: unknown): string {
  switch (typeof v) {
    case 'string': return 'System.String';
    case 'boolean': return 'System.Boolean';
    case 'bigint': return 'System.Int64';
    case 'number': return Number.isInteger(v) ? 'System.Int32' : 'System.Double';
    default: break;
  }
  if (v instanceof Uint8Array) return 'System.Byte[]';
  if (Array.isArray(v)) return 'System.Object[]';
  for (const s of specs().values()) if (s.is?.(v) && !s.name.startsWith('I')) return `${s.namespace}.${s.name}`;
  return 'System.Object';
}

export const fullTypeName = (t: TypeRef): string => {
  const spec = specs().get(t.name);
  return spec && !t.args.length ? `${spec.namespace}.${spec.name}` : dotnetTypeName(t);
};
