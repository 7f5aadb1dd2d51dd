// TEMPORARY: a small local stand-in for dotnet/numbers.ts `formatValue` (branch exprtext), which owns
// .NET's ToString of every value. Replace the imports of this file by that module when it lands, then
// delete this file. Only what the data-structure modules need: the default (no format) ToString.

/** .NET's `double.ToString()` (shortest round-trip, invariant culture; "R" gives the same since .NET Core 3.0). */
export function formatDouble(d: number): string {
  if (Number.isNaN(d)) return 'NaN';
  if (d === Infinity) return '∞';
  if (d === -Infinity) return '-∞';
  if (d === 0) return Object.is(d, -0) ? '-0' : '0';
  const [mant, expText] = d.toExponential().split('e');
  const e = Number(expText);
  const neg = mant.startsWith('-');
  const digits = mant.replace('-', '').replace('.', '');
  let out: string;
  if (e > -5 && e < 15) {
    if (e < 0) out = `0.${'0'.repeat(-e - 1)}${digits}`;
    else if (digits.length <= e + 1) out = digits + '0'.repeat(e + 1 - digits.length);
    else out = `${digits.slice(0, e + 1)}.${digits.slice(e + 1)}`;
  } else {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    out = `${m}E${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  }
  return neg ? `-${out}` : out;
}

/** .NET's ToString() of a value as the surface represents it (define.ts). */
export function formatValue(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') return Number.isInteger(value) && Math.abs(value) < 1e15 ? String(value) : formatDouble(value);
  if (value instanceof Uint8Array) return 'System.Byte[]';
  if (Array.isArray(value)) return 'System.Object[]';
  return String(value);
}
