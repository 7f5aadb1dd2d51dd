// System.Text.RegularExpressions (the members API Management allows: Regex's constructors, IsMatch,
// Match, Matches, Replace, Split, Unescape; Match/Group/Capture values; the collections) and
// System.Security.Cryptography's hashes and HMACs.
// A MatchEvaluator parameter is declared as Func<Match,string>: the compiler passes a lambda as a JS
// function taking the Match.
import { digest, fillRandom, HashAlgorithmImpl, type HashName } from '../dotnet/crypto.js';
import { EnumType, type EnumValue } from '../dotnet/enums.js';
import type { TimeSpan } from '../dotnet/datetime.js';
import {
  cached, CaptureImpl, GroupCollection, GroupImpl, MatchCollection, MatchImpl, RegexImpl, RegexOptions, unescape,
} from '../dotnet/regex.js';
import { argumentNull, argumentOutOfRange } from '../dotnet/exceptions.js';
import type { Impl, TypeSpec } from './define.js';
import { enumSpec, ev } from './enum-spec.js';

export const REGEX_OPTIONS = new EnumType('RegexOptions', RegexOptions, true);

type Re = RegexImpl;
type M = MatchImpl;
type Str = string | null;
type N = number;
type Eval = (m: M) => string | null;
const opt = (o: EnumValue) => ev(o);

const regexStatics: Record<string, Impl> = {
  'Unescape(string str): string': unescape,
  'IsMatch(string input, string pattern): bool': (s: Str, p: Str) => cached(p, 0).isMatch(s),
  'IsMatch(string input, string pattern, RegexOptions options): bool': (s: Str, p: Str, o: EnumValue) => cached(p, opt(o)).isMatch(s),
  'IsMatch(string input, string pattern, RegexOptions options, TimeSpan matchTimeout): bool': (s: Str, p: Str, o: EnumValue, _t: TimeSpan) => cached(p, opt(o)).isMatch(s),
  'Match(string input, string pattern): Match': (s: Str, p: Str) => cached(p, 0).match(s),
  'Match(string input, string pattern, RegexOptions options): Match': (s: Str, p: Str, o: EnumValue) => cached(p, opt(o)).match(s),
  'Match(string input, string pattern, RegexOptions options, TimeSpan matchTimeout): Match': (s: Str, p: Str, o: EnumValue) => cached(p, opt(o)).match(s),
  'Matches(string input, string pattern): MatchCollection': (s: Str, p: Str) => cached(p, 0).matches(s),
  'Matches(string input, string pattern, RegexOptions options): MatchCollection': (s: Str, p: Str, o: EnumValue) => cached(p, opt(o)).matches(s),
  'Matches(string input, string pattern, RegexOptions options, TimeSpan matchTimeout): MatchCollection': (s: Str, p: Str, o: EnumValue) => cached(p, opt(o)).matches(s),
  'Replace(string input, string pattern, string replacement): string': (s: Str, p: Str, r: Str) => cached(p, 0).replace(s, r),
  'Replace(string input, string pattern, string replacement, RegexOptions options): string': (s: Str, p: Str, r: Str, o: EnumValue) => cached(p, opt(o)).replace(s, r),
  'Replace(string input, string pattern, string replacement, RegexOptions options, TimeSpan matchTimeout): string': (s: Str, p: Str, r: Str, o: EnumValue) => cached(p, opt(o)).replace(s, r),
  'Replace(string input, string pattern, Func<Match,string> evaluator): string': (s: Str, p: Str, e: Eval | null) => cached(p, 0).replace(s, e),
  'Replace(string input, string pattern, Func<Match,string> evaluator, RegexOptions options): string': (s: Str, p: Str, e: Eval | null, o: EnumValue) => cached(p, opt(o)).replace(s, e),
  'Split(string input, string pattern): string[]': (s: Str, p: Str) => cached(p, 0).split(s),
  'Split(string input, string pattern, RegexOptions options): string[]': (s: Str, p: Str, o: EnumValue) => cached(p, opt(o)).split(s),
};

const regexSpec: TypeSpec = {
  name: 'Regex', namespace: 'System.Text.RegularExpressions',
  is: (v) => v instanceof RegexImpl,
  ctors: {
    '(string pattern)': (p: string) => new RegexImpl(p, 0),
    '(string pattern, RegexOptions options)': (p: string, o: EnumValue) => new RegexImpl(p, opt(o)),
    '(string pattern, RegexOptions options, TimeSpan matchTimeout)': (p: string, o: EnumValue) => new RegexImpl(p, opt(o)),
  },
  instance: {
    'IsMatch(string input): bool': (r: Re, s: Str) => r.isMatch(s),
    'IsMatch(string input, int startat): bool': (r: Re, s: Str, i: N) => r.isMatch(s, i),
    'Match(string input): Match': (r: Re, s: Str) => r.match(s),
    'Match(string input, int startat): Match': (r: Re, s: Str, i: N) => r.match(s, i),
    'Matches(string input): MatchCollection': (r: Re, s: Str) => r.matches(s),
    'Matches(string input, int startat): MatchCollection': (r: Re, s: Str, i: N) => r.matches(s, i),
    'Replace(string input, string replacement): string': (r: Re, s: Str, x: Str) => r.replace(s, x),
    'Replace(string input, string replacement, int count): string': (r: Re, s: Str, x: Str, n: N) => r.replace(s, x, n),
    'Replace(string input, string replacement, int count, int startat): string': (r: Re, s: Str, x: Str, n: N, i: N) => r.replace(s, x, n, i),
    'Replace(string input, Func<Match,string> evaluator): string': (r: Re, s: Str, e: Eval | null) => r.replace(s, e),
    'Replace(string input, Func<Match,string> evaluator, int count): string': (r: Re, s: Str, e: Eval | null, n: N) => r.replace(s, e, n),
    'Split(string input): string[]': (r: Re, s: Str) => r.split(s),
    'Split(string input, int count): string[]': (r: Re, s: Str, n: N) => r.split(s, n),
    'Split(string input, int count, int startat): string[]': (r: Re, s: Str, n: N, i: N) => r.split(s, n, i),
    'ToString(): string': (r: Re) => r.toString(),
  },
  statics: regexStatics,
};

const captureMembers: Record<string, Impl> = {
  'Index: int': (c: CaptureImpl) => c.index,
  'Length: int': (c: CaptureImpl) => c.length,
  'Value: string': (c: CaptureImpl) => c.value,
  'ToString(): string': (c: CaptureImpl) => c.value,
};

const captureSpec: TypeSpec = {
  name: 'Capture', namespace: 'System.Text.RegularExpressions', is: (v) => v instanceof CaptureImpl, instance: captureMembers,
};
const captureCollectionSpec: TypeSpec = {
  name: 'CaptureCollection', namespace: 'System.Text.RegularExpressions', implements: ['IEnumerable<Capture>'],
  is: (v) => Array.isArray(v) && v.every((x) => x instanceof CaptureImpl),
  instance: {
    'Count: int': (c: CaptureImpl[]) => c.length,
    'this[int i]: Capture': (c: CaptureImpl[], i: N) => {
      if (!Number.isInteger(i) || i < 0 || i >= c.length) throw argumentOutOfRange('i', 'Specified argument was out of the range of valid values.');
      return c[i];
    },
  },
};
const groupSpec: TypeSpec = {
  name: 'Group', namespace: 'System.Text.RegularExpressions', base: 'Capture',
  is: (v) => v instanceof GroupImpl,
  instance: {
    'Success: bool': (g: GroupImpl) => g.success,
    'Captures: CaptureCollection': (g: GroupImpl) => g.captures,
  },
};
const matchSpec: TypeSpec = {
  name: 'Match', namespace: 'System.Text.RegularExpressions', base: 'Group',
  is: (v) => v instanceof MatchImpl,
  instance: {
    'Groups: GroupCollection': (m: M) => m.groups,
    'Result(string replacement): string': (m: M, r: Str) => m.result(r),
  },
  statics: { 'Empty: Match': () => MatchImpl.empty() },
};
const groupCollectionSpec: TypeSpec = {
  name: 'GroupCollection', namespace: 'System.Text.RegularExpressions', implements: ['IEnumerable<Group>'],
  is: (v) => v instanceof GroupCollection,
  instance: {
    'Count: int': (g: GroupCollection) => g.count,
    'this[int groupnum]: Group': (g: GroupCollection, i: N) => g.byNumber(i),
    'this[string groupname]: Group': (g: GroupCollection, n: Str) => g.byKey(n),
  },
};
const matchCollectionSpec: TypeSpec = {
  name: 'MatchCollection', namespace: 'System.Text.RegularExpressions', implements: ['IEnumerable<Match>'],
  is: (v) => v instanceof MatchCollection,
  instance: {
    'Count: int': (m: MatchCollection) => m.count,
    'this[int i]: Match': (m: MatchCollection, i: N) => m.at(i),
  },
};

// ---- cryptography --------------------------------------------------------------------------------

type H = HashAlgorithmImpl;
const NS = 'System.Security.Cryptography';
const isHash = (names: readonly string[]) => (v: unknown) => v instanceof HashAlgorithmImpl && names.includes(v.dotNetType.slice(NS.length + 1));

const hashAlgorithmSpec: TypeSpec = {
  name: 'HashAlgorithm', namespace: NS, is: (v) => v instanceof HashAlgorithmImpl,
  instance: {
    'ComputeHash(byte[] buffer): byte[]': (h: H, b: Uint8Array | null) => h.computeHash(b),
    'ComputeHash(byte[] buffer, int offset, int count): byte[]': (h: H, b: Uint8Array | null, o: N, n: N) => h.computeHash(b, o, n),
    'Hash: byte[]': (h: H) => h.hash,
    'HashSize: int': (h: H) => h.hashSize,
    'Clear(): void': () => undefined,
    'Dispose(): void': () => undefined,
    'ToString(): string': (h: H) => h.toString(),
  },
};
const keyedSpec: TypeSpec = {
  name: 'KeyedHashAlgorithm', namespace: NS, base: 'HashAlgorithm', is: (v) => v instanceof HashAlgorithmImpl && v.keyed,
  instance: { 'Key: byte[]': { get: (h: H) => h.key, set: (h: H, k: Uint8Array) => { h.key = k; } } },
};
const hmacBaseSpec: TypeSpec = {
  name: 'HMAC', namespace: NS, base: 'KeyedHashAlgorithm', is: (v) => v instanceof HashAlgorithmImpl && v.keyed,
  instance: { 'HashName: string': (h: H) => h.alg.toUpperCase() },
};

function hashSpecs(alg: HashName, name: string): TypeSpec[] {
  const managed = `${name}Managed`;
  const hmac = `HMAC${name}`;
  return [
    {
      name, namespace: NS, base: 'HashAlgorithm', is: isHash([name, managed]),
      statics: {
        [`Create(): ${name}`]: () => new HashAlgorithmImpl(alg, `${NS}.${managed}`),
        'HashData(byte[] source): byte[]': (b: Uint8Array | null) => digest(alg, b),
      },
    },
    ...(alg === 'md5' ? [] : [{
      name: managed, namespace: NS, base: name, is: isHash([managed]),
      ctors: { '()': () => new HashAlgorithmImpl(alg, `${NS}.${managed}`) },
    }]),
    {
      name: hmac, namespace: NS, base: 'HMAC', is: isHash([hmac]),
      ctors: {
        '()': () => new HashAlgorithmImpl(alg, `${NS}.${hmac}`, undefined, true),
        '(byte[] key)': (k: Uint8Array | null) => new HashAlgorithmImpl(alg, `${NS}.${hmac}`, k, true),
      },
      statics: {
        'HashData(byte[] key, byte[] source): byte[]': (k: Uint8Array | null, b: Uint8Array | null) => {
          if (k === null) throw argumentNull('key');
          return digest(alg, b, k);
        },
      },
    },
  ];
}

const rngSpec: TypeSpec = {
  name: 'RNGCryptoServiceProvider', namespace: NS,
  is: (v) => v instanceof RngImpl,
  ctors: { '()': () => new RngImpl() },
  instance: {
    'GetBytes(byte[] data): void': (_r: RngImpl, b: Uint8Array | null) => fillRandom(b),
    'GetNonZeroBytes(byte[] data): void': (_r: RngImpl, b: Uint8Array | null) => fillRandom(b, true),
    'Dispose(): void': () => undefined,
  },
};
class RngImpl { readonly dotNetType = `${NS}.RNGCryptoServiceProvider`; toString(): string { return this.dotNetType; } }

class HashAlgorithmNameImpl {
  readonly dotNetType = `${NS}.HashAlgorithmName`;
  constructor(readonly name: string | null) {}
  toString(): string { return this.name ?? ''; }
}
const hashNameSpec: TypeSpec = {
  name: 'HashAlgorithmName', namespace: NS, struct: true,
  is: (v) => v instanceof HashAlgorithmNameImpl,
  ctors: { '(string name)': (n: Str) => new HashAlgorithmNameImpl(n) },
  instance: {
    'Name: string': (h: HashAlgorithmNameImpl) => h.name,
    'ToString(): string': (h: HashAlgorithmNameImpl) => h.toString(),
    'Equals(object obj): bool': (h: HashAlgorithmNameImpl, o: unknown) => o instanceof HashAlgorithmNameImpl && o.name === h.name,
  },
  statics: {
    ...Object.fromEntries(['MD5', 'SHA1', 'SHA256', 'SHA384', 'SHA512'].map((n) => [`${n}: HashAlgorithmName`, () => new HashAlgorithmNameImpl(n)])),
    'op_Equality(HashAlgorithmName left, HashAlgorithmName right): bool': (a: HashAlgorithmNameImpl, b: HashAlgorithmNameImpl) => a.name === b.name,
    'op_Inequality(HashAlgorithmName left, HashAlgorithmName right): bool': (a: HashAlgorithmNameImpl, b: HashAlgorithmNameImpl) => a.name !== b.name,
  },
};

export const regexCrypto: TypeSpec[] = [
  regexSpec, captureSpec, captureCollectionSpec, groupSpec, matchSpec, groupCollectionSpec, matchCollectionSpec,
  enumSpec(REGEX_OPTIONS, 'System.Text.RegularExpressions'),
  hashAlgorithmSpec, keyedSpec, hmacBaseSpec,
  ...hashSpecs('md5', 'MD5'), ...hashSpecs('sha1', 'SHA1'), ...hashSpecs('sha256', 'SHA256'),
  ...hashSpecs('sha384', 'SHA384'), ...hashSpecs('sha512', 'SHA512'),
  rngSpec, hashNameSpec,
];
