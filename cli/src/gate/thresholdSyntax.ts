// The gate reads thresholds in the same k6 syntax as scenarios, with the load-scenarios parser,
// operator and aggregation rules (one grammar, one set of error messages); this adapter is the
// small interface the gate uses.

import {
  aggregationFits,
  compare,
  type MetricKey,
  type MetricType,
  metricType,
  type Operator,
  parseMetricKey,
  parseThresholdExpression,
  type ThresholdExpression,
} from '@marketbench/load-scenarios';

export type { MetricKey, Operator, ThresholdExpression };

/** What the gate needs of the k6 threshold syntax. */
export interface ThresholdSyntax {
  /** `metric{tag:value}` → key, or an error message. */
  parseMetricKey(source: string): MetricKey | string;
  /** `p(99)<300` → expression, or an error message. */
  parseThresholdExpression(source: string): ThresholdExpression | string;
  /** Whether the aggregation applies to the (built-in) metric. */
  aggregationFits(metric: string, expr: ThresholdExpression): boolean;
  /** Whether the aggregation applies to a metric of this type. */
  aggregationFitsType(type: MetricType, expr: ThresholdExpression): boolean;
  /** Applies the operator. */
  compare(left: number, op: Operator, right: number): boolean;
}

export const thresholdSyntax: ThresholdSyntax = {
  parseMetricKey,
  parseThresholdExpression,
  aggregationFits(metric, expr) {
    const type = metricType(metric, undefined);
    return type !== undefined && aggregationFits(type, expr);
  },
  aggregationFitsType: aggregationFits,
  compare,
};
