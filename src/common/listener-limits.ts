// The limits every listener has (#10 finding 5): a connection that says nothing, a handshake or headers
// that never end, a request body that trickles, an idle keep-alive connection are each closed after
// their time, and past a cap new connections are closed at once, so one client cannot starve the
// others of file descriptors. The gateway's listener (src/gateway/listener.ts) applies the same limits
// to the connections it sniffs; the management and vault listeners are HTTPS servers made here.
import https from 'node:https';
import type net from 'node:net';

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

/**
 * An HTTPS server with the limits: node's own timeouts for handshake, headers, request and keep-alive,
 * a first-request timer for a connection that completed its handshake and sends nothing (node's header
 * timer starts only at a request's first byte), and the connection cap.
 */
export function limitedHttpsServer(
  tls: { cert: string; key: string } & Pick<https.ServerOptions, 'SNICallback' | 'requestCert' | 'rejectUnauthorized'>,
  limits: Partial<ListenerLimits> = {},
): https.Server {
  const l = { ...DEFAULT_LISTENER_LIMITS, ...limits };
  const server = https.createServer({
    ...tls, handshakeTimeout: l.handshakeMs,
    keepAliveTimeout: l.idleMs, headersTimeout: Math.min(l.headersMs, l.requestMs), requestTimeout: l.requestMs,
    connectionsCheckingInterval: Math.max(20, Math.min(1000, Math.floor(l.headersMs / 4))),
  });
  server.maxConnections = l.maxConnections;
  server.on('secureConnection', (s: net.Socket) => {
    s.setTimeout(l.headersMs, () => s.destroy());
    s.once('data', () => s.setTimeout(0));
  });
  return server;
}
