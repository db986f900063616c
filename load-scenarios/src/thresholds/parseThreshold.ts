// k6 threshold syntax: a metric key with an optional tag filter (`http_req_duration{name:checkout}`)
// and expressions `<aggregation> <operator> <number>` (`p(99)<300`, `rate<0.01`, `count>=1`).

import type { MetricType } from '../types.ts';

/** Aggregations k6 allows, by metric type. */
export const AGGREGATIONS: Record<MetricType, readonly string[]> = {
  counter: ['count', 'rate'],
  rate: ['rate'],
  gauge: ['value'],
  trend: ['avg', 'min', 'max', 'med', 'p(N)'],
};

/** Comparison operators k6 allows. */
export type Operator = '<' | '<=' | '>' | '>=' | '==' | '===' | '!=';

/** A parsed threshold expression. */
export interface ThresholdExpression {
  /** The expression as written. */
  source: string;
  /** `avg`, `min`, `max`, `med`, `count`, `rate`, `value` or `p`. */
  aggregation: 'avg' | 'min' | 'max' | 'med' | 'count' | 'rate' | 'value' | 'p';
  /** Percentile for `p(N)`, 0–100. */
  percentile?: number;
  /** Comparison operator. */
  operator: Operator;
  /** Right-hand side. */
  value: number;
}

/** A parsed metric key: name and tag filter. */
export interface MetricKey {
  /** The key as written. */
  source: string;
  /** Metric name. */
  metric: string;
  /** Tags a sample must carry to count (all of them). */
  filter: Record<string, string>;
}

const KEY = /^([A-Za-z_][A-Za-z0-9_]*)(?:\{(.*)\})?$/;
const EXPR =
  /^\s*(avg|min|max|med|count|rate|value|p\(\s*(\d+(?:\.\d+)?)\s*\))\s*(<=|>=|===|==|!=|<|>)\s*(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)\s*$/;

/** Parses `metric{tag:value,...}`; returns an error string when it does not parse. */
export function parseMetricKey(source: string): MetricKey | string {
  const m = KEY.exec(source.trim());
  if (!m) return `"${source}" is not a metric name with an optional {tag:value} filter`;
  const filter: Record<string, string> = {};
  if (m[2] !== undefined) {
    for (const part of m[2].split(',')) {
      const i = part.indexOf(':');
      if (i <= 0) return `tag filter "${part}" in "${source}" is not tag:value`;
      filter[part.slice(0, i).trim()] = part.slice(i + 1).trim();
    }
  }
  return { source, metric: m[1], filter };
}

/** Parses one threshold expression; returns an error string when it does not parse. */
export function parseThresholdExpression(source: string): ThresholdExpression | string {
  const m = EXPR.exec(source);
  if (!m) return `"${source}" is not "<aggregation> <operator> <number>" (e.g. "p(99)<300", "rate<0.01")`;
  const isP = m[1].startsWith('p(');
  const percentile = isP ? Number(m[2]) : undefined;
  if (percentile !== undefined && (percentile < 0 || percentile > 100))
    return `percentile in "${source}" is outside 0–100`;
  return {
    source,
    aggregation: (isP ? 'p' : m[1]) as ThresholdExpression['aggregation'],
    percentile,
    operator: m[3] as Operator,
    value: Number(m[4]),
  };
}

/** True when the aggregation exists for the metric type (k6 rejects `p(99)` on a rate, for example). */
export function aggregationFits(type: MetricType, expr: ThresholdExpression): boolean {
  const allowed = AGGREGATIONS[type];
  return expr.aggregation === 'p' ? allowed.includes('p(N)') : allowed.includes(expr.aggregation);
}

/** Applies the operator. */
export function compare(left: number, op: Operator, right: number): boolean {
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
}
