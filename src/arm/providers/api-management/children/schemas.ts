// Schemas for validate-content: `service/{svc}/schemas` (GlobalSchemaContract: schemaType xml|json,
// description, value (an XML schema's text) or document (a JSON schema)) and
// `service/{svc}/apis/{api}/schemas` (SchemaContract: contentType, document {value | definitions |
// components}, as OpenAPI/WSDL import makes them). Representations of an operation name an API schema by
// `schemaId` and a definition in it by `typeName`. A JSON document must be an object; its JSON Schema
// is compiled by the gateway when it loads the configuration.
import { resourceKind } from '../../../resource-store.js';
import { defineApimChild, type ApimChildDeps } from '../child.js';
import { ApimChildErrors, oneOf, requiredStr, str, validationError } from '../validation.js';
import { API } from './apis.js';

/** API Management's limit on a schema document (validation policies refuse larger ones). */
export const MAX_SCHEMA_BYTES = 4 * 1024 * 1024;

export interface GlobalSchemaProperties {
  schemaType: 'xml' | 'json';
  description?: string;
  value?: unknown;
  document?: Record<string, unknown>;
  provisioningState: string;
}

export interface ApiSchemaProperties {
  contentType: string;
  document: { value?: string; definitions?: Record<string, unknown>; components?: Record<string, unknown> };
  provisioningState: string;
}

export const GLOBAL_SCHEMA = resourceKind<GlobalSchemaProperties>('Microsoft.ApiManagement/service/schemas');
export const API_SCHEMA = resourceKind<ApiSchemaProperties>('Microsoft.ApiManagement/service/apis/schemas');

/** The content types of API schemas (SchemaContract.contentType), by format. */
export const API_SCHEMA_TYPES: Record<string, 'json' | 'xml'> = {
  'application/vnd.ms-azure-apim.swagger.definitions+json': 'json',
  'application/vnd.oai.openapi.components+json': 'json',
  'application/vnd.ms-azure-apim.xsd+xml': 'xml',
  'application/vnd.ms-azure-apim.wadl.grammars+xml': 'xml',
  'application/vnd.ms-azure-apim.wsdl+xml': 'xml',
  'application/json': 'json',
};

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function checkSize(v: unknown, field: string): void {
  const n = Buffer.byteLength(typeof v === 'string' ? v : JSON.stringify(v) ?? '');
  if (n > MAX_SCHEMA_BYTES) throw validationError(field, `The schema is ${n} bytes long; the maximum is ${MAX_SCHEMA_BYTES} bytes (4 MB).`);
}

export function schemaRegistrations(deps: ApimChildDeps) {
  const global = defineApimChild(deps, {
    kind: GLOBAL_SCHEMA, path: 'schemas', entity: 'Schema',
    contracts: { create: 'GlobalSchemaContract', update: 'GlobalSchemaContract' },
    writable: ['schemaType', 'description', 'value', 'document'], readOnly: ['provisioningState'],
    properties({ merged }) {
      const schemaType = oneOf(merged, 'schemaType', ['xml', 'json'] as const);
      if (schemaType === undefined) throw ApimChildErrors.required('schemaType');
      const description = str(merged, 'description', { max: 1000 });
      const { value, document } = merged;
      if (schemaType === 'json') {
        // A JSON schema comes as `document`; `value` (a JSON-encoded string) is read into it.
        let doc: unknown = document;
        if (doc === undefined || doc === null) {
          if (typeof value !== 'string') throw ApimChildErrors.required('document');
          try { doc = JSON.parse(value); } catch { throw validationError('value', `'value' is not valid JSON.`); }
        }
        if (!isObject(doc) && typeof doc !== 'boolean') throw validationError('document', `'document' must be a JSON schema (an object).`);
        checkSize(doc, 'document');
        return { properties: { schemaType, ...(description !== undefined ? { description } : {}), document: doc as Record<string, unknown>, provisioningState: 'Succeeded' } };
      }
      if (typeof value !== 'string' || value.trim() === '') throw ApimChildErrors.required('value');
      checkSize(value, 'value');
      return { properties: { schemaType, ...(description !== undefined ? { description } : {}), value, provisioningState: 'Succeeded' } };
    },
  });
  const perApi = defineApimChild(deps, {
    kind: API_SCHEMA, path: 'apis/schemas', entity: 'Schema', parent: { kind: API, entity: 'Api' },
    contracts: { create: 'SchemaContract', update: 'SchemaContract' },
    writable: ['contentType', 'document'], readOnly: ['provisioningState'],
    properties({ merged }) {
      const contentType = requiredStr(merged, 'contentType', { max: 1000 });
      const format = API_SCHEMA_TYPES[contentType.toLowerCase()];
      if (!format) throw validationError('contentType', `'${contentType}' is not a supported schema content type. Use one of: ${Object.keys(API_SCHEMA_TYPES).join(', ')}.`);
      const document = merged.document;
      if (!isObject(document)) throw ApimChildErrors.required('document');
      const out: ApiSchemaProperties['document'] = {};
      if (document.value !== undefined && document.value !== null) {
        if (typeof document.value !== 'string') throw validationError('document.value', `'document.value' must be a string.`);
        out.value = document.value;
      }
      for (const f of ['definitions', 'components'] as const) {
        const v = document[f];
        if (v === undefined || v === null) continue;
        if (!isObject(v)) throw validationError(`document.${f}`, `'document.${f}' must be an object.`);
        out[f] = v;
      }
      if (format === 'json' && !out.definitions && !out.components) throw validationError('document', `A JSON schema document needs 'definitions' (Swagger) or 'components' (OpenAPI).`);
      if (format === 'xml' && out.value === undefined) throw ApimChildErrors.required('document.value');
      checkSize(out, 'document');
      return { properties: { contentType, document: out, provisioningState: 'Succeeded' } };
    },
  });
  return [global, perApi];
}
