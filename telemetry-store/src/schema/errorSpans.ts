// Error spans copied out of otel_traces in time order, so "newest errors" and "most frequent
// error messages" read a small table instead of scanning every span's status. The exporter's
// tables are untouched: a materialized view reads them, whoever writes the spans.
import { ATTR, OTEL_TABLES, TABLES } from '@marketbench/contracts';
import { tableIn, ttlClause } from './otelTables.ts';

/** CREATE statements of the error-span table and its materialized view (rows inserted after creation). */
export function errorSpanStatements(database: string, ttlDays: number): string[] {
  const t = tableIn(database);
  const ttl = ttlClause(ttlDays, 'toDateTime(Timestamp)');
  return [
    `CREATE TABLE IF NOT EXISTS ${t(TABLES.errorSpans)} (
    Timestamp DateTime64(9),
    TraceId String,
    SpanId String,
    ServiceName LowCardinality(String),
    SpanName LowCardinality(String),
    SpanKind LowCardinality(String),
    route LowCardinality(String),
    environment LowCardinality(String),
    status LowCardinality(String),
    StatusMessage String,
    Duration UInt64
) ENGINE = MergeTree()
PARTITION BY toDate(Timestamp)
ORDER BY (Timestamp, ServiceName)
${ttl}`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${t(TABLES.errorSpansMv)} TO ${t(TABLES.errorSpans)}
AS SELECT
    Timestamp,
    TraceId,
    SpanId,
    ServiceName,
    SpanName,
    SpanKind,
    SpanAttributes['${ATTR.httpRoute}'] AS route,
    ResourceAttributes['${ATTR.deploymentEnvironment}'] AS environment,
    SpanAttributes['${ATTR.httpStatusCode}'] AS status,
    StatusMessage,
    Duration
FROM ${t(OTEL_TABLES.traces)}
WHERE StatusCode = 'Error'`,
  ];
}
