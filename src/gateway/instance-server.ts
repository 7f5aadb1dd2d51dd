// One instance's gateway as one process serves it: its compiled configuration, the services its policies
// use, and the HTTP(S) server for the connections this process was handed. The server process and every
// gateway worker hold one per instance, built from the same InstanceConfig.
import type net from 'node:net';
import type { Logger } from '../common/log.js';
import type { InstanceConfig } from './config.js';
import { socketServer, type SocketServer } from './listener.js';
import { GatewayContext } from './runtime/context.js';
import type { BackendClient } from './runtime/backend.js';
import { CompiledInstance } from './runtime/instance.js';
import { handleRequest, serveTrace } from './runtime/pipeline.js';
import { NOT_FOUND, sendAnswer } from './runtime/answers.js';
import type { TraceSink } from './runtime/trace.js';
import { TokenCache, type CounterStore, type InstanceServices, type ManagedIdentityTokens } from './runtime/services.js';

export interface InstanceServerOptions {
  tls: { cert: string; key: string };
  logger: Logger;
  /** Managed identity tokens: the Entra plane (server process) or a worker's line to it. */
  tokens: ManagedIdentityTokens | undefined;
  counters: CounterStore;
  client: BackendClient;
  traces: TraceSink;
}

export class InstanceServer {
  readonly services: InstanceServices;
  private compiled: CompiledInstance | undefined;
  private readonly server: SocketServer;

  constructor(readonly resourceId: string, o: InstanceServerOptions) {
    this.services = {
      instanceId: resourceId, tokens: new TokenCache(resourceId, o.tokens), backends: new Map(),
      counters: o.counters, client: o.client, logger: o.logger,
    };
    const traces = o.traces;
    this.server = socketServer(o.tls, (req, res, secure) => {
      const ctx = new GatewayContext(req, res, secure);
      if (serveTrace(ctx, traces)) return;
      const compiled = this.compiled;
      // No configuration yet: API Management answers every call with its 404.
      if (compiled === undefined) { req.resume(); sendAnswer(res, 404, NOT_FOUND); return; }
      handleRequest(compiled, ctx, traces);
    });
  }

  /** Compiles a configuration and serves it from the next request on; returns the problems found. */
  apply(config: InstanceConfig): string[] {
    this.services.backends = new Map(config.backends.map((b) => [b.name.toLowerCase(), b]));
    this.services.tokens.clear();
    const compiled = new CompiledInstance(config, this.services);
    this.compiled = compiled;
    return compiled.problems;
  }

  get problems(): string[] { return this.compiled?.problems ?? []; }

  serve(socket: net.Socket): void { this.server.serve(socket); }

  /** Ends this process's connections to the instance. */
  close(): void { this.server.closeAll(); }
}
