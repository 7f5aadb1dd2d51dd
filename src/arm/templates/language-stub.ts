// TEMPORARY stand-in for tpl-lang's src/arm/templates/language/ (the template language library), with
// the API of /work/notes/templates-split.md, so the engine builds and runs literal templates until the
// library is merged. It evaluates no expression: a `[...]` string is refused. Deleted on that merge;
// only language-adapter.ts imports it.
export class TemplateError extends Error {
  readonly code = 'InvalidTemplate';
  constructor(readonly path: string, message: string, readonly line?: number, readonly column?: number) { super(message); }
}

export interface Template {
  $schema: string;
  contentVersion: string;
  parameters?: Record<string, Record<string, unknown>>;
  variables?: Record<string, unknown>;
  resources: Record<string, unknown>[];
  outputs?: Record<string, Record<string, unknown>>;
}

export interface EvalScope {
  parameters: Record<string, unknown>;
  variables: Record<string, unknown>;
  subscription: { id: string; subscriptionId: string; tenantId: string; displayName: string };
  resourceGroup?: { id: string; name: string; location: string; properties: { provisioningState: string } };
  deployment: { name: string; properties: { templateLink?: unknown; template: unknown; parameters: unknown; mode: string } };
  tenantId: string;
  copyIndex?: Record<string, number>;
  reference(resourceId: string, apiVersion: string | undefined, full: boolean): Promise<unknown>;
  list(resourceId: string, fn: string, apiVersion: string, body?: unknown): Promise<unknown>;
}

export interface ExpandedResource {
  type: string;
  apiVersion: string;
  /** Full name with segments (`vault/add`). */
  name: string;
  /** The definition as written (expressions not evaluated, but for name and copy). */
  definition: Record<string, unknown>;
  dependsOn: string[];
  condition: boolean;
  copyIndex?: Record<string, number>;
  path: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

export function parseTemplate(text: string): Template {
  let t: unknown;
  try { t = JSON.parse(text); } catch (e) { throw new TemplateError('', `The template is not valid JSON: ${(e as Error).message}`); }
  if (!isObject(t)) throw new TemplateError('', 'The template must be a JSON object.');
  if (typeof t.$schema !== 'string') throw new TemplateError('$schema', "The template is missing '$schema'.");
  if (typeof t.contentVersion !== 'string') throw new TemplateError('contentVersion', "The template is missing 'contentVersion'.");
  if (!Array.isArray(t.resources)) throw new TemplateError('resources', "The template 'resources' must be an array.");
  return t as unknown as Template;
}

export function bindParameters(template: Template, given: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, def] of Object.entries(template.parameters ?? {})) {
    const g = given[name];
    if (isObject(g) && 'value' in g) out[name] = g.value;
    else if ('defaultValue' in def) out[name] = def.defaultValue;
    else throw new TemplateError(`parameters.${name}`, `The value for the template parameter '${name}' is not provided.`);
  }
  return out;
}

export async function evaluate(value: unknown, _scope: EvalScope, path: string): Promise<unknown> {
  if (typeof value === 'string') {
    if (value.startsWith('[[')) return value.slice(1);
    if (value.startsWith('[') && value.endsWith(']')) throw new TemplateError(path, `Template language expressions are not available yet: '${value}'.`);
    return value;
  }
  if (Array.isArray(value)) return Promise.all(value.map((v, i) => evaluate(v, _scope, `${path}[${i}]`)));
  if (isObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = await evaluate(v, _scope, path ? `${path}.${k}` : k);
    return out;
  }
  return value;
}

export function referencedResources(_value: unknown, _scope: EvalScope): string[] {
  return [];
}

export async function expandResources(template: Template, scope: EvalScope): Promise<ExpandedResource[]> {
  const out: ExpandedResource[] = [];
  for (const [i, r] of template.resources.entries()) {
    const path = `resources[${i}]`;
    out.push({
      type: String(await evaluate(r.type, scope, `${path}.type`)), apiVersion: String(await evaluate(r.apiVersion, scope, `${path}.apiVersion`)),
      name: String(await evaluate(r.name, scope, `${path}.name`)), definition: r,
      dependsOn: (await evaluate(r.dependsOn ?? [], scope, `${path}.dependsOn`)) as string[], condition: true, path,
    });
  }
  return out;
}
