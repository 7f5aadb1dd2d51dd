// System.Collections.Generic for expressions: the interfaces (members declared once, dispatched on the
// runtime value so Dictionary, JObject and the gateway's header maps all answer them), List<T>, T[]'s
// System.Array, Dictionary<K,V>, HashSet<T>, KeyValuePair<K,V> and StringComparer.
import {
  collectionCount, Dictionary, dictionaryGet, HashSet, isArray, isDictionaryView, isList, isMutableDictionaryView, iterate,
  KeyValuePair, List, listAddRange, listForEach, listGet, listGetRange, listIndexOf, listInsert, listRemove, listRemoveAt,
  listRemoveRange, listSet, listSort, notSupported, StringComparer, valueEquals, type DictionaryView, type ReadOnlyDictionaryView,
} from '../dotnet/collections.js';
import { argumentError, argumentNull, argumentOutOfRange } from '../dotnet/exceptions.js';
import type { Ref, TypeSpec } from './define.js';

const NS = 'System.Collections.Generic';
type RO = ReadOnlyDictionaryView<unknown, unknown>;
type RW = DictionaryView<unknown, unknown>;
/** What HashSet, JArray and other non-array collections implement for ICollection<T>. */
interface CollectionOps { add(x: unknown): unknown; remove(x: unknown): boolean; contains(x: unknown): boolean; clear(): void }
const hasOps = (c: unknown): c is CollectionOps => c !== null && typeof c === 'object' && typeof (c as Partial<CollectionOps>).contains === 'function';

const isIterable = (v: unknown): boolean =>
  typeof v === 'string' || (v !== null && typeof v === 'object' && typeof (v as Partial<Iterable<unknown>>)[Symbol.iterator] === 'function');

const fixedSize = () => notSupported('Collection was of a fixed size.');
const kvp = (x: unknown) => x as KeyValuePair<unknown, unknown>;

// ICollection<T> over every collection-shaped runtime value.
const collection = {
  add(c: unknown, x: unknown): void {
    if (isArray(c)) throw fixedSize();
    if (Array.isArray(c)) { c.push(x); return; }
    if (isMutableDictionaryView(c)) { c.add(kvp(x).key, kvp(x).value); return; }
    if (hasOps(c)) { c.add(x); return; }
    throw notSupported('Collection is read-only.');
  },
  remove(c: unknown, x: unknown): boolean {
    if (isArray(c)) throw fixedSize();
    if (Array.isArray(c)) return listRemove(c, x);
    if (isMutableDictionaryView(c)) return collection.contains(c, x) && c.remove(kvp(x).key);
    if (hasOps(c)) return c.remove(x);
    throw notSupported('Collection is read-only.');
  },
  contains(c: unknown, x: unknown): boolean {
    if (Array.isArray(c)) return listIndexOf(c, x) >= 0;
    if (isDictionaryView(c)) { const v = c.lookup(kvp(x).key); return v !== undefined && valueEquals(v, kvp(x).value); }
    if (hasOps(c)) return c.contains(x);
    for (const y of iterate(c as Iterable<unknown>)) if (valueEquals(x, y)) return true;
    return false;
  },
  clear(c: unknown): void {
    if (isArray(c)) throw fixedSize();
    if (Array.isArray(c)) { c.length = 0; return; }
    if (isMutableDictionaryView(c) || hasOps(c)) { c.clear(); return; }
    throw notSupported('Collection is read-only.');
  },
};

/**
 * `TryGetValue(key, out value)` on any dictionary view. A miss leaves default(TValue): null here, since
 * members of generic types are not given their type arguments (only generic methods are).
 */
export function tryGetValue(d: RO, key: unknown, out: Ref<unknown>): boolean {
  if (key === null) throw argumentNull('key');
  const v = d.lookup(key);
  out.value = v === undefined ? null : v;
  return v !== undefined;
}

const readOnlyDictionaryMembers = {
  'this[TKey key]: TValue': (d: RO, k: unknown) => dictionaryGet(d, k),
  'Count: int': (d: RO) => d.count,
  'ContainsKey(TKey key): bool': (d: RO, k: unknown) => { if (k === null) throw argumentNull('key'); return d.lookup(k) !== undefined; },
  'TryGetValue(TKey key, out TValue value): bool': (d: RO, k: unknown, out: Ref<unknown>) => tryGetValue(d, k, out),
};

const listMembers = {
  'Count: int': (l: unknown[]) => l.length,
  'this[int index]: T': { get: (l: unknown[], i: number) => listGet(l, i), set: (l: unknown[], i: number, v: unknown) => listSet(l, i, v) },
  'Add(T item): void': (l: unknown[], x: unknown) => { l.push(x); },
  'AddRange(IEnumerable<T> collection): void': (l: unknown[], xs: Iterable<unknown> | null) => listAddRange(l, xs),
  'Clear(): void': (l: unknown[]) => { l.length = 0; },
  'Contains(T item): bool': (l: unknown[], x: unknown) => listIndexOf(l, x) >= 0,
  'IndexOf(T item): int': (l: unknown[], x: unknown) => listIndexOf(l, x),
  'LastIndexOf(T item): int': (l: unknown[], x: unknown) => { for (let i = l.length - 1; i >= 0; i--) if (valueEquals(l[i], x)) return i; return -1; },
  'Insert(int index, T item): void': (l: unknown[], i: number, x: unknown) => listInsert(l, i, x),
  'InsertRange(int index, IEnumerable<T> collection): void': (l: unknown[], i: number, xs: Iterable<unknown> | null) => {
    if (xs === null) throw argumentNull('collection');
    [...iterate(xs)].forEach((x, j) => listInsert(l, i + j, x));
  },
  'Remove(T item): bool': (l: unknown[], x: unknown) => listRemove(l, x),
  'RemoveAt(int index): void': (l: unknown[], i: number) => listRemoveAt(l, i),
  'RemoveRange(int index, int count): void': (l: unknown[], i: number, n: number) => listRemoveRange(l, i, n),
  'RemoveAll(Predicate<T> match): int': (l: unknown[], p: (x: unknown) => boolean) => {
    const keep = l.filter((x) => !p(x));
    const removed = l.length - keep.length;
    l.length = 0;
    l.push(...keep);
    return removed;
  },
  'GetRange(int index, int count): List<T>': (l: unknown[], i: number, n: number) => listGetRange(l, i, n),
  'Exists(Predicate<T> match): bool': (l: unknown[], p: (x: unknown) => boolean) => l.some((x) => p(x)),
  'TrueForAll(Predicate<T> match): bool': (l: unknown[], p: (x: unknown) => boolean) => l.every((x) => p(x)),
  // default(T) is null here: the element type is not passed to members of generic types (see report).
  'Find(Predicate<T> match): T': (l: unknown[], p: (x: unknown) => boolean) => { for (const x of l) if (p(x)) return x; return null; },
  'FindLast(Predicate<T> match): T': (l: unknown[], p: (x: unknown) => boolean) => { for (let i = l.length - 1; i >= 0; i--) if (p(l[i])) return l[i]; return null; },
  'FindIndex(Predicate<T> match): int': (l: unknown[], p: (x: unknown) => boolean) => l.findIndex((x) => p(x)),
  'FindAll(Predicate<T> match): List<T>': (l: unknown[], p: (x: unknown) => boolean) => List.fromIterable(l.filter((x) => p(x))),
  'ForEach(Action<T> action): void': (l: unknown[], f: (x: unknown) => void) => listForEach(l, f),
  'Reverse(): void': (l: unknown[]) => { l.reverse(); },
  'Sort(): void': (l: unknown[]) => listSort(l),
  'Sort(Comparison<T> comparison): void': (l: unknown[], f: (a: unknown, b: unknown) => number) => listSort(l, f),
  'ToArray(): T[]': (l: unknown[]) => [...l],
};

export const collections: TypeSpec[] = [
  { name: 'IEnumerable', namespace: NS, typeParams: ['T'], is: isIterable },
  { name: 'IReadOnlyCollection', namespace: NS, typeParams: ['T'], implements: ['IEnumerable<T>'], is: isIterable,
    instance: { 'Count: int': (c: unknown) => collectionCount(c) } },
  { name: 'ICollection', namespace: NS, typeParams: ['T'], implements: ['IEnumerable<T>'], is: isIterable,
    instance: {
      'Count: int': (c: unknown) => collectionCount(c),
      'IsReadOnly: bool': (c: unknown) => isArray(c),
      'Add(T item): void': collection.add,
      'Remove(T item): bool': collection.remove,
      'Contains(T item): bool': collection.contains,
      'Clear(): void': collection.clear,
    } },
  { name: 'IList', namespace: NS, typeParams: ['T'], implements: ['ICollection<T>', 'IEnumerable<T>'], is: Array.isArray,
    instance: {
      'this[int index]: T': { get: (l: unknown[], i: number) => listGet(l, i), set: (l: unknown[], i: number, v: unknown) => listSet(l, i, v) },
      'IndexOf(T item): int': (l: unknown[], x: unknown) => listIndexOf(l, x),
      'Insert(int index, T item): void': (l: unknown[], i: number, x: unknown) => { if (isArray(l)) throw fixedSize(); listInsert(l, i, x); },
      'RemoveAt(int index): void': (l: unknown[], i: number) => { if (isArray(l)) throw fixedSize(); listRemoveAt(l, i); },
    } },
  { name: 'IReadOnlyList', namespace: NS, typeParams: ['T'], implements: ['IReadOnlyCollection<T>', 'IEnumerable<T>'], is: Array.isArray,
    instance: { 'this[int index]: T': (l: unknown[], i: number) => listGet(l, i) } },
  { name: 'IReadOnlyDictionary', namespace: NS, typeParams: ['TKey', 'TValue'], is: isDictionaryView,
    implements: ['IReadOnlyCollection<KeyValuePair<TKey,TValue>>', 'IEnumerable<KeyValuePair<TKey,TValue>>'],
    instance: {
      ...readOnlyDictionaryMembers,
      'Keys: IEnumerable<TKey>': (d: RO) => d.keyList(),
      'Values: IEnumerable<TValue>': (d: RO) => d.valueList(),
    } },
  { name: 'IDictionary', namespace: NS, typeParams: ['TKey', 'TValue'], is: isMutableDictionaryView,
    implements: ['ICollection<KeyValuePair<TKey,TValue>>', 'IEnumerable<KeyValuePair<TKey,TValue>>'],
    instance: {
      ...readOnlyDictionaryMembers,
      'this[TKey key]: TValue': { get: (d: RW, k: unknown) => dictionaryGet(d, k), set: (d: RW, k: unknown, v: unknown) => { if (k === null) throw argumentNull('key'); d.set(k, v); } },
      'Keys: ICollection<TKey>': (d: RO) => d.keyList(),
      'Values: ICollection<TValue>': (d: RO) => d.valueList(),
      'Add(TKey key, TValue value): void': (d: RW, k: unknown, v: unknown) => d.add(k, v),
      'Remove(TKey key): bool': (d: RW, k: unknown) => { if (k === null) throw argumentNull('key'); return d.remove(k); },
    } },
  { name: 'IEqualityComparer', namespace: NS, typeParams: ['T'], is: (v) => v instanceof StringComparer },
  { name: 'IComparer', namespace: NS, typeParams: ['T'], is: (v) => v instanceof StringComparer },
  {
    name: 'KeyValuePair', namespace: NS, typeParams: ['TKey', 'TValue'], struct: true, is: (v) => v instanceof KeyValuePair,
    ctors: { '(TKey key, TValue value)': (k: unknown, v: unknown) => new KeyValuePair(k, v) },
    instance: {
      'Key: TKey': (p: KeyValuePair<unknown, unknown>) => p.key,
      'Value: TValue': (p: KeyValuePair<unknown, unknown>) => p.value,
    },
  },
  {
    name: 'List', namespace: NS, typeParams: ['T'], is: isList,
    implements: ['IList<T>', 'ICollection<T>', 'IEnumerable<T>', 'IReadOnlyList<T>', 'IReadOnlyCollection<T>'],
    ctors: {
      '()': () => new List(),
      '(int capacity)': () => new List(),
      '(IEnumerable<T> collection)': (xs: Iterable<unknown> | null) => { if (xs === null) throw argumentNull('collection'); return List.fromIterable(iterate(xs)); },
    },
    instance: listMembers,
  },
  {
    // T[] is System.Array: the compiler gives T[] its Length and indexer; these are the rest.
    name: 'Array', namespace: 'System', is: isArray,
    instance: { 'Length: int': (a: unknown[]) => a.length, 'LongLength: long': (a: unknown[]) => BigInt(a.length) },
    statics: {
      'Empty<T>(): T[]': () => [],
      'IndexOf<T>(T[] array, T value): int': (a: unknown[] | null, x: unknown) => listIndexOf(need(a), x),
      'Exists<T>(T[] array, Predicate<T> match): bool': (a: unknown[] | null, p: (x: unknown) => boolean) => need(a).some((x) => p(x)),
      'Find<T>(T[] array, Predicate<T> match): T': (a: unknown[] | null, p: (x: unknown) => boolean) => { for (const x of need(a)) if (p(x)) return x; return null; },
      'Reverse(Array array): void': (a: unknown[] | null) => { need(a).reverse(); },
      'Copy(Array sourceArray, Array destinationArray, int length): void': (src: unknown[] | null, dst: unknown[] | null, n: number) => arrayCopy(need(src), 0, need(dst), 0, n),
      'Copy(Array sourceArray, int sourceIndex, Array destinationArray, int destinationIndex, int length): void':
        (src: unknown[] | null, si: number, dst: unknown[] | null, di: number, n: number) => arrayCopy(need(src), si, need(dst), di, n),
      'Sort<T>(T[] array): void': (a: unknown[] | null) => listSort(need(a)),
    },
  },
  {
    name: 'Dictionary', namespace: NS, typeParams: ['TKey', 'TValue'], is: (v) => v instanceof Dictionary,
    implements: ['IDictionary<TKey,TValue>', 'IReadOnlyDictionary<TKey,TValue>', 'ICollection<KeyValuePair<TKey,TValue>>',
      'IReadOnlyCollection<KeyValuePair<TKey,TValue>>', 'IEnumerable<KeyValuePair<TKey,TValue>>'],
    ctors: {
      '()': () => new Dictionary(),
      '(int capacity)': () => new Dictionary(),
      '(IEqualityComparer<TKey> comparer)': (c: StringComparer | null) => new Dictionary(c),
      '(IDictionary<TKey,TValue> dictionary)': (src: RO | null) => copyDictionary(src, null),
      '(IDictionary<TKey,TValue> dictionary, IEqualityComparer<TKey> comparer)': (src: RO | null, c: StringComparer | null) => copyDictionary(src, c),
    },
    instance: {
      ...readOnlyDictionaryMembers,
      'this[TKey key]: TValue': { get: (d: Dictionary<unknown, unknown>, k: unknown) => dictionaryGet(d, k), set: (d: Dictionary<unknown, unknown>, k: unknown, v: unknown) => d.set(k, v) },
      'Comparer: IEqualityComparer<TKey>': (d: Dictionary<unknown, unknown>) => d.comparer,
      'Keys: ICollection<TKey>': (d: Dictionary<unknown, unknown>) => d.keyList(),
      'Values: ICollection<TValue>': (d: Dictionary<unknown, unknown>) => d.valueList(),
      'Add(TKey key, TValue value): void': (d: Dictionary<unknown, unknown>, k: unknown, v: unknown) => d.add(k, v),
      'TryAdd(TKey key, TValue value): bool': (d: Dictionary<unknown, unknown>, k: unknown, v: unknown) => { if (d.containsKey(k)) return false; d.add(k, v); return true; },
      'ContainsValue(TValue value): bool': (d: Dictionary<unknown, unknown>, v: unknown) => d.containsValue(v),
      'Remove(TKey key): bool': (d: Dictionary<unknown, unknown>, k: unknown) => d.remove(k),
      'Clear(): void': (d: Dictionary<unknown, unknown>) => d.clear(),
    },
  },
  {
    name: 'HashSet', namespace: NS, typeParams: ['T'], is: (v) => v instanceof HashSet,
    implements: ['ISet<T>', 'ICollection<T>', 'IReadOnlyCollection<T>', 'IEnumerable<T>'],
    ctors: {
      '()': () => new HashSet(),
      '(IEnumerable<T> collection)': (xs: Iterable<unknown> | null) => fillSet(new HashSet(), xs),
      '(IEqualityComparer<T> comparer)': (c: StringComparer | null) => new HashSet(c),
      '(IEnumerable<T> collection, IEqualityComparer<T> comparer)': (xs: Iterable<unknown> | null, c: StringComparer | null) => fillSet(new HashSet(c), xs),
    },
    instance: {
      'Count: int': (s: HashSet<unknown>) => s.count,
      'Add(T item): bool': (s: HashSet<unknown>, x: unknown) => s.add(x),
      'Contains(T item): bool': (s: HashSet<unknown>, x: unknown) => s.contains(x),
      'Remove(T item): bool': (s: HashSet<unknown>, x: unknown) => s.remove(x),
      'Clear(): void': (s: HashSet<unknown>) => s.clear(),
      'UnionWith(IEnumerable<T> other): void': (s: HashSet<unknown>, xs: Iterable<unknown> | null) => { fillSet(s, xs); },
      'ExceptWith(IEnumerable<T> other): void': (s: HashSet<unknown>, xs: Iterable<unknown> | null) => {
        if (xs === null) throw argumentNull('other');
        for (const x of iterate(xs)) s.remove(x);
      },
      'IntersectWith(IEnumerable<T> other): void': (s: HashSet<unknown>, xs: Iterable<unknown> | null) => {
        const other = fillSet(new HashSet(s.comparer), xs);
        for (const x of [...s]) if (!other.contains(x)) s.remove(x);
      },
    },
  },
  { name: 'ISet', namespace: NS, typeParams: ['T'], implements: ['ICollection<T>', 'IEnumerable<T>'], is: (v) => v instanceof HashSet },
  {
    name: 'StringComparer', namespace: 'System', is: (v) => v instanceof StringComparer,
    implements: ['IEqualityComparer<string>', 'IComparer<string>'],
    statics: {
      'Ordinal: StringComparer': () => StringComparer.Ordinal,
      'OrdinalIgnoreCase: StringComparer': () => StringComparer.OrdinalIgnoreCase,
      'InvariantCulture: StringComparer': () => StringComparer.InvariantCulture,
      'InvariantCultureIgnoreCase: StringComparer': () => StringComparer.InvariantCultureIgnoreCase,
      'CurrentCulture: StringComparer': () => StringComparer.CurrentCulture,
      'CurrentCultureIgnoreCase: StringComparer': () => StringComparer.CurrentCultureIgnoreCase,
    },
    instance: {
      'Equals(string x, string y): bool': (c: StringComparer, x: string | null, y: string | null) => c.equals(x, y),
      'Compare(string x, string y): int': (c: StringComparer, x: string | null, y: string | null) => Math.sign(c.compare(x, y)),
    },
  },
];

function need<T>(a: T | null): T {
  if (a === null) throw argumentNull('array');
  return a;
}

function copyDictionary(src: RO | null, comparer: StringComparer | null): Dictionary<unknown, unknown> {
  if (src === null) throw argumentNull('dictionary');
  const d = new Dictionary<unknown, unknown>(comparer);
  for (const p of src) d.add(p.key, p.value);
  return d;
}

function fillSet(s: HashSet<unknown>, xs: Iterable<unknown> | null): HashSet<unknown> {
  if (xs === null) throw argumentNull('collection');
  for (const x of iterate(xs)) s.add(x);
  return s;
}

/** Array.Copy: .NET's argument checks, then element by element (overlapping ranges copy as if buffered). */
function arrayCopy(src: ArrayLike<unknown> & { [i: number]: unknown }, si: number, dst: { length: number; [i: number]: unknown }, di: number, n: number): void {
  if (n < 0) throw argumentOutOfRange('length', 'Non-negative number required.');
  if (si < 0 || di < 0) throw argumentOutOfRange(si < 0 ? 'sourceIndex' : 'destinationIndex', 'Non-negative number required.');
  if (si + n > src.length) throw argumentError('Source array was not long enough. Check the source index, length, and the array\'s lower bounds.', 'sourceArray');
  if (di + n > dst.length) throw argumentError('Destination array was not long enough. Check the destination index, length, and the array\'s lower bounds.', 'destinationArray');
  const copy = Array.from({ length: n }, (_, k) => src[si + k]);
  for (let k = 0; k < n; k++) dst[di + k] = copy[k];
}
