// The caches the caching policies use: the built-in (internal) cache, one per server process, bounded by
// memory and evicting the least recently used entry (gateway workers reach it through the server process,
// so every process sees one cache, as every unit of an API Management region shares one); and the
// external cache, a Redis server named by the instance's `caches` resource (Azure Cache for Redis in Azure).
// Entries are strings (serialized values and responses) with a time to live.
import type { Logger } from '../../common/log.js';

export interface CacheStore {
  /** The entry, or undefined when absent or expired. */
  get(key: string): string | undefined | Promise<string | undefined>;
  set(key: string, value: string, ttlMs: number): void | Promise<void>;
  delete(key: string): void | Promise<void>;
}

/** 64 MiB of keys and values by default (`--gateway-cache-mb` is not a flag: the built-in cache is the gateway's). */
export const DEFAULT_CACHE_BYTES = 64 * 1024 * 1024;
/** A single entry larger than this is not kept (it would evict most of the cache). */
const MAX_ENTRY_FRACTION = 8;

interface Entry { value: string; expires: number; bytes: number }

/**
 * Least recently used first out, bounded by the bytes of keys and values (UTF-16 size, what the strings
 * occupy). A Map keeps insertion order: a hit re-inserts its entry, so the first key is the oldest used.
 */
export class MemoryCache implements CacheStore {
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;
  constructor(private readonly maxBytes = DEFAULT_CACHE_BYTES, private readonly now: () => number = Date.now) {}

  get(key: string): string | undefined {
    const e = this.entries.get(key);
    if (e === undefined) return undefined;
    if (e.expires <= this.now()) { this.remove(key, e); return undefined; }
    this.entries.delete(key);
    this.entries.set(key, e);
    return e.value;
  }

  set(key: string, value: string, ttlMs: number): void {
    const old = this.entries.get(key);
    if (old !== undefined) this.remove(key, old);
    const bytes = 2 * (key.length + value.length) + 64;
    if (ttlMs <= 0 || bytes > this.maxBytes / MAX_ENTRY_FRACTION) return;
    this.entries.set(key, { value, expires: this.now() + ttlMs, bytes });
    this.bytes += bytes;
    for (const [k, e] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.remove(k, e);
    }
  }

  delete(key: string): void {
    const e = this.entries.get(key);
    if (e !== undefined) this.remove(key, e);
  }

  /** Entries and bytes held (tests, diagnostics). */
  get size(): { entries: number; bytes: number } { return { entries: this.entries.size, bytes: this.bytes }; }

  private remove(key: string, e: Entry): void {
    this.entries.delete(key);
    this.bytes -= e.bytes;
  }
}

/**
 * A Redis connection string as API Management takes it (StackExchange.Redis configuration:
 * `host:port,password=...,ssl=True,abortConnect=False`), or a `redis://` / `rediss://` URL.
 */
export function redisUrl(connectionString: string): string {
  const s = connectionString.trim();
  if (/^rediss?:\/\//i.test(s)) return s;
  const parts = s.split(',').map((p) => p.trim()).filter(Boolean);
  let endpoint: string | undefined;
  let password: string | undefined;
  let user: string | undefined;
  let tls = false;
  let db: string | undefined;
  for (const p of parts) {
    const eq = p.indexOf('=');
    if (eq === -1) { endpoint ??= p; continue; }
    const k = p.slice(0, eq).trim().toLowerCase();
    const v = p.slice(eq + 1).trim();
    if (k === 'password') password = v;
    else if (k === 'user') user = v;
    else if (k === 'ssl') tls = v.toLowerCase() === 'true';
    else if (k === 'defaultdatabase') db = v;
  }
  if (endpoint === undefined) throw new Error('the connection string names no Redis endpoint (host:port)');
  const [host, port] = endpoint.includes(':') ? [endpoint.slice(0, endpoint.lastIndexOf(':')), endpoint.slice(endpoint.lastIndexOf(':') + 1)] : [endpoint, tls ? '6380' : '6379'];
  if (!/^\d+$/.test(port)) throw new Error(`'${endpoint}' is not host:port`);
  const auth = password !== undefined ? `${encodeURIComponent(user ?? '')}:${encodeURIComponent(password)}@` : '';
  return `${tls ? 'rediss' : 'redis'}://${auth}${host}:${port}${db !== undefined && /^\d+$/.test(db) ? `/${db}` : ''}`;
}

/** How long a cache call may take before the policy treats the cache as unavailable. */
const REDIS_TIMEOUT_MS = 2000;

function makeClient(redis: typeof import('redis'), url: string) {
  return redis.createClient({
    url,
    socket: { connectTimeout: REDIS_TIMEOUT_MS, reconnectStrategy: (retries) => Math.min(100 * 2 ** retries, 5000) },
    disableOfflineQueue: true,
  });
}
type RedisClient = ReturnType<typeof makeClient>;

/**
 * The external cache: one Redis client per instance and process, keys prefixed with the instance's name
 * (instances of that name share entries; others never see them). A Redis that does not answer is a miss
 * (lookup) or a skipped store, as API Management carries on when its cache is unreachable; the failure
 * is logged once per outage, never with the connection string.
 */
export class RedisCache implements CacheStore {
  /** The client, once the `redis` module is loaded (on first use: servers without an external cache never load it). */
  private client: RedisClient | undefined;
  private closed = false;
  private failing = false;
  private connecting: Promise<void> | undefined;

  constructor(connectionString: string, private readonly prefix: string, private readonly logger: Logger) {
    const url = redisUrl(connectionString);
    // The first calls wait for the first connection (up to REDIS_TIMEOUT_MS); later ones never wait for one.
    const connected = import('redis').then(async (redis) => {
      if (this.closed) return;
      const client = makeClient(redis, url);
      client.on('error', (e: Error) => this.failed(e));
      this.client = client;
      await client.connect();
    }).catch((e: Error) => this.failed(e));
    this.connecting = Promise.race([connected, new Promise<void>((resolve) => setTimeout(resolve, REDIS_TIMEOUT_MS).unref())])
      .finally(() => { this.connecting = undefined; });
  }

  private failed(e: Error): void {
    this.connecting = undefined;
    if (this.failing) return;
    this.failing = true;
    this.logger.error(`external cache (Redis) unavailable: ${e.message.replace(/\/\/[^@/]*@/g, '//***@')}`);
  }

  private async call<T>(op: (client: RedisClient) => Promise<T>, fallback: T): Promise<T> {
    if (this.connecting !== undefined) await this.connecting;
    // Not connected (any more): a miss or a skipped store at once, never a request left waiting.
    const client = this.client;
    if (client === undefined || !client.isReady) return fallback;
    let timer: NodeJS.Timeout | undefined;
    try {
      const r = await Promise.race([op(client), new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error('timed out')), REDIS_TIMEOUT_MS); })]);
      this.failing = false;
      return r;
    } catch (e) {
      this.failed(e instanceof Error ? e : new Error(String(e)));
      return fallback;
    } finally {
      clearTimeout(timer);
    }
  }

  get(key: string): Promise<string | undefined> {
    return this.call(async (c) => (await c.get(this.prefix + key)) ?? undefined, undefined);
  }

  set(key: string, value: string, ttlMs: number): Promise<void> {
    if (ttlMs <= 0) return Promise.resolve();
    return this.call(async (c) => { await c.set(this.prefix + key, value, { expiration: { type: 'PX', value: Math.ceil(ttlMs) } }); }, undefined);
  }

  delete(key: string): Promise<void> {
    return this.call(async (c) => { await c.del(this.prefix + key); }, undefined);
  }

  /** Closes the connection, or stops trying to make one (a Redis that never answered). */
  async close(): Promise<void> {
    this.closed = true;
    const client = this.client;
    if (client === undefined) return;
    try {
      if (client.isReady) await client.close();
      else if (client.isOpen) client.destroy();
    } catch { /* closing anyway */ }
  }
}
