// The JSON schemas of an instance for validate-content and validate-parameters, compiled with ajv (and
// ajv-formats) once per configuration and on first use: the global schemas (`schemas`, by name, with an
// optional JSON pointer `schema-ref`) and the APIs' schemas (`apis/{api}/schemas`: Swagger 2
// `definitions` or OpenAPI 3 `components.schemas`, a definition chosen by `typeName`).
//
// What ajv does not read as API Management does is rewritten first: OpenAPI's `nullable: true` becomes
// a type that admits null, and the policy's allow-additional-properties / case-insensitive-property-names
// overrides rewrite `additionalProperties` / property names throughout the document.
import type { Ajv, ValidateFunction, ErrorObject } from 'ajv';
import { ajv as ajvPackages } from '../../../common/lazy-modules.js';
import type { SchemaConfig } from '../../config.js';

export interface SchemaOverrides {
  /** true/false: additionalProperties forced everywhere; undefined: as the schema says. */
  additionalProperties?: boolean;
  caseInsensitive?: boolean;
}

/** A compiled validator: undefined when valid, else the first problem in Newtonsoft.Json.Schema's words. */
export type JsonCheck = (value: unknown) => string | undefined;

/** Why a schema could not be used (ApiSchema / MissingDefinition in APIM's validation errors). */
export class SchemaLookupError extends Error {
  constructor(readonly rule: 'ApiSchema' | 'MissingDefinition', message: string) { super(message); }
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
const isObject = (v: unknown): v is Record<string, Json> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** A deep copy of a schema document with APIM's readings applied (see the file comment). */
export function rewriteSchema(node: unknown, o: SchemaOverrides, keys: 'keywords' | 'names' | 'properties' = 'keywords'): unknown {
  if (Array.isArray(node)) return node.map((n) => rewriteSchema(n, o));
  if (!isObject(node)) return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    // Under `properties` the keys are property names (lower-cased when names are case-insensitive); under
    // definitions/$defs/schemas they are definition names: neither are keywords.
    const key = keys === 'properties' && o.caseInsensitive ? k.toLowerCase() : k;
    const next = keys !== 'keywords' ? 'keywords'
      : k === 'properties' || k === 'patternProperties' ? 'properties'
        : k === 'definitions' || k === '$defs' || k === 'schemas' ? 'names' : 'keywords';
    out[key] = rewriteSchema(v, o, next);
  }
  if (keys !== 'keywords') return out;
  if (out.nullable === true && typeof out.type === 'string') out.type = [out.type, 'null'];
  delete out.nullable;
  if (o.caseInsensitive && Array.isArray(out.required)) out.required = out.required.map((r) => (typeof r === 'string' ? r.toLowerCase() : r));
  const objectLike = out.type === 'object' || isObject(out.properties);
  if (o.additionalProperties === true && out.additionalProperties === false) delete out.additionalProperties;
  if (o.additionalProperties === false && objectLike) out.additionalProperties = false;
  return out;
}

/** Property names lower-cased throughout (case-insensitive-property-names). */
export function lowerKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(lowerKeys);
  if (!isObject(v)) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k.toLowerCase()] = lowerKeys(x);
  return out;
}

/** An ajv error in the words of Newtonsoft.Json.Schema (what API Management reports), with its path. */
export function describe(e: ErrorObject): string {
  const path = e.instancePath.replace(/^\//, '').split('/').filter(Boolean).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~')).join('.');
  const p = e.params as Record<string, unknown>;
  let m: string;
  switch (e.keyword) {
    case 'required': m = `Required properties are missing from object: ${String(p.missingProperty)}.`; break;
    case 'type': m = `Invalid type. Expected ${String(p.type).split(',').map((t) => t[0].toUpperCase() + t.slice(1)).join(', ')}.`; break;
    case 'additionalProperties': m = `Property '${String(p.additionalProperty)}' has not been defined and the schema does not allow additional properties.`; break;
    case 'enum': m = `Value is not defined in enum.`; break;
    case 'pattern': m = `String does not match regex pattern '${String(p.pattern)}'.`; break;
    case 'format': m = `String is not a valid '${String(p.format)}'.`; break;
    case 'minimum': case 'exclusiveMinimum': m = `Value is less than minimum value of ${String(p.limit)}.`; break;
    case 'maximum': case 'exclusiveMaximum': m = `Value exceeds maximum value of ${String(p.limit)}.`; break;
    case 'minLength': m = `String is less than minimum length of ${String(p.limit)}.`; break;
    case 'maxLength': m = `String exceeds maximum length of ${String(p.limit)}.`; break;
    case 'minItems': m = `Array item count is less than minimum count of ${String(p.limit)}.`; break;
    case 'maxItems': m = `Array item count exceeds maximum count of ${String(p.limit)}.`; break;
    default: m = `${e.message ?? 'Value is not valid'}.`;
  }
  return `${m} Path '${path}'.`;
}

function newAjv(dialect: 'draft7' | '2019' | '2020'): Ajv {
  // strict off: OpenAPI keywords (example, xml, discriminator, readOnly ...) are not JSON Schema's.
  const opts = { strict: false, allErrors: false, validateSchema: false, addUsedSchema: false } as const;
  const { Ajv: Draft7, Ajv2019, Ajv2020, addFormats } = ajvPackages();
  const ajv = dialect === '2020' ? new Ajv2020(opts) : dialect === '2019' ? new Ajv2019(opts) : new Draft7(opts);
  addFormats(ajv);
  return ajv as Ajv;
}

function dialectOf(doc: unknown): 'draft7' | '2019' | '2020' {
  const s = isObject(doc) && typeof doc.$schema === 'string' ? doc.$schema : '';
  return s.includes('2020-12') ? '2020' : s.includes('2019-09') ? '2019' : 'draft7';
}

/** The JSON pointer of an API schema's definition `typeName`: Swagger's definitions, OpenAPI's components.schemas. */
function definitionPointer(doc: Record<string, unknown>, typeName: string): string | undefined {
  const esc = typeName.replace(/~/g, '~0').replace(/\//g, '~1');
  if (isObject(doc.definitions) && typeName in doc.definitions) return `#/definitions/${esc}`;
  const comps = doc.components;
  if (isObject(comps) && isObject(comps.schemas) && typeName in comps.schemas) return `#/components/schemas/${esc}`;
  return undefined;
}

function resolvePointer(doc: unknown, pointer: string): unknown {
  let cur: unknown = doc;
  for (const raw of pointer.replace(/^#/, '').split('/').filter(Boolean)) {
    const part = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (!isObject(cur) && !Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/** The document without `$schema` (the dialect picks the ajv class; ajv would look the meta-schema up). */
function withoutDialect(doc: unknown): Record<string, unknown> {
  const { $schema: _dialect, ...rest } = doc as Record<string, unknown>;
  return rest;
}

/** Cap on compiled validators kept per configuration (each policy element asks for a handful). */
const MAX_COMPILED = 1000;

export class JsonSchemaTable {
  private readonly global = new Map<string, SchemaConfig>();
  private readonly api = new Map<string, SchemaConfig>();
  private readonly compiled = new Map<string, JsonCheck>();

  constructor(schemas: readonly SchemaConfig[] | undefined) {
    for (const s of schemas ?? []) {
      if (typeof s?.name !== 'string') continue;
      if (s.apiName === undefined) this.global.set(s.name.toLowerCase(), s);
      else this.api.set(`${s.apiName}/${s.name}`.toLowerCase(), s);
    }
  }

  /** A global schema's format ('json' | 'xml'), or undefined when there is none of that name. */
  globalFormat(name: string): 'json' | 'xml' | undefined { return this.global.get(name.toLowerCase())?.format; }

  /** A validator for the global schema `name` (at `ref`, a JSON pointer, when given). */
  forGlobal(name: string, ref: string | undefined, o: SchemaOverrides): JsonCheck {
    const s = this.global.get(name.toLowerCase());
    if (!s || s.format !== 'json') throw new SchemaLookupError('ApiSchema', `API's schema does not exist or it could not be resolved.`);
    return this.cached(`g|${name.toLowerCase()}|${ref ?? ''}`, o, () => {
      const doc = rewriteSchema(s.document, o);
      if (ref !== undefined && resolvePointer(doc, ref) === undefined) throw new SchemaLookupError('MissingDefinition', `API's schema does not contain definition ${ref}.`);
      return this.compile(doc, ref);
    });
  }

  /** A validator for definition `typeName` of the API schema `schemaId` of `apiName`. */
  forApi(apiName: string, schemaId: string, typeName: string, o: SchemaOverrides): JsonCheck {
    const s = this.api.get(`${apiName}/${schemaId}`.toLowerCase());
    if (!s || s.format !== 'json' || !isObject(s.document)) throw new SchemaLookupError('ApiSchema', `API's schema does not exist or it could not be resolved.`);
    const doc = s.document;
    if (!isObject(doc.definitions) && !(isObject(doc.components) && isObject(doc.components.schemas))) throw new SchemaLookupError('ApiSchema', `API's schema does not specify definitions.`);
    const pointer = definitionPointer(doc, typeName);
    if (!pointer) throw new SchemaLookupError('MissingDefinition', `API's schema does not contain definition ${typeName}`);
    return this.cached(`a|${apiName}/${schemaId}|${pointer}`.toLowerCase(), o, () => this.compile(rewriteSchema(doc, o), pointer));
  }

  private cached(key: string, o: SchemaOverrides, make: () => JsonCheck): JsonCheck {
    const k = `${key}|${String(o.additionalProperties)}|${String(o.caseInsensitive)}`;
    const hit = this.compiled.get(k);
    if (hit) return hit;
    const made = make();
    const check: JsonCheck = o.caseInsensitive === true ? (v) => made(lowerKeys(v)) : made;
    if (this.compiled.size < MAX_COMPILED) this.compiled.set(k, check);
    return check;
  }

  private compile(doc: unknown, pointer: string | undefined): JsonCheck {
    const ajv = newAjv(dialectOf(doc));
    let validate: ValidateFunction;
    try {
      if (pointer === undefined || pointer === '#' || pointer === '') {
        validate = ajv.compile(isObject(doc) ? withoutDialect(doc) : (doc as boolean));
      } else {
        const id = 'apim-local:schema';
        ajv.addSchema({ ...withoutDialect(doc), $id: id }, id);
        const v = ajv.getSchema(`${id}${pointer.startsWith('#') ? pointer : `#${pointer}`}`);
        if (!v) throw new Error(`no definition at ${pointer}`);
        validate = v;
      }
    } catch (e) {
      throw new SchemaLookupError('ApiSchema', `API's schema does not exist or it could not be resolved. ${e instanceof Error ? e.message : String(e)}`);
    }
    return (value) => (validate(value) ? undefined : describe((validate.errors ?? [])[0] ?? { keyword: 'false', instancePath: '', schemaPath: '', params: {}, message: 'Value is not valid' } as ErrorObject));
  }
}
