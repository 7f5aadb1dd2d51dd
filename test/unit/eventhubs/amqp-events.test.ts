// How deliveries become stored events (eventsOf): a batch's events are kept as sent when they carry no
// annotations (the gateway's, and the SDKs' with their header section), decoded only to strip the
// service's annotations; the gateway's sender writes its events as bare data sections.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import rhea from 'rhea';
import { eventsOf, withoutAnnotations } from '../../../src/eventhubs/amqp.js';
import { eventMessage } from '../../../src/gateway/eventhub/sender.js';

const BATCH = 0x80013700;
const batchOf = (events: Buffer[], partitionKey?: string) => rhea.message.encode({
  body: rhea.message.data_sections(events),
  ...(partitionKey !== undefined ? { message_annotations: { 'x-opt-partition-key': partitionKey } } : {}),
});

test('eventMessage is a data section rhea decodes, short (vbin8) and long (vbin32)', () => {
  for (const text of ['GET /x 1d2c', 'é'.repeat(300)]) {
    const b = eventMessage(text);
    assert.ok(withoutAnnotations(b));
    const m = rhea.message.decode(b) as unknown as { body: { typecode: number; content: Buffer } };
    assert.equal(m.body.typecode, 0x75);
    assert.equal(Buffer.from(m.body.content).toString('utf8'), text);
  }
});

test('events without annotations are stored byte for byte; annotated ones lose the service annotations only', () => {
  const bare = eventMessage('from the gateway');
  const sdk = rhea.message.encode({ durable: true, application_properties: { a: 1 }, body: rhea.message.data_section(Buffer.from('sdk')) });
  const annotated = rhea.message.encode({ message_annotations: { 'x-opt-sequence-number': 5, custom: 'kept' }, body: 'annotated' });
  assert.equal(withoutAnnotations(sdk), true, 'a header section is skipped');
  assert.equal(withoutAnnotations(annotated), false);
  const { events, partitionKey } = eventsOf(batchOf([bare, sdk, annotated], 'pk'), BATCH);
  assert.equal(partitionKey, 'pk');
  assert.deepEqual(events[0].message, bare);
  assert.deepEqual(events[1].message, sdk);
  assert.equal(events[2].partitionKey, 'pk');
  const decoded = rhea.message.decode(events[2].message) as unknown as { message_annotations?: Record<string, unknown>; body: unknown };
  assert.deepEqual(decoded.message_annotations, { custom: 'kept' });
  assert.equal(decoded.body, 'annotated');
});

test('a header that is not a list, or a truncated one, takes the decoding path', () => {
  assert.equal(withoutAnnotations(Buffer.from([0x00, 0x53, 0x70, 0xc0])), false);
  assert.equal(withoutAnnotations(Buffer.from([0x00, 0x53, 0x70, 0x40, 0x00, 0x53, 0x75, 0xa0, 0x00])), false);
  assert.equal(withoutAnnotations(Buffer.from([0x00, 0x53, 0x70, 0x45, 0x00, 0x53, 0x72, 0xc1, 0x01, 0x00])), false);
});
