// A namespace's port. The first byte tells TLS (0x16) from plain AMQP ('A', the AMQP header: what SDKs
// send with `UseDevelopmentEmulator=true`, accepted from the loopback only). Inside TLS, the AMQP header
// again tells AMQP (amqps) from HTTP: Event Hubs' REST send, and AMQP over WebSockets (an upgrade at
// /$servicebus/websocket with subprotocol AMQPWSB10, what browsers and `webSocketOptions` clients use),
// which reaches the same AMQP endpoint (SASL, CBS). Connections have the shared limits.
import http from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';
import type { AddressInfo } from 'node:net';
import type { WebSocketServer } from 'ws';
import { ws as wsModule } from '../common/lazy-modules.js';
import { DEFAULT_LISTENER_LIMITS } from '../common/listener-limits.js';
import type { Origin } from './settings.js';

const AMQP_FIRST = 0x41; // 'A' of "AMQP"

export interface NamespaceListenerOptions {
  host: string;
  port: number;
  certPem: string;
  keyPem: string;
  amqp(socket: Duplex, origin: Origin): void;
  rest(req: http.IncomingMessage, res: http.ServerResponse, origin: Origin): void;
}

export interface NamespaceListener {
  port: number;
  close(): Promise<void>;
}

/** Event Hubs' WebSocket endpoint and AMQP's WebSocket subprotocol (AMQP WebSocket Binding 1.0). */
const WS_PATH = '/$servicebus/websocket';
const WS_PROTOCOL = 'AMQPWSB10';
/** A WebSocket message carries what rhea wrote at once: frames of at most 64 KB, a few of them together. */
const WS_MAX_MESSAGE = 4 * 1024 * 1024;

const isLoopback = (ip: string) => ip === '127.0.0.1' || ip === '::1' || ip === '::ffff:127.0.0.1' || ip.startsWith('127.');

export async function startNamespaceListener(o: NamespaceListenerOptions): Promise<NamespaceListener> {
  const l = DEFAULT_LISTENER_LIMITS;
  const sockets = new Set<net.Socket>();
  const secure = tls.createServer({ cert: o.certPem, key: o.keyPem, handshakeTimeout: l.handshakeMs });
  const https = http.createServer({
    keepAliveTimeout: l.idleMs, headersTimeout: l.headersMs, requestTimeout: l.requestMs,
  }, (req, res) => o.rest(req, res, { clientIp: req.socket.remoteAddress ?? '', trustedService: false }));
  https.emit('listening');
  // Any Origin is taken, as Event Hubs does: a WebSocket carries no ambient credential (no cookie); the
  // client authenticates inside AMQP (SASL, CBS put-token), exactly as over TLS.
  // Made on the first upgrade (ws is loaded on first use, common/lazy-modules.ts).
  let websockets: WebSocketServer | undefined;
  https.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const path = (req.url ?? '').split('?')[0];
    const offered = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
    if (path.toLowerCase() !== WS_PATH || !offered.includes(WS_PROTOCOL)) {
      socket.end(`HTTP/1.1 ${path.toLowerCase() !== WS_PATH ? '404 Not Found' : '400 Bad Request'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    const m = wsModule();
    websockets ??= new m.WebSocketServer({
      noServer: true, maxPayload: WS_MAX_MESSAGE, perMessageDeflate: false,
      handleProtocols: (protocols) => (protocols.has(WS_PROTOCOL) ? WS_PROTOCOL : false),
    });
    websockets.handleUpgrade(req, socket, head, (ws) => {
      const stream = m.createWebSocketStream(ws);
      stream.on('error', () => stream.destroy());
      o.amqp(stream, { clientIp: req.socket.remoteAddress ?? '', trustedService: false });
    });
  });

  /** The first bytes of a stream, then the stream handed on with them put back. */
  const sniff = (socket: net.Socket, next: (first: Buffer) => void) => {
    socket.setTimeout(l.firstByteMs, () => socket.destroy());
    socket.once('data', (first: Buffer) => {
      socket.setTimeout(0);
      socket.pause();
      socket.unshift(first);
      next(first);
      process.nextTick(() => socket.resume());
    });
  };

  secure.on('secureConnection', (s: tls.TLSSocket) => {
    s.on('error', () => s.destroy());
    const ip = s.remoteAddress ?? '';
    sniff(s, (first) => {
      if (first[0] === AMQP_FIRST) o.amqp(s, { clientIp: ip, trustedService: false });
      else https.emit('connection', s);
    });
  });
  secure.on('tlsClientError', () => undefined);

  const server = net.createServer({ noDelay: true }, (socket) => {
    if (sockets.size >= l.maxConnections) { socket.destroy(); return; }
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    const ip = socket.remoteAddress ?? '';
    sniff(socket, (first) => {
      if (first[0] === 0x16) { secure.emit('connection', socket); return; }
      if (first[0] === AMQP_FIRST && isLoopback(ip)) { o.amqp(socket, { clientIp: ip, trustedService: false }); return; }
      socket.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => { server.off('error', reject); resolve(); });
  });
  return {
    port: (server.address() as AddressInfo).port,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
        sockets.clear();
      });
      secure.close();
      websockets?.close();
      https.close();
    },
  };
}
