// .NET enum values: one interned instance per member, so `==` is identity and ToString() is the name.
export class EnumValue {
  constructor(readonly enumType: string, readonly name: string, readonly value: number) {}
  toString(): string { return this.name; }
  equalityKey(): number { return this.value; }
  compareTo(other: unknown): number { return this.value - (other as EnumValue).value; }
}

/** The members of an enum, by name, in declaration order. */
export function defineEnum<N extends string>(enumType: string, names: readonly N[], values?: readonly number[]): Readonly<Record<N, EnumValue>> {
  const out = {} as Record<N, EnumValue>;
  names.forEach((n, i) => { out[n] = new EnumValue(enumType, n, values ? values[i] : i); });
  return Object.freeze(out);
}
