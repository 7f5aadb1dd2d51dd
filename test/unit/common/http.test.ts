// readJsonBody, the one JSON body reader of every listener: what it returns and the typed errors each
// plane maps to its own envelope, over a real HTTP connection.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readJsonBody, BodyTooLargeError, MalformedJsonError, UnsupportedMediaTypeError, type JsonBodyOptions } from '../../../src/common/http.js';

let server: http.Server;
let url: string;
let options: JsonBodyOptions = { limit: 64 };

/** The server answers what readJsonBody gave it: {body} or {error, detail}. */
before(async () => {
  server = http.createServer((req, res) => {
    readJsonBody(req, options).then(
      (body) => res.end(JSON.stringify({ body: body === undefined ? '<none>' : body })),
      (e: unknown) => {
        const error = e instanceof UnsupportedMediaTypeError ? `415 ${e.contentType ?? '<none>'}`
          : e instanceof BodyTooLargeError ? `413 ${e.limit}`
            : e instanceof MalformedJsonError ? `400 ${e.detail}` : `other ${String(e)}`;
        res.end(JSON.stringify({ error }));
      });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
after(() => new Promise<void>((r) => { server.close(() => r()); server.closeAllConnections(); }));

async function send(init: { body?: string | ReadableStream; type?: string; chunked?: boolean }): Promise<{ body?: unknown; error?: string }> {
  const headers: Record<string, string> = {};
  if (init.type) headers['content-type'] = init.type;
  const res = await fetch(url, { method: 'POST', headers, body: init.body, ...(init.chunked ? { duplex: 'half' } : {}) } as RequestInit);
  return res.json() as Promise<{ body?: unknown; error?: string }>;
}

test('a JSON body is parsed; no body or an empty one is undefined, whatever the content type', async () => {
  options = { limit: 64, contentType: /^application\/json\b/i };
  assert.deepEqual(await send({ body: '{"a":[1,2]}', type: 'application/json; charset=utf-8' }), { body: { a: [1, 2] } });
  assert.deepEqual(await send({}), { body: '<none>' });
  assert.deepEqual(await send({ body: '', type: 'text/plain' }), { body: '<none>' });
});

test('a chunked body (no Content-Length) is read and parsed', async () => {
  options = { limit: 64 };
  const stream = new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode('{"x":')); c.enqueue(new TextEncoder().encode('true}')); c.close(); } });
  assert.deepEqual(await send({ body: stream, type: 'application/json', chunked: true }), { body: { x: true } });
});

test('typed refusals: content type (checked only when asked), size, malformed JSON with the parser\'s detail', async () => {
  options = { limit: 64, contentType: /^application\/json\b/i };
  assert.deepEqual(await send({ body: '{}', type: 'text/plain' }), { error: '415 text/plain' });
  assert.deepEqual(await send({ body: '{"a":' + '1'.repeat(100) + '}', type: 'application/json' }), { error: '413 64' });
  const malformed = await send({ body: '{"a":', type: 'application/json' });
  assert.match(malformed.error!, /^400 .+/);
  assert.notEqual(malformed.error, '400 ', 'the parser says why');
  options = { limit: 64 };
  assert.deepEqual(await send({ body: '[1]', type: 'text/plain' }), { body: [1] }, 'no content type asked: any is taken');
});
