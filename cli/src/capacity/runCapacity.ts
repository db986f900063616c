// `marketbench capacity run`: a stepped stress run of a scenario's journey mix (on the embedded
// stack, or a loopback target), measured per step from the store, fitted with the Universal
// Scalability Law, read for its knee under the latency objectives, planned into replicas for a
// day, stored with the run (so the gate can hold budgets on it) and written as an HTML report.

import os from 'node:os';
import { OTEL_TABLES, TABLES } from '@marketbench/contracts';
import {
  ArrivalSchedule,
  type ConstantArrivalRate,
  loadScenario,
  type RampingArrivalRate,
  type RunResult,
  runScenario,
  type ScenarioDefinition,
} from '@marketbench/load-scenarios';
import type { Store } from '@marketbench/telemetry-store';
import { startStack } from '../stack/startStack.ts';
import type { StackOptions } from '../stack/types.ts';
import { withStore } from '../stack/withStore.ts';
import { storeCapacity } from './capacityStore.ts';
import { bootstrapUsl, DEFAULT_USL_BOOTSTRAP, fitUsl, UslFitError } from './fitUsl.ts';
import { findKnee } from './knee.ts';
import { measureSteps } from './measureSteps.ts';
import { dayShape, planReplicas } from './planReplicas.ts';
import { type LoadModel, type StepPlan, stepLevels, steppedScenario } from './steppedScenario.ts';
import type { CapacityModel, CapacityResult, CapacityStep, LatencyObjective } from './types.ts';
import { maxThroughput, peakConcurrency } from './usl.ts';

/** Defaults of `marketbench capacity run` (docs/CAPACITY.md). 6 × (10 s + 30 s) = 4 min of load. */
export const DEFAULT_CAPACITY = {
  scenario: 'marketplace-day',
  model: 'closed' as LoadModel,
  steps: 6,
  /** Closed model: VUs of the first and last step (geometric in between). */
  minVus: 1,
  maxVus: 256,
  stepMs: 30_000,
  settleMs: 10_000,
  /** Replica plan shown with the run. */
  dayRequests: 100_000_000,
  headroom: 0.3,
} as const;

/** Options of {@link runCapacity}. */
export interface CapacityRunOptions extends StackOptions {
  /** Scenario whose journey mix is stepped (default marketplace-day). */
  scenario?: string;
  /** Closed (concurrency) or open (arrival-rate) steps. */
  model?: LoadModel;
  /** Explicit loads per step (VUs or iterations/s); otherwise `steps` from `minLoad` to `maxLoad`. */
  levels?: number[];
  steps?: number;
  minLoad?: number;
  maxLoad?: number;
  /** Measured part and warm-up of each step, ms. */
  stepMs?: number;
  settleMs?: number;
  /** Keep think times. */
  think?: boolean;
  /** Latency objectives of the knee (default: the SLO specs' latency SLOs of the reference service). */
  objectives: LatencyObjective[];
  /** Loopback target instead of the embedded stack. */
  target?: string;
  /** Write request rows etc. to the store (with --target; the embedded stack always stores). */
  seed?: number;
  workers?: number;
  /** Bootstrap resamples. */
  resamples?: number;
  /** Plan shown with the run. */
  dayRequests?: number;
  headroom?: number;
  /** Shape of the planned day (default: the scenario, when it has an arrival-rate profile, else marketplace-day). */
  shape?: string;
  /** Live progress line (TTY). */
  progress?: NodeJS.WriteStream;
  signal?: AbortSignal;
  /** Called with the store before it closes (the report is written there). */
  onStored?: (store: Store, result: CapacityResult) => Promise<void>;
}

/** Highest arrival rate of a scenario (iterations/s), for default open-model steps. */
function peakRate(def: ScenarioDefinition): number {
  let peak = 0;
  for (const e of Object.values(def.options.scenarios)) {
    if (e.executor !== 'constant-arrival-rate' && e.executor !== 'ramping-arrival-rate') continue;
    const s = ArrivalSchedule.of(e as ConstantArrivalRate | RampingArrivalRate);
    for (let t = 0; t < s.durationMs; t += 250) peak = Math.max(peak, s.rateAt(t) * 1000);
  }
  return peak;
}

/** The step plan from the options and the source scenario. */
export function planSteps(def: ScenarioDefinition, o: Omit<CapacityRunOptions, 'objectives'>): StepPlan {
  const model = o.model ?? DEFAULT_CAPACITY.model;
  let levels = o.levels;
  if (!levels) {
    const steps = o.steps ?? DEFAULT_CAPACITY.steps;
    if (model === 'closed') {
      levels = stepLevels(
        'closed',
        steps,
        o.minLoad ?? DEFAULT_CAPACITY.minVus,
        o.maxLoad ?? DEFAULT_CAPACITY.maxVus,
      );
    } else {
      const max = o.maxLoad ?? Math.max(10, Math.round(peakRate(def) * 2));
      levels = stepLevels('open', steps, o.minLoad ?? max / steps, max);
    }
  }
  return {
    levels,
    model,
    settleMs: o.settleMs ?? DEFAULT_CAPACITY.settleMs,
    measureMs: o.stepMs ?? DEFAULT_CAPACITY.stepMs,
    think: o.think ?? false,
  };
}

/** The USL fit of measured steps: closed model on (VUs, X), open model on (client in flight, X). */
export function fitSteps(
  steps: readonly CapacityStep[],
  model: LoadModel,
  resamples: number,
): { model?: CapacityModel; note?: string } {
  const points = steps
    .filter((s) => s.throughput > 0)
    .map((s) => ({ n: model === 'closed' ? s.load : s.inFlightClient, x: s.throughput }));
  try {
    const fit = fitUsl(points);
    const bootstrap = bootstrapUsl(points, { resamples });
    return {
      model: { fit, bootstrap, nStar: peakConcurrency(fit), maxThroughput: maxThroughput(fit), points },
    };
  } catch (err) {
    if (err instanceof UslFitError) return { note: `no USL fit: ${err.message}` };
    throw err;
  }
}

async function spansPerRequest(store: Store, runId: string): Promise<number | null> {
  const [r] = await store.query<{ spans: unknown; requests: unknown }>(
    `SELECT (SELECT count() FROM ${OTEL_TABLES.traces} WHERE TraceId IN
               (SELECT trace_id FROM ${TABLES.loadRequests} WHERE run_id = {run:String} AND status > 0)) AS spans,
            (SELECT count() FROM ${TABLES.loadRequests} WHERE run_id = {run:String} AND status > 0) AS requests`,
    { run: runId },
  );
  const spans = Number(r?.spans ?? 0);
  const requests = Number(r?.requests ?? 0);
  return spans > 0 && requests > 0 ? spans / requests : null;
}

/** Bytes a span row takes on disk in this store's otel_traces (compressed, as merged so far). */
async function bytesPerSpan(store: Store): Promise<number | null> {
  const [r] = await store.query<{ bytes: unknown; rows: unknown }>(
    `SELECT sum(bytes_on_disk) AS bytes, sum(rows) AS rows FROM system.parts
      WHERE active AND database = {db:String} AND table = {t:String}`,
    { db: store.database, t: OTEL_TABLES.traces },
  );
  const rows = Number(r?.rows ?? 0);
  return rows > 0 ? Number(r?.bytes ?? 0) / rows : null;
}

/** Assembles the result from the run and the store (also used by tests on stored runs). */
export async function analyseCapacity(
  store: Store,
  run: RunResult,
  source: ScenarioDefinition,
  plan: StepPlan,
  o: Pick<CapacityRunOptions, 'objectives' | 'resamples' | 'dayRequests' | 'headroom' | 'shape'> & {
    spansDropped: number | null;
    t0: number;
  },
): Promise<CapacityResult> {
  const steps = await measureSteps(
    store,
    run.runId,
    plan.levels,
    plan.settleMs,
    plan.measureMs,
    o.objectives,
  );
  const unit = plan.model === 'closed' ? 'VUs' : 'iterations/s';
  const knee = findKnee(steps, o.objectives, unit);
  const fitted = fitSteps(steps, plan.model, o.resamples ?? DEFAULT_USL_BOOTSTRAP.resamples);
  const spr = await spansPerRequest(store, run.runId);
  const bps = await bytesPerSpan(store);
  let planOut: CapacityResult['plan'];
  if (fitted.model) {
    let shapeDef = source;
    try {
      if (o.shape) shapeDef = (await loadScenario(o.shape)).definition;
      const shape = dayShape(shapeDef);
      planOut = planReplicas({
        dayRequests: o.dayRequests ?? DEFAULT_CAPACITY.dayRequests,
        shape,
        model: fitted.model,
        steps,
        objectives: o.objectives,
        unit,
        headroom: o.headroom ?? DEFAULT_CAPACITY.headroom,
        spansPerRequest: spr,
        bytesPerSpan: bps,
        kneeN: (s) => (plan.model === 'closed' ? s.load : s.inFlightClient),
      });
    } catch (err) {
      if (!(err instanceof Error && /no arrival-rate executor/.test(err.message))) throw err;
    }
  }
  return {
    runId: run.runId,
    scenario: source.name,
    loadModel: plan.model,
    startedAt: run.startedAt.toISOString(),
    gitCommit: '',
    target: run.target,
    levels: plan.levels,
    settleSeconds: plan.settleMs / 1000,
    stepSeconds: plan.measureMs / 1000,
    think: plan.think,
    steps,
    objectives: o.objectives,
    knee,
    ...(fitted.model ? { usl: fitted.model } : {}),
    ...(fitted.note ? { uslNote: fitted.note } : {}),
    ...(planOut ? { plan: planOut } : {}),
    totals: {
      requests: run.totals.requests,
      errors: run.totals.errors,
      rowsLost: run.rows.lost,
      spansDropped: o.spansDropped,
    },
    loadAverage: os.loadavg().map((v) => Math.round(v * 100) / 100),
    wallSeconds: (Date.now() - o.t0) / 1000,
  };
}

/** Runs the stepped stress run end to end and stores the result. */
export async function runCapacity(options: CapacityRunOptions): Promise<CapacityResult> {
  const t0 = Date.now();
  const log = options.log ?? (() => undefined);
  let loaded: Awaited<ReturnType<typeof loadScenario>>;
  loaded = await loadScenario(options.scenario ?? DEFAULT_CAPACITY.scenario);
  const plan = planSteps(loaded.definition, options);
  const def = steppedScenario(loaded.definition, plan);
  const stepS = (plan.settleMs + plan.measureMs) / 1000;
  log(
    `capacity: ${plan.levels.length} ${plan.model === 'closed' ? 'concurrency' : 'arrival-rate'} steps (${plan.levels.join(', ')}) × (${plan.settleMs / 1000} s settle + ${plan.measureMs / 1000} s measured) = ${Math.round((plan.levels.length * stepS) / 6) / 10} min of load`,
  );
  const execute = async (target: string, store: Store, adminToken?: string, isolate = false) => {
    return await runScenario(def, {
      target,
      file: loaded.file,
      store,
      adminToken,
      seed: options.seed,
      workers: options.workers,
      isolate,
      signal: options.signal,
      progress: options.progress,
      tags: { capacity_model: plan.model },
    });
  };
  const finish = async (store: Store, run: RunResult, spansDropped: number | null) => {
    log(`run ${run.runId} finished (${run.totals.requests} requests); measuring steps and fitting the USL`);
    const result = await analyseCapacity(store, run, loaded.definition, plan, {
      ...options,
      spansDropped,
      t0,
    });
    const [row] = await store.query<{ git_commit: string }>(
      `SELECT git_commit FROM ${TABLES.loadRuns} FINAL WHERE run_id = {run:String}`,
      { run: run.runId },
    );
    result.gitCommit = row?.git_commit ?? '';
    await storeCapacity(store, result);
    await options.onStored?.(store, result);
    result.wallSeconds = (Date.now() - t0) / 1000;
    return result;
  };
  if (options.target !== undefined) {
    const target = options.target;
    return withStore(async (store) => finish(store, await execute(target, store), null));
  }
  const stack = await startStack({ ...options, log, scrapeIntervalMs: options.scrapeIntervalMs ?? 1000 });
  try {
    // The store and the ingest share this process: the generator gets its own thread.
    const run = await execute(stack.serviceUrl, stack.store, stack.adminToken, true);
    log('flushing telemetry');
    const telemetry = await stack.flushTelemetry();
    await stack.scrapeNow();
    await stack.ingest.flush();
    return await finish(stack.store, run, telemetry.stats.spansDropped);
  } finally {
    log('stopping the stack');
    await stack.stop();
  }
}
