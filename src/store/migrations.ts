// Versioned migrations, the same for SQLite and PostgreSQL. Never edit a migration that has shipped:
// add a new one.
import type { Kysely, Migration } from 'kysely';
import type { StoreDialect } from './db.js';

export function migrations(dialect: StoreDialect): Record<string, Migration> {
  const bigint = dialect === 'postgres' ? 'bigint' : 'integer';
  return {
    '0001_foundation': {
      async up(db: Kysely<any>) {
        await db.schema.createTable('meta')
          .addColumn('key', 'text', (c) => c.primaryKey())
          .addColumn('value', 'text', (c) => c.notNull()).execute();

        await db.schema.createTable('entra_signing_keys')
          .addColumn('kid', 'text', (c) => c.primaryKey())
          .addColumn('private_sealed', 'text', (c) => c.notNull())
          .addColumn('public_jwk', 'text', (c) => c.notNull())
          .addColumn('created_ms', bigint, (c) => c.notNull())
          .addColumn('retired_ms', bigint).execute();

        await db.schema.createTable('entra_principals')
          .addColumn('object_id', 'text', (c) => c.primaryKey())
          .addColumn('app_id', 'text', (c) => c.notNull().unique())
          .addColumn('display_name', 'text', (c) => c.notNull())
          .addColumn('principal_type', 'text', (c) => c.notNull())
          .addColumn('data', 'text', (c) => c.notNull())
          .addColumn('created_ms', bigint, (c) => c.notNull()).execute();

        await db.schema.createTable('entra_credentials')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('object_id', 'text', (c) => c.notNull())
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('secret_hash', 'text')
          .addColumn('certificate_pem', 'text')
          .addColumn('x5t', 'text')
          .addColumn('x5t_s256', 'text')
          .addColumn('created_ms', bigint, (c) => c.notNull())
          .addColumn('expires_ms', bigint).execute();
        await db.schema.createIndex('entra_credentials_object').on('entra_credentials').column('object_id').execute();

        await db.schema.createTable('arm_resources')
          .addColumn('id_key', 'text', (c) => c.primaryKey())
          .addColumn('id', 'text', (c) => c.notNull())
          .addColumn('type_key', 'text', (c) => c.notNull())
          .addColumn('parent_key', 'text', (c) => c.notNull())
          .addColumn('group_key', 'text')
          .addColumn('subscription_id', 'text', (c) => c.notNull())
          .addColumn('body', 'text', (c) => c.notNull())
          .addColumn('etag', 'text', (c) => c.notNull())
          .addColumn('created_ms', bigint, (c) => c.notNull())
          .addColumn('updated_ms', bigint, (c) => c.notNull()).execute();
        await db.schema.createIndex('arm_resources_parent').on('arm_resources').columns(['parent_key', 'type_key']).execute();
        await db.schema.createIndex('arm_resources_group').on('arm_resources').columns(['group_key', 'type_key']).execute();
        await db.schema.createIndex('arm_resources_sub').on('arm_resources').columns(['subscription_id', 'type_key']).execute();

        await db.schema.createTable('authz_role_assignments')
          .addColumn('name', 'text', (c) => c.primaryKey())
          .addColumn('scope_key', 'text', (c) => c.notNull())
          .addColumn('principal_id', 'text', (c) => c.notNull())
          .addColumn('role_definition_id', 'text', (c) => c.notNull())
          .addColumn('body', 'text', (c) => c.notNull())
          .addColumn('created_ms', bigint, (c) => c.notNull()).execute();
        await db.schema.createIndex('authz_ra_principal').on('authz_role_assignments').column('principal_id').execute();
        await db.schema.createIndex('authz_ra_scope').on('authz_role_assignments').column('scope_key').execute();

        await db.schema.createTable('changes')
          .addColumn('version', dialect === 'postgres' ? 'bigserial' : 'integer', (c) =>
            dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement())
          .addColumn('plane', 'text', (c) => c.notNull())
          .addColumn('key', 'text', (c) => c.notNull())
          .addColumn('op', 'text', (c) => c.notNull())
          .addColumn('at_ms', bigint, (c) => c.notNull()).execute();
      },
    },
    '0002_managed_identities': {
      async up(db: Kysely<any>) {
        // Which managed identity principals a resource may get tokens for (system- or user-assigned).
        await db.schema.createTable('entra_mi_assignments')
          .addColumn('resource_key', 'text', (c) => c.notNull())
          .addColumn('principal_id', 'text', (c) => c.notNull())
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('created_ms', bigint, (c) => c.notNull())
          .addPrimaryKeyConstraint('entra_mi_assignments_pk', ['resource_key', 'principal_id']).execute();
        await db.schema.createIndex('entra_mi_assignments_principal').on('entra_mi_assignments').column('principal_id').execute();
      },
    },
    '0003_keyvault': {
      async up(db: Kysely<any>) {
        // One row per secret or certificate of a vault (kind), with its current version and deletion state.
        await db.schema.createTable('kv_objects')
          .addColumn('vault_key', 'text', (c) => c.notNull())
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('name_key', 'text', (c) => c.notNull())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('current_version', 'text', (c) => c.notNull())
          .addColumn('managed', 'integer', (c) => c.notNull())
          .addColumn('policy', 'text')
          .addColumn('deleted_ms', bigint)
          .addColumn('scheduled_purge_ms', bigint)
          .addColumn('created_ms', bigint, (c) => c.notNull())
          .addColumn('updated_ms', bigint, (c) => c.notNull())
          .addPrimaryKeyConstraint('kv_objects_pk', ['vault_key', 'kind', 'name_key']).execute();
        // Secret versions; the value is sealed (AES-256-GCM), bound to vault, name and version.
        await db.schema.createTable('kv_secret_versions')
          .addColumn('vault_key', 'text', (c) => c.notNull())
          .addColumn('name_key', 'text', (c) => c.notNull())
          .addColumn('version', 'text', (c) => c.notNull())
          .addColumn('value_sealed', 'text', (c) => c.notNull())
          .addColumn('content_type', 'text')
          .addColumn('tags', 'text')
          .addColumn('enabled', 'integer', (c) => c.notNull())
          .addColumn('nbf', bigint)
          .addColumn('exp', bigint)
          .addColumn('created_s', bigint, (c) => c.notNull())
          .addColumn('updated_s', bigint, (c) => c.notNull())
          .addColumn('managed', 'integer', (c) => c.notNull())
          .addColumn('seq', bigint, (c) => c.notNull())
          .addPrimaryKeyConstraint('kv_secret_versions_pk', ['vault_key', 'name_key', 'version']).execute();
        // Certificate versions: public parts only (the private key is in the managed secret of the same version).
        await db.schema.createTable('kv_certificate_versions')
          .addColumn('vault_key', 'text', (c) => c.notNull())
          .addColumn('name_key', 'text', (c) => c.notNull())
          .addColumn('version', 'text', (c) => c.notNull())
          .addColumn('cer', 'text', (c) => c.notNull())
          .addColumn('x5t', 'text', (c) => c.notNull())
          .addColumn('tags', 'text')
          .addColumn('enabled', 'integer', (c) => c.notNull())
          .addColumn('nbf', bigint)
          .addColumn('exp', bigint)
          .addColumn('created_s', bigint, (c) => c.notNull())
          .addColumn('updated_s', bigint, (c) => c.notNull())
          .addColumn('seq', bigint, (c) => c.notNull())
          .addPrimaryKeyConstraint('kv_certificate_versions_pk', ['vault_key', 'name_key', 'version']).execute();
      },
    },
    '0004_drop_change_feed': {
      // Change notifications come from the store's commit hooks (ResourceStore.onChange); a feed table
      // that nothing read is gone until processes sharing a PostgreSQL store need one.
      async up(db: Kysely<any>) {
        await db.schema.dropTable('changes').ifExists().execute();
      },
    },
    '0005_gateway_quota_counters': {
      // The gateway's quota counters (quota, quota-by-key): a restart keeps what was counted.
      async up(db: Kysely<any>) {
        await db.schema.createTable('gateway_quota_counters')
          .addColumn('counter_key', 'text', (c) => c.primaryKey())
          .addColumn('period_start_ms', bigint, (c) => c.notNull())
          .addColumn('calls', bigint, (c) => c.notNull())
          .addColumn('bytes', bigint, (c) => c.notNull())
          .addColumn('updated_ms', bigint, (c) => c.notNull()).execute();
      },
    },
    '0006_eventhubs': {
      async up(db: Kysely<any>) {
        // Events of an Event Hubs partition: the message as received (AMQP-encoded, without the
        // annotations the service sets), with the sequence number, offset and enqueued time it was given.
        await db.schema.createTable('eh_events')
          .addColumn('ns_key', 'text', (c) => c.notNull())
          .addColumn('hub_key', 'text', (c) => c.notNull())
          .addColumn('partition_id', 'integer', (c) => c.notNull())
          .addColumn('seq', bigint, (c) => c.notNull())
          .addColumn('byte_offset', bigint, (c) => c.notNull())
          .addColumn('enqueued_ms', bigint, (c) => c.notNull())
          .addColumn('partition_key', 'text')
          .addColumn('message', dialect === 'postgres' ? 'bytea' : 'blob', (c) => c.notNull())
          .addPrimaryKeyConstraint('eh_events_pk', ['ns_key', 'hub_key', 'partition_id', 'seq']).execute();
        await db.schema.createIndex('eh_events_time').on('eh_events').columns(['ns_key', 'hub_key', 'enqueued_ms']).execute();
      },
    },
    '0007_eventhubs_one_index': {
      async up(db: Kysely<any>) {
        // Every event write updated this index too (a quarter of an event's insert cost). Enqueued times
        // grow with sequence numbers in a partition, so reads by time and the retention sweep walk the
        // primary key from a partition's start instead (EventStore.resolve, expire).
        await db.schema.dropIndex('eh_events_time').execute();
      },
    },
  };
}
