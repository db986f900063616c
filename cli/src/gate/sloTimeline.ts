// Evaluates every SLO at several instants of a run (time-scaled like the scenario), so the
// report and the gate can say which alerts fired at any point of the run, not only at its end.

import { TABLES } from '@marketbench/contracts';
import type { StatusReport } from '@marketbench/slo-definitions';
import { evaluateSlos } from '@marketbench/slo-definitions';
import type { Store } from '@marketbench/telemetry-store';

/** SLO evaluations at `points` evenly spaced instants of the run, the last one at its end. */
export async function sloTimeline(store: Store, runId: string, points = 8): Promise<StatusReport[]> {
  const [run] = await store.query<{ s: string; e: string; scale: number }>(
    `SELECT toUnixTimestamp64Milli(started_at) AS s, toUnixTimestamp64Milli(ifNull(ended_at, now64(3))) AS e, time_scale AS scale
       FROM ${TABLES.loadRuns} FINAL WHERE run_id = {run:String}`,
    { run: runId },
  );
  if (!run) return [];
  const start = Number(run.s);
  const end = Number(run.e);
  const timeScale = Number(run.scale) > 0 ? Number(run.scale) : 1;
  const out: StatusReport[] = [];
  for (let k = 1; k <= points; k++) {
    const at = new Date(start + ((end - start) * k) / points);
    out.push(await evaluateSlos(store, { runId, timeScale, at }));
  }
  return out;
}
