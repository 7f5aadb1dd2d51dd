// The API Management data plane: one listener per instance, at the instance's gatewayUrl
// (https://localhost:{port}, stable across restarts; plain http on the same port for APIs that allow
// it). Configuration comes from a ConfigSource (Resource Manager) and is compiled off the request path
// on every reload; requests run the compiled pipeline (runtime/pipeline.ts).
import type { Logger } from '../common/log.js';
import type { ConfigSource, InstanceConfig, PolicyScope } from './config.js';
import { listen, type Listener } from './listener.js';
import { validatePolicyDocument } from './policy/validate.js';
import { GatewayContext } from './runtime/context.js';
import { BackendClient } from './runtime/backend.js';
import { CompiledInstance } from './runtime/instance.js';
import { handleRequest, serveTrace } from './runtime/pipeline.js';
import { NOT_FOUND, sendAnswer } from './runtime/answers.js';
import { TraceStore } from './runtime/trace.js';
import { MemoryCounterStore, TokenCache, type CounterStore, type InstanceServices, type ManagedIdentityTokens } from './runtime/services.js';

export type { ManagedIdentityTokens, CounterStore } from './runtime/services.js';

/** What Resource Manager asks of the gateway when instances and their configuration change. */
export interface GatewayInstances {
  /** Starts (or keeps) the listener of an instance; `port` 0 picks a free one. Returns the port. */
  ensureInstance(resourceId: string, port: number): Promise<number>;
  removeInstance(resourceId: string): Promise<void>;
  /**
   * The instance's configuration changed (an API, operation, policy, product, subscription, backend or
   * named value): the gateway reloads it from its ConfigSource and recompiles it, off the request path.
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
}

interface InstanceState {
  resourceId: string;
  listener: Listener;
  services: InstanceServices;
  compiled: CompiledInstance | undefined;
  /** Reloads of one instance run one after the other. */
  reloading: Promise<void>;
}

export class GatewayPlane implements GatewayInstances {
  private readonly instances = new Map<string, InstanceState>();
  private readonly client = new BackendClient();
  private readonly traces = new TraceStore();
  private readonly counters: CounterStore;

  /** Where instances' configuration is read from (Resource Manager's ApimConfigSource), set at start-up. */
  configSource: ConfigSource | undefined;

  constructor(private readonly o: GatewayOptions) {
    this.counters = o.counters ?? new MemoryCounterStore();
  }

  setConfigSource(source: ConfigSource): void {
    this.configSource = source;
  }

  async ensureInstance(resourceId: string, port: number): Promise<number> {
    const key = resourceId.toLowerCase();
    const existing = this.instances.get(key);
    if (existing) return existing.listener.port;
    const services: InstanceServices = {
      instanceId: resourceId, tokens: new TokenCache(resourceId, this.o.managedIdentities), backends: new Map(),
      counters: this.counters, client: this.client, logger: this.o.logger,
    };
    const state: InstanceState = { resourceId, services, compiled: undefined, reloading: Promise.resolve(), listener: undefined! };
    state.listener = await listen(this.o.host, port, { cert: this.o.certPem, key: this.o.keyPem }, (req, res, secure) => {
      const ctx = new GatewayContext(req, res, secure);
      if (serveTrace(ctx, this.traces)) return;
      const compiled = state.compiled;
      // No configuration yet: API Management answers every call with its 404.
      if (compiled === undefined) { req.resume(); sendAnswer(res, 404, NOT_FOUND); return; }
      handleRequest(compiled, ctx, this.traces);
    });
    this.instances.set(key, state);
    this.o.logger.info(`gateway listener for ${resourceId} on https://localhost:${state.listener.port}`);
    if (this.configSource) await this.reload(resourceId).catch((e) => this.o.logger.error(`gateway: loading ${resourceId} failed`, e));
    return state.listener.port;
  }

  async reload(resourceId: string): Promise<void> {
    const state = this.instances.get(resourceId.toLowerCase());
    if (!state || !this.configSource) return;
    const source = this.configSource;
    const next = state.reloading.catch(() => undefined).then(async () => {
      const config = await source.load(state.resourceId);
      if (config) this.apply(state, config);
    });
    state.reloading = next;
    return next;
  }

  /** Compiles and installs a configuration directly (tests; ConfigSource implementations go through reload). */
  async load(config: InstanceConfig): Promise<void> {
    const state = this.instances.get(config.instanceId.toLowerCase());
    if (!state) throw new Error(`no gateway listener for ${config.instanceId}`);
    this.apply(state, config);
  }

  /** Problems found compiling an instance's configuration (unknown named values, bad URLs). */
  problems(resourceId: string): string[] {
    return this.instances.get(resourceId.toLowerCase())?.compiled?.problems ?? [];
  }

  private apply(state: InstanceState, config: InstanceConfig): void {
    state.services.backends = new Map(config.backends.map((b) => [b.name.toLowerCase(), b]));
    state.services.tokens.clear();
    const compiled = new CompiledInstance(config, state.services);
    for (const p of compiled.problems) this.o.logger.error(`gateway ${config.name}: ${p}`);
    state.compiled = compiled;
  }

  validatePolicy(xml: string, scope: PolicyScope['kind']): { namedValues: string[] } {
    return { namedValues: validatePolicyDocument(xml, scope).namedValues };
  }

  async removeInstance(resourceId: string): Promise<void> {
    const key = resourceId.toLowerCase();
    const state = this.instances.get(key);
    if (!state) return;
    this.instances.delete(key);
    await state.listener.close();
  }

  async close(): Promise<void> {
    await Promise.all([...this.instances.values()].map((s) => s.listener.close()));
    this.instances.clear();
    await this.client.close();
  }
}
