// Decides, per step, whether a run is slower than its baseline by more than the tolerance:
// a one-sided Mann–Whitney U test on the per-request samples ("is this run slower at all") and
// a bootstrap interval of the p95 difference ("by how much"); noise or thin data → inconclusive.

import { bootstrapQuantileDiff } from './stats/bootstrap.ts';
import { mannWhitneyU } from './stats/mannWhitneyU.ts';
import { quantile } from './stats/quantile.ts';
import type { BaselinePolicy, StepComparison } from './types.ts';

/** Defaults of the baseline policy (docs/GATE.md explains each). */
export const DEFAULT_BASELINE_POLICY: BaselinePolicy = {
  quantile: 0.95,
  tolerance: 0.1,
  minToleranceMs: 1,
  alpha: 0.05,
  confidence: 0.95,
  resamples: 1000,
  minSamples: 200,
};

/**
 * Compares one step's samples (latency in ms). The rule, in order:
 * 1. fewer than `minSamples` on either side → inconclusive;
 * 2. U test significant (p < alpha) and the whole interval above the tolerance → fail (decided,
 *    however wide the interval);
 * 3. the whole interval at or below the tolerance → pass (decided, however wide);
 * 4. the interval straddles the tolerance and is wider than it → inconclusive (too noisy to decide);
 * 5. otherwise (a narrow interval around the tolerance): fail when the U test is significant and the
 *    estimate is beyond the tolerance, else pass.
 */
export function compareStep(
  step: string,
  run: ArrayLike<number>,
  base: ArrayLike<number>,
  policy: BaselinePolicy = DEFAULT_BASELINE_POLICY,
): StepComparison {
  const nRun = run.length;
  const nBase = base.length;
  const runQ = quantile(run, policy.quantile);
  const baseQ = quantile(base, policy.quantile);
  const toleranceMs = Math.max(
    policy.tolerance * (Number.isFinite(baseQ) ? baseQ : 0),
    policy.minToleranceMs,
  );
  const empty = { estimate: runQ - baseQ, low: Number.NaN, high: Number.NaN, confidence: policy.confidence };
  if (nRun < policy.minSamples || nBase < policy.minSamples) {
    return {
      step,
      nRun,
      nBase,
      runQ,
      baseQ,
      diff: empty,
      toleranceMs,
      p: Number.NaN,
      cliffsDelta: Number.NaN,
      commonLanguage: Number.NaN,
      verdict: 'inconclusive',
      reason: `too few samples (run ${nRun}, baseline ${nBase}; need ${policy.minSamples} each)`,
    };
  }
  const mw = mannWhitneyU(run, base, 'greater');
  const ci = bootstrapQuantileDiff(run, base, {
    q: policy.quantile,
    resamples: policy.resamples,
    confidence: policy.confidence,
    seed: 0x5eed,
  });
  const common = {
    step,
    nRun,
    nBase,
    runQ,
    baseQ,
    diff: { estimate: ci.estimate, low: ci.low, high: ci.high, confidence: ci.confidence },
    toleranceMs,
    p: mw.p,
    cliffsDelta: mw.cliffsDelta,
    commonLanguage: mw.commonLanguage,
  };
  const width = ci.high - ci.low;
  const q = pctNum(policy.quantile);
  const significant = mw.p < policy.alpha;
  if (significant && ci.low > toleranceMs) {
    return {
      ...common,
      verdict: 'fail',
      reason: `slower: p${q} +${ci.estimate.toFixed(2)} ms, the whole ${pct(ci.confidence)} interval beyond the ${toleranceMs.toFixed(2)} ms tolerance, Mann–Whitney p=${fmtP(mw.p)} < ${policy.alpha}`,
    };
  }
  if (ci.high <= toleranceMs) {
    return {
      ...common,
      verdict: 'pass',
      reason: `within tolerance: the ${pct(ci.confidence)} interval of the p${q} difference ends at ${signed(ci.high)} ms ≤ ${toleranceMs.toFixed(2)} ms`,
    };
  }
  if (width > toleranceMs) {
    return {
      ...common,
      verdict: 'inconclusive',
      reason: `noisy: the ${pct(ci.confidence)} interval of the p${q} difference is ${width.toFixed(2)} ms wide, wider than the ${toleranceMs.toFixed(2)} ms tolerance, and straddles it`,
    };
  }
  if (significant && ci.estimate > toleranceMs) {
    return {
      ...common,
      verdict: 'fail',
      reason: `slower: p${q} +${ci.estimate.toFixed(2)} ms beyond the ${toleranceMs.toFixed(2)} ms tolerance, Mann–Whitney p=${fmtP(mw.p)} < ${policy.alpha}`,
    };
  }
  return {
    ...common,
    verdict: 'pass',
    reason: significant
      ? `slower but within tolerance: p${q} ${signed(ci.estimate)} ms ≤ ${toleranceMs.toFixed(2)} ms`
      : `not slower: Mann–Whitney p=${fmtP(mw.p)} ≥ ${policy.alpha}`,
  };
}

function pct(x: number): string {
  return `${Math.round(x * 100)}%`;
}
function pctNum(q: number): string {
  return String(Math.round(q * 1000) / 10);
}
/** Formats a p-value with 3 significant digits, or `<1e-6`. */
export function fmtP(p: number): string {
  if (!Number.isFinite(p)) return '–';
  return p < 1e-6 ? '<1e-6' : p.toPrecision(3);
}
/** Formats a signed number of milliseconds. */
export function signed(x: number): string {
  return `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(2)}`;
}
