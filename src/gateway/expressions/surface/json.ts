// Newtonsoft.Json and Newtonsoft.Json.Linq for expressions.
import { Dictionary, List } from '../dotnet/collections.js';
import { argumentNull, DotNetException, invalidCast } from '../dotnet/exceptions.js';
import type { EnumValue } from '../dotnet/enums.js';
import {
  changeType, deepEquals, explicitCast, Formatting, fromObject, JArray, JContainer, JObject, JProperty, JsonError, JToken, JTokenType,
  JValue, parseJson, quoteJson, toToken, writeJson, jsonDouble, type Primitive,
} from '../dotnet/json.js';
import { selectToken, selectTokens } from '../dotnet/jsonpath.js';
import type { Ref, TypeSpec } from './define.js';
import { enumSpec } from './enum-spec.js';
import type { TypeRef } from './types.js';

const NS = 'Newtonsoft.Json.Linq';
const indented = (f: EnumValue) => f === Formatting.member('Indented');

const PRIMITIVES = new Set<string>(['String', 'Int32', 'Int64', 'Double', 'Single', 'Decimal', 'Boolean', 'Int16', 'Byte', 'Char']);
const TOKEN_CLASSES: Readonly<Record<string, (t: JToken) => boolean>> = {
  JToken: () => true, JContainer: (t) => t instanceof JContainer, JObject: (t) => t instanceof JObject,
  JArray: (t) => t instanceof JArray, JValue: (t) => t instanceof JValue, JProperty: (t) => t instanceof JProperty,
};

/** Extensions.Convert<JToken,U> (Value<T>, Values<T>): tokens by class, values by Convert.ChangeType. */
export function convertToken(token: JToken | null, type: TypeRef | undefined): unknown {
  if (token === null || !type) return null;
  const classTest = TOKEN_CLASSES[type.name];
  if (classTest) {
    if (classTest(token)) return token;
    throw new DotNetException('System.InvalidCastException', `Cannot cast ${token.clrName} to ${token.clrName.replace(/\w+$/, type.name)}.`);
  }
  if (!(token instanceof JValue)) throw new DotNetException('System.InvalidCastException', `Cannot cast ${token.clrName} to ${clrType(type)}.`);
  const nullable = type.name === '?';
  const target = nullable ? type.args[0] : type;
  if (token.value === null) {
    if (nullable || !PRIMITIVES.has(target.name) || target.name === 'String') return null;
    throw new DotNetException('System.InvalidCastException', 'Null object cannot be converted to a value type.');
  }
  if (target.name === 'Object') return token.value;
  if (PRIMITIVES.has(target.name)) return changeType(token.value, target.name as Primitive, token.kind);
  throw invalidCast(`System.${typeof token.value === 'string' ? 'String' : 'Object'}`, clrType(target));
}
const clrType = (t: TypeRef): string => (PRIMITIVES.has(t.name) || t.name === 'Object' ? `System.${t.name}` : t.name);

/** JToken.ToObject<T>() / JsonConvert.DeserializeObject<T>() for the shapes policies use. */
export function tokenToType(token: JToken | null, type: TypeRef): unknown {
  if (token === null) return null;
  const nullable = type.name === '?';
  const target = nullable ? type.args[0] : type;
  if (TOKEN_CLASSES[target.name]) return convertToken(token, target);
  if (token instanceof JValue && token.value === null && (nullable || !PRIMITIVES.has(target.name) || target.name === 'String')) return null;
  if (PRIMITIVES.has(target.name)) return explicitCast(token, target.name as Primitive, nullable);
  if (target.name === 'Object') return token instanceof JValue ? token.value : token;
  if (target.name === '[]' || target.name === 'List' || target.name === 'IList' || target.name === 'IEnumerable') {
    if (!(token instanceof JArray)) throw serializationError(token, target);
    const items = token.items.map((x) => tokenToType(x, target.args[0]));
    return target.name === '[]' ? items : List.fromIterable(items, target.args);
  }
  if (target.name === 'Dictionary' || target.name === 'IDictionary') {
    if (!(token instanceof JObject)) throw serializationError(token, target);
    const d = new Dictionary<unknown, unknown>(null, target.args);
    for (const p of token.properties()) d.add(p.name, tokenToType(p.value, target.args[1]));
    return d;
  }
  throw serializationError(token, target);
}

const serializationError = (t: JToken, type: TypeRef) => new JsonError('Newtonsoft.Json.JsonSerializationException',
  `Cannot deserialize the current JSON ${t instanceof JArray ? 'array' : t instanceof JObject ? 'object' : 'value'} into type '${clrType(type)}'. Path '${t.path}'.`);

/** JsonConvert.SerializeObject of any value expressions hold. */
export function serialize(value: unknown, indent: boolean): string {
  if (value instanceof JToken) return writeJson(value, indent);
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'string': return quoteJson(value);
    case 'boolean': return value ? 'true' : 'false';
    case 'bigint': return value.toString();
    // A runtime number does not say whether it was an int or a double: integral values print as ints.
    case 'number': return Number.isInteger(value) ? String(value) : jsonDouble(value);
    default: break;
  }
  return writeJson(fromObject(value), indent);
}

/** JsonConvert.DeserializeObject(string): tokens for objects and arrays, plain values otherwise. */
function deserialize(text: string | null): unknown {
  if (text === null) throw argumentNull('value');
  if (text.trim() === '') return null;
  const t = parseJson(text);
  return t instanceof JValue ? t.value : t;
}

// JValue kinds for implicit conversions (int → Integer, double → Float).
const IMPLICIT: readonly [string, 'Integer' | 'Float' | undefined][] = [
  ['string', undefined], ['bool', undefined], ['int', 'Integer'], ['long', 'Integer'], ['short', 'Integer'], ['byte', 'Integer'],
  ['double', 'Float'], ['float', 'Float'], ['decimal', 'Float'], ['int?', 'Integer'], ['long?', 'Integer'], ['double?', 'Float'], ['bool?', undefined],
  ['byte[]', undefined],
];
const EXPLICIT: readonly [string, Primitive, boolean][] = [
  ['string', 'String', true], ['bool', 'Boolean', false], ['bool?', 'Boolean', true], ['int', 'Int32', false], ['int?', 'Int32', true],
  ['long', 'Int64', false], ['long?', 'Int64', true], ['double', 'Double', false], ['double?', 'Double', true],
  ['decimal', 'Decimal', false], ['decimal?', 'Decimal', true], ['float', 'Single', false], ['float?', 'Single', true],
  ['short', 'Int16', false], ['byte', 'Byte', false], ['char', 'Char', false],
];

const conversions = () => {
  const out: Record<string, (v: never) => unknown> = {};
  for (const [cs, kind] of IMPLICIT) out[`op_Implicit(${cs} value): JToken`] = ((v: unknown) => toToken(v, kind)) as (v: never) => unknown;
  for (const [cs, prim, nullable] of EXPLICIT) out[`op_Explicit(JToken value): ${cs}`] = ((t: JToken | null) => explicitCast(t, prim, nullable)) as (v: never) => unknown;
  return out;
};

const parseAs = (loading: 'JObject' | 'JArray' | 'JToken') => (s: string | null) => parseJson(s, loading);
type J = JToken;

export const json: TypeSpec[] = [
  enumSpec(JTokenType, NS),
  enumSpec(Formatting, 'Newtonsoft.Json'),
  {
    name: 'JToken', namespace: NS, is: (v) => v instanceof JToken, implements: ['IEnumerable<JToken>'],
    instance: {
      'Type: JTokenType': (t: J) => t.type,
      'Parent: JContainer': (t: J) => t.parent,
      'Root: JToken': (t: J) => t.root,
      'Path: string': (t: J) => t.path,
      'HasValues: bool': (t: J) => t.hasValues,
      'First: JToken': (t: J) => t.first,
      'Last: JToken': (t: J) => t.last,
      'Next: JToken': (t: J) => t.next,
      'Previous: JToken': (t: J) => t.previous,
      'this[object key]: JToken': { get: (t: J, k: unknown) => t.getItem(k), set: (t: J, k: unknown, v: J | null) => t.setItem(k, v) },
      'Value<T>(object key): T': (t: J, k: unknown, ta: readonly TypeRef[]) => convertToken(t.getItem(k), ta[0]),
      'Values<T>(): IEnumerable<T>': (t: J, ta: readonly TypeRef[]) => t.children().map((c) => convertToken(c, ta[0])),
      'Children(): IEnumerable<JToken>': (t: J) => [...t.children()],
      'SelectToken(string path): JToken': (t: J, p: string | null) => selectToken(t, p),
      'SelectToken(string path, bool errorWhenNoMatch): JToken': (t: J, p: string | null, e: boolean) => selectToken(t, p, e),
      'SelectTokens(string path): IEnumerable<JToken>': (t: J, p: string | null) => selectTokens(t, p),
      'SelectTokens(string path, bool errorWhenNoMatch): IEnumerable<JToken>': (t: J, p: string | null, e: boolean) => selectTokens(t, p, e),
      'ToString(): string': (t: J) => t.toString(),
      'ToString(Formatting formatting): string': (t: J, f: EnumValue) => t.toJson(indented(f)),
      'ToObject<T>(): T': (t: J, ta: readonly TypeRef[]) => tokenToType(t, ta[0]),
      'DeepClone(): JToken': (t: J) => t.deepClone(),
      'Remove(): void': (t: J) => t.detach(),
      'Replace(JToken value): void': (t: J, v: J | null) => t.replace(v),
      'AddAfterSelf(object content): void': (t: J, c: unknown) => t.addAfterSelf(c),
      'AddBeforeSelf(object content): void': (t: J, c: unknown) => t.addBeforeSelf(c),
      'Ancestors(): IEnumerable<JToken>': (t: J) => t.ancestors(),
      'AfterSelf(): IEnumerable<JToken>': (t: J) => t.afterSelf(),
      'BeforeSelf(): IEnumerable<JToken>': (t: J) => t.beforeSelf(),
    },
    statics: {
      'Parse(string json): JToken': parseAs('JToken'),
      'FromObject(object o): JToken': (o: unknown) => fromObject(o),
      'DeepEquals(JToken t1, JToken t2): bool': (a: J | null, b: J | null) => deepEquals(a, b),
      ...conversions(),
    },
  },
  {
    name: 'JContainer', namespace: NS, base: 'JToken', is: (v) => v instanceof JContainer, implements: ['IEnumerable<JToken>'],
    instance: {
      'Count: int': (c: JContainer) => c.count,
      'Add(object content): void': (c: JContainer, x: unknown) => c.addContent(x),
      'AddFirst(object content): void': (c: JContainer, x: unknown) => c.insertContent(0, x),
      'RemoveAll(): void': (c: JContainer) => c.removeAll(),
      'Descendants(): IEnumerable<JToken>': (c: JContainer) => c.descendants(),
    },
  },
  {
    name: 'JObject', namespace: NS, base: 'JContainer', is: (v) => v instanceof JObject,
    implements: ['IDictionary<string,JToken>', 'ICollection<KeyValuePair<string,JToken>>', 'IEnumerable<KeyValuePair<string,JToken>>'],
    ctors: {
      '()': () => new JObject(),
      '(JObject other)': (o: JObject | null) => { if (o === null) throw argumentNull('other'); return o.deepClone(); },
      '(params object[] content)': (c: unknown[]) => { const o = new JObject(); o.addContent(c); return o; },
    },
    instance: {
      'this[string propertyName]: JToken': { get: (o: JObject, k: string) => o.getItem(k), set: (o: JObject, k: string, v: J | null) => o.setItem(k, v) },
      'Count: int': (o: JObject) => o.count,
      'Properties(): IEnumerable<JProperty>': (o: JObject) => o.properties(),
      'Property(string name): JProperty': (o: JObject, n: string) => o.property(n),
      'PropertyValues(): IEnumerable<JToken>': (o: JObject) => o.properties().map((p) => p.value),
      'GetValue(string propertyName): JToken': (o: JObject, n: string) => o.get(n),
      'Add(string propertyName, JToken value): void': (o: JObject, n: string, v: J | null) => o.add(n, v),
      'Remove(string propertyName): bool': (o: JObject, n: string) => o.remove(n),
      'ContainsKey(string propertyName): bool': (o: JObject, n: string) => o.containsKey(n),
      'TryGetValue(string propertyName, out JToken value): bool': (o: JObject, n: string, out: Ref<J | null>) => {
        const v = o.lookup(n);
        out.value = v ?? null;
        return v !== undefined;
      },
    },
    statics: {
      'Parse(string json): JObject': parseAs('JObject'),
      'FromObject(object o): JObject': (x: unknown) => {
        const t = fromObject(x);
        if (!(t instanceof JObject)) throw new DotNetException('System.ArgumentException', `Object serialized to ${t.kind}. JObject instance expected.`);
        return t;
      },
    },
  },
  {
    name: 'JArray', namespace: NS, base: 'JContainer', is: (v) => v instanceof JArray,
    implements: ['IList<JToken>', 'ICollection<JToken>', 'IEnumerable<JToken>'],
    ctors: {
      '()': () => new JArray(),
      '(JArray other)': (a: JArray | null) => { if (a === null) throw argumentNull('other'); return a.deepClone(); },
      '(params object[] content)': (c: unknown[]) => { const a = new JArray(); a.addContent(c); return a; },
    },
    instance: {
      'this[int index]: JToken': { get: (a: JArray, i: number) => a.getItem(i), set: (a: JArray, i: number, v: J | null) => a.setItem(i, v) },
      'Count: int': (a: JArray) => a.count,
      'Add(JToken item): void': (a: JArray, x: J | null) => a.addContent(x ?? JValue.createNull()),
      'Insert(int index, JToken item): void': (a: JArray, i: number, x: J | null) => a.insert(i, x),
      'RemoveAt(int index): void': (a: JArray, i: number) => a.removeAt(i),
      'Remove(JToken item): bool': (a: JArray, x: J | null) => a.remove(x),
      'IndexOf(JToken item): int': (a: JArray, x: J | null) => a.indexOf(x),
      'Contains(JToken item): bool': (a: JArray, x: J | null) => a.contains(x),
      'Clear(): void': (a: JArray) => a.clear(),
    },
    statics: {
      'Parse(string json): JArray': parseAs('JArray'),
      'FromObject(object o): JArray': (x: unknown) => {
        const t = fromObject(x);
        if (!(t instanceof JArray)) throw new DotNetException('System.ArgumentException', `Object serialized to ${t.kind}. JArray instance expected.`);
        return t;
      },
    },
  },
  {
    name: 'JProperty', namespace: NS, base: 'JContainer', is: (v) => v instanceof JProperty,
    ctors: {
      '(string name, object content)': (n: string, c: unknown) => new JProperty(n, c),
      '(JProperty other)': (p: JProperty | null) => { if (p === null) throw argumentNull('other'); return p.deepClone(); },
    },
    instance: {
      'Name: string': (p: JProperty) => p.name,
      'Value: JToken': { get: (p: JProperty) => p.value, set: (p: JProperty, v: J | null) => { p.value = v; } },
    },
  },
  {
    name: 'JValue', namespace: NS, base: 'JToken', is: (v) => v instanceof JValue,
    ctors: {
      '(string value)': (v: string | null) => (v === null ? new JValue('String', null) : JValue.createString(v)),
      '(long value)': (v: bigint) => JValue.int(v),
      '(double value)': (v: number) => JValue.float(v),
      '(bool value)': (v: boolean) => new JValue('Boolean', v),
      '(object value)': (v: unknown) => JValue.fromObject(v),
      '(JValue other)': (v: JValue | null) => { if (v === null) throw argumentNull('other'); return v.deepClone(); },
    },
    instance: {
      'Value: object': { get: (v: JValue) => v.value, set: (v: JValue, x: unknown) => { v.value = x; } },
      'ToString(): string': (v: JValue) => v.toString(),
      'Equals(JValue other): bool': (v: JValue, o: JValue | null) => o !== null && deepEquals(v, o),
      'CompareTo(JValue obj): int': (v: JValue, o: JValue | null) => (o === null ? 1 : Math.sign(v.compareTo(o))),
    },
    statics: {
      'CreateNull(): JValue': () => JValue.createNull(),
      'CreateString(string value): JValue': (s: string | null) => new JValue('String', s),
      'CreateUndefined(): JValue': () => JValue.createUndefined(),
      'CreateComment(string value): JValue': (s: string | null) => new JValue('Comment', s),
    },
  },
  {
    name: 'JsonConvert', namespace: 'Newtonsoft.Json', static: true,
    statics: {
      'SerializeObject(object value): string': (v: unknown) => serialize(v, false),
      'SerializeObject(object value, Formatting formatting): string': (v: unknown, f: EnumValue) => serialize(v, indented(f)),
      'DeserializeObject(string value): object': (s: string | null) => deserialize(s),
      'DeserializeObject<T>(string value): T': (s: string | null, ta: readonly TypeRef[]) => {
        if (s === null) throw argumentNull('value');
        return s.trim() === '' ? null : tokenToType(parseJson(s), ta[0]);
      },
      'ToString(string value): string': (s: string | null) => (s === null ? 'null' : quoteJson(s)),
      'ToString(bool value): string': (b: boolean) => (b ? 'true' : 'false'),
      'ToString(long value): string': (n: bigint) => n.toString(),
      'ToString(double value): string': (d: number) => jsonDouble(d),
      'ToString(object value): string': (v: unknown) => serialize(v, false),
      'True: string': () => 'true',
      'False: string': () => 'false',
      'Null: string': () => 'null',
    },
  },
  {
    name: 'JsonException', namespace: 'Newtonsoft.Json', base: 'Exception',
    is: (v) => v instanceof JsonError,
  },
  {
    name: 'JsonReaderException', namespace: 'Newtonsoft.Json', base: 'JsonException',
    is: (v) => v instanceof JsonError && v.type === 'Newtonsoft.Json.JsonReaderException',
    instance: {
      'LineNumber: int': (e: JsonError) => e.lineNumber,
      'LinePosition: int': (e: JsonError) => e.linePosition,
      'Path: string': (e: JsonError) => e.path,
    },
  },
  {
    name: 'JsonSerializationException', namespace: 'Newtonsoft.Json', base: 'JsonException',
    is: (v) => v instanceof JsonError && v.type === 'Newtonsoft.Json.JsonSerializationException',
  },
];



