// Generator 3, run by marketbench itself: evaluates every SLO's burn rates straight from
// ClickHouse at one instant (`marketbench slo status`, drills). With a time scale the windows
// shrink by that factor, so a drill that compresses a day into minutes sees the alerts it would
// have seen; the scale is part of every result so the compression is never hidden.

import { ATTR, OTEL_TABLES } from '@marketbench/contracts';
import type { Store } from '@marketbench/telemetry-store';
import { SloError } from '../errors.ts';
import { loadSpecs } from '../spec/loadSpecs.ts';
import type { Slo } from '../types.ts';
import { sqlString, windowedSliSql } from './sliSql.ts';

/** How to evaluate. */
export interface EvaluateOptions {
  /** Instant to evaluate at; default the last span of `runId`, else now. */
  at?: Date;
  /** Only count spans of this load run (`marketbench.run_id`); metric SLIs are not filtered. */
  runId?: string;
  /** Windows are divided by this (60: an hour becomes a minute); default 1. */
  timeScale?: number;
  /** SLOs to evaluate; default the shipped specs. */
  slos?: readonly Slo[];
}

/** One window of one SLO at the evaluation instant. */
export interface WindowStatus {
  /** The window as the policy names it (`1h`). */
  window: string;
  /** Real seconds the window covered (window / time scale). */
  scaledSeconds: number;
  /** Bad events in the window. */
  bad: number;
  /** All events in the window. */
  total: number;
  /** bad / total, null with no events. */
  errorRatio: number | null;
  /** errorRatio / error budget, null with no events. */
  burnRate: number | null;
}

/** One alert (severity) of one SLO. */
export interface AlertStatus {
  /** `page` or `ticket`. */
  severity: 'page' | 'ticket';
  /** True when some window pair burns over its factor in both windows. */
  firing: boolean;
  /** The pairs that fire, e.g. `14.4× 1h/5m`. */
  firingPairs: string[];
}

/** Everything `slo status` shows for one SLO. */
export interface SloStatus {
  /** SLO id. */
  id: string;
  /** Human title. */
  displayName: string;
  /** Target ratio. */
  target: number;
  /** Period as written. */
  period: string;
  /** Windows, shortest first, the period last. */
  windows: WindowStatus[];
  /** 1 - period burn rate (share of the budget left), null with no events. */
  budgetRemaining: number | null;
  /** Page and ticket alerts. */
  alerts: AlertStatus[];
}

/** The result of one evaluation. */
export interface StatusReport {
  /** The instant evaluated. */
  at: Date;
  /** The time scale applied to every window. */
  timeScale: number;
  /** The run filtered on, if any. */
  runId: string | undefined;
  /** One entry per SLO. */
  slos: SloStatus[];
}

function windowsOf(slo: Slo): { window: string; seconds: number }[] {
  const m = new Map<string, number>();
  for (const w of slo.windows) {
    m.set(w.long, w.longSeconds);
    m.set(w.short, w.shortSeconds);
  }
  m.set(slo.period, slo.periodSeconds);
  return [...m.entries()].sort((a, b) => a[1] - b[1]).map(([window, seconds]) => ({ window, seconds }));
}

/** The last span timestamp of a run, undefined when it has none. */
export async function runEnd(store: Store, runId: string): Promise<Date | undefined> {
  const rows = await store.query<{ end: string; n: string }>(
    `SELECT toUnixTimestamp64Milli(max(Timestamp)) AS end, count() AS n FROM ${OTEL_TABLES.traces} WHERE SpanAttributes[${sqlString(ATTR.runId)}] = {runId:String}`,
    { runId },
  );
  return rows[0] && Number(rows[0].n) > 0 ? new Date(Number(rows[0].end)) : undefined;
}

/** Evaluates one SLO at `at` (ms since the epoch). */
export async function evaluateSlo(
  store: Store,
  slo: Slo,
  atMs: number,
  timeScale = 1,
  runId?: string,
): Promise<SloStatus> {
  const windows = windowsOf(slo);
  const windowsMs = windows.map((w) => Math.max(1, Math.round((w.seconds * 1000) / timeScale)));
  const at = `fromUnixTimestamp64Milli(toInt64(${Math.round(atMs)}), 'UTC')`;
  const sql = windowedSliSql(slo.sli, windowsMs, at, runId !== undefined);
  let row: Record<string, unknown>;
  try {
    [row] = await store.query<Record<string, unknown>>(sql, runId !== undefined ? { runId } : undefined);
  } catch (err) {
    throw new SloError('MB_ERR_SLO_QUERY', `burn-rate query of ${slo.id} failed: ${(err as Error).message}`, {
      cause: err,
    });
  }
  const status: WindowStatus[] = windows.map((w, i) => {
    const bad = Number(row?.[`bad_${i}`] ?? 0);
    const total = Number(row?.[`total_${i}`] ?? 0);
    const errorRatio = total > 0 ? bad / total : null;
    return {
      window: w.window,
      scaledSeconds: windowsMs[i] / 1000,
      bad,
      total,
      errorRatio,
      burnRate: errorRatio === null ? null : errorRatio / slo.errorBudget,
    };
  });
  const ratio = new Map(status.map((s) => [s.window, s.errorRatio]));
  const alerts: AlertStatus[] = (['page', 'ticket'] as const)
    .filter((sev) => slo.windows.some((w) => w.severity === sev))
    .map((severity) => {
      const firingPairs = slo.windows
        .filter((w) => w.severity === severity)
        .filter((w) => {
          const threshold = w.burnRate * slo.errorBudget;
          return (ratio.get(w.long) ?? 0) > threshold && (ratio.get(w.short) ?? 0) > threshold;
        })
        .map((w) => `${w.burnRate}× ${w.long}/${w.short}`);
      return { severity, firing: firingPairs.length > 0, firingPairs };
    });
  const period = status[status.length - 1];
  return {
    id: slo.id,
    displayName: slo.displayName,
    target: slo.target,
    period: slo.period,
    windows: status,
    budgetRemaining: period.burnRate === null ? null : 1 - period.burnRate,
    alerts,
  };
}

/** Evaluates every SLO (one query each) at one instant. */
export async function evaluateSlos(store: Store, options: EvaluateOptions = {}): Promise<StatusReport> {
  const timeScale = options.timeScale ?? 1;
  if (!(timeScale > 0)) throw new RangeError(`timeScale must be > 0, got ${timeScale}`);
  const slos = options.slos ?? loadSpecs();
  let at = options.at;
  if (!at && options.runId !== undefined) at = await runEnd(store, options.runId);
  at ??= new Date();
  const out: SloStatus[] = [];
  for (const slo of slos) out.push(await evaluateSlo(store, slo, at.getTime(), timeScale, options.runId));
  return { at, timeScale, runId: options.runId, slos: out };
}
