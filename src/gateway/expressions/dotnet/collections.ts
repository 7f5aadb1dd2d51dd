// System.Collections.Generic as expressions see it: List<T> (a JS Array subclass, so it is "an Array" as
// define.ts promises), Dictionary<K,V> and HashSet<T> over Map (never plain objects: user keys such as
// `__proto__` are data), KeyValuePair, StringComparer, and the equality/ordering rules of .NET's
// EqualityComparer<T>.Default and Comparer<T>.Default that LINQ shares.
import type { TypeRef } from '../surface/types.js';
import { argumentError, argumentNull, argumentOutOfRange, DotNetException, invalidOperation, keyNotFound } from './exceptions.js';
import { formatValue } from './composite.js';
import { tick } from '../runtime.js';

/** A .NET value with value equality (DateTime, Guid, JValue...): equal values give equal keys. */
export interface ValueEquatable { equalityKey(): string | number | bigint }
/** A .NET value with an ordering (IComparable): negative, zero or positive. */
export interface Comparable { compareTo(other: unknown): number }

const isEquatable = (v: object): v is ValueEquatable => typeof (v as Partial<ValueEquatable>).equalityKey === 'function';
const isComparable = (v: object): v is Comparable => typeof (v as Partial<Comparable>).compareTo === 'function';

/** What EqualityComparer<T>.Default compares: primitives by value (strings ordinally), value types by their key, other objects by reference. */
export function equalityKey(v: unknown): unknown {
  if (v !== null && typeof v === 'object' && isEquatable(v)) return `\u0000${v.constructor.name}\u0000${String(v.equalityKey())}`;
  return v;
}

export const valueEquals = (a: unknown, b: unknown): boolean => {
  const ka = equalityKey(a);
  const kb = equalityKey(b);
  return ka === kb || (Number.isNaN(ka) && Number.isNaN(kb));
};

// Comparer<string>.Default is culture-sensitive; API Management runs with the invariant culture (ICU root).
const invariantCollator = new Intl.Collator('und', { sensitivity: 'variant' });
const invariantIgnoreCaseCollator = new Intl.Collator('und', { sensitivity: 'accent' });

/** Comparer<T>.Default: null first, strings by the invariant culture, numbers numerically, IComparable values by compareTo. */
export function compareValues(a: unknown, b: unknown): number {
  if (a === null || a === undefined) return b === null || b === undefined ? 0 : -1;
  if (b === null || b === undefined) return 1;
  if (typeof a === 'string' && typeof b === 'string') return invariantCollator.compare(a, b);
  if ((typeof a === 'number' || typeof a === 'bigint') && (typeof b === 'number' || typeof b === 'bigint')) {
    if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : -1; // .NET orders NaN first
    if (Number.isNaN(b)) return 1;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  if (typeof a === 'object' && isComparable(a)) return a.compareTo(b);
  throw new DotNetException('System.InvalidOperationException', 'Failed to compare two elements in the array.');
}

/** default(T) for the types the surface represents as primitives. */
export function defaultOf(type: TypeRef | undefined): unknown {
  switch (type?.name) {
    case 'Int32': case 'Int16': case 'Byte': case 'SByte': case 'UInt16': case 'UInt32': case 'Double': case 'Single': case 'Decimal':
      return 0;
    case 'Int64': case 'UInt64': return 0n;
    case 'Boolean': return false;
    case 'Char': return '\0';
    default: return null;
  }
}

// ---- StringComparer ----

export type StringComparison = 'Ordinal' | 'OrdinalIgnoreCase' | 'InvariantCulture' | 'InvariantCultureIgnoreCase' | 'CurrentCulture' | 'CurrentCultureIgnoreCase';

// .NET's OrdinalIgnoreCase upper-cases each UTF-16 unit on its own (no 'ß' → 'SS').
const upperInvariant = (s: string): string => {
  let out = '';
  for (const ch of s) { const u = ch.toUpperCase(); out += u.length === ch.length ? u : ch; }
  return out;
};

export class StringComparer {
  private constructor(readonly kind: StringComparison) {}
  static readonly Ordinal = new StringComparer('Ordinal');
  static readonly OrdinalIgnoreCase = new StringComparer('OrdinalIgnoreCase');
  static readonly InvariantCulture = new StringComparer('InvariantCulture');
  static readonly InvariantCultureIgnoreCase = new StringComparer('InvariantCultureIgnoreCase');
  // The invariant culture is the current culture in API Management.
  static readonly CurrentCulture = new StringComparer('CurrentCulture');
  static readonly CurrentCultureIgnoreCase = new StringComparer('CurrentCultureIgnoreCase');

  get ignoreCase(): boolean { return this.kind.endsWith('IgnoreCase'); }

  /** The key two strings share when this comparer finds them equal. */
  key(s: unknown): unknown { return typeof s === 'string' && this.ignoreCase ? upperInvariant(s) : equalityKey(s); }

  equals(a: string | null, b: string | null): boolean {
    if (a === null || b === null) return a === b;
    if (this.kind.startsWith('Ordinal')) return this.key(a) === this.key(b);
    return this.compare(a, b) === 0;
  }

  compare(a: string | null, b: string | null): number {
    if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1;
    if (this.kind === 'Ordinal') return a < b ? -1 : a > b ? 1 : 0;
    if (this.kind === 'OrdinalIgnoreCase') { const x = upperInvariant(a); const y = upperInvariant(b); return x < y ? -1 : x > y ? 1 : 0; }
    return (this.ignoreCase ? invariantIgnoreCaseCollator : invariantCollator).compare(a, b);
  }

  toString(): string {
    return this.kind.startsWith('Ordinal') ? `System.${this.kind}Comparer` : 'System.CultureAwareComparer';
  }
}

// ---- KeyValuePair ----

export class KeyValuePair<K, V> {
  constructor(readonly key: K, readonly value: V) {}
  toString(): string { return `[${formatValue(this.key)}, ${formatValue(this.value)}]`; }
}

// ---- what interfaces see ----

/** IReadOnlyDictionary<K,V> as every dictionary-shaped runtime value implements it (Dictionary, JObject, headers...). */
export interface ReadOnlyDictionaryView<K, V> extends Iterable<KeyValuePair<K, V>> {
  readonly count: number;
  /** The value, or undefined when absent (values are never undefined: null is null). */
  lookup(key: K): V | undefined;
  keyList(): K[];
  valueList(): V[];
  /** An indexer that does not throw KeyNotFoundException for a missing key (APIM's claims map). */
  item?(key: K): V;
}

/** IDictionary<K,V>: a ReadOnlyDictionaryView that can change. */
export interface DictionaryView<K, V> extends ReadOnlyDictionaryView<K, V> {
  add(key: K, value: V): void;
  set(key: K, value: V): void;
  remove(key: K): boolean;
  clear(): void;
}

export const isDictionaryView = (v: unknown): v is ReadOnlyDictionaryView<unknown, unknown> =>
  v !== null && typeof v === 'object' && typeof (v as Partial<ReadOnlyDictionaryView<unknown, unknown>>).lookup === 'function';
export const isMutableDictionaryView = (v: unknown): v is DictionaryView<unknown, unknown> =>
  isDictionaryView(v) && typeof (v as Partial<DictionaryView<unknown, unknown>>).add === 'function';

/** The indexer's get: KeyNotFoundException when absent, ArgumentNullException for a null key. */
export function dictionaryGet<K, V>(d: ReadOnlyDictionaryView<K, V>, key: K): V {
  if (key === null) throw argumentNull('key');
  if (d.item) return d.item(key);
  const v = d.lookup(key);
  if (v === undefined) throw keyNotFound(formatValue(key));
  return v;
}

// ---- Dictionary<K,V> ----

const typeArgsText = (args: readonly TypeRef[] | undefined, fallback: string): string =>
  args && args.length ? args.map(dotnetTypeName).join(',') : fallback;

/** The CLR name .NET prints for a type in ToString() of generic collections (`System.Int32`). */
export function dotnetTypeName(t: TypeRef): string {
  if (t.name === '[]') return `${dotnetTypeName(t.args[0])}[]`;
  if (t.name === '?') return `System.Nullable\`1[${dotnetTypeName(t.args[0])}]`;
  const system = ['Boolean', 'Byte', 'SByte', 'Char', 'Int16', 'UInt16', 'Int32', 'UInt32', 'Int64', 'UInt64', 'Single', 'Double', 'Decimal', 'String', 'Object'];
  const ns = system.includes(t.name) ? 'System.' : '';
  return t.args.length ? `${ns}${t.name}\`${t.args.length}[${t.args.map(dotnetTypeName).join(',')}]` : `${ns}${t.name}`;
}

export class Dictionary<K, V> implements DictionaryView<K, V> {
  private readonly map = new Map<unknown, [K, V]>();
  constructor(readonly comparer: StringComparer | null = null, private readonly typeArgs?: readonly TypeRef[]) {}

  private key(k: K): unknown {
    if (k === null || k === undefined) throw argumentNull('key');
    return this.comparer ? this.comparer.key(k) : equalityKey(k);
  }

  get count(): number { return this.map.size; }
  lookup(key: K): V | undefined { return this.map.get(this.key(key))?.[1]; }
  containsKey(key: K): boolean { return this.map.has(this.key(key)); }
  containsValue(value: V): boolean {
    for (const [, v] of this.map.values()) if (valueEquals(v, value)) return true;
    return false;
  }
  add(key: K, value: V): void {
    const k = this.key(key);
    if (this.map.has(k)) throw argumentError(`An item with the same key has already been added. Key: ${formatValue(key)}`);
    this.map.set(k, [key, value]);
  }
  /** The indexer's set: adds or replaces (the first spelling of the key is kept, as .NET does). */
  set(key: K, value: V): void {
    const k = this.key(key);
    const old = this.map.get(k);
    this.map.set(k, [old ? old[0] : key, value]);
  }
  remove(key: K): boolean { return this.map.delete(this.key(key)); }
  clear(): void { this.map.clear(); }
  keyList(): K[] { return [...this.map.values()].map(([k]) => k); }
  valueList(): V[] { return [...this.map.values()].map(([, v]) => v); }
  *[Symbol.iterator](): Iterator<KeyValuePair<K, V>> {
    for (const [k, v] of this.map.values()) yield new KeyValuePair(k, v);
  }
  toString(): string { return `System.Collections.Generic.Dictionary\`2[${typeArgsText(this.typeArgs, 'System.Object,System.Object')}]`; }
}

// ---- HashSet<T> ----

export class HashSet<T> implements Iterable<T> {
  private readonly map = new Map<unknown, T>();
  constructor(readonly comparer: StringComparer | null = null, private readonly typeArgs?: readonly TypeRef[]) {}
  private key(v: T): unknown { return this.comparer && v !== null ? this.comparer.key(v) : equalityKey(v); }
  get count(): number { return this.map.size; }
  add(v: T): boolean { const k = this.key(v); if (this.map.has(k)) return false; this.map.set(k, v); return true; }
  contains(v: T): boolean { return this.map.has(this.key(v)); }
  remove(v: T): boolean { return this.map.delete(this.key(v)); }
  clear(): void { this.map.clear(); }
  [Symbol.iterator](): Iterator<T> { return this.map.values(); }
  toString(): string { return `System.Collections.Generic.HashSet\`1[${typeArgsText(this.typeArgs, 'System.Object')}]`; }
}

// ---- List<T> ----

/** List<T>: an Array (so arrays and lists share LINQ and indexing), told apart from T[] by its class. */
export class List<T> extends Array<T> {
  // map/filter on a List make plain arrays, not Lists built through this constructor.
  static override get [Symbol.species](): ArrayConstructor { return Array; }
  typeArgs?: readonly TypeRef[];

  static fromIterable<T>(items: Iterable<T>, typeArgs?: readonly TypeRef[]): List<T> {
    const l = new List<T>();
    for (const x of items) l.push(x);
    if (typeArgs) l.typeArgs = typeArgs;
    return l;
  }
  override toString(): string { return `System.Collections.Generic.List\`1[${typeArgsText(this.typeArgs, 'System.Object')}]`; }
}

export const isList = (v: unknown): v is List<unknown> => v instanceof List;
/** T[]: an Array that is not a List. */
export const isArray = (v: unknown): v is unknown[] => Array.isArray(v) && !(v instanceof List);

const listIndexError = () => argumentOutOfRange('index', 'Index was out of range. Must be non-negative and less than the size of the collection.');

export function listGet<T>(l: readonly T[], index: number): T {
  if (index < 0 || index >= l.length) throw listIndexError();
  return l[index];
}
export function listSet<T>(l: T[], index: number, value: T): void {
  if (index < 0 || index >= l.length) throw listIndexError();
  l[index] = value;
}
export function listInsert<T>(l: T[], index: number, value: T): void {
  if (index < 0 || index > l.length) throw argumentOutOfRange('index', 'Index must be within the bounds of the List.');
  l.splice(index, 0, value);
}
export function listRemoveAt<T>(l: T[], index: number): void {
  if (index < 0 || index >= l.length) throw listIndexError();
  l.splice(index, 1);
}
export function listIndexOf<T>(l: readonly T[], value: T): number {
  for (let i = 0; i < l.length; i++) if (valueEquals(l[i], value)) return i;
  return -1;
}
export function listRemove<T>(l: T[], value: T): boolean {
  const i = listIndexOf(l, value);
  if (i < 0) return false;
  l.splice(i, 1);
  return true;
}
export function listAddRange<T>(l: T[], items: Iterable<T> | null): void {
  if (items === null) throw argumentNull('collection');
  // Snapshot first: list.AddRange(list) doubles the list in .NET.
  for (const x of [...iterate(items)]) l.push(x);
}
export function listGetRange<T>(l: readonly T[], index: number, count: number): List<T> {
  if (index < 0) throw argumentOutOfRange('index', 'Non-negative number required.');
  if (count < 0) throw argumentOutOfRange('count', 'Non-negative number required.');
  if (l.length - index < count) throw argumentError('Offset and length were out of bounds for the array or count is greater than the number of elements from index to the end of the source collection.');
  return List.fromIterable(l.slice(index, index + count));
}
export function listRemoveRange<T>(l: T[], index: number, count: number): void {
  listGetRange(l, index, count);
  l.splice(index, count);
}
/** List<T>.Sort(): stable here; .NET's introsort is not, so equal elements may come out in another order there. */
export function listSort<T>(l: T[], comparison?: (a: T, b: T) => number): void {
  const sorted = [...l].sort(comparison ?? compareValues);
  for (let i = 0; i < sorted.length; i++) l[i] = sorted[i];
}
/** List<T>.ForEach: InvalidOperationException when the action changes the list's length. */
export function listForEach<T>(l: readonly T[], action: (x: T) => void): void {
  const n = l.length;
  for (let i = 0; i < n; i++) {
    action(l[i]);
    if (l.length !== n) throw invalidOperation('Collection was modified; enumeration operation may not execute.');
  }
}

/**
 * Iterates a sequence; a string is a sequence of UTF-16 chars (IEnumerable<char>), not of code points.
 * Every element spends a step of the evaluation's budget, so LINQ over an endless or huge sequence is
 * stopped like a runaway loop.
 */
export function* iterate<T>(source: Iterable<T>): Generator<T> {
  if (typeof source === 'string') {
    const s: string = source;
    for (let i = 0; i < s.length; i++) { tick(); yield s[i] as T; }
    return;
  }
  for (const x of source) { tick(); yield x; }
}

/** ICollection<T>.Count for any collection-shaped runtime value. */
export function collectionCount(c: unknown): number {
  if (Array.isArray(c)) return c.length;
  if (typeof c === 'string') return c.length;
  if (c !== null && typeof c === 'object' && typeof (c as { count?: unknown }).count === 'number') return (c as { count: number }).count;
  let n = 0;
  for (const _ of c as Iterable<unknown>) n++;
  return n;
}

export const notSupported = (message: string) => new DotNetException('System.NotSupportedException', message);
