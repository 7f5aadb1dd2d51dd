// A parsed template: the document, its sections checked for shape, and where each value sits in the
// text. Nested deployment templates share their parent's positions under a path prefix.
import { TemplateError } from './errors.js';
import { childPath, readJsonWithPositions, type Position, type PositionMap } from './json-reader.js';
import { getProperty, isObject, type JsonObject, type JsonValue } from './values.js';

export type ParameterType = 'string' | 'securestring' | 'int' | 'bool' | 'object' | 'secureobject' | 'array';
export const PARAMETER_TYPES: readonly ParameterType[] = ['string', 'securestring', 'int', 'bool', 'object', 'secureobject', 'array'];

export interface ParameterDefinition {
  /** Lower-cased; ARM accepts any casing. */
  type: ParameterType;
  defaultValue?: JsonValue;
  allowedValues?: JsonValue[];
  minLength?: number;
  maxLength?: number;
  minValue?: number;
  maxValue?: number;
  metadata?: JsonObject;
}

export interface OutputDefinition {
  type: string;
  value?: JsonValue;
  copy?: JsonObject;
  condition?: JsonValue;
}

export interface Template {
  schema: string;
  contentVersion: string;
  parameters: Record<string, ParameterDefinition>;
  /** Raw (unevaluated) variables, including a `copy` array if present. */
  variables: JsonObject;
  /** Raw (unevaluated) resource declarations. */
  resources: JsonObject[];
  outputs: Record<string, OutputDefinition>;
  document: JsonObject;
  positions: PositionMap;
  /** Where this template sits in the text the positions were read from ('' for a top-level template). */
  basePath: string;
}

/** Position of the value at `path` (relative to the template), or of its nearest ancestor that has one. */
export function locate(template: Pick<Template, 'positions' | 'basePath'>, path: string): Position | undefined {
  let p = template.basePath === '' ? path : path === '' ? template.basePath : `${template.basePath}.${path}`;
  for (;;) {
    const pos = template.positions.get(p);
    if (pos) return pos;
    if (p === '') return undefined;
    const cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
    p = cut < 0 ? '' : p.slice(0, cut);
  }
}

/** A TemplateError at `path` of `template`, with the line and column of that value. */
export function templateError(template: Pick<Template, 'positions' | 'basePath'> | undefined, path: string, detail: string, message?: (pos: Position | undefined) => string): TemplateError {
  const pos = template ? locate(template, path) : undefined;
  return new TemplateError({ path, detail, line: pos?.line, column: pos?.column, message: message?.(pos) });
}

/** " at line 'L' and column 'C'" as ARM writes it, or '' when the text is unknown. */
export function atLine(pos: Position | undefined): string {
  return pos ? ` at line '${pos.line}' and column '${pos.column}'` : '';
}

export function parseTemplate(text: string): Template {
  const { value, positions } = readJsonWithPositions(text);
  return templateFromJson(value, positions, '');
}

/**
 * A template given as a value (a nested deployment's `properties.template`, or a request body's
 * `template`). `positions`/`basePath` locate it in the text it came from, when there is one.
 */
export function templateFromJson(value: unknown, positions: PositionMap = new Map(), basePath = ''): Template {
  const where = { positions, basePath };
  if (!isObject(value)) throw templateError(where, '', 'The template must be a JSON object.');
  const doc = value;
  const str = (key: string): string => {
    const v = getProperty(doc, key);
    if (v === undefined || v === null) {
      const pos = locate(where, '');
      throw templateError(where, '', `Required property '${key}' not found in JSON. Path '${basePath}', line ${pos?.line ?? 0}, position ${pos?.column ?? 0}.`);
    }
    if (typeof v !== 'string') throw templateError(where, key, `The template property '${key}' must be a string.`);
    return v;
  };
  const section = (key: string): JsonObject => {
    const v = getProperty(doc, key);
    if (v === undefined || v === null) return {};
    if (!isObject(v)) throw templateError(where, key, `The template property '${key}' must be a JSON object.`);
    return v;
  };
  const schema = str('$schema');
  const contentVersion = str('contentVersion');
  if (!/^\d+(\.\d+){0,3}$/.test(contentVersion)) {
    throw templateError(where, 'contentVersion', `The template content version '${contentVersion}' is not valid. The content version must be of the format 'n.n.n.n' where n is an integer.`);
  }

  const parameters: Record<string, ParameterDefinition> = {};
  for (const [name, def] of Object.entries(section('parameters'))) {
    parameters[name] = parameterDefinition(where, name, def);
  }
  const variables = section('variables');

  const rawResources = getProperty(doc, 'resources') ?? [];
  if (!Array.isArray(rawResources)) throw templateError(where, 'resources', "The template property 'resources' must be an array.");
  const resources = rawResources.map((r, i) => {
    if (!isObject(r)) throw templateError(where, `resources[${i}]`, `The template resource at index '${i}' must be a JSON object.`);
    checkResourceShape(where, `resources[${i}]`, r);
    return r;
  });

  const outputs: Record<string, OutputDefinition> = {};
  for (const [name, def] of Object.entries(section('outputs'))) {
    const path = childPath('outputs', name);
    if (!isObject(def)) throw templateError(where, path, `The template output '${name}' must be a JSON object.`);
    const type = getProperty(def, 'type');
    if (typeof type !== 'string') throw templateError(where, path, `The template output '${name}' is missing required property 'type'.`);
    const value = getProperty(def, 'value');
    const copy = getProperty(def, 'copy');
    if (value === undefined && copy === undefined) throw templateError(where, path, `The template output '${name}' is missing required property 'value'.`);
    outputs[name] = { type, value, copy: isObject(copy) ? copy : undefined, condition: getProperty(def, 'condition') };
  }
  return { schema, contentVersion, parameters, variables, resources, outputs, document: doc, positions, basePath };
}

/** A template nested at `path` of `outer` (e.g. `resources[2].properties.template`), located in outer's text. */
export function nestedTemplate(outer: Template, path: string, value: unknown): Template {
  return templateFromJson(value, outer.positions, outer.basePath === '' ? path : `${outer.basePath}.${path}`);
}

function parameterDefinition(where: Pick<Template, 'positions' | 'basePath'>, name: string, def: JsonValue): ParameterDefinition {
  const path = childPath('parameters', name);
  if (!isObject(def)) throw templateError(where, path, `The template parameter '${name}' must be a JSON object.`);
  const rawType = getProperty(def, 'type');
  const type = typeof rawType === 'string' ? rawType.toLowerCase() : undefined;
  if (!type || !(PARAMETER_TYPES as readonly string[]).includes(type)) {
    throw templateError(where, childPath(path, 'type'), `The template parameter '${name}' has an invalid type '${String(rawType ?? '')}'. The supported types are 'String, SecureString, Int, Bool, Array, Object, SecureObject'.`,
      (pos) => `The template parameter '${name}'${atLine(pos)} is not valid: the type '${String(rawType ?? '')}' is not supported. The supported types are 'String, SecureString, Int, Bool, Array, Object, SecureObject'. Please see https://aka.ms/arm-syntax-parameters for usage details.`);
  }
  const out: ParameterDefinition = { type: type as ParameterType };
  const num = (key: 'minLength' | 'maxLength' | 'minValue' | 'maxValue') => {
    const v = getProperty(def, key);
    if (v === undefined || v === null) return;
    if (typeof v !== 'number' || !Number.isInteger(v)) throw templateError(where, childPath(path, key), `The template parameter '${name}' property '${key}' must be an integer.`);
    out[key] = v;
  };
  num('minLength'); num('maxLength'); num('minValue'); num('maxValue');
  const dv = getProperty(def, 'defaultValue');
  if (dv !== undefined) out.defaultValue = dv;
  const av = getProperty(def, 'allowedValues');
  if (av !== undefined && av !== null) {
    if (!Array.isArray(av)) throw templateError(where, childPath(path, 'allowedValues'), `The template parameter '${name}' property 'allowedValues' must be an array.`);
    out.allowedValues = av;
  }
  const md = getProperty(def, 'metadata');
  if (isObject(md)) out.metadata = md;
  return out;
}

function checkResourceShape(where: Pick<Template, 'positions' | 'basePath'>, path: string, r: JsonObject): void {
  for (const key of ['type', 'name', 'apiVersion']) {
    const v = getProperty(r, key);
    if (typeof v !== 'string' || v === '') {
      throw templateError(where, path, `The template resource is missing required property '${key}'.`,
        (pos) => `The template resource${atLine(pos)} is not valid: required property '${key}' is missing or is not a string. Please see https://aka.ms/arm-syntax-resources for usage details.`);
    }
  }
  const children = getProperty(r, 'resources');
  if (children !== undefined) {
    if (!Array.isArray(children)) throw templateError(where, childPath(path, 'resources'), "The template property 'resources' must be an array.");
    children.forEach((c, i) => {
      const cp = `${childPath(path, 'resources')}[${i}]`;
      if (!isObject(c)) throw templateError(where, cp, `The template resource at index '${i}' must be a JSON object.`);
      checkResourceShape(where, cp, c);
    });
  }
}
