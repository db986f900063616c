// Server spans per minute by service, route, method, HTTP status, error status and latency
// bucket, so HTTP availability and latency SLIs over 30-day windows read minutes, not spans.
// The latency bucket `le` is the smallest boundary at or above the duration, with the
// boundaries of the `http.server.request.duration` histogram (SLO latency thresholds must be
// one of them, so "slower than the threshold" is exactly `le > threshold`). A materialized
// view reads otel_traces; the exporter's tables are untouched.
import { ATTR, OTEL_TABLES, TABLES } from '@marketbench/contracts';
import { tableIn, ttlClause } from './otelTables.ts';

/**
 * Bucket boundaries in seconds: the semantic-convention buckets of http.server.request.duration
 * (instrumentation's HTTP_DURATION_BUCKETS; a test keeps the two equal). Fixed by this migration:
 * changing them needs a new migration.
 */
export const HTTP_SLI_BUCKETS: readonly number[] = [
  0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
];

/** CREATE statements of the HTTP SLI rollup and its materialized view (rows inserted after creation). */
export function httpSliRollupStatements(database: string, ttlDays: number): string[] {
  const t = tableIn(database);
  const ttl = ttlClause(ttlDays, 'minute');
  const bounds = HTTP_SLI_BUCKETS.map((b) => `${Math.round(b * 1e9)}`).join(', ');
  return [
    `CREATE TABLE IF NOT EXISTS ${t(TABLES.httpSli1m)} (
    minute DateTime,
    ServiceName LowCardinality(String),
    route LowCardinality(String),
    method LowCardinality(String),
    status UInt16,
    error UInt8,
    le Float64,
    requests SimpleAggregateFunction(sum, UInt64)
) ENGINE = AggregatingMergeTree()
PARTITION BY toDate(minute)
ORDER BY (ServiceName, route, minute, method, status, error, le)
${ttl}`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${t(TABLES.httpSli1mMv)} TO ${t(TABLES.httpSli1m)}
AS SELECT
    toStartOfMinute(Timestamp) AS minute,
    ServiceName,
    SpanAttributes['${ATTR.httpRoute}'] AS route,
    SpanAttributes['${ATTR.httpMethod}'] AS method,
    toUInt16OrZero(SpanAttributes['${ATTR.httpStatusCode}']) AS status,
    toUInt8(StatusCode = 'Error') AS error,
    if(Duration > ${Math.round(HTTP_SLI_BUCKETS[HTTP_SLI_BUCKETS.length - 1] * 1e9)}, inf,
       arrayFirst(b -> Duration <= b, [${bounds}]) / 1e9) AS le,
    count() AS requests
FROM ${t(OTEL_TABLES.traces)}
WHERE SpanKind = 'Server'
GROUP BY minute, ServiceName, route, method, status, error, le`,
  ];
}
