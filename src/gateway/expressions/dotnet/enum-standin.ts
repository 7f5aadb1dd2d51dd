// TEMPORARY stand-in with the same shape as branch exprtext's dotnet/enums.ts (EnumType/EnumValue): when
// that lands, import from './enums.js' instead and delete this file (and surface/enum-standin.ts).
export class EnumType {
  private readonly byValue = new Map<number, EnumValue>();
  readonly names: ReadonlyMap<string, number>;
  constructor(readonly name: string, members: Readonly<Record<string, number>>, readonly flags = false) {
    this.names = new Map(Object.entries(members));
  }
  of(value: number): EnumValue {
    let v = this.byValue.get(value);
    if (!v) { v = new EnumValue(this, value); this.byValue.set(value, v); }
    return v;
  }
  member(name: string): EnumValue {
    const v = this.names.get(name);
    if (v === undefined) throw new Error(`enum ${this.name}: no member ${name}`);
    return this.of(v);
  }
  nameOf(value: number): string {
    for (const [n, v] of this.names) if (v === value) return n;
    return String(value);
  }
}

export class EnumValue {
  constructor(readonly type: EnumType, readonly value: number) {}
  toString(): string { return this.type.nameOf(this.value); }
}
