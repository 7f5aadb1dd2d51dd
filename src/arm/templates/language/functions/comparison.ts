// Comparison functions (learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-comparison).
import { deepEquals, typeName, type JsonValue } from '../values.js';
import { arity, defineAll, fail } from './types.js';

// .NET's invariant culture orders letters case-insensitively first, lower case before upper case.
const collator = new Intl.Collator('en-US', { sensitivity: 'variant', caseFirst: 'lower', numeric: false });

function compare(name: string, a: readonly JsonValue[]): number {
  arity(name, a, 2);
  const [x, y] = a;
  if (typeof x === 'number' && typeof y === 'number') return x < y ? -1 : x > y ? 1 : 0;
  if (typeof x === 'string' && typeof y === 'string') return collator.compare(x, y);
  throw fail(name, `the parameters must both be integers or both be strings; they are of types '${typeName(x)}' and '${typeName(y)}'.`);
}

export const comparisonFunctions = defineAll(
  {
    name: 'coalesce', call: (a, c) => {
      arity(c.name, a, 1, Infinity);
      return a.find((v) => v !== null) ?? null;
    },
  },
  { name: 'equals', call: (a, c) => { arity(c.name, a, 2); return deepEquals(a[0], a[1]); } },
  { name: 'greater', call: (a, c) => compare(c.name, a) > 0 },
  { name: 'greaterOrEquals', call: (a, c) => compare(c.name, a) >= 0 },
  { name: 'less', call: (a, c) => compare(c.name, a) < 0 },
  { name: 'lessOrEquals', call: (a, c) => compare(c.name, a) <= 0 },
);
