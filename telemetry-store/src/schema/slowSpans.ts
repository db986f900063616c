// The slowest server spans of every minute, service, route and environment, kept as a sorted
// top-K state, so "the slowest requests in range" merges a few thousand small states instead of
// ordering every span by duration. K bounds the N any query may ask for and stay exact: the N
// slowest spans of a range are among the K slowest of their own minute and group when N ≤ K.
// A materialized view reads otel_traces; the exporter's tables are untouched.
import { ATTR, OTEL_TABLES, TABLES } from '@marketbench/contracts';
import { tableIn, ttlClause } from './otelTables.ts';

/** Spans kept per minute and group: the largest exact top-N a dashboard can ask for. */
export const SLOW_SPANS_PER_MINUTE = 100;

/**
 * CREATE statements of the slow-span table and its materialized view. Each kept span is a tuple
 * (-Duration, Timestamp, TraceId, SpanName, HTTP status), so the sorted state starts with the slowest.
 */
export function slowSpanStatements(database: string, ttlDays: number): string[] {
  const t = tableIn(database);
  const ttl = ttlClause(ttlDays, 'minute');
  const k = SLOW_SPANS_PER_MINUTE;
  return [
    `CREATE TABLE IF NOT EXISTS ${t(TABLES.slowSpans1m)} (
    minute DateTime,
    ServiceName LowCardinality(String),
    route LowCardinality(String),
    environment LowCardinality(String),
    slowest AggregateFunction(groupArraySorted(${k}), Tuple(Int64, DateTime64(9), String, String, String))
) ENGINE = AggregatingMergeTree()
PARTITION BY toDate(minute)
ORDER BY (ServiceName, route, minute, environment)
${ttl}`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${t(TABLES.slowSpans1mMv)} TO ${t(TABLES.slowSpans1m)}
AS SELECT
    toStartOfMinute(Timestamp) AS minute,
    ServiceName,
    SpanAttributes['${ATTR.httpRoute}'] AS route,
    ResourceAttributes['${ATTR.deploymentEnvironment}'] AS environment,
    groupArraySortedState(${k})((-toInt64(Duration), Timestamp, TraceId, toString(SpanName), SpanAttributes['${ATTR.httpStatusCode}'])) AS slowest
FROM ${t(OTEL_TABLES.traces)}
WHERE SpanKind = 'Server'
GROUP BY minute, ServiceName, route, environment`,
  ];
}
