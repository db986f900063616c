// A percentile-bootstrap confidence interval for the difference of a quantile (p95 by default)
// between two samples: resample each with replacement, take the quantile, subtract. Seeded, so a
// gate run is reproducible.

import { seededRandom } from '@marketbench/load-scenarios';
import { quantileInPlace, quantileSorted } from './quantile.ts';

/** A bootstrap interval of quantile(x) − quantile(y). */
export interface BootstrapInterval {
  /** Point estimate on the original samples. */
  estimate: number;
  /** Lower bound of the interval. */
  low: number;
  /** Upper bound of the interval. */
  high: number;
  /** Confidence level, e.g. 0.95. */
  confidence: number;
  /** Number of resamples. */
  resamples: number;
}

/** Options of {@link bootstrapQuantileDiff}. */
export interface BootstrapOptions {
  /** Quantile compared (0–1). */
  q: number;
  /** Number of resamples. */
  resamples: number;
  /** Two-sided confidence level. */
  confidence: number;
  /** PRNG seed. */
  seed: number;
}

export const DEFAULT_BOOTSTRAP: BootstrapOptions = { q: 0.95, resamples: 2000, confidence: 0.95, seed: 1 };

function resampleQuantile(src: Float64Array, buf: Float64Array, q: number, rnd: () => number): number {
  const n = src.length;
  for (let i = 0; i < n; i++) buf[i] = src[(rnd() * n) | 0];
  return quantileInPlace(buf, q);
}

/** Percentile-bootstrap CI of quantile(x) − quantile(y). */
export function bootstrapQuantileDiff(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  options: Partial<BootstrapOptions> = {},
): BootstrapInterval {
  const o = { ...DEFAULT_BOOTSTRAP, ...options };
  if (x.length === 0 || y.length === 0)
    throw new RangeError('bootstrapQuantileDiff needs two non-empty samples');
  const xs = Float64Array.from(x as ArrayLike<number>);
  const ys = Float64Array.from(y as ArrayLike<number>);
  const estimate =
    quantileSorted(Float64Array.from(xs).sort(), o.q) - quantileSorted(Float64Array.from(ys).sort(), o.q);
  const rnd = seededRandom(o.seed);
  const bx = new Float64Array(xs.length);
  const by = new Float64Array(ys.length);
  const diffs = new Float64Array(o.resamples);
  for (let b = 0; b < o.resamples; b++) {
    diffs[b] = resampleQuantile(xs, bx, o.q, rnd) - resampleQuantile(ys, by, o.q, rnd);
  }
  diffs.sort();
  const tail = (1 - o.confidence) / 2;
  return {
    estimate,
    low: quantileSorted(diffs, tail),
    high: quantileSorted(diffs, 1 - tail),
    confidence: o.confidence,
    resamples: o.resamples,
  };
}
