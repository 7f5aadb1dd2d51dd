// Numeric functions (learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-numeric).
import { ExpressionError, Msg } from '../errors.js';
import { typeName, type JsonValue } from '../values.js';
import { arity, defineAll, fail, int, str } from './types.js';

function binary(name: string, a: readonly JsonValue[], op: (x: number, y: number) => number): number {
  arity(name, a, 2);
  const x = int(name, a as JsonValue[], 0);
  const y = int(name, a as JsonValue[], 1);
  const r = op(x, y);
  // ARM computes in 64-bit integers; beyond what a double holds exactly we refuse rather than round.
  if (!Number.isSafeInteger(r)) throw fail(name, 'the result overflows a 64-bit integer.');
  return r;
}

function numbers(name: string, a: readonly JsonValue[]): number[] {
  const list = a.length === 1 && Array.isArray(a[0]) ? a[0] : a;
  if (list.length === 0) throw fail(name, 'the function expects at least 1 parameter but received 0.');
  return list.map((v) => {
    if (typeof v !== 'number') throw fail(name, `the parameters must be integers; a parameter is of type '${typeName(v)}'.`);
    return v;
  });
}

export const numericFunctions = defineAll(
  { name: 'add', call: (a, c) => binary(c.name, a, (x, y) => x + y) },
  { name: 'sub', call: (a, c) => binary(c.name, a, (x, y) => x - y) },
  { name: 'mul', call: (a, c) => binary(c.name, a, (x, y) => x * y) },
  {
    name: 'div', call: (a, c) => binary(c.name, a, (x, y) => {
      if (y === 0) throw fail(c.name, 'the divisor cannot be zero.');
      return Math.trunc(x / y);
    }),
  },
  {
    name: 'mod', call: (a, c) => binary(c.name, a, (x, y) => {
      if (y === 0) throw fail(c.name, 'the divisor cannot be zero.');
      return x % y;
    }),
  },
  {
    name: 'int', call: (a, c) => {
      arity(c.name, a, 1);
      const v = a[0];
      if (typeof v === 'number' && Number.isInteger(v)) return v;
      const s = str(c.name, a as JsonValue[], 0).trim();
      if (!/^[+-]?\d+$/.test(s) || !Number.isSafeInteger(Number(s))) throw fail(c.name, `the value '${s}' cannot be converted to an integer.`);
      return Number(s);
    },
  },
  {
    name: 'float', call: (a, c) => {
      arity(c.name, a, 1);
      const v = a[0];
      if (typeof v === 'number') return v;
      const s = str(c.name, a as JsonValue[], 0).trim();
      const n = Number(s);
      if (s === '' || !Number.isFinite(n)) throw fail(c.name, `the value '${s}' cannot be converted to a float.`);
      return n;
    },
  },
  { name: 'min', call: (a, c) => Math.min(...numbers(c.name, a)) },
  { name: 'max', call: (a, c) => Math.max(...numbers(c.name, a)) },
  {
    name: 'copyIndex', call: (a, c) => {
      arity(c.name, a, 0, 2);
      let loop = '';
      let offset = 0;
      if (typeof a[0] === 'string') { loop = a[0]; if (a.length === 2) offset = int(c.name, a as JsonValue[], 1); }
      else if (a.length === 1) offset = int(c.name, a as JsonValue[], 0);
      else if (a.length === 2) throw fail(c.name, `the first parameter must be of type 'String' but is of type '${typeName(a[0])}'.`);
      const key = loop === '' ? '' : Object.keys(c.copyIndex).find((k) => k.toLowerCase() === loop.toLowerCase());
      const index = key === undefined ? undefined : c.copyIndex[key];
      if (index === undefined) {
        throw new ExpressionError(loop === ''
          ? `${Msg.functionNotExpected('copyIndex')} The function can only be used within a resource, property or variable with a copy specified.`
          : `The template function 'copyIndex' is not valid: the copy loop '${loop}' is not found. Please see https://aka.ms/arm-copy for usage details.`);
      }
      return index + offset;
    },
  },
);
