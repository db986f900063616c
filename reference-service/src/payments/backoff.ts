// Exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff and
// Jitter"): the wait before retry n is uniform in [0, min(cap, base·2^n)], which spreads
// retries of many clients instead of synchronising them into waves.

/** Delay before retry number `retry` (0 for the first retry), in ms. */
export function fullJitterDelay(retry: number, baseMs: number, capMs: number, random: () => number): number {
  return random() * Math.min(capMs, baseMs * 2 ** retry);
}
