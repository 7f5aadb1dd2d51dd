// What compiled policies of an instance use at run time: managed identity tokens (a per-instance cache
// in front of the Entra plane's own), rate-limit counters (behind an interface: memory now, Redis
// later), backends, and the backend client.
import type { BackendConfig } from '../config.js';
import type { BackendClient } from './backend.js';
import type { Logger } from '../../common/log.js';
import type { GatewayMetrics } from './metrics.js';
import type { JsonSchemaTable } from '../policies/validation/json-schemas.js';
import type { XmlSchemaTable } from '../policies/validation/xml-schemas.js';
import type { CertificateTable } from './certificates.js';
import type { X509Certificate } from 'node:crypto';
import type { CacheStore } from './cache.js';
import type { ConcurrencyLimiter, QuotaCounters } from './limits.js';

/** The Entra plane's in-process token API (ManagedIdentities.tokenFor). */
export interface ManagedIdentityTokens {
  tokenFor(resourceId: string, selector: { clientId?: string }, audience: string): Promise<{ token: { accessToken: string; expiresOn: number } }>;
}

/** Sliding-window counters. Implementations may answer synchronously (memory) or not (Redis). */
export interface CounterStore {
  /** Counts `count` calls on `key` unless that would exceed `limit` in the last `windowMs`. */
  hit(key: string, limit: number, windowMs: number, count: number): CounterResult | Promise<CounterResult>;
}
export interface CounterResult { allowed: boolean; remaining: number; retryAfterMs: number }

const MAX_KEYS = 100_000;
const MAX_WINDOW_MS = 300_000;

/** Exact sliding log per key (bounded by the limit), in this process. */
export class MemoryCounterStore implements CounterStore {
  private readonly logs = new Map<string, number[]>();
  hit(key: string, limit: number, windowMs: number, count: number): CounterResult {
    const now = Date.now();
    if (this.logs.size > MAX_KEYS) this.sweep(now, windowMs);
    let log = this.logs.get(key);
    if (!log) { log = []; this.logs.set(key, log); }
    let drop = 0;
    while (drop < log.length && log[drop] <= now - windowMs) drop++;
    if (drop > 0) log.splice(0, drop);
    if (log.length + count > limit) {
      const oldest = log[Math.max(0, log.length + count - limit - 1)] ?? now;
      return { allowed: false, remaining: Math.max(0, limit - log.length), retryAfterMs: Math.max(1, oldest + windowMs - now) };
    }
    for (let i = 0; i < count; i++) log.push(now);
    return { allowed: true, remaining: limit - log.length, retryAfterMs: 0 };
  }

  /** Drops keys with no call in the last window (rate-limit-by-key on client addresses makes many). */
  private sweep(now: number, windowMs: number): void {
    for (const [k, log] of this.logs) if (log.length === 0 || log[log.length - 1] <= now - Math.max(windowMs, MAX_WINDOW_MS)) this.logs.delete(k);
  }
}

/**
 * Tokens are re-asked of Entra (which re-checks the identity is still assigned) every REVALIDATE_MS per
 * (identity, resource), in the background: requests in between read a Map and never wait.
 */
const REVALIDATE_MS = 30_000;
/** Stop using a token this long before it expires. */
const EXPIRY_MARGIN_MS = 5 * 60_000;

export class TokenCache {
  private readonly cache = new Map<string, { token: string; header: string; revalidateAt: number; validUntil: number }>();
  private readonly pending = new Map<string, Promise<string>>();
  constructor(private readonly instanceId: string, private readonly source: ManagedIdentityTokens | undefined) {}

  /** `Bearer {token}`, synchronously when cached (one flat string, built once per token). */
  header(clientId: string | undefined, resource: string): string | Promise<string> {
    const key = clientId === undefined ? resource : `${clientId}|${resource}`;
    const hit = this.cache.get(key);
    if (hit !== undefined) {
      const now = Date.now();
      if (hit.validUntil > now && hit.revalidateAt > now) return hit.header;
    }
    const t = this.get(clientId, resource);
    if (typeof t === 'string') return this.cache.get(key)?.header ?? `Bearer ${t}`;
    return t.then((tok) => this.cache.get(key)?.header ?? `Bearer ${tok}`);
  }

  /** The access token, synchronously when cached. */
  get(clientId: string | undefined, resource: string): string | Promise<string> {
    const key = clientId === undefined ? resource : `${clientId}|${resource}`;
    const hit = this.cache.get(key);
    if (hit !== undefined) {
      const now = Date.now();
      if (hit.validUntil > now) {
        if (hit.revalidateAt < now && !this.pending.has(key)) {
          this.fetch(key, clientId, resource).catch(() => { this.cache.delete(key); });
        }
        return hit.token;
      }
    }
    return this.pending.get(key) ?? this.fetch(key, clientId, resource);
  }

  private fetch(key: string, clientId: string | undefined, resource: string): Promise<string> {
    const p = (async () => {
      if (!this.source) throw new Error('managed identities are not available to this gateway');
      const { token } = await this.source.tokenFor(this.instanceId, clientId ? { clientId } : {}, resource);
      const now = Date.now();
      this.cache.set(key, { token: token.accessToken, header: flat(`Bearer ${token.accessToken}`), revalidateAt: now + REVALIDATE_MS, validUntil: token.expiresOn * 1000 - EXPIRY_MARGIN_MS });
      return token.accessToken;
    })().finally(() => this.pending.delete(key));
    this.pending.set(key, p);
    return p;
  }

  clear(): void { this.cache.clear(); }
}

/** A sequential (flat) copy of a string: written to sockets without flattening a rope each time. */
function flat(s: string): string {
  return Buffer.from(s, 'latin1').toString('latin1');
}

/** An event of log-to-eventhub: its text (already truncated) and where in the hub it goes. */
export interface LoggedEvent { body: string; partitionId?: string; partitionKey?: string }

/**
 * Where log-to-eventhub's events go: queued, sent off the request path. Returns the logger's last error
 * (for the trace), if it has one; never throws, never waits.
 */
export interface EventHubSink {
  log(instanceId: string, loggerId: string, e: LoggedEvent): string | undefined;
}

export interface InstanceServices {
  instanceId: string;
  tokens: TokenCache;
  backends: Map<string, BackendConfig>;
  /** The `certificates` entities (authentication-certificate, validate-jwt and validate-client-certificate). */
  certificates: CertificateTable;
  /** Trust anchors and intermediates for client certificates (the system's roots and the instance's CA certificates). */
  trustedCertificates?: { roots: X509Certificate[]; intermediates: X509Certificate[] };
  counters: CounterStore;
  /** The built-in cache (shared by every process of the server; keys carry the instance id). */
  cache: CacheStore;
  /** The external cache of the instance's `caches` resource, when it has one. */
  externalCache: CacheStore | undefined;
  quotas: QuotaCounters;
  concurrency: ConcurrencyLimiter;
  client: BackendClient;
  logger: Logger;
  eventHubs: EventHubSink;
  /** The instance's loggers by lower-cased id (log-to-eventhub checks its logger-id against them). */
  loggers: Map<string, import('../config.js').LoggerConfig>;
  /** This process's metrics (emit-metric); absent: metrics are not kept. */
  metrics?: GatewayMetrics;
  /** The instance's region (emit-metric's "Location"); absent or '' when unknown. */
  location?: string;
  /** This server's Entra authority host (validate-azure-ad-token); absent: unknown. */
  entraAuthority?: string;
  /** The instance's JSON schemas (validate-content, validate-parameters); absent: none. */
  schemas?: JsonSchemaTable;
  /** The instance's XML schemas (validate-content as xml or soap); absent: none. */
  xmlSchemas?: XmlSchemaTable;
}
