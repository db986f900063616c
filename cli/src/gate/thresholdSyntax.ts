// The gate reads thresholds in the same k6 syntax as scenarios, with the load-scenarios parser
// (one grammar, one set of error messages); this adapter is the small interface the gate uses.

import {
  type MetricKey,
  type MetricType,
  metricType,
  parseMetricKey,
  parseThresholdExpression,
  type ThresholdExpression,
} from '@marketbench/load-scenarios';

export type { MetricKey, ThresholdExpression };

/** Comparison operators k6 allows. */
export type Operator = ThresholdExpression['operator'];

/** What the gate needs of the k6 threshold syntax. */
export interface ThresholdSyntax {
  /** `metric{tag:value}` → key, or an error message. */
  parseMetricKey(source: string): MetricKey | string;
  /** `p(99)<300` → expression, or an error message. */
  parseThresholdExpression(source: string): ThresholdExpression | string;
  /** Whether the aggregation applies to the (built-in) metric. */
  aggregationFits(metric: string, expr: ThresholdExpression): boolean;
  /** Applies the operator. */
  compare(left: number, op: Operator, right: number): boolean;
}

/** Aggregations k6 allows by metric type. */
const FITS: Record<MetricType, readonly ThresholdExpression['aggregation'][]> = {
  trend: ['avg', 'min', 'max', 'med', 'p'],
  counter: ['count', 'rate'],
  rate: ['rate'],
  gauge: ['value'],
};

export const thresholdSyntax: ThresholdSyntax = {
  parseMetricKey,
  parseThresholdExpression,
  aggregationFits(metric, expr) {
    const type = metricType(metric, undefined);
    return type !== undefined && FITS[type].includes(expr.aggregation);
  },
  compare(left, op, right) {
    switch (op) {
      case '<':
        return left < right;
      case '<=':
        return left <= right;
      case '>':
        return left > right;
      case '>=':
        return left >= right;
      case '==':
      case '===':
        return left === right;
      case '!=':
        return left !== right;
    }
  },
};
