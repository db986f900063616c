// Checks a budgets file's SLO limits (max burn rate per window, share of the error budget
// consumed, no page alert) against the SLO evaluator's results over the run.

import type { StatusReport } from '@marketbench/slo-definitions';
import type { Store } from '@marketbench/telemetry-store';
import { CliError } from '../errors.ts';
import type { Budgets } from './loadBudgets.ts';
import { sloTimeline } from './sloTimeline.ts';
import type { BudgetResult, SloBudget } from './types.ts';

function fmt(x: number): string {
  return Math.abs(x) >= 10 ? x.toFixed(1) : x.toFixed(2);
}

/** One result per limit of every `spec.slos` entry, from evaluations over the run. */
export function sloBudgetResults(
  timeline: readonly StatusReport[],
  budgets: readonly SloBudget[],
): BudgetResult[] {
  const results: BudgetResult[] = [];
  const last = timeline[timeline.length - 1];
  for (const b of budgets) {
    const statuses = timeline.map((r) => r.slos.find((s) => s.id === b.slo));
    if (!last || statuses.some((s) => s === undefined)) {
      const known = last ? last.slos.map((s) => s.id).join(', ') : '(none)';
      throw new CliError('MB_ERR_BUDGET_INVALID', `spec.slos: no SLO "${b.slo}" (known: ${known})`);
    }
    const scale = last.timeScale;
    if (b.maxBurnRate !== undefined) {
      let worst = -1;
      let where = '';
      for (const s of statuses) {
        for (const w of s?.windows ?? []) {
          if (b.window !== undefined && w.window !== b.window) continue;
          if (w.burnRate !== null && w.burnRate > worst) {
            worst = w.burnRate;
            where = w.window;
          }
        }
      }
      results.push({
        kind: 'slo',
        name: `slo ${b.slo} burn rate${b.window ? ` (${b.window})` : ''} ≤ ${b.maxBurnRate}`,
        verdict: worst <= b.maxBurnRate ? 'pass' : 'fail',
        observed: worst < 0 ? null : worst,
        unit: 'burn',
        limit: { operator: '<=', value: b.maxBurnRate },
        observedText: worst < 0 ? 'no events' : `max ${fmt(worst)}× in ${where}`,
        limitText: `≤ ${b.maxBurnRate}×`,
        detail: `highest burn over ${timeline.length} evaluations during the run; windows time-scaled ${fmt(scale)}×`,
      });
    }
    if (b.maxBudgetConsumed !== undefined) {
      const remaining = statuses[statuses.length - 1]?.budgetRemaining ?? null;
      const consumed = remaining === null ? null : 1 - remaining;
      results.push({
        kind: 'slo',
        name: `slo ${b.slo} error budget consumed ≤ ${(b.maxBudgetConsumed * 100).toFixed(1)}%`,
        verdict: consumed === null || consumed <= b.maxBudgetConsumed ? 'pass' : 'fail',
        observed: consumed,
        unit: 'ratio',
        limit: { operator: '<=', value: b.maxBudgetConsumed },
        observedText: consumed === null ? 'no events' : `${(consumed * 100).toFixed(1)}%`,
        limitText: `≤ ${(b.maxBudgetConsumed * 100).toFixed(1)}%`,
        detail: `share of the ${statuses[0]?.period} budget used over the (time-scaled ${fmt(scale)}×) period at the end of the run`,
      });
    }
    if (b.noPage) {
      const fired = [
        ...new Set(
          statuses.flatMap(
            (s) =>
              s?.alerts.filter((a) => a.severity === 'page' && a.firing).flatMap((a) => a.firingPairs) ?? [],
          ),
        ),
      ];
      results.push({
        kind: 'slo',
        name: `slo ${b.slo} no page alert`,
        verdict: fired.length === 0 ? 'pass' : 'fail',
        observed: fired.length,
        unit: 'count',
        limit: { operator: '==', value: 0 },
        observedText: fired.length === 0 ? 'no page fired' : `page fired: ${fired.join(', ')}`,
        limitText: 'no page',
        detail: `multi-window multi-burn-rate page alerts evaluated at ${timeline.length} instants of the run`,
      });
    }
  }
  return results;
}

/** The SLO evaluator for runGate. */
export async function evaluateSloBudgets(
  store: Store,
  runId: string,
  budgets: Budgets,
): Promise<BudgetResult[]> {
  return sloBudgetResults(await sloTimeline(store, runId), budgets.spec.spec.slos ?? []);
}
