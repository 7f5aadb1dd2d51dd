// .NET's ToString() of any runtime value (string concatenation, interpolation, an expression's result
// used as an attribute value). Numbers follow .NET Core's invariant formatting.

export function toDotNetString(v: unknown): string {
  switch (typeof v) {
    case 'string': return v;
    case 'boolean': return v ? 'True' : 'False';
    case 'bigint': return v.toString();
    case 'number': return numberText(v);
    case 'undefined': return '';
    case 'function': return 'System.Func';
    default:
      if (v === null) return '';
      if (v instanceof Uint8Array) return 'System.Byte[]';
      if (Array.isArray(v)) return 'System.Object[]';
      return String(v);
  }
}

/** A double as .NET Core 3+ prints it: shortest round-trip, `E+XX` exponents, culture-invariant. */
export function numberText(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return '∞';
  if (n === -Infinity) return '-∞';
  if (Object.is(n, -0)) return '-0';
  const s = String(n);
  const e = s.indexOf('e');
  if (e < 0) return s;
  // JS: 1e+21, 1.5e-7 → .NET: 1E+21, 1.5E-07.
  const mantissa = s.slice(0, e);
  const sign = s[e + 1] === '-' ? '-' : '+';
  const digits = s.slice(e + 2).padStart(2, '0');
  return `${mantissa}E${sign}${digits}`;
}
