// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are Grafana template syntax, not JS templates
// Traces explorer: which requests were slow or failed, where did their time go, and what did
// the service log while serving one? Slowest requests, the span breakdown of the p99
// requests by service and operation, error spans with their status messages, one trace in
// Grafana's trace view (the ClickHouse plugin's trace mode) and its logs.

import { RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import {
  datasourceVariable,
  ERROR_SPAN_FILTERS,
  environmentVariable,
  logs,
  newDashboard,
  ROLLUP,
  routeVariable,
  serviceVariable,
  slowestSpansSql,
  T,
  table,
  traceIdVariable,
  traceLinkOverride,
  traces,
  UIDS,
  VARS,
} from '../common.ts';

const TRACE_ID = `'\${${VARS.traceId}}'`;

export function slowestTraces() {
  return table(
    'Slowest requests',
    'Server spans with the longest duration in range; open one in the trace view below.',
    slowestSpansSql(50),
    { h: 9 },
  ).overrideByName('trace_id', traceLinkOverride());
}

export function p99Breakdown() {
  return table(
    'Where the slowest requests spend their time',
    'Spans of the 20 slowest requests at or above the p99 of the selection (p99 from the per-minute rollup), by service and operation, over each request’s own time span.',
    `WITH
  (SELECT toUInt64(quantileTDigestMerge(0.99)(duration_digest)) FROM ${T.serverSpans1m} WHERE ${ROLLUP}) AS p99,
  slowest AS (${slowestSpansSql(20, '-s.1 >= p99')})
SELECT ServiceName AS service, SpanName AS operation, SpanKind AS kind, count() AS spans,
  round(sum(Duration) / 1e6, 2) AS total_ms, round(avg(Duration) / 1e6, 2) AS avg_ms,
  round(max(Duration) / 1e6, 2) AS max_ms
FROM ${T.traces}
WHERE (TraceId, toDateTime(Timestamp)) IN (
  SELECT trace_id, toDateTime(arrayJoin(range(
    toUInt32(toDateTime(time)), toUInt32(toDateTime(time + toIntervalNanosecond(duration_ns))) + 1)))
  FROM slowest
)
GROUP BY service, operation, kind
ORDER BY total_ms DESC
LIMIT 50`,
    { h: 9 },
  );
}

export function errorSpans() {
  return table(
    'Error spans and their status messages',
    'Spans with status Error, newest first.',
    `SELECT Timestamp AS time, TraceId AS trace_id, ServiceName AS service, SpanName AS operation,
  status, StatusMessage AS message
FROM ${T.errorSpans}
WHERE $__timeFilter(Timestamp) AND ${ERROR_SPAN_FILTERS}
ORDER BY Timestamp DESC
LIMIT 100`,
    { h: 9 },
  ).overrideByName('trace_id', traceLinkOverride());
}

export function errorMessages() {
  return table(
    'Error messages',
    'Distinct status messages of error spans, most frequent first.',
    `SELECT ServiceName AS service, SpanName AS operation, StatusMessage AS message, count() AS spans
FROM ${T.errorSpans}
WHERE $__timeFilter(Timestamp) AND ${ERROR_SPAN_FILTERS}
GROUP BY service, operation, message
ORDER BY spans DESC
LIMIT 50`,
    { h: 7 },
  );
}

export function traceView() {
  // Column aliases are those of Grafana's trace data frame, as the plugin's trace-id query emits them.
  return traces(
    'Trace',
    'The trace in the trace id variable, in Grafana’s trace view.',
    `WITH ${TRACE_ID} AS trace_id,
  (SELECT min(Start) FROM ${T.traceIdTs} WHERE TraceId = trace_id) AS trace_start,
  (SELECT max(End) + 1 FROM ${T.traceIdTs} WHERE TraceId = trace_id) AS trace_end
SELECT TraceId AS traceID, SpanId AS spanID, ParentSpanId AS parentSpanID, ServiceName AS serviceName,
  SpanName AS operationName, toUnixTimestamp64Milli(Timestamp) AS startTime, Duration / 1e6 AS duration,
  arrayMap(key -> map('key', key, 'value', SpanAttributes[key]), mapKeys(SpanAttributes)) AS tags,
  arrayMap(key -> map('key', key, 'value', ResourceAttributes[key]), mapKeys(ResourceAttributes)) AS serviceTags,
  if(StatusCode IN ('Error', 'STATUS_CODE_ERROR'), 2, 0) AS statusCode, SpanKind AS kind, StatusMessage AS statusMessage
FROM ${T.traces}
WHERE TraceId = trace_id AND Timestamp >= trace_start AND Timestamp <= trace_end
ORDER BY startTime ASC`,
  );
}

export function traceLogs() {
  return logs(
    'Logs of the trace',
    'Log records carrying the trace id.',
    `SELECT Timestamp AS timestamp, Body AS body, SeverityText AS level, TraceId AS traceID, SpanId AS spanID, ServiceName AS service
FROM ${T.logs}
WHERE TraceId = ${TRACE_ID} AND $__timeFilter(Timestamp)
ORDER BY Timestamp ASC
LIMIT 1000`,
  );
}

export function tracesExplorerDashboard() {
  return newDashboard(
    UIDS.traces,
    'marketbench / Traces explorer',
    'Which requests were slow or failed, where did their time go, and what did the service log while serving one?',
  )
    .withVariable(datasourceVariable())
    .withVariable(environmentVariable())
    .withVariable(serviceVariable())
    .withVariable(routeVariable())
    .withVariable(traceIdVariable())
    .withRow(new RowBuilder('Find'))
    .withPanel(slowestTraces())
    .withPanel(p99Breakdown())
    .withPanel(errorSpans())
    .withPanel(errorMessages())
    .withRow(new RowBuilder('One trace'))
    .withPanel(traceView())
    .withPanel(traceLogs());
}
