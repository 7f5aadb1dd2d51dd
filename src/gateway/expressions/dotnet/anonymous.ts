// Objects of anonymous types (`new { typ = "JWT", alg = "HS256" }`): read-only properties in declaration
// order. They serialize as JSON objects and print as .NET prints them: `{ typ = JWT, alg = HS256 }`.
import { KeyValuePair, type ReadOnlyDictionaryView } from './collections.js';
import { formatValue } from './composite.js';

export class AnonymousObject implements ReadOnlyDictionaryView<string, unknown> {
  readonly dotNetType = '<>f__AnonymousType';
  constructor(private readonly entries: readonly (readonly [string, unknown])[]) {}
  get count(): number { return this.entries.length; }
  lookup(key: string): unknown { return this.entries.find(([k]) => k === key)?.[1]; }
  keyList(): string[] { return this.entries.map(([k]) => k); }
  valueList(): unknown[] { return this.entries.map(([, v]) => v); }
  *[Symbol.iterator](): Iterator<KeyValuePair<string, unknown>> { for (const [k, v] of this.entries) yield new KeyValuePair(k, v); }
  equals(o: unknown): boolean {
    return o instanceof AnonymousObject && o.entries.length === this.entries.length && this.entries.every(([k, v], i) => o.entries[i][0] === k && o.entries[i][1] === v);
  }
  toString(): string {
    return this.entries.length === 0 ? '{ }' : `{ ${this.entries.map(([k, v]) => `${k} = ${formatValue(v)}`).join(', ')} }`;
  }
}
