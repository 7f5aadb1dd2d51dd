// The function table: one module per family, looked up case-insensitively as ARM does. Any name
// starting with "list" is a list* resource action (listKeys, listSecrets, ...).
import { arrayFunctions } from './array.js';
import { comparisonFunctions } from './comparison.js';
import { dateIdFunctions } from './dates-ids.js';
import { deploymentFunctions } from './deployment.js';
import { logicalFunctions } from './logical.js';
import { numericFunctions } from './numeric.js';
import { objectFunctions } from './object.js';
import { listCall, resourceFunctions } from './resource.js';
import { stringFunctions } from './string.js';
import type { TemplateFunction } from './types.js';

let table: Map<string, TemplateFunction> | undefined;

// Built on first use: the family modules and the evaluator import each other.
function build(): Map<string, TemplateFunction> {
  const t = new Map<string, TemplateFunction>();
  for (const f of [...stringFunctions, ...arrayFunctions, ...objectFunctions, ...logicalFunctions, ...comparisonFunctions,
    ...numericFunctions, ...resourceFunctions, ...deploymentFunctions, ...dateIdFunctions]) {
    if (t.has(f.name.toLowerCase())) throw new Error(`template function ${f.name} is defined twice`);
    t.set(f.name.toLowerCase(), f);
  }
  return t;
}

const LIST: TemplateFunction = { name: 'list', call: listCall };

export function lookupFunction(name: string): TemplateFunction | undefined {
  table ??= build();
  const lower = name.toLowerCase();
  return table.get(lower) ?? (/^list[a-z0-9]*$/i.test(name) ? LIST : undefined);
}

/** Every built-in function name, in canonical casing (for tests and docs). */
export function functionNames(): string[] {
  table ??= build();
  return [...table.values()].map((f) => f.name);
}
