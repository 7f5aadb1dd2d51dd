// POST /subscriptions/{s}/resourcegroups/{g}/exportTemplate: a template of the group's resources, as
// Azure's export makes it. Each resource and its children (export-read.ts) are read through the front
// door as the caller (so what Azure hides stays hidden and what the caller may not read is refused).
// Each child is a resource of its own (`service/apis`, named `[concat(parameters('service_x_name'),
// '/echo')]`) depending on its parents; read-only properties are left out; names become parameters
// (`service_contoso_name`) unless SkipResourceNameParameterization; an id of a resource of the template
// inside a property becomes a resourceId() expression and a dependency; a secret whose value Azure hides
// (a secret named value, a vault's secret) becomes a securestring parameter without default.
import type { ArmContext } from '../context.js';
import type { ArmRequest, ArmResult } from '../registry.js';
import { asObject, rejectUnknown } from '../envelope.js';
import { ArmErrors } from '../errors.js';
import { DEPLOYMENT_TYPE } from './documents.js';
import type { Dispatch } from './plan.js';
import { readResources, type ReadResource } from './export-read.js';

/** Properties a GET returns that a PUT does not take, by type (lower-case); others: provisioningState. */
const READ_ONLY: Record<string, readonly string[]> = {
  'microsoft.apimanagement/service': ['provisioningState', 'targetProvisioningState', 'createdAtUtc', 'gatewayUrl', 'gatewayRegionalUrl', 'portalUrl',
    'managementApiUrl', 'scmUrl', 'developerPortalUrl', 'publicIPAddresses', 'privateIPAddresses', 'outboundPublicIPAddresses', 'platformVersion'],
  'microsoft.apimanagement/service/subscriptions': ['createdDate', 'startDate', 'expirationDate', 'endDate', 'notificationDate', 'stateComment'],
  'microsoft.keyvault/vaults': ['provisioningState', 'vaultUri', 'hsmPoolResourceId'],
  'microsoft.keyvault/vaults/secrets': ['secretUri', 'secretUriWithVersion'],
  'microsoft.managedidentity/userassignedidentities': ['tenantId', 'principalId', 'clientId'],
};
/** Links between two entities of an instance (their PUT takes no body), by type: the collection they link to. */
const LINKS: Record<string, string> = {
  'microsoft.apimanagement/service/products/apis': 'apis',
  'microsoft.apimanagement/service/apis/tags': 'tags',
};
const NAMED_VALUES = 'microsoft.apimanagement/service/namedvalues';
/** Types whose `value` a GET never returns, when it is a secret: a securestring parameter without default takes its place. */
const HIDDEN_VALUE: Record<string, (props: Json) => boolean> = {
  [NAMED_VALUES]: (p) => p.secret === true && p.value === undefined && !p.keyVault,
  'microsoft.keyvault/vaults/secrets': (p) => p.value === undefined,
};
const USER_IDENTITY = 'microsoft.managedidentity/userassignedidentities';
const ENVELOPE = ['location', 'tags', 'sku', 'identity', 'kind', 'zones'];
const SCHEMA = 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#';

type Json = Record<string, unknown>;

/** A string literal inside a template expression. */
const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;
const paramName = (...parts: string[]) => parts.map((p) => p.replace(/[^A-Za-z0-9]/g, '_')).join('_');
const lastSegment = (type: string) => type.split('/').pop()!;
/** A literal that Resource Manager would otherwise read as an expression (a string or property name beginning with '['). */
const escape = (s: string) => (s.startsWith('[') ? `[${s}` : s);

export async function exportTemplate(arm: ArmContext, dispatch: Dispatch, req: ArmRequest): Promise<ArmResult> {
  const body = asObject(req.body ?? {}, '');
  rejectUnknown(body, ['resources', 'options', 'outputFormat'], 'ExportTemplateRequest', '');
  const options = new Set(String(body.options ?? '').split(',').map((o) => o.trim().toLowerCase()).filter(Boolean));
  const wanted = Array.isArray(body.resources) ? body.resources : [];
  if (wanted.length === 0 || wanted.some((r) => typeof r !== 'string')) {
    throw ArmErrors.invalidValue('resources', "The request content was invalid: 'resources' must list resource ids, or '*' for every resource of the group.");
  }
  const group = req.target.id;
  const all = (await arm.resources.list({ group, topLevel: true })).filter((r) => r.body.type.toLowerCase() !== DEPLOYMENT_TYPE.toLowerCase());
  const picked = wanted.includes('*') ? all : (wanted as string[]).map((id) => {
    const r = all.find((x) => x.id.toLowerCase() === id.toLowerCase());
    if (!r) throw ArmErrors.invalidValue('resources', `The resource '${id}' is not a resource of resource group '${req.target.name}'.`);
    return r;
  });
  const items = await readResources(arm, dispatch, req.caller, req.ctx.correlationId, picked.map((r) => ({ id: r.id, type: r.body.type, name: r.body.name })));
  const writer = new TemplateWriter(items, !options.has('skipresourcenameparameterization'), options.has('includeparameterdefaultvalue'));
  return { status: 200, body: { template: writer.template() } };
}

/** Turns what was read into a template: parameters for names (and hidden secrets), one resource per item. */
class TemplateWriter {
  private readonly byId = new Map<string, ReadResource>();
  /** The client and principal ids of the template's user-assigned identities: `reference(...).clientId` in a copy. */
  private readonly identityIds = new Map<string, { identity: ReadResource; property: 'clientId' | 'principalId' }>();
  private readonly parameters: Json = {};

  constructor(private readonly items: ReadResource[], private readonly parameterize: boolean, withDefaults: boolean) {
    for (const x of items) this.byId.set(x.id.toLowerCase(), x);
    for (const x of items.filter((i) => i.type.toLowerCase() === USER_IDENTITY)) {
      const props = (x.body.properties ?? {}) as Json;
      for (const property of ['clientId', 'principalId'] as const) {
        if (typeof props[property] === 'string') this.identityIds.set((props[property] as string).toLowerCase(), { identity: x, property });
      }
    }
    if (parameterize) for (const x of items) if (!x.parent) this.parameters[this.nameParam(x)] = { ...(withDefaults ? { defaultValue: x.names[0] } : {}), type: 'String' };
  }

  template(): Json {
    const resources = this.items.map((x) => this.resource(x));
    return { $schema: SCHEMA, contentVersion: '1.0.0.0', parameters: this.parameters, variables: {}, resources };
  }

  private nameParam(x: ReadResource): string {
    return paramName(lastSegment(x.type), x.names[0], 'name');
  }

  private rootOf(x: ReadResource): ReadResource {
    return x.parent ? this.rootOf(x.parent) : x;
  }

  /** The `name` of a resource: `[parameters('p')]`, `[concat(parameters('p'), '/echo/get')]`. */
  private nameOf(x: ReadResource): string {
    if (!this.parameterize) return x.names.join('/');
    const p = `parameters(${lit(this.nameParam(this.rootOf(x)))})`;
    return x.names.length === 1 ? `[${p}]` : `[concat(${p}, ${lit('/' + x.names.slice(1).join('/'))})]`;
  }

  /** resourceId() of a resource of the template, without the brackets. */
  private resourceIdOf(x: ReadResource): string {
    const first = this.parameterize ? `parameters(${lit(this.nameParam(this.rootOf(x)))})` : lit(x.names[0]);
    return `resourceId(${[lit(x.type), first, ...x.names.slice(1).map(lit)].join(', ')})`;
  }

  private resource(x: ReadResource): Json {
    const out: Json = { type: x.type, apiVersion: x.apiVersion, name: this.nameOf(x) };
    const deps = new Set<ReadResource>();
    for (let p = x.parent; p; p = p.parent) deps.add(p);
    const link = LINKS[x.type.toLowerCase()];
    if (link) {
      // A link's PUT takes no body: it names the entity linked to, which must exist first.
      const target = this.byId.get(`${this.rootOf(x).id}/${link}/${x.names[x.names.length - 1]}`.toLowerCase());
      if (target) deps.add(target);
    } else {
      for (const k of ENVELOPE) if (x.body[k] !== undefined && x.body[k] !== null) out[k] = structuredClone(x.body[k]);
      if (out.tags) out.tags = this.rewrite(out.tags, deps);
      if (out.identity) this.identity(out, deps);
      out.properties = this.hideSecret(x, this.rewrite(this.properties(x), deps));
      for (const d of this.mentioned(x, out.properties as Json)) deps.add(d);
    }
    deps.delete(x);
    if (deps.size > 0) out.dependsOn = [...deps].map((d) => `[${this.resourceIdOf(d)}]`);
    return out;
  }

  /** No principal or tenant (they are the identity's own); a user-assigned identity of the template by resourceId(). */
  private identity(out: Json, deps: Set<ReadResource>): void {
    const identity = out.identity as Json;
    delete identity.principalId;
    delete identity.tenantId;
    const users = identity.userAssignedIdentities as Json | undefined;
    if (users) {
      const refs: Json = {};
      for (const id of Object.keys(users)) {
        const own = this.byId.get(id.toLowerCase());
        if (own) { refs[`[${this.resourceIdOf(own)}]`] = {}; deps.add(own); } else refs[id] = {};
      }
      identity.userAssignedIdentities = refs;
    }
    if (identity.type === 'None') delete out.identity;
  }

  /** The properties a PUT takes: read-only ones out; no built-in or inline-certificate hostname (its PFX is not readable). */
  private properties(x: ReadResource): Json {
    const props: Json = structuredClone((x.body.properties ?? {}) as Json);
    for (const k of READ_ONLY[x.type.toLowerCase()] ?? ['provisioningState']) delete props[k];
    for (const [k, v] of Object.entries(props)) if (v === null) delete props[k];
    const attributes = props.attributes as Json | undefined;
    if (attributes && typeof attributes === 'object') { delete attributes.created; delete attributes.updated; }
    if (Array.isArray(props.hostnameConfigurations)) {
      props.hostnameConfigurations = (props.hostnameConfigurations as Json[])
        .filter((h) => h.certificateSource === 'KeyVault')
        .map(({ certificate: _c, certificateSource: _s, certificateStatus: _t, ...h }) => h);
    }
    return props;
  }

  /** A secret whose value GET hides (a secret named value, a vault's secret) takes it from a securestring parameter without default. */
  private hideSecret(x: ReadResource, props: Json): Json {
    if (!HIDDEN_VALUE[x.type.toLowerCase()]?.(props)) return props;
    const p = paramName(lastSegment(x.type), ...x.names, 'value');
    this.parameters[p] = { type: 'SecureString' };
    return { ...props, value: `[parameters(${lit(p)})]` };
  }

  /**
   * A copy of `v` in which an id of a resource of the template (or a path below one) is a resourceId()
   * expression, and the resource a dependency; so is the client or principal id of a user-assigned
   * identity of the template (a reference(), as a copy's identity has its own); any other string
   * beginning with '[' is escaped ('[[').
   */
  private rewrite<T>(v: T, deps: Set<ReadResource>): T {
    if (typeof v === 'string') return this.rewriteString(v, deps) as T;
    if (Array.isArray(v)) return v.map((e) => this.rewrite(e, deps)) as T;
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, e]) => [escape(k), this.rewrite(e, deps)])) as T;
    return v;
  }

  private rewriteString(s: string, deps: Set<ReadResource>): string {
    const user = this.identityIds.get(s.toLowerCase());
    if (user) {
      deps.add(user.identity);
      return `[reference(${this.resourceIdOf(user.identity)}, ${lit(user.identity.apiVersion)}).${user.property}]`;
    }
    if (s.startsWith('/subscriptions/')) {
      const segments = s.replace(/\/+$/, '').split('/');
      for (let n = segments.length; n > 0; n--) {
        const own = this.byId.get(segments.slice(0, n).join('/').toLowerCase());
        if (!own) continue;
        deps.add(own);
        const rest = segments.slice(n).join('/');
        return rest ? `[concat(${this.resourceIdOf(own)}, ${lit('/' + rest)})]` : `[${this.resourceIdOf(own)}]`;
      }
    }
    return escape(s);
  }

  /**
   * What an API Management document mentions by name and must exist before it: `{{named values}}` (by
   * display name), `fragment-id` (policy fragments) and `backend-id` (backends) of the same instance.
   */
  private mentioned(x: ReadResource, props: Json): ReadResource[] {
    if (!x.parent) return [];
    const root = this.rootOf(x);
    const text = JSON.stringify(props);
    const names = new Set([...text.matchAll(/\{\{([^{}]+)\}\}/g)].map((m) => m[1].trim().toLowerCase()));
    const refs = (attr: string) => new Set([...text.matchAll(new RegExp(`${attr}=\\\\?"([^"\\\\]+)`, 'g'))].map((m) => m[1].toLowerCase()));
    const fragments = refs('fragment-id');
    const backends = refs('backend-id');
    return this.items.filter((o) => o.parent === root && o !== x && (
      (o.type.toLowerCase() === NAMED_VALUES && names.has(String((o.body.properties as Json | undefined)?.displayName ?? '').toLowerCase()))
      || (lastSegment(o.type) === 'policyFragments' && fragments.has(o.names[1].toLowerCase()))
      || (lastSegment(o.type) === 'backends' && backends.has(o.names[1].toLowerCase()))));
  }
}
