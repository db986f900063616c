// Turns SLO evaluations over a run into the report's SLO table: SLI and budget at the end, the
// highest burn per window during the run, and every alert that fired at any evaluated instant.

import type { StatusReport } from '@marketbench/slo-definitions';
import type { SloRow } from './types.ts';

/** SLO rows of the report. */
export function sloRows(timeline: readonly StatusReport[]): SloRow[] {
  const last = timeline[timeline.length - 1];
  if (!last) return [];
  return last.slos.map((s) => {
    const all = timeline.map((r) => r.slos.find((x) => x.id === s.id)).filter((x) => x !== undefined);
    const burn: Record<string, number | null> = {};
    for (const w of s.windows) {
      const values = all
        .map((x) => x.windows.find((y) => y.window === w.window)?.burnRate ?? null)
        .filter((v) => v !== null);
      burn[w.window] = values.length ? Math.max(...values) : null;
    }
    const period = s.windows[s.windows.length - 1];
    const alerts = [
      ...new Set(
        all.flatMap((x) =>
          x.alerts.filter((a) => a.firing).flatMap((a) => a.firingPairs.map((p) => `${a.severity} ${p}`)),
        ),
      ),
    ];
    return {
      slo: s.displayName === s.id ? s.id : `${s.displayName} (${s.id})`,
      objective: `${(s.target * 100).toFixed(s.target >= 0.999 ? 2 : 1)}% over ${s.period}`,
      sli: period && period.total > 0 ? 1 - period.bad / period.total : null,
      budgetRemaining: s.budgetRemaining,
      burn,
      alerts,
    };
  });
}
