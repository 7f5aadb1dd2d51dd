// TEMPORARY stand-in with the same signature as branch exprtext's surface/enum-spec.ts: import enumSpec
// from there when it lands and delete this file.
import { EnumType, EnumValue } from '../dotnet/enum-standin.js';
import type { Impl, TypeSpec } from './define.js';

export function enumSpec(type: EnumType, namespace: string): TypeSpec {
  const n = type.name;
  const statics: Record<string, Impl> = {};
  for (const member of type.names.keys()) statics[`${member}: ${n}`] = () => type.member(member);
  statics[`op_Equality(${n} left, ${n} right): bool`] = (a: EnumValue, b: EnumValue) => a.value === b.value;
  statics[`op_Inequality(${n} left, ${n} right): bool`] = (a: EnumValue, b: EnumValue) => a.value !== b.value;
  statics[`op_Explicit(${n} value): int`] = (a: EnumValue) => a.value;
  return {
    name: n, namespace, struct: true, is: (v) => v instanceof EnumValue && v.type === type,
    instance: { 'ToString(): string': (v: EnumValue) => v.toString() },
    statics,
  };
}
