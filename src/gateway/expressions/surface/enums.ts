// Declares an enum type: its members as static properties, ==/!= and the explicit cast to int.
import { EnumValue } from '../dotnet/enums.js';
import type { Impl, TypeSpec } from './define.js';

export function enumSpec(name: string, namespace: string, members: Readonly<Record<string, EnumValue>>): TypeSpec {
  const statics: Record<string, Impl> = {
    [`op_Equality(${name} left, ${name} right): bool`]: (a: EnumValue, b: EnumValue) => a.value === b.value,
    [`op_Inequality(${name} left, ${name} right): bool`]: (a: EnumValue, b: EnumValue) => a.value !== b.value,
    [`op_Explicit(${name} value): int`]: (a: EnumValue) => a.value,
  };
  for (const [member, v] of Object.entries(members)) statics[`${member}: ${name}`] = () => v;
  return { name, namespace, struct: true, is: (v) => v instanceof EnumValue && v.enumType === `${namespace}.${name}`, statics };
}
