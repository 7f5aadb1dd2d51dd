// Binds the values given for a deployment to the template's parameters: unknown names refused, types
// checked, defaults evaluated (they may read other parameters, resourceGroup(), utcNow(), newGuid()),
// allowedValues and length/value limits enforced, in Azure's words. Secure parameters are listed so
// the engine hides them; Key Vault references are handed back for the engine to resolve.
import { ExpressionError, Msg, TemplateError } from './errors.js';
import { evaluateValue, stateFor } from './evaluator.js';
import { childPath } from './json-reader.js';
import type { EvalScope } from './scope.js';
import { atLine, locate, type ParameterDefinition, type Template } from './template.js';
import { deepEquals, findKey, getProperty, isObject, scalarText, typeName, type JsonObject, type JsonValue } from './values.js';

export interface KeyVaultParameterReference { keyVaultId: string; secretName: string; secretVersion?: string }

export interface BoundParameters {
  /** Every template parameter's value, by the name the template declares. */
  values: Record<string, JsonValue>;
  /** Names of securestring/secureobject parameters (their values are never shown). */
  secure: string[];
  /** Declared type of each parameter (lower case), for the deployment's `parameters` output. */
  types: Record<string, string>;
  /** Parameters given as Key Vault references: the engine reads the secret and calls bindParameters again with the value. */
  keyVaultReferences: Record<string, KeyVaultParameterReference>;
}

const FILE_HELP = 'Please see https://aka.ms/arm-deploy/#parameter-file for usage details.';
const PARAM_HELP = 'Please see https://aka.ms/arm-template/#parameters for usage details.';

const EXPECTED: Record<string, string> = {
  string: 'String, Uri', securestring: 'String, Uri', int: 'Integer', bool: 'Boolean', object: 'Object', secureobject: 'Object', array: 'Array',
};

function typeOk(def: ParameterDefinition, v: JsonValue): boolean {
  switch (def.type) {
    case 'string': case 'securestring': return typeof v === 'string';
    case 'int': return typeof v === 'number' && Number.isInteger(v);
    case 'bool': return typeof v === 'boolean';
    case 'object': case 'secureobject': return isObject(v);
    case 'array': return Array.isArray(v);
  }
}

/**
 * `given`: `{ name: { value } }` (a parameters file's `parameters`, or the deployment body's), or
 * `{ name: rawValue }`. `scope` supplies what defaults may use; its `parameters` are ignored.
 */
export async function bindParameters(template: Template, given: Record<string, unknown>, scope: EvalScope): Promise<BoundParameters> {
  const fault = (path: string, detail: string) => {
    const pos = locate(template, path);
    return new TemplateError({ path, detail, line: pos?.line, column: pos?.column });
  };
  const unknown = Object.keys(given).filter((k) => findKey(template.parameters, k) === undefined);
  if (unknown.length > 0) {
    throw fault('parameters', `The template parameters '${unknown.join(', ')}' in the parameters file are not valid; they are not present in the original template and can therefore not be provided at deployment time. The only supported parameters for this template are '${Object.keys(template.parameters).join(', ')}'. ${FILE_HELP}`);
  }

  const values: Record<string, JsonValue> = {};
  const keyVaultReferences: Record<string, KeyVaultParameterReference> = {};
  const pending = new Map<string, Promise<JsonValue>>();
  const stack: string[] = [];
  const defaults: Record<string, JsonValue> = {};

  for (const name of Object.keys(template.parameters)) {
    const key = findKey(given as Record<string, unknown>, name);
    if (key === undefined) continue;
    const raw = given[key];
    if (isObject(raw) && ('value' in raw || 'reference' in raw)) {
      const ref = getProperty(raw, 'reference');
      if (ref !== undefined) { keyVaultReferences[name] = keyVaultReference(fault, name, ref); continue; }
      values[name] = getProperty(raw, 'value') as JsonValue;
    } else {
      values[name] = raw as JsonValue;
    }
  }

  const paramScope: EvalScope = { ...scope, parameters: values, template: scope.template ?? template };
  const resolve = async (name: string): Promise<JsonValue> => {
    const key = findKey(template.parameters, name);
    if (key === undefined) throw new ExpressionError(Msg.parameterNotFound(name));
    if (key in values) return values[key]!;
    if (key in keyVaultReferences) return null;
    const def = template.parameters[key]!;
    if (def.defaultValue === undefined) {
      const pos = locate(template, childPath('parameters', key));
      throw fault(childPath('parameters', key), `The value for the template parameter '${key}'${atLine(pos)} is not provided. ${FILE_HELP}`);
    }
    if (stack.includes(key)) {
      throw fault(childPath('parameters', key), `The template parameter '${key}' is not valid: the default values of the parameters '${[...stack.slice(stack.indexOf(key)), key].join(', ')}' reference each other in a cycle.`);
    }
    let p = pending.get(key);
    if (!p) {
      stack.push(key);
      p = evaluateValue(def.defaultValue, stateFor(paramScope, 'parameterDefault', { parameter: resolve }), childPath(childPath('parameters', key), 'defaultValue'))
        .finally(() => stack.splice(stack.indexOf(key), 1));
      pending.set(key, p);
    }
    const v = await p;
    defaults[key] = v;
    return v;
  };

  for (const name of Object.keys(template.parameters)) {
    if (name in values || name in keyVaultReferences) continue;
    values[name] = await resolve(name);
  }
  for (const [name, def] of Object.entries(template.parameters)) {
    if (name in keyVaultReferences) continue;
    check(template, fault, name, def, values[name]!, name in defaults);
  }
  return {
    values,
    secure: Object.entries(template.parameters).filter(([, d]) => d.type === 'securestring' || d.type === 'secureobject').map(([n]) => n),
    types: Object.fromEntries(Object.entries(template.parameters).map(([n, d]) => [n, d.type])),
    keyVaultReferences,
  };
}

function keyVaultReference(fault: (p: string, d: string) => TemplateError, name: string, ref: unknown): KeyVaultParameterReference {
  const kv = isObject(ref) ? getProperty(ref as JsonObject, 'keyVault') : undefined;
  const id = isObject(kv) ? getProperty(kv, 'id') : undefined;
  const secretName = isObject(ref) ? getProperty(ref as JsonObject, 'secretName') : undefined;
  const secretVersion = isObject(ref) ? getProperty(ref as JsonObject, 'secretVersion') : undefined;
  if (typeof id !== 'string' || typeof secretName !== 'string') {
    throw fault('parameters', `The template parameter '${name}' reference is not valid: it must have 'keyVault.id' and 'secretName'. ${FILE_HELP}`);
  }
  return { keyVaultId: id, secretName, ...(typeof secretVersion === 'string' ? { secretVersion } : {}) };
}

function check(template: Template, fault: (p: string, d: string) => TemplateError, name: string, def: ParameterDefinition, v: JsonValue, isDefault: boolean): void {
  const path = childPath('parameters', name);
  const pos = locate(template, path);
  const at = atLine(pos);
  if (!typeOk(def, v)) {
    throw fault(isDefault ? childPath(path, 'defaultValue') : path,
      `Template parameter JToken type is not valid. Expected '${EXPECTED[def.type]}'. Actual '${typeName(v)}'. Please see https://aka.ms/resource-manager-parameter-files for usage details.`);
  }
  if (def.allowedValues) {
    const items = Array.isArray(v) && !def.allowedValues.some(Array.isArray) ? v : [v];
    const bad = items.filter((x) => !def.allowedValues!.some((a) => deepEquals(a, x)));
    if (bad.length > 0) {
      throw fault(path, `The provided value for the template parameter '${name}' is not valid. The value '${bad.map(scalarText).join(',')}' is not part of the allowed value(s): '${def.allowedValues.map(scalarText).join(',')}'. ${FILE_HELP}`);
    }
  }
  if (typeof v === 'string' || Array.isArray(v)) {
    if (def.minLength !== undefined && v.length < def.minLength) {
      throw fault(path, `The provided value for the template parameter '${name}'${at} is not valid. Length of the value should be greater than or equal to '${def.minLength}'. ${PARAM_HELP}`);
    }
    if (def.maxLength !== undefined && v.length > def.maxLength) {
      throw fault(path, `The provided value for the template parameter '${name}'${at} is not valid. Length of the value should be less than or equal to '${def.maxLength}'. ${PARAM_HELP}`);
    }
  }
  if (typeof v === 'number') {
    if (def.minValue !== undefined && v < def.minValue) {
      throw fault(path, `The provided value for the template parameter '${name}'${at} is not valid. Value should be greater than or equal to '${def.minValue}'. ${PARAM_HELP}`);
    }
    if (def.maxValue !== undefined && v > def.maxValue) {
      throw fault(path, `The provided value for the template parameter '${name}'${at} is not valid. Value should be less than or equal to '${def.maxValue}'. ${PARAM_HELP}`);
    }
  }
}
