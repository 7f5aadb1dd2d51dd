// An instance's configuration compiled, once per change: APIs by path, operations with their URL
// templates and mock-response answers, subscriptions by key, and every operation's merged pipeline,
// for no product and for each product that contains its API (product policies apply to calls made
// with that product's key).
import type { ApiConfig, InstanceConfig, OperationConfig, PolicyConfig, SubscriptionConfig } from '../config.js';
import { validatePolicyDocument } from '../policy/validate.js';
import { compileDocument, mergeScopes, type CompiledDocument, type Pipeline } from '../policy/compile.js';
import { NamedValueTable } from '../policy/values.js';
import { splitBaseUrl } from '../policies/routing.js';
import { compileMockResponses, type MockResponses } from '../policies/flow.js';
import { compileTemplate, type OperationRoute } from './router.js';
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
}

export interface CompiledSubscription {
  name: string;
  allowTracing: boolean;
  active: boolean;
  /** APIs it opens ('*' for all), and the product whose policies apply ('' for none). */
  apis: Set<string> | '*';
  productName: string;
}

export class CompiledInstance {
  readonly apis: CompiledApi[] = [];
  readonly subscriptions = new Map<string, CompiledSubscription>();
  readonly secrets: string[];
  readonly problems: string[] = [];

  constructor(readonly config: InstanceConfig, readonly services: InstanceServices) {
    const nv = new NamedValueTable(config.namedValues);
    this.secrets = nv.secrets;
    const missing: string[] = [];
    const doc = (p: PolicyConfig, key: string): CompiledDocument | undefined => {
      try {
        const { doc: tree } = validatePolicyDocument(p.xml, p.scope.kind);
        return compileDocument(tree, p.scope.kind, key, services, nv, missing);
      } catch (e) {
        this.problems.push(`policy at ${key}: ${e instanceof Error ? e.message : String(e)}`);
        return undefined;
      }
    };
    let global: CompiledDocument | undefined;
    const products = new Map<string, CompiledDocument | undefined>();
    const apiDocs = new Map<string, CompiledDocument | undefined>();
    const opDocs = new Map<string, CompiledDocument | undefined>();
    for (const p of config.policies) {
      const s = p.scope;
      if (s.kind === 'global') global = doc(p, 'global');
      else if (s.kind === 'product') products.set(s.productName.toLowerCase(), doc(p, `product:${s.productName}`));
      else if (s.kind === 'api') apiDocs.set(s.apiName.toLowerCase(), doc(p, `api:${s.apiName}`));
      else opDocs.set(`${s.apiName}/${s.operationName}`.toLowerCase(), doc(p, `operation:${s.apiName}/${s.operationName}`));
    }
    if (missing.length) this.problems.push(`unknown named values: ${[...new Set(missing)].join(', ')}`);

    const productsOf = (api: string) => config.products.filter((p) => p.apiNames.some((a) => a.toLowerCase() === api.toLowerCase())).map((p) => p.name);
    for (const a of config.apis) {
      let origin = '';
      let basePath = '';
      if (a.serviceUrl) {
        try { ({ origin, basePath } = splitBaseUrl(a.serviceUrl)); } catch { this.problems.push(`api ${a.name}: serviceUrl '${a.serviceUrl}' is not a URL`); }
      }
      const protocols = (a.protocols ?? ['https']).map((p) => p.toLowerCase());
      const api: CompiledApi = {
        name: a.name, config: a, prefix: a.path.replace(/^\/+|\/+$/g, '').toLowerCase(), origin, basePath,
        keyHeader: (a.subscriptionKeyParameterNames?.header ?? 'Ocp-Apim-Subscription-Key').toLowerCase(),
        keyQuery: a.subscriptionKeyParameterNames?.query ?? 'subscription-key',
        http: protocols.includes('http'), https: protocols.includes('https') || protocols.length === 0, byMethod: new Map(),
      };
      const ops = config.operations.filter((o) => o.apiName.toLowerCase() === a.name.toLowerCase());
      for (const o of ops) {
        const route = compileTemplate(o);
        const pipelines = new Map<string, Pipeline>();
        const apiDoc = apiDocs.get(a.name.toLowerCase());
        const opDoc = opDocs.get(`${a.name}/${o.name}`.toLowerCase());
        pipelines.set('', mergeScopes([global, undefined, apiDoc, opDoc], services));
        for (const prod of productsOf(a.name)) pipelines.set(prod.toLowerCase(), mergeScopes([global, products.get(prod.toLowerCase()), apiDoc, opDoc], services));
        const op: CompiledOperation = { name: o.name, config: o, route, queryParameterNames: route.query.map(([k]) => k), pipelines, mocks: compileMockResponses(o.responses) };
        const method = o.method.toUpperCase();
        const list = api.byMethod.get(method) ?? [];
        list.push(op);
        api.byMethod.set(method, list);
      }
      for (const list of api.byMethod.values()) list.sort((x, y) => y.route.literal - x.route.literal || x.route.params - y.route.params);
      this.apis.push(api);
    }
    this.apis.sort((x, y) => y.prefix.length - x.prefix.length);

    for (const s of config.subscriptions) this.addSubscription(s);
  }

  private addSubscription(s: SubscriptionConfig): void {
    const scope = s.scope.replace(/\/+$/, '');
    let apis: Set<string> | '*' = '*';
    let productName = '';
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
