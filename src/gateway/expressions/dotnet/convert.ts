// System.Convert and System.BitConverter: base-64 and hex with .NET's strictness and messages, numeric
// conversions with banker's rounding and OverflowException, and little-endian byte views.
import { argumentError, argumentNull, argumentOutOfRange, formatError, invalidCast, overflow } from './exceptions.js';
import { formatValue } from './composite.js';
import { DECIMAL_MAX, INT_TYPES, intOverflow, parseBoolean, parseDecimal, parseDouble, parseInteger, type IntType } from './numparse.js';
import { MidpointRounding, roundDouble } from './math.js';

const BASE64_ERROR = 'The input is not a valid Base-64 string as it contains a non-base 64 character, more than two padding characters, or an illegal character among the padding characters.';

export function toBase64(bytes: Uint8Array | null, offset = 0, length?: number): string {
  if (bytes === null) throw argumentNull('inArray');
  const len = length ?? bytes.length - offset;
  checkRange(bytes.length, offset, len, 'offset', 'length');
  return Buffer.from(bytes.buffer, bytes.byteOffset + offset, len).toString('base64');
}

/** Convert.FromBase64String: white space is ignored; anything else not in the alphabet, or a bad length or padding, is a FormatException. */
export function fromBase64(s: string | null): Uint8Array {
  if (s === null) throw argumentNull('s');
  const t = s.replace(/[ \t\r\n]/g, '');
  if (t.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(t)) throw formatError(BASE64_ERROR);
  return new Uint8Array(Buffer.from(t, 'base64'));
}

export function toHex(bytes: Uint8Array | null, offset = 0, length?: number): string {
  if (bytes === null) throw argumentNull('inArray');
  const len = length ?? bytes.length - offset;
  checkRange(bytes.length, offset, len, 'offset', 'length');
  return Buffer.from(bytes.buffer, bytes.byteOffset + offset, len).toString('hex').toUpperCase();
}

export function fromHex(s: string | null): Uint8Array {
  if (s === null) throw argumentNull('s');
  if (s.length % 2 !== 0) throw formatError('The input is not a valid hex string as its length is not a multiple of 2.');
  if (!/^[0-9A-Fa-f]*$/.test(s)) throw formatError('The input is not a valid hex string as it contains a non-hex character.');
  return new Uint8Array(Buffer.from(s, 'hex'));
}

function checkRange(total: number, offset: number, length: number, offsetName: string, lengthName: string): void {
  if (offset < 0) throw argumentOutOfRange(offsetName, 'Value must be positive.');
  if (length < 0) throw argumentOutOfRange(lengthName, 'Value must be positive.');
  if (offset > total - length) throw argumentOutOfRange(offsetName, 'Offset and length must refer to a position in the string.');
}

// ---- numbers -------------------------------------------------------------------------------------

/** A double to an integer type: banker's rounding, then a range check (Convert.ToInt32(double)). */
export function doubleToInt(x: number, t: IntType): bigint {
  if (Number.isNaN(x) || !Number.isFinite(x)) throw intOverflow(t);
  const r = roundDouble(x, 0, MidpointRounding.ToEven);
  const v = BigInt(r);
  if (v < t.min || v > t.max) throw intOverflow(t);
  return v;
}

export function intToInt(v: number | bigint, t: IntType): bigint {
  const b = BigInt(v);
  if (b < t.min || b > t.max) throw intOverflow(t);
  return b;
}

/** Convert.ToIntNN(object value): null is 0, strings parse, bools are 1/0, numbers round to even. */
export function objectToInt(v: unknown, t: IntType): bigint {
  if (v === null) return 0n;
  if (typeof v === 'string') return parseInteger(v, t);
  if (typeof v === 'boolean') return v ? 1n : 0n;
  if (typeof v === 'bigint') return intToInt(v, t);
  if (typeof v === 'number') return Number.isInteger(v) ? intToInt(v, t) : doubleToInt(v, t);
  throw invalidCastToConvertible(v);
}

export function objectToDouble(v: unknown): number {
  if (v === null) return 0;
  if (typeof v === 'string') return parseDouble(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'number') return v;
  throw invalidCastToConvertible(v);
}

export function objectToDecimal(v: unknown): number {
  if (typeof v === 'string') return parseDecimal(v);
  const d = objectToDouble(v);
  return toDecimal(d);
}

export function toDecimal(d: number): number {
  if (Number.isNaN(d) || Math.abs(d) > DECIMAL_MAX) throw overflow('Value was either too large or too small for a Decimal.');
  return d;
}

export function objectToBoolean(v: unknown): boolean {
  if (v === null) return false;
  if (typeof v === 'string') return parseBoolean(v);
  if (typeof v === 'boolean') return v;
  if (typeof v === 'bigint') return v !== 0n;
  if (typeof v === 'number') return v !== 0;
  throw invalidCastToConvertible(v);
}

// Only numbers, strings and booleans are IConvertible among the values an expression can hold here.
const invalidCastToConvertible = (v: unknown) => invalidCast(dotNetTypeName(v), 'System.IConvertible');

/** The .NET type name of a runtime value, for InvalidCastException messages. */
export function dotNetTypeName(v: unknown): string {
  const named = (v as { dotNetType?: unknown } | null)?.dotNetType;
  if (typeof named === 'string') return named;
  if (v instanceof Uint8Array) return 'System.Byte[]';
  if (Array.isArray(v)) return 'System.Object[]';
  return 'System.Object';
}

export function toChar(v: number | bigint): string {
  const n = BigInt(v);
  if (n < 0n || n > 0xffffn) throw overflow('Value was either too large or too small for a character.');
  return String.fromCharCode(Number(n));
}

export function stringToChar(s: string | null): string {
  if (s === null) throw argumentNull('value');
  if (s.length !== 1) throw formatError('String must be exactly one character long.');
  return s;
}

/** Convert.ToInt32(string value, int fromBase): the digits are the type's bit pattern in base 2, 8 or 16. */
export function parseInBase(s: string | null, fromBase: number, t: IntType): bigint {
  if (![2, 8, 10, 16].includes(fromBase)) throw argumentError('Invalid Base.', 'fromBase');
  if (s === null) return 0n;
  if (fromBase === 10) return parseInteger(s, t);
  let text = s;
  let neg = false;
  if (text.startsWith('-')) { neg = true; text = text.slice(1); }
  if (fromBase === 16 && /^0[xX]/.test(text)) text = text.slice(2);
  if (text === '') throw argumentOutOfRange('value', 'Index was out of range. Must be non-negative and less than the size of the collection.');
  const digit = fromBase === 16 ? /^[0-9A-Fa-f]+$/ : fromBase === 8 ? /^[0-7]+$/ : /^[01]+$/;
  if (!digit.test(text)) throw formatError('Could not find any recognizable digits.');
  let v = 0n;
  const b = BigInt(fromBase);
  for (const c of text) {
    v = v * b + BigInt(parseInt(c, 16));
    if (v > (1n << BigInt(t.bits)) - 1n) throw intOverflow(t);
  }
  if (neg) {
    if (fromBase !== 10) throw argumentError('String cannot contain a minus sign if the base is not 10.');
  }
  return t.min < 0n ? BigInt.asIntN(t.bits, v) : v;
}

/** Convert.ToString(long value, int toBase): two's complement digits for negative values in base 2/8/16. */
export function toBaseString(v: number | bigint, toBase: number, bits: number): string {
  if (![2, 8, 10, 16].includes(toBase)) throw argumentError('Invalid Base.', 'toBase');
  const b = BigInt(v);
  if (toBase === 10) return b.toString();
  return (b < 0n ? BigInt.asUintN(bits, b) : b).toString(toBase);
}

export function convertToString(v: unknown, type?: string): string | null {
  if (v === null) return '';
  return formatValue(v, null, type);
}

// ---- BitConverter --------------------------------------------------------------------------------

export function bytesToString(value: Uint8Array | null, startIndex = 0, length?: number): string {
  if (value === null) throw argumentNull('value');
  if (startIndex < 0 || (startIndex >= value.length && startIndex > 0)) throw argumentOutOfRange('startIndex', 'Index was out of range. Must be non-negative and less than the size of the collection.');
  const len = length ?? value.length - startIndex;
  if (len < 0) throw argumentOutOfRange('length', 'Value must be positive.');
  if (startIndex > value.length - len) throw argumentError('Destination array is not long enough to copy all the items in the collection. Check array index and length.', 'value');
  const parts: string[] = [];
  for (let i = startIndex; i < startIndex + len; i++) parts.push(value[i].toString(16).toUpperCase().padStart(2, '0'));
  return parts.join('-');
}

function view(value: Uint8Array | null, startIndex: number, size: number): DataView {
  if (value === null) throw argumentNull('value');
  if (startIndex < 0 || startIndex >= value.length) throw argumentOutOfRange('startIndex', 'Index was out of range. Must be non-negative and less than the size of the collection.');
  if (startIndex > value.length - size) throw argumentError('Destination array is not long enough to copy all the items in the collection. Check array index and length.', 'value');
  return new DataView(value.buffer, value.byteOffset + startIndex, size);
}

export const bits = {
  toInt16: (v: Uint8Array | null, i: number) => view(v, i, 2).getInt16(0, true),
  toUInt16: (v: Uint8Array | null, i: number) => view(v, i, 2).getUint16(0, true),
  toInt32: (v: Uint8Array | null, i: number) => view(v, i, 4).getInt32(0, true),
  toUInt32: (v: Uint8Array | null, i: number) => view(v, i, 4).getUint32(0, true),
  toInt64: (v: Uint8Array | null, i: number) => view(v, i, 8).getBigInt64(0, true),
  toUInt64: (v: Uint8Array | null, i: number) => view(v, i, 8).getBigUint64(0, true),
  toDouble: (v: Uint8Array | null, i: number) => view(v, i, 8).getFloat64(0, true),
  toSingle: (v: Uint8Array | null, i: number) => view(v, i, 4).getFloat32(0, true),
  toBoolean: (v: Uint8Array | null, i: number) => view(v, i, 1).getUint8(0) !== 0,
  toChar: (v: Uint8Array | null, i: number) => String.fromCharCode(view(v, i, 2).getUint16(0, true)),
};

export function getBytes(size: number, write: (d: DataView) => void): Uint8Array {
  const out = new Uint8Array(size);
  write(new DataView(out.buffer));
  return out;
}

export { INT_TYPES };
