// System.Linq.Enumerable over any Iterable (arrays, lists, dictionaries, JSON, XML, headers). Lazy where
// .NET defers (Where, Select, OrderBy... run when enumerated, and again on every enumeration), eager where
// .NET is (ToList, Count, First...). Messages are .NET's.
import type { TypeRef } from '../surface/types.js';
import {
  compareValues, defaultOf, Dictionary, equalityKey, HashSet, iterate, List, StringComparer, valueEquals,
} from './collections.js';
import { argumentNull, argumentOutOfRange, invalidOperation, overflow } from './exceptions.js';
import { tick } from '../runtime.js';

type Pred<T> = (x: T) => boolean;
type IndexedPred<T> = (x: T, i: number) => boolean;
type Fn<T, R> = (x: T) => R;

const noElements = () => invalidOperation('Sequence contains no elements');
const noMatch = () => invalidOperation('Sequence contains no matching element');
const moreThanOne = () => invalidOperation('Sequence contains more than one element');
const moreThanOneMatch = () => invalidOperation('Sequence contains more than one matching element');

function need<T>(value: T | null, param: string): T {
  if (value === null || value === undefined) throw argumentNull(param);
  return value;
}

/** A deferred sequence: each enumeration runs the query again, as .NET's iterators do. */
export class Seq<T> implements Iterable<T> {
  constructor(private readonly run: () => Iterator<T>, private readonly kind = 'Iterator') {}
  [Symbol.iterator](): Iterator<T> { return this.run(); }
  toString(): string { return `System.Linq.Enumerable+${this.kind}\`1[System.Object]`; }
}

const seq = <T>(kind: string, gen: () => Generator<T>): Seq<T> => new Seq(gen, kind);

// ---- filtering and projection ----

export function where<T>(source: Iterable<T> | null, predicate: Pred<T> | IndexedPred<T> | null): Seq<T> {
  const src = need(source, 'source');
  const p = need(predicate, 'predicate') as IndexedPred<T>;
  return seq('WhereEnumerableIterator', function* () { let i = 0; for (const x of iterate(src)) if (p(x, i++)) yield x; });
}

export function select<T, R>(source: Iterable<T> | null, selector: ((x: T, i: number) => R) | null): Seq<R> {
  const src = need(source, 'source');
  const f = need(selector, 'selector');
  return seq('SelectEnumerableIterator', function* () { let i = 0; for (const x of iterate(src)) yield f(x, i++); });
}

export function selectMany<T, C, R>(source: Iterable<T> | null, selector: ((x: T, i: number) => Iterable<C>) | null, resultSelector?: (x: T, c: C) => R): Seq<C | R> {
  const src = need(source, 'source');
  const f = need(selector, 'selector');
  return seq('SelectManyIterator', function* () {
    let i = 0;
    for (const x of iterate(src)) for (const c of iterate(need(f(x, i++), 'source'))) yield resultSelector ? resultSelector(x, c) : c;
  });
}

export function ofType<T>(source: Iterable<unknown> | null, test: (v: unknown) => boolean): Seq<T> {
  const src = need(source, 'source');
  return seq('OfTypeIterator', function* () { for (const x of iterate(src)) if (x !== null && test(x)) yield x as T; });
}

export function cast<T>(source: Iterable<unknown> | null, cast1: (v: unknown) => T): Seq<T> {
  const src = need(source, 'source');
  return seq('CastIterator', function* () { for (const x of iterate(src)) yield cast1(x); });
}

// ---- element operators ----

export function first<T>(source: Iterable<T> | null, predicate?: Pred<T> | null): T {
  const src = need(source, 'source');
  if (predicate === undefined) { for (const x of iterate(src)) return x; throw noElements(); }
  const p = need(predicate, 'predicate');
  for (const x of iterate(src)) if (p(x)) return x;
  throw noMatch();
}

export function firstOrDefault<T>(source: Iterable<T> | null, predicate: Pred<T> | null | undefined, type: TypeRef | undefined): T {
  const src = need(source, 'source');
  const p = predicate === undefined ? undefined : need(predicate, 'predicate');
  for (const x of iterate(src)) if (!p || p(x)) return x;
  return defaultOf(type) as T;
}

export function last<T>(source: Iterable<T> | null, predicate?: Pred<T> | null): T {
  const src = need(source, 'source');
  const p = predicate === undefined ? undefined : need(predicate, 'predicate');
  let found = false;
  let result: T | undefined;
  for (const x of iterate(src)) if (!p || p(x)) { found = true; result = x; }
  if (!found) throw p ? noMatch() : noElements();
  return result as T;
}

export function lastOrDefault<T>(source: Iterable<T> | null, predicate: Pred<T> | null | undefined, type: TypeRef | undefined): T {
  const src = need(source, 'source');
  const p = predicate === undefined ? undefined : need(predicate, 'predicate');
  let result = defaultOf(type) as T;
  for (const x of iterate(src)) if (!p || p(x)) result = x;
  return result;
}

function singleOf<T>(src: Iterable<T>, p: Pred<T> | undefined): { found: boolean; value?: T } {
  let found = false;
  let value: T | undefined;
  for (const x of iterate(src)) {
    if (p && !p(x)) continue;
    if (found) throw p ? moreThanOneMatch() : moreThanOne();
    found = true;
    value = x;
  }
  return { found, value };
}

export function single<T>(source: Iterable<T> | null, predicate?: Pred<T> | null): T {
  const p = predicate === undefined ? undefined : need(predicate, 'predicate');
  const r = singleOf(need(source, 'source'), p);
  if (!r.found) throw p ? noMatch() : noElements();
  return r.value as T;
}

export function singleOrDefault<T>(source: Iterable<T> | null, predicate: Pred<T> | null | undefined, type: TypeRef | undefined): T {
  const p = predicate === undefined ? undefined : need(predicate, 'predicate');
  const r = singleOf(need(source, 'source'), p);
  return r.found ? r.value as T : defaultOf(type) as T;
}

const indexOutOfRange = () => argumentOutOfRange('index', 'Index was out of range. Must be non-negative and less than the size of the collection.');

export function elementAt<T>(source: Iterable<T> | null, index: number): T {
  const src = need(source, 'source');
  if (index >= 0) { let i = 0; for (const x of iterate(src)) if (i++ === index) return x; }
  throw indexOutOfRange();
}

export function elementAtOrDefault<T>(source: Iterable<T> | null, index: number, type: TypeRef | undefined): T {
  const src = need(source, 'source');
  if (index >= 0) { let i = 0; for (const x of iterate(src)) if (i++ === index) return x; }
  return defaultOf(type) as T;
}

export function defaultIfEmpty<T>(source: Iterable<T> | null, defaultValue: T): Seq<T> {
  const src = need(source, 'source');
  return seq('DefaultIfEmptyIterator', function* () {
    let any = false;
    for (const x of iterate(src)) { any = true; yield x; }
    if (!any) yield defaultValue;
  });
}

// ---- quantifiers and counts ----

export function any<T>(source: Iterable<T> | null, predicate?: Pred<T> | null): boolean {
  const src = need(source, 'source');
  const p = predicate === undefined ? undefined : need(predicate, 'predicate');
  for (const x of iterate(src)) if (!p || p(x)) return true;
  return false;
}

export function all<T>(source: Iterable<T> | null, predicate: Pred<T> | null): boolean {
  const src = need(source, 'source');
  const p = need(predicate, 'predicate');
  for (const x of iterate(src)) if (!p(x)) return false;
  return true;
}

export function count<T>(source: Iterable<T> | null, predicate?: Pred<T> | null): number {
  const src = need(source, 'source');
  const p = predicate === undefined ? undefined : need(predicate, 'predicate');
  if (!p && Array.isArray(src)) return src.length;
  let n = 0;
  for (const x of iterate(src)) if (!p || p(x)) n++;
  return n;
}

export function contains<T>(source: Iterable<T> | null, value: T, comparer?: StringComparer | null): boolean {
  const src = need(source, 'source');
  for (const x of iterate(src)) if (comparer ? comparer.equals(x as string, value as string) : valueEquals(x, value)) return true;
  return false;
}

export function sequenceEqual<T>(a: Iterable<T> | null, b: Iterable<T> | null): boolean {
  const x = [...iterate(need(a, 'first'))];
  const y = [...iterate(need(b, 'second'))];
  return x.length === y.length && x.every((v, i) => valueEquals(v, y[i]));
}

// ---- aggregates ----

export type NumKind = 'int' | 'long' | 'double' | 'decimal' | 'float';

const INT_MIN = -2147483648;
const INT_MAX = 2147483647;
const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;

/** Sum (checked for int and long, as Enumerable.Sum is). Nulls (int?) are skipped. */
export function sum(kind: NumKind, source: Iterable<unknown> | null, selector?: Fn<unknown, unknown> | null): number | bigint {
  const src = need(source, 'source');
  const f = selector === undefined ? undefined : need(selector, 'selector');
  if (kind === 'long') {
    let total = 0n;
    for (const x of iterate(src)) {
      const v = f ? f(x) : x;
      if (v === null) continue;
      total += v as bigint;
      if (total < LONG_MIN || total > LONG_MAX) throw overflow();
    }
    return total;
  }
  let total = 0;
  for (const x of iterate(src)) {
    const v = f ? f(x) : x;
    if (v === null) continue;
    total += v as number;
    if (kind === 'int' && (total < INT_MIN || total > INT_MAX)) throw overflow();
  }
  return total;
}

export function average(kind: NumKind, source: Iterable<unknown> | null, selector?: Fn<unknown, unknown> | null): number {
  const src = need(source, 'source');
  const f = selector === undefined ? undefined : need(selector, 'selector');
  let n = 0;
  let total = 0;
  let big = 0n;
  for (const x of iterate(src)) {
    const v = f ? f(x) : x;
    if (v === null) continue;
    n++;
    if (typeof v === 'bigint') big += v; else total += v as number;
  }
  if (n === 0) throw noElements();
  return kind === 'long' ? Number(big) / n : total / n;
}

/** Min/Max: numbers (NaN is the smallest double, as in .NET) or any comparable value. Empty: throws for value types, null for others. */
export function minMax(which: 'min' | 'max', source: Iterable<unknown> | null, selector: Fn<unknown, unknown> | null | undefined, nullable: boolean): unknown {
  const src = need(source, 'source');
  const f = selector === undefined ? undefined : need(selector, 'selector');
  let best: unknown;
  let found = false;
  for (const x of iterate(src)) {
    const v = f ? f(x) : x;
    if (v === null && nullable) continue;
    if (!found) { best = v; found = true; continue; }
    if (typeof v === 'number' && typeof best === 'number') {
      if (which === 'min' ? (Number.isNaN(v) || v < best) : (Number.isNaN(best) || v > best)) best = v;
      continue;
    }
    const c = compareValues(v, best);
    if (which === 'min' ? c < 0 : c > 0) best = v;
  }
  if (!found) { if (nullable) return null; throw noElements(); }
  return best;
}

export function aggregate<T, A, R>(source: Iterable<T> | null, seedOrFunc: A | ((a: T, x: T) => T), func?: ((a: A, x: T) => A) | null, resultSelector?: ((a: A) => R) | null): unknown {
  const src = need(source, 'source');
  if (func === undefined) {
    const f = need(seedOrFunc as ((a: T, x: T) => T) | null, 'func');
    const it = iterate(src);
    const firstItem = it.next();
    if (firstItem.done) throw noElements();
    let acc = firstItem.value;
    for (const x of it) acc = f(acc, x);
    return acc;
  }
  const f = need(func, 'func');
  let acc = seedOrFunc as A;
  for (const x of iterate(src)) acc = f(acc, x);
  return resultSelector === undefined ? acc : need(resultSelector, 'resultSelector')(acc);
}

// ---- ordering ----

type KeyComparer = { key: Fn<unknown, unknown>; compare: (a: unknown, b: unknown) => number; descending: boolean };

/** IOrderedEnumerable<T>: a stable sort by the keys so far (ThenBy adds one), run when enumerated. */
export class OrderedSeq<T> extends Seq<T> {
  constructor(readonly source: Iterable<T>, readonly keys: readonly KeyComparer[]) {
    super(() => {
      const items = [...iterate(source)].map((value) => ({ value, keys: keys.map((k) => k.key(value)) }));
      items.sort((a, b) => {
        for (let i = 0; i < keys.length; i++) {
          const c = keys[i].compare(a.keys[i], b.keys[i]);
          if (c !== 0) return keys[i].descending ? -c : c;
        }
        return 0;
      });
      return items.map((x) => x.value)[Symbol.iterator]();
    }, 'OrderedEnumerable');
  }
}

const comparerFn = (comparer: StringComparer | null | undefined) =>
  comparer ? (a: unknown, b: unknown) => comparer.compare(a as string, b as string) : compareValues;

export function orderBy<T, K>(source: Iterable<T> | null, keySelector: Fn<T, K> | null, descending: boolean, comparer?: StringComparer | null): OrderedSeq<T> {
  const src = need(source, 'source');
  const key = need(keySelector, 'keySelector') as Fn<unknown, unknown>;
  return new OrderedSeq(src, [{ key, compare: comparerFn(comparer), descending }]);
}

export function thenBy<T, K>(source: OrderedSeq<T> | null, keySelector: Fn<T, K> | null, descending: boolean, comparer?: StringComparer | null): OrderedSeq<T> {
  const src = need(source, 'source');
  const key = need(keySelector, 'keySelector') as Fn<unknown, unknown>;
  return new OrderedSeq(src.source, [...src.keys, { key, compare: comparerFn(comparer), descending }]);
}

export function reverse<T>(source: Iterable<T> | null): Seq<T> {
  const src = need(source, 'source');
  return seq('ReverseIterator', function* () { yield* [...iterate(src)].reverse(); });
}

// ---- grouping and sets ----

/** IGrouping<K,T>: a key and its elements, in source order. */
export class Grouping<K, T> implements Iterable<T> {
  constructor(readonly key: K, readonly elements: T[]) {}
  [Symbol.iterator](): Iterator<T> { return this.elements[Symbol.iterator](); }
  toString(): string { return 'System.Linq.Grouping`2[System.Object,System.Object]'; }
}

const keyFn = (comparer: StringComparer | null | undefined) => (k: unknown) => (comparer && k !== null ? comparer.key(k) : equalityKey(k));

export function groupBy<T, K, E>(source: Iterable<T> | null, keySelector: Fn<T, K> | null, elementSelector?: Fn<T, E> | null, comparer?: StringComparer | null): Seq<Grouping<K, T | E>> {
  const src = need(source, 'source');
  const key = need(keySelector, 'keySelector');
  const elem = elementSelector === undefined || elementSelector === null ? undefined : elementSelector;
  const norm = keyFn(comparer);
  return seq('GroupedEnumerable', function* () {
    const groups = new Map<unknown, Grouping<K, T | E>>();
    for (const x of iterate(src)) {
      const k = key(x);
      const nk = norm(k);
      let g = groups.get(nk);
      if (!g) { g = new Grouping<K, T | E>(k, []); groups.set(nk, g); }
      g.elements.push(elem ? elem(x) : x);
    }
    yield* groups.values();
  });
}

export function distinct<T>(source: Iterable<T> | null, comparer?: StringComparer | null): Seq<T> {
  const src = need(source, 'source');
  const norm = keyFn(comparer);
  return seq('DistinctIterator', function* () {
    const seen = new Set<unknown>();
    for (const x of iterate(src)) { const k = norm(x); if (!seen.has(k)) { seen.add(k); yield x; } }
  });
}

export function union<T>(a: Iterable<T> | null, b: Iterable<T> | null, comparer?: StringComparer | null): Seq<T> {
  const first1 = need(a, 'first');
  const second = need(b, 'second');
  return distinct(concat(first1, second), comparer);
}

export function intersect<T>(a: Iterable<T> | null, b: Iterable<T> | null, comparer?: StringComparer | null): Seq<T> {
  const first1 = need(a, 'first');
  const second = need(b, 'second');
  const norm = keyFn(comparer);
  return seq('IntersectIterator', function* () {
    const set = new Set<unknown>([...iterate(second)].map(norm));
    for (const x of iterate(first1)) { const k = norm(x); if (set.delete(k)) yield x; }
  });
}

export function except<T>(a: Iterable<T> | null, b: Iterable<T> | null, comparer?: StringComparer | null): Seq<T> {
  const first1 = need(a, 'first');
  const second = need(b, 'second');
  const norm = keyFn(comparer);
  return seq('ExceptIterator', function* () {
    const set = new Set<unknown>([...iterate(second)].map(norm));
    for (const x of iterate(first1)) { const k = norm(x); if (!set.has(k)) { set.add(k); yield x; } }
  });
}

// ---- partitioning and concatenation ----

export function skip<T>(source: Iterable<T> | null, n: number): Seq<T> {
  const src = need(source, 'source');
  return seq('SkipIterator', function* () { let i = 0; for (const x of iterate(src)) if (i++ >= n) yield x; });
}

export function take<T>(source: Iterable<T> | null, n: number): Seq<T> {
  const src = need(source, 'source');
  return seq('TakeIterator', function* () {
    if (n <= 0) return;
    let i = 0;
    for (const x of iterate(src)) { yield x; if (++i >= n) return; }
  });
}

export function skipWhile<T>(source: Iterable<T> | null, predicate: IndexedPred<T> | null): Seq<T> {
  const src = need(source, 'source');
  const p = need(predicate, 'predicate');
  return seq('SkipWhileIterator', function* () {
    let skipping = true;
    let i = 0;
    for (const x of iterate(src)) { if (skipping && p(x, i++)) continue; skipping = false; yield x; }
  });
}

export function takeWhile<T>(source: Iterable<T> | null, predicate: IndexedPred<T> | null): Seq<T> {
  const src = need(source, 'source');
  const p = need(predicate, 'predicate');
  return seq('TakeWhileIterator', function* () { let i = 0; for (const x of iterate(src)) { if (!p(x, i++)) return; yield x; } });
}

export function concat<T>(a: Iterable<T> | null, b: Iterable<T> | null): Seq<T> {
  const first1 = need(a, 'first');
  const second = need(b, 'second');
  return seq('ConcatIterator', function* () { yield* iterate(first1); yield* iterate(second); });
}

export function append<T>(source: Iterable<T> | null, element: T, atStart = false): Seq<T> {
  const src = need(source, 'source');
  return seq('AppendPrependIterator', function* () { if (atStart) yield element; yield* iterate(src); if (!atStart) yield element; });
}

export function zip<A, B, R>(a: Iterable<A> | null, b: Iterable<B> | null, resultSelector: ((x: A, y: B) => R) | null): Seq<R> {
  const first1 = need(a, 'first');
  const second = need(b, 'second');
  const f = need(resultSelector, 'resultSelector');
  return seq('ZipIterator', function* () {
    const ib = iterate(second);
    for (const x of iterate(first1)) { const y = ib.next(); if (y.done) return; yield f(x, y.value); }
  });
}

// ---- generation ----

export const empty = <T>(): Seq<T> => seq('EmptyPartition', function* () { /* nothing */ });

export function range(start: number, n: number): Seq<number> {
  if (n < 0 || start + n - 1 > 2147483647) throw argumentOutOfRange('count');
  return seq('RangeIterator', function* () { for (let i = 0; i < n; i++) { tick(); yield start + i; } });
}

export function repeat<T>(element: T, n: number): Seq<T> {
  if (n < 0) throw argumentOutOfRange('count');
  return seq('RepeatIterator', function* () { for (let i = 0; i < n; i++) { tick(); yield element; } });
}

// ---- conversions ----

export const toArray = <T>(source: Iterable<T> | null): T[] => [...iterate(need(source, 'source'))];
export const toList = <T>(source: Iterable<T> | null, typeArgs?: readonly TypeRef[]): List<T> =>
  List.fromIterable(iterate(need(source, 'source')), typeArgs);

export function toDictionary<T, K, V>(source: Iterable<T> | null, keySelector: Fn<T, K> | null, elementSelector: Fn<T, V> | null | undefined, comparer: StringComparer | null | undefined): Dictionary<K, T | V> {
  const src = need(source, 'source');
  const key = need(keySelector, 'keySelector');
  const elem = elementSelector === undefined ? undefined : need(elementSelector, 'elementSelector');
  const d = new Dictionary<K, T | V>(comparer ?? null);
  for (const x of iterate(src)) d.add(key(x), elem ? elem(x) : x);
  return d;
}

export function toHashSet<T>(source: Iterable<T> | null, comparer?: StringComparer | null): HashSet<T> {
  const s = new HashSet<T>(comparer ?? null);
  for (const x of iterate(need(source, 'source'))) s.add(x);
  return s;
}
