// Rates and increases of cumulative counters as scraped into otel_metrics_sum: each sample's
// increase over the previous sample of the same series (a drop means the process restarted,
// so the new value is the increase), summed per time bucket.

import { METRIC_FILTERS, T } from '../common.ts';

/** What to compute from one counter. */
export interface CounterRateOptions {
  /** MetricName in otel_metrics_sum. */
  metric: string;
  /** SQL expression to group by (e.g. `ServiceName`, `Attributes['outcome']`). */
  label: string;
  /** Alias of the label column. */
  alias: string;
  /** Seconds the rate is per: 1 for per-second, 60 for per-minute. */
  per: number;
  /** Alias of the value column. */
  valueAlias: string;
  /** Extra condition on the samples. */
  where?: string;
}

/** The increase of every sample over its predecessor in the same series, with time and label. */
export function counterIncreasesSql(
  o: Pick<CounterRateOptions, 'metric' | 'label' | 'alias' | 'where'>,
): string {
  return `SELECT TimeUnix, ${o.label} AS ${o.alias},
    Value - lagInFrame(Value, 1, Value) OVER series AS delta,
    if(delta < 0, Value, delta) AS increase
  FROM ${T.sum}
  WHERE $__timeFilter(TimeUnix) AND MetricName = '${o.metric}' AND ${METRIC_FILTERS}${o.where ? ` AND ${o.where}` : ''}
  WINDOW series AS (PARTITION BY ServiceName, ResourceAttributes, Attributes ORDER BY TimeUnix ROWS BETWEEN 1 PRECEDING AND CURRENT ROW)`;
}

/** Long-format time series: per bucket and label, the counter's increase per `per` seconds. */
export function counterRateSql(o: CounterRateOptions): string {
  return `SELECT $__timeInterval(TimeUnix) AS time, ${o.alias}, sum(increase) / $__interval_s * ${o.per} AS ${o.valueAlias}
FROM (
  ${counterIncreasesSql(o)}
)
GROUP BY time, ${o.alias}
ORDER BY time`;
}

/** Table: per label, the counter's total increase over the time range. */
export function counterIncreaseSql(
  o: Pick<CounterRateOptions, 'metric' | 'label' | 'alias' | 'where'>,
  valueAlias: string,
): string {
  return `SELECT ${o.alias}, sum(increase) AS ${valueAlias}
FROM (
  ${counterIncreasesSql(o)}
)
GROUP BY ${o.alias}
ORDER BY ${valueAlias} DESC`;
}
