// Time comes from one place so tests of expiry can move it.
export interface Clock {
  nowMs(): number;
}

export const systemClock: Clock = { nowMs: () => Date.now() };

/** Whole seconds since the epoch (JWT and Key Vault timestamps). */
export const nowSeconds = (clock: Clock): number => Math.floor(clock.nowMs() / 1000);
