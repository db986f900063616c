// DDL of the capacity tables (`marketbench capacity run`): one row per run with the Universal
// Scalability Law fit the gate holds budgets on, one row per load step with what was measured.
// Named from TABLES; changed only by new migrations.
import { TABLES } from '@marketbench/contracts';
import { tableIn } from './otelTables.ts';

/** CREATE statements of the capacity tables, version 1. */
export function capacityTableStatements(database: string): string[] {
  const t = tableIn(database);
  return [
    `CREATE TABLE IF NOT EXISTS ${t(TABLES.capacityRuns)} (
    run_id String,
    scenario LowCardinality(String),
    model LowCardinality(String),
    started_at DateTime64(3),
    git_commit String,
    target String,
    steps UInt16,
    step_seconds Float64,
    settle_seconds Float64,
    lambda Float64,
    lambda_low Float64,
    lambda_high Float64,
    sigma Float64,
    sigma_low Float64,
    sigma_high Float64,
    kappa Float64,
    kappa_low Float64,
    kappa_high Float64,
    r2 Float64,
    r2_low Float64,
    r2_high Float64,
    n_star Float64,
    n_star_low Float64,
    n_star_high Float64,
    max_throughput Float64,
    max_throughput_low Float64,
    max_throughput_high Float64,
    knee_load Nullable(Float64),
    knee_throughput Nullable(Float64),
    knee_p99_ms Nullable(Float64),
    knee_objective String,
    confidence Float64,
    bootstrap_resamples UInt32,
    detail String,
    updated_at DateTime64(3)
) ENGINE = ReplacingMergeTree(updated_at)
ORDER BY run_id`,
    `CREATE TABLE IF NOT EXISTS ${t(TABLES.capacitySteps)} (
    run_id String,
    step UInt16,
    load Float64,
    measured_from DateTime64(3),
    measured_to DateTime64(3),
    requests UInt64,
    errors UInt64,
    throughput Float64,
    p50_ms Float64,
    p95_ms Float64,
    p99_ms Float64,
    in_flight_client Float64,
    in_flight_server Nullable(Float64),
    server_spans UInt64,
    service_cpu Nullable(Float64),
    generator_cpu Nullable(Float64),
    dropped_iterations UInt64
) ENGINE = MergeTree()
ORDER BY (run_id, step)`,
  ];
}
