// Evaluates a budgets file's k6 thresholds against a stored run: the run's metric series are
// rebuilt from the store and evaluated by load-scenarios' evaluateThresholds, the function the
// run itself used, so the gate and the run's summary give the same value for every metric.

import {
  aggregationUnit,
  BUILTIN_METRICS,
  compileThresholds,
  type MetricType,
  metricType,
  observe,
  type ThresholdItem,
} from '@marketbench/load-scenarios';
import type { Store } from '@marketbench/telemetry-store';
import { CliError } from '../errors.ts';
import { type RunMetrics, readRunMetrics } from './runData.ts';
import { type ThresholdSyntax, thresholdSyntax } from './thresholdSyntax.ts';
import type { BudgetResult } from './types.ts';

/** A number as the table prints it. */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 100 ? v.toFixed(1) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toPrecision(3);
}

/** A value with its unit, for people: `3.10 ms`, `0.12%`, `42/s`. */
export function formatWithUnit(v: number, unit: string): string {
  if (unit === 'ratio') return `${formatNumber(v * 100)}%`;
  if (unit === '1/s') return `${formatNumber(v)}/s`;
  if (unit === 'count' || unit === '') return formatNumber(v);
  return `${formatNumber(v)} ${unit}`;
}

/** The metric's type in this run: built-in, declared by its scenario, or seen in its series. */
function typeInRun(metric: string, run: RunMetrics): MetricType | undefined {
  return metricType(metric, run.declared) ?? run.registry.all().find((s) => s.metric === metric)?.type;
}

/** Evaluates every threshold of `thresholds` on `runId` (budgets file `file`, for messages). */
export async function evaluateBudgetThresholds(
  store: Store,
  runId: string,
  thresholds: Record<string, ThresholdItem[]>,
  file = 'budgets',
  syntax: ThresholdSyntax = thresholdSyntax,
): Promise<BudgetResult[]> {
  if (Object.keys(thresholds).length === 0) return [];
  const run = await readRunMetrics(store, runId);
  const results: BudgetResult[] = [];
  for (const [keySource, items] of Object.entries(thresholds)) {
    const key = syntax.parseMetricKey(keySource);
    if (typeof key === 'string') throw new Error(key);
    const type = typeInRun(key.metric, run);
    const field = `${file}: spec.thresholds["${keySource}"]`;
    if (!type) {
      throw new CliError(
        'MB_ERR_BUDGET_INVALID',
        `${field}: metric "${key.metric}" is neither built-in nor declared by scenario ${run.scenario} (run ${runId})`,
      );
    }
    // One compiled threshold per expression, evaluated as the run evaluated its own.
    for (const compiled of compileThresholds({ [keySource]: items })) {
      const x = compiled.expression;
      if (!syntax.aggregationFitsType(type, x)) {
        throw new CliError(
          'MB_ERR_BUDGET_INVALID',
          `${field}: "${x.source}": ${x.aggregation === 'p' ? 'p(N)' : x.aggregation} does not apply to ${key.metric}, a ${type}`,
        );
      }
      const aggregation = x.aggregation === 'p' ? `p(${x.percentile})` : x.aggregation;
      const unit = aggregationUnit(key.metric, type, x.aggregation, run.timeTrends);
      const v = observe(run.registry, compiled, run.durationSec);
      const name = `${keySource} ${x.source}`;
      const limit = { operator: x.operator, value: x.value };
      const limitText = x.source;
      const what =
        key.metric in BUILTIN_METRICS && key.metric.startsWith('http_req') ? 'requests' : 'samples';
      if (v === undefined) {
        results.push({
          kind: 'threshold',
          name,
          verdict: 'pass',
          observed: null,
          unit,
          limit,
          aggregation,
          samples: 0,
          observedText: 'no samples',
          limitText,
          detail: 'no sample matched the filter; passes as in k6',
        });
        continue;
      }
      const samples = run.registry.aggregate(key.metric, key.filter, run.durationSec)?.count ?? 0;
      const ok = Number.isFinite(v) && syntax.compare(v, x.operator, x.value);
      results.push({
        kind: 'threshold',
        name,
        verdict: ok ? 'pass' : 'fail',
        observed: v,
        unit,
        limit,
        aggregation,
        samples,
        observedText: `${aggregation}=${formatWithUnit(v, unit)}`,
        limitText,
        detail: `${samples} ${type === 'counter' ? 'counted' : what}`,
      });
    }
  }
  return results;
}
