// Object functions (learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-object).
import { findKey, isObject, parseLenientJson, typeName, type JsonObject, type JsonValue } from '../values.js';
import { arity, defineAll, fail, str } from './types.js';

export const objectFunctions = defineAll(
  {
    name: 'createObject', call: (a, c) => {
      if (a.length % 2 !== 0) throw fail(c.name, `the function expects an even number of parameters but received ${a.length}.`);
      const out: JsonObject = {};
      for (let i = 0; i < a.length; i += 2) {
        const k = a[i];
        if (typeof k !== 'string') throw fail(c.name, `the property name at position '${i}' must be of type 'String' but is of type '${typeName(k)}'.`);
        if (findKey(out, k) !== undefined) throw fail(c.name, `the property name '${k}' is given more than once.`);
        out[k] = a[i + 1]!;
      }
      return out;
    },
  },
  {
    name: 'json', call: (a, c) => {
      arity(c.name, a, 1);
      const s = str(c.name, a, 0);
      const v = parseLenientJson(s);
      if (v === undefined) throw fail(c.name, `the value '${s}' is not valid JSON.`);
      return v;
    },
  },
  { name: 'null', call: (a, c) => { arity(c.name, a, 0); return null; } },
  {
    name: 'items', call: (a, c) => {
      arity(c.name, a, 1);
      const o = a[0];
      if (!isObject(o)) throw fail(c.name, `the parameter must be of type 'Object' but is of type '${typeName(o)}'.`);
      return Object.keys(o).sort((x, y) => (x.toLowerCase() < y.toLowerCase() ? -1 : x.toLowerCase() > y.toLowerCase() ? 1 : 0))
        .map((key) => ({ key, value: o[key]! }));
    },
  },
  {
    name: 'objectKeys', call: (a, c) => {
      arity(c.name, a, 1);
      const o = a[0];
      if (!isObject(o)) throw fail(c.name, `the parameter must be of type 'Object' but is of type '${typeName(o)}'.`);
      return Object.keys(o);
    },
  },
  {
    name: 'shallowMerge', call: (a, c) => {
      arity(c.name, a, 1);
      const list = a[0];
      if (!Array.isArray(list) || !list.every(isObject)) throw fail(c.name, 'the parameter must be an array of objects.');
      return Object.assign({}, ...list) as JsonObject;
    },
  },
  {
    name: 'tryGet', call: (a, c) => {
      arity(c.name, a, 2, Infinity);
      let cur: JsonValue = a[0]!;
      for (const k of a.slice(1)) {
        if (isObject(cur) && typeof k === 'string') { const key = findKey(cur, k); cur = key === undefined ? null : cur[key]!; }
        else if (Array.isArray(cur) && typeof k === 'number') cur = cur[k] ?? null;
        else return null;
        if (cur === null) return null;
      }
      return cur;
    },
  },
);
