// The store on every backend: SQLite in memory, SQLite in a file, and PostgreSQL when APIM_LOCAL_TEST_PG
// names a database (each PostgreSQL case gets a schema of its own, dropped at the end).
// The same cases run on each: migrations, ResourceStore put/get/list/deleteTree, If-Match preconditions,
// the change feed, meta values, role assignment clean-up.
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { sql } from 'kysely';
import { openStore, type Store } from '../../src/store/db.js';
import { migrations } from '../../src/store/migrations.js';
import { getMeta, getOrCreateMeta, setMeta } from '../../src/store/meta.js';
import { ResourceStore, resourceKind, type ResourceBody } from '../../src/arm/resource-store.js';
import { RoleAssignments } from '../../src/authz/assignments.js';
import { isAzureError } from '../../src/common/errors.js';
import type { Clock } from '../../src/common/clock.js';
import { dropPostgresSchemas, postgresStoreUrl, tempDir } from '../helpers/server.js';

const SUB = '00000000-0000-0000-0000-00000000000a';
const sub = `/subscriptions/${SUB}`;
const rg = (name: string) => `${sub}/resourceGroups/${name}`;

class TestClock implements Clock {
  t = 1_700_000_000_000;
  nowMs() { return this.t++; }
}

const groupBody = (name: string): ResourceBody => ({ id: rg(name), name, type: 'Microsoft.Resources/resourceGroups', location: 'westeurope', properties: {} });
const childBody = (group: string, name: string): ResourceBody => ({
  id: `${rg(group)}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${name}`, name, type: 'Microsoft.ManagedIdentity/userAssignedIdentities', location: 'westeurope', properties: {},
});

function expectPrecondition(e: unknown): boolean {
  assert.ok(isAzureError(e), String(e));
  assert.equal(e.status, 412);
  assert.equal(e.code, 'PreconditionFailed');
  return true;
}

const pgUrls: string[] = [];
after(() => dropPostgresSchemas(pgUrls));

interface Backend {
  name: string;
  /** undefined: skipped, with the reason. */
  skip?: string;
  open(): Promise<{ store: Store; reopen?: () => Promise<Store> }>;
}

const backends: Backend[] = [
  { name: 'SQLite in memory', open: async () => ({ store: await openStore({ kind: 'sqlite', file: ':memory:' }) }) },
  {
    name: 'SQLite file',
    open: async () => {
      const file = path.join(tempDir(), 'store.db');
      return { store: await openStore({ kind: 'sqlite', file }), reopen: () => openStore({ kind: 'sqlite', file }) };
    },
  },
  {
    name: 'PostgreSQL',
    skip: process.env.APIM_LOCAL_TEST_PG ? undefined : 'APIM_LOCAL_TEST_PG not set',
    open: async () => {
      const url = postgresStoreUrl()!;
      pgUrls.push(url);
      return { store: await openStore({ kind: 'postgres', url }), reopen: () => openStore({ kind: 'postgres', url }) };
    },
  },
];

for (const backend of backends) {
  describe(`store on ${backend.name}`, () => {
    /** Each case gets a fresh store, closed afterwards; skipped with the reason where the backend is missing. */
    const storeTest = (name: string, fn: (s: { store: Store; reopen?: () => Promise<Store>; clock: TestClock; resources: ResourceStore }) => Promise<void>) =>
      test(name, async (t) => {
        if (backend.skip) { t.skip(backend.skip); return; }
        const opened = await backend.open();
        const clock = new TestClock();
        try {
          await fn({ ...opened, clock, resources: new ResourceStore(opened.store.db, clock) });
        } finally {
          await opened.store.close();
        }
      });

    storeTest('migrations run once, all of them, and again is a no-op', async ({ store, reopen }) => {
      const expected = Object.keys(migrations(store.dialect)).sort();
      const applied = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(store.db);
      assert.deepEqual(applied.rows.map((r) => r.name), expected);
      for (const table of ['meta', 'entra_signing_keys', 'entra_principals', 'entra_credentials', 'arm_resources', 'authz_role_assignments', 'kv_objects'] as const) {
        await store.db.selectFrom(table).selectAll().execute(); // exists
      }
      if (reopen) {
        await setMeta(store.db, 'test.kept', 'yes');
        const again = await reopen();
        try {
          const rows = await sql<{ name: string }>`select name from kysely_migration`.execute(again.db);
          assert.equal(rows.rows.length, expected.length);
          assert.equal(await getMeta(again.db, 'test.kept'), 'yes', 'data survives reopening');
        } finally {
          await again.close();
        }
      }
    });

    storeTest('meta: getOrCreate creates once', async ({ store }) => {
      assert.equal(await getMeta(store.db, 'x.y'), undefined);
      assert.equal(await getOrCreateMeta(store.db, 'x.y', () => 'first'), 'first');
      assert.equal(await getOrCreateMeta(store.db, 'x.y', () => 'second'), 'first');
      await setMeta(store.db, 'x.y', 'third');
      assert.equal(await getMeta(store.db, 'x.y'), 'third');
    });

    storeTest('put creates then updates; get is case-insensitive and keeps the first casing', async ({ resources }) => {
      const first = await resources.put({ id: rg('Rg-One'), parent: sub, body: groupBody('Rg-One') });
      assert.equal(first.created, true);
      assert.match(first.resource.etag, /^"[0-9a-f-]{36}"$/);
      const second = await resources.put({ id: rg('RG-ONE'), parent: sub, body: { ...groupBody('RG-ONE'), tags: { a: 'b' } } });
      assert.equal(second.created, false);
      assert.notEqual(second.resource.etag, first.resource.etag, 'a new etag per write');
      assert.equal(second.resource.createdMs, first.resource.createdMs);
      assert.ok(second.resource.updatedMs > first.resource.updatedMs);
      const got = await resources.get(rg('rg-one'));
      assert.ok(got);
      assert.equal(got.id, rg('Rg-One'), 'the id keeps the casing it was created with');
      assert.deepEqual(got.body.tags, { a: 'b' });
      assert.equal(got.etag, second.resource.etag);
      assert.equal(await resources.exists(rg('RG-one')), true);
      assert.equal(await resources.get(rg('rg-two')), undefined);
      const etagField = await resources.put({ id: rg('rg-etag'), parent: sub, body: groupBody('rg-etag'), keepEtagField: true });
      assert.equal(etagField.resource.body.etag, etagField.resource.etag);
    });

    storeTest('list by parent, group, subscription, type and top level', async ({ resources }) => {
      await resources.put({ id: rg('a'), parent: sub, body: groupBody('a') });
      await resources.put({ id: rg('b'), parent: sub, body: groupBody('b') });
      const c1 = childBody('a', 'id1');
      await resources.put({ id: c1.id, parent: rg('a'), body: c1 });
      const c2 = childBody('b', 'id2');
      await resources.put({ id: c2.id, parent: rg('b'), body: c2 });
      const nested = { id: `${c1.id}/federatedIdentityCredentials/f1`, name: 'f1', type: 'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials', properties: {} };
      await resources.put({ id: nested.id, parent: c1.id, body: nested });

      const names = (xs: { body: ResourceBody }[]) => xs.map((x) => x.body.name);
      assert.deepEqual(names(await resources.list({ parent: sub, type: 'microsoft.resources/resourcegroups' })), ['a', 'b']);
      assert.deepEqual(names(await resources.list({ group: rg('A') })), ['id1', 'f1']);
      assert.deepEqual(names(await resources.list({ group: rg('a'), topLevel: true })), ['id1']);
      assert.deepEqual(names(await resources.list({ subscriptionId: SUB.toUpperCase(), topLevel: true })), ['id1', 'id2']);
      assert.deepEqual(names(await resources.list({ type: 'Microsoft.ManagedIdentity/userAssignedIdentities' })), ['id1', 'id2']);
      assert.deepEqual(names(await resources.list({ parent: c1.id.toUpperCase() })), ['f1']);
    });

    storeTest('deleteTree removes the resource and everything under it, children first, and nothing else', async ({ resources }) => {
      // Names with LIKE's wildcards: rg_a must not match rgXa, and its children must go with it.
      for (const g of ['rg_a', 'rgxa', 'rg_ab', 'rg%b', 'rg%bc']) await resources.put({ id: rg(g), parent: sub, body: groupBody(g) });
      for (const g of ['rg_a', 'rgxa', 'rg_ab', 'rg%b', 'rg%bc']) {
        const c = childBody(g, `in-${g}`);
        await resources.put({ id: c.id, parent: rg(g), body: c });
      }
      const deletedTypes: string[] = [];
      resources.onDelete(resourceKind('Microsoft.Resources/resourceGroups'), async (r) => { deletedTypes.push(`group:${r.body.name}`); });
      resources.onDelete(resourceKind('Microsoft.ManagedIdentity/userAssignedIdentities'), async (r) => { deletedTypes.push(`child:${r.body.name}`); });

      const gone = await resources.deleteTree(rg('RG_A'));
      assert.equal(gone?.body.name, 'rg_a');
      assert.deepEqual(deletedTypes, ['child:in-rg_a', 'group:rg_a'], 'hooks run, children first');
      assert.equal(await resources.exists(rg('rg_a')), false);
      assert.equal(await resources.exists(childBody('rg_a', 'in-rg_a').id), false, 'the child went with its group');
      for (const g of ['rgxa', 'rg_ab']) {
        assert.equal(await resources.exists(rg(g)), true, `${g} is not under rg_a`);
        assert.equal(await resources.exists(childBody(g, `in-${g}`).id), true);
      }
      await resources.deleteTree(rg('rg%b'));
      assert.equal(await resources.exists(childBody('rg%b', 'in-rg%b').id), false);
      assert.equal(await resources.exists(rg('rg%bc')), true);
      assert.equal(await resources.exists(childBody('rg%bc', 'in-rg%bc').id), true);
      assert.equal(await resources.deleteTree(rg('never')), undefined);
    });

    storeTest('If-Match / If-None-Match preconditions; a refused write stores nothing', async ({ store, resources }) => {
      const id = rg('etags');
      await assert.rejects(resources.put({ id, parent: sub, body: groupBody('etags'), ifMatch: '*' }), expectPrecondition);
      await assert.rejects(resources.put({ id, parent: sub, body: groupBody('etags'), ifMatch: '"nope"' }), expectPrecondition);
      assert.equal(await resources.exists(id), false);
      const seen: string[] = [];
      resources.onChange('Microsoft.Resources', async (changes) => { seen.push(...changes.map((c) => `${c.op}:${c.id}`)); });
      const created = await resources.put({ id, parent: sub, body: groupBody('etags'), ifNoneMatch: '*' });
      await assert.rejects(resources.put({ id, parent: sub, body: { ...groupBody('etags'), tags: { x: '1' } }, ifNoneMatch: '*' }), expectPrecondition);
      await assert.rejects(resources.put({ id, parent: sub, body: { ...groupBody('etags'), tags: { x: '1' } }, ifMatch: '"00000000-0000-0000-0000-000000000000"' }), expectPrecondition);
      assert.equal((await resources.get(id))?.body.tags, undefined, 'refused updates changed nothing');
      assert.deepEqual(seen, [`put:${id}`], 'only the accepted write is notified');
      const updated = await resources.put({ id, parent: sub, body: { ...groupBody('etags'), tags: { x: '2' } }, ifMatch: created.resource.etag });
      assert.deepEqual(updated.resource.body.tags, { x: '2' });
      await assert.rejects(resources.put({ id, parent: sub, body: groupBody('etags'), ifMatch: created.resource.etag }), expectPrecondition, 'the old etag no longer matches');
      await resources.put({ id, parent: sub, body: groupBody('etags'), ifMatch: '*' });
    });

    storeTest('change hooks: after commit, by type prefix; a batch commits all or nothing and notifies once', async ({ resources }) => {
      const calls: string[][] = [];
      resources.onChange('Microsoft.Resources/resourceGroups', async (changes) => { calls.push(changes.map((c) => `${c.op}:${c.id.toLowerCase()}`)); });
      const other: string[] = [];
      resources.onChange('Microsoft.Nothing', async (changes) => { other.push(...changes.map((c) => c.id)); });
      await resources.put({ id: rg('feed'), parent: sub, body: groupBody('feed') });
      const c = childBody('feed', 'x');
      await resources.batch(async (w) => {
        await w.put({ id: rg('feed2'), parent: sub, body: groupBody('feed2') });
        await w.put({ id: c.id, parent: rg('feed'), body: c });
        assert.equal((await w.listOf({ type: c.type }, { parent: rg('feed') })).length, 1, 'a batch reads its own writes');
      });
      await assert.rejects(resources.batch(async (w) => {
        await w.put({ id: rg('feed3'), parent: sub, body: groupBody('feed3') });
        throw new Error('abort');
      }), /abort/);
      assert.equal(await resources.exists(rg('feed3')), false, 'a failed batch stores nothing');
      await resources.deleteTree(rg('feed'));
      assert.deepEqual(calls[0], [`put:${rg('feed').toLowerCase()}`]);
      assert.deepEqual(calls[1], [`put:${rg('feed2').toLowerCase()}`], 'one call per batch, only the matching types');
      assert.equal(calls.length, 3, 'nothing for the failed batch');
      assert.deepEqual(new Set(calls[2]), new Set([`delete:${rg('feed').toLowerCase()}`]));
      assert.deepEqual(other, []);
    });

    storeTest('appender: rows of one call commit together, a failing call stores none, concurrent calls all land; SQLite stays synchronous=FULL', async ({ store, reopen }) => {
      const row = (seq: number, message = Buffer.from([seq, 0, 255])) => ({
        ns_key: 'ns', hub_key: 'hub', partition_id: 0, seq, byte_offset: seq * 3, enqueued_ms: 1000 + seq, partition_key: seq % 2 ? 'k' : null, message,
      });
      await store.appender.insert('eh_events', [row(0), row(1), row(2)]);
      // A duplicate key in the middle: the whole call fails and none of its rows are stored.
      await assert.rejects(store.appender.insert('eh_events', [row(3), row(1), row(4)]));
      await Promise.all([5, 6, 7].map((seq) => store.appender.insert('eh_events', [row(seq)])));
      const read = async (s: Store) => (await s.db.selectFrom('eh_events').selectAll().orderBy('seq').execute())
        .map((r) => ({ seq: Number(r.seq), key: r.partition_key, message: [...Buffer.from(r.message)] }));
      const expected = [0, 1, 2, 5, 6, 7].map((seq) => ({ seq, key: seq % 2 ? 'k' : null, message: [seq, 0, 255] }));
      assert.deepEqual(await read(store), expected);
      // Many rows in one call (SQLite: several rows to a statement, then the rest one by one), in order;
      // a duplicate among them fails the whole call.
      const many = Array.from({ length: 150 }, (_, k) => row(100 + k, Buffer.from([k, 1])));
      await assert.rejects(store.appender.insert('eh_events', [...many.slice(0, 100), row(5), ...many.slice(100)]));
      assert.deepEqual(await read(store), expected, 'the failed call stored none of its rows');
      await store.appender.insert('eh_events', many);
      const all = await read(store);
      assert.equal(all.length, expected.length + 150);
      assert.deepEqual(all.slice(expected.length).map((r) => [r.seq, r.key, r.message]), many.map((r, k) => [100 + k, r.partition_key, [k, 1]]));
      expected.push(...all.slice(expected.length));
      if (store.dialect === 'sqlite') {
        const level = await sql<{ synchronous: number }>`pragma synchronous`.execute(store.db);
        assert.equal(level.rows[0].synchronous, 2, 'the connection is back to FULL for every other write');
      }
      if (reopen) {
        const again = await reopen();
        try { assert.deepEqual(await read(again), expected); } finally { await again.close(); }
      }
    });

    storeTest('role assignments: deleteWithin removes those at or below a scope, LIKE wildcards included', async ({ store, clock }) => {
      const ra = new RoleAssignments(store.db, clock);
      const mk = (name: string, scope: string) => ra.create({
        name, scope, roleDefinitionId: `/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7`,
        roleDefinitionGuid: 'acdd72a7-3385-48ef-bd42-f606fba81ae7', principalId: '11111111-1111-1111-1111-111111111111', principalType: 'ServicePrincipal', createdBy: null,
      });
      await mk('10000000-0000-0000-0000-000000000001', rg('my_rg'));
      await mk('10000000-0000-0000-0000-000000000002', `${rg('my_rg')}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/x`);
      await mk('10000000-0000-0000-0000-000000000003', rg('myxrg'));
      await mk('10000000-0000-0000-0000-000000000004', rg('my_rg2'));
      await mk('10000000-0000-0000-0000-000000000005', sub);
      await ra.deleteWithin(rg('MY_RG'));
      const left = (await ra.all()).map((a) => a.name).sort();
      assert.deepEqual(left, ['10000000-0000-0000-0000-000000000003', '10000000-0000-0000-0000-000000000004', '10000000-0000-0000-0000-000000000005']);
      assert.ok(await ra.findExisting(sub, '11111111-1111-1111-1111-111111111111', 'ACDD72A7-3385-48EF-BD42-F606FBA81AE7'));
      assert.equal((await ra.forPrincipal('11111111-1111-1111-1111-111111111111')).length, 3);
      assert.equal((await ra.delete('10000000-0000-0000-0000-000000000005'))?.properties.scope, sub);
      assert.equal(await ra.delete('10000000-0000-0000-0000-000000000005'), undefined);
    });
  });
}
