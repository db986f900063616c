// Reads what the gate and the report need about one load run from the store: the run row,
// k6-style aggregates of its request rows under a tag filter, and bounded per-step samples.
// Everything is SQL on marketbench_load_requests / marketbench_load_runs, so it works the same
// on embedded chDB and on a ClickHouse server.

import { TABLES } from '@marketbench/instrumentation/names';
import type { QueryParams, Store } from '@marketbench/telemetry-store';
import { CliError, EXIT } from '../errors.ts';

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
}

/** A request counts as failed (k6's http_req_failed) on a transport error, no status, or a status ≥ 400. */
export const FAILED_SQL = "(error != '' OR status = 0 OR status >= 400)";

/** Columns of marketbench_load_requests a k6 tag filter maps onto; other tags are read from `tags`. */
const TAG_COLUMNS: Record<string, string> = {
  name: 'step',
  step: 'step',
  scenario: 'scenario',
  journey: 'journey',
  method: 'method',
  url: 'url',
  status: 'toString(status)',
};

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
        EXIT.usage,
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
    throw new CliError('MB_ERR_RUN_UNKNOWN', `no run "${runId}" in the store`, EXIT.usage);
  return runId;
}

/** The run row. */
export async function readRun(store: Store, runId: string): Promise<RunRow> {
  const rows = await store.query<RunRow>(
    `SELECT run_id, scenario, status, toString(started_at) AS started_at, ifNull(toString(ended_at), '') AS ended_at, git_commit, target,
            config, toUInt64(requests_total) AS requests_total, toUInt64(errors_total) AS errors_total,
            toUInt64(dropped_iterations) AS dropped_iterations, thresholds, summary, time_scale
       FROM ${TABLES.loadRuns} FINAL WHERE run_id = {run:String} LIMIT 1`,
    { run: runId },
  );
  if (rows.length === 0)
    throw new CliError('MB_ERR_RUN_UNKNOWN', `no run "${runId}" in the store`, EXIT.usage);
  const r = rows[0];
  return {
    ...r,
    requests_total: Number(r.requests_total),
    errors_total: Number(r.errors_total),
    dropped_iterations: Number(r.dropped_iterations),
    time_scale: Number(r.time_scale),
  };
}

/** Builds `AND ...` conditions for a k6 tag filter, binding values as parameters. */
export function tagFilterSql(filter: Record<string, string>, params: QueryParams): string {
  let sql = '';
  let i = 0;
  for (const [k, v] of Object.entries(filter)) {
    const p = `f${i++}`;
    params[p] = v;
    if (k === 'expected_response') {
      sql += v === 'true' ? ` AND NOT ${FAILED_SQL}` : ` AND ${FAILED_SQL}`;
    } else if (TAG_COLUMNS[k]) {
      sql += ` AND ${TAG_COLUMNS[k]} = {${p}:String}`;
    } else {
      const kp = `k${i}`;
      params[kp] = k;
      sql += ` AND tags[{${kp}:String}] = {${p}:String}`;
    }
  }
  return sql;
}

/** k6-style aggregates of one metric over the matching request rows. */
export interface RowAggregate {
  /** Matching rows (for http_req_failed: requests; for counters: the counter's value). */
  count: number;
  /** Trend aggregates, ms. */
  avg: number;
  min: number;
  max: number;
  /** Requested percentiles (0–100) → value, ms. */
  percentiles: Map<number, number>;
  /** Counter per second of run time, or the rate metric's fraction. */
  rate: number;
}

/** Trend metrics and the column holding their per-request value (ms). */
const TREND_COLUMNS: Record<string, string> = {
  http_req_duration: 'latency_corrected_ms',
  http_req_duration_uncorrected: 'latency_uncorrected_ms',
  http_req_scheduling_lag: 'scheduling_lag_ms',
};

/** Counter metrics computed from request rows. */
const COUNTER_SQL: Record<string, string> = {
  http_reqs: 'count()',
  data_sent: 'sum(bytes_sent)',
  data_received: 'sum(bytes_received)',
};

/** Metrics the gate can compute from stored rows. */
export const GATE_METRICS = [
  ...Object.keys(TREND_COLUMNS),
  ...Object.keys(COUNTER_SQL),
  'http_req_failed',
  'dropped_iterations',
] as const;

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

/**
 * Aggregates `metric` over the run's rows matching `filter`; undefined when nothing matched
 * (k6 treats a threshold on a metric without samples as passed, and so does the gate, saying so).
 */
export async function aggregateMetric(
  store: Store,
  runId: string,
  metric: string,
  filter: Record<string, string>,
  percentiles: readonly number[],
  durationSec: number,
): Promise<RowAggregate | undefined> {
  if (metric === 'dropped_iterations') {
    if (Object.keys(filter).length > 0) {
      throw new CliError(
        'MB_ERR_BUDGET_INVALID',
        'dropped_iterations is a per-run counter: it takes no tag filter',
        EXIT.usage,
      );
    }
    const run = await readRun(store, runId);
    const n = run.dropped_iterations;
    return { count: n, avg: n, min: n, max: n, percentiles: new Map(), rate: n / durationSec };
  }
  const params: QueryParams = { run: runId };
  const where = `run_id = {run:String}${tagFilterSql(filter, params)}`;
  if (metric === 'http_req_failed') {
    const rows = await store.query<{ n: number; f: number }>(
      `SELECT count() AS n, countIf(${FAILED_SQL}) AS f FROM ${TABLES.loadRequests} WHERE ${where}`,
      params,
    );
    const n = Number(rows[0]?.n ?? 0);
    if (n === 0) return undefined;
    const f = Number(rows[0].f);
    return { count: n, avg: f / n, min: 0, max: 1, percentiles: new Map(), rate: f / n };
  }
  if (COUNTER_SQL[metric]) {
    const rows = await store.query<{ n: number; v: number }>(
      `SELECT count() AS n, ${COUNTER_SQL[metric]} AS v FROM ${TABLES.loadRequests} WHERE ${where}`,
      params,
    );
    if (Number(rows[0]?.n ?? 0) === 0) return undefined;
    const v = Number(rows[0].v);
    return { count: v, avg: v, min: v, max: v, percentiles: new Map(), rate: v / durationSec };
  }
  const column = TREND_COLUMNS[metric];
  if (!column) {
    throw new CliError(
      'MB_ERR_BUDGET_INVALID',
      `metric "${metric}" cannot be computed from stored request rows (supported: ${GATE_METRICS.join(', ')})`,
      EXIT.usage,
    );
  }
  const ps = [...new Set([50, ...percentiles])];
  const levels = ps.map((p) => String(p / 100)).join(', ');
  const rows = await store.query<{ n: number; avg: number; min: number; max: number; qs: number[] }>(
    `SELECT count() AS n, avg(${column}) AS avg, min(${column}) AS min, max(${column}) AS max,
            quantilesExactInclusive(${levels})(${column}) AS qs
       FROM ${TABLES.loadRequests} WHERE ${where}`,
    params,
  );
  const n = Number(rows[0]?.n ?? 0);
  if (n === 0) return undefined;
  const r = rows[0];
  const map = new Map<number, number>();
  ps.forEach((p, i) => {
    map.set(p, Number(r.qs[i]));
  });
  return {
    count: n,
    avg: Number(r.avg),
    min: Number(r.min),
    max: Number(r.max),
    percentiles: map,
    rate: n / durationSec,
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
