// The server on PostgreSQL (`--store postgres://...`): the resource group flow with @azure/arm-resources,
// and a restart that keeps everything. Runs when APIM_LOCAL_TEST_PG names a database; skipped otherwise.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { ResourceManagementClient } from '@azure/arm-resources';
import { startTestServer, postgresStoreUrl, tempDir, type TestServer } from '../helpers/server.js';

const running: TestServer[] = [];
let schema: string | undefined;
after(async () => {
  for (const s of running) await s.stop('SIGKILL');
  if (schema && process.env.APIM_LOCAL_TEST_PG) {
    const client = new pg.Client({ connectionString: process.env.APIM_LOCAL_TEST_PG });
    await client.connect();
    try { await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`); } finally { await client.end(); }
  }
});

test('resource groups on PostgreSQL, across a restart', async (t) => {
  const url = postgresStoreUrl();
  if (!url) { t.skip('APIM_LOCAL_TEST_PG not set'); return; }
  schema = new URL(url).searchParams.get('schema')!;
  const dataDir = tempDir();

  const first = await startTestServer({ dataDir, store: url });
  running.push(first);
  assert.equal(fs.existsSync(path.join(dataDir, 'apim-local.db')), false, 'no SQLite file: the store is PostgreSQL');
  const sub = first.connection.subscriptionId;
  let client = new ResourceManagementClient(first.credential(), sub, first.armOptions());
  const created = await client.resourceGroups.createOrUpdate('rg-pg', { location: 'westeurope', tags: { db: 'postgres' } });
  assert.equal(created.id, `/subscriptions/${sub}/resourceGroups/rg-pg`);
  await client.resourceGroups.createOrUpdate('rg_pg_gone', { location: 'westeurope' });
  const names: string[] = [];
  for await (const g of client.resourceGroups.list()) names.push(g.name!);
  assert.deepEqual(names.sort(), ['rg-pg', 'rg_pg_gone']);
  await client.resourceGroups.beginDeleteAndWait('rg_pg_gone', { updateIntervalInMs: 50 });
  assert.equal((await client.resourceGroups.checkExistence('rg_pg_gone')).body, false);

  // The rows are in the schema named by the URL.
  const direct = new pg.Client({ connectionString: process.env.APIM_LOCAL_TEST_PG });
  await direct.connect();
  try {
    const rows = await direct.query(`SELECT id FROM ${schema}.arm_resources WHERE type_key = 'microsoft.resources/resourcegroups'`);
    assert.deepEqual(rows.rows.map((r) => r.id), [`/subscriptions/${sub}/resourceGroups/rg-pg`]);
  } finally {
    await direct.end();
  }

  assert.equal(await first.stop(), 0);
  const second = await startTestServer({ dataDir, store: url });
  running.push(second);
  assert.equal(second.connection.tenantId, first.connection.tenantId);
  assert.equal(second.connection.subscriptionId, sub);
  assert.equal(second.connection.clientSecret, first.connection.clientSecret);
  client = new ResourceManagementClient(second.credential(), sub, second.armOptions());
  const rg = await client.resourceGroups.get('rg-pg');
  assert.deepEqual(rg.tags, { db: 'postgres' });
  await client.resourceGroups.beginDeleteAndWait('rg-pg', { updateIntervalInMs: 50 });
  assert.equal((await client.resourceGroups.checkExistence('rg-pg')).body, false);
  assert.equal(await second.stop(), 0);
});
