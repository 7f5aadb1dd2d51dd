// System.Collections.Generic and System.Linq against .NET's behaviour and messages (`cs`: the C# modelled).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Dictionary, HashSet, KeyValuePair, List, StringComparer } from '../../../src/gateway/expressions/dotnet/collections.js';
import { DotNetException } from '../../../src/gateway/expressions/dotnet/exceptions.js';
import * as L from '../../../src/gateway/expressions/dotnet/linq.js';
import { parseJson, type JObject, type JProperty } from '../../../src/gateway/expressions/dotnet/json.js';
import { Surface } from '../../../src/gateway/expressions/surface/index.js';
import { t } from '../../../src/gateway/expressions/surface/types.js';

const dotnetError = (type: string, message: string) => (e: unknown) => {
  assert.ok(e instanceof DotNetException, String(e));
  assert.equal(e.type, type);
  assert.equal(e.message, message);
  return true;
};

describe('Dictionary<K,V>', () => {
  it('Add duplicate → ArgumentException with the key; missing key → KeyNotFoundException', () => {
    const d = new Dictionary<string, number>();
    d.add('a', 1);
    assert.throws(() => d.add('a', 2), dotnetError('System.ArgumentException', 'An item with the same key has already been added. Key: a'));
    assert.throws(() => d.add(null as unknown as string, 2), dotnetError('System.ArgumentNullException', "Value cannot be null. (Parameter 'key')"));
    assert.throws(() => { const s = Surface.of().type('Dictionary')?.indexers[0]; (s?.get as (d: unknown, k: string) => unknown)(d, 'zz'); },
      dotnetError('System.Collections.Generic.KeyNotFoundException', "The given key 'zz' was not present in the dictionary."));
  });
  it('StringComparer.OrdinalIgnoreCase keys keep their first spelling', () => {
    const d = new Dictionary<string, number>(StringComparer.OrdinalIgnoreCase);
    d.add('Content-Type', 1);
    d.set('content-type', 2);
    assert.equal(d.lookup('CONTENT-TYPE'), 2);
    assert.deepEqual(d.keyList(), ['Content-Type']);
    assert.equal(d.containsKey('content-TYPE'), true);
  });
  it('__proto__ is a key like any other; iteration gives KeyValuePair in insertion order', () => {
    const d = new Dictionary<string, string>();
    d.add('__proto__', 'x');
    d.add('b', 'y');
    assert.deepEqual([...d].map(String), ['[__proto__, x]', '[b, y]']);
  });
  it('TryGetValue writes its out box', () => {
    const m = Surface.of().type('Dictionary')?.instance.get('TryGetValue')?.[0];
    assert.ok(m && m.kind === 'method');
    const d = new Dictionary<string, number>();
    d.add('k', 5);
    const box = { value: null as unknown };
    assert.equal((m.impl as (d: unknown, k: string, b: { value: unknown }) => boolean)(d, 'k', box), true);
    assert.equal(box.value, 5);
    assert.equal((m.impl as (d: unknown, k: string, b: { value: unknown }) => boolean)(d, 'x', box), false);
  });
});

describe('List<T> and HashSet<T>', () => {
  const list = Surface.of().type('List');
  const call = (name: string, ...args: unknown[]) => {
    const m = list?.instance.get(name)?.find((x) => x.kind === 'method' && x.params.length === args.length - 1);
    assert.ok(m && m.kind === 'method', name);
    return (m.impl as (...a: unknown[]) => unknown)(...args);
  };
  it('indexer out of range → ArgumentOutOfRangeException', () => {
    const l = List.fromIterable([1, 2]);
    const ix = list?.indexers[0];
    assert.throws(() => (ix?.get as (l: unknown, i: number) => unknown)(l, 2),
      dotnetError('System.ArgumentOutOfRangeException', "Index was out of range. Must be non-negative and less than the size of the collection. (Parameter 'index')"));
  });
  it('Add, Insert, Remove, IndexOf, Contains, ToArray; a List is told apart from an array', () => {
    const l = new List<string>();
    call('Add', l, 'a'); call('Add', l, 'c'); call('Insert', l, 1, 'b');
    assert.deepEqual([...l], ['a', 'b', 'c']);
    assert.equal(call('Remove', l, 'b'), true);
    assert.equal(call('IndexOf', l, 'c'), 1);
    assert.equal(call('Contains', l, 'z'), false);
    assert.equal(String(l), 'System.Collections.Generic.List`1[System.Object]');
    assert.ok(list?.is?.(l) && !list.is([1]));
    const mod = List.fromIterable([1, 2]);
    assert.throws(() => call('ForEach', mod, () => mod.push(3)),
      dotnetError('System.InvalidOperationException', 'Collection was modified; enumeration operation may not execute.'));
  });
  it('HashSet with a comparer', () => {
    const s = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
    assert.equal(s.add('A'), true);
    assert.equal(s.add('a'), false);
    assert.equal(s.count, 1);
  });
});

describe('LINQ', () => {
  it('is lazy, and runs again on each enumeration', () => {
    let calls = 0;
    const src = [1, 2, 3, 4];
    const q = L.where(src, (x: number) => { calls++; return x % 2 === 0; });
    assert.equal(calls, 0);
    assert.equal(L.first(q), 2);
    assert.equal(calls, 2);
    src.push(6);
    assert.deepEqual(L.toArray(q), [2, 4, 6]);
  });
  const rows: { cs: string; got: () => unknown; want: unknown }[] = [
    { cs: 'new[]{3,1,2}.OrderBy(x => x).ToArray()', got: () => L.toArray(L.orderBy([3, 1, 2], (x) => x, false)), want: [1, 2, 3] },
    { cs: 'names.OrderBy(n => n) (invariant culture: a < A < b)', got: () => L.toArray(L.orderBy(['b', 'A', 'a', 'B'], (x) => x, false)), want: ['a', 'A', 'b', 'B'] },
    { cs: 'names.OrderBy(n => n, StringComparer.Ordinal)', got: () => L.toArray(L.orderBy(['b', 'A', 'a', 'B'], (x) => x, false, StringComparer.Ordinal)), want: ['A', 'B', 'a', 'b'] },
    { cs: 'OrderBy(len).ThenByDescending(s)', got: () => L.toArray(L.thenBy(L.orderBy(['bb', 'a', 'c', 'aa'], (x) => x.length, false), (x) => x, true)), want: ['c', 'a', 'bb', 'aa'] },
    { cs: 'GroupBy(x => x % 2).Select(g => g.Key + ":" + g.Count())', got: () => L.toArray(L.select(L.groupBy([1, 2, 3, 5], (x) => x % 2), (g) => `${String(g.key)}:${L.count(g)}`)), want: ['1:3', '0:1'] },
    { cs: 'Distinct()', got: () => L.toArray(L.distinct([1, 2, 1, 3, 2])), want: [1, 2, 3] },
    { cs: 'Skip(1).Take(2)', got: () => L.toArray(L.take(L.skip([1, 2, 3, 4], 1), 2)), want: [2, 3] },
    { cs: 'SkipWhile/TakeWhile', got: () => [L.toArray(L.skipWhile([1, 2, 5, 1], (x) => x < 3)), L.toArray(L.takeWhile([1, 2, 5, 1], (x) => x < 3))], want: [[5, 1], [1, 2]] },
    { cs: 'Sum(int)', got: () => L.sum('int', [1, 2, 3]), want: 6 },
    { cs: 'Sum(long)', got: () => L.sum('long', [1n, 2n]), want: 3n },
    { cs: 'Average(int)', got: () => L.average('int', [1, 2]), want: 1.5 },
    { cs: 'Max(string)', got: () => L.minMax('max', ['a', 'B', 'b'], undefined, true), want: 'B' },
    { cs: 'Min() of an empty string sequence is null', got: () => L.minMax('min', [], undefined, true), want: null },
    { cs: 'FirstOrDefault() of an empty int sequence is 0', got: () => L.firstOrDefault([], undefined, t('Int32')), want: 0 },
    { cs: 'FirstOrDefault() of an empty string sequence is null', got: () => L.firstOrDefault([], undefined, t('String')), want: null },
    { cs: 'Aggregate((a, b) => a + b)', got: () => L.aggregate(['a', 'b', 'c'], (a: string, b: string) => a + b), want: 'abc' },
    { cs: 'Zip', got: () => L.toArray(L.zip([1, 2, 3], ['a', 'b'], (n, s) => `${n}${s}`)), want: ['1a', '2b'] },
    { cs: 'Enumerable.Range(2, 3)', got: () => L.toArray(L.range(2, 3)), want: [2, 3, 4] },
    { cs: 'Enumerable.Repeat("x", 2)', got: () => L.toArray(L.repeat('x', 2)), want: ['x', 'x'] },
    { cs: 'SequenceEqual', got: () => L.sequenceEqual([1, 2], [1, 2]), want: true },
    { cs: 'DefaultIfEmpty(7)', got: () => L.toArray(L.defaultIfEmpty([], 7)), want: [7] },
    { cs: '"a1b2".Where(char.IsDigit) (a string is IEnumerable<char>)', got: () => L.toArray(L.where('a1b2', (c: string) => /\d/.test(c))), want: ['1', '2'] },
    { cs: 'Except / Intersect / Union', got: () => [L.toArray(L.except([1, 2, 3], [2])), L.toArray(L.intersect([1, 2, 3], [3, 2])), L.toArray(L.union([1, 2], [2, 3]))], want: [[1, 3], [2, 3], [1, 2, 3]] },
    { cs: 'ElementAtOrDefault(9) on ints', got: () => L.elementAtOrDefault([1], 9, t('Int32')), want: 0 },
  ];
  for (const r of rows) it(r.cs, () => assert.deepEqual(r.got(), r.want));

  const errors: { cs: string; run: () => unknown; type: string; message: string }[] = [
    { cs: 'new int[0].First()', run: () => L.first([]), type: 'System.InvalidOperationException', message: 'Sequence contains no elements' },
    { cs: 'new[]{1}.First(x => x > 5)', run: () => L.first([1], (x) => x > 5), type: 'System.InvalidOperationException', message: 'Sequence contains no matching element' },
    { cs: 'new[]{1,2}.Single()', run: () => L.single([1, 2]), type: 'System.InvalidOperationException', message: 'Sequence contains more than one element' },
    { cs: 'new[]{1,2}.Single(x => x > 0)', run: () => L.single([1, 2], (x) => x > 0), type: 'System.InvalidOperationException', message: 'Sequence contains more than one matching element' },
    { cs: 'new int[0].Max()', run: () => L.minMax('max', [], undefined, false), type: 'System.InvalidOperationException', message: 'Sequence contains no elements' },
    { cs: 'new int[0].Average()', run: () => L.average('int', []), type: 'System.InvalidOperationException', message: 'Sequence contains no elements' },
    { cs: 'new[]{int.MaxValue, 1}.Sum()', run: () => L.sum('int', [2147483647, 1]), type: 'System.OverflowException', message: 'Arithmetic operation resulted in an overflow.' },
    { cs: '((int[])null).Any()', run: () => L.any(null), type: 'System.ArgumentNullException', message: "Value cannot be null. (Parameter 'source')" },
    { cs: 'new[]{1}.ElementAt(3)', run: () => L.elementAt([1], 3), type: 'System.ArgumentOutOfRangeException', message: "Index was out of range. Must be non-negative and less than the size of the collection. (Parameter 'index')" },
    { cs: 'new[]{"a","a"}.ToDictionary(x => x)', run: () => L.toDictionary(['a', 'a'], (x) => x, undefined, undefined), type: 'System.ArgumentException', message: 'An item with the same key has already been added. Key: a' },
  ];
  for (const r of errors) it(r.cs, () => assert.throws(r.run, dotnetError(r.type, r.message)));

  it('LINQ over a JObject: Properties().Where(...).Select(p => p.Name)', () => {
    const o = parseJson('{"a":1,"b":"x","c":2}', 'JObject') as JObject;
    const names = L.toArray(L.select(L.where(o.properties(), (p: JProperty) => p.value.kind === 'Integer'), (p) => p.name));
    assert.deepEqual(names, ['a', 'c']);
    assert.deepEqual(L.toArray(L.select(o as Iterable<unknown> as Iterable<KeyValuePair<string, unknown>>, (p) => p.key)), ['a', 'b', 'c']);
  });
  it('OfType<T> and Cast<T> use the type argument', () => {
    const s = Surface.of().type('Enumerable');
    const ofType = s?.statics.get('OfType')?.[0];
    const cast = s?.statics.get('Cast')?.[0];
    assert.ok(ofType?.kind === 'method' && cast?.kind === 'method');
    assert.deepEqual([...(ofType.impl as (s: unknown[], ta: unknown[]) => Iterable<unknown>)(['a', 1, null, 'b'], [t('String')])], ['a', 'b']);
    assert.throws(() => [...(cast.impl as (s: unknown[], ta: unknown[]) => Iterable<unknown>)(['a', 1], [t('String')])],
      dotnetError('System.InvalidCastException', "Unable to cast object of type 'System.Int32' to type 'System.String'."));
  });
});

describe('surface', () => {
  it('loads, and the extension methods are found by name', () => {
    const s = Surface.of();
    assert.ok(s.extensionMethods('Where').length >= 2);
    assert.ok(s.extensionMethods('Sum').length >= 20);
    assert.ok(s.type('IReadOnlyDictionary')?.instance.get('TryGetValue'));
    assert.ok(s.type('KeyValuePair')?.instance.get('Key'));
    assert.ok(s.type('StringComparer')?.statics.get('OrdinalIgnoreCase'));
  });
});
