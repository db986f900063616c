// Runs every budget of a budgets file against one stored run: k6 thresholds, SLO budget-burn
// limits and, with a baseline, the per-step statistical comparison. Output renderers and the
// exit code are separate so the CLI stays a thin shell.

import { EXIT, type ExitCode } from '@marketbench/contracts';
import type { Store } from '@marketbench/telemetry-store';
import { CliError } from '../errors.ts';
import { type BaselineFile, decodeSample } from './baselineFile.ts';
import { evaluateCapacityBudgets } from './capacityBudgets.ts';
import { compareStep } from './compareSteps.ts';
import { evaluateBudgetThresholds } from './evaluateBudgetThresholds.ts';
import type { Budgets } from './loadBudgets.ts';
import { sampleSteps } from './runData.ts';
import type { BudgetResult, GateReport, StepComparison, Verdict } from './types.ts';

/** Run samples drawn per step for the comparison (same size as a baseline's). */
export const RUN_SAMPLE_SIZE = 5000;

/** SLO budget results, computed by the SLO evaluator for a run. */
export type SloBudgetEvaluator = (store: Store, runId: string, budgets: Budgets) => Promise<BudgetResult[]>;

/** Inputs of {@link runGate}. */
export interface GateInput {
  /** Validated budgets. */
  budgets: Budgets;
  /** Run to check. */
  runId: string;
  /** Baseline to compare with, and how to name it. */
  baseline?: { label: string; file: BaselineFile };
  /** Evaluates spec.slos (the SLO evaluator); required when the budgets list SLOs. */
  evaluateSlos?: SloBudgetEvaluator;
}

/** Fail wins over inconclusive, inconclusive over pass. */
export function overallVerdict(verdicts: readonly Verdict[]): Verdict {
  if (verdicts.includes('fail')) return 'fail';
  if (verdicts.includes('inconclusive')) return 'inconclusive';
  return 'pass';
}

/** Exit code of a gate verdict: 0 pass, 99 a budget broken (as k6), 98 inconclusive. */
export function gateExitCode(verdict: Verdict): ExitCode {
  return verdict === 'fail'
    ? EXIT.thresholdsFailed
    : verdict === 'inconclusive'
      ? EXIT.inconclusive
      : EXIT.ok;
}

function comparisonResult(c: StepComparison, q: number): BudgetResult {
  const ql = `p${Math.round(q * 1000) / 10}`;
  const ci = Number.isFinite(c.diff.low)
    ? ` [${c.diff.low.toFixed(2)}, ${c.diff.high.toFixed(2)}] (${Math.round(c.diff.confidence * 100)}% CI)`
    : '';
  return {
    kind: 'baseline',
    name: `baseline ${ql} ${c.step}`,
    verdict: c.verdict,
    observed: Number.isFinite(c.diff.estimate) ? c.diff.estimate : null,
    unit: 'ms',
    limit: { operator: '<=', value: c.toleranceMs },
    aggregation: `Δ${ql}`,
    samples: c.nRun,
    observedText: `${ql} ${c.baseQ.toFixed(2)} → ${c.runQ.toFixed(2)} ms, Δ ${c.diff.estimate >= 0 ? '+' : ''}${c.diff.estimate.toFixed(2)} ms${ci}`,
    limitText: `Δ ≤ +${c.toleranceMs.toFixed(2)} ms`,
    detail: `${c.reason}; Mann–Whitney U one-sided p=${Number.isFinite(c.p) ? (c.p < 1e-6 ? '<1e-6' : c.p.toPrecision(3)) : '–'}, Cliff's δ=${Number.isFinite(c.cliffsDelta) ? c.cliffsDelta.toFixed(3) : '–'}, P(run>base)=${Number.isFinite(c.commonLanguage) ? c.commonLanguage.toFixed(3) : '–'}; n=${c.nRun}/${c.nBase}`,
  };
}

/** Evaluates every budget. */
export async function runGate(store: Store, input: GateInput): Promise<GateReport> {
  const { budgets, runId } = input;
  const results: BudgetResult[] = [];
  const notes: string[] = [...budgets.notes];
  const thresholds = budgets.spec.spec.thresholds ?? {};
  if (
    Object.keys(thresholds).length === 0 &&
    (budgets.spec.spec.slos ?? []).length === 0 &&
    budgets.spec.spec.capacity === undefined &&
    !input.baseline
  )
    throw new CliError(
      'MB_ERR_BUDGET_INVALID',
      `${budgets.file}: spec: only a baseline policy: pass --baseline FILE|RUN_ID, or add thresholds or slos`,
    );
  results.push(...(await evaluateBudgetThresholds(store, runId, thresholds, budgets.file)));
  if ((budgets.spec.spec.slos ?? []).length > 0) {
    if (!input.evaluateSlos) throw new Error('the budgets list SLOs but no SLO evaluator was given');
    results.push(...(await input.evaluateSlos(store, runId, budgets)));
  }
  if (budgets.spec.spec.capacity) {
    results.push(
      ...(await evaluateCapacityBudgets(
        store,
        runId,
        budgets.spec.spec.capacity,
        input.baseline?.file.capacity,
        notes,
      )),
    );
  }
  const comparisons: StepComparison[] = [];
  if (input.baseline) {
    const policy = budgets.baseline;
    const runSamples = await sampleSteps(store, runId, RUN_SAMPLE_SIZE);
    const baseSteps = input.baseline.file.steps;
    const wanted = policy.steps ?? [...new Set([...runSamples.keys(), ...Object.keys(baseSteps)])].sort();
    for (const step of wanted) {
      const r = runSamples.get(step);
      const b = baseSteps[step];
      if (!r && !b) {
        notes.push(`step ${step}: in neither the run nor the baseline`);
        continue;
      }
      if (!b) {
        notes.push(`step ${step}: not in the baseline (new step?), not compared`);
        continue;
      }
      if (!r) {
        notes.push(`step ${step}: in the baseline but not in this run, not compared`);
        continue;
      }
      const c = compareStep(step, r.values, decodeSample(b.sampleUs), policy);
      comparisons.push(c);
      results.push(comparisonResult(c, policy.quantile));
    }
  }
  return {
    runId,
    baseline: input.baseline?.label,
    budgetsName: budgets.name,
    results,
    comparisons,
    notes,
    verdict: overallVerdict(results.map((r) => r.verdict)),
  };
}
