// Evaluates a scenario's thresholds against the run's metrics, as k6 does at the end of a test
// and, for `abortOnFail`, while it runs.

import { parseDuration } from '@marketbench/contracts';
import type { Aggregate, MetricRegistry } from '../metrics/MetricRegistry.ts';
import type { ThresholdItem } from '../types.ts';
import {
  compare,
  type MetricKey,
  parseMetricKey,
  parseThresholdExpression,
  type ThresholdExpression,
} from './parseThreshold.ts';

/** A threshold, parsed and ready to evaluate. */
export interface CompiledThreshold {
  /** Metric key with tag filter. */
  key: MetricKey;
  /** Expression. */
  expression: ThresholdExpression;
  /** Stop the run as soon as it fails. */
  abortOnFail: boolean;
  /** Milliseconds after the start before abortOnFail applies. */
  delayAbortEvalMs: number;
}

/** A threshold's verdict. */
export interface ThresholdVerdict {
  /** `http_req_duration{name:checkout}`. */
  metric: string;
  /** `p(99)<300`. */
  expression: string;
  /** Observed value of the aggregation (undefined when the metric has no samples). */
  observed: number | undefined;
  /** Passed. A metric without samples passes, as in k6. */
  ok: boolean;
  /** Whether it aborted the run. */
  aborted?: boolean;
}

/** Compiles validated thresholds (validation has already reported any parse error). */
export function compileThresholds(
  thresholds: Record<string, ThresholdItem[]> | undefined,
): CompiledThreshold[] {
  const out: CompiledThreshold[] = [];
  for (const [keySource, items] of Object.entries(thresholds ?? {})) {
    const key = parseMetricKey(keySource);
    if (typeof key === 'string') throw new Error(key);
    for (const item of items) {
      const source = typeof item === 'string' ? item : item.threshold;
      const expression = parseThresholdExpression(source);
      if (typeof expression === 'string') throw new Error(expression);
      out.push({
        key,
        expression,
        abortOnFail: typeof item === 'object' && item.abortOnFail === true,
        delayAbortEvalMs:
          typeof item === 'object' && item.delayAbortEval
            ? parseDuration(item.delayAbortEval, 'duration')
            : 0,
      });
    }
  }
  return out;
}

/** What an expression's aggregation reads: the runner's HDR aggregate or the gate's SQL one. */
export type AggregationSource = Pick<
  Aggregate,
  'avg' | 'min' | 'max' | 'count' | 'rate' | 'value' | 'percentile'
>;

/** The value of an expression's aggregation (`p(99)`, `avg`, `rate`, ...) over an aggregate. */
export function aggregationValue(agg: AggregationSource, expression: ThresholdExpression): number {
  switch (expression.aggregation) {
    case 'p':
      return agg.percentile(expression.percentile ?? 0);
    case 'med':
      return agg.percentile(50);
    case 'avg':
      return agg.avg;
    case 'min':
      return agg.min;
    case 'max':
      return agg.max;
    case 'count':
      return agg.count;
    case 'rate':
      return agg.rate;
    case 'value':
      return agg.value;
  }
}

/** The observed value of an expression's aggregation, undefined when the metric has no samples. */
export function observe(
  registry: MetricRegistry,
  t: CompiledThreshold,
  durationSec: number,
): number | undefined {
  const agg = registry.aggregate(t.key.metric, t.key.filter, durationSec);
  if (!agg || agg.count === 0) return undefined;
  return aggregationValue(agg, t.expression);
}

/** Evaluates every threshold. */
export function evaluateThresholds(
  registry: MetricRegistry,
  thresholds: readonly CompiledThreshold[],
  durationSec: number,
): ThresholdVerdict[] {
  return thresholds.map((t) => {
    const observed = observe(registry, t, durationSec);
    return {
      metric: t.key.source,
      expression: t.expression.source,
      observed,
      ok: observed === undefined ? true : compare(observed, t.expression.operator, t.expression.value),
    };
  });
}

/** The first abortOnFail threshold that fails at `elapsedMs`, if any. */
export function abortingThreshold(
  registry: MetricRegistry,
  thresholds: readonly CompiledThreshold[],
  elapsedMs: number,
): CompiledThreshold | undefined {
  for (const t of thresholds) {
    if (!t.abortOnFail || elapsedMs < t.delayAbortEvalMs) continue;
    const observed = observe(registry, t, elapsedMs / 1000);
    if (observed !== undefined && !compare(observed, t.expression.operator, t.expression.value)) return t;
  }
  return undefined;
}
