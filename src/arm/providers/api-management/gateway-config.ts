// An instance's configuration for the gateway (the ConfigSource contract of src/gateway/config.ts), read
// from its child resources with secrets unsealed. The typed kinds make this a mapping without casts.
import { X509Certificate } from 'node:crypto';
import type { ConfigSource, InstanceConfig, ParameterConfig, PolicyConfig, PolicyScope, RepresentationConfig, RequestConfig, ResponseConfig, SchemaConfig } from '../../../gateway/config.js';
import { API_SCHEMA, API_SCHEMA_TYPES, GLOBAL_SCHEMA } from './children/schemas.js';
import type { ApimChildDeps } from './child.js';
import { SERVICE } from './service.js';
import { API } from './children/apis.js';
import { OPERATION, type OperationResponse, type Representation } from './children/operations.js';
import { POLICY_FRAGMENT, POLICY_KINDS } from './children/policies.js';
import { PRODUCT, PRODUCT_API } from './children/products.js';
import { SUBSCRIPTION, relativeScope, subscriptionKeys } from './children/subscriptions.js';
import { BACKEND } from './children/backends.js';
import { resolvedNamedValues } from './children/named-values.js';
import { gatewayCertificates } from './children/certificates.js';
import { CACHE, cacheConfigs } from './children/caches.js';
import { LOGGER } from './children/loggers.js';
import { debugCredentialsKey } from './children/gateways.js';
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
      subscriptions.push({ name: s.body.name, scope, ...subscriptionKeys(this.deps, s), state: s.body.properties.state, allowTracing: s.body.properties.allowTracing,
        ownerId: s.body.properties.ownerId, createdDate: s.body.properties.createdDate,
      });
    }
    const namedValues = await resolvedNamedValues(this.deps, id);
    return {
      instanceId: id,
      name: svc.body.name,
      ...(typeof svc.body.location === 'string' ? { location: svc.body.location } : {}),
      apis: (await resources.listOf(API, { parent: id })).map((a) => ({
        name: a.body.name, displayName: a.body.properties.displayName, path: a.body.properties.path, serviceUrl: a.body.properties.serviceUrl,
        protocols: a.body.properties.protocols, subscriptionRequired: a.body.properties.subscriptionRequired,
        subscriptionKeyParameterNames: a.body.properties.subscriptionKeyParameterNames,
      })),
      operations: (await resources.listOf(OPERATION, { under: id })).map((o) => ({
        apiName: o.id.split('/').slice(-3)[0], name: o.body.name, displayName: o.body.properties.displayName, method: o.body.properties.method,
        urlTemplate: o.body.properties.urlTemplate, templateParameters: o.body.properties.templateParameters,
        responses: responseConfigs(o.body.properties.responses),
        request: requestConfig(o.body.properties.request),
      })),
      policies,
      policyFragments: (await resources.listOf(POLICY_FRAGMENT, { parent: id })).map((f) => ({ name: f.body.name, xml: f.body.properties.value })),
      products,
      subscriptions,
      backends: (await resources.listOf(BACKEND, { parent: id })).map((b) => ({ name: b.body.name, url: b.body.properties.url, protocol: b.body.properties.protocol })),
      namedValues,
      hostnames: await this.hostnames.gatewayHostnames(id),
      loggers: (await resources.listOf(LOGGER, { parent: id })).map((l) => {
        const c = l.body.properties.credentials ?? {};
        // A secret credential is `{{Logger-Credentials--...}}`: its named value's (unsealed) value.
        const resolve = (v: string | undefined) => {
          const ref = v === undefined ? undefined : /^\{\{\s*(.+?)\s*\}\}$/.exec(v)?.[1];
          return ref === undefined ? v : namedValues.find((n) => n.name.toLowerCase() === ref.toLowerCase() || n.displayName.toLowerCase() === ref.toLowerCase())?.value;
        };
        return {
          name: l.body.name, loggerType: l.body.properties.loggerType,
          ...(l.body.properties.loggerType === 'azureEventHub' ? {
            eventHub: {
              name: c.name ?? '', connectionString: resolve(c.connectionString), endpointAddress: c.endpointAddress, identityClientId: c.identityClientId,
            },
          } : {}),
        };
      }),
      schemas: await this.schemas(id),
      entraAuthority: this.deps.arm.baseUrl,
      certificates: await gatewayCertificates(this.deps, id),
      caCertificates: caCertificates(svc.body.properties.certificates),
      caches: cacheConfigs(await resources.listOf(CACHE, { parent: id }), namedValues),
      debugCredentialsKey: debugCredentialsKey(this.deps, id),
    };
  }

  /** The instance's global schemas and its APIs' schemas, as validate-content reads them. */
  private async schemas(instanceId: string): Promise<SchemaConfig[]> {
    const { resources } = this.deps.arm;
    const out: SchemaConfig[] = [];
    for (const s of await resources.listOf(GLOBAL_SCHEMA, { parent: instanceId })) {
      const p = s.body.properties;
      out.push(p.schemaType === 'json' ? { name: s.body.name, format: 'json', document: p.document } : { name: s.body.name, format: 'xml', value: typeof p.value === 'string' ? p.value : '' });
    }
    for (const s of await resources.listOf(API_SCHEMA, { under: instanceId })) {
      const p = s.body.properties;
      const apiName = s.id.split('/').slice(-3)[0];
      const format = API_SCHEMA_TYPES[p.contentType.toLowerCase()] ?? 'json';
      out.push(format === 'json' ? { apiName, name: s.body.name, format, document: p.document } : { apiName, name: s.body.name, format, value: p.document.value ?? '' });
    }
    return out;
  }
}

/**
 * The service's CA certificates (CertificateConfiguration: encodedCertificate, a base64 .cer, and
 * storeName Root or CertificateAuthority) as PEM; an entry that is not a certificate is left out.
 */
function caCertificates(list: unknown): NonNullable<InstanceConfig['caCertificates']> {
  const out: NonNullable<InstanceConfig['caCertificates']> = [];
  for (const c of Array.isArray(list) ? list as Record<string, unknown>[] : []) {
    if (typeof c?.encodedCertificate !== 'string' || (c.storeName !== 'Root' && c.storeName !== 'CertificateAuthority')) continue;
    try {
      out.push({ storeName: c.storeName, certPem: new X509Certificate(Buffer.from(c.encodedCertificate, 'base64')).toString() });
    } catch { /* not a certificate: never trusted */ }
  }
  return out;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const optStr = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** Declared parameters (ParameterContract[] as stored): the fields the validation policies read. */
function parameterConfigs(list: unknown): ParameterConfig[] {
  if (!Array.isArray(list)) return [];
  return list.filter((p): p is Record<string, unknown> => isObject(p) && typeof p.name === 'string').map((p) => ({
    name: p.name as string,
    ...(optStr(p.type) ? { type: optStr(p.type) } : {}),
    ...(typeof p.required === 'boolean' ? { required: p.required } : {}),
    ...(Array.isArray(p.values) && p.values.length > 0 ? { values: p.values.map(String) } : {}),
    ...(optStr(p.schemaId) ? { schemaId: optStr(p.schemaId) } : {}),
    ...(optStr(p.typeName) ? { typeName: optStr(p.typeName) } : {}),
  }));
}

/** The schema reference of a representation (schemaId, typeName), when it has one. */
const schemaRef = (rep: Record<string, unknown>) => ({
  ...(optStr(rep.schemaId) ? { schemaId: optStr(rep.schemaId) } : {}),
  ...(optStr(rep.typeName) ? { typeName: optStr(rep.typeName) } : {}),
});

/** The operation's request (RequestContract as stored) for the validation policies. */
function requestConfig(request: Record<string, unknown> | undefined): RequestConfig {
  const r = request ?? {};
  const reps = Array.isArray(r.representations) ? r.representations.filter(isObject) : [];
  return {
    queryParameters: parameterConfigs(r.queryParameters),
    headers: parameterConfigs(r.headers),
    representations: reps.filter((rep) => typeof rep.contentType === 'string').map((rep) => ({ contentType: rep.contentType as string, ...schemaRef(rep) })),
  };
}

/** An operation's responses as mock-response and the validation policies read them: status codes, content types, examples, schemas, headers. */
function responseConfigs(responses: OperationResponse[]): ResponseConfig[] {
  return responses.map((r) => ({
    statusCode: r.statusCode,
    headers: parameterConfigs(r.headers),
    representations: (r.representations ?? []).map((rep): RepresentationConfig => {
      const example = exampleOf(rep);
      return example ? { contentType: rep.contentType, ...schemaRef(rep), example } : { contentType: rep.contentType, ...schemaRef(rep) };
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
