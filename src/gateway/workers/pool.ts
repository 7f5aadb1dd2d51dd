// The server side of gateway workers (--gateway-workers n): n-1 forked processes that serve gateway
// connections beside the server process. The server accepts every connection and hands it, unread, to
// the next process in turn (round-robin, as node:cluster does), itself included; a worker gets an
// instance's connections only once it has compiled that instance's current configuration. A worker that
// dies is forked again and given every configuration.
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type net from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../../common/log.js';
import type { InstanceConfig } from '../config.js';
import type { EventHubSink, CounterStore, ManagedIdentityTokens } from '../runtime/services.js';
import type { CacheStore } from '../runtime/cache.js';
import type { ConcurrencyLimiter, QuotaCounters } from '../runtime/limits.js';
import type { TraceStore } from '../runtime/trace.js';
import { BEAT_MS, STALL_MS, type CallError, type Calls, type FromWorker, type ToWorker } from './protocol.js';
import { isAzureError } from '../../common/errors.js';
import { isMiTokenFailure } from '../../entra/index.js';
import type { MetricFamily } from '../runtime/metrics.js';

export interface WorkerPoolOptions {
  /** Worker processes to fork (the server process is one more). */
  count: number;
  tls: { cert: string; key: string };
  /** apim-local's CA certificate, trusted for backends (runtime/backend.ts). */
  trustedCaPem: string | undefined;
  quiet: boolean;
  logger: Logger;
  tokens: ManagedIdentityTokens | undefined;
  counters: CounterStore;
  cache: CacheStore;
  quotas: QuotaCounters;
  concurrency: ConcurrencyLimiter;
  traces: TraceStore;
  /** The server's Event Hubs loggers (workers' log-to-eventhub events go there). */
  eventHubs?: EventHubSink;
}

/** The worker module next to this one (.js when built, .ts under tsx). */
const WORKER_FILE = (() => {
  const self = fileURLToPath(import.meta.url);
  return path.join(path.dirname(self), `worker${path.extname(self)}`);
})();
/** How long a worker may take to compile a configuration before the write that changed it fails. */
const APPLY_TIMEOUT_MS = 10_000;
/** How long a scrape waits for a worker's metrics (a stuck worker is left out, not waited for). */
const METRICS_TIMEOUT_MS = 2000;
/** A worker that keeps dying is forked again at most this often. */
const RESTART_DELAY_MS = 1000;

class Worker {
  readonly child: ChildProcess;
  /** Instances whose current configuration this worker compiled (it may serve their connections). */
  readonly current = new Set<string>();
  readonly acks = new Map<number, { key: string; done: () => void }>();
  readonly ready: Promise<void>;
  exited = false;
  /** When the worker last said it was alive (its 'beat' messages). */
  lastBeat = Date.now();
  /** Concurrency slots the worker holds, by key: given back if it dies holding them. */
  readonly slots = new Map<string, number>();
  private socketSeq = 0;
  private readonly inflight = new Map<number, { socket: net.Socket; takeBack: (s: net.Socket) => void }>();

  constructor(readonly index: number, o: WorkerPoolOptions, onMessage: (w: Worker, m: FromWorker) => void) {
    this.child = fork(WORKER_FILE, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'json' });
    this.ready = new Promise((resolve, reject) => {
      const onReady = (m: FromWorker) => { if (m.t === 'ready') { this.child.off('message', onReady); resolve(); } };
      this.child.on('message', onReady);
      this.child.once('exit', (code) => reject(new Error(`gateway worker ${index} exited (${code}) while starting`)));
    });
    this.ready.catch(() => undefined);
    this.child.on('message', (m: FromWorker) => onMessage(this, m));
    this.child.once('exit', () => {
      this.exited = true;
      for (const a of this.acks.values()) a.done();
      this.acks.clear();
      for (const [key, n] of this.slots) for (let i = 0; i < n; i++) o.concurrency.release(key);
      this.slots.clear();
      // Not on 'disconnect': Node postpones it forever while a handle it sent awaits the dead worker's ack.
      this.lost();
    });
    this.send({ t: 'init', index, tls: o.tls, trustedCaPem: o.trustedCaPem, quiet: o.quiet });
  }

  send(m: ToWorker): boolean {
    if (this.exited || !this.child.connected) return false;
    try { this.child.send(m); return true; } catch { return false; }
  }

  /**
   * Hands over a connection. The socket stays open here (keepOpen) until the worker says it has it: a
   * worker that dies first never serves it, and it goes back to `takeBack` (see lost()).
   */
  sendSocket(key: string, socket: net.Socket, takeBack: (s: net.Socket) => void): boolean {
    if (this.exited || !this.child.connected) return false;
    const id = ++this.socketSeq;
    this.inflight.set(id, { socket, takeBack });
    try {
      this.child.send({ t: 'socket', key, id }, socket, { keepOpen: true }, (err) => { if (err) this.returnSocket(id); });
      return true;
    } catch {
      this.inflight.delete(id);
      return false;
    }
  }

  /** The worker has the connection: close this process's copy of it (the worker's stays open). */
  received(id: number): void {
    const e = this.inflight.get(id);
    if (!e) return;
    this.inflight.delete(id);
    e.socket.destroy();
  }

  /** The worker is gone: connections it never confirmed are served elsewhere, unread as they are. */
  lost(): void {
    for (const id of [...this.inflight.keys()]) this.returnSocket(id);
  }

  private returnSocket(id: number): void {
    const e = this.inflight.get(id);
    if (!e) return;
    this.inflight.delete(id);
    if (e.socket.destroyed) return;
    e.takeBack(e.socket);
  }
}

export class WorkerPool {
  private readonly workers: Worker[] = [];
  private readonly configs = new Map<string, InstanceConfig>();
  private seq = 0;
  private next = 0;
  private metricsSeq = 0;
  private readonly metricsWaiting = new Map<number, (families: MetricFamily[]) => void>();
  private closing = false;
  private watchdog: NodeJS.Timeout | undefined;

  constructor(private readonly o: WorkerPoolOptions) {}

  async start(): Promise<void> {
    for (let i = 1; i <= this.o.count; i++) this.workers.push(this.spawn(i));
    await Promise.all(this.workers.map((w) => w.ready));
    // A worker whose event loop is stuck serves nobody: it is killed, and replaced like any dead worker.
    this.watchdog = setInterval(() => {
      const now = Date.now();
      for (const w of this.workers) {
        if (w.exited || now - w.lastBeat < STALL_MS) continue;
        this.o.logger.error(`gateway worker ${w.index} (pid ${w.child.pid}) has not answered for ${STALL_MS} ms: killing it`);
        w.child.kill('SIGKILL');
        w.lastBeat = now;
      }
    }, BEAT_MS);
    this.watchdog.unref();
  }

  /** Sends an instance's configuration to every worker; resolves when all compiled it. */
  async apply(key: string, config: InstanceConfig): Promise<void> {
    this.configs.set(key, config);
    await Promise.all(this.workers.map((w) => this.push(w, key, config)));
  }

  remove(key: string): void {
    this.configs.delete(key);
    for (const w of this.workers) { w.current.delete(key); w.send({ t: 'remove', key }); }
  }

  /** Hands a new connection to the next process in turn that can serve it; `local` serves it here. */
  dispatch(key: string, socket: net.Socket, local: (s: net.Socket) => void): void {
    const n = this.workers.length + 1;
    for (let tries = 0; tries < n; tries++) {
      const i = this.next;
      this.next = (this.next + 1) % n;
      if (i === 0) { local(socket); return; }
      const w = this.workers[i - 1];
      if (!w.current.has(key)) continue;
      if (w.sendSocket(key, socket, local)) return;
    }
    local(socket);
  }

  /** Every live worker's metrics (a worker that does not answer in time is left out). */
  async metrics(): Promise<MetricFamily[][]> {
    return Promise.all(this.workers.map((w) => new Promise<MetricFamily[]>((resolve) => {
      const id = ++this.metricsSeq;
      const timer = setTimeout(() => { this.metricsWaiting.delete(id); resolve([]); }, METRICS_TIMEOUT_MS);
      this.metricsWaiting.set(id, (families) => { clearTimeout(timer); this.metricsWaiting.delete(id); resolve(families); });
      if (!w.send({ t: 'metrics', id })) this.metricsWaiting.get(id)!([]);
    })));
  }

  async close(): Promise<void> {
    this.closing = true;
    clearInterval(this.watchdog);
    await Promise.all(this.workers.map((w) => new Promise<void>((resolve) => {
      if (w.exited) { resolve(); return; }
      const kill = setTimeout(() => w.child.kill('SIGKILL'), 3000);
      w.child.once('exit', () => { clearTimeout(kill); resolve(); });
      if (!w.send({ t: 'close' })) w.child.kill('SIGTERM');
    })));
  }

  private spawn(index: number): Worker {
    const w = new Worker(index, this.o, (from, m) => this.onMessage(from, m));
    w.child.once('exit', (code, signal) => {
      if (this.closing) return;
      this.o.logger.error(`gateway worker ${index} (pid ${w.child.pid}) exited (${signal ?? code}): starting another`);
      setTimeout(() => {
        if (this.closing) return;
        const again = this.spawn(index);
        this.workers[index - 1] = again;
        again.ready.then(() => { for (const [key, config] of this.configs) void this.push(again, key, config); }, () => undefined);
      }, RESTART_DELAY_MS).unref();
    });
    return w;
  }

  private push(w: Worker, key: string, config: InstanceConfig): Promise<void> {
    const seq = ++this.seq;
    w.current.delete(key);
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        w.acks.delete(seq);
        this.o.logger.error(`gateway worker ${w.index} did not apply the configuration of ${key} in ${APPLY_TIMEOUT_MS} ms: it serves none of its calls`);
        resolve();
      }, APPLY_TIMEOUT_MS);
      w.acks.set(seq, { key, done: () => { clearTimeout(timer); resolve(); } });
      if (!w.send({ t: 'config', seq, key, config })) { clearTimeout(timer); w.acks.delete(seq); resolve(); }
    });
  }

  private onMessage(w: Worker, m: FromWorker): void {
    switch (m.t) {
      case 'beat': w.lastBeat = Date.now(); return;
      case 'ack': {
        const a = w.acks.get(m.seq);
        if (!a) return;
        w.acks.delete(m.seq);
        // Only the newest configuration counts: an older push's ack must not open the door.
        if (this.configs.has(a.key) && ![...w.acks.values()].some((x) => x.key === a.key)) w.current.add(a.key);
        a.done();
        return;
      }
      case 'got': w.received(m.id); return;
      case 'trace': this.o.traces.put(m.id, m.json); return;
      case 'eh': this.o.eventHubs?.log(m.instanceId, m.loggerId, m.event); return;
      case 'metrics': this.metricsWaiting.get(m.id)?.(Array.isArray(m.families) ? m.families : []); return;
      case 'call': this.answer(w, m.id, m.op, m.args).catch(() => undefined); return;
      default: return;
    }
  }

  private async answer(w: Worker, id: number, op: keyof Calls, args: unknown): Promise<void> {
    try {
      const value = await this.call(w, op, args);
      w.send({ t: 'result', id, value });
    } catch (e) {
      w.send({ t: 'result', id, error: callError(e) });
    }
  }

  private async call(w: Worker, op: keyof Calls, args: unknown): Promise<unknown> {
    switch (op) {
      case 'token': {
        const a = args as Calls['token']['args'];
        if (!this.o.tokens) throw new Error('managed identities are not available to this gateway');
        const { token } = await this.o.tokens.tokenFor(a.instanceId, a.clientId ? { clientId: a.clientId } : {}, a.resource);
        return { accessToken: token.accessToken, expiresOn: token.expiresOn } satisfies Calls['token']['result'];
      }
      case 'hit': {
        const a = args as Calls['hit']['args'];
        return await this.o.counters.hit(a.key, a.limit, a.windowMs, a.count);
      }
      case 'trace-get': {
        const a = args as Calls['trace-get']['args'];
        return (await this.o.traces.get(a.id)) ?? null;
      }
      case 'cache-get': return (await this.o.cache.get((args as Calls['cache-get']['args']).key)) ?? null;
      case 'cache-set': {
        const a = args as Calls['cache-set']['args'];
        await this.o.cache.set(a.key, a.value, a.ttlMs);
        return null;
      }
      case 'cache-delete': await this.o.cache.delete((args as Calls['cache-delete']['args']).key); return null;
      case 'quota-usage': {
        const a = args as Calls['quota-usage']['args'];
        return await this.o.quotas.usage(a.key, a.periodStart);
      }
      case 'quota-add': {
        const a = args as Calls['quota-add']['args'];
        await this.o.quotas.add(a.key, a.periodStart, a.calls, a.bytes);
        return null;
      }
      case 'slot-acquire': {
        const a = args as Calls['slot-acquire']['args'];
        const ok = await this.o.concurrency.acquire(a.key, a.max);
        if (ok) w.slots.set(a.key, (w.slots.get(a.key) ?? 0) + 1);
        return ok;
      }
      case 'slot-release': {
        const a = args as Calls['slot-release']['args'];
        const n = w.slots.get(a.key) ?? 0;
        if (n === 0) return null; // not held by this worker: nothing to give back
        if (n === 1) w.slots.delete(a.key); else w.slots.set(a.key, n - 1);
        this.o.concurrency.release(a.key);
        return null;
      }
      default: throw new Error(`unknown call ${String(op)}`);
    }
  }
}

/** A failure as a worker gets it: the message, and Entra's typed code for a refused token. */
function callError(e: unknown): CallError {
  const message = e instanceof Error ? e.message : String(e);
  return isAzureError(e) && isMiTokenFailure(e.code) ? { code: e.code, message } : { message };
}
