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
  /** The request's declared parameters and bodies (RequestContract), for the validation policies. */
  request?: RequestConfig;
}

/** A declared query parameter or header (ParameterContract), as validate-parameters/-headers read it. */
export interface ParameterConfig {
  name: string;
  /** Swagger/OpenAPI type: string, integer, number, boolean, array, ... */
  type?: string;
  required?: boolean;
  /** Allowed values (an enum), when given. */
  values?: string[];
  /** The API schema (apis/schemas) and definition that describe the value, when given. */
  schemaId?: string;
  typeName?: string;
}

export interface RequestConfig {
  queryParameters: ParameterConfig[];
  headers: ParameterConfig[];
  representations: RepresentationConfig[];
}

/**
 * A schema for validate-content: an API's (`apis/{api}/schemas`, SchemaContract: definitions of Swagger 2,
 * components of OpenAPI 3, or an XSD document) or the instance's (`schemas`, GlobalSchemaContract).
 */
export interface SchemaConfig {
  /** The API it belongs to; absent for the instance's global schemas. */
  apiName?: string;
  name: string;
  /** 'json' (a JSON schema, or Swagger/OpenAPI definitions) or 'xml' (XSD). */
  format: 'json' | 'xml';
  /** The JSON document: a JSON schema, or {definitions} / {components} of an API schema. */
  document?: unknown;
  /** The text of an XML schema. */
  value?: string;
}

/** A response of an operation, reduced to what mock-response reads. */
export interface ResponseConfig {
  statusCode: number;
  /** Declared response headers (validate-headers); absent: none. */
  headers?: ParameterConfig[];
  /** In the operation's order: the first answers a mock-response that names no content type. */
  representations: RepresentationConfig[];
}

export interface RepresentationConfig {
  contentType: string;
  /** The API schema and its definition describing the body (validate-content). */
  schemaId?: string;
  typeName?: string;
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
  /** The user (`/users/{id}`) that owns it: the developer of vary-by-developer; absent: the administrator. */
  ownerId?: string;
  /** When it was created (ISO 8601): quota periods start from it. */
  createdDate?: string;
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

/**
 * A certificate of the instance (the `certificates` entity): presented to backends by
 * authentication-certificate, its public key trusted by validate-jwt and validate-client-certificate. The
 * key travels to gateway workers with the rest of the configuration, as a hostname's does.
 */
export interface CertificateConfig {
  /** The entity's name (certificate-id). */
  name: string;
  /** SHA-1 of the certificate, upper-case hex. */
  thumbprint: string;
  /** The chain, leaf first, PEM. */
  certPem: string;
  /** Its private key, PKCS#8 PEM. */
  keyPem: string;
}

/**
 * An external cache (the instance's `caches` resource): a Redis server the caching policies use with
 * caching-type external or prefer-external. The connection string is the resolved secret.
 */
export interface CacheConfig {
  name: string;
  /** 'default' or an Azure region: the cache used from that location. */
  useFromLocation: string;
  connectionString: string;
}

/**
 * A logger of type azureEventHub (loggers/{id}): where log-to-eventhub sends. Either a connection string
 * (read from its secret named value) or a managed identity (SystemAssigned or a user-assigned client id)
 * with the namespace's endpoint address.
 */
export interface LoggerConfig {
  name: string;
  loggerType: string;
  eventHub?: {
    name: string;
    connectionString?: string;
    endpointAddress?: string;
    identityClientId?: string;
  };
}

export interface InstanceConfig {
  /** The instance's ARM id. */
  instanceId: string;
  name: string;
  /** The instance's Azure region (emit-metric's "Location" dimension); absent: unknown. */
  location?: string;
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
  /** Loggers (log-to-eventhub's logger-id), with secrets resolved. */
  loggers: LoggerConfig[];
  /**
   * This server's Entra token service (its authority host, e.g. https://localhost:8443), whose tenants'
   * discovery documents and signing keys validate-azure-ad-token trusts; absent: that policy refuses every token.
   */
  entraAuthority?: string;
  /** API and global schemas for validate-content (absent: none). */
  schemas?: SchemaConfig[];
  /** The `certificates` entities (absent: none). */
  certificates?: CertificateConfig[];
  /**
   * The instance's CA certificates (the service's `certificates` property): trust anchors (Root) and
   * intermediates (CertificateAuthority) for client certificates (validate-client-certificate).
   */
  caCertificates?: { storeName: 'Root' | 'CertificateAuthority'; certPem: string }[];
  /** External caches (absent or empty: the built-in cache only). */
  caches?: CacheConfig[];
  /**
   * The key (base64url) that signs this instance's debug credentials (gateways/{id}/listDebugCredentials);
   * the gateway verifies Apim-Debug-Authorization with it (runtime/debug-token.ts). Absent: that header is ignored.
   */
  debugCredentialsKey?: string;
}

/** Implemented by Resource Manager over the instance's child resources. */
export interface ConfigSource {
  load(instanceId: string): Promise<InstanceConfig | undefined>;
}
