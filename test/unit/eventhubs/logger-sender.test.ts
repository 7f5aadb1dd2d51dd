// The gateway's Event Hubs sender batches: a queue goes flushMs after its first event, or at once when it
// holds a full batch (5000 events, or 900 KB), in transfers an Event Hubs peer accepts. The peer here is a
// bare rhea container on a local port (the sender's `local` connection, as to a namespace on this
// machine), answering CBS put-token and accepting every transfer: what is checked is the sender's side,
// and its managed identity token: put once per connection, and again 5 minutes before it expires.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import rhea, { type EventContext } from 'rhea';
import { LoggerSender, eventMessage } from '../../../src/gateway/eventhub/sender.js';
import { eventsOf } from '../../../src/eventhubs/amqp.js';
import { silentLogger } from '../../../src/common/log.js';

const transfers: { events: number; at: number }[] = [];
/** Every CBS put-token the peer answered: its token type, the token, and its connection. */
const puts: { type: unknown; token: unknown; connection: unknown }[] = [];
let listener: net.Server;
let port: number;

before(async () => {
  const peer = rhea.create_container({ id: 'peer' });
  peer.on('message', (ctx: EventContext) => {
    if (ctx.receiver?.source?.address === '$cbs' || ctx.receiver?.target?.address === '$cbs') {
      // put-token: accepted, answered on the sender's reply link.
      puts.push({ type: ctx.message?.application_properties?.type, token: ctx.message?.body, connection: ctx.connection });
      const reply = ctx.connection.find_sender((s: rhea.Sender) => s.target?.address === ctx.message?.reply_to);
      (reply ?? ctx.connection.open_sender({ target: { address: ctx.message!.reply_to } })).send({
        correlation_id: ctx.message!.message_id, application_properties: { 'status-code': 202 }, body: '',
      });
      return;
    }
    const payload = (ctx.delivery as unknown as { format: number }).format;
    transfers.push({ events: eventsOf(ctx.message!, payload).events.length, at: Date.now() });
  });
  // The reply link of the CBS exchange: the sender's receiver asks for it by address.
  peer.on('sender_open', () => undefined);
  listener = peer.listen({ port: 0, host: '127.0.0.1' }) as unknown as net.Server;
  await new Promise<void>((r) => (listener.listening ? r() : listener.once('listening', () => r())));
  port = (listener.address() as AddressInfo).port;
});
after(() => { listener.close(); });

function sender(flushMs: number, token?: (clientId: string | undefined) => string): LoggerSender {
  return new LoggerSender({
    instanceId: 'apim', logger: silentLogger, flushMs, token: token ?? (() => 'unused'),
    config: {
      name: 'eh', loggerType: 'azureEventHub',
      eventHub: token
        ? { name: 'hub', endpointAddress: `localhost:${port}`, identityClientId: 'SystemAssigned' }
        : { name: 'hub', connectionString: `Endpoint=sb://localhost:${port}/;SharedAccessKeyName=k;SharedAccessKey=a2V5` },
    },
    local: { connect: () => net.connect(port, '127.0.0.1') },
  });
}

/** A JWT's shape with `exp` (the peer does not verify it; the sender reads exp to know when to put a new one). */
const jwt = (expSeconds: number, n: number) => ['{"alg":"none"}', JSON.stringify({ exp: expSeconds, n })].map((p) => Buffer.from(p).toString('base64url')).join('.') + '.sig';

const sent = () => transfers.reduce((n, t) => n + t.events, 0);
async function until(what: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!what() && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
  return what();
}

test('a queue goes flushMs after its first event, in one transfer', async () => {
  transfers.length = 0;
  const s = sender(100);
  try {
    for (let i = 0; i < 3; i++) s.enqueue({ message: eventMessage(`e${i}`) });
    assert.ok(await until(() => sent() === 3, 10_000), `sent ${sent()}`);
    assert.equal(transfers.length, 1);
    assert.equal(s.lastError, undefined);
  } finally { await s.close(); }
});

test('a full batch goes at once: 5000 events, or 900 KB, without waiting for flushMs', async () => {
  transfers.length = 0;
  const s = sender(600_000);
  try {
    for (let i = 0; i < 4999; i++) s.enqueue({ message: eventMessage(`e${i}`) });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(sent(), 0, 'under a batch, the queue waits for flushMs');
    s.enqueue({ message: eventMessage('e4999') });
    assert.ok(await until(() => sent() === 5000, 10_000), `sent ${sent()}`);
    // By size: three events of 400 KB pass 900 KB at the third; they go in batches under the limit.
    const big = 'x'.repeat(400 * 1024);
    for (let i = 0; i < 3; i++) s.enqueue({ message: eventMessage(big) });
    assert.ok(await until(() => sent() === 5003, 10_000), `sent ${sent()}`);
    assert.equal(s.lastError, undefined);
  } finally { await s.close(); }
});

test('a managed identity token is put once and used for every send until 5 minutes before it expires; then a new one is put on the same connection', async () => {
  transfers.length = 0;
  puts.length = 0;
  const asked: (string | undefined)[] = [];
  // The first token expires in 5 minutes and 2 seconds (renewed after 2 s); the next ones in an hour.
  const s = sender(20, (clientId) => { asked.push(clientId); return jwt(Math.floor(Date.now() / 1000) + (asked.length === 1 ? 302 : 3600), asked.length); });
  try {
    s.enqueue({ message: eventMessage('a') });
    assert.ok(await until(() => sent() === 1, 10_000), `sent ${sent()}`);
    s.enqueue({ message: eventMessage('b') });
    assert.ok(await until(() => sent() === 2, 10_000), `sent ${sent()}`);
    assert.equal(puts.length, 1, 'the token is put once, not per send');
    assert.deepEqual(asked, [undefined], 'the system-assigned identity\'s token, asked for once');
    assert.equal(puts[0].type, 'jwt');
    await new Promise((r) => setTimeout(r, 2500));
    s.enqueue({ message: eventMessage('c') });
    assert.ok(await until(() => sent() === 3, 10_000), `sent ${sent()}`);
    assert.equal(puts.length, 2, 'a new token before the old one has 5 minutes left');
    assert.equal(puts[1].connection, puts[0].connection, 'on the same connection');
    assert.equal(JSON.parse(Buffer.from(String(puts[1].token).split('.')[1], 'base64url').toString()).n, 2);
    s.enqueue({ message: eventMessage('d') });
    assert.ok(await until(() => sent() === 4, 10_000), `sent ${sent()}`);
    assert.equal(puts.length, 2, 'the new token serves the next sends');
    assert.equal(s.lastError, undefined);
  } finally { await s.close(); }
});
