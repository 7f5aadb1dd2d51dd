// System.Text (StringBuilder, Encoding), System.Guid, System.Random, System.Uri/UriKind/UriPartial and
// System.Net.WebUtility for expressions.
import { checkLength, formatValue } from '../dotnet/composite.js';
import { EnumType, type EnumValue } from '../dotnet/enums.js';
import { argumentNull, argumentOutOfRange } from '../dotnet/exceptions.js';
import { badGuid, ENCODINGS, EncodingImpl, getEncoding, GuidImpl, parseGuid, RandomImpl, slice, StringBuilderImpl } from '../dotnet/text.js';
import * as U from '../dotnet/uri.js';
import type { Accessor, Impl, Ref, TypeSpec } from './define.js';
import { enumSpec, ev } from './enum-spec.js';

export const URI_KIND = new EnumType('UriKind', U.UriKind);
export const URI_PARTIAL = new EnumType('UriPartial', U.UriPartial);

type SB = StringBuilderImpl;
type Str = string | null;
type N = number;
const text = (v: unknown, type?: string) => formatValue(v, null, type);

const appends: Record<string, Impl | Accessor> = {
  'Append(string value): StringBuilder': (sb: SB, v: Str) => sb.append(v ?? ''),
  'Append(char value): StringBuilder': (sb: SB, v: string) => sb.append(v),
  'Append(char value, int repeatCount): StringBuilder': (sb: SB, v: string, n: N) => {
    if (n < 0) throw argumentOutOfRange('repeatCount', 'Count cannot be less than zero.');
    checkLength(sb.length + n);
    return sb.append(v.repeat(n));
  },
  'Append(char[] value): StringBuilder': (sb: SB, v: string[] | null) => sb.append((v ?? []).join('')),
  'Append(string value, int startIndex, int count): StringBuilder': (sb: SB, v: Str, i: N, n: N) => sb.append(new StringBuilderImpl(v ?? '').substring(i, n)),
  'Append(object value): StringBuilder': (sb: SB, v: unknown) => sb.append(text(v)),
  'Append(bool value): StringBuilder': (sb: SB, v: boolean) => sb.append(text(v)),
  'Append(int value): StringBuilder': (sb: SB, v: N) => sb.append(text(v, 'Int32')),
  'Append(long value): StringBuilder': (sb: SB, v: bigint) => sb.append(text(v, 'Int64')),
  'Append(double value): StringBuilder': (sb: SB, v: N) => sb.append(text(v, 'Double')),
  'Append(decimal value): StringBuilder': (sb: SB, v: N) => sb.append(text(v, 'Decimal')),
  'Append(StringBuilder value): StringBuilder': (sb: SB, v: SB | null) => sb.append(v ? v.toString() : ''),
  'AppendLine(): StringBuilder': (sb: SB) => sb.append('\n'),
  'AppendLine(string value): StringBuilder': (sb: SB, v: Str) => sb.append((v ?? '') + '\n'),
  'AppendFormat(string format, object arg0): StringBuilder': (sb: SB, f: Str, a: unknown) => sb.appendFormat(f, [a]),
  'AppendFormat(string format, object arg0, object arg1): StringBuilder': (sb: SB, f: Str, a: unknown, b: unknown) => sb.appendFormat(f, [a, b]),
  'AppendFormat(string format, object arg0, object arg1, object arg2): StringBuilder': (sb: SB, f: Str, a: unknown, b: unknown, c: unknown) => sb.appendFormat(f, [a, b, c]),
  'AppendFormat(string format, params object[] args): StringBuilder': (sb: SB, f: Str, args: unknown[] | null) => {
    if (args === null) throw argumentNull('args');
    return sb.appendFormat(f, args);
  },
  'AppendJoin(string separator, params string[] values): StringBuilder': (sb: SB, s: Str, v: unknown[] | null) => sb.append((v ?? []).map((x) => text(x)).join(s ?? '')),
  'AppendJoin(string separator, params object[] values): StringBuilder': (sb: SB, s: Str, v: unknown[] | null) => sb.append((v ?? []).map((x) => text(x)).join(s ?? '')),
  'AppendJoin<T>(string separator, IEnumerable<T> values): StringBuilder': (sb: SB, s: Str, v: Iterable<unknown> | null) => sb.append([...(v ?? [])].map((x) => text(x)).join(s ?? '')),
  'AppendJoin(char separator, params string[] values): StringBuilder': (sb: SB, s: string, v: unknown[] | null) => sb.append((v ?? []).map((x) => text(x)).join(s)),
  'Insert(int index, string value): StringBuilder': (sb: SB, i: N, v: Str) => sb.insert(i, v ?? ''),
  'Insert(int index, char value): StringBuilder': (sb: SB, i: N, v: string) => sb.insert(i, v),
  'Insert(int index, object value): StringBuilder': (sb: SB, i: N, v: unknown) => sb.insert(i, text(v)),
  'Insert(int index, int value): StringBuilder': (sb: SB, i: N, v: N) => sb.insert(i, text(v, 'Int32')),
  'Remove(int startIndex, int length): StringBuilder': (sb: SB, i: N, n: N) => sb.remove(i, n),
  'Replace(string oldValue, string newValue): StringBuilder': (sb: SB, a: Str, b: Str) => sb.replace(a, b),
  'Replace(string oldValue, string newValue, int startIndex, int count): StringBuilder': (sb: SB, a: Str, b: Str, i: N, n: N) => sb.replace(a, b, i, n),
  'Replace(char oldChar, char newChar): StringBuilder': (sb: SB, a: string, b: string) => sb.replace(a, b),
  'Clear(): StringBuilder': (sb: SB) => sb.clear(),
  'ToString(): string': (sb: SB) => sb.toString(),
  'ToString(int startIndex, int length): string': (sb: SB, i: N, n: N) => sb.substring(i, n),
  'Length: int': { get: (sb: SB) => sb.length, set: (sb: SB, n: N) => { sb.length = n; } },
  'Capacity: int': { get: (sb: SB) => Math.max(16, sb.length), set: () => undefined },
  'MaxCapacity: int': (sb: SB) => sb.maxCapacity,
  'this[int index]: char': { get: (sb: SB, i: N) => sb.charAt(i), set: (sb: SB, i: N, c: string) => sb.setChar(i, c) },
  'Equals(StringBuilder sb): bool': (sb: SB, o: SB | null) => o !== null && sb.toString() === o.toString(),
};

const stringBuilderSpec: TypeSpec = {
  name: 'StringBuilder', namespace: 'System.Text',
  is: (v) => v instanceof StringBuilderImpl,
  ctors: {
    '()': () => new StringBuilderImpl(),
    '(int capacity)': (n: N) => { if (n < 0) throw argumentOutOfRange('capacity', "'capacity' must be greater than zero."); return new StringBuilderImpl(); },
    '(string value)': (s: Str) => new StringBuilderImpl(s),
    '(string value, int capacity)': (s: Str) => new StringBuilderImpl(s),
    '(int capacity, int maxCapacity)': (_c: N, m: N) => new StringBuilderImpl('', m),
  },
  instance: appends,
};

type E = EncodingImpl;
const bytesOrThrow = (b: Uint8Array | null) => { if (b === null) throw argumentNull('bytes'); return b; };
const strOrThrow = (s: Str) => { if (s === null) throw argumentNull('s'); return s; };

const encodingSpec: TypeSpec = {
  name: 'Encoding', namespace: 'System.Text',
  is: (v) => v instanceof EncodingImpl,
  instance: {
    'GetBytes(string s): byte[]': (e: E, s: Str) => e.getBytes(strOrThrow(s)),
    'GetBytes(char[] chars): byte[]': (e: E, c: string[] | null) => { if (c === null) throw argumentNull('chars'); return e.getBytes(c.join('')); },
    'GetBytes(char[] chars, int index, int count): byte[]': (e: E, c: string[] | null, i: N, n: N) => {
      if (c === null) throw argumentNull('chars');
      return e.getBytes(c.slice(i, i + n).join(''));
    },
    'GetByteCount(string s): int': (e: E, s: Str) => e.getBytes(strOrThrow(s)).length,
    'GetString(byte[] bytes): string': (e: E, b: Uint8Array | null) => e.getString(bytesOrThrow(b)),
    'GetString(byte[] bytes, int index, int count): string': (e: E, b: Uint8Array | null, i: N, n: N) => e.getString(slice(b, i, n)),
    'GetChars(byte[] bytes): char[]': (e: E, b: Uint8Array | null) => e.getString(bytesOrThrow(b)).split(''),
    'GetCharCount(byte[] bytes): int': (e: E, b: Uint8Array | null) => e.getString(bytesOrThrow(b)).length,
    'GetPreamble(): byte[]': (e: E) => e.preamble(),
    'GetMaxByteCount(int charCount): int': (e: E, n: N) => (e.webName === 'utf-8' ? (n + 1) * 3 : e.webName === 'utf-32' ? (n + 1) * 4 : e.webName.startsWith('utf-16') ? (n + 1) * 2 : n + 1),
    'WebName: string': (e: E) => e.webName,
    'EncodingName: string': (e: E) => e.encodingName,
    'BodyName: string': (e: E) => e.webName,
    'HeaderName: string': (e: E) => e.webName,
    'CodePage: int': (e: E) => e.codePage,
    'IsSingleByte: bool': (e: E) => e.webName === 'us-ascii' || e.webName === 'iso-8859-1',
    'ToString(): string': (e: E) => e.toString(),
    'Equals(object value): bool': (e: E, o: unknown) => e === o,
  },
  statics: {
    'UTF8: Encoding': () => ENCODINGS.UTF8,
    'ASCII: Encoding': () => ENCODINGS.ASCII,
    'Unicode: Encoding': () => ENCODINGS.Unicode,
    'BigEndianUnicode: Encoding': () => ENCODINGS.BigEndianUnicode,
    'UTF32: Encoding': () => ENCODINGS.UTF32,
    'Latin1: Encoding': () => ENCODINGS.Latin1,
    'Default: Encoding': () => ENCODINGS.UTF8,
    'GetEncoding(string name): Encoding': (n: Str) => getEncoding(n),
    'GetEncoding(int codepage): Encoding': (n: N) => getEncoding(n),
    'Convert(Encoding srcEncoding, Encoding dstEncoding, byte[] bytes): byte[]': (a: E | null, b: E | null, x: Uint8Array | null) => {
      if (a === null) throw argumentNull('srcEncoding');
      if (b === null) throw argumentNull('dstEncoding');
      return b.getBytes(a.getString(bytesOrThrow(x)));
    },
  },
};

type G = GuidImpl;
const guidSpec: TypeSpec = {
  name: 'Guid', namespace: 'System', struct: true,
  is: (v) => v instanceof GuidImpl,
  ctors: {
    '(string g)': (s: Str) => {
      if (s === null) throw argumentNull('g');
      return parseGuid(s) ?? (() => { throw badGuid(); })();
    },
    '(byte[] b)': (b: Uint8Array | null) => GuidImpl.fromBytes(b),
  },
  instance: {
    'ToString(): string': (g: G) => g.toString(),
    'ToString(string format): string': (g: G, f: Str) => g.toStringFormat(f),
    'ToByteArray(): byte[]': (g: G) => g.toByteArray(),
    'Equals(Guid g): bool': (g: G, o: G) => g.equals(o),
    'Equals(object o): bool': (g: G, o: unknown) => g.equals(o),
    'CompareTo(Guid value): int': (g: G, o: G) => g.compare(o),
    'GetHashCode(): int': (g: G) => parseInt(g.hex.slice(0, 8), 16) | 0,
  },
  statics: {
    'Empty: Guid': () => GuidImpl.empty(),
    'NewGuid(): Guid': () => GuidImpl.newGuid(),
    'Parse(string input): Guid': (s: Str) => {
      if (s === null) throw argumentNull('input');
      return parseGuid(s) ?? (() => { throw badGuid(); })();
    },
    'TryParse(string input, out Guid result): bool': (s: Str, r: Ref<G>) => {
      const g = s === null ? null : parseGuid(s);
      r.value = g ?? GuidImpl.empty();
      return g !== null;
    },
    'ParseExact(string input, string format): Guid': (s: Str, f: Str) => {
      if (s === null) throw argumentNull('input');
      if (f === null) throw argumentNull('format');
      return parseGuid(s, f) ?? (() => { throw badGuid(); })();
    },
    'TryParseExact(string input, string format, out Guid result): bool': (s: Str, f: Str, r: Ref<G>) => {
      const g = s === null || f === null ? null : parseGuid(s, f);
      r.value = g ?? GuidImpl.empty();
      return g !== null;
    },
    'op_Equality(Guid a, Guid b): bool': (a: G, b: G) => a.equals(b),
    'op_Inequality(Guid a, Guid b): bool': (a: G, b: G) => !a.equals(b),
  },
};

type R = RandomImpl;
const randomSpec: TypeSpec = {
  name: 'Random', namespace: 'System',
  is: (v) => v instanceof RandomImpl,
  ctors: { '()': () => new RandomImpl(), '(int Seed)': (s: N) => new RandomImpl(s) },
  instance: {
    'Next(): int': (r: R) => r.next(),
    'Next(int maxValue): int': (r: R, m: N) => r.nextMax(m),
    'Next(int minValue, int maxValue): int': (r: R, a: N, b: N) => r.nextRange(a, b),
    'NextDouble(): double': (r: R) => r.nextDouble(),
    'NextBytes(byte[] buffer): void': (r: R, b: Uint8Array | null) => r.nextBytes(b),
  },
};

type Uri = U.UriImpl;
const uriSpec: TypeSpec = {
  name: 'Uri', namespace: 'System',
  is: (v) => v instanceof U.UriImpl,
  ctors: {
    '(string uriString)': (s: Str) => U.UriImpl.create(s),
    '(string uriString, UriKind uriKind)': (s: Str, k: EnumValue) => U.UriImpl.create(s, ev(k)),
    '(Uri baseUri, string relativeUri)': (b: Uri | null, r: Str) => U.UriImpl.combine(b, r),
  },
  instance: {
    'AbsoluteUri: string': (u: Uri) => u.absoluteUri,
    'AbsolutePath: string': (u: Uri) => u.absolutePath,
    'Authority: string': (u: Uri) => u.authority,
    'DnsSafeHost: string': (u: Uri) => u.host.replace(/^\[|\]$/g, ''),
    'Fragment: string': (u: Uri) => u.fragment,
    'Host: string': (u: Uri) => u.host,
    'IdnHost: string': (u: Uri) => u.host,
    'IsAbsoluteUri: bool': (u: Uri) => u.isAbsoluteUri,
    'IsDefaultPort: bool': (u: Uri) => u.isDefaultPort,
    'IsLoopback: bool': (u: Uri) => u.isLoopback,
    'IsFile: bool': (u: Uri) => u.scheme === 'file',
    'LocalPath: string': (u: Uri) => u.localPath,
    'OriginalString: string': (u: Uri) => u.originalString,
    'PathAndQuery: string': (u: Uri) => u.pathAndQuery,
    'Port: int': (u: Uri) => u.port,
    'Query: string': (u: Uri) => u.query,
    'Scheme: string': (u: Uri) => u.scheme,
    'Segments: string[]': (u: Uri) => u.segments,
    'UserInfo: string': (u: Uri) => u.userInfo,
    'GetLeftPart(UriPartial part): string': (u: Uri, p: EnumValue) => u.getLeftPart(ev(p)),
    'ToString(): string': (u: Uri) => u.toString(),
    'Equals(object comparand): bool': (u: Uri, o: unknown) => u.equals(o),
  },
  statics: {
    'UriSchemeHttp: string': () => 'http',
    'UriSchemeHttps: string': () => 'https',
    'SchemeDelimiter: string': () => '://',
    'EscapeDataString(string stringToEscape): string': U.escapeDataString,
    'UnescapeDataString(string stringToUnescape): string': U.unescapeDataString,
    'IsWellFormedUriString(string uriString, UriKind uriKind): bool': (s: Str, k: EnumValue) => U.isWellFormed(s, ev(k)),
    'TryCreate(string uriString, UriKind uriKind, out Uri result): bool': (s: Str, k: EnumValue, r: Ref<Uri | null>) => {
      const u = s === null ? null : U.UriImpl.tryCreate(s, ev(k));
      r.value = u && typeof u !== 'string' ? u : null;
      return r.value !== null;
    },
    'TryCreate(Uri baseUri, string relativeUri, out Uri result): bool': (b: Uri | null, s: Str, r: Ref<Uri | null>) => {
      try { r.value = U.UriImpl.combine(b, s); return true; } catch { r.value = null; return false; }
    },
    'op_Equality(Uri uri1, Uri uri2): bool': (a: Uri | null, b: Uri | null) => (a === null || b === null ? a === b : a.equals(b)),
    'op_Inequality(Uri uri1, Uri uri2): bool': (a: Uri | null, b: Uri | null) => !(a === null || b === null ? a === b : a.equals(b)),
  },
};

const webUtilitySpec: TypeSpec = {
  name: 'WebUtility', namespace: 'System.Net', static: true,
  statics: {
    'UrlEncode(string value): string': U.urlEncode,
    'UrlDecode(string encodedValue): string': U.urlDecode,
    'HtmlEncode(string value): string': U.htmlEncode,
    'HtmlDecode(string value): string': U.htmlDecode,
  },
};

export const textTypes: TypeSpec[] = [
  stringBuilderSpec, encodingSpec, guidSpec, randomSpec, uriSpec, webUtilitySpec,
  enumSpec(URI_KIND, 'System'), enumSpec(URI_PARTIAL, 'System'),
];
