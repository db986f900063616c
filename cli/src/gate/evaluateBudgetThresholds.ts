// Evaluates a budgets file's k6 thresholds against a stored run: one result per expression,
// computed with SQL over the run's request rows (exact percentiles, not a sketch).

import { aggregationValue } from '@marketbench/load-scenarios';
import type { Store } from '@marketbench/telemetry-store';
import { aggregateMetric, type RowAggregate, runDurationSec } from './runData.ts';
import { type ThresholdExpression, type ThresholdSyntax, thresholdSyntax } from './thresholdSyntax.ts';
import type { BudgetResult } from './types.ts';

/** The k6 aggregation of a SQL row aggregate; a `value` budget (gauges) reads the maximum. */
function observedValue(agg: RowAggregate, x: ThresholdExpression): number {
  return aggregationValue(
    { ...agg, value: agg.max, percentile: (p) => agg.percentiles.get(p) ?? Number.NaN },
    x,
  );
}

function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 100 ? v.toFixed(1) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toPrecision(3);
}

/** Evaluates every threshold of `thresholds` on `runId`. */
export async function evaluateBudgetThresholds(
  store: Store,
  runId: string,
  thresholds: Record<string, string[]>,
  syntax: ThresholdSyntax = thresholdSyntax,
): Promise<BudgetResult[]> {
  const durationSec = await runDurationSec(store, runId);
  const results: BudgetResult[] = [];
  for (const [keySource, exprs] of Object.entries(thresholds)) {
    const key = syntax.parseMetricKey(keySource);
    if (typeof key === 'string') throw new Error(key);
    const parsed = exprs.map((e) => {
      const x = syntax.parseThresholdExpression(e);
      if (typeof x === 'string') throw new Error(x);
      return x;
    });
    const percentiles = parsed.filter((x) => x.aggregation === 'p').map((x) => x.percentile ?? 0);
    const agg = await aggregateMetric(store, runId, key.metric, key.filter, percentiles, durationSec);
    for (const x of parsed) {
      const name = `${keySource} ${x.source}`;
      const unit =
        key.metric.startsWith('http_req_duration') || key.metric === 'http_req_scheduling_lag' ? ' ms' : '';
      if (!agg) {
        results.push({
          kind: 'threshold',
          name,
          verdict: 'pass',
          observed: 'no samples',
          limit: x.source,
          detail: 'no request matched the filter; passes as in k6',
        });
        continue;
      }
      const v = observedValue(agg, x);
      const ok = Number.isFinite(v) && syntax.compare(v, x.operator, x.value);
      results.push({
        kind: 'threshold',
        name,
        verdict: ok ? 'pass' : 'fail',
        observed: `${x.aggregation === 'p' ? `p(${x.percentile})` : x.aggregation}=${fmt(v)}${x.aggregation === 'rate' || x.aggregation === 'count' ? '' : unit}`,
        limit: x.source,
        detail: `${agg.count} ${key.metric === 'http_req_failed' || key.metric.startsWith('http_req_d') ? 'requests' : 'counted'}`,
      });
    }
  }
  return results;
}
