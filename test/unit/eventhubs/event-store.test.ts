// The event store's reads by enqueued time and its retention, on SQLite (a file) and on PostgreSQL when
// APIM_LOCAL_TEST_PG names a database: both walk a partition's primary key (the table has no index on
// enqueued times since migration 0007), so they are checked on a partition whose events span hours.
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { openStore, type Store } from '../../../src/store/db.js';
import { EventStore } from '../../../src/eventhubs/events.js';
import type { Clock } from '../../../src/common/clock.js';
import { dropPostgresSchemas, postgresStoreUrl, tempDir } from '../../helpers/server.js';

const HOUR = 3_600_000;
class TestClock implements Clock {
  t = 1_700_000_000_000;
  nowMs() { return this.t; }
}

const pgUrls: string[] = [];
after(() => dropPostgresSchemas(pgUrls));

const backends: { name: string; skip?: string; open(): Promise<Store> }[] = [
  { name: 'SQLite file', open: () => openStore({ kind: 'sqlite', file: path.join(tempDir(), 'store.db') }) },
  {
    name: 'PostgreSQL',
    skip: process.env.APIM_LOCAL_TEST_PG ? undefined : 'APIM_LOCAL_TEST_PG not set',
    open: () => {
      const url = postgresStoreUrl()!;
      pgUrls.push(url);
      return openStore({ kind: 'postgres', url });
    },
  },
];

const text = (s: string) => ({ message: Buffer.from(s) });
const bodies = (events: { message: Buffer }[]) => events.map((e) => e.message.toString());

for (const backend of backends) {
  describe(`event store on ${backend.name}`, { skip: backend.skip }, () => {
    test('reads from an enqueued time, partition info and retention: old events go, the tail and the sequence stay', async () => {
      const store = await backend.open();
      try {
        const clock = new TestClock();
        const events = new EventStore(store.db, store.appender, clock);
        const start = clock.t;
        // Partition 0: one event an hour for five hours; partition 1: one event at the start.
        for (let h = 0; h < 5; h++) {
          clock.t = start + h * HOUR;
          await events.append('ns', 'hub', 0, [text(`p0-${h}`)]);
        }
        clock.t = start;
        await events.append('ns', 'hub', 1, [text('p1-0')]);
        // Another hub's events are not touched.
        await events.append('ns', 'other', 0, [text('other-0')]);

        // From an enqueued time: strictly after it.
        assert.equal(await events.resolve('ns', 'hub', 0, { kind: 'time', value: start + 2 * HOUR }), 2);
        assert.equal(await events.resolve('ns', 'hub', 0, { kind: 'time', value: start + 2 * HOUR - 1 }), 1);
        // Past the last event: the reader waits at the tail.
        assert.equal(await events.resolve('ns', 'hub', 0, { kind: 'time', value: start + 9 * HOUR }), 4);
        assert.deepEqual(bodies(await events.read('ns', 'hub', 0, 2, 10, 0)), ['p0-3', 'p0-4']);

        // Retention of 2.5 hours, five hours in: what was enqueued before 2.5 hours ago goes.
        clock.t = start + 5 * HOUR;
        const cutoff = clock.t - 2.5 * HOUR;
        // Reads and info already leave out what retention will delete.
        assert.deepEqual(bodies(await events.read('ns', 'hub', 0, -1, 10, cutoff)), ['p0-3', 'p0-4']);
        const before = await events.info('ns', 'hub', 0, cutoff);
        assert.equal(before.beginSequenceNumber, 3);
        assert.equal(before.lastSequenceNumber, 4);

        assert.equal(await events.expire('ns', 'hub', 2, cutoff), 4, 'p0-0, p0-1, p0-2 and p1-0');
        assert.deepEqual(bodies(await events.read('ns', 'hub', 0, -1, 10, 0)), ['p0-3', 'p0-4']);
        assert.deepEqual(bodies(await events.read('ns', 'hub', 1, -1, 10, 0)), []);
        assert.deepEqual(bodies(await events.read('ns', 'other', 0, -1, 10, 0)), ['other-0']);
        // An emptied partition keeps its sequence: the next event continues it.
        const info1 = await events.info('ns', 'hub', 1, cutoff);
        assert.deepEqual([info1.empty, info1.lastSequenceNumber, info1.beginSequenceNumber], [true, 0, 1]);
        const [next] = await events.append('ns', 'hub', 1, [text('p1-1')]);
        assert.equal(next.seq, 1);
        // Again: nothing more to delete.
        assert.equal(await events.expire('ns', 'hub', 2, cutoff), 0);
        // A partition the sweep did not know (none stored) is no error.
        assert.equal(await events.expire('ns', 'hub', 4, cutoff), 0);
      } finally {
        await store.close();
      }
    });
  });
}
