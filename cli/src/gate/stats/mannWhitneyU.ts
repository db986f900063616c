// The Mann–Whitney U test, one-sided "is x stochastically greater than y" (is this run slower
// than the baseline), with the normal approximation, tie correction and continuity correction
// as scipy.stats.mannwhitneyu(method='asymptotic') computes them, plus the effect sizes the gate
// prints next to the p-value.

import { normalSf } from './normal.ts';

/** Result of a Mann–Whitney U test of x against y. */
export interface MannWhitneyResult {
  /** U statistic of x: pairs (xi, yj) with xi > yj, ties counted one half. */
  u: number;
  /** p-value of the requested alternative. */
  p: number;
  /** z score of U under the normal approximation (continuity-corrected). */
  z: number;
  /** Common-language effect size: P(X > Y) + P(X = Y)/2 = U / (n_x n_y). */
  commonLanguage: number;
  /** Cliff's delta: P(X > Y) − P(X < Y) = 2 U / (n_x n_y) − 1, from −1 to 1. */
  cliffsDelta: number;
  /** Sample sizes. */
  nx: number;
  ny: number;
}

/** Alternative hypothesis, as scipy names it. */
export type Alternative = 'greater' | 'less' | 'two-sided';

/** Tests whether x tends to be larger than y ('greater'), smaller ('less') or either ('two-sided'). */
export function mannWhitneyU(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  alternative: Alternative = 'greater',
  useContinuity = true,
): MannWhitneyResult {
  const nx = x.length;
  const ny = y.length;
  if (nx === 0 || ny === 0) throw new RangeError('mannWhitneyU needs two non-empty samples');
  const n = nx + ny;
  // Rank the pooled sample: average ranks for ties, and the tie term Σ(t³ − t) for the variance.
  const pooled = new Float64Array(n);
  for (let i = 0; i < nx; i++) pooled[i] = x[i];
  for (let j = 0; j < ny; j++) pooled[nx + j] = y[j];
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => pooled[a] - pooled[b]);
  let rankSumX = 0;
  let tieTerm = 0;
  let i = 0;
  while (i < n) {
    let j = i + 1;
    while (j < n && pooled[order[j]] === pooled[order[i]]) j++;
    const avgRank = (i + 1 + j) / 2; // ranks i+1..j
    const t = j - i;
    if (t > 1) tieTerm += t * t * t - t;
    for (let k = i; k < j; k++) if (order[k] < nx) rankSumX += avgRank;
    i = j;
  }
  const u = rankSumX - (nx * (nx + 1)) / 2;
  const mu = (nx * ny) / 2;
  const sigma = Math.sqrt(((nx * ny) / 12) * (n + 1 - tieTerm / (n * (n - 1))));
  let z: number;
  let p: number;
  const cc = useContinuity ? 0.5 : 0;
  if (sigma === 0) {
    z = 0;
    p = 1;
  } else if (alternative === 'greater') {
    z = (u - mu - cc) / sigma;
    p = normalSf(z);
  } else if (alternative === 'less') {
    z = (mu - u - cc) / sigma;
    p = normalSf(z);
  } else {
    z = (Math.abs(u - mu) - cc) / sigma;
    p = Math.min(1, 2 * normalSf(z));
  }
  const commonLanguage = u / (nx * ny);
  return { u, p, z, commonLanguage, cliffsDelta: 2 * commonLanguage - 1, nx, ny };
}
