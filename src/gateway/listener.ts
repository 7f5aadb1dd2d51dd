// An instance's gateway port, in two parts:
// - listen(): accepts TCP connections (paused, unread) and hands each to a process that serves it: this
//   one, or a gateway worker (runtime/../workers), which gets the socket itself over IPC;
// - socketServer(): serves a connection in the process that got it. The one port speaks HTTPS and
//   plain HTTP (API Management serves both, per API `protocols`), told apart by the first byte (0x16: a
//   TLS handshake). A TLS connection's ClientHello is read for the name it asks for (SNI): hostnames with
//   negotiateClientCertificate go to an HTTPS server that asks for a client certificate, the others to
//   one that does not; both pick the hostname's certificate by the same SNI table (src/tls/sni.ts). After
//   that the connection belongs to a node:https or node:http server, with no cost per request.
import http from 'node:http';
import { DEFAULT_LISTENER_LIMITS, limitedHttpsServer, type ListenerLimits } from '../common/listener-limits.js';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import type https from 'node:https';
import type nodeTls from 'node:tls';
import { scanClientHello } from '../tls/client-hello.js';
import { SniContexts, type HostCertificate } from '../tls/sni.js';

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse, secure: boolean) => void;

export interface Listener {
  port: number;
  /** Stops accepting and frees the port (connections already handed out are their servers' to end). */
  close(): Promise<void>;
}

export async function listen(host: string, port: number, onSocket: (socket: net.Socket) => void): Promise<Listener> {
  // pauseOnConnect: nothing is read here, so the socket can move to another process whole.
  const server = net.createServer({ pauseOnConnect: true, noDelay: true }, onSocket);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => { server.off('error', reject); resolve(); });
  });
  return {
    port: (server.address() as AddressInfo).port,
    // Not waiting for close()'s callback: it fires when every connection accepted here has ended, and those
    // are ended by whoever serves them (this process's socket servers, or workers).
    close: async () => { server.close(); },
  };
}

export interface SocketServer {
  /** Serves a connection (fresh and unread) until it ends. */
  serve(socket: net.Socket): void;
  /**
   * The custom hostnames' certificates, from the next handshake on (open connections keep theirs).
   * Returns the problems (a certificate that cannot be served is left out).
   */
  setCertificates(hosts: HostCertificate[]): string[];
  /** Ends every connection now (keep-alive ones included). */
  closeAll(): void;
}

/**
 * How long a connection may take at each stage, and how many one listener serves at once. A client
 * that dawdles is disconnected, so idle and half-sent connections cannot pile up until the process
 * runs out of file descriptors (and every listener in it fails), and a flood of connections is
 * refused at the door (closed at once) instead of starving the ones being served.
 */
export { DEFAULT_LISTENER_LIMITS, type ListenerLimits } from '../common/listener-limits.js';

export function socketServer(tls: { cert: string; key: string }, handler: Handler, limits: Partial<ListenerLimits> = {}): SocketServer {
  const l = { ...DEFAULT_LISTENER_LIMITS, ...limits };
  const sni = new SniContexts(tls);
  const SNICallback = (name: string, cb: (err: Error | null, ctx?: nodeTls.SecureContext) => void) => cb(null, sni.select(name).context);
  // HTTPS with the shared limits (common/listener-limits.ts): one server that asks for a client
  // certificate (accepting none or any: the policies judge it) and one that does not; plain HTTP with
  // the same timeouts.
  const secure = limitedHttpsServer({ ...tls, SNICallback }, l);
  const asking = limitedHttpsServer({ ...tls, SNICallback, requestCert: true, rejectUnauthorized: false }, l);
  for (const s of [secure, asking]) s.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => handler(req, res, true));
  const plain = http.createServer({
    keepAliveTimeout: l.idleMs, headersTimeout: Math.min(l.headersMs, l.requestMs), requestTimeout: l.requestMs,
    connectionsCheckingInterval: Math.max(20, Math.min(1000, Math.floor(l.headersMs / 4))),
  }, (req, res) => handler(req, res, false));
  // The header and request timeouts are enforced by a timer node:http starts when a server starts
  // listening; these two never listen (connections are handed to them), so it is started here.
  secure.emit('listening');
  asking.emit('listening');
  plain.emit('listening');
  const handTo = (server: net.Server | https.Server, socket: net.Socket, data: Buffer) => {
    socket.pause();
    socket.unshift(data);
    server.emit('connection', socket);
    process.nextTick(() => socket.resume());
  };
  // Every connection, so closeAll() can end keep-alive ones at once and the cap can count them.
  const sockets = new Set<net.Socket>();
  return {
    serve(socket) {
      if (sockets.size >= l.maxConnections) { socket.destroy(); return; }
      sockets.add(socket);
      socket.setNoDelay(true);
      socket.once('close', () => sockets.delete(socket));
      socket.on('error', () => socket.destroy());
      // A connection that sends nothing is closed (before this, no server's timeout covers it).
      socket.setTimeout(l.firstByteMs, () => socket.destroy());
      socket.once('data', (first: Buffer) => {
        if (first[0] !== 0x16) { socket.setTimeout(0); handTo(plain, socket, first); return; }
        // A TLS handshake: gather its first record (the ClientHello, usually one read) to learn the name.
        // The whole record must come within the handshake timeout (a byte now and then must not hold the
        // connection open: an idle timeout would be reset by each one).
        let hello = first;
        socket.setTimeout(0);
        const deadline = setTimeout(() => socket.destroy(), l.handshakeMs);
        socket.once('close', () => clearTimeout(deadline));
        const route = (): boolean => {
          const scan = scanClientHello(hello);
          if (!scan.complete) return false;
          socket.off('data', more);
          clearTimeout(deadline);
          handTo(sni.select(scan.serverName).requestCert ? asking : secure, socket, hello);
          return true;
        };
        const more = (chunk: Buffer) => { hello = Buffer.concat([hello, chunk]); route(); };
        if (!route()) socket.on('data', more);
      });
      socket.resume();
    },
    setCertificates(hosts) {
      const before = sni.defaultEntry;
      const problems = sni.update(hosts);
      // Clients that send no name get the defaultSslBinding certificate (node's default context).
      const after = sni.defaultEntry;
      if (after !== before && (after.pem.cert !== before.pem.cert || after.pem.key !== before.pem.key)) {
        for (const s of [secure, asking]) s.setSecureContext(after.pem);
      }
      return problems;
    },
    closeAll() {
      for (const s of sockets) s.destroy();
      sockets.clear();
      // Stops the timeout timers started above.
      secure.close();
      asking.close();
      plain.close();
    },
  };
}
