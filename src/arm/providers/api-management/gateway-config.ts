// An instance's configuration for the gateway (the ConfigSource contract of src/gateway/config.ts), read
// from its child resources with secrets unsealed. The typed kinds make this a mapping without casts.
import type { ConfigSource, InstanceConfig, PolicyConfig, PolicyScope, RepresentationConfig, ResponseConfig } from '../../../gateway/config.js';
import type { ApimChildDeps } from './child.js';
import { SERVICE } from './service.js';
import { API } from './children/apis.js';
import { OPERATION, type OperationResponse, type Representation } from './children/operations.js';
import { POLICY_FRAGMENT, POLICY_KINDS } from './children/policies.js';
import { PRODUCT, PRODUCT_API } from './children/products.js';
import { SUBSCRIPTION, relativeScope, subscriptionKeys } from './children/subscriptions.js';
import { BACKEND } from './children/backends.js';
import { resolvedNamedValues } from './children/named-values.js';
import type { HostnameCertificates } from './hostnames.js';

export class ApimConfigSource implements ConfigSource {
  constructor(private readonly deps: ApimChildDeps, private readonly hostnames: HostnameCertificates) {}

  async load(instanceId: string): Promise<InstanceConfig | undefined> {
    const { resources } = this.deps.arm;
    const svc = await resources.getOf(SERVICE, instanceId);
    if (!svc) return undefined;
    const id = svc.id;
    const policies: PolicyConfig[] = [];
    for (const kind of POLICY_KINDS) {
      for (const p of await resources.listOf(kind, { under: id })) {
        const scope = policyScope(id, p.id);
        if (scope) policies.push({ scope, xml: p.body.properties.value });
      }
    }
    const products = [];
    for (const p of await resources.listOf(PRODUCT, { parent: id })) {
      products.push({
        name: p.body.name, displayName: p.body.properties.displayName, subscriptionRequired: p.body.properties.subscriptionRequired,
        state: p.body.properties.state, apiNames: (await resources.listOf(PRODUCT_API, { parent: p.id })).map((l) => l.body.name),
      });
    }
    const subscriptions = [];
    for (const s of await resources.listOf(SUBSCRIPTION, { parent: id })) {
      const scope = relativeScope(id, s.body.properties.scope);
      if (!scope) continue;
      subscriptions.push({ name: s.body.name, scope, ...subscriptionKeys(this.deps, s), state: s.body.properties.state, allowTracing: s.body.properties.allowTracing });
    }
    return {
      instanceId: id,
      name: svc.body.name,
      apis: (await resources.listOf(API, { parent: id })).map((a) => ({
        name: a.body.name, displayName: a.body.properties.displayName, path: a.body.properties.path, serviceUrl: a.body.properties.serviceUrl,
        protocols: a.body.properties.protocols, subscriptionRequired: a.body.properties.subscriptionRequired,
        subscriptionKeyParameterNames: a.body.properties.subscriptionKeyParameterNames,
      })),
      operations: (await resources.listOf(OPERATION, { under: id })).map((o) => ({
        apiName: o.id.split('/').slice(-3)[0], name: o.body.name, displayName: o.body.properties.displayName, method: o.body.properties.method,
        urlTemplate: o.body.properties.urlTemplate, templateParameters: o.body.properties.templateParameters,
        responses: responseConfigs(o.body.properties.responses),
      })),
      policies,
      policyFragments: (await resources.listOf(POLICY_FRAGMENT, { parent: id })).map((f) => ({ name: f.body.name, xml: f.body.properties.value })),
      products,
      subscriptions,
      backends: (await resources.listOf(BACKEND, { parent: id })).map((b) => ({ name: b.body.name, url: b.body.properties.url, protocol: b.body.properties.protocol })),
      namedValues: await resolvedNamedValues(this.deps, id),
      hostnames: await this.hostnames.gatewayHostnames(id),
    };
  }
}

/** An operation's responses as mock-response reads them: status codes, content types, examples. */
function responseConfigs(responses: OperationResponse[]): ResponseConfig[] {
  return responses.map((r) => ({
    statusCode: r.statusCode,
    representations: (r.representations ?? []).map((rep): RepresentationConfig => {
      const example = exampleOf(rep);
      return example ? { contentType: rep.contentType, example } : { contentType: rep.contentType };
    }),
  }));
}

/**
 * A representation's example: of `examples` (ParameterExampleContract by name), the one named `default`,
 * else the first with a value (one with only an externalValue is not fetched); else the `sample` string
 * of older api-versions.
 */
function exampleOf(rep: Representation): { value: unknown } | undefined {
  const examples = rep.examples ?? {};
  const hasValue = (e: { value?: unknown } | undefined) => e !== undefined && e.value !== undefined;
  const chosen = hasValue(examples.default) ? examples.default : Object.values(examples).find(hasValue);
  if (chosen) return { value: chosen.value };
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
