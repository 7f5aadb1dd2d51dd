// .NET's Parse of numbers and booleans with the invariant culture and the default NumberStyles of each
// type: Integer for int/long/short/byte (whitespace, sign, digits), Float|AllowThousands for double,
// Number for decimal (no exponent). Parse throws .NET's exceptions; the Try forms return null instead.
import { argumentNull, formatError, overflow } from './exceptions.js';

/** .NET's names for integer types in OverflowException messages ("for an Int32"). */
export interface IntType { readonly name: string; readonly min: bigint; readonly max: bigint; readonly bits: number; readonly article: string }

const int = (name: string, bits: number, signed: boolean, article = `an ${name}`): IntType => ({
  name, bits, article,
  min: signed ? -(1n << BigInt(bits - 1)) : 0n,
  max: signed ? (1n << BigInt(bits - 1)) - 1n : (1n << BigInt(bits)) - 1n,
});

export const INT_TYPES = {
  SByte: int('SByte', 8, true, 'a signed byte'), Byte: int('Byte', 8, false, 'an unsigned byte'),
  Int16: int('Int16', 16, true), UInt16: int('UInt16', 16, false, 'a UInt16'),
  Int32: int('Int32', 32, true), UInt32: int('UInt32', 32, false, 'a UInt32'),
  Int64: int('Int64', 64, true), UInt64: int('UInt64', 64, false, 'a UInt64'),
} as const;

export const DECIMAL_MAX = 79228162514264337593543950335;

export const intOverflow = (t: IntType) => overflow(`Value was either too large or too small for ${t.article}.`);
export const decimalOverflow = () => overflow('Value was either too large or too small for a Decimal.');

// NumberStyles.AllowLeadingWhite/AllowTrailingWhite: U+0009–U+000D and U+0020 (and trailing NULs).
const trimWhite = (s: string) => s.replace(/^[\t\n\v\f\r ]+/, '').replace(/[\t\n\v\f\r \0]+$/, '');

type Parsed<T> = { ok: true; value: T } | { ok: false; overflow: boolean };

function readInteger(s: string, t: IntType): Parsed<bigint> {
  const m = /^([+-]?)(\d+)$/.exec(trimWhite(s));
  if (!m) return { ok: false, overflow: false };
  let v = BigInt(m[2]);
  if (m[1] === '-') v = -v;
  if (v < t.min || v > t.max) return { ok: false, overflow: true };
  return { ok: true, value: v };
}

/** Int32.Parse(string s) and the other integer types: the value as a bigint (the caller narrows). */
export function parseInteger(s: string | null, t: IntType): bigint {
  if (s === null) throw argumentNull('s');
  const r = readInteger(s, t);
  if (r.ok) return r.value;
  throw r.overflow ? intOverflow(t) : formatError();
}

export function tryParseInteger(s: string | null, t: IntType): bigint | null {
  if (s === null) return null;
  const r = readInteger(s, t);
  return r.ok ? r.value : null;
}

function readDouble(s: string): number | null {
  const t = trimWhite(s);
  const special = /^([+-]?)(infinity|\u221e|nan)$/i.exec(t);
  if (special) {
    if (special[2].toLowerCase() === 'nan') return NaN;
    return special[1] === '-' ? -Infinity : Infinity;
  }
  // Group separators only after the first digit, in the integer part (AllowThousands).
  const m = /^([+-]?)([\d,]*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(t);
  if (!m) return null;
  const intPart = m[2].replace(/,/g, '');
  const frac = m[3] ?? '';
  if (!/\d/.test(intPart + frac) || (m[2].startsWith(','))) return null;
  const v = Number(`${intPart || '0'}.${frac || '0'}e${m[4] ?? '0'}`);
  return m[1] === '-' ? -v : v;
}

export function parseDouble(s: string | null): number {
  if (s === null) throw argumentNull('s');
  const v = readDouble(s);
  if (v === null) throw formatError();
  return v;
}

export function tryParseDouble(s: string | null): number | null {
  return s === null ? null : readDouble(s);
}

function readDecimal(s: string): Parsed<number> {
  const m = /^([+-]?)([\d,]*)(?:\.(\d*))?$/.exec(trimWhite(s));
  if (!m || m[2].startsWith(',')) return { ok: false, overflow: false };
  const intPart = m[2].replace(/,/g, '');
  const frac = m[3] ?? '';
  if (!/\d/.test(intPart + frac)) return { ok: false, overflow: false };
  const v = Number(`${intPart || '0'}.${frac || '0'}`);
  if (Math.abs(v) > DECIMAL_MAX) return { ok: false, overflow: true };
  return { ok: true, value: m[1] === '-' && v !== 0 ? -v : v };
}

export function parseDecimal(s: string | null): number {
  if (s === null) throw argumentNull('s');
  const r = readDecimal(s);
  if (r.ok) return r.value;
  throw r.overflow ? decimalOverflow() : formatError();
}

export function tryParseDecimal(s: string | null): number | null {
  if (s === null) return null;
  const r = readDecimal(s);
  return r.ok ? r.value : null;
}

function readBoolean(s: string): boolean | null {
  const t = s.replace(/^[\s\0]+|[\s\0]+$/g, '').toLowerCase();
  return t === 'true' ? true : t === 'false' ? false : null;
}

export function parseBoolean(value: string | null): boolean {
  if (value === null) throw argumentNull('value');
  const v = readBoolean(value);
  if (v === null) throw formatError(`String '${value}' was not recognized as a valid Boolean.`);
  return v;
}

export function tryParseBoolean(value: string | null): boolean | null {
  return value === null ? null : readBoolean(value);
}
