// A per-minute rollup of server spans for the dashboards (RED, apdex counts, a latency
// t-digest per service / route / environment / run / step), fed by a materialized view on
// otel_traces. The exporter's tables are untouched: the view only reads them, so the rollup
// fills the same way whether our ingest or a real collector writes the spans.
import { ATTR, OTEL_TABLES, TABLES } from '@marketbench/contracts';
import { tableIn, ttlClause } from './otelTables.ts';

/** Apdex thresholds the rollup counts (T and 4T, milliseconds); the dashboards' apdex uses T. */
export const ROLLUP_APDEX_MS = { satisfied: 300, tolerating: 1200 } as const;

/** CREATE statements of the rollup table and its materialized view (rows inserted after creation). */
export function serverSpanRollupStatements(database: string, ttlDays: number): string[] {
  const t = tableIn(database);
  const ttl = ttlClause(ttlDays, 'minute');
  const isError = `(StatusCode = 'Error' OR startsWith(SpanAttributes['${ATTR.httpStatusCode}'], '5'))`;
  return [
    `CREATE TABLE IF NOT EXISTS ${t(TABLES.serverSpans1m)} (
    minute DateTime,
    ServiceName LowCardinality(String),
    route LowCardinality(String),
    environment LowCardinality(String),
    SpanName LowCardinality(String),
    run_id LowCardinality(String),
    step LowCardinality(String),
    requests SimpleAggregateFunction(sum, UInt64),
    errors SimpleAggregateFunction(sum, UInt64),
    satisfied SimpleAggregateFunction(sum, UInt64),
    tolerating SimpleAggregateFunction(sum, UInt64),
    duration_max SimpleAggregateFunction(max, UInt64),
    duration_digest AggregateFunction(quantileTDigest, UInt64)
) ENGINE = AggregatingMergeTree()
PARTITION BY toDate(minute)
ORDER BY (ServiceName, route, minute, environment, SpanName, run_id, step)
${ttl}`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${t(TABLES.serverSpans1mMv)} TO ${t(TABLES.serverSpans1m)}
AS SELECT
    toStartOfMinute(Timestamp) AS minute,
    ServiceName,
    SpanAttributes['${ATTR.httpRoute}'] AS route,
    ResourceAttributes['${ATTR.deploymentEnvironment}'] AS environment,
    SpanName,
    SpanAttributes['${ATTR.runId}'] AS run_id,
    SpanAttributes['${ATTR.step}'] AS step,
    count() AS requests,
    countIf(${isError}) AS errors,
    countIf(NOT ${isError} AND Duration <= ${ROLLUP_APDEX_MS.satisfied * 1_000_000}) AS satisfied,
    countIf(NOT ${isError} AND Duration > ${ROLLUP_APDEX_MS.satisfied * 1_000_000} AND Duration <= ${ROLLUP_APDEX_MS.tolerating * 1_000_000}) AS tolerating,
    max(Duration) AS duration_max,
    quantileTDigestState(Duration) AS duration_digest
FROM ${t(OTEL_TABLES.traces)}
WHERE SpanKind = 'Server'
GROUP BY minute, ServiceName, route, environment, SpanName, run_id, step`,
  ];
}
