// Expands a template's resource declarations into the resources to deploy: copy loops unrolled,
// nested child resources given their full type and name, ids built, conditions evaluated, dependsOn
// normalized to ids, and the implicit dependencies of reference()/list*() found. Everything ARM must
// know before deploying is evaluated here (reference/list* refused); the body is evaluated later by
// evaluateBody, when the resource's dependencies are deployed.
import { TemplateError } from './errors.js';
import { evaluateString, evaluateValue, faultAt, MAX_COPY, stateFor, type EvalState } from './evaluator.js';
import { childPath } from './json-reader.js';
import { referencedResources } from './references.js';
import { buildResourceId, deploymentScopeId, extendedResourceId, typeSegments } from './resource-ids.js';
import type { EvalScope } from './scope.js';
import { atLine, locate, type Template } from './template.js';
import { getProperty, isObject, typeName, type JsonObject } from './values.js';

export interface ExpandedResource {
  /** Template path of the declaration: `resources[2]`, `resources[0].resources[1]`. */
  path: string;
  /** Full type, e.g. Microsoft.KeyVault/vaults/accessPolicies. */
  type: string;
  /** Full name with parent segments, e.g. `myvault/add`. */
  name: string;
  apiVersion: string;
  /** Resource id at the deployment scope, or under `scope` for extension resources. */
  id: string;
  /** Extension resources: the id of the resource they extend (the evaluated `scope` property). */
  scope?: string;
  /** Nested child resources: the id of the declaring parent. */
  parentId?: string;
  condition: boolean;
  copy?: { name: string; index: number; count: number; mode: 'Parallel' | 'Serial'; batchSize?: number };
  /** Loop indexes for this instance ('' is its own loop). */
  copyIndex: Record<string, number>;
  /** Explicit dependsOn, as ids of resources of this template (a loop name gives every instance). */
  dependsOn: string[];
  /**
   * Implicit dependencies: ids given to reference()/list*() in the body, plus for an extension id
   * (`.../service/x/providers/Microsoft.ManagedIdentity/Identities/default`) the id it extends.
   */
  references: string[];
  /** Nested deployments (Microsoft.Resources/deployments). */
  isDeployment: boolean;
  /** The raw declaration (without its nested `resources`). */
  declaration: JsonObject;
  /**
   * Evaluates the declaration for the PUT: name/type full, copy/condition/dependsOn/comments removed.
   * A nested deployment's `properties.template` is returned unevaluated (the engine evaluates it in
   * the inner or outer scope). `scope` defaults to the one given to expandResources.
   */
  evaluateBody(scope?: EvalScope): Promise<JsonObject>;
}

const STATIC_KEYS = new Set(['copy', 'condition', 'dependson', 'resources', 'comments']);
const DEPLOYMENTS = 'microsoft.resources/deployments';

interface Parent { type: string; name: string; id: string; copyIndex: Record<string, number> }

function withCopy(scope: EvalScope, copyIndex: Record<string, number>): EvalScope {
  return { ...scope, copyIndex };
}

async function staticString(st: EvalState, decl: JsonObject, key: string, path: string): Promise<string> {
  const raw = getProperty(decl, key);
  const v = typeof raw === 'string' ? await evaluateString(raw, st, childPath(path, key)) : raw;
  if (typeof v !== 'string' || v === '') throw faultAt(st, childPath(path, key), `The resource property '${key}' must evaluate to a non-empty string; it evaluated to '${typeName(v)}'.`);
  return v;
}

export async function expandResources(template: Template, scope: EvalScope): Promise<ExpandedResource[]> {
  const base: EvalScope = scope.template ? scope : { ...scope, template };
  const out: ExpandedResource[] = [];
  for (let i = 0; i < template.resources.length; i++) await expandDeclaration(base, template.resources[i]!, `resources[${i}]`, undefined, out);
  resolveDependsOn(base, out);
  resolveReferences(out);
  checkDuplicates(base, out);
  return out;
}

async function expandDeclaration(scope: EvalScope, decl: JsonObject, path: string, parent: Parent | undefined, out: ExpandedResource[]): Promise<void> {
  const copy = getProperty(decl, 'copy');
  const outer = parent?.copyIndex ?? {};
  if (copy === undefined || copy === null) {
    await expandInstance(scope, decl, path, parent, { ...outer }, undefined, out);
    return;
  }
  const st0 = stateFor(withCopy(scope, outer), 'static');
  if (parent) throw faultAt(st0, childPath(path, 'copy'), 'Copying nested resources is not supported. Please see https://aka.ms/arm-copy/#looping-on-a-nested-resource for usage details.');
  if (!isObject(copy)) throw faultAt(st0, childPath(path, 'copy'), "The resource property 'copy' must be an object.");
  const name = await staticString(st0, copy, 'name', childPath(path, 'copy'));
  const countRaw = getProperty(copy, 'count');
  const count = await evaluateValue(countRaw ?? null, st0, childPath(path, 'copy.count'));
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 0 || count > MAX_COPY) {
    throw faultAt(st0, childPath(path, 'copy.count'), `The copy count must be a non-negative integer not greater than '${MAX_COPY}'; the value is '${JSON.stringify(count)}'.`);
  }
  const modeRaw = getProperty(copy, 'mode');
  const mode = typeof modeRaw === 'string' && modeRaw.toLowerCase() === 'serial' ? 'Serial' : 'Parallel';
  const batchRaw = getProperty(copy, 'batchSize');
  const batchSize = batchRaw === undefined || batchRaw === null ? undefined : await evaluateValue(batchRaw, st0, childPath(path, 'copy.batchSize'));
  if (batchSize !== undefined && (typeof batchSize !== 'number' || !Number.isInteger(batchSize) || batchSize < 1)) {
    throw faultAt(st0, childPath(path, 'copy.batchSize'), 'The copy batch size must be a positive integer.');
  }
  for (let index = 0; index < count; index++) {
    await expandInstance(scope, decl, path, parent, { ...outer, '': index, [name]: index },
      { name, index, count, mode, ...(typeof batchSize === 'number' ? { batchSize } : {}) }, out);
  }
}

async function expandInstance(scope: EvalScope, decl: JsonObject, path: string, parent: Parent | undefined,
  copyIndex: Record<string, number>, copy: ExpandedResource['copy'], out: ExpandedResource[]): Promise<void> {
  const inst = withCopy(scope, copyIndex);
  const st = stateFor(inst, 'static');
  let type = await staticString(st, decl, 'type', path);
  let name = await staticString(st, decl, 'name', path);
  const apiVersion = await staticString(st, decl, 'apiVersion', path);
  if (parent) {
    const full = type.split('/')[0]!.includes('.');
    type = full ? type : `${parent.type}/${type}`;
    name = `${parent.name}/${name}`;
  }
  const { types } = typeSegments(type);
  const names = name.split('/');
  if (types.length === 0 || types.length !== names.length) {
    const t = scope.template;
    const pos = t ? locate(t, path) : undefined;
    const detail = `The template resource '${name}' for type '${type}'${atLine(pos)} has incorrect segment lengths. A nested resource type must have identical number of segments as its resource name. A root resource type must have segment length one greater than its resource name. Please see https://aka.ms/arm-syntax-resources for usage details.`;
    throw new TemplateError({ path, detail, line: pos?.line, column: pos?.column });
  }
  let condition = true;
  const condRaw = getProperty(decl, 'condition');
  if (condRaw !== undefined) {
    const c = await evaluateValue(condRaw, st, childPath(path, 'condition'));
    if (typeof c !== 'boolean') throw faultAt(st, childPath(path, 'condition'), `The template resource condition must evaluate to a boolean; it evaluated to '${typeName(c)}'.`);
    condition = c;
  }
  const isDeployment = type.toLowerCase() === DEPLOYMENTS;
  let scopeId = deploymentScopeId(scope);
  let extScope: string | undefined;
  const scopeRaw = getProperty(decl, 'scope');
  if (scopeRaw !== undefined && scopeRaw !== null) {
    const s = await evaluateValue(scopeRaw, st, childPath(path, 'scope'));
    if (typeof s !== 'string' || s === '') throw faultAt(st, childPath(path, 'scope'), "The resource property 'scope' must evaluate to a resource id.");
    extScope = s.startsWith('/') ? s.replace(/\/+$/, '') : `${deploymentScopeId(scope)}/providers/${s}`;
    scopeId = extScope;
  } else if (isDeployment) {
    // Cross-scope nested deployments name their target with subscriptionId / resourceGroup.
    const sub = getProperty(decl, 'subscriptionId');
    const group = getProperty(decl, 'resourceGroup');
    if (sub !== undefined || group !== undefined) {
      const s = sub === undefined ? scope.subscription.subscriptionId : await evaluateValue(sub, st, childPath(path, 'subscriptionId'));
      const g = group === undefined ? scope.resourceGroup?.name : await evaluateValue(group, st, childPath(path, 'resourceGroup'));
      scopeId = typeof g === 'string' ? `/subscriptions/${String(s)}/resourceGroups/${g}` : `/subscriptions/${String(s)}`;
    }
  }
  const id = buildResourceId(scopeId, type, names);

  const rawDepends = getProperty(decl, 'dependsOn');
  const dependsOn: string[] = [];
  if (rawDepends !== undefined && rawDepends !== null) {
    if (!Array.isArray(rawDepends)) throw faultAt(st, childPath(path, 'dependsOn'), "The resource property 'dependsOn' must be an array.");
    for (let i = 0; i < rawDepends.length; i++) {
      const v = await evaluateValue(rawDepends[i]!, st, childPath(path, `dependsOn[${i}]`));
      if (typeof v !== 'string') throw faultAt(st, `${path}.dependsOn[${i}]`, `The dependsOn entry must evaluate to a string; it evaluated to '${typeName(v)}'.`);
      dependsOn.push(v);
    }
  }

  const declaration: JsonObject = {};
  for (const [k, v] of Object.entries(decl)) if (k.toLowerCase() !== 'resources') declaration[k] = v;
  const bodyRaw: JsonObject = {};
  for (const [k, v] of Object.entries(decl)) if (!STATIC_KEYS.has(k.toLowerCase())) bodyRaw[k] = v;

  // Names are matched to ids once every resource is expanded (resolveNames).
  const refs = await referencedResources(withoutNestedTemplate(bodyRaw, isDeployment), inst);

  const resource: ExpandedResource = {
    path, type, name, apiVersion, id, condition, copyIndex, dependsOn, references: refs, isDeployment, declaration,
    ...(extScope ? { scope: extScope } : {}),
    ...(parent ? { parentId: parent.id } : {}),
    ...(copy ? { copy } : {}),
    evaluateBody: async (s?: EvalScope) => {
      const bodyScope = withCopy(s ? (s.template ? s : { ...s, template: scope.template }) : scope, copyIndex);
      const bst = stateFor(bodyScope, 'runtime');
      const result: JsonObject = {};
      for (const [k, v] of Object.entries(bodyRaw)) {
        const kp = childPath(path, k);
        const lower = k.toLowerCase();
        if (lower === 'name') result[k] = name;
        else if (lower === 'type') result[k] = type;
        else if (lower === 'apiversion') result[k] = apiVersion;
        else if (lower === 'scope') result[k] = extScope ?? null;
        else if (isDeployment && lower === 'properties' && isObject(v)) result[k] = await evaluateDeploymentProperties(v, bst, kp);
        else result[k] = await evaluateValue(v, bst, kp);
      }
      return result;
    },
  };
  out.push(resource);

  const children = getProperty(decl, 'resources');
  if (Array.isArray(children)) {
    for (let i = 0; i < children.length; i++) {
      await expandDeclaration(scope, children[i] as JsonObject, `${path}.resources[${i}]`, { type, name, id, copyIndex }, out);
    }
  }
}

/** A nested deployment's properties, its inline template left as written. */
async function evaluateDeploymentProperties(props: JsonObject, st: EvalState, path: string): Promise<JsonObject> {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(props)) {
    out[k] = k.toLowerCase() === 'template' ? v : await evaluateValue(v, st, childPath(path, k));
  }
  return out;
}

function withoutNestedTemplate(body: JsonObject, isDeployment: boolean): JsonObject {
  if (!isDeployment) return body;
  const props = getProperty(body, 'properties');
  if (!isObject(props)) return body;
  const p: JsonObject = {};
  for (const [k, v] of Object.entries(props)) if (k.toLowerCase() !== 'template') p[k] = v;
  return { ...body, properties: p };
}

/** dependsOn entries → ids: an id, a resource name, `type/name`, or a copy loop name (all instances). */
function resolveDependsOn(scope: EvalScope, all: ExpandedResource[]): void {
  const t = scope.template;
  for (const r of all) {
    const ids = new Set<string>();
    r.dependsOn.forEach((entry, i) => {
      const matches = matchResources(all, entry);
      if (matches.length === 0) {
        const path = `${r.path}.dependsOn[${i}]`;
        const pos = t ? locate(t, path) : undefined;
        throw new TemplateError({ path, line: pos?.line, column: pos?.column,
          detail: `The resource '${entry}' is not defined in the template. Please see https://aka.ms/arm-syntax for usage details.` });
      }
      for (const m of matches) if (m !== r) ids.add(m.id);
    });
    r.dependsOn = [...ids];
  }
}

/** reference()/list*() targets → ids; an extension id also names the resource it extends. */
function resolveReferences(all: ExpandedResource[]): void {
  for (const r of all) {
    const ids = new Set<string>();
    for (const ref of r.references) {
      const targets = ref.startsWith('/') ? [ref] : matchResources(all, ref).map((m) => m.id);
      for (const id of targets) {
        ids.add(id);
        const ext = extendedResourceId(id);
        if (ext) ids.add(ext);
      }
    }
    r.references = [...ids];
  }
}

export function matchResources(all: readonly ExpandedResource[], entry: string): ExpandedResource[] {
  const e = entry.toLowerCase();
  if (e.startsWith('/')) return all.filter((r) => r.id.toLowerCase() === e);
  const byLoop = all.filter((r) => r.copy?.name.toLowerCase() === e);
  if (byLoop.length > 0) return byLoop;
  return all.filter((r) => r.name.toLowerCase() === e || `${r.type}/${r.name}`.toLowerCase() === e);
}

function checkDuplicates(scope: EvalScope, all: ExpandedResource[]): void {
  const seen = new Set<string>();
  for (const r of all) {
    if (!r.condition) continue;
    const key = r.id.toLowerCase();
    if (seen.has(key)) {
      const pos = scope.template ? locate(scope.template, r.path) : undefined;
      throw new TemplateError({ path: r.path, line: pos?.line, column: pos?.column,
        detail: `The resource '${r.id}'${atLine(pos)} is defined multiple times in a template. Please see https://aka.ms/arm-syntax-resources for usage details.` });
    }
    seen.add(key);
  }
}

// reference('name') needs the names of the template's resources; expanded once per template and parameters.
const nameIndex = new WeakMap<object, WeakMap<object, Promise<ExpandedResource[]>>>();

/** The template resource reference()/list*() mean by a bare name, or undefined. */
export async function resolveTemplateResource(scope: EvalScope, name: string): Promise<{ id: string; apiVersion: string } | undefined> {
  const t = scope.template;
  if (!t) return undefined;
  let byParams = nameIndex.get(t);
  if (!byParams) { byParams = new WeakMap(); nameIndex.set(t, byParams); }
  let p = byParams.get(scope.parameters);
  if (!p) {
    p = expandResources(t, { ...scope, copyIndex: {} });
    byParams.set(scope.parameters, p);
    p.catch(() => byParams!.delete(scope.parameters));
  }
  const found = matchResources(await p, name);
  return found.length === 1 ? { id: found[0]!.id, apiVersion: found[0]!.apiVersion } : undefined;
}

