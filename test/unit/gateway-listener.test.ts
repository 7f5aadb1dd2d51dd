// Issue 10 finding 5, on the gateway's listener: connections that send nothing, headers that never
// end, a TLS handshake that never finishes and idle keep-alive connections are closed after their
// timeouts (short ones here, set through GatewayOptions.listenerLimits), while normal calls are served
// the whole time; past the connection cap, new connections are closed at once and the held ones are
// not disturbed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import tls from 'node:tls';
import http from 'node:http';
import { loadOrCreateCa } from '../../src/tls/ca.js';
import { GatewayPlane, type ListenerLimits } from '../../src/gateway/index.js';
import { silentLogger } from '../../src/common/log.js';
import { startBackend, echoApi, config, INSTANCE_ID, type Backend } from './gateway-harness.js';

let be: Backend;
before(async () => { be = await startBackend(); });
after(async () => { await be?.close(); });

async function gateway(limits: Partial<ListenerLimits>): Promise<{ plane: GatewayPlane; port: number }> {
  const ca = await loadOrCreateCa(process.env.APIM_LOCAL_TEST_CA_DIR!);
  const cert = await ca.issueServerCertificate(['localhost', '127.0.0.1']);
  const plane = new GatewayPlane({ host: '127.0.0.1', certPem: cert.certPem, keyPem: cert.keyPem, logger: silentLogger, listenerLimits: limits });
  const configuration = config(echoApi(be.url));
  const instances = plane.bind({ load: async () => configuration });
  const port = await instances.ensureInstance(INSTANCE_ID, 0);
  await instances.reload(INSTANCE_ID);
  return { plane, port };
}

/** A connection that writes `first` (if any) and then nothing; resolves when the server closed it. */
function hold(port: number, first?: string | Buffer): { socket: net.Socket; closed: Promise<string> } {
  const socket = net.connect(port, '127.0.0.1');
  let got = '';
  socket.on('data', (d) => { got += d.toString('latin1'); });
  socket.on('error', () => undefined);
  if (first !== undefined) socket.write(first);
  const closed = new Promise<string>((resolve) => socket.once('close', () => resolve(got)));
  return { socket, closed };
}

/** One plain-HTTP call on a fresh connection. */
function get(port: number, path = '/echo/ok'): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, agent: false }, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode!)); });
    req.on('error', reject);
    req.end();
  });
}

test('finding 5: silent, slow-header, half-handshake and idle keep-alive connections are closed; normal calls are served meanwhile', { timeout: 30_000 }, async () => {
  const { plane, port } = await gateway({ firstByteMs: 300, handshakeMs: 1500, headersMs: 1500, requestMs: 3000, idleMs: 1500 });
  // Timers and sockets to end however the test ends (a failed assertion must not leave the process running).
  const cleanup: (() => void)[] = [];
  try {
    // The attack: connections that hold a slot and never finish anything.
    const silent = hold(port);
    const slowHeaders = hold(port, 'GET /echo/x HTTP/1.1\r\nHost: localhost\r\nX-Slow: ');
    const drip = setInterval(() => { if (!slowHeaders.socket.destroyed) slowHeaders.socket.write('a'); }, 50);
    cleanup.push(() => clearInterval(drip));
    const halfTls = hold(port, Buffer.from([0x16, 0x03, 0x01])); // the start of a ClientHello, no more
    // A ClientHello record of 512 bytes sent a byte every 100 ms: never idle, never complete.
    const dripTls = hold(port, Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00]));
    const tlsDrip = setInterval(() => { if (!dripTls.socket.destroyed) dripTls.socket.write(Buffer.from([0x01])); }, 100);
    cleanup.push(() => clearInterval(tlsDrip));
    const idle = hold(port, 'GET /echo/first HTTP/1.1\r\nHost: localhost\r\n\r\n'); // one request, then silence
    // A full TLS handshake, then not a byte of request.
    const tlsIdle = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false });
    tlsIdle.on('error', () => undefined);
    cleanup.push(() => tlsIdle.destroy());
    for (const h of [silent, slowHeaders, halfTls, dripTls, idle]) cleanup.push(() => h.socket.destroy());
    const tlsHandshake = new Promise<boolean>((resolve) => { tlsIdle.once('secureConnect', () => resolve(true)); tlsIdle.once('close', () => resolve(false)); });
    const tlsClosed = new Promise<void>((resolve) => tlsIdle.once('close', () => resolve()));
    // Normal traffic is served while they are held.
    for (let i = 0; i < 5; i++) assert.equal(await get(port), 200);
    const [silentGot, slowGot, , idleGot, dripGot] = await Promise.all([silent.closed, slowHeaders.closed, halfTls.closed, idle.closed, dripTls.closed]);
    clearInterval(tlsDrip);
    assert.equal(dripGot, '', 'a ClientHello dripped byte by byte is cut off by the handshake timeout');
    assert.equal(await tlsHandshake, true, 'the TLS handshake itself succeeded');
    await tlsClosed;
    clearInterval(drip);
    assert.equal(silentGot, '', 'the silent connection was closed without an answer');
    assert.ok(slowGot === '' || /^HTTP\/1\.1 408/.test(slowGot), `slow headers: ${JSON.stringify(slowGot.slice(0, 80))}`);
    assert.match(idleGot, /^HTTP\/1\.1 200/, 'the idle connection got its answer, then was closed');
    assert.equal(await get(port), 200);
  } finally {
    for (const c of cleanup) c();
    await plane.close();
  }
});

test('finding 5: past the connection cap, new connections are closed at once; held ones and later calls are fine', { timeout: 30_000 }, async () => {
  // Long timeouts: anything closed here is closed by the cap, not by a timer.
  const { plane, port } = await gateway({ maxConnections: 4, firstByteMs: 60_000, idleMs: 60_000 });
  try {
    const held = [hold(port), hold(port), hold(port), hold(port)];
    await new Promise((r) => setTimeout(r, 100)); // let the server accept them (nothing is asserted on time)
    const refused = hold(port, 'GET /echo/x HTTP/1.1\r\nHost: localhost\r\n\r\n');
    assert.equal(await refused.closed, '', 'the fifth connection is closed without an answer');
    for (const h of held) assert.equal(h.socket.destroyed, false, 'the held connections are untouched');
    for (const h of held) h.socket.destroy();
    await Promise.all(held.map((h) => h.closed));
    let status = 0;
    // The server learns of the closes asynchronously: retry a refused connection a few times.
    for (let i = 0; i < 50 && status !== 200; i++) status = await get(port).catch(() => 0);
    assert.equal(status, 200);
  } finally {
    await plane.close();
  }
});
