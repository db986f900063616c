// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are Grafana template syntax, not JS templates
// Service overview: is each service and route healthy right now? RED (rate, errors,
// duration) from server spans, apdex, the slowest routes and requests with links into the
// trace view, and the Node runtime (event loop, heap, CPU) from the scraped metrics.

import { RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { METRICS } from '@marketbench/contracts';
import {
  APDEX_T_MS,
  datasourceVariable,
  environmentVariable,
  gauge,
  METRIC_FILTERS,
  newDashboard,
  ROLLUP,
  ROLLUP_INTERVAL,
  routeVariable,
  serviceVariable,
  slowestSpansSql,
  stat,
  T,
  table,
  timeseries,
  traceLinkOverride,
  UIDS,
} from '../common.ts';
import { counterRateSql } from '../sql/counterRate.ts';

export function requestRate() {
  return timeseries(
    'Request rate by route',
    'Server spans per second, by route template (per-minute rollup).',
    `SELECT $__timeInterval(minute) AS time, route, sum(requests) / $__interval_s AS rps
FROM ${T.serverSpans1m}
WHERE ${ROLLUP}
GROUP BY time, route
ORDER BY time`,
    'reqps',
  ).interval(ROLLUP_INTERVAL);
}

export function errorRatio() {
  return timeseries(
    'Error ratio by route',
    'Share of server spans with status Error or a 5xx answer.',
    `SELECT $__timeInterval(minute) AS time, route, sum(errors) / sum(requests) AS error_ratio
FROM ${T.serverSpans1m}
WHERE ${ROLLUP}
GROUP BY time, route
ORDER BY time`,
    'percentunit',
  ).interval(ROLLUP_INTERVAL);
}

export function latencyPercentiles() {
  return timeseries(
    'Latency p50 / p95 / p99',
    'Server span duration percentiles (t-digest) over the selected services and routes.',
    `SELECT time, q[1] / 1e6 AS p50, q[2] / 1e6 AS p95, q[3] / 1e6 AS p99
FROM (
  SELECT $__timeInterval(minute) AS time, quantilesTDigestMerge(0.5, 0.95, 0.99)(duration_digest) AS q
  FROM ${T.serverSpans1m}
  WHERE ${ROLLUP}
  GROUP BY time
)
ORDER BY time`,
    'ms',
  ).interval(ROLLUP_INTERVAL);
}

export function apdex() {
  return gauge(
    `Apdex (T = ${APDEX_T_MS} ms)`,
    `Satisfied (≤ ${APDEX_T_MS} ms, no error) plus half of tolerating (≤ ${4 * APDEX_T_MS} ms), over all requests.`,
    `SELECT (sum(satisfied) + sum(tolerating) / 2) / sum(requests) AS apdex
FROM ${T.serverSpans1m}
WHERE ${ROLLUP}`,
    'none',
  )
    .min(0)
    .max(1)
    .decimals(3);
}

export function requestsTotal() {
  return stat(
    'Requests',
    'Server spans in the time range.',
    `SELECT sum(requests) AS requests FROM ${T.serverSpans1m} WHERE ${ROLLUP}`,
    'short',
  );
}

export function errorsTotal() {
  return stat(
    'Errors',
    'Server spans with status Error or a 5xx answer in the time range.',
    `SELECT sum(errors) AS errors FROM ${T.serverSpans1m} WHERE ${ROLLUP}`,
    'short',
  );
}

export function topSlowRoutes() {
  return table(
    'Top slow routes',
    'Routes by p99 latency (t-digest), with their traffic and error ratio.',
    `SELECT service, route, n AS requests, round(e / n, 4) AS error_ratio,
  round(q[1] / 1e6, 2) AS p50_ms, round(q[2] / 1e6, 2) AS p95_ms, round(q[3] / 1e6, 2) AS p99_ms,
  round(longest / 1e6, 2) AS max_ms
FROM (
  SELECT ServiceName AS service, route, sum(requests) AS n, sum(errors) AS e,
    quantilesTDigestMerge(0.5, 0.95, 0.99)(duration_digest) AS q, max(duration_max) AS longest
  FROM ${T.serverSpans1m}
  WHERE ${ROLLUP}
  GROUP BY service, route
)
ORDER BY p99_ms DESC
LIMIT 20`,
  );
}

export function slowestRequests() {
  return table(
    'Slowest requests (open the trace)',
    'The slowest server spans in range; the trace id opens the trace view.',
    slowestSpansSql(20),
  ).overrideByName('trace_id', traceLinkOverride());
}

export function eventLoopLag() {
  return timeseries(
    'Event-loop lag p99',
    'prom-client event-loop lag p99, per service.',
    `SELECT $__timeInterval(TimeUnix) AS time, ServiceName AS service, max(Value) * 1000 AS lag_ms
FROM ${T.gauge}
WHERE $__timeFilter(TimeUnix) AND MetricName = '${METRICS.eventLoopLagP99}' AND ${METRIC_FILTERS}
GROUP BY time, service
ORDER BY time`,
    'ms',
    { w: 8 },
  );
}

export function heapUsed() {
  return timeseries(
    'Heap used',
    'V8 heap used, per service.',
    `SELECT $__timeInterval(TimeUnix) AS time, ServiceName AS service, max(Value) AS heap_bytes
FROM ${T.gauge}
WHERE $__timeFilter(TimeUnix) AND MetricName = '${METRICS.heapUsed}' AND ${METRIC_FILTERS}
GROUP BY time, service
ORDER BY time`,
    'bytes',
    { w: 8 },
  );
}

export function cpu() {
  return timeseries(
    'CPU',
    'Process CPU seconds per second (1 = one core), per service.',
    counterRateSql({
      metric: METRICS.cpuSeconds,
      label: 'ServiceName',
      alias: 'service',
      per: 1,
      valueAlias: 'cores',
    }),
    'short',
    { w: 8 },
  );
}

export function serviceOverviewDashboard() {
  return newDashboard(
    UIDS.serviceOverview,
    'marketbench / Service overview',
    'Is each service and route healthy right now: rate, errors, latency, apdex, and the runtime under it?',
  )
    .withVariable(datasourceVariable())
    .withVariable(environmentVariable())
    .withVariable(serviceVariable())
    .withVariable(routeVariable())
    .withRow(new RowBuilder('RED'))
    .withPanel(requestsTotal())
    .withPanel(errorsTotal())
    .withPanel(apdex().span(12))
    .withPanel(requestRate())
    .withPanel(errorRatio())
    .withPanel(latencyPercentiles().span(24))
    .withRow(new RowBuilder('Where it is slow'))
    .withPanel(topSlowRoutes())
    .withPanel(slowestRequests())
    .withRow(new RowBuilder('Runtime'))
    .withPanel(eventLoopLag())
    .withPanel(heapUsed())
    .withPanel(cpu());
}
