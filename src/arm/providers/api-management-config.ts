// An instance's configuration for the gateway (the ConfigSource contract of src/gateway/config.ts), read
// from its child resources with secrets unsealed; and the assembly of the child resource types, the
// Key Vault refresher, and the start-up reload of every instance.
import type { ArmContext } from '../context.js';
import type { ResourceTypeRegistration } from '../registry.js';
import type { SecretBox } from '../../common/crypto.js';
import type { Logger } from '../../common/log.js';
import type { ConfigSource, InstanceConfig, PolicyConfig, PolicyScope, RepresentationConfig, ResponseConfig } from '../../gateway/config.js';
import { SERVICE_TYPE } from './api-management.js';
import { reloadGateway, type ApimChildDeps } from './api-management-common.js';
import { API_TYPE, apiRegistration } from './api-management-apis.js';
import { OPERATION_TYPE, operationRegistration } from './api-management-operations.js';
import { POLICY_TYPES, policyRegistrations } from './api-management-policies.js';
import { PRODUCT_TYPE, productApiNames, productRegistrations } from './api-management-products.js';
import { SUBSCRIPTION_TYPE, relativeScope, subscriptionKeys, subscriptionRegistration } from './api-management-subscriptions.js';
import { BACKEND_TYPE, backendRegistration } from './api-management-backends.js';
import { namedValueRegistration, resolvedNamedValues } from './api-management-named-values.js';
import { KeyVaultRefresher, type KeyVaultSecretReader } from './api-management-keyvault-refresh.js';

export type { KeyVaultSecretReader } from './api-management-keyvault-refresh.js';

export class ApimConfigSource implements ConfigSource {
  constructor(private readonly deps: ApimChildDeps) {}

  async load(instanceId: string): Promise<InstanceConfig | undefined> {
    const { resources } = this.deps.arm;
    const svc = await resources.get(instanceId);
    if (!svc || svc.body.type !== SERVICE_TYPE) return undefined;
    const id = svc.id;
    const under = async (type: string) => {
      const prefix = id.toLowerCase() + '/';
      return (await resources.list({ type })).filter((r) => r.id.toLowerCase().startsWith(prefix));
    };
    const apis = await resources.list({ parent: id, type: API_TYPE });
    const policies: PolicyConfig[] = [];
    for (const type of POLICY_TYPES) {
      for (const p of await under(type)) {
        const scope = policyScope(id, p.id);
        if (scope) policies.push({ scope, xml: String(p.body.properties.value) });
      }
    }
    const products = [];
    for (const p of await resources.list({ parent: id, type: PRODUCT_TYPE })) {
      products.push({
        name: p.body.name, displayName: p.body.properties.displayName, subscriptionRequired: !!p.body.properties.subscriptionRequired,
        state: p.body.properties.state, apiNames: await productApiNames(this.deps, p.id),
      });
    }
    const subscriptions = [];
    for (const s of await resources.list({ parent: id, type: SUBSCRIPTION_TYPE })) {
      const scope = relativeScope(id, s.body.properties.scope);
      if (!scope) continue;
      subscriptions.push({ name: s.body.name, scope, ...subscriptionKeys(this.deps, s), state: s.body.properties.state, allowTracing: !!s.body.properties.allowTracing });
    }
    return {
      instanceId: id,
      name: svc.body.name,
      apis: apis.map((a) => ({
        name: a.body.name, displayName: a.body.properties.displayName, path: a.body.properties.path, serviceUrl: a.body.properties.serviceUrl,
        protocols: a.body.properties.protocols, subscriptionRequired: !!a.body.properties.subscriptionRequired,
        subscriptionKeyParameterNames: a.body.properties.subscriptionKeyParameterNames,
      })),
      operations: (await under(OPERATION_TYPE)).map((o) => ({
        apiName: o.id.split('/').slice(-3)[0], name: o.body.name, displayName: o.body.properties.displayName, method: o.body.properties.method,
        urlTemplate: o.body.properties.urlTemplate, templateParameters: o.body.properties.templateParameters ?? [],
        responses: responseConfigs(o.body.properties.responses),
      })),
      policies,
      products,
      subscriptions,
      backends: (await resources.list({ parent: id, type: BACKEND_TYPE })).map((b) => ({ name: b.body.name, url: b.body.properties.url, protocol: b.body.properties.protocol })),
      namedValues: await resolvedNamedValues(this.deps, id),
    };
  }
}

/** An operation's responses (ResponseContract[]) as mock-response reads them: status codes, content types, examples. */
function responseConfigs(responses: unknown): ResponseConfig[] {
  if (!Array.isArray(responses)) return [];
  const out: ResponseConfig[] = [];
  for (const r of responses) {
    if (r === null || typeof r !== 'object' || !Number.isInteger(r.statusCode)) continue;
    const representations: RepresentationConfig[] = [];
    for (const rep of Array.isArray(r.representations) ? r.representations : []) {
      if (rep === null || typeof rep !== 'object' || typeof rep.contentType !== 'string') continue;
      const example = exampleOf(rep);
      representations.push(example ? { contentType: rep.contentType, example } : { contentType: rep.contentType });
    }
    out.push({ statusCode: r.statusCode, representations });
  }
  return out;
}

/**
 * A representation's example: of `examples` (ParameterExampleContract by name), the one named `default`,
 * else the first with a value (one with only an externalValue is not fetched); else the `sample` string
 * of older api-versions.
 */
function exampleOf(rep: Record<string, any>): { value: unknown } | undefined {
  const examples = rep.examples;
  if (examples !== null && typeof examples === 'object' && !Array.isArray(examples)) {
    const hasValue = (e: any) => e !== null && typeof e === 'object' && e.value !== undefined;
    const chosen = hasValue(examples.default) ? examples.default : Object.values(examples).find(hasValue);
    if (chosen) return { value: (chosen as { value: unknown }).value };
  }
  if (typeof rep.sample === 'string') return { value: rep.sample };
  return undefined;
}

/** The scope of a policy from its id (…/policies/policy, …/products/{p}/policies/policy, …). */
function policyScope(instanceId: string, policyId: string): PolicyScope | undefined {
  const rest = policyId.slice(instanceId.length).split('/').filter(Boolean);
  if (rest.length === 2) return { kind: 'global' };
  if (rest.length === 4 && rest[0].toLowerCase() === 'products') return { kind: 'product', productName: rest[1] };
  if (rest.length === 4 && rest[0].toLowerCase() === 'apis') return { kind: 'api', apiName: rest[1] };
  if (rest.length === 6 && rest[0].toLowerCase() === 'apis') return { kind: 'operation', apiName: rest[1], operationName: rest[3] };
  return undefined;
}

export interface ApimConfiguration {
  types: ResourceTypeRegistration[];
  configSource: ApimConfigSource;
  refresher: KeyVaultRefresher;
  /** After the instances' listeners are up: reload each instance, start the Key Vault refresher. */
  init(): Promise<void>;
  close(): void;
}

export function apimConfiguration(arm: ArmContext, o: { box: SecretBox; logger: Logger; keyVaultRefreshIntervalMs: number; keyVault?: KeyVaultSecretReader }): ApimConfiguration {
  const deps: ApimChildDeps = { arm, box: o.box, logger: o.logger };
  const refresher = new KeyVaultRefresher(deps, o.keyVaultRefreshIntervalMs);
  refresher.reader = o.keyVault;
  return {
    types: [
      apiRegistration(deps), operationRegistration(deps), ...policyRegistrations(deps), ...productRegistrations(deps),
      subscriptionRegistration(deps), backendRegistration(deps), namedValueRegistration(deps, refresher),
    ],
    configSource: new ApimConfigSource(deps),
    refresher,
    async init() {
      for (const s of await arm.resources.list({ type: SERVICE_TYPE })) await reloadGateway(deps, s.id);
      refresher.start();
      void refresher.tick();
    },
    close() { refresher.stop(); },
  };
}
