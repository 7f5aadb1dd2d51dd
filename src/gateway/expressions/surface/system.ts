// System's text and number types for expressions: String, Char, the integer types, Double, Decimal,
// Boolean, StringComparison, StringSplitOptions. (Math, Convert, BitConverter: ./system-math.ts.)
import { formatComposite, formatValue } from '../dotnet/composite.js';
import { EnumType, type EnumValue } from '../dotnet/enums.js';
import { argumentError, argumentNull, formatError } from '../dotnet/exceptions.js';
import { formatDecimal, formatDouble, formatInteger } from '../dotnet/numfmt.js';
import {
  DECIMAL_MAX, INT_TYPES, parseBoolean, parseDecimal, parseDouble, parseInteger, tryParseBoolean, tryParseDecimal,
  tryParseDouble, tryParseInteger, type IntType,
} from '../dotnet/numparse.js';
import * as S from '../dotnet/strings.js';
import type { Impl, Ref, TypeSpec } from './define.js';
import { enumSpec, ev } from './enum-spec.js';

export const STRING_COMPARISON = new EnumType('StringComparison', S.StringComparison);
export const STRING_SPLIT_OPTIONS = new EnumType('StringSplitOptions', S.StringSplitOptions, true);

type Str = string;
type Chars = readonly string[] | null;
const text = (v: unknown) => formatValue(v);

/** Compares two values of one type for CompareTo(object): null sorts first, another type is an ArgumentException. */
function compareToObject<V>(typeName: string, is: (v: unknown) => v is V, cmp: (a: V, b: V) => number) {
  return (a: V, o: unknown) => {
    if (o === null) return 1;
    if (!is(o)) throw argumentError(`Object must be of type ${typeName}.`);
    return cmp(a, o);
  };
}
const cmpNum = (a: number | bigint, b: number | bigint) => (a < b ? -1 : a > b ? 1 : 0);

const stringSpec: TypeSpec = {
  name: 'String', namespace: 'System', implements: ['IEnumerable<char>'],
  is: (v) => typeof v === 'string',
  ctors: {
    '(char c, int count)': (c: Str, n: number) => S.repeatChar(c, n),
    '(char[] value)': (a: string[] | null) => (a ?? []).join(''),
    '(char[] value, int startIndex, int length)': (a: string[] | null, i: number, n: number) => {
      if (a === null) throw argumentNull('value');
      return S.substring(a.join(''), i, n);
    },
  },
  instance: {
    'Length: int': (s: Str) => s.length,
    'this[int index]: char': (s: Str, i: number) => S.charAt(s, i),
    'Substring(int startIndex): string': (s: Str, i: number) => S.substring(s, i),
    'Substring(int startIndex, int length): string': (s: Str, i: number, n: number) => S.substring(s, i, n),
    'IndexOf(char value): int': (s: Str, c: Str) => s.indexOf(c),
    'IndexOf(char value, int startIndex): int': (s: Str, c: Str, i: number) => S.indexOf(s, c, i, undefined, 4),
    'IndexOf(char value, int startIndex, int count): int': (s: Str, c: Str, i: number, n: number) => S.indexOf(s, c, i, n, 4),
    'IndexOf(char value, StringComparison comparisonType): int': (s: Str, c: Str, k: EnumValue) => S.indexOf(s, c, 0, undefined, ev(k)),
    'IndexOf(string value): int': (s: Str, v: Str | null) => S.indexOf(s, v),
    'IndexOf(string value, int startIndex): int': (s: Str, v: Str | null, i: number) => S.indexOf(s, v, i),
    'IndexOf(string value, int startIndex, int count): int': (s: Str, v: Str | null, i: number, n: number) => S.indexOf(s, v, i, n),
    'IndexOf(string value, StringComparison comparisonType): int': (s: Str, v: Str | null, k: EnumValue) => S.indexOf(s, v, 0, undefined, ev(k)),
    'IndexOf(string value, int startIndex, StringComparison comparisonType): int': (s: Str, v: Str | null, i: number, k: EnumValue) => S.indexOf(s, v, i, undefined, ev(k)),
    'IndexOf(string value, int startIndex, int count, StringComparison comparisonType): int': (s: Str, v: Str | null, i: number, n: number, k: EnumValue) => S.indexOf(s, v, i, n, ev(k)),
    'IndexOfAny(char[] anyOf): int': (s: Str, a: Chars) => S.indexOfAny(s, a),
    'IndexOfAny(char[] anyOf, int startIndex): int': (s: Str, a: Chars, i: number) => S.indexOfAny(s, a, i),
    'IndexOfAny(char[] anyOf, int startIndex, int count): int': (s: Str, a: Chars, i: number, n: number) => S.indexOfAny(s, a, i, n),
    'LastIndexOf(char value): int': (s: Str, c: Str) => s.lastIndexOf(c),
    'LastIndexOf(char value, int startIndex): int': (s: Str, c: Str, i: number) => S.lastIndexOf(s, c, i, undefined, 4),
    'LastIndexOf(string value): int': (s: Str, v: Str | null) => S.lastIndexOf(s, v),
    'LastIndexOf(string value, int startIndex): int': (s: Str, v: Str | null, i: number) => S.lastIndexOf(s, v, i),
    'LastIndexOf(string value, StringComparison comparisonType): int': (s: Str, v: Str | null, k: EnumValue) => S.lastIndexOf(s, v, undefined, undefined, ev(k)),
    'LastIndexOf(string value, int startIndex, StringComparison comparisonType): int': (s: Str, v: Str | null, i: number, k: EnumValue) => S.lastIndexOf(s, v, i, undefined, ev(k)),
    'LastIndexOfAny(char[] anyOf): int': (s: Str, a: Chars) => S.lastIndexOfAny(s, a),
    'LastIndexOfAny(char[] anyOf, int startIndex): int': (s: Str, a: Chars, i: number) => S.lastIndexOfAny(s, a, i),
    'Contains(string value): bool': (s: Str, v: Str | null) => S.contains(s, v),
    'Contains(char value): bool': (s: Str, c: Str) => s.includes(c),
    'Contains(string value, StringComparison comparisonType): bool': (s: Str, v: Str | null, k: EnumValue) => S.contains(s, v, ev(k)),
    'Contains(char value, StringComparison comparisonType): bool': (s: Str, v: Str, k: EnumValue) => S.contains(s, v, ev(k)),
    'StartsWith(string value): bool': (s: Str, v: Str | null) => S.startsWith(s, v),
    'StartsWith(char value): bool': (s: Str, c: Str) => s.startsWith(c),
    'StartsWith(string value, StringComparison comparisonType): bool': (s: Str, v: Str | null, k: EnumValue) => S.startsWith(s, v, ev(k)),
    'EndsWith(string value): bool': (s: Str, v: Str | null) => S.endsWith(s, v),
    'EndsWith(char value): bool': (s: Str, c: Str) => s.endsWith(c),
    'EndsWith(string value, StringComparison comparisonType): bool': (s: Str, v: Str | null, k: EnumValue) => S.endsWith(s, v, ev(k)),
    'Split(params char[] separator): string[]': (s: Str, sep: Chars) => S.split(s, sep),
    'Split(char separator, StringSplitOptions options = default): string[]': (s: Str, c: Str, o: EnumValue | null) => S.split(s, [c], undefined, o ? ev(o) : 0),
    'Split(char separator, int count, StringSplitOptions options = default): string[]': (s: Str, c: Str, n: number, o: EnumValue | null) => S.split(s, [c], n, o ? ev(o) : 0),
    'Split(char[] separator, int count): string[]': (s: Str, sep: Chars, n: number) => S.split(s, sep, n),
    'Split(char[] separator, StringSplitOptions options): string[]': (s: Str, sep: Chars, o: EnumValue) => S.split(s, sep, undefined, ev(o)),
    'Split(char[] separator, int count, StringSplitOptions options): string[]': (s: Str, sep: Chars, n: number, o: EnumValue) => S.split(s, sep, n, ev(o)),
    'Split(string separator, StringSplitOptions options = default): string[]': (s: Str, sep: Str | null, o: EnumValue | null) => S.split(s, sep === null ? null : [sep], undefined, o ? ev(o) : 0),
    'Split(string separator, int count, StringSplitOptions options = default): string[]': (s: Str, sep: Str | null, n: number, o: EnumValue | null) => S.split(s, sep === null ? null : [sep], n, o ? ev(o) : 0),
    'Split(string[] separator, StringSplitOptions options): string[]': (s: Str, sep: Chars, o: EnumValue) => S.split(s, sep, undefined, ev(o)),
    'Split(string[] separator, int count, StringSplitOptions options): string[]': (s: Str, sep: Chars, n: number, o: EnumValue) => S.split(s, sep, n, ev(o)),
    'Replace(string oldValue, string newValue): string': (s: Str, a: Str | null, b: Str | null) => S.replace(s, a, b),
    'Replace(string oldValue, string newValue, StringComparison comparisonType): string': (s: Str, a: Str | null, b: Str | null, k: EnumValue) => S.replace(s, a, b, ev(k)),
    'Replace(char oldChar, char newChar): string': (s: Str, a: Str, b: Str) => s.split(a).join(b),
    'Trim(): string': (s: Str) => S.trim(s, null, true, true),
    'Trim(char trimChar): string': (s: Str, c: Str) => S.trim(s, [c], true, true),
    'Trim(params char[] trimChars): string': (s: Str, c: Chars) => S.trim(s, c, true, true),
    'TrimStart(): string': (s: Str) => S.trim(s, null, true, false),
    'TrimStart(char trimChar): string': (s: Str, c: Str) => S.trim(s, [c], true, false),
    'TrimStart(params char[] trimChars): string': (s: Str, c: Chars) => S.trim(s, c, true, false),
    'TrimEnd(): string': (s: Str) => S.trim(s, null, false, true),
    'TrimEnd(char trimChar): string': (s: Str, c: Str) => S.trim(s, [c], false, true),
    'TrimEnd(params char[] trimChars): string': (s: Str, c: Chars) => S.trim(s, c, false, true),
    'ToUpper(): string': (s: Str) => S.toUpper(s),
    'ToLower(): string': (s: Str) => S.toLower(s),
    'ToUpperInvariant(): string': (s: Str) => S.toUpper(s),
    'ToLowerInvariant(): string': (s: Str) => S.toLower(s),
    'PadLeft(int totalWidth): string': (s: Str, n: number) => S.pad(s, n, ' ', true),
    'PadLeft(int totalWidth, char paddingChar): string': (s: Str, n: number, c: Str) => S.pad(s, n, c, true),
    'PadRight(int totalWidth): string': (s: Str, n: number) => S.pad(s, n, ' ', false),
    'PadRight(int totalWidth, char paddingChar): string': (s: Str, n: number, c: Str) => S.pad(s, n, c, false),
    'Insert(int startIndex, string value): string': (s: Str, i: number, v: Str | null) => S.insert(s, i, v),
    'Remove(int startIndex): string': (s: Str, i: number) => S.remove(s, i),
    'Remove(int startIndex, int count): string': (s: Str, i: number, n: number) => S.remove(s, i, n),
    'Equals(string value): bool': (s: Str, v: Str | null) => s === v,
    'Equals(object obj): bool': (s: Str, v: unknown) => s === v,
    'Equals(string value, StringComparison comparisonType): bool': (s: Str, v: Str | null, k: EnumValue) => S.equals(s, v, ev(k)),
    'CompareTo(string strB): int': (s: Str, v: Str | null) => S.compare(s, v),
    'CompareTo(object value): int': compareToObject('String', (v): v is string => typeof v === 'string', (a: string, b: string) => S.compare(a, b)),
    'ToCharArray(): char[]': (s: Str) => s.split(''),
    'ToCharArray(int startIndex, int length): char[]': (s: Str, i: number, n: number) => S.substring(s, i, n).split(''),
    'ToString(): string': (s: Str) => s,
    'Normalize(): string': (s: Str) => s.normalize('NFC'),
    'IsNormalized(): bool': (s: Str) => s.normalize('NFC') === s,
    'GetHashCode(): int': (s: Str) => stringHash(s),
  },
  statics: {
    'Empty: string': () => '',
    'IsNullOrEmpty(string value): bool': (s: Str | null) => s === null || s === '',
    'IsNullOrWhiteSpace(string value): bool': (s: Str | null) => S.isNullOrWhiteSpace(s),
    'Join(string separator, params string[] value): string': (sep: Str | null, v: (Str | null)[] | null) => joinChecked(sep, v, 'value'),
    'Join(string separator, params object[] values): string': (sep: Str | null, v: unknown[] | null) => joinChecked(sep, v, 'values'),
    'Join(string separator, IEnumerable<string> values): string': (sep: Str | null, v: Iterable<unknown> | null) => joinChecked(sep, v, 'values'),
    'Join<T>(string separator, IEnumerable<T> values): string': (sep: Str | null, v: Iterable<unknown> | null) => joinChecked(sep, v, 'values'),
    'Join(string separator, string[] value, int startIndex, int count): string': (sep: Str | null, v: (Str | null)[] | null, i: number, n: number) => {
      if (v === null) throw argumentNull('value');
      if (i < 0 || n < 0 || i > v.length - n) throw argumentError('Index and count must refer to a location within the buffer.');
      return S.join(sep, v.slice(i, i + n), text);
    },
    'Join(char separator, params string[] value): string': (sep: Str, v: (Str | null)[] | null) => joinChecked(sep, v, 'value'),
    'Join(char separator, params object[] values): string': (sep: Str, v: unknown[] | null) => joinChecked(sep, v, 'values'),
    'Concat(string str0, string str1): string': (a: Str | null, b: Str | null) => (a ?? '') + (b ?? ''),
    'Concat(string str0, string str1, string str2): string': (a: Str | null, b: Str | null, c: Str | null) => (a ?? '') + (b ?? '') + (c ?? ''),
    'Concat(string str0, string str1, string str2, string str3): string': (a: Str | null, b: Str | null, c: Str | null, d: Str | null) => (a ?? '') + (b ?? '') + (c ?? '') + (d ?? ''),
    'Concat(params string[] values): string': (v: (Str | null)[] | null) => joinChecked('', v, 'values'),
    'Concat(object arg0): string': (a: unknown) => text(a),
    'Concat(object arg0, object arg1): string': (a: unknown, b: unknown) => text(a) + text(b),
    'Concat(object arg0, object arg1, object arg2): string': (a: unknown, b: unknown, c: unknown) => text(a) + text(b) + text(c),
    'Concat(params object[] args): string': (v: unknown[] | null) => joinChecked('', v, 'args'),
    'Concat(IEnumerable<string> values): string': (v: Iterable<unknown> | null) => joinChecked('', v, 'values'),
    'Concat<T>(IEnumerable<T> values): string': (v: Iterable<unknown> | null) => joinChecked('', v, 'values'),
    'Format(string format, object arg0): string': (f: Str | null, a: unknown) => formatComposite(f, [a]),
    'Format(string format, object arg0, object arg1): string': (f: Str | null, a: unknown, b: unknown) => formatComposite(f, [a, b]),
    'Format(string format, object arg0, object arg1, object arg2): string': (f: Str | null, a: unknown, b: unknown, c: unknown) => formatComposite(f, [a, b, c]),
    'Format(string format, params object[] args): string': (f: Str | null, args: unknown[] | null) => {
      if (args === null) throw argumentNull('args');
      return formatComposite(f, args);
    },
    'Compare(string strA, string strB): int': (a: Str | null, b: Str | null) => S.compare(a, b),
    'Compare(string strA, string strB, bool ignoreCase): int': (a: Str | null, b: Str | null, ic: boolean) => S.compare(a, b, ic ? 1 : 0),
    'Compare(string strA, string strB, StringComparison comparisonType): int': (a: Str | null, b: Str | null, k: EnumValue) => S.compare(a, b, ev(k)),
    'Compare(string strA, int indexA, string strB, int indexB, int length): int': (a: Str | null, ia: number, b: Str | null, ib: number, n: number) =>
      S.compare(a === null ? null : a.substr(ia, n), b === null ? null : b.substr(ib, n)),
    'CompareOrdinal(string strA, string strB): int': (a: Str | null, b: Str | null) => S.compareOrdinal(a, b),
    'Equals(string a, string b): bool': (a: Str | null, b: Str | null) => a === b,
    'Equals(string a, string b, StringComparison comparisonType): bool': (a: Str | null, b: Str | null, k: EnumValue) => S.equals(a, b, ev(k)),
    'Copy(string str): string': (s: Str | null) => { if (s === null) throw argumentNull('str'); return s; },
  },
};

function joinChecked(sep: string | null, v: Iterable<unknown> | null, param: string): string {
  if (v === null) throw argumentNull(param);
  return S.join(sep, v, text);
}

/** A stable (not randomized, unlike .NET's per-process seed) 32-bit hash of a string. */
function stringHash(s: string): number {
  let h = 5381;
  for (let i = 0; i < s.length; i++) h = ((h << 5) + h) ^ s.charCodeAt(i);
  return h | 0;
}

type CharTest = (c: string) => boolean;
const charTests: Record<string, CharTest> = {
  IsDigit: S.isDigit, IsLetter: S.isLetter, IsLetterOrDigit: S.isLetterOrDigit, IsWhiteSpace: S.isWhiteSpace,
  IsUpper: S.isUpper, IsLower: S.isLower, IsNumber: S.isNumber, IsPunctuation: S.isPunctuation, IsSymbol: S.isSymbol,
  IsSeparator: S.isSeparator, IsControl: S.isControl, IsSurrogate: S.isSurrogate,
  IsAscii: (c) => c.charCodeAt(0) < 128, IsAsciiDigit: (c) => /^[0-9]$/.test(c), IsAsciiLetter: (c) => /^[A-Za-z]$/.test(c),
  IsAsciiHexDigit: S.isHexDigit,
};
const charStatics: Record<string, Impl> = {};
for (const [name, test] of Object.entries(charTests)) {
  charStatics[`${name}(char c): bool`] = test;
  if (!name.startsWith('IsAscii')) {
    charStatics[`${name}(string s, int index): bool`] = (s: Str | null, i: number) => {
      if (s === null) throw argumentNull('s');
      return test(S.charAt(s, i));
    };
  }
}

const charSpec: TypeSpec = {
  name: 'Char', namespace: 'System', struct: true,
  is: (v) => typeof v === 'string' && v.length === 1,
  instance: {
    'ToString(): string': (c: Str) => c,
    'Equals(char obj): bool': (c: Str, o: Str) => c === o,
    'Equals(object obj): bool': (c: Str, o: unknown) => c === o,
    'CompareTo(char value): int': (c: Str, o: Str) => c.charCodeAt(0) - o.charCodeAt(0),
    'GetHashCode(): int': (c: Str) => c.charCodeAt(0) | (c.charCodeAt(0) << 16),
  },
  statics: {
    ...charStatics,
    'MaxValue: char': () => '\uffff',
    'MinValue: char': () => '\0',
    'ToUpper(char c): char': (c: Str) => S.charToUpper(c),
    'ToLower(char c): char': (c: Str) => S.charToLower(c),
    'ToUpperInvariant(char c): char': (c: Str) => S.charToUpper(c),
    'ToLowerInvariant(char c): char': (c: Str) => S.charToLower(c),
    'ToString(char c): string': (c: Str) => c,
    'Parse(string s): char': (s: Str | null) => {
      if (s === null) throw argumentNull('s');
      if (s.length !== 1) throw formatErrorOneChar();
      return s;
    },
    'TryParse(string s, out char result): bool': (s: Str | null, r: Ref<string>) => {
      const ok = s !== null && s.length === 1;
      r.value = ok ? s : '\0';
      return ok;
    },
    'GetNumericValue(char c): double': (c: Str) => numericValue(c),
    'IsHighSurrogate(char c): bool': (c: Str) => /^[\ud800-\udbff]$/.test(c),
    'IsLowSurrogate(char c): bool': (c: Str) => /^[\udc00-\udfff]$/.test(c),
    'ConvertFromUtf32(int utf32): string': (cp: number) => {
      if (cp < 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) throw argumentError('A valid UTF32 value is between 0x000000 and 0x10ffff, inclusive, and should not include surrogate codepoint values (0x00d800 ~ 0x00dfff).', 'utf32');
      return String.fromCodePoint(cp);
    },
    'ConvertToUtf32(char highSurrogate, char lowSurrogate): int': (h: Str, l: Str) => {
      const cp = (h + l).codePointAt(0)!;
      if (cp < 0x10000) throw argumentError('Found a high surrogate char without a following low surrogate.', 'highSurrogate');
      return cp;
    },
  },
};

const formatErrorOneChar = () => formatError('String must be exactly one character long.');

/** Unicode decimal digits of other scripts ('٣') have the value of their position in their block. */
function numericValue(c: string): number {
  if (!/^\p{Nd}$/u.test(c)) return -1;
  const code = c.charCodeAt(0);
  for (let zero = code; zero > code - 10; zero--) {
    if (!/^\p{Nd}$/u.test(String.fromCharCode(zero - 1))) return code - zero;
  }
  return -1;
}

/** Int32, Int64, Int16, Byte…: values are numbers, Int64/UInt64 bigints (surface/define.ts). */
function integerSpec(name: keyof typeof INT_TYPES, kw: string): TypeSpec {
  const t: IntType = INT_TYPES[name];
  const big = t.bits === 64;
  const wrap = (v: bigint) => (big ? v : Number(v));
  const is = (v: unknown): v is number | bigint => big ? typeof v === 'bigint' && v >= t.min && v <= t.max
    : typeof v === 'number' && Number.isInteger(v) && v >= Number(t.min) && v <= Number(t.max);
  return {
    name, namespace: 'System', struct: true, is,
    instance: {
      'ToString(): string': (v: number | bigint) => formatInteger(v, null, t.bits),
      'ToString(string format): string': (v: number | bigint, f: Str | null) => formatInteger(v, f, t.bits),
      [`CompareTo(${kw} value): int`]: cmpNum,
      'CompareTo(object value): int': compareToObject(name, is, cmpNum),
      [`Equals(${kw} obj): bool`]: (a: number | bigint, b: number | bigint) => a === b,
      'Equals(object obj): bool': (a: number | bigint, b: unknown) => a === b,
      'GetHashCode(): int': (v: number | bigint) => Number(BigInt.asIntN(32, BigInt(v))),
    },
    statics: {
      [`MaxValue: ${kw}`]: () => wrap(t.max),
      [`MinValue: ${kw}`]: () => wrap(t.min),
      [`Parse(string s): ${kw}`]: (s: Str | null) => wrap(parseInteger(s, t)),
      [`TryParse(string s, out ${kw} result): bool`]: (s: Str | null, r: Ref<number | bigint>) => {
        const v = tryParseInteger(s, t);
        r.value = wrap(v ?? 0n);
        return v !== null;
      },
    },
  };
}

const isNumber = (v: unknown): v is number => typeof v === 'number';

const doubleSpec: TypeSpec = {
  name: 'Double', namespace: 'System', struct: true, is: isNumber,
  instance: {
    'ToString(): string': (v: number) => formatDouble(v),
    'ToString(string format): string': (v: number, f: Str | null) => formatDouble(v, f),
    'CompareTo(double value): int': (a: number, b: number) => compareDouble(a, b),
    'CompareTo(object value): int': compareToObject('Double', isNumber, compareDouble),
    'Equals(double obj): bool': (a: number, b: number) => a === b || (Number.isNaN(a) && Number.isNaN(b)),
    'Equals(object obj): bool': (a: number, b: unknown) => typeof b === 'number' && (a === b || (Number.isNaN(a) && Number.isNaN(b))),
  },
  statics: {
    'MaxValue: double': () => Number.MAX_VALUE,
    'MinValue: double': () => -Number.MAX_VALUE,
    'Epsilon: double': () => Number.MIN_VALUE,
    'NaN: double': () => NaN,
    'PositiveInfinity: double': () => Infinity,
    'NegativeInfinity: double': () => -Infinity,
    'IsNaN(double d): bool': (d: number) => Number.isNaN(d),
    'IsInfinity(double d): bool': (d: number) => d === Infinity || d === -Infinity,
    'IsPositiveInfinity(double d): bool': (d: number) => d === Infinity,
    'IsNegativeInfinity(double d): bool': (d: number) => d === -Infinity,
    'IsFinite(double d): bool': (d: number) => Number.isFinite(d),
    'Parse(string s): double': (s: Str | null) => parseDouble(s),
    'TryParse(string s, out double result): bool': (s: Str | null, r: Ref<number>) => {
      const v = tryParseDouble(s);
      r.value = v ?? 0;
      return v !== null;
    },
  },
};

/** Double.CompareTo: NaN sorts before every other value and equals itself. */
function compareDouble(a: number, b: number): number {
  if (a < b) return -1;
  if (a > b) return 1;
  if (a === b) return 0;
  return Number.isNaN(a) ? (Number.isNaN(b) ? 0 : -1) : 1;
}

const decimalSpec: TypeSpec = {
  name: 'Decimal', namespace: 'System', struct: true, is: isNumber,
  instance: {
    'ToString(): string': (v: number) => formatDecimal(v),
    'ToString(string format): string': (v: number, f: Str | null) => formatDecimal(v, f),
    'CompareTo(decimal value): int': cmpNum,
    'CompareTo(object value): int': compareToObject('Decimal', isNumber, cmpNum),
    'Equals(decimal value): bool': (a: number, b: number) => a === b,
    'Equals(object value): bool': (a: number, b: unknown) => a === b,
  },
  statics: {
    'MaxValue: decimal': () => DECIMAL_MAX,
    'MinValue: decimal': () => -DECIMAL_MAX,
    'Zero: decimal': () => 0,
    'One: decimal': () => 1,
    'MinusOne: decimal': () => -1,
    'Parse(string s): decimal': (s: Str | null) => parseDecimal(s),
    'TryParse(string s, out decimal result): bool': (s: Str | null, r: Ref<number>) => {
      const v = tryParseDecimal(s);
      r.value = v ?? 0;
      return v !== null;
    },
  },
};

const booleanSpec: TypeSpec = {
  name: 'Boolean', namespace: 'System', struct: true,
  is: (v) => typeof v === 'boolean',
  instance: {
    'ToString(): string': (v: boolean) => (v ? 'True' : 'False'),
    'CompareTo(bool value): int': (a: boolean, b: boolean) => Number(a) - Number(b),
    'CompareTo(object obj): int': compareToObject('Boolean', (v): v is boolean => typeof v === 'boolean', (a: boolean, b: boolean) => Number(a) - Number(b)),
    'Equals(bool obj): bool': (a: boolean, b: boolean) => a === b,
    'Equals(object obj): bool': (a: boolean, b: unknown) => a === b,
  },
  statics: {
    'TrueString: string': () => 'True',
    'FalseString: string': () => 'False',
    'Parse(string value): bool': (s: Str | null) => parseBoolean(s),
    'TryParse(string value, out bool result): bool': (s: Str | null, r: Ref<boolean>) => {
      const v = tryParseBoolean(s);
      r.value = v ?? false;
      return v !== null;
    },
  },
};

export const system: TypeSpec[] = [
  stringSpec, charSpec, doubleSpec, decimalSpec, booleanSpec,
  integerSpec('Int32', 'int'), integerSpec('Int64', 'long'), integerSpec('Int16', 'short'), integerSpec('Byte', 'byte'),
  integerSpec('SByte', 'sbyte'), integerSpec('UInt16', 'ushort'), integerSpec('UInt32', 'uint'), integerSpec('UInt64', 'ulong'),
  enumSpec(STRING_COMPARISON, 'System'), enumSpec(STRING_SPLIT_OPTIONS, 'System'),
];
