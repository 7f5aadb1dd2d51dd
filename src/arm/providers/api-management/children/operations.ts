// service/{svc}/apis/{api}/operations: method, URL template with {parameters} (declared exactly by
// templateParameters), request and responses as given. OpenAPI import builds its operations here too.
import { resourceKind, type ResourceBody } from '../../../resource-store.js';
import { defineApimChild, type ApimChildDeps } from '../child.js';
import { ApimChildErrors, requiredStr, str, validationError } from '../validation.js';
import { API } from './apis.js';
import { urlTemplateProblem } from '../../../../gateway/index.js';

export interface TemplateParameter {
  name: string;
  type: string;
  required: boolean;
  values: unknown[];
  [more: string]: unknown;
}

/** A representation of a request or response (RepresentationContract), as mock-response reads it. */
export interface Representation {
  contentType: string;
  sample?: string;
  examples?: Record<string, { value?: unknown; summary?: string; description?: string; externalValue?: string }>;
  [more: string]: unknown;
}

export interface OperationResponse {
  statusCode: number;
  representations?: Representation[];
  [more: string]: unknown;
}

export interface OperationProperties {
  displayName: string;
  method: string;
  urlTemplate: string;
  templateParameters: TemplateParameter[];
  description?: string;
  request: Record<string, unknown>;
  responses: OperationResponse[];
  policies?: Record<string, unknown>;
}

export const OPERATION = resourceKind<OperationProperties>('Microsoft.ApiManagement/service/apis/operations');
export const OPERATION_TYPE = OPERATION.type;

const WRITABLE = ['displayName', 'method', 'urlTemplate', 'templateParameters', 'description', 'request', 'responses', 'policies'];
const METHOD = /^[A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]*$/;
const PARAM = /^\*?[^{}/?&=#*\s]+$/;

/**
 * The parameter names of a URL template (`/users/{id}/orders?status={status}`, `/files/{*path}`): throws
 * a ValidationError for unbalanced or empty braces and repeated names.
 */
export function templateParameterNames(template: string): string[] {
  const names: string[] = [];
  const bad = (why: string) => validationError('urlTemplate', `Invalid UrlTemplate '${template}': ${why}`);
  let i = 0;
  while (i < template.length) {
    const c = template[i];
    if (c === '}') throw bad(`'}' at position ${i + 1} has no matching '{'.`);
    if (c !== '{') { i++; continue; }
    const end = template.indexOf('}', i + 1);
    if (end < 0) throw bad(`'{' at position ${i + 1} is not closed.`);
    const inner = template.slice(i + 1, end);
    if (inner.includes('{')) throw bad(`'{' at position ${i + 1} is not closed.`);
    if (inner === '' || !PARAM.test(inner)) throw bad(`'{${inner}}' is not a valid parameter.`);
    const name = inner.replace(/^\*/, '');
    if (names.some((n) => n.toLowerCase() === name.toLowerCase())) throw bad(`the parameter '${name}' appears more than once.`);
    names.push(name);
    i = end + 1;
  }
  return names;
}

/** Validates an operation's properties (merged over `previous` for PATCH) and returns them normalized. */
export function operationProperties(merged: Record<string, unknown>): OperationProperties {
  const displayName = requiredStr(merged, 'displayName', { max: 300 });
  const method = requiredStr(merged, 'method');
  if (!METHOD.test(method)) throw validationError('method', `'${method}' is not a valid HTTP method.`);
  const urlTemplate = requiredStr(merged, 'urlTemplate', { max: 1000 });
  const description = str(merged, 'description', { max: 1000 });
  const names = templateParameterNames(urlTemplate);
  // Templates the gateway could not match unambiguously (adjacent parameters) are refused here.
  const refused = urlTemplateProblem(urlTemplate);
  if (refused) throw validationError('urlTemplate', refused);

  const tp = merged.templateParameters ?? [];
  if (!Array.isArray(tp)) throw validationError('templateParameters', "'templateParameters' must be an array.");
  const templateParameters = tp.map((p: unknown, k: number): TemplateParameter => {
    if (p === null || typeof p !== 'object' || Array.isArray(p)) throw validationError(`templateParameters[${k}]`, 'A template parameter must be an object.');
    const o = p as Record<string, unknown>;
    if (typeof o.name !== 'string' || o.name === '') throw ApimChildErrors.required(`templateParameters[${k}].name`);
    if (typeof o.type !== 'string' || o.type === '') throw ApimChildErrors.required(`templateParameters[${k}].type`);
    if (o.required !== undefined && o.required !== null && typeof o.required !== 'boolean') throw validationError(`templateParameters[${k}].required`, `'templateParameters[${k}].required' must be a boolean.`);
    if (o.values !== undefined && o.values !== null && !Array.isArray(o.values)) throw validationError(`templateParameters[${k}].values`, `'templateParameters[${k}].values' must be an array.`);
    return { ...o, name: o.name, type: o.type, required: (o.required as boolean | undefined) ?? true, values: (o.values as unknown[] | undefined) ?? [] };
  });
  const declared = templateParameters.map((p) => p.name.toLowerCase()).sort();
  const used = names.map((n) => n.toLowerCase()).sort();
  if (declared.length !== used.length || declared.some((d, k) => d !== used[k])) {
    throw validationError('templateParameters', 'All template parameters used in the UriTemplate must be defined in the Operation, and vice-versa.');
  }
  for (const f of ['request', 'policies'] as const) {
    if (merged[f] !== undefined && merged[f] !== null && !isObject(merged[f])) throw validationError(f, `'${f}' must be an object.`);
  }
  if (merged.responses !== undefined && merged.responses !== null && !Array.isArray(merged.responses)) throw validationError('responses', "'responses' must be an array.");
  const responses = (merged.responses ?? []) as unknown[];
  responses.forEach((r, k) => {
    if (!isObject(r)) throw validationError(`responses[${k}]`, 'A response must be an object.');
    const status = r.statusCode;
    if (typeof status !== 'number' || !Number.isInteger(status)) throw ApimChildErrors.required(`responses[${k}].statusCode`);
    checkRepresentations(r.representations, `responses[${k}].representations`);
  });
  const request = isObject(merged.request) ? merged.request : undefined;
  if (request) checkRepresentations(request.representations, 'request.representations');
  return {
    displayName, method: method.toUpperCase(), urlTemplate, templateParameters,
    ...(description !== undefined ? { description } : {}),
    request: request ?? { queryParameters: [], headers: [], representations: [] },
    responses: responses as OperationResponse[],
    ...(isObject(merged.policies) ? { policies: merged.policies } : {}),
  };
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Representations (RepresentationContract[]): each an object with a `contentType`; `examples` an object of
 * ParameterExampleContract by name ({summary, description, value, externalValue}, strings but `value`);
 * `sample` (older api-versions) a string. A wrong shape is a ValidationError naming the field.
 */
function checkRepresentations(value: unknown, field: string): void {
  if (value === undefined || value === null) return;
  if (!Array.isArray(value)) throw validationError(field, `'${field}' must be an array.`);
  value.forEach((rep: unknown, j: number) => {
    const at = `${field}[${j}]`;
    if (!isObject(rep)) throw validationError(at, 'A representation must be an object.');
    if (typeof rep.contentType !== 'string' || rep.contentType === '') throw ApimChildErrors.required(`${at}.contentType`);
    if (rep.sample !== undefined && rep.sample !== null && typeof rep.sample !== 'string') throw validationError(`${at}.sample`, `'${at}.sample' must be a string.`);
    const examples = rep.examples;
    if (examples === undefined || examples === null) return;
    if (!isObject(examples)) throw validationError(`${at}.examples`, `'${at}.examples' must be an object of examples by name, e.g. {"default": {"value": ...}}.`);
    for (const [name, example] of Object.entries(examples)) {
      const ex = `${at}.examples.${name}`;
      if (!isObject(example)) throw validationError(ex, `'${ex}' must be an object with 'value', 'summary', 'description' or 'externalValue'.`);
      for (const f of ['summary', 'description', 'externalValue']) {
        if (example[f] !== undefined && example[f] !== null && typeof example[f] !== 'string') throw validationError(`${ex}.${f}`, `'${ex}.${f}' must be a string.`);
      }
    }
  });
}

export function operationDocument(apiId: string, name: string, properties: OperationProperties): ResourceBody<OperationProperties> {
  return { id: `${apiId}/operations/${name}`, type: OPERATION_TYPE, name, properties };
}

export function operationRegistration(deps: ApimChildDeps) {
  return defineApimChild(deps, {
    kind: OPERATION, path: 'apis/operations', entity: 'Operation', parent: { kind: API, entity: 'Api' },
    contracts: { create: 'OperationContract', update: 'OperationUpdateContract' },
    writable: WRITABLE,
    properties: ({ merged }) => ({ properties: operationProperties(merged) }),
  });
}
