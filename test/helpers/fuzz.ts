// How long property tests run: a few hundred cases in the ordinary suite (each file a few seconds);
// `scripts/fuzz.mjs` sets FUZZ_RUNS and FUZZ_TIME_MS for a longer run. FUZZ_SEED replays a failure.
import type { Parameters as FcParameters } from 'fast-check';

export function fuzzParameters<T>(defaultRuns: number): FcParameters<T> {
  const runs = Number(process.env.FUZZ_RUNS ?? defaultRuns);
  const timeMs = process.env.FUZZ_TIME_MS === undefined ? undefined : Number(process.env.FUZZ_TIME_MS);
  const seed = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
  return {
    numRuns: runs,
    ...(timeMs !== undefined ? { interruptAfterTimeLimit: timeMs, markInterruptAsFailure: false } : {}),
    ...(seed !== undefined ? { seed } : {}),
  };
}

/** A test's timeout: room for FUZZ_TIME_MS when a long run set it, else two minutes (a hang fails). */
export function fuzzTimeout(): number {
  const timeMs = Number(process.env.FUZZ_TIME_MS ?? 0);
  return 120_000 + (Number.isFinite(timeMs) ? timeMs : 0);
}
