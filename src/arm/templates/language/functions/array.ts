// Array functions (learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-array).
import { deepEquals, findKey, isObject, typeName, type JsonObject, type JsonValue } from '../values.js';
import { arity, defineAll, fail, int, str } from './types.js';

function sameKind(name: string, args: readonly JsonValue[]): 'array' | 'object' {
  if (args.every(Array.isArray)) return 'array';
  if (args.every(isObject)) return 'object';
  throw fail(name, `the parameters must all be arrays or all be objects; they are of types '${args.map(typeName).join(', ')}'.`);
}

function distinct(items: JsonValue[]): JsonValue[] {
  const out: JsonValue[] = [];
  for (const x of items) if (!out.some((y) => deepEquals(x, y))) out.push(x);
  return out;
}

/** union of objects: later values win; nested objects merge recursively (as ARM documents). */
function mergeObjects(a: JsonObject, b: JsonObject): JsonObject {
  const out: JsonObject = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const existing = findKey(out, k);
    const prev = existing === undefined ? undefined : out[existing];
    if (existing !== undefined && existing !== k) delete out[existing];
    out[existing ?? k] = isObject(prev) && isObject(v) ? mergeObjects(prev, v) : v;
  }
  return out;
}

function sliceArgs(name: string, a: readonly JsonValue[]): [JsonValue[] | string, number] {
  arity(name, a, 2);
  const v = a[0];
  if (typeof v !== 'string' && !Array.isArray(v)) throw fail(name, `the first parameter must be of type 'Array' or 'String' but is of type '${typeName(v)}'.`);
  return [v, int(name, a, 1)];
}

function indexIn(name: string, a: readonly JsonValue[], last: boolean): number {
  arity(name, a, 2);
  const [container, item] = a;
  if (Array.isArray(container)) {
    const idx = (i: number) => deepEquals(container[i], item);
    if (last) { for (let i = container.length - 1; i >= 0; i--) if (idx(i)) return i; return -1; }
    return container.findIndex((_, i) => idx(i));
  }
  const s = str(name, a as JsonValue[], 0).toLowerCase();
  const find = str(name, a as JsonValue[], 1).toLowerCase();
  return last ? s.lastIndexOf(find) : s.indexOf(find);
}

export const arrayFunctions = defineAll(
  { name: 'array', call: (a, c) => { arity(c.name, a, 1); return Array.isArray(a[0]) ? a[0] : [a[0]!]; } },
  { name: 'createArray', call: (a) => [...a] },
  {
    name: 'contains', call: (a, c) => {
      arity(c.name, a, 2);
      const [container, item] = a;
      if (Array.isArray(container)) return container.some((x) => deepEquals(x, item));
      if (isObject(container)) {
        if (typeof item !== 'string') throw fail(c.name, `the second parameter must be of type 'String' when the first is an object but is of type '${typeName(item)}'.`);
        return findKey(container, item) !== undefined;
      }
      if (typeof container === 'string') {
        if (typeof item !== 'string' && typeof item !== 'number') throw fail(c.name, `the second parameter must be of type 'String' or 'Integer' but is of type '${typeName(item)}'.`);
        return container.includes(String(item));
      }
      throw fail(c.name, `the first parameter must be of type 'Array', 'Object' or 'String' but is of type '${typeName(container)}'.`);
    },
  },
  {
    name: 'empty', call: (a, c) => {
      arity(c.name, a, 1);
      const v = a[0];
      if (v === null) return true;
      if (typeof v === 'string' || Array.isArray(v)) return v.length === 0;
      if (isObject(v)) return Object.keys(v).length === 0;
      throw fail(c.name, `the parameter must be of type 'Array', 'Object' or 'String' but is of type '${typeName(v)}'.`);
    },
  },
  {
    name: 'first', call: (a, c) => {
      arity(c.name, a, 1);
      const v = a[0];
      if (Array.isArray(v)) return v.length ? v[0]! : null;
      if (typeof v === 'string') return v.slice(0, 1);
      if (v === null) return null;
      throw fail(c.name, `the parameter must be of type 'Array' or 'String' but is of type '${typeName(v)}'.`);
    },
  },
  {
    name: 'last', call: (a, c) => {
      arity(c.name, a, 1);
      const v = a[0];
      if (Array.isArray(v)) return v.length ? v[v.length - 1]! : null;
      if (typeof v === 'string') return v.slice(-1);
      if (v === null) return null;
      throw fail(c.name, `the parameter must be of type 'Array' or 'String' but is of type '${typeName(v)}'.`);
    },
  },
  {
    name: 'length', call: (a, c) => {
      arity(c.name, a, 1);
      const v = a[0];
      if (typeof v === 'string' || Array.isArray(v)) return v.length;
      if (isObject(v)) return Object.keys(v).length;
      if (v === null) return 0;
      throw fail(c.name, `the parameter must be of type 'Array', 'Object' or 'String' but is of type '${typeName(v)}'.`);
    },
  },
  { name: 'indexOf', call: (a, c) => indexIn(c.name, a, false) },
  { name: 'lastIndexOf', call: (a, c) => indexIn(c.name, a, true) },
  {
    name: 'intersection', call: (a, c) => {
      arity(c.name, a, 2, Infinity);
      if (sameKind(c.name, a) === 'array') {
        const [first, ...rest] = a as JsonValue[][];
        return distinct(first!).filter((x) => rest.every((r) => r.some((y) => deepEquals(x, y))));
      }
      const [first, ...rest] = a as JsonObject[];
      const out: JsonObject = {};
      for (const [k, v] of Object.entries(first!)) {
        if (rest.every((o) => Object.prototype.hasOwnProperty.call(o, k) && deepEquals(o[k], v))) out[k] = v;
      }
      return out;
    },
  },
  {
    name: 'union', call: (a, c) => {
      arity(c.name, a, 2, Infinity);
      if (sameKind(c.name, a) === 'array') return distinct((a as JsonValue[][]).flat(1));
      return (a as JsonObject[]).reduce((acc, o) => mergeObjects(acc, o), {});
    },
  },
  {
    name: 'range', call: (a, c) => {
      arity(c.name, a, 2);
      const start = int(c.name, a, 0);
      const count = int(c.name, a, 1);
      if (count < 0 || count > 10000) throw fail(c.name, `the count '${count}' must be between 0 and 10000.`);
      if (start + count - 1 > 2147483647) throw fail(c.name, 'the sum of the start index and the count must not exceed 2147483647.');
      return Array.from({ length: count }, (_, i) => start + i);
    },
  },
  {
    name: 'skip', call: (a, c) => {
      const [v, n] = sliceArgs(c.name, a);
      return v.slice(Math.max(0, n));
    },
  },
  {
    name: 'take', call: (a, c) => {
      const [v, n] = sliceArgs(c.name, a);
      return v.slice(0, Math.max(0, n));
    },
  },
  {
    name: 'flatten', call: (a, c) => {
      arity(c.name, a, 1);
      const v = a[0];
      if (!Array.isArray(v) || !v.every(Array.isArray)) throw fail(c.name, 'the parameter must be an array of arrays.');
      return (v as JsonValue[][]).flat(1);
    },
  },
);
