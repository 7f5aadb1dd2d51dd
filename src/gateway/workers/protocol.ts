// Messages between the server process and its gateway workers (child_process IPC, JSON). The server
// owns everything shared: configuration (it pushes it), managed identity tokens, rate-limit and quota
// counters, the built-in cache, concurrency slots and traces (workers ask for them). Workers only serve connections the server accepted and handed over.
import type { InstanceConfig } from '../config.js';
import type { CounterResult, LoggedEvent } from '../runtime/services.js';
import type { QuotaUsage } from '../runtime/limits.js';
import type { MiTokenFailure } from '../../entra/index.js';
import type { MetricFamily } from '../runtime/metrics.js';

/** Server → worker. A 'socket' message carries the connection as its handle. */
export type ToWorker =
  | { t: 'init'; index: number; tls: { cert: string; key: string }; trustedCaPem?: string; quiet: boolean }
  | { t: 'config'; seq: number; key: string; config: InstanceConfig }
  | { t: 'remove'; key: string }
  | { t: 'socket'; key: string; id: number }
  | { t: 'result'; id: number; value?: unknown; error?: CallError }
  /** The server asks for the worker's metrics (a scrape of the metrics endpoint). */
  | { t: 'metrics'; id: number }
  | { t: 'close' };

/**
 * A call that failed: the server-side error's typed code, when it has one (a 'token' call refused by
 * Entra: its MiTokenFailure), and its message. Workers classify on the code, never on the text.
 */
export interface CallError {
  code?: MiTokenFailure;
  message: string;
}

/** A failed call as the worker's caller sees it: an Error with the typed code. */
export class RemoteCallError extends Error {
  readonly code?: MiTokenFailure;
  constructor(e: CallError) {
    super(e.message);
    this.code = e.code;
  }
}

/** The calls a worker makes to the server, with their answers. */
export interface Calls {
  token: { args: { instanceId: string; clientId?: string; resource: string }; result: { accessToken: string; expiresOn: number } };
  hit: { args: { key: string; limit: number; windowMs: number; count: number }; result: CounterResult };
  'trace-get': { args: { id: string }; result: string | null };
  /** The built-in cache (caching policies). */
  'cache-get': { args: { key: string }; result: string | null };
  'cache-set': { args: { key: string; value: string; ttlMs: number }; result: null };
  'cache-delete': { args: { key: string }; result: null };
  /** Quota counters (quota, quota-by-key). */
  'quota-usage': { args: { key: string; periodStart: number }; result: QuotaUsage };
  'quota-add': { args: { key: string; periodStart: number; calls: number; bytes: number }; result: null };
  /** Concurrency slots (limit-concurrency); a worker's slots are released when it exits. */
  'slot-acquire': { args: { key: string; max: number }; result: boolean };
  'slot-release': { args: { key: string }; result: null };
}

/** Worker → server. */
export type FromWorker =
  | { t: 'ready' }
  /** Sent every BEAT_MS while the worker's event loop runs (the server kills a worker that stops). */
  | { t: 'beat' }
  | { t: 'ack'; seq: number }
  /** The worker has connection `id` (the server then closes its own copy). */
  | { t: 'got'; id: number }
  | { t: 'call'; id: number; op: keyof Calls; args: Calls[keyof Calls]['args'] }
  | { t: 'trace'; id: string; json: string }
  /** An event of log-to-eventhub, sent by the server's logger. */
  | { t: 'eh'; instanceId: string; loggerId: string; event: LoggedEvent }
  /** The worker's metrics, answering the server's 'metrics' message of that id. */
  | { t: 'metrics'; id: number; families: MetricFamily[] };

/** How often a worker says it is alive, and how long the server waits before it kills a silent one. */
export const BEAT_MS = 1000;
export const STALL_MS = 10_000;
