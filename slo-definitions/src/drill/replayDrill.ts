// The scoring half of a drill: replays the alert evaluation over a recorded run step by step
// (time-compressed), against the known fault interval, and reports when the page fired, when it
// reset, and precision/recall of "paging" against "fault active" over the evaluation steps.

import type { Store } from '@marketbench/telemetry-store';
import { evaluateSlo } from '../clickhouse/evaluateSlos.ts';
import { SloError } from '../errors.ts';
import type { Slo } from '../types.ts';

/** What to replay. */
export interface DrillReplayOptions {
  /** The SLO whose page alert is scored. */
  slo: Slo;
  /** First and last instant to evaluate. */
  from: Date;
  to: Date;
  /** When the injected fault started and ended; none for a healthy drill. */
  fault?: { start: Date; end: Date };
  /** Windows are divided by this. */
  timeScale: number;
  /** Real milliseconds between evaluations (default 1000). */
  stepMs?: number;
  /** Only spans of this run. */
  runId?: string;
}

/** The scored drill. */
export interface DrillResult {
  /** SLO id. */
  slo: string;
  /** Time scale used. */
  timeScale: number;
  /** Evaluation steps. */
  steps: number;
  /** Steps paging while the fault was active, paging without it, and not paging during it. */
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  /** TP / (TP + FP), null when it never paged. */
  precision: number | null;
  /** TP / (TP + FN), null without a fault. */
  recall: number | null;
  /** Real ms from fault start to the first page, null when it never paged. */
  detectionMs: number | null;
  /**
   * Real ms from fault start to the burn onset: the first step whose short page window burns over
   * the page factor (a fault can start mild and worsen). Null when the fault never burned that fast.
   */
  burnOnsetMs: number | null;
  /**
   * The latest detection the policy allows: burn onset + scaled long window × factor × budget /
   * fault error ratio (the time the long window needs to cross the factor at that burn).
   */
  expectedDetectionMs: number | null;
  /** Real ms from fault end to the first step not paging, null when it did not reset. */
  resetMs: number | null;
  /** Whether the page fired at any step. */
  paged: boolean;
}

/** Replays the page alert of `slo` from `from` to `to`. */
export async function replayDrill(
  store: Store,
  o: DrillReplayOptions,
  faultErrorRatio?: number,
): Promise<DrillResult> {
  const step = o.stepMs ?? 1000;
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let steps = 0;
  let firstPage: number | null = null;
  let reset: number | null = null;
  let onset: number | null = null;
  let paged = false;
  const pagePair = o.slo.windows.find((w) => w.severity === 'page');
  for (let t = o.from.getTime(); t <= o.to.getTime(); t += step) {
    steps += 1;
    const status = await evaluateSlo(store, o.slo, t, o.timeScale, o.runId);
    const paging = status.alerts.some((a) => a.severity === 'page' && a.firing);
    const faulty = o.fault !== undefined && t >= o.fault.start.getTime() && t < o.fault.end.getTime();
    const short = pagePair ? status.windows.find((w) => w.window === pagePair.short)?.errorRatio : null;
    if (faulty && onset === null && pagePair && (short ?? 0) > pagePair.burnRate * o.slo.errorBudget)
      onset = t;
    if (paging) paged = true;
    if (paging && faulty) tp += 1;
    if (paging && !faulty) fp += 1;
    if (!paging && faulty) fn += 1;
    if (paging && firstPage === null && o.fault && t >= o.fault.start.getTime()) firstPage = t;
    if (!paging && reset === null && o.fault && firstPage !== null && t >= o.fault.end.getTime()) reset = t;
  }
  const burnOnsetMs = onset === null || !o.fault ? null : onset - o.fault.start.getTime();
  const expected =
    burnOnsetMs !== null && pagePair && faultErrorRatio
      ? burnOnsetMs +
        ((pagePair.longSeconds * 1000) / o.timeScale) *
          Math.min(1, (pagePair.burnRate * o.slo.errorBudget) / faultErrorRatio)
      : null;
  return {
    slo: o.slo.id,
    timeScale: o.timeScale,
    steps,
    truePositives: tp,
    falsePositives: fp,
    falseNegatives: fn,
    precision: tp + fp > 0 ? tp / (tp + fp) : null,
    recall: o.fault ? tp / Math.max(1, tp + fn) : null,
    detectionMs: firstPage === null || !o.fault ? null : firstPage - o.fault.start.getTime(),
    burnOnsetMs,
    expectedDetectionMs: expected,
    resetMs: reset === null || !o.fault ? null : reset - o.fault.end.getTime(),
    paged,
  };
}

/** Throws MB_ERR_SLO_DRILL_FAILED unless the drill behaved as the policy promises. */
export function assertDrill(r: DrillResult, o: { expectPage: boolean; slackMs?: number }): void {
  const fail = (why: string) => {
    throw new SloError('MB_ERR_SLO_DRILL_FAILED', `drill of ${r.slo} at time scale ${r.timeScale}: ${why}`);
  };
  if (!o.expectPage) {
    if (r.paged) fail(`paged on a healthy run (${r.falsePositives} steps)`);
    return;
  }
  if (r.burnOnsetMs === null) fail('the fault never burned the budget at the page rate: nothing to detect');
  if (r.detectionMs === null) fail('the page never fired during the fault');
  const limit = (r.expectedDetectionMs ?? Number.POSITIVE_INFINITY) + (o.slackMs ?? 0);
  if ((r.detectionMs ?? 0) > limit)
    fail(`paged after ${r.detectionMs} ms, later than the allowed ${Math.round(limit)} ms`);
  if (r.resetMs === null) fail('the page did not reset after the fault ended');
}

/** One line per drill: detection, reset, precision and recall. */
export function formatDrill(r: DrillResult): string {
  const ms = (x: number | null) => (x === null ? '-' : `${(x / 1000).toFixed(1)}s`);
  const ratio = (x: number | null) => (x === null ? '-' : x.toFixed(2));
  return (
    `${r.slo} @ time scale ${r.timeScale}: paged=${r.paged} detection=${ms(r.detectionMs)} ` +
    `(burn onset ${ms(r.burnOnsetMs)}, allowed ${ms(r.expectedDetectionMs)}) reset=${ms(r.resetMs)} precision=${ratio(r.precision)} recall=${ratio(r.recall)} ` +
    `over ${r.steps} steps`
  );
}
