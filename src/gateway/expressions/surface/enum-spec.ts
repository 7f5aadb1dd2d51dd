// Declares a .NET enum: its members as static properties, ==/!=, | & for [Flags] enums, casts to and from
// int, ToString. Values are interned EnumValue instances (../dotnet/enums.ts).
import { EnumType, EnumValue } from '../dotnet/enums.js';
import type { Impl, TypeSpec } from './define.js';

/** `only`: the members API Management lets expressions name (DateTimeKind: only Utc). */
export function enumSpec(type: EnumType, namespace: string, only?: readonly string[]): TypeSpec {
  const n = type.name;
  const statics: Record<string, Impl> = {};
  for (const member of type.names.keys()) {
    if (!only || only.includes(member)) statics[`${member}: ${n}`] = () => type.member(member);
  }
  statics[`op_Equality(${n} left, ${n} right): bool`] = (a: EnumValue, b: EnumValue) => a.value === b.value;
  statics[`op_Inequality(${n} left, ${n} right): bool`] = (a: EnumValue, b: EnumValue) => a.value !== b.value;
  statics[`op_Explicit(${n} value): int`] = (a: EnumValue) => a.value;
  statics[`op_Explicit(int value): ${n}`] = (v: number) => type.of(v);
  if (type.flags) {
    statics[`op_BitwiseOr(${n} left, ${n} right): ${n}`] = (a: EnumValue, b: EnumValue) => type.of(a.value | b.value);
    statics[`op_BitwiseAnd(${n} left, ${n} right): ${n}`] = (a: EnumValue, b: EnumValue) => type.of(a.value & b.value);
    statics[`op_ExclusiveOr(${n} left, ${n} right): ${n}`] = (a: EnumValue, b: EnumValue) => type.of(a.value ^ b.value);
    statics[`op_OnesComplement(${n} value): ${n}`] = (a: EnumValue) => type.of(~a.value);
  }
  return {
    name: n, namespace, struct: true,
    is: (v) => v instanceof EnumValue && v.type === type,
    instance: {
      'ToString(): string': (v: EnumValue) => v.toString(),
      'ToString(string format): string': (v: EnumValue, f: string | null) => v.toStringFormat(f),
      'Equals(object obj): bool': (v: EnumValue, o: unknown) => o instanceof EnumValue && o.type === type && o.value === v.value,
      ...(type.flags ? { [`HasFlag(${n} flag): bool`]: (v: EnumValue, f: EnumValue) => (v.value & f.value) === f.value } : {}),
    },
    statics,
  };
}

/** The EnumValue's number, for implementations that take an enum parameter. */
export const ev = (v: EnumValue): number => v.value;
