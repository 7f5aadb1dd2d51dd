// service/{svc}/apis/{api}/operations: method, URL template with {parameters} (declared exactly by
// templateParameters), request and responses as given. OpenAPI import builds its operations here too.
import type { ArmRequest, ResourceTypeRegistration } from '../registry.js';
import type { ResourceBody } from '../resource-store.js';
import {
  ApimChildErrors, childType, deleteChild, getChild, listChildren, propertiesOf,
  requireEntity, requireInstance, storeChild, str, validationError, type ApimChildDeps, existingForWrite } from './api-management-common.js';

export const OPERATION_TYPE = 'Microsoft.ApiManagement/service/apis/operations';

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
export function operationProperties(props: Record<string, unknown>, previous?: Record<string, any>): Record<string, unknown> {
  const merged: Record<string, any> = { ...(previous ?? {}) };
  for (const k of WRITABLE) if (props[k] !== undefined) merged[k] = props[k];
  const displayName = str(merged, 'displayName', { required: true, max: 300 })!;
  const method = str(merged, 'method', { required: true })!;
  if (!METHOD.test(method)) throw validationError('method', `'${method}' is not a valid HTTP method.`);
  const urlTemplate = str(merged, 'urlTemplate', { required: true, max: 1000 })!;
  const description = str(merged, 'description', { max: 1000 });
  const names = templateParameterNames(urlTemplate);

  const tp = merged.templateParameters ?? [];
  if (!Array.isArray(tp)) throw validationError('templateParameters', "'templateParameters' must be an array.");
  const templateParameters = tp.map((p: unknown, k: number) => {
    if (p === null || typeof p !== 'object' || Array.isArray(p)) throw validationError(`templateParameters[${k}]`, 'A template parameter must be an object.');
    const o = p as Record<string, unknown>;
    if (typeof o.name !== 'string' || o.name === '') throw ApimChildErrors.required(`templateParameters[${k}].name`);
    if (typeof o.type !== 'string' || o.type === '') throw ApimChildErrors.required(`templateParameters[${k}].type`);
    return { ...o, name: o.name, type: o.type, required: o.required ?? true, values: o.values ?? [] };
  });
  const declared = templateParameters.map((p) => String(p.name).toLowerCase()).sort();
  const used = names.map((n) => n.toLowerCase()).sort();
  if (declared.length !== used.length || declared.some((d, k) => d !== used[k])) {
    throw validationError('templateParameters', 'All template parameters used in the UriTemplate must be defined in the Operation, and vice-versa.');
  }
  for (const f of ['request', 'policies'] as const) {
    if (merged[f] !== undefined && merged[f] !== null && (typeof merged[f] !== 'object' || Array.isArray(merged[f]))) throw validationError(f, `'${f}' must be an object.`);
  }
  if (merged.responses !== undefined && merged.responses !== null && !Array.isArray(merged.responses)) throw validationError('responses', "'responses' must be an array.");
  const responses = (merged.responses ?? []) as unknown[];
  responses.forEach((r, k) => {
    const status = (r as Record<string, unknown> | null)?.statusCode;
    if (typeof status !== 'number' || !Number.isInteger(status)) throw ApimChildErrors.required(`responses[${k}].statusCode`);
    checkRepresentations((r as Record<string, unknown>).representations, `responses[${k}].representations`);
  });
  if (merged.request !== undefined && merged.request !== null) checkRepresentations(merged.request.representations, 'request.representations');
  return {
    displayName, method: method.toUpperCase(), urlTemplate, templateParameters,
    ...(description !== undefined ? { description } : {}),
    request: merged.request ?? { queryParameters: [], headers: [], representations: [] },
    responses,
    ...(merged.policies !== undefined && merged.policies !== null ? { policies: merged.policies } : {}),
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

export function operationDocument(apiId: string, name: string, properties: Record<string, unknown>): ResourceBody {
  return { id: `${apiId}/operations/${name}`, type: OPERATION_TYPE, name, properties };
}

export function operationRegistration(deps: ApimChildDeps): ResourceTypeRegistration {
  const { arm } = deps;
  const api = async (req: ArmRequest) => {
    await requireInstance(deps, req);
    return requireEntity(deps, req.target.scope, 'Api');
  };
  async function write(req: ArmRequest, merge: boolean) {
    const parent = await api(req);
    const name = req.target.name!;
    const existing = await existingForWrite(deps, req, 'Operation', merge);
    const props = propertiesOf(req, merge ? 'OperationUpdateContract' : 'OperationContract', WRITABLE);
    const properties = operationProperties(props, merge ? existing!.body.properties : undefined);
    const doc = operationDocument(parent.id, existing?.body.name ?? name, properties);
    const r = await storeChild(deps, req, doc, { ifMatch: merge ? undefined : (req.ctx.req.headers['if-match'] as string | undefined) });
    return merge ? { ...r, status: 200 } : r;
  }
  return childType('apis/operations', {
    get: async (req) => { await api(req); return getChild(deps, req, 'Operation'); },
    put: (req) => write(req, false),
    patch: (req) => write(req, true),
    async delete(req) {
      await api(req);
      return deleteChild(deps, req, await arm.resources.get(req.target.id));
    },
    list: async (req) => { await api(req); return listChildren(deps, req, OPERATION_TYPE); },
  });
}
