// What .NET prints for a value: ToString() / IFormattable.ToString(format, invariant) of any runtime value
// (see surface/define.ts for the representation), and composite formatting (String.Format,
// StringBuilder.AppendFormat, interpolated strings): "{index[,alignment][:format]}" with "{{"/"}}".
import { DotNetException, formatError } from './exceptions.js';
import { formatDecimal, formatDouble, formatInteger } from './numfmt.js';
import { INT_TYPES } from './numparse.js';

/** A .NET IFormattable: DateTime, TimeSpan, Guid, enums… `format` null means ToString(). */
export interface Formattable { toStringFormat(format: string | null): string }

export const isFormattable = (v: unknown): v is Formattable =>
  typeof v === 'object' && v !== null && typeof (v as Partial<Formattable>).toStringFormat === 'function';

/** Caps text that formatting can make grow (alignment, repeated padding): 100 M characters. */
export const MAX_STRING = 100_000_000;
export const outOfMemory = () => new DotNetException('System.OutOfMemoryException', 'Insufficient memory to continue the execution of the program.');
export function checkLength(n: number): void { if (n > MAX_STRING) throw outOfMemory(); }

/**
 * .NET's ToString(format) of a value. `type`: its static type when the caller knows it (`Int32`, `Double`,
 * `Decimal`, `Int64`, `Byte`…), which decides number formatting; without it an integral number prints as
 * an Int32 when it fits one, otherwise as a Double.
 */
export function formatValue(value: unknown, format?: string | null, type?: string): string {
  const fmt = format ?? null;
  if (value === null || value === undefined) return '';
  switch (typeof value) {
    case 'string': return value;
    case 'boolean': return value ? 'True' : 'False';
    case 'bigint': return formatInteger(value, fmt, 64);
    case 'number': {
      if (type === 'Double' || type === 'Single') return formatDouble(value, fmt);
      if (type === 'Decimal') return formatDecimal(value, fmt);
      const it = type ? (INT_TYPES as Record<string, typeof INT_TYPES.Int32 | undefined>)[type] : undefined;
      if (it) return formatInteger(value, fmt, it.bits);
      if (Number.isInteger(value) && !Object.is(value, -0) && Math.abs(value) <= 2147483648) return formatInteger(value, fmt, 32);
      return formatDouble(value, fmt);
    }
    case 'object': {
      if (isFormattable(value)) return value.toStringFormat(fmt);
      if (value instanceof Uint8Array) return 'System.Byte[]';
      if (Array.isArray(value)) return value.length > 0 && value.every((v) => typeof v === 'string') ? 'System.String[]' : 'System.Object[]';
      return String(value);
    }
    // A delegate (a compiled lambda) prints as .NET prints one, never as its JavaScript source.
    case 'function': return 'System.Delegate';
    default: return String(value);
  }
}

const badIndex = () => formatError('Index (zero based) must be greater than or equal to zero and less than the size of the argument list.');

/** String.Format(format, args) with the invariant culture. */
export function formatComposite(format: string | null, args: readonly unknown[]): string {
  if (format === null) throw new DotNetException('System.ArgumentNullException', "Value cannot be null. (Parameter 'format')");
  let out = '';
  let i = 0;
  const n = format.length;
  while (i < n) {
    const ch = format[i];
    if (ch === '}') {
      if (format[i + 1] === '}') { out += '}'; i += 2; continue; }
      throw formatError();
    }
    if (ch !== '{') { out += ch; i++; continue; }
    if (format[i + 1] === '{') { out += '{'; i += 2; continue; }
    i++;
    // {index
    let index = 0, digits = 0;
    while (i < n && format[i] >= '0' && format[i] <= '9') {
      index = index * 10 + (format.charCodeAt(i++) - 48);
      if (++digits > 6) throw formatError();
    }
    if (digits === 0) throw formatError();
    while (format[i] === ' ') i++;
    // [,alignment]
    let width = 0, left = false;
    if (format[i] === ',') {
      i++;
      while (format[i] === ' ') i++;
      if (format[i] === '-') { left = true; i++; }
      let wd = 0;
      while (i < n && format[i] >= '0' && format[i] <= '9') {
        width = width * 10 + (format.charCodeAt(i++) - 48);
        if (++wd > 6) throw formatError();
      }
      if (wd === 0) throw formatError();
      while (format[i] === ' ') i++;
    }
    // [:format]
    let itemFormat: string | null = null;
    if (format[i] === ':') {
      i++;
      const start = i;
      while (i < n && format[i] !== '}') {
        if (format[i] === '{') throw formatError();
        i++;
      }
      itemFormat = format.slice(start, i);
    }
    if (format[i] !== '}') throw formatError();
    i++;
    if (index >= args.length) throw badIndex();
    const text = formatValue(args[index], itemFormat);
    if (text.length < width) {
      checkLength(out.length + width);
      out += left ? text.padEnd(width, ' ') : text.padStart(width, ' ');
    } else out += text;
    checkLength(out.length);
  }
  return out;
}
