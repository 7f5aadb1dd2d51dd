// One instance's gateway as one process serves it: its compiled configuration, the services its policies
// use, and the HTTP(S) server for the connections this process was handed. The server process and every
// gateway worker hold one per instance, built from the same InstanceConfig.
import { randomUUID } from 'node:crypto';
import type net from 'node:net';
import type { Logger } from '../common/log.js';
import type { CacheConfig, InstanceConfig } from './config.js';
import { RedisCache, type CacheStore } from './runtime/cache.js';
import type { ConcurrencyLimiter, QuotaCounters } from './runtime/limits.js';
import { socketServer, type ListenerLimits, type SocketServer } from './listener.js';
import { GatewayContext } from './runtime/context.js';
import type { BackendClient } from './runtime/backend.js';
import { CompiledInstance } from './runtime/instance.js';
import { handleRequest, serveTrace } from './runtime/pipeline.js';
import { NOT_FOUND, internalError, sendAnswer } from './runtime/answers.js';
import type { TraceSink } from './runtime/trace.js';
import type { GatewayMetrics } from './runtime/metrics.js';
import { JsonSchemaTable } from './policies/validation/json-schemas.js';
import { XmlSchemaTable } from './policies/validation/xml-schemas.js';
import { CertificateTable, trustStore } from './runtime/certificates.js';
import { TokenCache, type CounterStore, type EventHubSink, type InstanceServices, type ManagedIdentityTokens } from './runtime/services.js';

export interface InstanceServerOptions {
  tls: { cert: string; key: string };
  logger: Logger;
  /** Managed identity tokens: the Entra plane (server process) or a worker's line to it. */
  tokens: ManagedIdentityTokens | undefined;
  counters: CounterStore;
  /** The built-in cache: the server process's, or a worker's line to it. */
  cache: CacheStore;
  quotas: QuotaCounters;
  concurrency: ConcurrencyLimiter;
  client: BackendClient;
  traces: TraceSink;
  /** log-to-eventhub's events: the server's loggers, or a worker's line to them. */
  eventHubs: EventHubSink;
  /** This process's gateway metrics (request metrics, emit-metric); absent: none kept. */
  metrics?: GatewayMetrics;
  /** Timeouts and the connection cap of the gateway port (defaults: DEFAULT_LISTENER_LIMITS). */
  limits?: Partial<ListenerLimits>;
}

export class InstanceServer {
  readonly services: InstanceServices;
  private compiled: CompiledInstance | undefined;
  /** The last configuration could not be compiled at all: every call answers 500 (never stale or unchecked). */
  private failure: string[] | undefined;
  private readonly server: SocketServer;
  /** The external cache in use and the connection string it was made from. */
  private redis: { cache: RedisCache; connectionString: string } | undefined;

  constructor(readonly resourceId: string, o: InstanceServerOptions) {
    this.services = {
      instanceId: resourceId, tokens: new TokenCache(resourceId, o.tokens), backends: new Map(), certificates: new CertificateTable(),
      counters: o.counters, cache: o.cache, externalCache: undefined, quotas: o.quotas, concurrency: o.concurrency,
      client: o.client, logger: o.logger, metrics: o.metrics, location: '', eventHubs: o.eventHubs, loggers: new Map(),
    };
    const metrics = o.metrics;
    const traces = o.traces;
    this.server = socketServer(o.tls, (req, res, secure) => {
      const ctx = new GatewayContext(req, res, secure);
      ctx.instanceId = resourceId;
      ctx.certificates = this.services.certificates;
      // Request metrics when the answer is complete: by API and operation once routed ('' before).
      if (metrics) res.once('finish', () => metrics.request(resourceId, ctx.api?.name ?? '', ctx.operation?.name ?? '', res.statusCode, (Date.now() - ctx.started) / 1000));
      if (serveTrace(ctx, traces, this.compiled)) return;
      if (this.failure !== undefined) { req.resume(); sendAnswer(res, 500, internalError(randomUUID())); return; }
      const compiled = this.compiled;
      // No configuration yet: API Management answers every call with its 404.
      if (compiled === undefined) { req.resume(); sendAnswer(res, 404, NOT_FOUND); return; }
      handleRequest(compiled, ctx, traces);
    }, o.limits);
  }

  /** Compiles a configuration and serves it from the next request on; returns the problems found. */
  apply(config: InstanceConfig): string[] {
    // Certificates first: they are served whatever becomes of the rest of the configuration.
    const tlsProblems = this.server.setCertificates(config.hostnames);
    this.services.location = typeof config.location === 'string' ? config.location : '';
    this.services.entraAuthority = typeof config.entraAuthority === 'string' ? config.entraAuthority.replace(/\/+$/, '') : undefined;
    this.services.schemas = new JsonSchemaTable(Array.isArray(config.schemas) ? config.schemas : []);
    this.services.xmlSchemas = new XmlSchemaTable(Array.isArray(config.schemas) ? config.schemas : []);
    this.services.backends = new Map(config.backends.map((b) => [b.name.toLowerCase(), b]));
    this.services.certificates = new CertificateTable(Array.isArray(config.certificates) ? config.certificates : []);
    try {
      this.services.trustedCertificates = trustStore(Array.isArray(config.caCertificates) ? config.caCertificates : []);
    } catch {
      this.services.trustedCertificates = trustStore([]);
    }
    this.services.loggers = new Map((config.loggers ?? []).map((l) => [l.name.toLowerCase(), l]));
    this.services.tokens.clear();
    this.useExternalCache(config);
    let compiled: CompiledInstance;
    try {
      compiled = new CompiledInstance(config, this.services);
    } catch (e) {
      // Entities compile one by one (CompiledInstance); this is for what nobody foresaw.
      this.compiled = undefined;
      this.failure = [`the configuration could not be compiled: ${e instanceof Error ? e.message : String(e)}`];
      return [...tlsProblems, ...this.failure];
    }
    this.compiled = compiled;
    this.failure = undefined;
    return [...tlsProblems, ...compiled.problems];
  }

  /**
   * The external cache: the `caches` entry for location 'default' (this gateway runs in one location),
   * else the first one. A changed connection string gets a new client; the old one is closed.
   */
  private useExternalCache(config: InstanceConfig): void {
    const caches: CacheConfig[] = config.caches ?? [];
    const chosen = caches.find((c) => c.useFromLocation.toLowerCase() === 'default') ?? caches[0];
    if (this.redis && this.redis.connectionString === chosen?.connectionString) return;
    void this.redis?.cache.close();
    this.redis = undefined;
    this.services.externalCache = undefined;
    if (!chosen) return;
    try {
      const cache = new RedisCache(chosen.connectionString, `${config.name.toLowerCase()}:`, this.services.logger);
      this.redis = { cache, connectionString: chosen.connectionString };
      this.services.externalCache = cache;
    } catch (e) {
      this.services.logger.error(`gateway ${config.name}: external cache '${chosen.name}' cannot be used: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  get problems(): string[] { return this.failure ?? this.compiled?.problems ?? []; }

  serve(socket: net.Socket): void { this.server.serve(socket); }

  /** Ends this process's connections to the instance. */
  close(): void {
    this.server.closeAll();
    void this.redis?.cache.close();
    this.redis = undefined;
  }
}
