// The API Management data plane: one listener per instance, at the instance's gatewayUrl
// (https://localhost:{port}, stable across restarts; plain http on the same port for APIs that allow
// it). Configuration comes from a ConfigSource (Resource Manager's, bound with `bind`) and is compiled
// off the request path on every reload; requests run the compiled pipeline (runtime/pipeline.ts).
import type { Socket } from 'node:net';
import type { Logger } from '../common/log.js';
import type { ConfigSource, InstanceConfig, PolicyScope } from './config.js';
import { listen, type Listener, type ListenerLimits } from './listener.js';
import { includedFragments, validatePolicyDocument, validatePolicyFragment, type FragmentLookup } from './policy/validate.js';
import { InstanceServer } from './instance-server.js';
import { BackendClient } from './runtime/backend.js';
import { TraceStore, debugTraceKey } from './runtime/trace.js';
import { MemoryCounterStore, type CounterStore, type ManagedIdentityTokens } from './runtime/services.js';
import { WorkerPool } from './workers/pool.js';
import { EventHubLoggers } from './eventhub/loggers.js';
import type { LocalEventHubs } from './eventhub/sender.js';
import { GatewayMetrics, exposition } from './runtime/metrics.js';
import { MemoryCache, type CacheStore } from './runtime/cache.js';
import { MemoryConcurrency, MemoryQuotaCounters, type ConcurrencyLimiter, type QuotaCounters } from './runtime/limits.js';

export type { ManagedIdentityTokens, CounterStore } from './runtime/services.js';
export { StoreQuotaCounters } from './runtime/limits.js';
export type { LocalEventHubs } from './eventhub/sender.js';
export { urlTemplateProblem } from './runtime/router.js';
export type { FragmentLookup } from './policy/validate.js';
export { DEFAULT_LISTENER_LIMITS, type ListenerLimits } from './listener.js';
export { issueDebugToken, DEBUG_MAX_LIFETIME_MS, DEBUG_PURPOSES, type DebugPurpose, type DebugCredential } from './runtime/debug-token.js';

/** What Resource Manager asks of the gateway when instances and their configuration change. */
export interface GatewayInstances {
  /**
   * Starts (or keeps) the listener of an instance; `port` 0 picks a free one. Returns the port. The
   * instance serves its configuration once `reload` loaded it.
   */
  ensureInstance(resourceId: string, port: number): Promise<number>;
  removeInstance(resourceId: string): Promise<void>;
  /**
   * The instance's configuration changed (an API, operation, policy, product, subscription, backend or
   * named value): the gateway reloads it from its ConfigSource and recompiles it, off the request path,
   * in every gateway process, before this resolves.
   */
  reload(resourceId: string): Promise<void>;
  /**
   * Parses and validates a policy document for a scope, as a PUT of a policy needs: throws AzureError
   * 400 ValidationError naming the element and its line. Returns the {{named values}} it references.
   */
  validatePolicy(xml: string, scope: PolicyScope['kind'], fragments?: FragmentLookup): { namedValues: string[]; fragments: string[] };
  /** The same for a policy fragment (`<fragment>`): its policies, wherever they may be included. */
  validatePolicyFragment(xml: string): { namedValues: string[] };
  /**
   * A trace recorded for a call with a debug credential of this instance (Apim-Trace-Id), as Azure's
   * listTrace returns it; undefined when there is none (unknown, another instance's, or older than an hour).
   */
  debugTrace(resourceId: string, traceId: string): Promise<Record<string, unknown> | undefined>;
}

export interface GatewayOptions {
  host: string;
  certPem: string;
  keyPem: string;
  logger: Logger;
  /** The Entra plane's managed identity tokens (authentication-managed-identity). */
  managedIdentities?: ManagedIdentityTokens;
  /** Rate-limit counters shared by instances' policies (default: in memory). */
  counters?: CounterStore;
  /** Quota counters (default: in memory; the server gives StoreQuotaCounters, kept across restarts). */
  quotas?: QuotaCounters & { close?(): Promise<void> };
  /** Processes serving gateway connections: this one and workers-1 forked ones (default 1). */
  workers?: number;
  /** Workers' log level (errors only). */
  quiet?: boolean;
  /** apim-local's CA certificate (PEM): backends served by this server are trusted (runtime/backend.ts). */
  trustedCaPem?: string;
  /** Timeouts and the connection cap of gateway ports (tests set short ones; workers use the defaults). */
  listenerLimits?: Partial<ListenerLimits>;
  /** Namespaces on this machine (the Event Hubs plane), reached in process by log-to-eventhub. */
  eventHubs?: LocalEventHubs;
  /** How long log-to-eventhub's events wait to be sent together (default 50 ms). */
  eventHubFlushMs?: number;
}

interface InstanceState {
  key: string;
  listener: Listener;
  server: InstanceServer;
  /** Reloads of one instance run one after the other. */
  reloading: Promise<void>;
}

export class GatewayPlane {
  private readonly instances = new Map<string, InstanceState>();
  private readonly client: BackendClient;
  private readonly traces: TraceStore;
  private readonly counters: CounterStore;
  private readonly metricsOfProcess = new GatewayMetrics();
  /** The built-in cache of every instance (keys carry the instance id), shared with the workers. */
  private readonly cache: CacheStore = new MemoryCache();
  private readonly quotas: QuotaCounters & { close?(): Promise<void> };
  private readonly concurrency: ConcurrencyLimiter = new MemoryConcurrency();
  private readonly pool: WorkerPool | undefined;
  private readonly loggers: EventHubLoggers;
  private poolStarted: Promise<void> | undefined;

  constructor(private readonly o: GatewayOptions) {
    this.counters = o.counters ?? new MemoryCounterStore();
    this.quotas = o.quotas ?? new MemoryQuotaCounters();
    this.loggers = new EventHubLoggers({ local: o.eventHubs, tokens: o.managedIdentities, logger: o.logger, flushMs: o.eventHubFlushMs });
    this.client = new BackendClient(o.trustedCaPem);
    const workers = o.workers ?? 1;
    // With workers, a trace may be fetched before the worker that recorded it has sent it here.
    this.traces = new TraceStore(workers > 1 ? 2000 : 0);
    if (workers > 1) {
      this.pool = new WorkerPool({
        count: workers - 1, tls: { cert: o.certPem, key: o.keyPem }, trustedCaPem: o.trustedCaPem, quiet: o.quiet ?? false, logger: o.logger,
        tokens: o.managedIdentities, counters: this.counters, cache: this.cache, quotas: this.quotas, concurrency: this.concurrency, traces: this.traces, eventHubs: this.loggers,
      });
    }
  }

  /**
   * The instances as Resource Manager drives them, loading configuration from `source`. Resource Manager's
   * source is made from its own context, which holds this view: binding (rather than a source given to
   * the constructor) lets each side be built complete, in dependency order (src/arm/index.ts).
   */
  bind(source: ConfigSource): GatewayInstances {
    return {
      ensureInstance: (resourceId, port) => this.ensureInstance(resourceId, port),
      removeInstance: (resourceId) => this.removeInstance(resourceId),
      reload: (resourceId) => this.reload(resourceId, source),
      validatePolicy: (xml, scope, fragments) => this.validatePolicy(xml, scope, fragments),
      validatePolicyFragment: (xml) => this.validatePolicyFragment(xml),
      debugTrace: async (resourceId, traceId) => {
        if (!/^[0-9a-f]{32}$/i.test(traceId)) return undefined;
        const json = await this.traces.get(debugTraceKey(resourceId, traceId.toLowerCase()));
        return json === undefined ? undefined : (JSON.parse(json) as Record<string, unknown>);
      },
    };
  }

  private async ensureInstance(resourceId: string, port: number): Promise<number> {
    const key = resourceId.toLowerCase();
    const existing = this.instances.get(key);
    if (existing) return existing.listener.port;
    if (this.pool) await (this.poolStarted ??= this.pool.start());
    const again = this.instances.get(key);
    if (again) return again.listener.port;
    const server = new InstanceServer(resourceId, {
      tls: { cert: this.o.certPem, key: this.o.keyPem }, logger: this.o.logger, tokens: this.o.managedIdentities,
      counters: this.counters, cache: this.cache, quotas: this.quotas, concurrency: this.concurrency, client: this.client, traces: this.traces, limits: this.o.listenerLimits, eventHubs: this.loggers,
      metrics: this.metricsOfProcess,
    });
    const pool = this.pool;
    const local = (socket: Socket) => server.serve(socket);
    const listener = await listen(this.o.host, port, pool ? (socket) => pool.dispatch(key, socket, local) : local);
    const state: InstanceState = { key, server, listener, reloading: Promise.resolve() };
    this.instances.set(key, state);
    this.o.logger.info(`gateway listener for ${resourceId} on https://localhost:${listener.port}`);
    return listener.port;
  }

  /** Loads an instance's configuration from `source` and applies it, one reload of an instance at a time. */
  private async reload(resourceId: string, source: ConfigSource): Promise<void> {
    const state = this.instances.get(resourceId.toLowerCase());
    if (!state) return;
    const next = state.reloading.catch(() => undefined).then(async () => {
      const config = await source.load(state.server.resourceId);
      if (config) await this.apply(state, config);
    });
    state.reloading = next;
    return next;
  }

  /** Problems found compiling an instance's configuration (unknown named values, bad URLs). */
  problems(resourceId: string): string[] {
    return this.instances.get(resourceId.toLowerCase())?.server.problems ?? [];
  }

  private async apply(state: InstanceState, config: InstanceConfig): Promise<void> {
    const problems = state.server.apply(config);
    this.loggers.configure(config.instanceId, config.loggers ?? []);
    for (const p of problems) this.o.logger.error(`gateway ${config.name}: ${p}`);
    await this.pool?.apply(state.key, config);
  }

  /**
   * The gateway's metrics in Prometheus's text format: request metrics and emit-metric's custom metrics
   * of every gateway process (this one and its workers), summed.
   */
  async metrics(): Promise<{ contentType: string; text: string }> {
    const own = await this.metricsOfProcess.snapshot();
    const workers = this.pool ? await this.pool.metrics() : [];
    return exposition([own, ...workers]);
  }

  /** Validates a policy document (with the instance's fragments, when given); returns the named values and fragments it uses. */
  validatePolicy(xml: string, scope: PolicyScope['kind'], fragments?: FragmentLookup): { namedValues: string[]; fragments: string[] } {
    const { doc, namedValues } = validatePolicyDocument(xml, scope, fragments);
    return { namedValues, fragments: includedFragments(doc) };
  }

  private validatePolicyFragment(xml: string): { namedValues: string[] } {
    return validatePolicyFragment(xml);
  }

  private async removeInstance(resourceId: string): Promise<void> {
    const key = resourceId.toLowerCase();
    const state = this.instances.get(key);
    if (!state) return;
    this.instances.delete(key);
    this.pool?.remove(key);
    this.loggers.remove(state.server.resourceId);
    await state.listener.close();
    state.server.close();
  }

  async close(): Promise<void> {
    await Promise.all([...this.instances.values()].map(async (s) => { await s.listener.close(); s.server.close(); }));
    this.instances.clear();
    await this.loggers.close();
    await this.pool?.close();
    await this.client.close();
    await this.quotas.close?.();
  }
}
