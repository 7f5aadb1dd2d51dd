// An instance's configuration compiled, once per change: APIs by path, operations with their URL
// templates and mock-response answers, subscriptions by key, and every operation's merged pipeline,
// for no product and for each product that contains its API (product policies apply to calls made
// with that product's key).
import type { ApiConfig, InstanceConfig, OperationConfig, PolicyConfig, SubscriptionConfig } from '../config.js';
import { validatePolicyDocument } from '../policy/validate.js';
import { crossDomainFile } from '../policies/transformation.js';
import { compileDocument, mergeScopes, type CompiledDocument, type FragmentTable, type Pipeline } from '../policy/compile.js';
import { parseXml, type XNode } from '../policy/xml.js';
import { NamedValueTable } from '../policy/values.js';
import { splitBaseUrl } from '../policies/routing.js';
import { compileMockResponses, type MockResponses } from '../policies/flow.js';
import { compileTemplate, type OperationRoute } from './router.js';
import { PolicyError, type Step } from '../policy/types.js';
import { AzureError } from '../../common/errors.js';
import type { InstanceServices } from './services.js';

export interface CompiledOperation {
  name: string;
  config: OperationConfig;
  route: OperationRoute;
  queryParameterNames: string[];
  /** By product name ('' for a call without a product). */
  pipelines: Map<string, Pipeline>;
  /** mock-response's answers from the operation's response examples, by status code. */
  mocks: MockResponses;
  /** A CORS preflight for this operation's method and path (no OPTIONS operation took it): its cors policies. */
  preflight: Pipeline;
}

export interface CompiledApi {
  name: string;
  config: ApiConfig;
  /** The path suffix, lower-cased, without slashes ('' for the root). */
  prefix: string;
  origin: string;
  basePath: string;
  keyHeader: string;
  keyQuery: string;
  http: boolean;
  https: boolean;
  byMethod: Map<string, CompiledOperation[]>;
  /** The API's configuration did not compile: every call answers 500. */
  broken?: boolean;
  /** A CORS preflight no operation matches: the cors policies of the global and API scopes. */
  preflight: Pipeline;
}

export interface CompiledSubscription {
  name: string;
  allowTracing: boolean;
  active: boolean;
  /** APIs it opens ('*' for all), and the product whose policies apply ('' for none). */
  apis: Set<string> | '*';
  productName: string;
}

/**
 * The pipeline of an API or operation whose configuration did not compile (a policy document the
 * gateway cannot read, a field of the wrong type): every call answers API Management's 500, as the
 * managed gateway does for a broken configuration. Never the API without its policies.
 */
/**
 * The pipeline of a CORS preflight: the cors policies that are direct children of inbound (a broken
 * configuration's step too, so it still answers 500), and on-error.
 */
export function preflightPipeline(p: Pipeline): Pipeline {
  const inbound = p.inbound.filter((s) => s.name === 'cors' || s.name === 'configuration');
  return { inbound, backend: [], outbound: [], onError: inbound.length === 0 ? [] : p.onError };
}

export function brokenPipeline(what: string): Pipeline {
  const step: Step = {
    name: 'configuration', id: '', path: '', scope: 'global', section: 'inbound',
    run: () => { throw new PolicyError('ConfigurationError', `The configuration of ${what} could not be compiled.`); },
  };
  return { inbound: [step], backend: [], outbound: [], onError: [] };
}

const BROKEN = Symbol('broken');
type DocumentOrBroken = CompiledDocument | typeof BROKEN | undefined;

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

export class CompiledInstance {
  readonly apis: CompiledApi[] = [];
  readonly subscriptions = new Map<string, CompiledSubscription>();
  readonly secrets: string[];
  readonly problems: string[] = [];
  /** The crossdomain.xml the global policy's cross-domain element configures. */
  crossDomain: string | undefined = undefined;

  /**
   * Each entity compiles on its own: one that fails (a policy that does not compile, a field of the
   * wrong type) is reported in `problems` and answers 500 (an API or operation) or is left out (a
   * subscription, a named value), and everything else is served.
   */
  constructor(readonly config: InstanceConfig, readonly services: InstanceServices) {
    const nv = new NamedValueTable(list(config.namedValues).filter((v) => {
      const ok = typeof v?.name === 'string' && typeof v.displayName === 'string' && (v.value === undefined || typeof v.value === 'string');
      if (!ok) this.problems.push(`named value ${String(v?.name)}: not a valid named value`);
      return ok;
    }));
    this.secrets = nv.secrets;
    const missing: string[] = [];
    // Policy fragments by name: a policy that includes one is validated and compiled with it in place.
    const fragmentXml = new Map<string, string>();
    for (const f of list(config.policyFragments)) {
      if (typeof f?.name === 'string' && typeof f.xml === 'string') fragmentXml.set(f.name.toLowerCase(), f.xml);
    }
    const fragments = new Map<string, XNode>();
    for (const [name, xml] of fragmentXml) {
      try { fragments.set(name, parseXml(xml)); } catch (e) { this.problems.push(`policy fragment ${name}: ${message(e)}`); }
    }
    const table: FragmentTable = fragments;
    const doc = (p: PolicyConfig, key: string): DocumentOrBroken => {
      try {
        const { doc: tree } = validatePolicyDocument(p.xml, p.scope.kind, (id) => fragmentXml.get(id.toLowerCase()));
        if (p.scope.kind === 'global') this.crossDomain = crossDomainFile(tree, (s) => nv.substitute(s, missing));
        return compileDocument(tree, p.scope.kind, key, services, nv, missing, table);
      } catch (e) {
        this.problems.push(`policy at ${key}: ${e instanceof AzureError ? (e.details ?? []).map((d) => d.message).join(' ') || e.message : message(e)}`);
        return BROKEN;
      }
    };
    let global: DocumentOrBroken;
    const products = new Map<string, DocumentOrBroken>();
    const apiDocs = new Map<string, DocumentOrBroken>();
    const opDocs = new Map<string, DocumentOrBroken>();
    for (const p of list(config.policies)) {
      try {
        const s = p.scope;
        if (s.kind === 'global') global = doc(p, 'global');
        else if (s.kind === 'product') products.set(s.productName.toLowerCase(), doc(p, `product:${s.productName}`));
        else if (s.kind === 'api') apiDocs.set(s.apiName.toLowerCase(), doc(p, `api:${s.apiName}`));
        else opDocs.set(`${s.apiName}/${s.operationName}`.toLowerCase(), doc(p, `operation:${s.apiName}/${s.operationName}`));
      } catch (e) {
        this.problems.push(`policy: ${message(e)}`);
      }
    }
    if (missing.length) this.problems.push(`unknown named values: ${[...new Set(missing)].join(', ')}`);

    const merge = (docs: DocumentOrBroken[], what: string): Pipeline =>
      docs.includes(BROKEN) ? brokenPipeline(what) : mergeScopes(docs as (CompiledDocument | undefined)[], services);
    const productsOf = (api: string) => list(config.products)
      .filter((p) => Array.isArray(p?.apiNames) && p.apiNames.some((a) => typeof a === 'string' && a.toLowerCase() === api.toLowerCase()))
      .map((p) => String(p.name));
    const operations = list(config.operations);
    for (const a of list(config.apis)) {
      if (typeof a?.name !== 'string' || typeof a.path !== 'string') { this.problems.push(`api ${String(a?.name)}: no name or path: not served`); continue; }
      const prefix = a.path.replace(/^\/+|\/+$/g, '').toLowerCase();
      try {
        this.apis.push(this.compileApi(a, prefix, operations, apiDocs, opDocs, products, global, productsOf, merge));
      } catch (e) {
        // The API answers 500 on every path under it, rather than not at all (404) or without its checks.
        this.problems.push(`api ${a.name}: ${message(e)}`);
        this.apis.push(brokenApi(a, prefix, brokenPipeline(`API '${a.name}'`)));
      }
    }
    this.apis.sort((x, y) => y.prefix.length - x.prefix.length);

    for (const s of list(config.subscriptions)) {
      try { this.addSubscription(s); } catch (e) { this.problems.push(`subscription ${String(s?.name)}: ${message(e)}`); }
    }
  }

  private compileApi(a: ApiConfig, prefix: string, operations: OperationConfig[], apiDocs: Map<string, DocumentOrBroken>, opDocs: Map<string, DocumentOrBroken>,
    products: Map<string, DocumentOrBroken>, global: DocumentOrBroken, productsOf: (api: string) => string[],
    merge: (docs: DocumentOrBroken[], what: string) => Pipeline): CompiledApi {
    let origin = '';
    let basePath = '';
    if (a.serviceUrl !== undefined && a.serviceUrl !== null && a.serviceUrl !== '') {
      if (typeof a.serviceUrl !== 'string') throw new Error(`serviceUrl is not a string`);
      try { ({ origin, basePath } = splitBaseUrl(a.serviceUrl)); } catch { this.problems.push(`api ${a.name}: serviceUrl '${a.serviceUrl}' is not a URL`); }
    }
    const protocols = (a.protocols ?? ['https']).map((p) => stringField(p, 'protocols').toLowerCase());
    const names = a.subscriptionKeyParameterNames;
    const api: CompiledApi = {
      name: a.name, config: a, prefix, origin, basePath,
      keyHeader: stringField(names?.header ?? 'Ocp-Apim-Subscription-Key', 'subscriptionKeyParameterNames.header').toLowerCase(),
      keyQuery: stringField(names?.query ?? 'subscription-key', 'subscriptionKeyParameterNames.query'),
      http: protocols.includes('http'), https: protocols.includes('https') || protocols.length === 0, byMethod: new Map(),
      preflight: { inbound: [], backend: [], outbound: [], onError: [] },
    };
    if (typeof a.subscriptionRequired !== 'boolean') throw new Error(`subscriptionRequired is not a boolean`);
    const apiDoc = apiDocs.get(a.name.toLowerCase());
    api.preflight = preflightPipeline(merge([global, undefined, apiDoc, undefined], `API '${a.name}'`));
    for (const o of operations) {
      if (typeof o?.apiName !== 'string' || o.apiName.toLowerCase() !== a.name.toLowerCase()) continue;
      try {
        if (typeof o.name !== 'string' || typeof o.method !== 'string') throw new Error('no name or method');
        // A template the router cannot use leaves the operation out (its calls are 404): there is no path to answer 500 on.
        const route = compileTemplate(o);
        const what = `operation '${a.name}/${o.name}'`;
        const opDoc = opDocs.get(`${a.name}/${o.name}`.toLowerCase());
        const pipelines = new Map<string, Pipeline>();
        pipelines.set('', merge([global, undefined, apiDoc, opDoc], what));
        for (const prod of productsOf(a.name)) pipelines.set(prod.toLowerCase(), merge([global, products.get(prod.toLowerCase()), apiDoc, opDoc], what));
        let mocks: MockResponses;
        try { mocks = compileMockResponses(o.responses); } catch (e) {
          this.problems.push(`operation ${a.name}/${o.name}: responses: ${message(e)}`);
          mocks = compileMockResponses(undefined);
        }
        const op: CompiledOperation = {
          name: o.name, config: o, route, queryParameterNames: route.query.map(([k]) => k), pipelines, mocks, preflight: preflightPipeline(pipelines.get('')!),
        };
        const method = o.method.toUpperCase();
        const ops = api.byMethod.get(method) ?? [];
        ops.push(op);
        api.byMethod.set(method, ops);
      } catch (e) {
        this.problems.push(`operation ${a.name}/${String(o.name)}: ${message(e)}: not served`);
      }
    }
    for (const ops of api.byMethod.values()) ops.sort((x, y) => y.route.literal - x.route.literal || x.route.params - y.route.params);
    return api;
  }

  private addSubscription(s: SubscriptionConfig): void {
    const scope = s.scope.replace(/\/+$/, '');
    let apis: Set<string> | '*' = '*';
    let productName = '';
    if (typeof s.scope !== 'string') throw new Error('scope is not a string');
    const m = /^\/(apis|products)(?:\/([^/]+))?$/i.exec(scope);
    if (!m) { this.problems.push(`subscription ${s.name}: unknown scope '${s.scope}'`); return; }
    if (m[1].toLowerCase() === 'apis' && m[2]) apis = new Set([m[2].toLowerCase()]);
    else if (m[1].toLowerCase() === 'products') {
      const product = this.config.products.find((p) => p.name.toLowerCase() === (m[2] ?? '').toLowerCase());
      productName = (product?.name ?? m[2] ?? '').toLowerCase();
      apis = new Set((product && product.state !== 'notPublished' ? product.apiNames : []).map((a) => a.toLowerCase()));
    }
    const compiled: CompiledSubscription = { name: s.name, allowTracing: s.allowTracing, active: s.state.toLowerCase() === 'active', apis, productName };
    for (const key of [s.primaryKey, s.secondaryKey]) if (key) this.subscriptions.set(key, compiled);
  }

  /** The API whose path suffix is the longest prefix of `lowerPath` (which starts with '/'). */
  findApi(lowerPath: string): CompiledApi | undefined {
    for (const api of this.apis) {
      const p = api.prefix;
      if (p === '') return api;
      if (lowerPath.length >= p.length + 1 && lowerPath.startsWith(p, 1) && (lowerPath.length === p.length + 1 || lowerPath.charCodeAt(p.length + 1) === 47)) return api;
    }
    return undefined;
  }
}

/** A list from the configuration, or none when it is not one. */
function list<T>(v: T[] | undefined): T[] {
  return Array.isArray(v) ? v : [];
}

function stringField(v: unknown, name: string): string {
  if (typeof v !== 'string') throw new Error(`${name} is ${JSON.stringify(v)}, not a string`);
  return v;
}

/** An API that answers 500 on every path and method under it. */
function brokenApi(a: ApiConfig, prefix: string, pipeline: Pipeline): CompiledApi {
  const route: OperationRoute = { match: () => [], pathNames: [], query: [], literal: 0, params: 0 };
  const op: CompiledOperation = {
    name: '', config: { apiName: a.name, name: '', displayName: '', method: '*', urlTemplate: '/*', templateParameters: [] },
    route, queryParameterNames: [], pipelines: new Map([['', pipeline]]), mocks: compileMockResponses(undefined), preflight: pipeline,
  };
  const byMethod = new Map<string, CompiledOperation[]>();
  for (const m of ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE']) byMethod.set(m, [op]);
  return {
    name: a.name, config: { ...a, subscriptionRequired: false }, prefix, origin: '', basePath: '', keyHeader: 'ocp-apim-subscription-key',
    keyQuery: 'subscription-key', http: true, https: true, byMethod, broken: true, preflight: pipeline,
  };
}
