// Runs a scenario against a loopback target: validates it (before any request), starts every
// named executor at its startTime, applies the fault schedule, samples every second (progress
// line, knee, abortOnFail), writes one row per request and one per run to the store, and
// returns the verdicts. The CLI, `npm start` and the SLO drill all call this.

import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  LOAD_SAMPLES,
  parseDuration,
  processEnvironment,
  ROUTES,
  resolveAdminToken,
  TABLES,
} from '@marketbench/contracts';
import type { Row } from '@marketbench/telemetry-store';
import { ScenarioError } from '../errors.ts';
import { Feeder } from '../feeders/Feeder.ts';
import type { BuiltinMetric } from '../metrics/builtinMetrics.ts';
import type { MetricRegistry } from '../metrics/MetricRegistry.ts';
import { seriesRows } from '../metrics/storedSeries.ts';
import { applyOverrides } from '../scenario/applyOverrides.ts';
import { maxVus } from '../scenario/maxVus.ts';
import { scenarioDurationMs } from '../scenario/scenarioDuration.ts';
import { envReferences } from '../scenario/templates.ts';
import { validateScenario } from '../scenario/validateScenario.ts';
import {
  abortingThreshold,
  compileThresholds,
  evaluateThresholds,
} from '../thresholds/evaluateThresholds.ts';
import type { Knee, RunOptions, RunResult, ScenarioDefinition, ScenarioInput } from '../types.ts';
import { localEngines, workerEngines } from './Engines.ts';
import { ProgressLine } from './ProgressLine.ts';
import { formatTimestamp, type RequestRow } from './RequestRow.ts';
import { RunSampler, type SecondSample } from './RunSampler.ts';
import { StoreSink } from './StoreSink.ts';
import { checkReachable, checkTarget, isRemoteTarget } from './targetUrl.ts';

/** A new time-ordered run id: `20261121T231500-3fa9c1`. */
export function newRunId(): string {
  const t = new Date().toISOString().replace(/[-:]/g, '').slice(0, 15);
  return `${t}-${randomBytes(3).toString('hex')}`;
}

function gitHead(): string {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return '';
  }
}

function counterTotal(r: MetricRegistry, metric: string, durationSec: number): number {
  return r.aggregate(metric, {}, durationSec)?.count ?? 0;
}

/** Reads every feeder once before any request: a missing file, or a `unique` feeder with fewer rows than VUs, fails here. */
function checkFeeders(def: ScenarioDefinition, file: string | undefined): void {
  const baseDir = file ? path.dirname(path.resolve(file)) : process.cwd();
  const vus = maxVus(def);
  for (const [name, spec] of Object.entries(def.feeders ?? {})) {
    const feeder = Feeder.load(name, spec, baseDir, file);
    if (spec.mode === 'unique' && feeder.rows.length < vus) {
      throw new ScenarioError(
        'MB_ERR_SCENARIO_FEEDER',
        `unique mode gives each VU its own row: ${feeder.rows.length} rows for up to ${vus} VUs`,
        { field: `feeders.${name}`, file },
      );
    }
  }
}

/** Every `{{__ENV.NAME}}` a step reads must be set (`-e NAME=value` or the environment) before any request. */
function checkEnvReferences(def: ScenarioDefinition, file: string | undefined): void {
  for (const [jname, j] of Object.entries(def.journeys))
    j.steps.forEach((step, i) => {
      for (const name of envReferences([step.path, step.headers, step.body]))
        if (processEnvironment()[name] === undefined)
          throw new ScenarioError(
            'MB_ERR_SCENARIO_REFERENCE',
            `template {{__ENV.${name}}}: ${name} is not set (marketbench run -e ${name}=... or the environment)`,
            { field: `journeys.${jname}.steps[${i}]`, file },
          );
    });
}

/** Runs a scenario to the end and returns its result (throws ScenarioError before any request when invalid). */
export async function runScenario(
  input: ScenarioDefinition | ScenarioInput,
  options: RunOptions,
): Promise<RunResult> {
  const origin = checkTarget(options.target, options.targetPolicy);
  const base = validateScenario(input, options.file);
  const def = validateScenario(applyOverrides(base, options.overrides), options.file);
  checkEnvReferences(def, options.file);
  checkFeeders(def, options.file);
  const thresholds = compileThresholds(def.options.thresholds);
  await checkReachable(origin);
  const runId = options.runId ?? newRunId();
  let abortReason: string | undefined;
  let aborted = false;
  const abort = (reason: string) => {
    if (aborted) return;
    aborted = true;
    abortReason = reason;
    engines.abort();
  };
  const onSignal = () => abort('interrupted');
  options.signal?.addEventListener('abort', onSignal, { once: true });

  const requestSink = options.store
    ? new StoreSink<RequestRow>(options.store, TABLES.loadRequests)
    : undefined;
  const sampleSink = options.store
    ? new StoreSink<Record<string, unknown>>(options.store, TABLES.loadSamples, { intervalMs: 5000 })
    : undefined;
  const workers = Math.max(1, Math.floor(options.workers ?? 1));
  const onRequest = requestSink ? (row: RequestRow) => requestSink.push(row) : undefined;
  const engineConfig = {
    def,
    file: options.file,
    runId,
    origin,
    tags: { ...def.options.tags, ...options.tags },
    seed: options.seed,
    connections:
      options.connections !== undefined ? Math.max(1, Math.ceil(options.connections / workers)) : null,
    clientSpans: options.clientSpans || null,
  };
  const engines =
    workers === 1 && !options.isolate
      ? localEngines({ ...engineConfig, share: { of: 1, phase: 0 } }, onRequest)
      : workerEngines(
          engineConfig,
          workers,
          onRequest,
          thresholds.some((t) => t.abortOnFail),
        );

  const totalMs = scenarioDurationMs(def);
  const timeScale = def.options.timeScale ?? 1;
  const gitCommit = options.gitCommit ?? gitHead();
  const startedAt = new Date();
  const runRow = (status: string, endedAt: Date | null, extra: Record<string, unknown> = {}) => ({
    run_id: runId,
    scenario: def.name,
    status,
    started_at: formatTimestamp(startedAt.getTime()).slice(0, 23),
    ended_at: endedAt ? formatTimestamp(endedAt.getTime()).slice(0, 23) : null,
    git_commit: gitCommit,
    target: origin,
    config: JSON.stringify({ scenario: def, overrides: options.overrides ?? {}, tags: options.tags ?? {} }),
    requests_total: 0,
    errors_total: 0,
    dropped_iterations: 0,
    thresholds: '[]',
    summary: '{}',
    time_scale: timeScale,
    duration_sec: 0,
    updated_at: formatTimestamp(Date.now()).slice(0, 23),
    ...extra,
  });
  if (options.store) await options.store.insert(TABLES.loadRuns, [runRow('running', null)]);

  await engines.prepare();
  const t0 = performance.now();
  const sampler = new RunSampler(() => engines.live(), t0);
  const progress = options.progress ? new ProgressLine(options.progress, totalMs / 1000) : undefined;
  const kneeCfg = def.options.knee;
  let knee: Knee | undefined;
  let lastGood: SecondSample | undefined;
  let broken = 0;
  const tick = setInterval(() => {
    const s = sampler.sample() as SecondSample;
    const lives = engines.live();
    progress?.update(s, {
      errors: lives.reduce((n, l) => n + l.errors, 0),
      dropped: lives.reduce((n, l) => n + l.dropped, 0),
      iterations: lives.reduce((n, l) => n + l.iterationsStarted, 0),
    });
    if (sampleSink) {
      const ts = formatTimestamp(s.epochMs).slice(0, 23);
      const add = (name: string, value: number) =>
        sampleSink.push({ run_id: runId, ts, name, value, tags: {} });
      // One row per sample of the name table: a sample named there is written, and only those.
      for (const key of Object.keys(LOAD_SAMPLES) as (keyof typeof LOAD_SAMPLES)[])
        add(LOAD_SAMPLES[key], s[key]);
    }
    if (kneeCfg && s.requestRate > 0) {
      const errRate = s.errors / Math.max(1, s.requestRate * 1);
      if (s.p99Ms > kneeCfg.p99Ms || errRate > kneeCfg.errorRate) {
        broken++;
        if (broken >= (kneeCfg.consecutiveSeconds ?? 3) && !knee) {
          const at = lastGood ?? s;
          knee = {
            targetRate: at.targetRate,
            achievedRate: at.achievedRate,
            p99Ms: at.p99Ms,
            elapsedSec: at.elapsedSec,
          };
          if (kneeCfg.stopAtKnee ?? true) abort(`knee found at ${at.targetRate.toFixed(0)} iterations/s`);
        }
      } else {
        broken = 0;
        // A second that falls between two open-model executors (one ended, the next not started
        // yet) has no target rate: it does not replace a good second that had one.
        if (s.targetRate > 0 || !lastGood || lastGood.targetRate === 0) lastGood = s;
      }
    }
    const failing = thresholds.some((t) => t.abortOnFail)
      ? abortingThreshold(engines.currentMetrics(), thresholds, performance.now() - t0)
      : undefined;
    if (failing) abort(`threshold ${failing.key.source}: ${failing.expression.source} failed (abortOnFail)`);
  }, 1000);

  const faultLog: RunResult['faults'] = [];
  const faultTimers = (def.faults ?? []).map((f) =>
    setTimeout(
      async () => {
        // The time it was sent: an overloaded service may take long to answer.
        const atSec = (performance.now() - t0) / 1000;
        const r = await setFault(
          origin,
          f.dependency,
          f.action === 'set' ? f.spec : undefined,
          resolveAdminToken(options.adminToken),
        );
        faultLog.push({
          atSec,
          dependency: f.dependency,
          action: f.action,
          ok: r.ok,
          status: r.status,
        });
        if (options.store) {
          await options.store
            .insert(TABLES.loadFaults, [
              {
                run_id: runId,
                ts: formatTimestamp(Date.now()).slice(0, 23),
                dependency: f.dependency,
                action: f.action,
                spec: JSON.stringify(f.spec ?? {}),
              },
            ])
            .catch(() => undefined);
        }
      },
      parseDuration(f.at, 'duration'),
    ),
  );
  const activeFaults = new Set<string>();
  for (const f of def.faults ?? []) if (f.action === 'set') activeFaults.add(f.dependency);

  let registry: MetricRegistry;
  try {
    registry = await engines.run(t0);
  } finally {
    clearInterval(tick);
    for (const t of faultTimers) clearTimeout(t);
    // A fault schedule must never outlive its run.
    if (activeFaults.size > 0) await clearFaults(origin, resolveAdminToken(options.adminToken));
    options.signal?.removeEventListener('abort', onSignal);
    progress?.done();
  }
  const endedAt = new Date();
  const durationSec = (performance.now() - t0) / 1000;
  sampler.sample(true);
  // k6's vus and vus_max gauges, from the per-second samples while the executors ran (the final
  // sample, taken after they stopped, would leave every gauge at 0).
  const running = sampler.samples.length > 1 ? sampler.samples.slice(0, -1) : sampler.samples;
  for (const s of running) {
    registry.add('vus', 'gauge', {}, s.activeVus);
    registry.add('vus_max', 'gauge', {}, s.allocatedVus);
  }
  const verdicts = evaluateThresholds(registry, thresholds, durationSec);
  if (abortReason?.startsWith('threshold')) {
    for (const v of verdicts) if (!v.ok) v.aborted = true;
  }
  const thresholdsPassed = verdicts.every((v) => v.ok);
  const totals = {
    requests: counterTotal(registry, 'http_reqs', durationSec),
    // The failed requests of http_req_failed, so the run row, the summary and the gate agree.
    errors: registry.aggregate('http_req_failed', {}, durationSec)?.sum ?? 0,
    iterations: counterTotal(registry, 'iterations', durationSec),
    droppedIterations: counterTotal(registry, 'dropped_iterations' satisfies BuiltinMetric, durationSec),
    interruptedIterations: counterTotal(registry, 'interrupted_iterations', durationSec),
  };
  const cpu = sampler.samples.map((s) => s.generatorCpu);
  const result: RunResult = {
    runId,
    scenario: def.name,
    target: origin,
    remoteTarget: isRemoteTarget(origin),
    status: !thresholdsPassed
      ? 'failed'
      : abortReason && !abortReason.startsWith('knee')
        ? 'aborted'
        : 'passed',
    abortReason,
    startedAt,
    endedAt,
    durationSec,
    timeScale,
    metrics: registry,
    thresholds: verdicts,
    thresholdsPassed,
    totals,
    generatorCpu: {
      meanPercent: cpu.length ? cpu.reduce((a, b) => a + b, 0) / cpu.length : 0,
      maxPercent: cpu.length ? Math.max(...cpu) : 0,
    },
    samples: sampler.samples,
    knee,
    rows: { stored: 0, lost: 0 },
    series: { stored: 0, lost: 0 },
    faults: faultLog,
    generatorError: engines.live().find((l) => l.lastError)?.lastError,
    clientSpans: engines.clientSpans(),
    exitCode: thresholdsPassed ? 0 : 99,
  };
  if (requestSink && sampleSink && options.store) {
    await requestSink.close();
    await sampleSink.close();
    result.rows = {
      stored: requestSink.inserted,
      lost: requestSink.lost,
      firstError: requestSink.firstError,
    };
    // The run's metric series, before the final run row: a finished run row always has them.
    const series = seriesRows(runId, registry.snapshot());
    for (let i = 0; i < series.length; i += 1000) {
      const block = series.slice(i, i + 1000);
      await options.store.insert(TABLES.loadMetrics, block as unknown as Row[]).catch((err: Error) => {
        result.series.lost += block.length;
        result.series.firstError ??= err.message;
      });
    }
    result.series.stored = series.length - result.series.lost;
    await options.store.insert(TABLES.loadRuns, [
      runRow(result.status, endedAt, {
        requests_total: totals.requests,
        errors_total: totals.errors,
        dropped_iterations: totals.droppedIterations,
        duration_sec: durationSec,
        thresholds: JSON.stringify(verdicts),
        summary: JSON.stringify(summaryJson(result)),
      }),
    ]);
  }
  return result;
}

/** The JSON form of a result (`--json`, the run row's summary column). */
export function summaryJson(r: RunResult): Record<string, unknown> {
  const d = r.durationSec;
  const trend = (metric: string) => {
    const a = r.metrics.aggregate(metric, {}, d);
    if (!a) return undefined;
    return {
      avg: a.avg,
      min: a.min,
      med: a.percentile(50),
      p90: a.percentile(90),
      p95: a.percentile(95),
      p99: a.percentile(99),
      max: a.max,
      count: a.count,
    };
  };
  return {
    runId: r.runId,
    scenario: r.scenario,
    target: r.target,
    status: r.status,
    abortReason: r.abortReason,
    startedAt: r.startedAt.toISOString(),
    endedAt: r.endedAt.toISOString(),
    durationSec: r.durationSec,
    timeScale: r.timeScale,
    totals: r.totals,
    requestRate: r.totals.requests / d,
    latencyMs: {
      corrected: trend('http_req_duration'),
      uncorrected: trend('http_req_duration_uncorrected'),
      schedulingLag: trend('http_req_scheduling_lag'),
    },
    thresholds: r.thresholds,
    thresholdsPassed: r.thresholdsPassed,
    generatorCpu: r.generatorCpu,
    knee: r.knee,
    rows: r.rows,
    clientSpans: r.clientSpans,
    faults: r.faults,
    exitCode: r.exitCode,
  };
}

async function adminFetch(
  origin: string,
  method: string,
  body: unknown,
  token: string | undefined,
): Promise<{ ok: boolean; status?: number }> {
  try {
    const res = await fetch(origin + ROUTES.adminFaults, {
      method,
      // No content-type without a body: Fastify answers an empty JSON body with 400 (the clear at
      // the end of a run was refused, and the fault outlived the run).
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    await res.arrayBuffer();
    return { ok: res.ok, status: res.status };
  } catch {
    return { ok: false };
  }
}

const currentFaults = new Map<string, Record<string, Record<string, unknown>>>();

/** Sets (spec) or clears (undefined) one dependency's fault, keeping the others (PUT replaces the whole set). */
async function setFault(
  origin: string,
  dependency: string,
  spec: Record<string, unknown> | undefined,
  token: string | undefined,
) {
  const set = currentFaults.get(origin) ?? {};
  if (spec) set[dependency] = spec;
  else delete set[dependency];
  currentFaults.set(origin, set);
  return adminFetch(origin, 'PUT', { faults: set }, token);
}

async function clearFaults(origin: string, token: string | undefined): Promise<void> {
  currentFaults.delete(origin);
  await adminFetch(origin, 'DELETE', undefined, token);
}
