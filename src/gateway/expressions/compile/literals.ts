// C# literals: integers (suffixes, hex, binary, separators), reals, strings with escape sequences,
// verbatim strings, chars. Each gives its value in the runtime representation and its static type.
import { T, type TypeRef } from '../surface/types.js';

export interface Literal { value: unknown; type: TypeRef }

export function integerLiteral(text: string): Literal | string {
  let s = text.replace(/_/g, '');
  const suffix = /[uUlL]+$/.exec(s)?.[0].toLowerCase() ?? '';
  s = s.slice(0, s.length - suffix.length);
  let big: bigint;
  try {
    big = /^0[xX]/.test(s) ? BigInt(s) : /^0[bB]/.test(s) ? BigInt(s) : BigInt(s.replace(/^0+(?=\d)/, ''));
  } catch {
    return `Invalid number '${text}'.`;
  }
  if (big > 0xffffffffffffffffn) return 'Integral constant is too large.';
  // C#: the first of int, uint, long, ulong that holds the value and the suffix allows.
  const unsigned = suffix.includes('u');
  const long = suffix.includes('l');
  const U32: TypeRef = { name: 'UInt32', args: [] };
  const U64: TypeRef = { name: 'UInt64', args: [] };
  if (!unsigned && !long && big <= 0x7fffffffn) return { value: Number(big), type: T.int };
  if (!long && big <= 0xffffffffn) return { value: Number(big), type: U32 };
  if (!unsigned && big <= 0x7fffffffffffffffn) return { value: big, type: T.long };
  return { value: big, type: U64 };
}

export function realLiteral(text: string): Literal {
  const s = text.replace(/_/g, '');
  const suffix = /[fFdDmM]$/.exec(s)?.[0].toLowerCase();
  const n = Number(suffix ? s.slice(0, -1) : s);
  if (suffix === 'f') return { value: Math.fround(n), type: T.float };
  if (suffix === 'm') return { value: n, type: T.decimal };
  return { value: n, type: T.double };
}

const SIMPLE_ESCAPES: Record<string, string> = {
  "'": "'", '"': '"', '\\': '\\', '0': '\0', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v',
};

/** The characters an escape sequence (`\n`, `\u0041`, `\x41`, `\U0001F600`) stands for. */
export function unescape(seq: string): string {
  const c = seq[1];
  if (c in SIMPLE_ESCAPES) return SIMPLE_ESCAPES[c];
  if (c === 'u' || c === 'x' || c === 'U') return String.fromCodePoint(parseInt(seq.slice(2), 16));
  return seq.slice(1);
}

/** `@"a""b"` → `a"b`. */
export function verbatimText(text: string): string {
  return text.slice(2, -1).replace(/""/g, '"');
}
