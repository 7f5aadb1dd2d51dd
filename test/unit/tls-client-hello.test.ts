// The SNI reader of the gateway listener, on ClientHellos that node's own TLS client sends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { scanClientHello } from '../../src/tls/client-hello.js';

/** The first TLS record a client sends to a server that never answers. */
async function helloOf(servername: string | undefined): Promise<Buffer> {
  let got: (b: Buffer) => void = () => undefined;
  const first = new Promise<Buffer>((resolve) => { got = resolve; });
  const server = net.createServer((s) => {
    let buf = Buffer.alloc(0);
    s.on('data', (d) => { buf = Buffer.concat([buf, d]); if (buf.length >= 5 && buf.length >= 5 + buf.readUInt16BE(3)) got(buf); });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const client = tls.connect({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, ...(servername ? { servername } : {}), rejectUnauthorized: false });
  client.on('error', () => undefined);
  try { return await first; } finally { client.destroy(); server.close(); }
}

test('the name a client asks for, whole or in pieces', async () => {
  const hello = await helloOf('API.contoso.com');
  assert.deepEqual(scanClientHello(hello), { complete: true, serverName: 'api.contoso.com' });
  for (const cut of [1, 4, 5, 40, hello.length - 1]) assert.deepEqual(scanClientHello(hello.subarray(0, cut)), { complete: false });
  assert.deepEqual(scanClientHello(await helloOf(undefined)), { complete: true, serverName: undefined });
});

test('not a ClientHello, or garbage: complete, no name', () => {
  assert.deepEqual(scanClientHello(Buffer.from('GET / HTTP/1.1\r\n\r\n')), { complete: true, serverName: undefined });
  const junk = Buffer.concat([Buffer.from([0x16, 3, 1, 0, 10]), Buffer.alloc(10, 0xff)]);
  assert.deepEqual(scanClientHello(junk), { complete: true, serverName: undefined });
  const truncatedInside = Buffer.concat([Buffer.from([0x16, 3, 1, 0, 6, 0x01, 0, 0, 200, 3, 3])]);
  assert.deepEqual(scanClientHello(truncatedInside), { complete: true, serverName: undefined });
});
