// Stores a capacity run in ClickHouse (one marketbench_capacity_runs row with the fit the gate
// reads, one marketbench_capacity_steps row per step) and reads it back for `capacity plan`,
// `capacity report` and the gate.

import { TABLES } from '@marketbench/contracts';
import type { Store } from '@marketbench/telemetry-store';
import { CliError } from '../errors.ts';
import type { CapacityResult } from './types.ts';

const ts = (iso: string | number) => new Date(iso).toISOString().replace('T', ' ').replace('Z', '');
const finite = (n: number | undefined) => (n !== undefined && Number.isFinite(n) ? n : null);

/** The figures of a capacity run the gate can hold budgets on, with their bootstrap intervals. */
export const CAPACITY_FIGURES = [
  'max_throughput',
  'n_star',
  'sigma',
  'kappa',
  'lambda',
  'r2',
  'knee_throughput',
] as const;
/** A figure name. */
export type CapacityFigure = (typeof CAPACITY_FIGURES)[number];

/** A stored figure: point estimate and interval (knee throughput has no interval). */
export interface StoredFigure {
  value: number | null;
  low: number | null;
  high: number | null;
}

/** Writes the run's rows. An unbounded N* (κ = 0) is stored as +inf, a figure the run lacks as nan. */
export async function storeCapacity(store: Store, r: CapacityResult): Promise<void> {
  const m = r.usl;
  const b = m?.bootstrap;
  // JSON has no Infinity or NaN; ClickHouse reads the strings "inf" and "nan" into Float64.
  const inf = (n: number | undefined) =>
    n === undefined || Number.isNaN(n) ? 'nan' : n === Number.POSITIVE_INFINITY ? 'inf' : n;
  // Each figure with its interval: `<figure>`, `<figure>_low`, `<figure>_high`.
  const figures: [string, number | undefined, { low: number; high: number } | undefined][] = [
    ['lambda', m?.fit.lambda, b?.lambda],
    ['sigma', m?.fit.sigma, b?.sigma],
    ['kappa', m?.fit.kappa, b?.kappa],
    ['r2', m?.fit.r2, b?.r2],
    ['n_star', m?.nStar, b?.nStar],
    ['max_throughput', m?.maxThroughput, b?.maxThroughput],
  ];
  const figureColumns = Object.fromEntries(
    figures.flatMap(([name, value, ci]) => [
      [name, inf(value)],
      [`${name}_low`, inf(ci?.low)],
      [`${name}_high`, inf(ci?.high)],
    ]),
  );
  await store.insert(TABLES.capacityRuns, [
    {
      run_id: r.runId,
      scenario: r.scenario,
      model: r.loadModel,
      started_at: ts(r.startedAt),
      git_commit: r.gitCommit,
      target: r.target,
      steps: r.steps.length,
      step_seconds: r.stepSeconds,
      settle_seconds: r.settleSeconds,
      ...figureColumns,
      knee_load: finite(r.knee.load ?? undefined),
      knee_throughput: finite(r.knee.throughput ?? undefined),
      knee_p99_ms: finite(r.knee.p99Ms ?? undefined),
      knee_objective: r.objectives.map((o) => o.name).join('; '),
      confidence: b?.confidence ?? 0,
      bootstrap_resamples: b?.resamples ?? 0,
      detail: JSON.stringify(r, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v)),
      updated_at: ts(Date.now()),
    },
  ]);
  if (r.steps.length > 0)
    await store.insert(
      TABLES.capacitySteps,
      r.steps.map((s) => ({
        run_id: r.runId,
        step: s.step,
        load: s.load,
        measured_from: ts(s.measuredFrom),
        measured_to: ts(s.measuredTo),
        requests: s.requests,
        errors: s.errors,
        throughput: s.throughput,
        p50_ms: s.p50Ms,
        p95_ms: s.p95Ms,
        p99_ms: s.p99Ms,
        in_flight_client: s.inFlightClient,
        in_flight_server: s.inFlightServer,
        server_spans: s.serverSpans,
        service_cpu: s.serviceCpu,
        generator_cpu: s.generatorCpu,
        dropped_iterations: s.droppedIterations,
      })),
    );
}

/** Revives the stored JSON (infinite numbers were kept as strings). */
export function parseCapacityDetail(text: string): CapacityResult {
  return JSON.parse(text, (_k, v) =>
    v === 'Infinity'
      ? Number.POSITIVE_INFINITY
      : v === '-Infinity'
        ? Number.NEGATIVE_INFINITY
        : v === 'NaN'
          ? Number.NaN
          : v,
  ) as CapacityResult;
}

/** The newest capacity run id, or the given one checked; MB_ERR_CAPACITY_NO_RUN when there is none. */
export async function resolveCapacityRun(store: Store, runId?: string): Promise<string> {
  const rows = await store.query<{ run_id: string }>(
    runId === undefined
      ? `SELECT run_id FROM ${TABLES.capacityRuns} FINAL ORDER BY started_at DESC LIMIT 1`
      : `SELECT run_id FROM ${TABLES.capacityRuns} FINAL WHERE run_id = {run:String} LIMIT 1`,
    { run: runId ?? '' },
  );
  const id = rows[0]?.run_id;
  if (!id)
    throw new CliError(
      'MB_ERR_CAPACITY_NO_RUN',
      runId === undefined
        ? 'the store holds no capacity run yet; run `marketbench capacity run` first'
        : `no capacity run with id ${runId} (run ids: marketbench query "SELECT run_id FROM ${TABLES.capacityRuns}")`,
    );
  return id;
}

/** A stored capacity run, whole. */
export async function readCapacity(store: Store, runId: string): Promise<CapacityResult> {
  const [row] = await store.query<{ detail: string }>(
    `SELECT detail FROM ${TABLES.capacityRuns} FINAL WHERE run_id = {run:String}`,
    { run: runId },
  );
  if (!row) throw new CliError('MB_ERR_CAPACITY_NO_RUN', `no capacity run with id ${runId}`);
  return parseCapacityDetail(row.detail);
}

/** The gate's figures of a run, or undefined when the run has no capacity row. */
export async function readCapacityFigures(
  store: Store,
  runId: string,
): Promise<Record<CapacityFigure, StoredFigure> | undefined> {
  // toString: JSON output turns inf and nan into null, and an unbounded N* is not a missing one.
  const cols = CAPACITY_FIGURES.filter((f) => f !== 'knee_throughput').flatMap((f) => [
    f,
    `${f}_low`,
    `${f}_high`,
  ]);
  const [r] = await store.query<Record<string, string | null>>(
    `SELECT ${cols.map((c) => `toString(${c}) AS ${c}`).join(', ')}, toString(knee_throughput) AS knee_throughput
       FROM ${TABLES.capacityRuns} FINAL WHERE run_id = {run:String}`,
    { run: runId },
  );
  if (!r) return undefined;
  const n = (v: string | null | undefined): number | null => {
    if (v === null || v === undefined || v === '\\N' || v === 'NULL') return null;
    const x = v === 'inf' ? Number.POSITIVE_INFINITY : v === '-inf' ? Number.NEGATIVE_INFINITY : Number(v);
    return Number.isNaN(x) ? null : x;
  };
  const fig = (k: string): StoredFigure => ({
    value: n(r[k]),
    low: n(r[`${k}_low`]),
    high: n(r[`${k}_high`]),
  });
  return {
    max_throughput: fig('max_throughput'),
    n_star: fig('n_star'),
    sigma: fig('sigma'),
    kappa: fig('kappa'),
    lambda: fig('lambda'),
    r2: fig('r2'),
    knee_throughput: { value: n(r.knee_throughput), low: n(r.knee_throughput), high: n(r.knee_throughput) },
  };
}
