// The load loop shared by bench scripts: a fixed number of requests in flight on an undici Pool
// (keep-alive, one connection per in-flight request), for a fixed time, with latencies in a
// log-bucketed histogram (HdrHistogram-like: bounded memory, relative error under 1.6%).
import { performance } from 'node:perf_hooks';

/** Latencies in microseconds; 64 sub-buckets per power of two above 128 µs, exact below. */
export class LatencyHistogram {
  static #SUB = 64;
  static #MAX_US = 2 ** 31 - 1;

  constructor() {
    // 128 exact buckets + 25 powers of two (2^7 .. 2^31) × 64 sub-buckets.
    this.counts = new Float64Array(128 + 25 * LatencyHistogram.#SUB);
    this.total = 0;
    this.sumUs = 0;
    this.minUs = Infinity;
    this.maxUs = 0;
  }

  recordMs(ms) {
    let us = Math.round(ms * 1000);
    if (!(us >= 0)) us = 0;
    if (us > LatencyHistogram.#MAX_US) us = LatencyHistogram.#MAX_US;
    this.counts[LatencyHistogram.#index(us)]++;
    this.total++;
    this.sumUs += us;
    if (us < this.minUs) this.minUs = us;
    if (us > this.maxUs) this.maxUs = us;
  }

  static #index(us) {
    if (us < 128) return us;
    const msb = 31 - Math.clz32(us); // ≥ 7
    const shift = msb - 6; // us >> shift is in [64, 127]
    return 128 + (shift - 1) * LatencyHistogram.#SUB + ((us >> shift) - 64);
  }

  /** Midpoint of bucket `i`, in µs. */
  static #value(i) {
    if (i < 128) return i;
    const shift = Math.floor((i - 128) / LatencyHistogram.#SUB) + 1;
    const mantissa = ((i - 128) % LatencyHistogram.#SUB) + 64;
    return mantissa * 2 ** shift + (2 ** shift - 1) / 2;
  }

  /** The p-th percentile (0 < p ≤ 100) in milliseconds; NaN when empty. */
  percentileMs(p) {
    if (this.total === 0) return NaN;
    const rank = Math.max(1, Math.ceil((p / 100) * this.total));
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i];
      if (seen >= rank) return Math.min(Math.max(LatencyHistogram.#value(i), this.minUs), this.maxUs) / 1000;
    }
    return this.maxUs / 1000;
  }

  meanMs() { return this.total === 0 ? NaN : this.sumUs / this.total / 1000; }
}

/**
 * Runs `concurrency` workers, each sending one request at a time until `durationMs` has passed
 * (a request started before the deadline is completed and counted). The body is read in full.
 * `request()` returns undici request options; `ok(statusCode)` tells an expected answer.
 * Throughput = completed requests / time until the last worker finished.
 */
export async function runLoad({ pool, concurrency, durationMs, request, ok = (s) => s >= 200 && s < 300, maxErrors = 50, signal }) {
  const hist = new LatencyHistogram();
  const statuses = new Map();
  const errorSamples = [];
  let completed = 0;
  let errors = 0;
  const start = performance.now();
  const deadline = start + durationMs;

  async function worker() {
    while (performance.now() < deadline && errors < maxErrors && !signal?.aborted) {
      const t0 = performance.now();
      try {
        const res = await pool.request(request());
        await res.body.arrayBuffer();
        const dt = performance.now() - t0;
        statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
        if (ok(res.statusCode)) { hist.recordMs(dt); completed++; } else {
          errors++;
          if (errorSamples.length < 3) errorSamples.push(`HTTP ${res.statusCode}`);
        }
      } catch (e) {
        errors++;
        if (errorSamples.length < 3) errorSamples.push(e instanceof Error ? `${e.name}: ${e.message}` : String(e));
      }
    }
  }

  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsedMs = performance.now() - start;
  return {
    completed, errors, errorSamples, statuses: Object.fromEntries(statuses), elapsedMs,
    rps: completed / (elapsedMs / 1000),
    p50Ms: hist.percentileMs(50), p99Ms: hist.percentileMs(99), meanMs: hist.meanMs(), maxMs: hist.maxUs / 1000,
  };
}
