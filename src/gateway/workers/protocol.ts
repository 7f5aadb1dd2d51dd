// Messages between the server process and its gateway workers (child_process IPC, JSON). The server
// owns everything shared: configuration (it pushes it), managed identity tokens, rate-limit counters and
// traces (workers ask for them). Workers only serve connections the server accepted and handed over.
import type { InstanceConfig } from '../config.js';
import type { CounterResult } from '../runtime/services.js';
import type { MiTokenFailure } from '../../entra/index.js';

/** Server → worker. A 'socket' message carries the connection as its handle. */
export type ToWorker =
  | { t: 'init'; index: number; tls: { cert: string; key: string }; trustedCaPem?: string; quiet: boolean }
  | { t: 'config'; seq: number; key: string; config: InstanceConfig }
  | { t: 'remove'; key: string }
  | { t: 'socket'; key: string; id: number }
  | { t: 'result'; id: number; value?: unknown; error?: CallError }
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
  | { t: 'trace'; id: string; json: string };

/** How often a worker says it is alive, and how long the server waits before it kills a silent one. */
export const BEAT_MS = 1000;
export const STALL_MS = 10_000;
