// Public types of the gate: the Budgets spec a team commits next to its code, the baseline
// file `marketbench baseline save` writes, and the verdicts the gate prints and exits with.

import type { CapacityBudgets } from './capacityBudgets.ts';

/** A budget is met, broken, or could not be decided (noisy or too few samples). */
export type Verdict = 'pass' | 'fail' | 'inconclusive';

/** How the gate compares a run with a baseline, step by step. */
export interface BaselinePolicy {
  /** Latency quantile whose difference is bootstrapped (0–1). */
  quantile: number;
  /** Allowed slowdown of that quantile, as a fraction of the baseline's value (0.1 = 10%). */
  tolerance: number;
  /** Floor of the allowed slowdown in milliseconds, so a 1 ms step is not held to 0.1 ms. */
  minToleranceMs: number;
  /** Significance level of the one-sided Mann–Whitney U test. */
  alpha: number;
  /** Confidence level of the bootstrap interval. */
  confidence: number;
  /** Bootstrap resamples. */
  resamples: number;
  /** Fewer samples than this on either side make a step inconclusive. */
  minSamples: number;
  /** Steps compared (default: every step present in both). */
  steps?: string[];
}

/** An SLO error-budget limit checked after the run. */
export interface SloBudget {
  /** SLO name, as in the slo-definitions specs. */
  slo: string;
  /** Burn-rate window (`5m`, `1h`, ...); default: every window the evaluator reports. */
  window?: string;
  /** Highest burn rate allowed in that window. */
  maxBurnRate?: number;
  /** Highest fraction of the error budget the run may consume (0–1). */
  maxBudgetConsumed?: number;
  /** Fail when any of the SLO's page alerts fired during the run. */
  noPage?: boolean;
}

/** The `budgets.yaml` file. */
export interface BudgetsSpec {
  /** Spec version. */
  apiVersion: 'marketbench/v1';
  /** Always `Budgets`. */
  kind: 'Budgets';
  /** Name and description shown in reports. */
  metadata?: { name?: string; description?: string };
  /** What to check. */
  spec: {
    /** k6 thresholds: `metric{tag:value}` to a list of expressions (or k6's `{ threshold }` objects), as in a scenario's options. */
    thresholds?: Record<
      string,
      Array<string | { threshold: string; abortOnFail?: boolean; delayAbortEval?: string }>
    >;
    /** SLO budget-burn limits. */
    slos?: SloBudget[];
    /** Baseline comparison policy (used when --baseline is given). */
    baseline?: Partial<BaselinePolicy>;
    /** Budgets on a capacity run's USL figures (docs/CAPACITY.md): figure → { min, max, maxDrop, maxRise }. */
    capacity?: CapacityBudgets;
  };
}

/** One checked budget: a JUnit test case, a table row. */
export interface BudgetResult {
  /** `threshold`, `slo`, `baseline` or `capacity` (a capacity run's USL figures). */
  kind: 'threshold' | 'slo' | 'baseline' | 'capacity';
  /** Stable name, e.g. `http_req_duration{name:checkout} p(99)<300`. */
  name: string;
  /** The verdict. */
  verdict: Verdict;
  /** The measured number, in `unit` (null when there is none: no samples, no events). */
  observed: number | null;
  /** Unit of `observed` and `limit.value`: ms, bytes, bytes/s, 1/s, ratio, count, burn (× the budgeted rate), or '' (none). */
  unit: string;
  /** The comparison `observed` is held to. */
  limit: { operator: string; value: number };
  /** The aggregation measured (`p(99)`, `rate`, ...), for thresholds. */
  aggregation?: string;
  /** Samples behind the figure (requests, checks, evaluations...). */
  samples?: number;
  /** What was measured, formatted for people (table, JUnit, Markdown). */
  observedText: string;
  /** The limit, formatted for people. */
  limitText: string;
  /** Why, in one line (test, p-value, effect size, interval). */
  detail: string;
}

/** Per-step statistics of a baseline comparison, kept for the report and the Markdown. */
export interface StepComparison {
  /** Step name. */
  step: string;
  /** Samples compared (run, baseline). */
  nRun: number;
  nBase: number;
  /** Quantile of each side, ms. */
  runQ: number;
  baseQ: number;
  /** Bootstrap interval of runQ − baseQ, ms. */
  diff: { estimate: number; low: number; high: number; confidence: number };
  /** Allowed slowdown, ms. */
  toleranceMs: number;
  /** One-sided Mann–Whitney U p-value (run slower than baseline). */
  p: number;
  /** Cliff's delta and the common-language effect size P(run > base). */
  cliffsDelta: number;
  commonLanguage: number;
  /** The verdict and why. */
  verdict: Verdict;
  reason: string;
}

/** Everything one gate evaluation found. */
export interface GateReport {
  /** Run checked. */
  runId: string;
  /** Baseline it was compared with, if any (file path or run id). */
  baseline?: string;
  /** Budgets file name. */
  budgetsName: string;
  /** Every budget's result, in spec order. */
  results: BudgetResult[];
  /** Baseline comparisons per step. */
  comparisons: StepComparison[];
  /** Notes that are not verdicts (a step missing from the baseline...). */
  notes: string[];
  /** Overall verdict: fail if any failed, else inconclusive if any was, else pass. */
  verdict: Verdict;
}
