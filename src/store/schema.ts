// Table types for Kysely. Each plane owns the tables with its prefix; no plane queries another's.
// Times are unix milliseconds; JSON documents are stored as text so SQLite and PostgreSQL share queries.

export interface MetaTable {
  key: string;
  value: string;
}

export interface EntraSigningKeyTable {
  kid: string;
  private_sealed: string;
  public_jwk: string;
  created_ms: number;
  /** Set when a newer key took over; the key stays in JWKS until tokens it signed have expired. */
  retired_ms: number | null;
}

export interface EntraPrincipalTable {
  object_id: string;
  app_id: string;
  display_name: string;
  /** `Application` (an app registration with its service principal) or `ManagedIdentity`. */
  principal_type: string;
  /** JSON: alternativeNames, appRoles, accessTokenVersion, managed identity resource id, ... */
  data: string;
  created_ms: number;
}

export interface EntraCredentialTable {
  id: string;
  object_id: string;
  kind: string; // 'secret' | 'certificate'
  secret_hash: string | null;
  certificate_pem: string | null;
  x5t: string | null;
  x5t_s256: string | null;
  created_ms: number;
  expires_ms: number | null;
}

export interface ArmResourceTable {
  /** Lower-cased resource id: ARM ids are case-insensitive. */
  id_key: string;
  id: string;
  type_key: string;
  parent_key: string;
  group_key: string | null;
  subscription_id: string;
  body: string;
  etag: string;
  created_ms: number;
  updated_ms: number;
}

export interface AuthzRoleAssignmentTable {
  name: string;
  scope_key: string;
  principal_id: string;
  role_definition_id: string;
  body: string;
  created_ms: number;
}

export interface EntraMiAssignmentTable {
  /** Lower-cased id of the resource the identity is assigned to. */
  resource_key: string;
  principal_id: string;
  /** 'SystemAssigned' | 'UserAssigned' */
  kind: string;
  created_ms: number;
}

/** A secret or certificate of a vault (kind 'secret' | 'certificate'); times in unix milliseconds. */
export interface KvObjectTable {
  vault_key: string;
  kind: string;
  name_key: string;
  name: string;
  current_version: string;
  /** 1 for the secret behind a certificate. */
  managed: number;
  /** Certificates: the policy JSON (no secret in it). */
  policy: string | null;
  deleted_ms: number | null;
  scheduled_purge_ms: number | null;
  created_ms: number;
  updated_ms: number;
}

/** A secret version; Key Vault's own times (nbf, exp, created, updated) are unix seconds. */
export interface KvSecretVersionTable {
  vault_key: string;
  name_key: string;
  version: string;
  value_sealed: string;
  content_type: string | null;
  tags: string | null;
  enabled: number;
  nbf: number | null;
  exp: number | null;
  created_s: number;
  updated_s: number;
  managed: number;
  /** Creation order (unix ms), for version lists. */
  seq: number;
}

export interface KvCertificateVersionTable {
  vault_key: string;
  name_key: string;
  version: string;
  /** Base64 DER of the leaf certificate (public). */
  cer: string;
  x5t: string;
  tags: string | null;
  enabled: number;
  nbf: number | null;
  exp: number | null;
  created_s: number;
  updated_s: number;
  seq: number;
}

/** Quota counters of the gateway (quota, quota-by-key): one row per counter key, for its current period. */
export interface GatewayQuotaCounterTable {
  counter_key: string;
  /** Start of the period the counts belong to (unix ms); a later period starts from zero. */
  period_start_ms: number;
  calls: number;
  bytes: number;
  updated_ms: number;
}

/** An event of an Event Hubs partition (the eventhubs plane's). */
export interface EhEventTable {
  ns_key: string;
  hub_key: string;
  partition_id: number;
  seq: number;
  byte_offset: number;
  enqueued_ms: number;
  partition_key: string | null;
  /** The AMQP-encoded message as the sender gave it. */
  message: Buffer;
}

export interface Database {
  meta: MetaTable;
  entra_signing_keys: EntraSigningKeyTable;
  entra_principals: EntraPrincipalTable;
  entra_credentials: EntraCredentialTable;
  arm_resources: ArmResourceTable;
  entra_mi_assignments: EntraMiAssignmentTable;
  authz_role_assignments: AuthzRoleAssignmentTable;
  kv_objects: KvObjectTable;
  kv_secret_versions: KvSecretVersionTable;
  kv_certificate_versions: KvCertificateVersionTable;
  gateway_quota_counters: GatewayQuotaCounterTable;
  eh_events: EhEventTable;
}
