// Caching policies (Microsoft Learn, "Get from cache" cache-lookup, "Store to cache" cache-store,
// "Get value from cache" cache-lookup-value, "Store value in cache" cache-store-value, "Remove value from
// cache" cache-remove-value): responses and values in the built-in cache or the instance's external
// (Redis) cache, chosen by caching-type. Response caching: GET only; a hit answers from the cache, skips
// the backend, and resumes the outbound section after cache-store (runtime/pipeline.ts).
import { PolicyError, type PolicyDefinition, type Read, type Run } from '../policy/types.js';
import { bool, intAtLeast, oneOf } from '../policy/parse.js';
import type { XNode } from '../policy/xml.js';
import { GatewayResponse, type GatewayContext } from '../runtime/context.js';
import { BackendStream } from '../runtime/backend.js';
import type { CacheStore } from '../runtime/cache.js';
import type { InstanceServices } from '../runtime/services.js';
import { JToken, parseJson } from '../expressions/dotnet/json.js';

const CACHING_TYPES = ['prefer-external', 'external', 'internal'] as const;
type CachingType = (typeof CACHING_TYPES)[number];
const DOWNSTREAM = ['none', 'private', 'public'] as const;
type Downstream = (typeof DOWNSTREAM)[number];
const downstreamType = oneOf(DOWNSTREAM);

/**
 * The cache for caching-type: internal is the built-in one; external the instance's `caches` one (none
 * configured: the policy's error, as nothing can be cached where the document says); prefer-external the
 * external one when configured, else the built-in one. Built-in keys carry the instance id.
 */
function cacheFor(type: CachingType, services: InstanceServices): { store: CacheStore; prefix: string } | undefined {
  const external = services.externalCache;
  if (type === 'external' || (type === 'prefer-external' && external !== undefined)) return external && { store: external, prefix: '' };
  return { store: services.cache, prefix: `${services.instanceId.toLowerCase()}|` };
}

function cachingType(node: XNode): CachingType {
  return (node.attrs['caching-type']?.trim().toLowerCase() ?? 'prefer-external') as CachingType;
}

const NO_EXTERNAL = () => new PolicyError('CacheNotConfigured', "Cache of type 'external' is not configured for this API Management service.");

// ---- values (cache-*-value) ----

/** A value as the cache keeps it: its .NET kind and its text, so a lookup gives back the type stored. */
type Stored = { s: string } | { n: number } | { i: string } | { b: boolean } | { j: string } | { y: string } | { z: null };

export function serializeValue(v: unknown): string {
  let e: Stored;
  if (v === null || v === undefined) e = { z: null };
  else if (typeof v === 'string') e = { s: v };
  else if (typeof v === 'number') e = { n: v };
  else if (typeof v === 'bigint') e = { i: v.toString() };
  else if (typeof v === 'boolean') e = { b: v };
  else if (v instanceof JToken) e = { j: v.toJson(false) };
  else if (v instanceof Uint8Array) e = { y: Buffer.from(v).toString('base64') };
  else e = { s: String(v) };
  return JSON.stringify(e);
}

export function deserializeValue(text: string): unknown {
  const e = JSON.parse(text) as Record<string, unknown>;
  if ('s' in e) return e.s;
  if ('n' in e) return e.n;
  if ('i' in e) return BigInt(e.i as string);
  if ('b' in e) return e.b;
  if ('j' in e) return parseJson(e.j as string);
  if ('y' in e) return new Uint8Array(Buffer.from(e.y as string, 'base64'));
  return null;
}

/** duration in seconds: a non-negative int (0 stores nothing). */
const seconds = intAtLeast(0, 'duration');

const cacheLookupValue: PolicyDefinition = {
  name: 'cache-lookup-value',
  sections: ['inbound', 'backend', 'outbound', 'on-error'],
  schema: {
    attrs: {
      key: { required: true, expr: true }, 'variable-name': { required: true }, 'default-value': { expr: true },
      'caching-type': { values: CACHING_TYPES },
    },
  },
  compile(node, c): Run {
    const key = c.attr(node, 'key')!;
    const variable = node.attrs['variable-name'];
    const fallback = c.object(node, 'default-value');
    const type = cachingType(node);
    const services = c.services;
    // A miss assigns default-value, or null when there is none (the reference page's default).
    const assign = (ctx: GatewayContext, text: string | undefined) => {
      ctx.variables.set(variable, text !== undefined ? deserializeValue(text) : fallback ? fallback(ctx) : null);
    };
    return (ctx) => {
      const cache = cacheFor(type, services);
      if (!cache) throw NO_EXTERNAL();
      const k = key(ctx);
      const r = cache.store.get(cache.prefix + k);
      if (r instanceof Promise) return r.then((t) => assign(ctx, t));
      assign(ctx, r);
    };
  },
};

const cacheStoreValue: PolicyDefinition = {
  name: 'cache-store-value',
  sections: ['inbound', 'backend', 'outbound', 'on-error'],
  schema: {
    attrs: {
      key: { required: true, expr: true }, value: { required: true, expr: true }, duration: { required: true, type: 'int', expr: true },
      'caching-type': { values: CACHING_TYPES },
    },
  },
  compile(node, c): Run {
    const key = c.attr(node, 'key')!;
    const value = c.object(node, 'value')!;
    const duration = c.read(node, 'duration', seconds)!;
    const type = cachingType(node);
    const services = c.services;
    return (ctx) => {
      const cache = cacheFor(type, services);
      if (!cache) throw NO_EXTERNAL();
      const r = cache.store.set(cache.prefix + key(ctx), serializeValue(value(ctx)), duration(ctx) * 1000);
      if (r instanceof Promise) return r;
    };
  },
};

const cacheRemoveValue: PolicyDefinition = {
  name: 'cache-remove-value',
  sections: ['inbound', 'backend', 'outbound', 'on-error'],
  schema: { attrs: { key: { required: true, expr: true }, 'caching-type': { values: CACHING_TYPES } } },
  compile(node, c): Run {
    const key = c.attr(node, 'key')!;
    const type = cachingType(node);
    const services = c.services;
    return (ctx) => {
      const cache = cacheFor(type, services);
      if (!cache) throw NO_EXTERNAL();
      const r = cache.store.delete(cache.prefix + key(ctx));
      if (r instanceof Promise) return r;
    };
  },
};

// ---- responses (cache-lookup, cache-store) ----

/** What cache-lookup found out for cache-store: where the response goes and how downstream may cache it. */
interface Lookup {
  key: string;
  store: CacheStore;
  downstream: Downstream;
  mustRevalidate: boolean;
  hit: boolean;
}
const lookups = new WeakMap<GatewayContext, Lookup>();

/** A cached response: status, reason, headers (without hop-by-hop and length), body, expiry. */
interface CachedResponse { status: number; reason?: string; headers: Record<string, string | string[]>; body: string; expires: number }

/** The largest body cache-store keeps (the built-in cache keeps no entry over an eighth of its size). */
const MAX_CACHED_BODY = 4 * 1024 * 1024;

const NOT_STORED = new Set(['connection', 'keep-alive', 'transfer-encoding', 'proxy-connection', 'upgrade', 'trailer', 'content-length', 'set-cookie']);

/** Cache-Control for the client when downstream caching is allowed (private or public), for `maxAge` seconds. */
function downstreamHeaders(r: GatewayResponse, l: Lookup, maxAge: number): void {
  if (l.downstream === 'none') return;
  r.headers['cache-control'] = `${l.downstream}, max-age=${Math.max(0, Math.floor(maxAge))}${l.mustRevalidate ? ', must-revalidate' : ''}`;
}

/** The query part of the key: the listed parameters (`a;b` lists several), or the whole query when none are. */
function queryPart(ctx: GatewayContext, names: string[] | undefined): string {
  const url = ctx.req.url ?? '';
  const q = url.indexOf('?');
  const params = new URLSearchParams(q === -1 ? '' : url.slice(q + 1));
  const list = names ?? [...new Set([...params.keys()])].sort();
  return list.map((n) => `${encodeURIComponent(n)}=${params.getAll(n).map(encodeURIComponent).join(',')}`).join('&');
}

const cacheLookup: PolicyDefinition = {
  name: 'cache-lookup',
  sections: ['inbound'],
  schema: {
    attrs: {
      'vary-by-developer': { required: true, type: 'bool', expr: true },
      'vary-by-developer-groups': { required: true, type: 'bool', expr: true },
      'caching-type': { values: CACHING_TYPES },
      'downstream-caching-type': { values: DOWNSTREAM, expr: true },
      'must-revalidate': { type: 'bool', expr: true },
      'allow-private-response-caching': { type: 'bool', expr: true },
    },
    children: { 'vary-by-header': { text: true }, 'vary-by-query-parameter': { text: true } },
  },
  oncePerSection: true,
  compile(node, c): Run {
    const flag = (name: string, dflt: boolean): Read<boolean> => c.read(node, name, bool) ?? (() => dflt);
    const byDeveloper = flag('vary-by-developer', false);
    const byGroups = flag('vary-by-developer-groups', false);
    const mustRevalidate = flag('must-revalidate', true);
    const allowPrivate = flag('allow-private-response-caching', false);
    const downstream: Read<Downstream> = c.read(node, 'downstream-caching-type', downstreamType) ?? (() => 'none');
    const type = cachingType(node);
    const headers = node.children.filter((n) => n.name === 'vary-by-header').map((n) => n.text.trim().toLowerCase()).filter(Boolean);
    const queryNodes = node.children.filter((n) => n.name === 'vary-by-query-parameter');
    const query = queryNodes.length === 0 ? undefined
      : [...new Set(queryNodes.flatMap((n) => n.text.split(';').map((p) => p.trim()).filter(Boolean)))].sort();
    const services = c.services;
    return (ctx) => {
      // Only GET is looked up; a request with credentials only when private responses may be cached.
      if (ctx.req.method !== 'GET') return;
      if (ctx.headers.authorization !== undefined && !allowPrivate(ctx)) return;
      const cache = cacheFor(type, services);
      if (!cache) throw NO_EXTERNAL();
      const url = ctx.req.url ?? '';
      const q = url.indexOf('?');
      const sub = ctx.subscription;
      const parts = [
        'response', ctx.api.name, ctx.operation.name, q === -1 ? url : url.slice(0, q), queryPart(ctx, query),
        headers.map((h) => `${h}:${ctx.header(h) ?? ''}`).join('\n'),
        byDeveloper(ctx) ? `developer:${sub ? sub.ownerId || '1' : ''}` : '',
        // Every developer is in the built-in Developers group; callers without a subscription are Guests.
        byGroups(ctx) ? `groups:${sub ? 'developers' : 'guests'}` : '',
      ];
      const lookup: Lookup = { key: cache.prefix + JSON.stringify(parts), store: cache.store, downstream: downstream(ctx), mustRevalidate: mustRevalidate(ctx), hit: false };
      lookups.set(ctx, lookup);
      const found = (text: string | undefined): void => {
        if (text === undefined) return;
        let cached: CachedResponse;
        try { cached = JSON.parse(text) as CachedResponse; } catch { return; }
        const now = Date.now();
        if (cached.expires <= now) return;
        const r = new GatewayResponse(cached.status, { ...cached.headers });
        if (cached.reason !== undefined) r.reason = cached.reason;
        r.body = Buffer.from(cached.body, 'base64');
        downstreamHeaders(r, lookup, (cached.expires - now) / 1000);
        lookup.hit = true;
        ctx.response = r;
        ctx.resumeAfter = 'cache-store';
      };
      const r = lookup.store.get(lookup.key);
      if (r instanceof Promise) return r.then(found);
      found(r);
    };
  },
};

const cacheStore: PolicyDefinition = {
  name: 'cache-store',
  sections: ['outbound'],
  schema: { attrs: { duration: { required: true, type: 'int', expr: true }, 'cache-response': { type: 'bool', expr: true } } },
  oncePerSection: true,
  compile(node, c): Run {
    const duration = c.read(node, 'duration', seconds)!;
    const cacheResponse = c.read(node, 'cache-response', bool) ?? (() => false);
    return (ctx) => {
      const l = lookups.get(ctx);
      const r = ctx.response;
      if (l === undefined || l.hit || r === undefined) return;
      // Only 200 OK is stored, unless cache-response says to store whatever the response is.
      if (r.status !== 200 && !cacheResponse(ctx)) return;
      const seconds = duration(ctx);
      downstreamHeaders(r, l, seconds);
      if (seconds <= 0) return;
      const store = (body: Buffer | string | undefined): void | Promise<void> => {
        const headers: Record<string, string | string[]> = {};
        for (const [k, v] of Object.entries(r.headers)) if (!NOT_STORED.has(k)) headers[k] = v;
        const entry: CachedResponse = {
          status: r.status, ...(r.reason !== undefined ? { reason: r.reason } : {}), headers,
          body: (typeof body === 'string' ? Buffer.from(body) : body ?? Buffer.alloc(0)).toString('base64'), expires: Date.now() + seconds * 1000,
        };
        return l.store.set(l.key, JSON.stringify(entry), seconds * 1000);
      };
      const body = r.body;
      // An answer too big for the cache is sent as it comes, never read into memory to be refused there.
      const length = Number(r.headers['content-length']);
      if (Number.isFinite(length) && length > MAX_CACHED_BODY) return;
      if (body instanceof BackendStream) {
        return body.readAll().then((b) => { r.body = b; return store(b); });
      }
      return store(body);
    };
  },
};

export const cachingPolicies: PolicyDefinition[] = [cacheLookup, cacheStore, cacheLookupValue, cacheStoreValue, cacheRemoveValue];
