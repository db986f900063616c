// `marketbench slo drill`: proves the page alert end to end. It lives in the CLI, not in
// slo-definitions, because it runs traffic (load-scenarios) against a running stack: the SLO
// package only evaluates what the store holds (replayDrill). Runs the psp-incident traffic twice
// against a running reference service whose telemetry lands in `store`: once without its faults
// (healthy: must not page) and once with them (the PSP degrades, then goes down: checkout must
// page within the scaled detection time and reset after recovery). Both runs can be shrunk
// (`scale`: durations and fault times multiplied) and are evaluated time-compressed.

import { formatDuration, parseDuration } from '@marketbench/contracts';
import { loadScenario, type RunResult, runScenario } from '@marketbench/load-scenarios';
import {
  DRILL_SCENARIO,
  DRILL_SLO,
  DRILL_TIME_SCALE,
  type DrillResult,
  loadSpecs,
  replayDrill,
  type Slo,
  SloError,
  windowedSliSql,
} from '@marketbench/slo-definitions';
import type { Store } from '@marketbench/telemetry-store';
import { CliError } from '../errors.ts';

/** What a drill needs. */
export interface DrillOptions {
  /** Store the service's spans land in. */
  store: Store;
  /** Base URL of the reference service (loopback). */
  target: string;
  /** Bearer token of the service's admin API (fault injection). */
  adminToken: string;
  /** Makes every span of the runs queryable (service flush + ingest flush). */
  flush: () => Promise<void>;
  /** Fraction of the scenario's length to run (1 = 3 minutes as written; 0.1 for tests). */
  scale?: number;
  /** Arrival rate override (iterations/s). */
  rate?: number;
  /** Windows are divided by this; default DRILL_TIME_SCALE / scale. */
  timeScale?: number;
  /** The SLO to score; default checkout success from the shipped specs. */
  slo?: Slo;
  /** Progress lines. */
  log?: (line: string) => void;
}

/** Both runs of a drill, scored. */
export interface DrillReport {
  /** The time scale the alerts were evaluated at. */
  timeScale: number;
  /** The run without faults. */
  healthy: DrillResult & { runId: string };
  /** The run with the PSP faults. */
  incident: DrillResult & { runId: string; faultErrorRatio: number };
}

function scaleDuration(text: string, scale: number): string {
  return formatDuration(Math.max(1, Math.round(parseDuration(text, 'duration') * scale)));
}

/** The fault interval of a run: first fault set to the clear (or the run end), in epoch ms. */
function faultInterval(r: RunResult): { start: Date; end: Date } {
  const t0 = r.startedAt.getTime();
  const sets = r.faults.filter((f) => f.action === 'set' && f.ok);
  const clear = r.faults.find((f) => f.action === 'clear' && f.ok);
  if (sets.length === 0)
    throw new CliError(
      'MB_ERR_SLO_DRILL_NO_DATA',
      `run ${r.runId}: no fault was applied (is the admin token right?)`,
    );
  return {
    start: new Date(t0 + Math.min(...sets.map((f) => f.atSec)) * 1000),
    end: new Date(clear ? t0 + clear.atSec * 1000 : r.endedAt.getTime()),
  };
}

/** Runs the healthy and the incident drill and scores both (no assertion: see assertDrill). */
export async function runDrill(o: DrillOptions): Promise<DrillReport> {
  const scale = o.scale ?? 1;
  const timeScale = o.timeScale ?? Math.round(DRILL_TIME_SCALE / scale);
  const slo = o.slo ?? loadSpecs().find((s) => s.id === DRILL_SLO);
  if (!slo) throw new SloError('MB_ERR_SLO_UNKNOWN_SLO', `SLO ${DRILL_SLO} is not in the specs`);
  const { definition } = await loadScenario(DRILL_SCENARIO);
  // The runner moves fault times with a --duration override (40 s of 3 m is 2.8 s of 12.6 s); a
  // fault's own expiry is part of its spec, so it is scaled here.
  const faults = (definition.faults ?? []).map((f) => ({
    ...f,
    spec:
      f.spec && typeof f.spec.expiresInSeconds === 'number'
        ? { ...f.spec, expiresInSeconds: Math.max(1, Math.round(f.spec.expiresInSeconds * scale)) }
        : f.spec,
  }));
  const firstExecutor = Object.values(definition.options.scenarios)[0] as { duration?: string };
  const overrides = {
    duration: scaleDuration(firstExecutor.duration ?? '3m', scale),
    ...(o.rate !== undefined ? { rate: o.rate } : {}),
  };
  // The drill judges alerts, not the scenario's own thresholds.
  const base = { ...definition, options: { ...definition.options, thresholds: {} } };
  const shortest = Math.min(...slo.windows.map((w) => w.shortSeconds)) * (1000 / timeScale);
  const step = Math.max(250, Math.round(shortest / 2));

  o.log?.(`healthy run: ${DRILL_SCENARIO} traffic without faults, ${overrides.duration}`);
  const healthyRun = await runScenario(
    { ...base, name: `${DRILL_SCENARIO}-healthy`, faults: [] },
    {
      target: o.target,
      store: o.store,
      adminToken: o.adminToken,
      overrides,
    },
  );
  o.log?.(`incident run: ${DRILL_SCENARIO} with its PSP faults, ${overrides.duration}`);
  const incidentRun = await runScenario(
    { ...base, faults },
    {
      target: o.target,
      store: o.store,
      adminToken: o.adminToken,
      overrides,
    },
  );
  await o.flush();

  const healthy = await replayDrill(o.store, {
    slo,
    runId: healthyRun.runId,
    from: new Date(healthyRun.startedAt.getTime() + step),
    to: healthyRun.endedAt,
    timeScale,
    stepMs: step,
  });
  const fault = faultInterval(incidentRun);
  // The burn the fault caused, measured: the error ratio of the SLI over the fault interval.
  const faultMs = fault.end.getTime() - fault.start.getTime();
  const at = `fromUnixTimestamp64Milli(toInt64(${fault.end.getTime()}), 'UTC')`;
  const [row] = await o.store.query<{ bad_0: string; total_0: string }>(
    windowedSliSql(slo.sli, [faultMs], at, true),
    {
      runId: incidentRun.runId,
    },
  );
  if (!(Number(row?.total_0) > 0)) {
    throw new CliError(
      'MB_ERR_SLO_DRILL_NO_DATA',
      `no ${slo.id} events of run ${incidentRun.runId} reached the store during the fault: telemetry was lost, the drill cannot judge the alert`,
    );
  }
  const faultErrorRatio = Number(row.bad_0) / Number(row.total_0);
  const incident = await replayDrill(
    o.store,
    {
      slo,
      runId: incidentRun.runId,
      fault,
      from: new Date(incidentRun.startedAt.getTime() + step),
      to: incidentRun.endedAt,
      timeScale,
      stepMs: step,
    },
    faultErrorRatio,
  );
  return {
    timeScale,
    healthy: { ...healthy, runId: healthyRun.runId },
    incident: { ...incident, runId: incidentRun.runId, faultErrorRatio },
  };
}
