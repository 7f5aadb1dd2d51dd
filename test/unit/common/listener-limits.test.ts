// #10 finding 5 for the management and vault listeners: the HTTPS server they are made with
// (limitedHttpsServer) closes a connection that completes its handshake and says nothing, headers that
// never end and idle keep-alive connections after their times (short ones here), serves normal calls
// meanwhile, and closes connections past its cap at once.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { loadOrCreateCa } from '../../../src/tls/ca.js';
import { limitedHttpsServer } from '../../../src/common/listener-limits.js';

const servers: https.Server[] = [];
after(() => { for (const s of servers) { s.closeAllConnections(); s.close(); } });

async function start(limits: Parameters<typeof limitedHttpsServer>[1]): Promise<{ port: number; ca: string }> {
  const ca = await loadOrCreateCa(process.env.APIM_LOCAL_TEST_CA_DIR!);
  const cert = await ca.issueServerCertificate(['localhost', '127.0.0.1']);
  const server = limitedHttpsServer({ cert: cert.certPem, key: cert.keyPem }, limits);
  server.on('request', (_req, res) => res.end('ok'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  servers.push(server);
  return { port: (server.address() as AddressInfo).port, ca: ca.caCertPem };
}

/** A TLS connection that writes `first` (if any) then nothing; resolves with ms until the server closed it. */
function hold(port: number, ca: string, first?: string): Promise<number> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const s = tls.connect({ port, host: '127.0.0.1', ca, servername: 'localhost' }, () => { if (first) s.write(first); });
    s.on('error', () => undefined);
    s.on('data', () => undefined);
    s.on('close', () => resolve(Date.now() - t0));
  });
}

const call = (port: number, ca: string) => new Promise<number>((resolve, reject) => {
  https.get({ host: '127.0.0.1', port, path: '/', ca, servername: 'localhost', agent: false }, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode!)); }).on('error', reject);
});

test('silent, slow-header and idle connections are closed after their timeouts while calls are served', async () => {
  const { port, ca } = await start({ headersMs: 300, requestMs: 2_000, idleMs: 300, handshakeMs: 300 });
  const silent = hold(port, ca);
  const slowHeaders = hold(port, ca, 'GET / HTTP/1.1\r\nHost: x\r\n');
  const idle = hold(port, ca, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n');
  for (let i = 0; i < 5; i++) assert.equal(await call(port, ca), 200, 'served while the others are held');
  for (const [name, p] of [['silent', silent], ['slow headers', slowHeaders], ['idle', idle]] as const) {
    const ms = await p;
    assert.ok(ms < 5_000, `${name} connection closed after ${ms} ms`);
  }
});

test('past the cap, new connections are closed at once; held ones are not disturbed', async () => {
  const { port, ca } = await start({ maxConnections: 3, headersMs: 10_000, idleMs: 10_000 });
  const held = [hold(port, ca), hold(port, ca), hold(port, ca)];
  await new Promise((r) => setTimeout(r, 200));
  const t0 = Date.now();
  const refused = await hold(port, ca);
  assert.ok(refused < 2_000, `the fourth connection was closed at once (${refused} ms)`);
  assert.ok(Date.now() - t0 < 2_000);
  servers[servers.length - 1].closeAllConnections();
  await Promise.all(held);
});
