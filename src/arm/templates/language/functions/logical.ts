// Logical functions (learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-logical).
import { typeName, type JsonValue } from '../values.js';
import { arity, bool, defineAll, fail } from './types.js';

function allBool(name: string, a: readonly JsonValue[]): boolean[] {
  arity(name, a, 2, Infinity);
  return a.map((v) => {
    if (typeof v !== 'boolean') throw fail(name, `all parameters must be of type 'Boolean'; a parameter is of type '${typeName(v)}'.`);
    return v;
  });
}

export const logicalFunctions = defineAll(
  { name: 'and', call: (a, c) => allBool(c.name, a).every(Boolean) },
  { name: 'or', call: (a, c) => allBool(c.name, a).some(Boolean) },
  { name: 'not', call: (a, c) => { arity(c.name, a, 1); return !bool(c.name, a, 0); } },
  { name: 'true', call: (a, c) => { arity(c.name, a, 0); return true; } },
  { name: 'false', call: (a, c) => { arity(c.name, a, 0); return false; } },
  {
    name: 'bool', call: (a, c) => {
      arity(c.name, a, 1);
      const v = a[0];
      if (typeof v === 'boolean') return v;
      if (typeof v === 'number' && Number.isInteger(v)) return v !== 0;
      if (typeof v === 'string') {
        const s = v.trim().toLowerCase();
        if (s === 'true') return true;
        if (s === 'false') return false;
        throw fail(c.name, `the string '${v}' cannot be converted to a boolean.`);
      }
      throw fail(c.name, `the parameter must be of type 'Boolean', 'Integer' or 'String' but is of type '${typeName(v)}'.`);
    },
  },
  {
    // ARM evaluates only the branch the condition selects.
    name: 'if', lazy: true, call: async (a, c) => {
      arity(c.name, a, 3);
      const cond = await a[0]!();
      if (typeof cond !== 'boolean') throw fail(c.name, `the first parameter must be of type 'Boolean' but is of type '${typeName(cond)}'.`);
      return cond ? a[1]!() : a[2]!();
    },
  },
);
