// A deployment request made into a plan: the request body checked, the template parsed, its parameters
// bound, its resources expanded with their ids, and their dependencies as a graph without cycles.
// PUT and POST validate make the same plan; nothing is written before it exists.
import { AzureError } from '../../common/errors.js';
import type { ArmCaller, ArmResult } from '../registry.js';
import type { ArmContext } from '../context.js';
import type { InternalRequest } from '../front-door.js';
import { ArmErrors } from '../errors.js';
import { asObject, normalizeLocation, rejectUnknown, validateTags } from '../envelope.js';
import { DeploymentErrors } from './errors.js';
import { checkAcyclic, nodeFor, type GraphNode } from './graph.js';
import { DEPLOYMENT_TYPE, typeName, type TypedValue } from './documents.js';
import {
  TemplateError, bindParameters, expandResources, parseTemplate, type EvalScope, type ExpandedResource, type Template,
} from './language-adapter.js';

export type Dispatch = (call: InternalRequest) => Promise<ArmResult>;

/** Where a deployment sits and who asked for it. */
export interface DeploymentTarget {
  /** The deployment's resource id. */
  id: string;
  name: string;
  subscriptionId: string;
  /** The resource group's name (resource group scope), else the deployment is at subscription scope. */
  resourceGroup?: string;
  apiVersion: string;
  caller: ArmCaller;
  correlationId: string;
}

/** One resource of the template, ready to run. */
export interface PlannedResource {
  key: string;
  id: string;
  type: string;
  /** Full name with segments (`vault/add`). */
  name: string;
  apiVersion: string;
  expanded: ExpandedResource;
}

export interface Plan {
  target: DeploymentTarget;
  /** The template as sent (never stored: it may hold literal secrets), and parsed. */
  template: Record<string, unknown>;
  parsed: Template;
  templateLink?: unknown;
  mode: 'Incremental' | 'Complete';
  location?: string;
  tags?: Record<string, string>;
  debugSetting?: { detailLevel: string };
  /** The parameters as GET shows them (secure ones without their value). */
  shownParameters: Record<string, TypedValue>;
  scope: EvalScope;
  resources: PlannedResource[];
  nodes: GraphNode[];
}

const NAME = /^[-\w.()]{1,64}$/;
const PROPERTIES = ['template', 'templateLink', 'parameters', 'parametersLink', 'mode', 'debugSetting', 'onErrorDeployment',
  'expressionEvaluationOptions', 'validationLevel', 'extensionConfigs'];

/** Encodes each segment of an id for a request path. */
export const encodeId = (id: string): string => id.split('/').map((s) => encodeURIComponent(s)).join('/');

/** Turns a template language error into InvalidTemplate at its place. */
export function templateFailure(e: unknown): unknown {
  if (e instanceof TemplateError) return DeploymentErrors.invalidTemplate({ path: e.path, line: e.line, column: e.column }, e.detail);
  return e;
}

export async function makePlan(arm: ArmContext, dispatch: Dispatch, target: DeploymentTarget, requestBody: unknown): Promise<Plan> {
  if (!NAME.test(target.name)) throw DeploymentErrors.invalidName(target.name);
  if (requestBody === undefined) throw ArmErrors.missingBody();
  const body = asObject(requestBody, '');
  rejectUnknown(body, ['location', 'tags', 'properties', 'identity', 'id', 'name', 'type'], 'Deployment', '');
  const props = asObject(body.properties ?? null, 'properties');
  rejectUnknown(props, PROPERTIES, 'DeploymentProperties', 'properties');
  const mode = typeof props.mode === 'string' ? (['Incremental', 'Complete'] as const).find((m) => m.toLowerCase() === String(props.mode).toLowerCase()) : undefined;
  if (props.mode === undefined) throw ArmErrors.invalidRequestContent("Required property 'mode' not found in JSON. Path 'properties'", 'properties.mode');
  if (!mode) throw DeploymentErrors.invalidDeployment(`The deployment mode '${String(props.mode)}' is not valid. Allowed values are 'Incremental' and 'Complete'.`, 'properties.mode');
  if (mode === 'Complete' && !target.resourceGroup) throw DeploymentErrors.invalidDeployment("The deployment mode 'Complete' is only supported at resource group scope.", 'properties.mode');
  let location: string | undefined;
  if (!target.resourceGroup) {
    if (typeof body.location !== 'string' || body.location.trim() === '') throw ArmErrors.locationRequired();
    location = normalizeLocation(body.location);
  } else if (body.location !== undefined) {
    throw DeploymentErrors.invalidDeployment("The 'location' property is not allowed for a deployment at resource group scope.", 'location');
  }
  const tags = validateTags(body.tags);
  if (props.parametersLink !== undefined && props.parametersLink !== null) {
    throw DeploymentErrors.contentLink(String(asObject(props.parametersLink, 'properties.parametersLink').uri ?? ''));
  }
  const hasTemplate = props.template !== undefined && props.template !== null;
  const hasLink = props.templateLink !== undefined && props.templateLink !== null;
  if (hasTemplate === hasLink) throw DeploymentErrors.missingTemplate();
  if (hasLink) throw DeploymentErrors.contentLink(String(asObject(props.templateLink, 'properties.templateLink').uri ?? asObject(props.templateLink, 'properties.templateLink').id ?? ''));
  const template = asObject(props.template, 'properties.template');
  const given = props.parameters === undefined || props.parameters === null ? {} : asObject(props.parameters, 'properties.parameters');
  for (const [k, v] of Object.entries(given)) {
    const p = asObject(v, `properties.parameters.${k}`);
    if (p.reference !== undefined) {
      throw DeploymentErrors.invalidDeployment(`The parameter '${k}' is a Key Vault reference; pass its value instead (Key Vault parameter references are not supported here).`, `properties.parameters.${k}.reference`);
    }
  }
  const debugSetting = props.debugSetting === undefined || props.debugSetting === null ? undefined
    : { detailLevel: String(asObject(props.debugSetting, 'properties.debugSetting').detailLevel ?? 'None') };

  try {
    const parsed = parseTemplate(JSON.stringify(template));
    const scope = await evalScope(arm, dispatch, target, parsed, mode, given);
    const bound = await bindParameters(parsed, given, scope);
    scope.parameters = bound.values;
    const resources = await planResources(parsed, scope);
    scope.reference = referenceFor(arm, dispatch, target, resources);
    const nodes = graphOf(resources);
    checkAcyclic(nodes);
    const shownParameters: Record<string, TypedValue> = {};
    for (const [k, type] of Object.entries(bound.types)) {
      shownParameters[k] = bound.secure.includes(k) ? { type: typeName(type) } : { type: typeName(type), value: bound.values[k] };
    }
    return { target, template, parsed, mode, location, tags, debugSetting, shownParameters, scope, resources, nodes };
  } catch (e) {
    throw templateFailure(e);
  }
}

async function evalScope(arm: ArmContext, dispatch: Dispatch, target: DeploymentTarget, template: Template,
  mode: string, given: Record<string, unknown>): Promise<EvalScope> {
  const sub = await arm.resources.get(`/subscriptions/${target.subscriptionId}`);
  const group = target.resourceGroup ? await arm.resources.get(`/subscriptions/${target.subscriptionId}/resourceGroups/${target.resourceGroup}`) : undefined;
  return {
    // Bound next (defaults may read the scope).
    parameters: {}, variables: template.variables, template,
    subscription: { id: `/subscriptions/${target.subscriptionId}`, subscriptionId: target.subscriptionId, tenantId: arm.tenantId, displayName: String(sub?.body.displayName ?? '') },
    ...(group ? { resourceGroup: { id: group.id, name: group.body.name, location: String(group.body.location), properties: { provisioningState: 'Succeeded' } } } : {}),
    deployment: { name: target.name, properties: { template: template.document, parameters: given, mode } },
    tenantId: arm.tenantId,
    // Set once the resources are known (a name given to reference() is one of theirs).
    reference: async () => { throw new TemplateError({ path: '', detail: 'reference() cannot be used here.' }); },
    list: async (resourceId, fn, apiVersion, body) => {
      const res = await dispatch({ method: 'POST', path: `${encodeId(resourceId)}/${encodeURIComponent(fn)}?api-version=${encodeURIComponent(apiVersion)}`, body, caller: target.caller, correlationId: target.correlationId });
      return succeeded(res, `${fn}('${resourceId}')`);
    },
  };
}

/** The newest non-preview api-version a type is served with. */
export function newestApiVersion(arm: ArmContext, type: string): string | undefined {
  const versions = [...(arm.registry.type(type)?.apiVersions ?? [])].sort();
  return versions.filter((v) => !v.includes('preview')).pop() ?? versions.pop();
}

/** reference(): a resource of the template by name or id, or any resource by id, read through ARM as the caller. */
function referenceFor(arm: ArmContext, dispatch: Dispatch, target: DeploymentTarget, resources: PlannedResource[]): EvalScope['reference'] {
  return async (idOrName, apiVersion, full) => {
    let id = idOrName;
    let own = resources.find((r) => r.key === idOrName.toLowerCase());
    if (!idOrName.startsWith('/')) {
      const named = resources.filter((r) => r.name.toLowerCase() === idOrName.toLowerCase());
      if (named.length !== 1) throw new TemplateError({ path: '', detail: `The referenced resource '${idOrName}' is ${named.length ? 'ambiguous' : 'not defined in the template'}: use its resource id.` });
      own = named[0];
      id = own.id;
    }
    const type = typeOfId(id);
    const version = apiVersion ?? own?.apiVersion ?? (type ? newestApiVersion(arm, type) : undefined);
    if (!version) throw new TemplateError({ path: '', detail: `The api-version of the referenced resource '${id}' is not known: give it to reference().` });
    const res = await dispatch({ method: 'GET', path: `${encodeId(id)}?api-version=${encodeURIComponent(version)}`, caller: target.caller, correlationId: target.correlationId });
    const body = (succeeded(res, `reference('${id}')`) ?? {}) as Record<string, unknown>;
    return full ? { apiVersion: version, ...body } : body.properties;
  };
}

/** The body of a call reference()/list*() made; a refusal fails the expression with ARM's own error. */
function succeeded(res: ArmResult, call: string): unknown {
  if (res.status < 400) return res.body;
  const err = (res.body as { error?: { code?: string; message?: string } } | undefined)?.error;
  throw new TemplateError({ path: '', detail: `${call} failed: ${err?.code ?? res.status}: ${err?.message ?? 'no message'}` });
}

/** The full type of a resource id (`Microsoft.KeyVault/vaults/accessPolicies`), from its last provider chain. */
export function typeOfId(id: string): string | undefined {
  const segs = id.split('/').filter(Boolean);
  const p = segs.map((s) => s.toLowerCase()).lastIndexOf('providers');
  if (p === -1) {
    if (segs.length === 4 && segs[2].toLowerCase() === 'resourcegroups') return 'Microsoft.Resources/resourceGroups';
    return segs.length === 2 ? 'Microsoft.Resources/subscriptions' : undefined;
  }
  const rest = segs.slice(p + 1);
  const types = [rest[0]];
  for (let i = 1; i < rest.length; i += 2) types.push(rest[i]);
  return types.join('/');
}

/** Every resource of the template (copies expanded, conditions evaluated) with its id. */
async function planResources(template: Template, scope: EvalScope): Promise<PlannedResource[]> {
  const out: PlannedResource[] = [];
  const seen = new Map<string, string>();
  for (const r of await expandResources(template, scope)) {
    const key = r.id.toLowerCase();
    if (seen.has(key) && r.condition) {
      throw DeploymentErrors.invalidTemplate({ path: r.path }, `The resource '${r.id}' is defined multiple times in a template (${seen.get(key)} and ${r.path}).`);
    }
    if (r.condition) seen.set(key, r.path);
    out.push({ key, id: r.id, type: r.type, name: r.name, apiVersion: r.apiVersion, expanded: r });
  }
  return out;
}

/** dependsOn (ids, names or `type/name`) and the resources reference() reads: edges between resources of the template. */
function graphOf(resources: PlannedResource[]): GraphNode[] {
  const keys = new Set(resources.map((r) => r.key));
  const byName = (ref: string): string | undefined => {
    const lc = ref.toLowerCase();
    const hit = resources.filter((r) => r.name.toLowerCase() === lc || `${r.type}/${r.name}`.toLowerCase() === lc);
    return hit.length === 1 ? hit[0].key : undefined;
  };
  const resolve = (ref: string) => (ref.startsWith('/') ? nodeFor(keys, ref) : byName(ref));
  return resources.map((r) => {
    const deps = new Set<string>();
    r.expanded.dependsOn.forEach((d, i) => {
      const k = resolve(d);
      if (!k) throw DeploymentErrors.notDefined({ path: `${r.expanded.path}.dependsOn[${i}]` }, d);
      if (k !== r.key) deps.add(k);
    });
    for (const ref of r.expanded.references) {
      const k = resolve(ref);
      if (k && k !== r.key) deps.add(k);
    }
    return { key: r.key, id: r.id, deps };
  });
}

export const isDeployment = (type: string): boolean => type.toLowerCase() === DEPLOYMENT_TYPE.toLowerCase();

/** A failure that is not Azure's own (a bug): the caller sees InternalServerError. */
export function asAzureError(e: unknown, trackingId: string): AzureError {
  const t = templateFailure(e);
  if (t instanceof AzureError) return t;
  return ArmErrors.internal(trackingId);
}
