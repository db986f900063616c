// The Universal Scalability Law (Gunther, "Guerrilla Capacity Planning", 2007):
// X(N) = λN / (1 + σ(N−1) + κN(N−1)). σ is contention (the serial share that queues), κ is
// coherency (the pairwise crosstalk that makes throughput fall past the peak), λ the
// throughput of one unit of load. These are the model's derived figures, one definition each.

/** The three coefficients of the USL. */
export interface UslParams {
  /** Throughput at a load of one (requests/s per unit of load). */
  lambda: number;
  /** Contention, 0–1. */
  sigma: number;
  /** Coherency, ≥ 0. */
  kappa: number;
}

/** Throughput the model predicts at load `n`. */
export function uslThroughput(p: UslParams, n: number): number {
  return (p.lambda * n) / (1 + p.sigma * (n - 1) + p.kappa * n * (n - 1));
}

/** Mean time in the system at load `n` (Little's law, closed model, no think time): n / X(n). */
export function uslResponseTime(p: UslParams, n: number): number {
  return n / uslThroughput(p, n);
}

/**
 * N* = √((1−σ)/κ): the load where throughput peaks. Infinite when κ = 0 (no retrograde:
 * throughput only approaches λ/σ).
 */
export function peakConcurrency(p: UslParams): number {
  if (!(p.kappa > 0)) return Number.POSITIVE_INFINITY;
  return Math.sqrt(Math.max(0, 1 - p.sigma) / p.kappa);
}

/**
 * The largest throughput the model allows: X(N*) when κ > 0, else the asymptote λ/σ
 * (infinite when σ = 0 too: linear scaling).
 */
export function maxThroughput(p: UslParams): number {
  const n = peakConcurrency(p);
  if (Number.isFinite(n)) return uslThroughput(p, Math.max(1, n));
  return p.sigma > 0 ? p.lambda / p.sigma : Number.POSITIVE_INFINITY;
}
