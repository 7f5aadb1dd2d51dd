// .NET enums: one interned EnumValue per (type, number), so `==`, `switch` and Map keys work by identity,
// and ToString() prints the member's name ("Ordinal", "IgnoreCase, Multiline" for flags) as .NET does.
import type { Formattable } from './composite.js';
import { formatError } from './exceptions.js';

export class EnumType {
  private readonly byValue = new Map<number, EnumValue>();
  readonly names: ReadonlyMap<string, number>;
  constructor(readonly name: string, members: Readonly<Record<string, number>>, readonly flags = false) {
    this.names = new Map(Object.entries(members));
  }

  /** The value for a number, interned. */
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
    if (this.flags && value !== 0) {
      const parts: string[] = [];
      let rest = value;
      // .NET lists flags from the highest member down, printed lowest first.
      const sorted = [...this.names].filter(([, v]) => v !== 0).sort((a, b) => b[1] - a[1]);
      for (const [n, v] of sorted) if ((rest & v) === v) { parts.unshift(n); rest &= ~v; }
      if (rest === 0) return parts.join(', ');
    }
    return String(value);
  }
}

export class EnumValue implements Formattable {
  constructor(readonly type: EnumType, readonly value: number) {}
  toString(): string { return this.type.nameOf(this.value); }
  /** Enum.ToString(format): G/g (name), D/d (number), X/x (8 hex digits), F/f (flags names). */
  toStringFormat(format: string | null): string {
    if (!format) return this.toString();
    switch (format) {
      case 'G': case 'g': case 'F': case 'f': return this.toString();
      case 'D': case 'd': return String(this.value);
      case 'X': case 'x': return (this.value >>> 0).toString(16).toUpperCase().padStart(8, '0');
      default: throw formatError('Format string can be only "G", "g", "X", "x", "F", "f", "D" or "d".');
    }
  }
}
