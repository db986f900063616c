// Reads what the gate and the report need about one load run from the store: the run row, the
// run's metric series (the registry its summary and thresholds read), and bounded per-step
// samples. Everything is SQL on the marketbench_load_* tables, so it works the same on embedded
// chDB and on a ClickHouse server.

import { TABLES } from '@marketbench/contracts';
import {
  type MetricRegistry,
  type MetricSeriesRow,
  type MetricType,
  registryFromRows,
  type ScenarioDefinition,
  timeTrends,
} from '@marketbench/load-scenarios';
import type { Store } from '@marketbench/telemetry-store';
import { CliError } from '../errors.ts';

/** The run row, as the load runner wrote it (latest version: the table is a ReplacingMergeTree). */
export interface RunRow {
  run_id: string;
  scenario: string;
  status: string;
  started_at: string;
  ended_at: string;
  git_commit: string;
  target: string;
  config: string;
  requests_total: number;
  errors_total: number;
  dropped_iterations: number;
  thresholds: string;
  summary: string;
  time_scale: number;
  /** The run's length as its runner measured it (0 for runs stored before it was kept). */
  duration_sec: number;
}

/**
 * A request counts as failed (k6's http_req_failed) when its response was not expected: the
 * runner's verdict per row (the step's expectedStatuses, default 200–399, and no transport error).
 */
export const FAILED_SQL = 'NOT expected_response';

/** Resolves `last` (or undefined) to the newest run id; checks that a given id exists. */
export async function resolveRunId(store: Store, runId: string | undefined): Promise<string> {
  if (runId === undefined || runId === 'last') {
    const rows = await store.query<{ run_id: string }>(
      `SELECT run_id FROM ${TABLES.loadRuns} FINAL ORDER BY started_at DESC LIMIT 1`,
    );
    if (rows.length === 0)
      throw new CliError(
        'MB_ERR_NO_RUNS',
        'no load run in the store yet (run `marketbench run smoke` first)',
      );
    return rows[0].run_id;
  }
  const rows = await store.query<{ n: number }>(
    `SELECT count() AS n FROM ${TABLES.loadRuns} FINAL WHERE run_id = {run:String}`,
    {
      run: runId,
    },
  );
  if (Number(rows[0]?.n ?? 0) === 0)
    throw new CliError('MB_ERR_RUN_UNKNOWN', `no run "${runId}" in the store`);
  return runId;
}

/** The run row. */
export async function readRun(store: Store, runId: string): Promise<RunRow> {
  const rows = await store.query<RunRow>(
    `SELECT run_id, scenario, status, toString(started_at) AS started_at, ifNull(toString(ended_at), '') AS ended_at, git_commit, target,
            config, toUInt64(requests_total) AS requests_total, toUInt64(errors_total) AS errors_total,
            toUInt64(dropped_iterations) AS dropped_iterations, thresholds, summary, time_scale, duration_sec
       FROM ${TABLES.loadRuns} FINAL WHERE run_id = {run:String} LIMIT 1`,
    { run: runId },
  );
  if (rows.length === 0) throw new CliError('MB_ERR_RUN_UNKNOWN', `no run "${runId}" in the store`);
  const r = rows[0];
  return {
    ...r,
    requests_total: Number(r.requests_total),
    errors_total: Number(r.errors_total),
    dropped_iterations: Number(r.dropped_iterations),
    time_scale: Number(r.time_scale),
    duration_sec: Number(r.duration_sec),
  };
}

/** Length of the run in seconds (ended − started; falls back to the span of the request rows). */
export async function runDurationSec(store: Store, runId: string): Promise<number> {
  const rows = await store.query<{ d: number }>(
    `SELECT greatest(
        (SELECT dateDiff('millisecond', any(started_at), any(ended_at)) FROM ${TABLES.loadRuns} FINAL WHERE run_id = {run:String} AND ended_at > started_at),
        (SELECT dateDiff('millisecond', min(intended_start), max(intended_start)) FROM ${TABLES.loadRequests} WHERE run_id = {run:String})
      ) / 1000 AS d`,
    { run: runId },
  );
  return Math.max(Number(rows[0]?.d ?? 0), 1e-3);
}

/** The run's metrics as its runner recorded them, rebuilt from marketbench_load_metrics. */
export interface RunMetrics {
  /** Every series of the run (the registry the run's summary and thresholds read). */
  registry: MetricRegistry;
  /** The run's length as its runner measured it (the denominator of counter rates). */
  durationSec: number;
  /** Custom metrics the run's scenario declares, with their types. */
  declared: Record<string, MetricType>;
  /** Custom trends that hold durations (ms). */
  timeTrends: Set<string>;
  /** Scenario name, for messages. */
  scenario: string;
}

/** Reads a finished run's metric series; a run without them cannot be gated (says why). */
export async function readRunMetrics(store: Store, runId: string): Promise<RunMetrics> {
  const run = await readRun(store, runId);
  const rows = await store.query<MetricSeriesRow>(
    `SELECT run_id, metric, type, tags, count, sum, trues, value, min, max, hist
       FROM ${TABLES.loadMetrics} WHERE run_id = {run:String}`,
    { run: runId },
  );
  if (rows.length === 0) {
    throw new CliError(
      'MB_ERR_RUN_NO_METRICS',
      run.status === 'running'
        ? `run "${runId}" has not finished (status running): its metrics are stored when it ends`
        : `run "${runId}" has no stored metric series (stored by an older marketbench, or its final insert failed): run the scenario again`,
    );
  }
  let def: Partial<ScenarioDefinition> = {};
  try {
    def = (JSON.parse(run.config) as { scenario?: Partial<ScenarioDefinition> }).scenario ?? {};
  } catch {
    // an unreadable config declares nothing
  }
  const durationSec = run.duration_sec > 0 ? run.duration_sec : await runDurationSec(store, runId);
  return {
    registry: registryFromRows(rows),
    durationSec,
    declared: def.metrics ?? {},
    timeTrends: timeTrends({ metrics: def.metrics, journeys: def.journeys ?? {} }),
    scenario: run.scenario,
  };
}

/** A bounded uniform sample of each step's latencies (ms), drawn in the store with a fixed seed. */
export async function sampleSteps(
  store: Store,
  runId: string,
  size: number,
  column: 'latency_corrected_ms' | 'latency_uncorrected_ms' = 'latency_corrected_ms',
): Promise<Map<string, { count: number; errors: number; values: number[] }>> {
  const rows = await store.query<{ step: string; n: number; e: number; v: number[] }>(
    `SELECT step, count() AS n, countIf(${FAILED_SQL}) AS e, groupArraySample(${Math.trunc(size)}, 1)(${column}) AS v
       FROM ${TABLES.loadRequests} WHERE run_id = {run:String} GROUP BY step ORDER BY step`,
    { run: runId },
  );
  return new Map(
    rows.map((r) => [r.step, { count: Number(r.n), errors: Number(r.e), values: r.v.map(Number) }]),
  );
}
