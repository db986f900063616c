// The gate reads thresholds in the same k6 syntax as scenarios. This is the small interface the
// gate depends on. INTERIM: until @marketbench/load-scenarios exports its parser
// (load-scenarios/src/thresholds/parseThreshold.ts), a minimal implementation of the same
// grammar lives here; it is replaced by an adapter over that parser as soon as it is exported.

/** Comparison operators k6 allows. */
export type Operator = '<' | '<=' | '>' | '>=' | '==' | '===' | '!=';

/** A parsed metric key: name and tag filter. */
export interface MetricKey {
  /** The key as written. */
  source: string;
  /** Metric name. */
  metric: string;
  /** Tags a sample must carry to count (all of them). */
  filter: Record<string, string>;
}

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

const KEY = /^([A-Za-z_][A-Za-z0-9_]*)(?:\{(.*)\})?$/;
const EXPR =
  /^\s*(avg|min|max|med|count|rate|value|p\(\s*(\d+(?:\.\d+)?)\s*\))\s*(<=|>=|===|==|!=|<|>)\s*(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)\s*$/;
const TYPES: Record<string, 'trend' | 'counter' | 'rate'> = {
  http_req_duration: 'trend',
  http_req_duration_uncorrected: 'trend',
  http_req_scheduling_lag: 'trend',
  http_reqs: 'counter',
  data_sent: 'counter',
  data_received: 'counter',
  dropped_iterations: 'counter',
  http_req_failed: 'rate',
};
const FITS = { trend: ['avg', 'min', 'max', 'med', 'p'], counter: ['count', 'rate'], rate: ['rate'] };

export const thresholdSyntax: ThresholdSyntax = {
  parseMetricKey(source) {
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
  },
  parseThresholdExpression(source) {
    const m = EXPR.exec(source);
    if (!m) return `"${source}" is not "<aggregation> <operator> <number>" (e.g. "p(99)<300", "rate<0.01")`;
    const isP = m[1].startsWith('p(');
    const percentile = isP ? Number(m[2]) : undefined;
    if (percentile !== undefined && percentile > 100) return `percentile in "${source}" is outside 0–100`;
    return {
      source,
      aggregation: (isP ? 'p' : m[1]) as ThresholdExpression['aggregation'],
      percentile,
      operator: m[3] as Operator,
      value: Number(m[4]),
    };
  },
  aggregationFits(metric, expr) {
    const type = TYPES[metric];
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
