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

export function socketServer(tls: { cert: string; key: string }, handler: Handler): SocketServer {
  const options = { keepAliveTimeout: 65_000, headersTimeout: 60_000, requestTimeout: 0 };
  const secure = https.createServer({ ...options, cert: tls.cert, key: tls.key }, (req, res) => handler(req, res, true));
  const plain = http.createServer(options, (req, res) => handler(req, res, false));
  // Every connection, so closeAll() can end keep-alive ones at once: the http and https servers here never
  // listen themselves, so their own connection tracking (closeAllConnections) is not set up.
  const sockets = new Set<net.Socket>();
  return {
    serve(socket) {
      sockets.add(socket);
      socket.setNoDelay(true);
      socket.once('close', () => sockets.delete(socket));
      socket.on('error', () => socket.destroy());
      socket.once('data', (first: Buffer) => {
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
    },
  };
}
