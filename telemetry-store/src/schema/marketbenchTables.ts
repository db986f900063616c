// DDL of marketbench's own tables (load generator results), named from TABLES in the
// shared name table. They change only through new migrations (see migrations.ts).
import { TABLES } from '@marketbench/contracts';
import { ident, tableIn } from './otelTables.ts';

const TAGS = 'Map(LowCardinality(String), String)';

/** CREATE statements of the load-generator tables, version 1. */
export function loadTableStatements(database: string): string[] {
  const t = tableIn(database);
  return [
    `CREATE TABLE IF NOT EXISTS ${t(TABLES.loadRequests)} (
    run_id LowCardinality(String),
    scenario LowCardinality(String),
    journey LowCardinality(String),
    step LowCardinality(String),
    method LowCardinality(String),
    url String,
    vu UInt32,
    iteration UInt64,
    intended_start DateTime64(6),
    actual_start DateTime64(6),
    latency_corrected_ms Float64,
    latency_uncorrected_ms Float64,
    scheduling_lag_ms Float64,
    status UInt16,
    bytes_sent UInt64,
    bytes_received UInt64,
    trace_id String,
    span_id String,
    error String,
    check_failures UInt16,
    tags ${TAGS}
) ENGINE = MergeTree()
PARTITION BY toDate(intended_start)
ORDER BY (run_id, step, intended_start)`,
    `CREATE TABLE IF NOT EXISTS ${t(TABLES.loadRuns)} (
    run_id String,
    scenario LowCardinality(String),
    status LowCardinality(String),
    started_at DateTime64(3),
    ended_at Nullable(DateTime64(3)),
    git_commit String,
    target String,
    config String,
    requests_total UInt64,
    errors_total UInt64,
    dropped_iterations UInt64,
    thresholds String,
    summary String,
    time_scale Float64,
    updated_at DateTime64(3)
) ENGINE = ReplacingMergeTree(updated_at)
ORDER BY run_id`,
    `CREATE TABLE IF NOT EXISTS ${t(TABLES.loadSamples)} (
    run_id LowCardinality(String),
    ts DateTime64(3),
    name LowCardinality(String),
    value Float64,
    tags ${TAGS}
) ENGINE = MergeTree()
ORDER BY (run_id, name, ts)`,
    `CREATE TABLE IF NOT EXISTS ${t(TABLES.loadFaults)} (
    run_id String,
    ts DateTime64(3),
    dependency LowCardinality(String),
    action LowCardinality(String),
    spec String
) ENGINE = MergeTree()
ORDER BY (run_id, ts)`,
  ];
}

/**
 * Version 2 of the load tables: per request whether the response was expected (k6's
 * `expected_response`, honouring each step's `expectedStatuses`), the one definition of a failed
 * request that the gate, the report and the dashboards read; the run's length as its runner
 * measured it; and the run's metric series (HDR histograms, counters, rates, gauges with their
 * tags), so the gate evaluates thresholds on the very numbers the run's summary printed.
 */
export function loadTableStatementsV2(database: string): string[] {
  const t = tableIn(database);
  return [
    // Rows written before this column existed carried the runner's verdict in `error`: it was
    // empty exactly when the status was expected and no transport error occurred.
    `ALTER TABLE ${t(TABLES.loadRequests)} ADD COLUMN IF NOT EXISTS expected_response Bool DEFAULT error = '' AFTER status`,
    `ALTER TABLE ${t(TABLES.loadRuns)} ADD COLUMN IF NOT EXISTS duration_sec Float64 AFTER time_scale`,
    `CREATE TABLE IF NOT EXISTS ${t(TABLES.loadMetrics)} (
    run_id String,
    metric LowCardinality(String),
    type LowCardinality(String),
    tags ${TAGS},
    count UInt64,
    sum Float64,
    trues UInt64,
    value Float64,
    min Float64,
    max Float64,
    hist String
) ENGINE = MergeTree()
ORDER BY (run_id, metric)`,
  ];
}

/** The migrations bookkeeping table itself (created before any migration runs). */
export function migrationsTableStatement(database: string): string {
  return `CREATE TABLE IF NOT EXISTS ${ident(database)}.${ident(TABLES.schemaMigrations)} (
    id UInt32,
    name String,
    applied_at DateTime64(3),
    checksum String
) ENGINE = MergeTree()
ORDER BY id`;
}
