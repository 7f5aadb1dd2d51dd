// Evaluates a template's outputs (with condition and copy) into the deployment's `outputs`:
// {name: {type, value}}, types in ARM's casing, values checked against the declared type.
import { ExpressionError } from './errors.js';
import { evaluateCopy, evaluateValue, faultAt, stateFor } from './evaluator.js';
import { childPath } from './json-reader.js';
import type { EvalScope } from './scope.js';
import type { Template } from './template.js';
import { getProperty, isObject, typeName, type JsonValue } from './values.js';

const TYPES: Record<string, { name: string; ok: (v: JsonValue) => boolean; expected: string }> = {
  string: { name: 'String', ok: (v) => typeof v === 'string', expected: 'String, Uri' },
  securestring: { name: 'SecureString', ok: (v) => typeof v === 'string', expected: 'String, Uri' },
  int: { name: 'Int', ok: (v) => typeof v === 'number' && Number.isInteger(v), expected: 'Integer' },
  bool: { name: 'Bool', ok: (v) => typeof v === 'boolean', expected: 'Boolean' },
  object: { name: 'Object', ok: isObject, expected: 'Object' },
  secureobject: { name: 'SecureObject', ok: isObject, expected: 'Object' },
  array: { name: 'Array', ok: Array.isArray, expected: 'Array' },
};

export interface OutputValue { type: string; value: JsonValue }

export async function evaluateOutputs(template: Template, scope: EvalScope): Promise<Record<string, OutputValue>> {
  const s: EvalScope = scope.template ? scope : { ...scope, template };
  const st = stateFor(s, 'runtime');
  const out: Record<string, OutputValue> = {};
  for (const [name, def] of Object.entries(template.outputs)) {
    const path = childPath('outputs', name);
    if (def.condition !== undefined) {
      const c = await evaluateValue(def.condition, st, childPath(path, 'condition'));
      if (typeof c !== 'boolean') throw faultAt(st, childPath(path, 'condition'), `The output condition must evaluate to a boolean; it evaluated to '${typeName(c)}'.`);
      if (!c) continue;
    }
    const t = TYPES[def.type.toLowerCase()];
    if (!t) throw faultAt(st, childPath(path, 'type'), `The template output type '${def.type}' is not supported. The supported types are 'String, SecureString, Int, Bool, Array, Object, SecureObject'.`);
    let value: JsonValue;
    if (def.copy) {
      const copy = { ...def.copy, name: getProperty(def.copy, 'name') ?? name };
      value = await evaluateCopy(copy, st, childPath(path, 'copy'));
    } else {
      value = await evaluateValue(def.value ?? null, st, childPath(path, 'value'));
    }
    if (!t.ok(value)) {
      throw faultAt(st, path, new ExpressionError(`Template output JToken type is not valid. Expected '${t.expected}'. Actual '${typeName(value)}'.`).message);
    }
    out[name] = { type: t.name, value };
  }
  return out;
}
