// An instance's listener: one port that speaks HTTPS and plain HTTP (API Management serves both, per
// API `protocols`), told apart by the first byte of a connection (0x16: a TLS handshake). After that
// first byte the connection belongs to a node:https or node:http server, with no cost per request.
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { AddressInfo } from 'node:net';

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse, secure: boolean) => void;

export interface Listener {
  port: number;
  close(): Promise<void>;
}

export async function listen(host: string, port: number, tls: { cert: string; key: string }, handler: Handler): Promise<Listener> {
  const options = { keepAliveTimeout: 65_000, headersTimeout: 60_000, requestTimeout: 0 };
  const secure = https.createServer({ ...options, cert: tls.cert, key: tls.key }, (req, res) => handler(req, res, true));
  const plain = http.createServer(options, (req, res) => handler(req, res, false));
  // Every raw connection, so close() can end keep-alive connections at once: the http and https servers
  // here never listen themselves, so their own connection tracking (closeAllConnections) is not set up.
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.once('data', (first: Buffer) => {
      socket.pause();
      socket.unshift(first);
      (first[0] === 0x16 ? secure : plain).emit('connection', socket);
      process.nextTick(() => socket.resume());
    });
    socket.on('error', () => socket.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => { server.off('error', reject); resolve(); });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const s of sockets) s.destroy();
    }),
  };
}
