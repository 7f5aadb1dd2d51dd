// System.String and System.Char behaviour: UTF-16 code units like .NET, culture-invariant casing (per
// character, no 'ß' → "SS" expansion), StringComparison, Split with options, Trim sets, and .NET's
// argument exceptions and messages.
import { argumentError, argumentNull, argumentOutOfRange, indexOutOfRange } from './exceptions.js';
import { checkLength } from './composite.js';

/** StringComparison's values, as .NET numbers them. */
export const StringComparison = {
  CurrentCulture: 0, CurrentCultureIgnoreCase: 1, InvariantCulture: 2, InvariantCultureIgnoreCase: 3, Ordinal: 4, OrdinalIgnoreCase: 5,
} as const;
export const StringSplitOptions = { None: 0, RemoveEmptyEntries: 1, TrimEntries: 2 } as const;

// ---- Char --------------------------------------------------------------------------------------

// char.IsWhiteSpace: Unicode separators plus U+0009–U+000D and U+0085 (not U+FEFF, unlike JS's \s).
const WHITE = /^[\t\n\v\f\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]$/;
export const isWhiteSpace = (c: string) => WHITE.test(c);
export const isDigit = (c: string) => /^\p{Nd}$/u.test(c);
export const isLetter = (c: string) => /^\p{L}$/u.test(c);
export const isLetterOrDigit = (c: string) => /^[\p{L}\p{Nd}]$/u.test(c);
export const isUpper = (c: string) => /^\p{Lu}$/u.test(c);
export const isLower = (c: string) => /^\p{Ll}$/u.test(c);
export const isNumber = (c: string) => /^\p{N}$/u.test(c);
export const isPunctuation = (c: string) => /^\p{P}$/u.test(c);
export const isSymbol = (c: string) => /^\p{S}$/u.test(c);
export const isSeparator = (c: string) => /^\p{Z}$/u.test(c);
export const isControl = (c: string) => /^\p{Cc}$/u.test(c);
export const isSurrogate = (c: string) => /^[\ud800-\udfff]$/.test(c);
export const isHexDigit = (c: string) => /^[0-9A-Fa-f]$/.test(c);

/** Simple (one-to-one) case mapping, as .NET's invariant ToUpper/ToLower of a char. */
export function charToUpper(c: string): string {
  const u = c.toUpperCase();
  return u.length === c.length ? u : c;
}
export function charToLower(c: string): string {
  const l = c.toLowerCase();
  return l.length === c.length ? l : c;
}

/** String.ToUpperInvariant: per code point, keeping the length (.NET does not expand 'ß'). */
export function toUpper(s: string): string {
  const u = s.toUpperCase();
  if (u.length === s.length) return u;
  let out = '';
  for (const cp of s) out += charToUpper(cp);
  return out;
}
export function toLower(s: string): string {
  const l = s.toLowerCase();
  if (l.length === s.length && !s.includes('\u03a3')) return l; // 'Σ' has a context-dependent JS mapping
  let out = '';
  for (const cp of s) out += charToLower(cp);
  return out;
}

// ---- comparison ----------------------------------------------------------------------------------

const collator = new Intl.Collator('und', { sensitivity: 'variant', caseFirst: 'lower' });
const collatorNoCase = new Intl.Collator('und', { sensitivity: 'accent' });

const ignoreCase = (c: number) => c === 1 || c === 3 || c === 5;
const ordinal = (c: number) => c === 4 || c === 5;

export function checkComparison(c: number): void {
  if (!Number.isInteger(c) || c < 0 || c > 5) throw argumentError('The string comparison type passed in is currently not supported.', 'comparisonType');
}

/** String.CompareOrdinal: the difference of the first differing code units, or of the lengths. */
export function compareOrdinal(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = a.charCodeAt(i) - b.charCodeAt(i);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/** String.Compare(strA, strB, comparisonType); the culture ones use the root (invariant) collation. */
export function compare(a: string | null, b: string | null, comparison: number = StringComparison.CurrentCulture): number {
  checkComparison(comparison);
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  if (comparison === StringComparison.Ordinal) return compareOrdinal(a, b);
  if (comparison === StringComparison.OrdinalIgnoreCase) return compareOrdinal(toUpper(a), toUpper(b));
  return Math.sign((ignoreCase(comparison) ? collatorNoCase : collator).compare(a, b));
}

export function equals(a: string | null, b: string | null, comparison: number = StringComparison.Ordinal): boolean {
  checkComparison(comparison);
  if (a === null || b === null) return a === b;
  if (comparison === StringComparison.Ordinal) return a === b;
  if (ordinal(comparison)) return a.length === b.length && toUpper(a) === toUpper(b);
  return compare(a, b, comparison) === 0;
}

/** Folds both sides for a search under the comparison (case-insensitive ones compare upper-cased). */
const fold = (s: string, comparison: number) => (ignoreCase(comparison) ? toUpper(s) : s);

// ---- search ----------------------------------------------------------------------------------

function checkStart(s: string, startIndex: number, count?: number): void {
  if (startIndex < 0 || startIndex > s.length) throw argumentOutOfRange('startIndex', 'Index was out of range. Must be non-negative and less than or equal to the size of the collection.');
  if (count !== undefined && (count < 0 || startIndex + count > s.length)) throw argumentOutOfRange('count', 'Count must be positive and count must refer to a location within the string/array/collection.');
}

export function indexOf(s: string, value: string | null, startIndex = 0, count?: number, comparison: number = StringComparison.CurrentCulture): number {
  if (value === null) throw argumentNull('value');
  checkComparison(comparison);
  checkStart(s, startIndex, count);
  const end = count === undefined ? s.length : startIndex + count;
  const hay = fold(s.slice(0, end), comparison);
  const i = hay.indexOf(fold(value, comparison), startIndex);
  return i;
}

export function lastIndexOf(s: string, value: string | null, startIndex?: number, count?: number, comparison: number = StringComparison.CurrentCulture): number {
  if (value === null) throw argumentNull('value');
  checkComparison(comparison);
  if (s.length === 0) return value === '' ? 0 : -1;
  const start = startIndex ?? s.length - 1;
  // .NET 5+: an empty value is found just after startIndex (at the end without one).
  if (value === '' && start <= s.length) return startIndex === undefined ? s.length : Math.min(start + 1, s.length);
  if (start < 0 || start >= s.length) throw argumentOutOfRange('startIndex', 'Index was out of range. Must be non-negative and less than the size of the collection.');
  const cnt = count ?? start + 1;
  if (cnt < 0 || start - cnt + 1 < 0) throw argumentOutOfRange('count', 'Count must be positive and count must refer to a location within the string/array/collection.');
  const lo = start - cnt + 1;
  const hay = fold(s.slice(lo, start + 1), comparison);
  const i = hay.lastIndexOf(fold(value, comparison));
  return i < 0 ? -1 : i + lo;
}

export function indexOfAny(s: string, anyOf: readonly string[] | null, startIndex = 0, count?: number): number {
  if (anyOf === null) throw argumentNull('anyOf');
  checkStart(s, startIndex, count);
  const end = count === undefined ? s.length : startIndex + count;
  for (let i = startIndex; i < end; i++) if (anyOf.includes(s[i])) return i;
  return -1;
}

export function lastIndexOfAny(s: string, anyOf: readonly string[] | null, startIndex = s.length - 1): number {
  if (anyOf === null) throw argumentNull('anyOf');
  if (s.length === 0) return -1;
  if (startIndex < 0 || startIndex >= s.length) throw argumentOutOfRange('startIndex', 'Index was out of range. Must be non-negative and less than the size of the collection.');
  for (let i = startIndex; i >= 0; i--) if (anyOf.includes(s[i])) return i;
  return -1;
}

export function startsWith(s: string, value: string | null, comparison: number = StringComparison.CurrentCulture): boolean {
  if (value === null) throw argumentNull('value');
  checkComparison(comparison);
  return fold(s, comparison).startsWith(fold(value, comparison));
}

export function endsWith(s: string, value: string | null, comparison: number = StringComparison.CurrentCulture): boolean {
  if (value === null) throw argumentNull('value');
  checkComparison(comparison);
  return fold(s, comparison).endsWith(fold(value, comparison));
}

export function contains(s: string, value: string | null, comparison: number = StringComparison.Ordinal): boolean {
  if (value === null) throw argumentNull('value');
  checkComparison(comparison);
  return fold(s, comparison).includes(fold(value, comparison));
}

// ---- pieces ----------------------------------------------------------------------------------

export function substring(s: string, startIndex: number, length?: number): string {
  if (startIndex < 0) throw argumentOutOfRange('startIndex', 'StartIndex cannot be less than zero.');
  if (startIndex > s.length) throw argumentOutOfRange('startIndex', 'startIndex cannot be larger than length of string.');
  if (length === undefined) return s.slice(startIndex);
  if (length < 0) throw argumentOutOfRange('length', 'Length cannot be less than zero.');
  if (startIndex > s.length - length) throw argumentOutOfRange('length', 'Index and length must refer to a location within the string.');
  return s.substr(startIndex, length);
}

export function charAt(s: string, index: number): string {
  if (!Number.isInteger(index) || index < 0 || index >= s.length) throw indexOutOfRange();
  return s[index];
}

export function insert(s: string, startIndex: number, value: string | null): string {
  if (value === null) throw argumentNull('value');
  if (startIndex < 0 || startIndex > s.length) throw argumentOutOfRange('startIndex', 'Index was out of range. Must be non-negative and less than or equal to the size of the collection.');
  checkLength(s.length + value.length);
  return s.slice(0, startIndex) + value + s.slice(startIndex);
}

export function remove(s: string, startIndex: number, count?: number): string {
  if (startIndex < 0) throw argumentOutOfRange('startIndex', 'StartIndex cannot be less than zero.');
  if (count === undefined) {
    if (startIndex >= s.length) throw argumentOutOfRange('startIndex', 'startIndex must be less than length of string.');
    return s.slice(0, startIndex);
  }
  if (count < 0) throw argumentOutOfRange('count', 'Count cannot be less than zero.');
  if (count > s.length - startIndex) throw argumentOutOfRange('count', 'Index and count must refer to a location within the string.');
  return s.slice(0, startIndex) + s.slice(startIndex + count);
}

export function pad(s: string, totalWidth: number, ch: string, left: boolean): string {
  if (totalWidth < 0) throw argumentOutOfRange('totalWidth', 'Non-negative number required.');
  checkLength(totalWidth);
  return left ? s.padStart(totalWidth, ch) : s.padEnd(totalWidth, ch);
}

export function replace(s: string, oldValue: string | null, newValue: string | null, comparison: number = StringComparison.Ordinal): string {
  if (oldValue === null) throw argumentNull('oldValue');
  if (oldValue === '') throw argumentError('String cannot be of zero length.', 'oldValue');
  checkComparison(comparison);
  const by = newValue ?? '';
  const hay = fold(s, comparison);
  const needle = fold(oldValue, comparison);
  let out = '';
  let from = 0;
  for (let i = hay.indexOf(needle); i >= 0; i = hay.indexOf(needle, from)) {
    out += s.slice(from, i) + by;
    from = i + oldValue.length;
    checkLength(out.length);
  }
  return out + s.slice(from);
}

/** Trim/TrimStart/TrimEnd; no characters (null or empty) means white space. */
export function trim(s: string, chars: readonly string[] | null, start: boolean, end: boolean): string {
  const strip = chars && chars.length ? (c: string) => chars.includes(c) : isWhiteSpace;
  let a = 0, b = s.length;
  if (start) while (a < b && strip(s[a])) a++;
  if (end) while (b > a && strip(s[b - 1])) b--;
  return s.slice(a, b);
}

/** String.Split: separators (chars or strings; none means white space), a count and StringSplitOptions. */
export function split(s: string, separators: readonly string[] | null, count: number = 0x7fffffff, options = 0): string[] {
  if (count < 0) throw argumentOutOfRange('count', 'Count cannot be less than zero.');
  if (options < 0 || options > 3) throw argumentError('Value of flags is invalid.', 'options');
  const removeEmpty = (options & 1) !== 0;
  const trimEntries = (options & 2) !== 0;
  if (count === 0 || (removeEmpty && s.length === 0)) return [];
  const seps = (separators ?? []).filter((x) => x !== null && x !== '');
  const white = seps.length === 0;
  const parts: string[] = [];
  let start = 0;
  const push = (piece: string): void => {
    const p = trimEntries ? trim(piece, null, true, true) : piece;
    if (!(removeEmpty && p === '')) parts.push(p);
  };
  if (count === 1) { push(s); return parts; }
  let i = 0;
  while (i < s.length && parts.length < count - 1) {
    let len = 0;
    if (white) { if (isWhiteSpace(s[i])) len = 1; } else {
      for (const sep of seps) if (s.startsWith(sep, i)) { len = sep.length; break; }
    }
    if (len === 0) { i++; continue; }
    push(s.slice(start, i));
    i += len;
    start = i;
  }
  // The last piece holds the rest (with separators) when count was reached; RemoveEmptyEntries trims
  // leading empties from it as .NET does.
  let rest = s.slice(start);
  if (parts.length === count - 1 && removeEmpty && !white) {
    for (let again = true; again;) {
      again = false;
      for (const sep of seps) if (rest.startsWith(sep)) { rest = rest.slice(sep.length); again = true; }
    }
  }
  push(rest);
  return parts;
}

export function join(separator: string | null, values: Iterable<unknown>, toText: (v: unknown) => string): string {
  const sep = separator ?? '';
  let out = '';
  let first = true;
  for (const v of values) {
    if (!first) out += sep;
    first = false;
    out += v === null ? '' : toText(v);
    checkLength(out.length);
  }
  return out;
}

export function repeatChar(c: string, count: number): string {
  if (count < 0) throw argumentOutOfRange('count', 'Non-negative number required.');
  checkLength(count);
  return c.repeat(count);
}

export function isNullOrWhiteSpace(s: string | null): boolean {
  if (s === null) return true;
  for (const c of s) if (!isWhiteSpace(c)) return false;
  return true;
}
