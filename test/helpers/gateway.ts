// Gateway test helpers: a policy document around an inbound section, a backend that verifies the bearer
// tokens it receives with jose (createRemoteJWKSet from the server's discovery document) and answers
// what it saw, and an HTTP call on a connection of its own (undici Client per call, closed after it).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from 'undici';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { request, type TestServer } from './server.js';

export const policyXml = (inbound: string, outbound = '') => `<policies>
  <inbound>
    <base />
    ${inbound}
  </inbound>
  <backend><base /></backend>
  <outbound>
    <base />
    ${outbound}
  </outbound>
  <on-error><base /></on-error>
</policies>`;

/** What the verifying backend answers (200, JSON) for every request. */
export interface BackendAnswer {
  /** 'none' (no Authorization header), 'valid' (verified for the audience) or 'invalid'. */
  token: 'none' | 'valid' | 'invalid';
  oid?: unknown;
  aud?: unknown;
  error?: string;
  path: string;
  headers: http.IncomingHttpHeaders;
}

export interface VerifyingBackend {
  url: string;
  /** Requests received so far. */
  count(): number;
  close(): Promise<void>;
}

/** A plain-HTTP backend that verifies bearer tokens for `audience` against the server's v2.0 discovery document. */
export async function startVerifyingBackend(server: TestServer, audience: string): Promise<VerifyingBackend> {
  const discovery = (await request(`${server.connection.authorityHost}/${server.connection.tenantId}/v2.0/.well-known/openid-configuration`)).body;
  const jwks = createRemoteJWKSet(new URL(discovery.jwks_uri));
  let n = 0;
  const backend = http.createServer((req, res) => {
    n++;
    req.resume();
    const send = (a: Omit<BackendAnswer, 'path' | 'headers'>) => {
      const body: BackendAnswer = { ...a, path: req.url!, headers: req.headers };
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const m = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
    if (!m) return send({ token: 'none' });
    jwtVerify(m[1], jwks, { audience }).then(
      ({ payload }) => send({ token: 'valid', oid: payload.oid, aud: payload.aud }),
      (e) => send({ token: 'invalid', error: String(e) }),
    );
  });
  await new Promise<void>((r) => backend.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(backend.address() as AddressInfo).port}`,
    count: () => n,
    close: () => new Promise<void>((r) => { backend.close(() => r()); backend.closeAllConnections(); }),
  };
}

export interface FreshResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The body parsed as JSON, or undefined. */
  json: any;
}

/**
 * One request on a new connection (a new undici Client), which is closed afterwards. timeoutMs bounds
 * the connection (TCP and TLS handshake), the wait for the headers and for body data (undici: 10 s, 300 s, 300 s).
 */
export async function freshRequest(url: string, init: { method?: string; headers?: Record<string, string>; body?: string; timeoutMs?: number } = {}): Promise<FreshResponse> {
  const u = new URL(url);
  const t = init.timeoutMs;
  const client = new Client(u.origin, t === undefined ? {} : { connect: { timeout: t }, headersTimeout: t, bodyTimeout: t });
  try {
    const r = await client.request({ path: u.pathname + u.search, method: (init.method ?? 'GET') as any, headers: init.headers, body: init.body });
    const text = await r.body.text();
    let json: any;
    try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
    return { status: r.statusCode, headers: r.headers, text, json };
  } finally {
    await client.destroy();
  }
}
