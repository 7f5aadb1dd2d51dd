// The contract between Resource Manager (which stores an instance's configuration as ARM resources:
// apis, operations, policies, products, subscriptions, backends, named values) and the gateway (which
// compiles it into routes and policy closures). ARM implements ConfigSource; the gateway reads only
// through it, and is told to reload an instance when its configuration changes.
//
// The shapes are Azure's contracts (ApiContract, OperationContract, PolicyContract, ...) reduced to
// what the gateway needs; names are the ARM resource names (ids), not display names.

export interface ApiConfig {
  name: string;
  displayName: string;
  /** Path suffix under the gateway URL ('' allowed), without leading or trailing slash. */
  path: string;
  serviceUrl?: string;
  protocols: string[];
  subscriptionRequired: boolean;
  /** Header and query parameter names for the subscription key (default Ocp-Apim-Subscription-Key / subscription-key). */
  subscriptionKeyParameterNames: { header: string; query: string };
}

export interface OperationConfig {
  apiName: string;
  name: string;
  displayName: string;
  method: string;
  /** e.g. `/users/{id}?filter={filter}` */
  urlTemplate: string;
  templateParameters: { name: string; type?: string; required?: boolean }[];
  /** The operation's responses (ResponseContract), for mock-response; absent: none defined. */
  responses?: ResponseConfig[];
}

/** A response of an operation, reduced to what mock-response reads. */
export interface ResponseConfig {
  statusCode: number;
  /** In the operation's order: the first answers a mock-response that names no content type. */
  representations: RepresentationConfig[];
}

export interface RepresentationConfig {
  contentType: string;
  /**
   * The representation's example (RepresentationContract.examples: the `default` one, else the first with
   * a value; older api-versions' `sample` string): a JSON value, sent as is when a string, else serialized.
   * Absent: no example.
   */
  example?: { value: unknown };
}

export type PolicyScope =
  | { kind: 'global' }
  | { kind: 'product'; productName: string }
  | { kind: 'api'; apiName: string }
  | { kind: 'operation'; apiName: string; operationName: string };

export interface PolicyConfig {
  scope: PolicyScope;
  /** The policy document as stored (rawxml). */
  xml: string;
}

/** A policy fragment (service/policyFragments): its name and `<fragment>` document, for include-fragment. */
export interface PolicyFragmentConfig {
  name: string;
  xml: string;
}

export interface ProductConfig {
  name: string;
  displayName: string;
  subscriptionRequired: boolean;
  state: 'published' | 'notPublished';
  apiNames: string[];
}

export interface SubscriptionConfig {
  name: string;
  /** `/apis` (all APIs), `/apis/{api}` or `/products/{product}` (relative to the instance). */
  scope: string;
  primaryKey: string;
  secondaryKey: string;
  state: string;
  allowTracing: boolean;
}

export interface BackendConfig {
  name: string;
  url: string;
  protocol: string;
}

/**
 * The one rule for `{{reference}}`s, for Resource Manager (a policy PUT names existing values; a value in
 * use cannot be deleted or renamed) and the gateway (substitution) alike: API Management resolves a
 * reference by the named value's display name ("place its display name inside a double pair of braces",
 * Microsoft Learn, "Use named values in Azure API Management policies"). Display names are unique
 * regardless of case, so the match ignores case and the surrounding spaces.
 */
export const namedValueKey = (reference: string): string => reference.trim().toLowerCase();

export interface NamedValueConfig {
  name: string;
  displayName: string;
  secret: boolean;
  /** The value of a plain or secret named value; for Key Vault ones, the last value read (undefined until read). */
  value?: string;
  keyVault?: { secretIdentifier: string; identityClientId: string | null };
}

/**
 * A custom gateway hostname (hostnameConfigurations of type Proxy) with the certificate it serves: the
 * one read from Key Vault (its current version) or given inline. The key travels to gateway workers
 * with the rest of the configuration; it is never stored outside the sealed ARM document.
 */
export interface HostnameConfig {
  hostName: string;
  /** The certificate chain, leaf first, PEM. */
  certPem: string;
  /** Its private key, PKCS#8 PEM. */
  keyPem: string;
  /** The certificate for clients that send no SNI. */
  defaultSslBinding: boolean;
  /** The handshake asks for a client certificate (exposed to policies as context.Request.Certificate). */
  negotiateClientCertificate: boolean;
}

export interface InstanceConfig {
  /** The instance's ARM id. */
  instanceId: string;
  name: string;
  apis: ApiConfig[];
  operations: OperationConfig[];
  policies: PolicyConfig[];
  /** Policy fragments (absent: none). */
  policyFragments?: PolicyFragmentConfig[];
  products: ProductConfig[];
  subscriptions: SubscriptionConfig[];
  backends: BackendConfig[];
  namedValues: NamedValueConfig[];
  /** Custom proxy hostnames with their certificates (none: the built-in certificate only). */
  hostnames: HostnameConfig[];
}

/** Implemented by Resource Manager over the instance's child resources. */
export interface ConfigSource {
  load(instanceId: string): Promise<InstanceConfig | undefined>;
}
