// A gateway worker process (forked by workers/pool.ts): serves the connections the server process hands
// it, for every instance whose configuration it was sent, with the same code as the server process
// (InstanceServer). What must be shared goes through the server: managed identity tokens (cached here as
// in the server), rate-limit and quota counters (counted once for all processes), the built-in cache,
// concurrency slots and traces (stored by the server,
// so any connection can fetch them).
import type net from 'node:net';
import { createLogger, type Logger } from '../../common/log.js';
import { InstanceServer } from '../instance-server.js';
import { BackendClient } from '../runtime/backend.js';
import type { CounterResult, CounterStore, LoggedEvent, ManagedIdentityTokens } from '../runtime/services.js';
import type { CacheStore } from '../runtime/cache.js';
import type { ConcurrencyLimiter, QuotaCounters } from '../runtime/limits.js';
import type { TraceSink } from '../runtime/trace.js';
import { GatewayMetrics } from '../runtime/metrics.js';
import { BEAT_MS, RemoteCallError, type CallError, type Calls, type FromWorker, type ToWorker } from './protocol.js';

class ServerLine {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  send(m: FromWorker): void { if (process.connected) process.send!(m); }

  call<K extends keyof Calls>(op: K, args: Calls[K]['args']): Promise<Calls[K]['result']> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.send({ t: 'call', id, op, args });
    });
  }

  result(id: number, value: unknown, error: CallError | undefined): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    if (error !== undefined) p.reject(new RemoteCallError(error)); else p.resolve(value);
  }
}

function remoteTokens(line: ServerLine): ManagedIdentityTokens {
  return {
    async tokenFor(instanceId, selector, resource) {
      return { token: await line.call('token', { instanceId, clientId: selector.clientId, resource }) };
    },
  };
}

function remoteCounters(line: ServerLine): CounterStore {
  return { hit: (key, limit, windowMs, count): Promise<CounterResult> => line.call('hit', { key, limit, windowMs, count }) };
}

function remoteCache(line: ServerLine): CacheStore {
  return {
    get: async (key) => (await line.call('cache-get', { key })) ?? undefined,
    set: async (key, value, ttlMs) => { await line.call('cache-set', { key, value, ttlMs }); },
    delete: async (key) => { await line.call('cache-delete', { key }); },
  };
}

function remoteQuotas(line: ServerLine): QuotaCounters {
  return {
    usage: (key, periodStart) => line.call('quota-usage', { key, periodStart }),
    add: async (key, periodStart, calls, bytes) => { await line.call('quota-add', { key, periodStart, calls, bytes }); },
  };
}

function remoteConcurrency(line: ServerLine): ConcurrencyLimiter {
  return {
    acquire: (key, max) => line.call('slot-acquire', { key, max }),
    release: (key) => { line.call('slot-release', { key }).catch(() => undefined); },
  };
}

function remoteTraces(line: ServerLine, gatewayWorker: number): TraceSink {
  return {
    gatewayWorker,
    put(id, json) { line.send({ t: 'trace', id, json }); },
    async get(id) { return (await line.call('trace-get', { id })) ?? undefined; },
  };
}

function main(): void {
  const line = new ServerLine();
  const instances = new Map<string, InstanceServer>();
  let client = new BackendClient();
  const metrics = new GatewayMetrics();
  let make: ((resourceId: string) => InstanceServer) | undefined;
  let logger: Logger = createLogger(false);

  process.on('message', (m: ToWorker, handle?: net.Socket) => {
    switch (m.t) {
      case 'init': {
        logger = createLogger(m.quiet);
        if (m.trustedCaPem) { void client.close(); client = new BackendClient(m.trustedCaPem); }
        // log-to-eventhub: the server sends (its last error is not known here, so traces in workers show none).
        const eventHubs = { log: (instanceId: string, loggerId: string, event: LoggedEvent) => { line.send({ t: 'eh', instanceId, loggerId, event }); return undefined; } };
        const o = { tls: m.tls, logger, tokens: remoteTokens(line), counters: remoteCounters(line),
          cache: remoteCache(line), quotas: remoteQuotas(line), concurrency: remoteConcurrency(line), client, traces: remoteTraces(line, m.index), eventHubs, metrics };
        make = (resourceId) => new InstanceServer(resourceId, o);
        line.send({ t: 'ready' });
        // Proof of life: a worker stuck in one task (a policy expression the budget cannot interrupt, such
        // as a regular expression backtracking without end) stops sending these and is replaced.
        setInterval(() => line.send({ t: 'beat' }), BEAT_MS).unref();
        return;
      }
      case 'config': {
        let inst = instances.get(m.key);
        if (!inst) { inst = make!(m.config.instanceId); instances.set(m.key, inst); }
        try { inst.apply(m.config); } catch (e) { logger.error(`gateway worker: compiling ${m.config.instanceId} failed`, e); }
        line.send({ t: 'ack', seq: m.seq });
        return;
      }
      case 'remove': {
        instances.get(m.key)?.close();
        instances.delete(m.key);
        return;
      }
      case 'socket': {
        if (!handle) return;
        line.send({ t: 'got', id: m.id });
        const inst = instances.get(m.key);
        if (inst) inst.serve(handle); else handle.destroy();
        return;
      }
      case 'result': line.result(m.id, m.value, m.error); return;
      case 'metrics': {
        const id = m.id;
        metrics.snapshot().then((families) => line.send({ t: 'metrics', id, families }), () => line.send({ t: 'metrics', id, families: [] }));
        return;
      }
      case 'close': {
        for (const inst of instances.values()) inst.close();
        void client.close().finally(() => process.exit(0));
        return;
      }
      default: return;
    }
  });
  // The server process is gone (killed): so is this worker.
  process.on('disconnect', () => process.exit(0));
  // Ctrl-C in a terminal signals the whole process group: the server stops its workers itself ('close').
  process.on('SIGINT', () => undefined);
}

main();
