// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are Grafana template syntax, not JS templates
// Service overview: is each service and route healthy right now? RED (rate, errors,
// duration) from server spans, apdex, the slowest routes and requests with links into the
// trace view, and the Node runtime (event loop, heap, CPU) from the scraped metrics.

import { RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { ATTR, METRICS } from '@marketbench/instrumentation/names';
import {
  APDEX_T_MS,
  datasourceVariable,
  environmentVariable,
  gauge,
  IS_ERROR,
  METRIC_FILTERS,
  newDashboard,
  routeVariable,
  SERVER_SPANS,
  serviceVariable,
  spanAttr,
  stat,
  T,
  table,
  timeseries,
  traceLinkOverride,
  UIDS,
} from '../common.ts';
import { counterRateSql } from '../sql/counterRate.ts';

const ROUTE = spanAttr(ATTR.httpRoute);

export function requestRate() {
  return timeseries(
    'Request rate by route',
    'Server spans per second, by route template.',
    `SELECT $__timeInterval(Timestamp) AS time, ${ROUTE} AS route, count() / $__interval_s AS rps
FROM ${T.traces}
WHERE ${SERVER_SPANS}
GROUP BY time, route
ORDER BY time`,
    'reqps',
  );
}

export function errorRatio() {
  return timeseries(
    'Error ratio by route',
    'Share of server spans with status Error or a 5xx answer.',
    `SELECT $__timeInterval(Timestamp) AS time, ${ROUTE} AS route, countIf(${IS_ERROR}) / count() AS error_ratio
FROM ${T.traces}
WHERE ${SERVER_SPANS}
GROUP BY time, route
ORDER BY time`,
    'percentunit',
  );
}

export function latencyPercentiles() {
  return timeseries(
    'Latency p50 / p95 / p99',
    'Server span duration percentiles over the selected services and routes.',
    `SELECT $__timeInterval(Timestamp) AS time,
  quantile(0.5)(Duration) / 1e6 AS p50,
  quantile(0.95)(Duration) / 1e6 AS p95,
  quantile(0.99)(Duration) / 1e6 AS p99
FROM ${T.traces}
WHERE ${SERVER_SPANS}
GROUP BY time
ORDER BY time`,
    'ms',
  );
}

export function apdex() {
  const t = APDEX_T_MS * 1e6;
  return gauge(
    `Apdex (T = ${APDEX_T_MS} ms)`,
    `Satisfied (≤ ${APDEX_T_MS} ms, no error) plus half of tolerating (≤ ${4 * APDEX_T_MS} ms), over all requests.`,
    `SELECT (countIf(NOT ${IS_ERROR} AND Duration <= ${t}) + countIf(NOT ${IS_ERROR} AND Duration > ${t} AND Duration <= ${4 * t}) / 2) / count() AS apdex
FROM ${T.traces}
WHERE ${SERVER_SPANS}`,
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
    `SELECT count() AS requests FROM ${T.traces} WHERE ${SERVER_SPANS}`,
    'short',
  );
}

export function errorsTotal() {
  return stat(
    'Errors',
    'Server spans with status Error or a 5xx answer in the time range.',
    `SELECT countIf(${IS_ERROR}) AS errors FROM ${T.traces} WHERE ${SERVER_SPANS}`,
    'short',
  );
}

export function topSlowRoutes() {
  return table(
    'Top slow routes',
    'Routes by p99 latency, with their traffic and error ratio.',
    `SELECT ServiceName AS service, ${ROUTE} AS route, count() AS requests,
  round(countIf(${IS_ERROR}) / count(), 4) AS error_ratio,
  round(quantile(0.5)(Duration) / 1e6, 2) AS p50_ms,
  round(quantile(0.95)(Duration) / 1e6, 2) AS p95_ms,
  round(quantile(0.99)(Duration) / 1e6, 2) AS p99_ms,
  round(max(Duration) / 1e6, 2) AS max_ms
FROM ${T.traces}
WHERE ${SERVER_SPANS}
GROUP BY service, route
ORDER BY p99_ms DESC
LIMIT 20`,
  );
}

export function slowestRequests() {
  return table(
    'Slowest requests (open the trace)',
    'The slowest server spans in range; the trace id opens the trace view.',
    `SELECT Timestamp AS time, TraceId AS trace_id, ServiceName AS service, SpanName AS operation,
  ${spanAttr(ATTR.httpStatusCode)} AS status, round(Duration / 1e6, 2) AS duration_ms
FROM ${T.traces}
WHERE ${SERVER_SPANS}
ORDER BY Duration DESC
LIMIT 20`,
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
