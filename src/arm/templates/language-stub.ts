// TEMPORARY stand-in for tpl-lang's src/arm/templates/language/ (the template language library), with
// its API's shapes, so the engine builds and runs literal templates until the library is merged. It
// evaluates no expression: a `[...]` string is refused. Deleted on that merge; only
// language-adapter.ts imports it.
export class TemplateError extends Error {
  readonly code = 'InvalidTemplate' as const;
  readonly path: string;
  readonly line?: number;
  readonly column?: number;
  readonly detail: string;
  constructor(init: { path: string; detail: string; line?: number; column?: number; message?: string }) {
    super(init.message ?? init.detail);
    this.path = init.path;
    this.line = init.line;
    this.column = init.column;
    this.detail = init.detail;
  }
}

type Json = Record<string, unknown>;

export interface Template {
  schema: string;
  contentVersion: string;
  parameters: Record<string, { type: string; defaultValue?: unknown }>;
  variables: Json;
  resources: Json[];
  outputs: Record<string, { type: string; value?: unknown; condition?: unknown }>;
  document: Json;
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
  template?: Template;
}

export interface ExpandedResource {
  path: string;
  type: string;
  name: string;
  apiVersion: string;
  id: string;
  scope?: string;
  condition: boolean;
  copyIndex: Record<string, number>;
  dependsOn: string[];
  references: string[];
  isDeployment: boolean;
  declaration: Json;
  evaluateBody(scope?: EvalScope): Promise<Json>;
}

const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

export function parseTemplate(text: string): Template {
  const t = JSON.parse(text) as unknown;
  if (!isObject(t)) throw new TemplateError({ path: '', detail: 'The template must be a JSON object.' });
  if (!Array.isArray(t.resources)) throw new TemplateError({ path: 'resources', detail: "The template 'resources' must be an array." });
  return {
    schema: String(t.$schema), contentVersion: String(t.contentVersion), parameters: (t.parameters ?? {}) as Template['parameters'],
    variables: (t.variables ?? {}) as Json, resources: t.resources as Json[], outputs: (t.outputs ?? {}) as Template['outputs'], document: t,
  };
}

export function bindParameters(template: Template, given: Record<string, unknown>): { values: Record<string, unknown> } {
  const values: Record<string, unknown> = {};
  for (const [name, def] of Object.entries(template.parameters)) {
    const g = given[name];
    if (isObject(g) && 'value' in g) values[name] = g.value;
    else if ('defaultValue' in def) values[name] = def.defaultValue;
    else throw new TemplateError({ path: `parameters.${name}`, detail: `The value for the template parameter '${name}' is not provided.` });
  }
  return { values };
}

export async function evaluate(value: unknown, scope: EvalScope, path: string): Promise<unknown> {
  if (typeof value === 'string') {
    if (value.startsWith('[[')) return value.slice(1);
    if (value.startsWith('[') && value.endsWith(']')) throw new TemplateError({ path, detail: `Template language expressions are not available yet: '${value}'.` });
    return value;
  }
  if (Array.isArray(value)) return Promise.all(value.map((v, i) => evaluate(v, scope, `${path}[${i}]`)));
  if (isObject(value)) {
    const out: Json = {};
    for (const [k, v] of Object.entries(value)) out[k] = await evaluate(v, scope, path ? `${path}.${k}` : k);
    return out;
  }
  return value;
}

export async function referencedResources(_value: unknown, _scope: EvalScope): Promise<string[]> {
  return [];
}

export async function expandResources(template: Template, scope: EvalScope): Promise<ExpandedResource[]> {
  const base = scope.resourceGroup?.id ?? scope.subscription.id;
  const out: ExpandedResource[] = [];
  for (const [i, r] of template.resources.entries()) {
    const path = `resources[${i}]`;
    const type = String(r.type);
    const name = String(r.name);
    const [ns, ...types] = type.split('/');
    const names = name.split('/');
    const id = type.toLowerCase() === 'microsoft.resources/resourcegroups' ? `${scope.subscription.id}/resourceGroups/${name}`
      : `${base}/providers/${ns}/${types.map((t, k) => `${t}/${names[k]}`).join('/')}`;
    const { copy: _c, condition: _k, dependsOn: _d, resources: _r, comments: _m, ...body } = r;
    out.push({
      path, type, name, apiVersion: String(r.apiVersion), id, condition: true, copyIndex: {},
      dependsOn: ((r.dependsOn ?? []) as string[]).map((d) => (d.startsWith('/') ? d : template.resources.filter((x) => x.name === d).map((x) => `${base}/providers/${String(x.type).split('/')[0]}/${String(x.type).split('/')[1]}/${String(x.name)}`)[0] ?? d)),
      references: [], isDeployment: type.toLowerCase() === 'microsoft.resources/deployments', declaration: r,
      evaluateBody: async (s) => (await evaluate(body, s ?? scope, path)) as Json,
    });
  }
  return out;
}
