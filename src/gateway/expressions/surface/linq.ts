// System.Linq.Enumerable: the extension methods over IEnumerable<T>, with .NET's overloads. Generic
// methods receive their type arguments last (define.ts), which FirstOrDefault & co use for default(T)
// and OfType/Cast for the runtime type test.
import { defaultOf, iterate, StringComparer } from '../dotnet/collections.js';
import { invalidCast, nullReference } from '../dotnet/exceptions.js';
import * as L from '../dotnet/linq.js';
import type { Impl, TypeSpec } from './define.js';
import { fullTypeName, runtimeTypeName, typeTest } from './runtime-types.js';
import type { TypeRef } from './types.js';

type It = Iterable<unknown> | null;
type F = (...a: never[]) => unknown;
type Pred = (x: unknown) => boolean;
type Targs = readonly TypeRef[];
type Cmp = StringComparer | null;

const NUM: readonly [string, L.NumKind][] = [['int', 'int'], ['long', 'long'], ['double', 'double'], ['decimal', 'decimal'], ['float', 'float']];
const VALUE_TYPES = new Set(['Int32', 'Int64', 'Double', 'Decimal', 'Single', 'Int16', 'Byte', 'Boolean', 'Char', 'UInt32', 'UInt64', 'UInt16', 'SByte']);
const isValueType = (t: TypeRef | undefined) => !!t && (VALUE_TYPES.has(t.name) || t.name === 'KeyValuePair');

function numericAggregates(): Record<string, Impl> {
  const out: Record<string, Impl> = {};
  for (const [cs, kind] of NUM) {
    const avgRet = kind === 'decimal' || kind === 'float' ? cs : 'double';
    for (const nullable of [false, true]) {
      const t = nullable ? `${cs}?` : cs;
      const r = nullable ? `${avgRet}?` : avgRet;
      out[`Sum(this IEnumerable<${t}> source): ${t}`] = (s: It) => L.sum(kind, s);
      out[`Sum<TSource>(this IEnumerable<TSource> source, Func<TSource,${t}> selector): ${t}`] = (s: It, f: F) => L.sum(kind, s, f as (x: unknown) => unknown);
      out[`Average(this IEnumerable<${t}> source): ${r}`] = (s: It) => nullableAverage(kind, s, undefined, nullable);
      out[`Average<TSource>(this IEnumerable<TSource> source, Func<TSource,${t}> selector): ${r}`] = (s: It, f: F) => nullableAverage(kind, s, f as (x: unknown) => unknown, nullable);
      for (const which of ['Min', 'Max'] as const) {
        const w = which === 'Min' ? 'min' : 'max';
        out[`${which}(this IEnumerable<${t}> source): ${t}`] = (s: It) => L.minMax(w, s, undefined, nullable);
        out[`${which}<TSource>(this IEnumerable<TSource> source, Func<TSource,${t}> selector): ${t}`] = (s: It, f: F) => L.minMax(w, s, f as (x: unknown) => unknown, nullable);
      }
    }
  }
  for (const which of ['Min', 'Max'] as const) {
    const w = which === 'Min' ? 'min' : 'max';
    out[`${which}<TSource>(this IEnumerable<TSource> source): TSource`] = (s: It, ta: Targs) => L.minMax(w, s, undefined, !isValueType(ta[0]));
    out[`${which}<TSource,TResult>(this IEnumerable<TSource> source, Func<TSource,TResult> selector): TResult`] = (s: It, f: F, ta: Targs) => L.minMax(w, s, f as (x: unknown) => unknown, !isValueType(ta[1]));
  }
  return out;
}

// Average of int? etc.: null when the sequence has no non-null element.
function nullableAverage(kind: L.NumKind, s: It, f: ((x: unknown) => unknown) | undefined, nullable: boolean): number | null {
  if (!nullable) return L.average(kind, s, f);
  const src = s === null ? s : [...iterate(s)].map((x) => (f ? f(x) : x)).filter((x) => x !== null);
  if (src !== null && src.length === 0) return null;
  return L.average(kind, src);
}

function ofType(s: It, ta: Targs): Iterable<unknown> {
  return L.ofType(s, typeTest(ta[0]));
}

function cast(s: It, ta: Targs): Iterable<unknown> {
  const test = typeTest(ta[0]);
  const valueType = isValueType(ta[0]);
  return L.cast(s, (x) => {
    if (x === null) { if (valueType) throw nullReference(); return x; }
    if (!test(x)) throw invalidCast(runtimeTypeName(x), fullTypeName(ta[0]));
    return x;
  });
}

export const linq: TypeSpec[] = [{
  name: 'Enumerable', namespace: 'System.Linq', static: true,
  statics: {
    'Where<TSource>(this IEnumerable<TSource> source, Func<TSource,bool> predicate): IEnumerable<TSource>': (s: It, p: Pred) => L.where(s, p),
    'Where<TSource>(this IEnumerable<TSource> source, Func<TSource,int,bool> predicate): IEnumerable<TSource>': (s: It, p: (x: unknown, i: number) => boolean) => L.where(s, p),
    'Select<TSource,TResult>(this IEnumerable<TSource> source, Func<TSource,TResult> selector): IEnumerable<TResult>': (s: It, f: (x: unknown) => unknown) => L.select(s, f),
    'Select<TSource,TResult>(this IEnumerable<TSource> source, Func<TSource,int,TResult> selector): IEnumerable<TResult>': (s: It, f: (x: unknown, i: number) => unknown) => L.select(s, f),
    'SelectMany<TSource,TResult>(this IEnumerable<TSource> source, Func<TSource,IEnumerable<TResult>> selector): IEnumerable<TResult>': (s: It, f: (x: unknown) => Iterable<unknown>) => L.selectMany(s, f),
    'SelectMany<TSource,TCollection,TResult>(this IEnumerable<TSource> source, Func<TSource,IEnumerable<TCollection>> collectionSelector, Func<TSource,TCollection,TResult> resultSelector): IEnumerable<TResult>':
      (s: It, f: (x: unknown) => Iterable<unknown>, r: (x: unknown, c: unknown) => unknown) => L.selectMany(s, f, r),
    'OfType<TResult>(this IEnumerable<object> source): IEnumerable<TResult>': ofType,
    'Cast<TResult>(this IEnumerable<object> source): IEnumerable<TResult>': cast,

    'First<TSource>(this IEnumerable<TSource> source): TSource': (s: It) => L.first(s),
    'First<TSource>(this IEnumerable<TSource> source, Func<TSource,bool> predicate): TSource': (s: It, p: Pred) => L.first(s, p),
    'FirstOrDefault<TSource>(this IEnumerable<TSource> source): TSource': (s: It, ta: Targs) => L.firstOrDefault(s, undefined, ta[0]),
    'FirstOrDefault<TSource>(this IEnumerable<TSource> source, Func<TSource,bool> predicate): TSource': (s: It, p: Pred, ta: Targs) => L.firstOrDefault(s, p, ta[0]),
    'Last<TSource>(this IEnumerable<TSource> source): TSource': (s: It) => L.last(s),
    'Last<TSource>(this IEnumerable<TSource> source, Func<TSource,bool> predicate): TSource': (s: It, p: Pred) => L.last(s, p),
    'LastOrDefault<TSource>(this IEnumerable<TSource> source): TSource': (s: It, ta: Targs) => L.lastOrDefault(s, undefined, ta[0]),
    'LastOrDefault<TSource>(this IEnumerable<TSource> source, Func<TSource,bool> predicate): TSource': (s: It, p: Pred, ta: Targs) => L.lastOrDefault(s, p, ta[0]),
    'Single<TSource>(this IEnumerable<TSource> source): TSource': (s: It) => L.single(s),
    'Single<TSource>(this IEnumerable<TSource> source, Func<TSource,bool> predicate): TSource': (s: It, p: Pred) => L.single(s, p),
    'SingleOrDefault<TSource>(this IEnumerable<TSource> source): TSource': (s: It, ta: Targs) => L.singleOrDefault(s, undefined, ta[0]),
    'SingleOrDefault<TSource>(this IEnumerable<TSource> source, Func<TSource,bool> predicate): TSource': (s: It, p: Pred, ta: Targs) => L.singleOrDefault(s, p, ta[0]),
    'ElementAt<TSource>(this IEnumerable<TSource> source, int index): TSource': (s: It, i: number) => L.elementAt(s, i),
    'ElementAtOrDefault<TSource>(this IEnumerable<TSource> source, int index): TSource': (s: It, i: number, ta: Targs) => L.elementAtOrDefault(s, i, ta[0]),
    'DefaultIfEmpty<TSource>(this IEnumerable<TSource> source): IEnumerable<TSource>': (s: It, ta: Targs) => L.defaultIfEmpty(s, defaultOf(ta[0])),
    'DefaultIfEmpty<TSource>(this IEnumerable<TSource> source, TSource defaultValue): IEnumerable<TSource>': (s: It, d: unknown) => L.defaultIfEmpty(s, d),

    'Any<TSource>(this IEnumerable<TSource> source): bool': (s: It) => L.any(s),
    'Any<TSource>(this IEnumerable<TSource> source, Func<TSource,bool> predicate): bool': (s: It, p: Pred) => L.any(s, p),
    'All<TSource>(this IEnumerable<TSource> source, Func<TSource,bool> predicate): bool': (s: It, p: Pred) => L.all(s, p),
    'Count<TSource>(this IEnumerable<TSource> source): int': (s: It) => L.count(s),
    'Count<TSource>(this IEnumerable<TSource> source, Func<TSource,bool> predicate): int': (s: It, p: Pred) => L.count(s, p),
    'LongCount<TSource>(this IEnumerable<TSource> source): long': (s: It) => BigInt(L.count(s)),
    'LongCount<TSource>(this IEnumerable<TSource> source, Func<TSource,bool> predicate): long': (s: It, p: Pred) => BigInt(L.count(s, p)),
    'Contains<TSource>(this IEnumerable<TSource> source, TSource value): bool': (s: It, v: unknown) => L.contains(s, v),
    'Contains<TSource>(this IEnumerable<TSource> source, TSource value, IEqualityComparer<TSource> comparer): bool': (s: It, v: unknown, c: Cmp) => L.contains(s, v, c),
    'SequenceEqual<TSource>(this IEnumerable<TSource> first, IEnumerable<TSource> second): bool': (a: It, b: It) => L.sequenceEqual(a, b),

    ...numericAggregates(),
    'Aggregate<TSource>(this IEnumerable<TSource> source, Func<TSource,TSource,TSource> func): TSource': (s: It, f: (a: unknown, x: unknown) => unknown) => L.aggregate(s, f),
    'Aggregate<TSource,TAccumulate>(this IEnumerable<TSource> source, TAccumulate seed, Func<TAccumulate,TSource,TAccumulate> func): TAccumulate':
      (s: It, seed: unknown, f: (a: unknown, x: unknown) => unknown) => L.aggregate(s, seed, f),
    'Aggregate<TSource,TAccumulate,TResult>(this IEnumerable<TSource> source, TAccumulate seed, Func<TAccumulate,TSource,TAccumulate> func, Func<TAccumulate,TResult> resultSelector): TResult':
      (s: It, seed: unknown, f: (a: unknown, x: unknown) => unknown, r: (a: unknown) => unknown) => L.aggregate(s, seed, f, r),

    'OrderBy<TSource,TKey>(this IEnumerable<TSource> source, Func<TSource,TKey> keySelector): IOrderedEnumerable<TSource>': (s: It, k: F) => L.orderBy(s, k as (x: unknown) => unknown, false),
    'OrderBy<TSource,TKey>(this IEnumerable<TSource> source, Func<TSource,TKey> keySelector, IComparer<TKey> comparer): IOrderedEnumerable<TSource>': (s: It, k: F, c: Cmp) => L.orderBy(s, k as (x: unknown) => unknown, false, c),
    'OrderByDescending<TSource,TKey>(this IEnumerable<TSource> source, Func<TSource,TKey> keySelector): IOrderedEnumerable<TSource>': (s: It, k: F) => L.orderBy(s, k as (x: unknown) => unknown, true),
    'OrderByDescending<TSource,TKey>(this IEnumerable<TSource> source, Func<TSource,TKey> keySelector, IComparer<TKey> comparer): IOrderedEnumerable<TSource>': (s: It, k: F, c: Cmp) => L.orderBy(s, k as (x: unknown) => unknown, true, c),
    'ThenBy<TSource,TKey>(this IOrderedEnumerable<TSource> source, Func<TSource,TKey> keySelector): IOrderedEnumerable<TSource>': (s: L.OrderedSeq<unknown> | null, k: F) => L.thenBy(s, k as (x: unknown) => unknown, false),
    'ThenBy<TSource,TKey>(this IOrderedEnumerable<TSource> source, Func<TSource,TKey> keySelector, IComparer<TKey> comparer): IOrderedEnumerable<TSource>': (s: L.OrderedSeq<unknown> | null, k: F, c: Cmp) => L.thenBy(s, k as (x: unknown) => unknown, false, c),
    'ThenByDescending<TSource,TKey>(this IOrderedEnumerable<TSource> source, Func<TSource,TKey> keySelector): IOrderedEnumerable<TSource>': (s: L.OrderedSeq<unknown> | null, k: F) => L.thenBy(s, k as (x: unknown) => unknown, true),
    'ThenByDescending<TSource,TKey>(this IOrderedEnumerable<TSource> source, Func<TSource,TKey> keySelector, IComparer<TKey> comparer): IOrderedEnumerable<TSource>': (s: L.OrderedSeq<unknown> | null, k: F, c: Cmp) => L.thenBy(s, k as (x: unknown) => unknown, true, c),
    'Reverse<TSource>(this IEnumerable<TSource> source): IEnumerable<TSource>': (s: It) => L.reverse(s),

    'GroupBy<TSource,TKey>(this IEnumerable<TSource> source, Func<TSource,TKey> keySelector): IEnumerable<IGrouping<TKey,TSource>>': (s: It, k: F) => L.groupBy(s, k as (x: unknown) => unknown),
    'GroupBy<TSource,TKey>(this IEnumerable<TSource> source, Func<TSource,TKey> keySelector, IEqualityComparer<TKey> comparer): IEnumerable<IGrouping<TKey,TSource>>': (s: It, k: F, c: Cmp) => L.groupBy(s, k as (x: unknown) => unknown, undefined, c),
    'GroupBy<TSource,TKey,TElement>(this IEnumerable<TSource> source, Func<TSource,TKey> keySelector, Func<TSource,TElement> elementSelector): IEnumerable<IGrouping<TKey,TElement>>': (s: It, k: F, e: F) => L.groupBy(s, k as (x: unknown) => unknown, e as (x: unknown) => unknown),
    'Distinct<TSource>(this IEnumerable<TSource> source): IEnumerable<TSource>': (s: It) => L.distinct(s),
    'Distinct<TSource>(this IEnumerable<TSource> source, IEqualityComparer<TSource> comparer): IEnumerable<TSource>': (s: It, c: Cmp) => L.distinct(s, c),
    'Union<TSource>(this IEnumerable<TSource> first, IEnumerable<TSource> second): IEnumerable<TSource>': (a: It, b: It) => L.union(a, b),
    'Union<TSource>(this IEnumerable<TSource> first, IEnumerable<TSource> second, IEqualityComparer<TSource> comparer): IEnumerable<TSource>': (a: It, b: It, c: Cmp) => L.union(a, b, c),
    'Intersect<TSource>(this IEnumerable<TSource> first, IEnumerable<TSource> second): IEnumerable<TSource>': (a: It, b: It) => L.intersect(a, b),
    'Intersect<TSource>(this IEnumerable<TSource> first, IEnumerable<TSource> second, IEqualityComparer<TSource> comparer): IEnumerable<TSource>': (a: It, b: It, c: Cmp) => L.intersect(a, b, c),
    'Except<TSource>(this IEnumerable<TSource> first, IEnumerable<TSource> second): IEnumerable<TSource>': (a: It, b: It) => L.except(a, b),
    'Except<TSource>(this IEnumerable<TSource> first, IEnumerable<TSource> second, IEqualityComparer<TSource> comparer): IEnumerable<TSource>': (a: It, b: It, c: Cmp) => L.except(a, b, c),

    'Skip<TSource>(this IEnumerable<TSource> source, int count): IEnumerable<TSource>': (s: It, n: number) => L.skip(s, n),
    'Take<TSource>(this IEnumerable<TSource> source, int count): IEnumerable<TSource>': (s: It, n: number) => L.take(s, n),
    'SkipWhile<TSource>(this IEnumerable<TSource> source, Func<TSource,bool> predicate): IEnumerable<TSource>': (s: It, p: Pred) => L.skipWhile(s, p),
    'SkipWhile<TSource>(this IEnumerable<TSource> source, Func<TSource,int,bool> predicate): IEnumerable<TSource>': (s: It, p: (x: unknown, i: number) => boolean) => L.skipWhile(s, p),
    'TakeWhile<TSource>(this IEnumerable<TSource> source, Func<TSource,bool> predicate): IEnumerable<TSource>': (s: It, p: Pred) => L.takeWhile(s, p),
    'TakeWhile<TSource>(this IEnumerable<TSource> source, Func<TSource,int,bool> predicate): IEnumerable<TSource>': (s: It, p: (x: unknown, i: number) => boolean) => L.takeWhile(s, p),
    'Concat<TSource>(this IEnumerable<TSource> first, IEnumerable<TSource> second): IEnumerable<TSource>': (a: It, b: It) => L.concat(a, b),
    'Append<TSource>(this IEnumerable<TSource> source, TSource element): IEnumerable<TSource>': (s: It, x: unknown) => L.append(s, x),
    'Prepend<TSource>(this IEnumerable<TSource> source, TSource element): IEnumerable<TSource>': (s: It, x: unknown) => L.append(s, x, true),
    'Zip<TFirst,TSecond,TResult>(this IEnumerable<TFirst> first, IEnumerable<TSecond> second, Func<TFirst,TSecond,TResult> resultSelector): IEnumerable<TResult>':
      (a: It, b: It, f: (x: unknown, y: unknown) => unknown) => L.zip(a, b, f),

    'Empty<TResult>(): IEnumerable<TResult>': () => L.empty(),
    'Range(int start, int count): IEnumerable<int>': (start: number, n: number) => L.range(start, n),
    'Repeat<TResult>(TResult element, int count): IEnumerable<TResult>': (x: unknown, n: number) => L.repeat(x, n),
    'AsEnumerable<TSource>(this IEnumerable<TSource> source): IEnumerable<TSource>': (s: It) => s,

    'ToArray<TSource>(this IEnumerable<TSource> source): TSource[]': (s: It) => L.toArray(s),
    'ToList<TSource>(this IEnumerable<TSource> source): List<TSource>': (s: It, ta: Targs) => L.toList(s, ta),
    'ToHashSet<TSource>(this IEnumerable<TSource> source): HashSet<TSource>': (s: It) => L.toHashSet(s),
    'ToDictionary<TSource,TKey>(this IEnumerable<TSource> source, Func<TSource,TKey> keySelector): Dictionary<TKey,TSource>': (s: It, k: F) => L.toDictionary(s, k as (x: unknown) => unknown, undefined, undefined),
    'ToDictionary<TSource,TKey>(this IEnumerable<TSource> source, Func<TSource,TKey> keySelector, IEqualityComparer<TKey> comparer): Dictionary<TKey,TSource>': (s: It, k: F, c: Cmp) => L.toDictionary(s, k as (x: unknown) => unknown, undefined, c),
    'ToDictionary<TSource,TKey,TElement>(this IEnumerable<TSource> source, Func<TSource,TKey> keySelector, Func<TSource,TElement> elementSelector): Dictionary<TKey,TElement>': (s: It, k: F, e: F) => L.toDictionary(s, k as (x: unknown) => unknown, e as (x: unknown) => unknown, undefined),
    'ToDictionary<TSource,TKey,TElement>(this IEnumerable<TSource> source, Func<TSource,TKey> keySelector, Func<TSource,TElement> elementSelector, IEqualityComparer<TKey> comparer): Dictionary<TKey,TElement>': (s: It, k: F, e: F, c: Cmp) => L.toDictionary(s, k as (x: unknown) => unknown, e as (x: unknown) => unknown, c),
  },
}, {
  name: 'IOrderedEnumerable', namespace: 'System.Linq', typeParams: ['TElement'], implements: ['IEnumerable<TElement>'], is: (v) => v instanceof L.OrderedSeq,
}, {
  name: 'IGrouping', namespace: 'System.Linq', typeParams: ['TKey', 'TElement'], implements: ['IEnumerable<TElement>'], is: (v) => v instanceof L.Grouping,
  instance: { 'Key: TKey': (g: L.Grouping<unknown, unknown>) => g.key },
}];
