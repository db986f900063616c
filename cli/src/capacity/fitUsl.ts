// Fits the Universal Scalability Law to measured (load, throughput) points by non-linear least
// squares (Levenberg–Marquardt from ml-levenberg-marquardt, with the analytical Jacobian), and
// bootstraps the fit over the points for confidence intervals. The fit runs on rescaled
// parameters (λ in units of the largest throughput, κ in units of 1/N²max) so all three are of
// order one: unscaled, κ ≈ 1e-4 next to λ ≈ 1e3 leaves the damped Gauss–Newton step blind to κ.

import { seededRandom } from '@marketbench/load-scenarios';
import { levenbergMarquardt } from 'ml-levenberg-marquardt';
import { quantileSorted } from '../gate/stats/quantile.ts';
import { maxThroughput, peakConcurrency, type UslParams, uslThroughput } from './usl.ts';

/** One measured point: load (concurrency) and throughput. */
export interface UslPoint {
  /** Load: concurrent requests (closed model) or the measured mean in flight (open model). */
  n: number;
  /** Throughput at that load (requests/s). */
  x: number;
}

/** A least-squares fit of the USL. */
export interface UslFit extends UslParams {
  /** Coefficient of determination on the throughput: 1 − SSE/SST. */
  r2: number;
  /** Residual standard error √(SSE/(n−3)), in throughput units (NaN with 3 points). */
  residualStdError: number;
  /** Sum of squared residuals. */
  sse: number;
  /** Points fitted. */
  points: number;
}

/** A confidence interval. */
export interface Interval {
  /** Lower bound. */
  low: number;
  /** Upper bound. */
  high: number;
}

/** Bootstrap of the fit over the points (pairs resampling). */
export interface UslBootstrap {
  /** Resamples fitted. */
  resamples: number;
  /** Resamples drawn again because they held fewer than 3 distinct loads (no unique fit). */
  redrawn: number;
  /** Two-sided confidence level of the intervals. */
  confidence: number;
  /** Percentile intervals. */
  lambda: Interval;
  sigma: Interval;
  kappa: Interval;
  r2: Interval;
  /** Of N* (infinite bounds when κ = 0 in part of the resamples). */
  nStar: Interval;
  /** Of the maximum throughput. */
  maxThroughput: Interval;
  /** Every resample's coefficients, to carry the uncertainty into predictions (the plan, the band). */
  draws: UslParams[];
}

/** Options of {@link fitUsl} and {@link bootstrapUsl}. */
export interface FitOptions {
  /** LM iterations per start (default 300). */
  maxIterations?: number;
}

/** Options of {@link bootstrapUsl}. */
export interface BootstrapUslOptions extends FitOptions {
  /** Resamples (default 1000). */
  resamples?: number;
  /** Two-sided confidence level (default 0.95). */
  confidence?: number;
  /** PRNG seed (default 1), so a report is reproducible. */
  seed?: number;
}

/** LM iterations per round of a fit. */
const FIT_ROUND = 20;

export const DEFAULT_USL_BOOTSTRAP = { resamples: 1000, confidence: 0.95, seed: 1 } as const;

/** Why a fit is impossible: fewer than three distinct loads, or a non-positive throughput. */
export class UslFitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UslFitError';
  }
}

function distinctLoads(points: readonly UslPoint[]): number {
  return new Set(points.map((p) => p.n)).size;
}

/**
 * Starting values by Gunther's linearisation (GCaP §5.6): with C = X/λ₀, N/C − 1 =
 * σ(N−1) + κN(N−1) is linear in σ and κ; solved by least squares through the origin.
 */
function linearStart(points: readonly UslPoint[]): UslParams {
  const minN = Math.min(...points.map((p) => p.n));
  const atMin = points.filter((p) => p.n === minN);
  const lambda = atMin.reduce((s, p) => s + p.x, 0) / atMin.length / minN;
  let saa = 0;
  let sab = 0;
  let sbb = 0;
  let say = 0;
  let sby = 0;
  for (const p of points) {
    const a = p.n - 1;
    const b = p.n * (p.n - 1);
    const y = (p.n * lambda) / p.x - 1;
    saa += a * a;
    sab += a * b;
    sbb += b * b;
    say += a * y;
    sby += b * y;
  }
  const det = saa * sbb - sab * sab;
  let sigma = det !== 0 ? (say * sbb - sby * sab) / det : 0;
  let kappa = det !== 0 ? (sby * saa - say * sab) / det : 0;
  if (!Number.isFinite(sigma)) sigma = 0;
  if (!Number.isFinite(kappa)) kappa = 0;
  return { lambda, sigma: Math.min(0.99, Math.max(0, sigma)), kappa: Math.max(0, kappa) };
}

function sse(points: readonly UslPoint[], p: UslParams): number {
  let s = 0;
  for (const pt of points) s += (pt.x - uslThroughput(p, pt.n)) ** 2;
  return s;
}

/** Least-squares fit of the USL to the points; needs three distinct loads and positive throughputs. */
export function fitUsl(points: readonly UslPoint[], options: FitOptions = {}): UslFit {
  if (points.some((p) => !(p.n > 0) || !(p.x > 0) || !Number.isFinite(p.x))) {
    throw new UslFitError('every point needs a load > 0 and a throughput > 0');
  }
  if (distinctLoads(points) < 3) {
    throw new UslFitError(
      `the USL has three coefficients: it needs at least 3 distinct loads, got ${distinctLoads(points)}`,
    );
  }
  const xs = points.map((p) => p.n);
  const yScale = Math.max(...points.map((p) => p.x));
  const nMax = Math.max(...xs);
  const kScale = 1 / (nMax * nMax);
  const ys = points.map((p) => p.x / yScale);
  const lin = linearStart(points);
  const l0 = lin.lambda / yScale;
  // Three starts with every coefficient free, then the two faces of the bounds (κ = 0: Amdahl;
  // σ = 0) fitted with that coefficient held: a projected LM step that hits a bound also spoils
  // the other coefficients' step, so a boundary optimum is reached only with the bound held.
  const attempts: { start: [number, number, number]; free: [boolean, boolean, boolean] }[] = [
    { start: [l0, lin.sigma, lin.kappa / kScale], free: [true, true, true] },
    { start: [l0, lin.sigma, 0], free: [true, true, true] },
    { start: [l0, 0.05, 0.5], free: [true, true, true] },
    { start: [l0, Math.max(lin.sigma, 0.01), 0], free: [true, true, false] },
    { start: [l0, 0, Math.max(lin.kappa / kScale, 0.01)], free: [true, false, true] },
  ];
  let best: UslParams | undefined;
  let bestSse = Number.POSITIVE_INFINITY;
  const budget = options.maxIterations ?? 300;
  for (const { start, free } of attempts) {
    const full = (v: number[]): [number, number, number] => {
      const out: [number, number, number] = [...start];
      let j = 0;
      for (let i = 0; i < 3; i++) if (free[i]) out[i] = v[j++];
      return out;
    };
    // scaled coefficients q = [λ/yScale, σ, κ/kScale]
    const model = (v: number[]) => {
      const [l, sg, k] = full(v);
      return (n: number) => (l * n) / (1 + sg * (n - 1) + k * kScale * n * (n - 1));
    };
    const jacobian = (v: number[]) => {
      const [l, sg, k] = full(v);
      return (n: number) => {
        const d = 1 + sg * (n - 1) + k * kScale * n * (n - 1);
        const f = (l * n) / d;
        const all = [n / d, (-f * (n - 1)) / d, (-f * kScale * n * (n - 1)) / d];
        return all.filter((_, i) => free[i]);
      };
    };
    const pick = (a: number[]) => a.filter((_, i) => free[i]);
    // The library stops only at maxIterations or an absolute error; run it in rounds from its
    // last answer and stop when a round no longer improves the SSE by a relative 1e-12.
    let v = pick(start);
    let prev = Number.POSITIVE_INFINITY;
    for (let used = 0; used < budget; used += FIT_ROUND) {
      const r = levenbergMarquardt({ x: xs, y: ys }, model, {
        initialValues: v,
        jacobianFunction: jacobian,
        minValues: pick([1e-12, 0, 0]),
        maxValues: pick([1e6, 1, 1e9]),
        maxIterations: FIT_ROUND,
        errorTolerance: 0,
      });
      v = r.parameterValues;
      if (!(r.parameterError < prev * (1 - 1e-12))) break;
      prev = r.parameterError;
    }
    const q = full(v);
    const p = { lambda: q[0] * yScale, sigma: q[1], kappa: q[2] * kScale };
    const e = sse(points, p);
    if (e < bestSse) {
      bestSse = e;
      best = p;
    }
  }
  const fit = best as UslParams;
  const mean = points.reduce((s, p) => s + p.x, 0) / points.length;
  const sst = points.reduce((s, p) => s + (p.x - mean) ** 2, 0);
  return {
    ...fit,
    sse: bestSse,
    r2: sst > 0 ? 1 - bestSse / sst : 1,
    residualStdError: points.length > 3 ? Math.sqrt(bestSse / (points.length - 3)) : Number.NaN,
    points: points.length,
  };
}

function interval(values: number[], confidence: number): Interval {
  const sorted = Float64Array.from(values).sort();
  const a = (1 - confidence) / 2;
  // Between two infinite order statistics (N* of draws with κ = 0) interpolation gives NaN.
  const q = (p: number) => {
    const v = quantileSorted(sorted, p);
    return Number.isNaN(v) && sorted[Math.ceil((sorted.length - 1) * p)] === Number.POSITIVE_INFINITY
      ? Number.POSITIVE_INFINITY
      : v;
  };
  return { low: q(a), high: q(1 - a) };
}

/**
 * Pairs bootstrap over the points: draw as many points as measured, with replacement, and refit.
 * A draw with fewer than 3 distinct loads has no unique fit and is drawn again (counted).
 * Percentile intervals; seeded, so the same measurements give the same intervals.
 */
export function bootstrapUsl(points: readonly UslPoint[], options: BootstrapUslOptions = {}): UslBootstrap {
  const resamples = options.resamples ?? DEFAULT_USL_BOOTSTRAP.resamples;
  const confidence = options.confidence ?? DEFAULT_USL_BOOTSTRAP.confidence;
  const rnd = seededRandom(options.seed ?? DEFAULT_USL_BOOTSTRAP.seed);
  if (distinctLoads(points) < 3) throw new UslFitError('bootstrap needs at least 3 distinct loads');
  const draws: UslParams[] = [];
  const r2s: number[] = [];
  let redrawn = 0;
  const n = points.length;
  while (draws.length < resamples) {
    const sample: UslPoint[] = [];
    for (let i = 0; i < n; i++) sample.push(points[(rnd() * n) | 0]);
    if (distinctLoads(sample) < 3) {
      redrawn++;
      if (redrawn > resamples * 100) throw new UslFitError('bootstrap could not draw 3 distinct loads');
      continue;
    }
    const f = fitUsl(sample, options);
    draws.push({ lambda: f.lambda, sigma: f.sigma, kappa: f.kappa });
    r2s.push(f.r2);
  }
  return {
    resamples,
    redrawn,
    confidence,
    lambda: interval(
      draws.map((d) => d.lambda),
      confidence,
    ),
    sigma: interval(
      draws.map((d) => d.sigma),
      confidence,
    ),
    kappa: interval(
      draws.map((d) => d.kappa),
      confidence,
    ),
    r2: interval(r2s, confidence),
    nStar: interval(draws.map(peakConcurrency), confidence),
    maxThroughput: interval(draws.map(maxThroughput), confidence),
    draws,
  };
}

/** The band of predicted throughput at load `n`: the percentile interval over the bootstrap draws. */
export function throughputBand(draws: readonly UslParams[], n: number, confidence: number): Interval {
  return interval(
    draws.map((d) => uslThroughput(d, n)),
    confidence,
  );
}
