// The API Management data plane: one listener per instance, at the instance's gatewayUrl
// (https://localhost:{port}, stable across restarts; plain http on the same port for APIs that allow
// it). Configuration comes from a ConfigSource (Resource Manager) and is compiled off the request path
// on every reload; requests run the compiled pipeline (runtime/pipeline.ts).
import type { Socket } from 'node:net';
import type { Logger } from '../common/log.js';
import type { ConfigSource, InstanceConfig, PolicyScope } from './config.js';
import { listen, type Listener, type ListenerLimits } from './listener.js';
import { validatePolicyDocument } from './policy/validate.js';
import { InstanceServer } from './instance-server.js';
import { BackendClient } from './runtime/backend.js';
import { TraceStore } from './runtime/trace.js';
import { MemoryCounterStore, type CounterStore, type ManagedIdentityTokens } from './runtime/services.js';
import { WorkerPool } from './workers/pool.js';

export type { ManagedIdentityTokens, CounterStore } from './runtime/services.js';
export { urlTemplateProblem } from './runtime/router.js';
export { DEFAULT_LISTENER_LIMITS, type ListenerLimits } from './listener.js';

/** What Resource Manager asks of the gateway when instances and their configuration change. */
export interface GatewayInstances {
  /** Starts (or keeps) the listener of an instance; `port` 0 picks a free one. Returns the port. */
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
  validatePolicy(xml: string, scope: PolicyScope['kind']): { namedValues: string[] };
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
  /** Processes serving gateway connections: this one and workers-1 forked ones (default 1). */
  workers?: number;
  /** Workers' log level (errors only). */
  quiet?: boolean;
  /** Timeouts and the connection cap of gateway ports (tests set short ones; workers use the defaults). */
  listenerLimits?: Partial<ListenerLimits>;
}

interface InstanceState {
  key: string;
  listener: Listener;
  server: InstanceServer;
  /** Reloads of one instance run one after the other. */
  reloading: Promise<void>;
}

export class GatewayPlane implements GatewayInstances {
  private readonly instances = new Map<string, InstanceState>();
  private readonly client = new BackendClient();
  private readonly traces: TraceStore;
  private readonly counters: CounterStore;
  private readonly pool: WorkerPool | undefined;
  private poolStarted: Promise<void> | undefined;

  /** Where instances' configuration is read from (Resource Manager's ApimConfigSource), set at start-up. */
  configSource: ConfigSource | undefined;

  constructor(private readonly o: GatewayOptions) {
    this.counters = o.counters ?? new MemoryCounterStore();
    const workers = o.workers ?? 1;
    // With workers, a trace may be fetched before the worker that recorded it has sent it here.
    this.traces = new TraceStore(workers > 1 ? 2000 : 0);
    if (workers > 1) {
      this.pool = new WorkerPool({
        count: workers - 1, tls: { cert: o.certPem, key: o.keyPem }, quiet: o.quiet ?? false, logger: o.logger,
        tokens: o.managedIdentities, counters: this.counters, traces: this.traces,
      });
    }
  }

  setConfigSource(source: ConfigSource): void {
    this.configSource = source;
  }

  async ensureInstance(resourceId: string, port: number): Promise<number> {
    const key = resourceId.toLowerCase();
    const existing = this.instances.get(key);
    if (existing) return existing.listener.port;
    if (this.pool) await (this.poolStarted ??= this.pool.start());
    const again = this.instances.get(key);
    if (again) return again.listener.port;
    const server = new InstanceServer(resourceId, {
      tls: { cert: this.o.certPem, key: this.o.keyPem }, logger: this.o.logger, tokens: this.o.managedIdentities,
      counters: this.counters, client: this.client, traces: this.traces, limits: this.o.listenerLimits,
    });
    const pool = this.pool;
    const local = (socket: Socket) => server.serve(socket);
    const listener = await listen(this.o.host, port, pool ? (socket) => pool.dispatch(key, socket, local) : local);
    const state: InstanceState = { key, server, listener, reloading: Promise.resolve() };
    this.instances.set(key, state);
    this.o.logger.info(`gateway listener for ${resourceId} on https://localhost:${listener.port}`);
    if (this.configSource) await this.reload(resourceId).catch((e) => this.o.logger.error(`gateway: loading ${resourceId} failed`, e));
    return listener.port;
  }

  async reload(resourceId: string): Promise<void> {
    const state = this.instances.get(resourceId.toLowerCase());
    if (!state || !this.configSource) return;
    const source = this.configSource;
    const next = state.reloading.catch(() => undefined).then(async () => {
      const config = await source.load(state.server.resourceId);
      if (config) await this.apply(state, config);
    });
    state.reloading = next;
    return next;
  }

  /** Compiles and installs a configuration directly (tests; ConfigSource implementations go through reload). */
  async load(config: InstanceConfig): Promise<void> {
    const state = this.instances.get(config.instanceId.toLowerCase());
    if (!state) throw new Error(`no gateway listener for ${config.instanceId}`);
    await this.apply(state, config);
  }

  /** Problems found compiling an instance's configuration (unknown named values, bad URLs). */
  problems(resourceId: string): string[] {
    return this.instances.get(resourceId.toLowerCase())?.server.problems ?? [];
  }

  private async apply(state: InstanceState, config: InstanceConfig): Promise<void> {
    const problems = state.server.apply(config);
    for (const p of problems) this.o.logger.error(`gateway ${config.name}: ${p}`);
    await this.pool?.apply(state.key, config);
  }

  validatePolicy(xml: string, scope: PolicyScope['kind']): { namedValues: string[] } {
    return { namedValues: validatePolicyDocument(xml, scope).namedValues };
  }

  async removeInstance(resourceId: string): Promise<void> {
    const key = resourceId.toLowerCase();
    const state = this.instances.get(key);
    if (!state) return;
    this.instances.delete(key);
    this.pool?.remove(key);
    await state.listener.close();
    state.server.close();
  }

  async close(): Promise<void> {
    await Promise.all([...this.instances.values()].map(async (s) => { await s.listener.close(); s.server.close(); }));
    this.instances.clear();
    await this.pool?.close();
    await this.client.close();
  }
}
