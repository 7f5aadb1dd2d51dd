// System.Math, MidpointRounding, System.Convert and System.BitConverter for expressions.
import * as C from '../dotnet/convert.js';
import { EnumType, type EnumValue } from '../dotnet/enums.js';
import * as M from '../dotnet/math.js';
import { INT_TYPES, parseBoolean, parseDecimal, parseDouble } from '../dotnet/numparse.js';
import type { Impl, TypeSpec } from './define.js';
import { enumSpec, ev } from './enum-spec.js';

export const MIDPOINT_ROUNDING = new EnumType('MidpointRounding', M.MidpointRounding);

type Num = number;

const mathStatics: Record<string, Impl> = {
  'PI: double': () => Math.PI,
  'E: double': () => Math.E,
  'Tau: double': () => 2 * Math.PI,
  'Abs(int value): int': (v: Num) => M.absInt(v, -2147483648),
  'Abs(long value): long': (v: bigint) => M.absLong(v),
  'Abs(short value): short': (v: Num) => M.absInt(v, -32768),
  'Abs(double value): double': (v: Num) => Math.abs(v),
  'Abs(decimal value): decimal': (v: Num) => Math.abs(v),
  'Round(double a): double': (v: Num) => M.roundDouble(v),
  'Round(double value, int digits): double': (v: Num, d: Num) => M.roundDouble(v, d),
  'Round(double value, MidpointRounding mode): double': (v: Num, m: EnumValue) => M.roundDouble(v, 0, ev(m)),
  'Round(double value, int digits, MidpointRounding mode): double': (v: Num, d: Num, m: EnumValue) => M.roundDouble(v, d, ev(m)),
  'Round(decimal d): decimal': (v: Num) => M.roundDecimal(v),
  'Round(decimal d, int decimals): decimal': (v: Num, d: Num) => M.roundDecimal(v, d),
  'Round(decimal d, MidpointRounding mode): decimal': (v: Num, m: EnumValue) => M.roundDecimal(v, 0, ev(m)),
  'Round(decimal d, int decimals, MidpointRounding mode): decimal': (v: Num, d: Num, m: EnumValue) => M.roundDecimal(v, d, ev(m)),
  'Floor(double d): double': Math.floor,
  'Floor(decimal d): decimal': Math.floor,
  'Ceiling(double a): double': Math.ceil,
  'Ceiling(decimal d): decimal': Math.ceil,
  'Truncate(double d): double': Math.trunc,
  'Truncate(decimal d): decimal': Math.trunc,
  'Sign(int value): int': (v: Num) => M.sign(v),
  'Sign(long value): int': (v: bigint) => (v > 0n ? 1 : v < 0n ? -1 : 0),
  'Sign(double value): int': (v: Num) => M.sign(v),
  'Sign(decimal value): int': (v: Num) => M.sign(v),
  'Pow(double x, double y): double': (x: Num, y: Num) => dotNetPow(x, y),
  'Sqrt(double d): double': Math.sqrt,
  'Cbrt(double d): double': Math.cbrt,
  'Exp(double d): double': Math.exp,
  'Log(double d): double': Math.log,
  'Log(double a, double newBase): double': (a: Num, b: Num) => M.log(a, b),
  'Log10(double d): double': Math.log10,
  'Log2(double x): double': Math.log2,
  'Sin(double a): double': Math.sin,
  'Cos(double d): double': Math.cos,
  'Tan(double a): double': Math.tan,
  'Asin(double d): double': Math.asin,
  'Acos(double d): double': Math.acos,
  'Atan(double d): double': Math.atan,
  'Atan2(double y, double x): double': Math.atan2,
  'Sinh(double value): double': Math.sinh,
  'Cosh(double value): double': Math.cosh,
  'Tanh(double value): double': Math.tanh,
  'IEEERemainder(double x, double y): double': M.ieeeRemainder,
  'BigMul(int a, int b): long': (a: Num, b: Num) => BigInt(a) * BigInt(b),
};
for (const [kw, big] of [['int', false], ['long', true], ['double', false], ['decimal', false]] as const) {
  const max = big ? (a: bigint, b: bigint) => (a > b ? a : b) : (a: Num, b: Num) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.max(a, b));
  const min = big ? (a: bigint, b: bigint) => (a < b ? a : b) : (a: Num, b: Num) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.min(a, b));
  mathStatics[`Max(${kw} val1, ${kw} val2): ${kw}`] = max;
  mathStatics[`Min(${kw} val1, ${kw} val2): ${kw}`] = min;
  mathStatics[`Clamp(${kw} value, ${kw} min, ${kw} max): ${kw}`] = M.clamp;
}

/** .NET's Pow follows IEEE pow: Pow(1, NaN) and Pow(x, 0) are 1, unlike JS's 1 ** NaN. */
function dotNetPow(x: number, y: number): number {
  if (y === 0 || x === 1) return 1;
  if (x === -1 && (y === Infinity || y === -Infinity)) return 1;
  return x ** y;
}

const mathSpec: TypeSpec = { name: 'Math', namespace: 'System', static: true, statics: mathStatics };

// ---- Convert -------------------------------------------------------------------------------------

const convertStatics: Record<string, Impl> = {
  'ToBase64String(byte[] inArray): string': (b: Uint8Array | null) => C.toBase64(b),
  'ToBase64String(byte[] inArray, int offset, int length): string': (b: Uint8Array | null, o: Num, n: Num) => C.toBase64(b, o, n),
  'FromBase64String(string s): byte[]': (s: string | null) => C.fromBase64(s),
  'ToHexString(byte[] inArray): string': (b: Uint8Array | null) => C.toHex(b),
  'ToHexString(byte[] inArray, int offset, int length): string': (b: Uint8Array | null, o: Num, n: Num) => C.toHex(b, o, n),
  'FromHexString(string s): byte[]': (s: string | null) => C.fromHex(s),
  'ToBoolean(string value): bool': (s: string | null) => (s === null ? false : parseBoolean(s)),
  'ToBoolean(object value): bool': C.objectToBoolean,
  'ToBoolean(bool value): bool': (v: boolean) => v,
  'ToBoolean(int value): bool': (v: Num) => v !== 0,
  'ToBoolean(long value): bool': (v: bigint) => v !== 0n,
  'ToBoolean(double value): bool': (v: Num) => v !== 0,
  'ToBoolean(decimal value): bool': (v: Num) => v !== 0,
  'ToDouble(string value): double': (s: string | null) => (s === null ? 0 : parseDouble(s)),
  'ToDouble(object value): double': C.objectToDouble,
  'ToDouble(int value): double': (v: Num) => v,
  'ToDouble(long value): double': (v: bigint) => Number(v),
  'ToDouble(decimal value): double': (v: Num) => v,
  'ToDouble(double value): double': (v: Num) => v,
  'ToDouble(bool value): double': (v: boolean) => (v ? 1 : 0),
  'ToDecimal(string value): decimal': (s: string | null) => (s === null ? 0 : parseDecimal(s)),
  'ToDecimal(object value): decimal': C.objectToDecimal,
  'ToDecimal(int value): decimal': (v: Num) => v,
  'ToDecimal(long value): decimal': (v: bigint) => Number(v),
  'ToDecimal(double value): decimal': C.toDecimal,
  'ToDecimal(decimal value): decimal': (v: Num) => v,
  'ToDecimal(bool value): decimal': (v: boolean) => (v ? 1 : 0),
  'ToChar(int value): char': (v: Num) => C.toChar(v),
  'ToChar(string value): char': C.stringToChar,
  'ToChar(byte value): char': (v: Num) => C.toChar(v),
  'ToString(object value): string': (v: unknown) => C.convertToString(v),
  'ToString(string value): string': (v: string | null) => v,
  'ToString(bool value): string': (v: boolean) => C.convertToString(v),
  'ToString(char value): string': (v: string) => v,
  'ToString(int value): string': (v: Num) => C.convertToString(v, 'Int32'),
  'ToString(long value): string': (v: bigint) => C.convertToString(v, 'Int64'),
  'ToString(double value): string': (v: Num) => C.convertToString(v, 'Double'),
  'ToString(decimal value): string': (v: Num) => C.convertToString(v, 'Decimal'),
  'ToString(byte value, int toBase): string': (v: Num, b: Num) => C.toBaseString(v, b, 8),
  'ToString(short value, int toBase): string': (v: Num, b: Num) => C.toBaseString(v, b, 16),
  'ToString(int value, int toBase): string': (v: Num, b: Num) => C.toBaseString(v, b, 32),
  'ToString(long value, int toBase): string': (v: bigint, b: Num) => C.toBaseString(v, b, 64),
};
// ToByte/ToInt16/ToInt32/ToInt64 (and unsigned) from every source type.
for (const [name, kw] of [['Byte', 'byte'], ['SByte', 'sbyte'], ['Int16', 'short'], ['UInt16', 'ushort'], ['Int32', 'int'], ['UInt32', 'uint'], ['Int64', 'long'], ['UInt64', 'ulong']] as const) {
  const t = INT_TYPES[name];
  const wrap = (v: bigint) => (t.bits === 64 ? v : Number(v));
  convertStatics[`To${name}(string value): ${kw}`] = (s: string | null) => wrap(s === null ? 0n : C.objectToInt(s, t));
  convertStatics[`To${name}(string value, int fromBase): ${kw}`] = (s: string | null, b: Num) => wrap(C.parseInBase(s, b, t));
  convertStatics[`To${name}(object value): ${kw}`] = (v: unknown) => wrap(C.objectToInt(v, t));
  convertStatics[`To${name}(bool value): ${kw}`] = (v: boolean) => wrap(v ? 1n : 0n);
  convertStatics[`To${name}(char value): ${kw}`] = (c: string) => wrap(C.intToInt(c.charCodeAt(0), t));
  convertStatics[`To${name}(int value): ${kw}`] = (v: Num) => wrap(C.intToInt(v, t));
  convertStatics[`To${name}(long value): ${kw}`] = (v: bigint) => wrap(C.intToInt(v, t));
  convertStatics[`To${name}(double value): ${kw}`] = (v: Num) => wrap(C.doubleToInt(v, t));
  convertStatics[`To${name}(decimal value): ${kw}`] = (v: Num) => wrap(C.doubleToInt(M.roundDecimal(v), t));
}

const convertSpec: TypeSpec = { name: 'Convert', namespace: 'System', static: true, statics: convertStatics };

// ---- BitConverter --------------------------------------------------------------------------------

const bitConverterSpec: TypeSpec = {
  name: 'BitConverter', namespace: 'System', static: true,
  statics: {
    'IsLittleEndian: bool': () => true,
    'ToString(byte[] value): string': (b: Uint8Array | null) => C.bytesToString(b),
    'ToString(byte[] value, int startIndex): string': (b: Uint8Array | null, i: Num) => C.bytesToString(b, i),
    'ToString(byte[] value, int startIndex, int length): string': (b: Uint8Array | null, i: Num, n: Num) => C.bytesToString(b, i, n),
    'ToInt16(byte[] value, int startIndex): short': C.bits.toInt16,
    'ToUInt16(byte[] value, int startIndex): ushort': C.bits.toUInt16,
    'ToInt32(byte[] value, int startIndex): int': C.bits.toInt32,
    'ToUInt32(byte[] value, int startIndex): uint': C.bits.toUInt32,
    'ToInt64(byte[] value, int startIndex): long': C.bits.toInt64,
    'ToUInt64(byte[] value, int startIndex): ulong': C.bits.toUInt64,
    'ToDouble(byte[] value, int startIndex): double': C.bits.toDouble,
    'ToSingle(byte[] value, int startIndex): float': C.bits.toSingle,
    'ToBoolean(byte[] value, int startIndex): bool': C.bits.toBoolean,
    'ToChar(byte[] value, int startIndex): char': C.bits.toChar,
    'GetBytes(bool value): byte[]': (v: boolean) => C.getBytes(1, (d) => d.setUint8(0, v ? 1 : 0)),
    'GetBytes(char value): byte[]': (v: string) => C.getBytes(2, (d) => d.setUint16(0, v.charCodeAt(0), true)),
    'GetBytes(short value): byte[]': (v: Num) => C.getBytes(2, (d) => d.setInt16(0, v, true)),
    'GetBytes(ushort value): byte[]': (v: Num) => C.getBytes(2, (d) => d.setUint16(0, v, true)),
    'GetBytes(int value): byte[]': (v: Num) => C.getBytes(4, (d) => d.setInt32(0, v, true)),
    'GetBytes(uint value): byte[]': (v: Num) => C.getBytes(4, (d) => d.setUint32(0, v, true)),
    'GetBytes(long value): byte[]': (v: bigint) => C.getBytes(8, (d) => d.setBigInt64(0, v, true)),
    'GetBytes(ulong value): byte[]': (v: bigint) => C.getBytes(8, (d) => d.setBigUint64(0, v, true)),
    'GetBytes(double value): byte[]': (v: Num) => C.getBytes(8, (d) => d.setFloat64(0, v, true)),
    'GetBytes(float value): byte[]': (v: Num) => C.getBytes(4, (d) => d.setFloat32(0, v, true)),
    'DoubleToInt64Bits(double value): long': (v: Num) => new DataView(C.getBytes(8, (d) => d.setFloat64(0, v, true)).buffer).getBigInt64(0, true),
    'Int64BitsToDouble(long value): double': (v: bigint) => new DataView(C.getBytes(8, (d) => d.setBigInt64(0, v, true)).buffer).getFloat64(0, true),
  },
};

export const systemMath: TypeSpec[] = [
  mathSpec, convertSpec, bitConverterSpec, enumSpec(MIDPOINT_ROUNDING, 'System'),
];
