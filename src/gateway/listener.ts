// An instance's gateway port, in two parts:
// - listen(): accepts TCP connections (paused, unread) and hands each to a process that serves it: this
//   one, or a gateway worker (runtime/../workers), which gets the socket itself over IPC;
// - socketServer(): serves a connection in the process that got it. The one port speaks HTTPS and
//   plain HTTP (API Management serves both, per API `protocols`), told apart by the first byte (0x16: a
//   TLS handshake). After that byte the connection belongs to a node:https or node:http server, with no
//   cost per request.
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { AddressInfo } from 'node:net';

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
  /** Ends every connection now (keep-alive ones included). */
  closeAll(): void;
}

/**
 * How long a connection may take at each stage, and how many one listener serves at once. A client
 * that dawdles is disconnected, so idle and half-sent connections cannot pile up until the process
 * runs out of file descriptors (and every listener in it fails), and a flood of connections is
 * refused at the door (closed at once) instead of starving the ones being served.
 */
export interface ListenerLimits {
  /** From accept to the first byte (which tells TLS from plain HTTP). */
  firstByteMs: number;
  /** The TLS handshake. */
  handshakeMs: number;
  /** A request's status line and headers, from the connection or the previous answer. */
  headersMs: number;
  /** A whole request, body included (a slow upload is cut off). */
  requestMs: number;
  /** A keep-alive connection with no request in flight. */
  idleMs: number;
  /** Connections this process serves at once for one listener; more are closed as they come. */
  maxConnections: number;
}

export const DEFAULT_LISTENER_LIMITS: ListenerLimits = {
  firstByteMs: 10_000,
  handshakeMs: 10_000,
  // Node's default for headers; 300 s for a whole request, as forward-request's default timeout.
  headersMs: 60_000,
  requestMs: 300_000,
  // Azure Load Balancer's idle timeout in front of API Management: 4 minutes.
  idleMs: 240_000,
  // Well under the usual 1024 file descriptors a process gets, leaving room for backends and the other listeners.
  maxConnections: 512,
};

export function socketServer(tls: { cert: string; key: string }, handler: Handler, limits: Partial<ListenerLimits> = {}): SocketServer {
  const l = { ...DEFAULT_LISTENER_LIMITS, ...limits };
  const options: http.ServerOptions = {
    keepAliveTimeout: l.idleMs, headersTimeout: Math.min(l.headersMs, l.requestMs), requestTimeout: l.requestMs,
    connectionsCheckingInterval: Math.max(20, Math.min(1000, Math.floor(l.headersMs / 4))),
  };
  const secure = https.createServer({ ...options, cert: tls.cert, key: tls.key, handshakeTimeout: l.handshakeMs }, (req, res) => handler(req, res, true));
  const plain = http.createServer(options, (req, res) => handler(req, res, false));
  // The header and request timeouts are enforced by a timer node:http starts when a server starts
  // listening; these two never listen (connections are handed to them), so it is started here.
  secure.emit('listening');
  plain.emit('listening');
  // node:http's header timer starts at a request's first byte: a TLS connection that completed its
  // handshake and then says nothing has one headersMs to start its first request.
  secure.on('secureConnection', (s: net.Socket) => {
    s.setTimeout(l.headersMs, () => s.destroy());
    s.once('data', () => s.setTimeout(0));
  });
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
        socket.setTimeout(0);
        socket.pause();
        socket.unshift(first);
        (first[0] === 0x16 ? secure : plain).emit('connection', socket);
        process.nextTick(() => socket.resume());
      });
      socket.resume();
    },
    closeAll() {
      for (const s of sockets) s.destroy();
      sockets.clear();
      // Stops the timeout timers started above.
      secure.close();
      plain.close();
    },
  };
}
