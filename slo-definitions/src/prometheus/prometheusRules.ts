// Generator 1: Prometheus rule groups for compiled SLOs, named and labelled the way Sloth names
// them (`sloth_id`, `sloth_service`, `sloth_slo`, `sloth_window`, `sloth_severity`, beside our
// `slo_*` labels) so Sloth's Grafana dashboards read them: per SLO one group of SLI recording
// rules (error ratio per alert window), one of meta rules (objective, budget, burn rate, budget
// remaining, `sloth_slo_info`) and one of multi-window multi-burn-rate alerts (page and ticket).

import { stringify } from 'yaml';
import type { BurnWindow, Slo } from '../types.ts';
import { errorRatioPromql, scopedSelector } from './promql.ts';

/** A Prometheus recording or alerting rule, as rule files spell it. */
export interface PromRule {
  record?: string;
  alert?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** A Prometheus rule group. */
export interface PromRuleGroup {
  name: string;
  interval?: string;
  rules: PromRule[];
}

/** Recording rule of a freshness SLI: 1 when the gauge is over its maximum at that evaluation, else 0. */
export const FRESHNESS_SAMPLE = 'slo:sli_error:bad_sample';

/** Name of the recording rule holding the SLI error ratio over `window`. */
export function sliRecordName(window: string): string {
  return `slo:sli_error:ratio_rate${window}`;
}

/** Labels identifying one SLO on every recorded series and alert: ours, then Sloth's. */
export function sloLabels(slo: Slo): Record<string, string> {
  return {
    slo_id: slo.id,
    slo_service: slo.service,
    slo_name: slo.name,
    sloth_id: slo.id,
    sloth_service: slo.service,
    sloth_slo: slo.name,
  };
}

/** The labels of the SLO's alert of one severity (Prometheus and Grafana alike). */
export function alertLabels(slo: Slo, severity: 'page' | 'ticket'): Record<string, string> {
  return {
    ...slo.labels,
    ...slo.severityLabels[severity],
    severity,
    sloth_severity: severity,
    ...sloLabels(slo),
  };
}

/** Every window the SLO's alerts read, shortest first. */
export function recordedWindows(slo: Slo): string[] {
  const byLength = new Map<string, number>();
  for (const w of slo.windows) {
    byLength.set(w.long, w.longSeconds);
    byLength.set(w.short, w.shortSeconds);
  }
  return [...byLength.entries()].sort((a, b) => a[1] - b[1]).map(([w]) => w);
}

function ref(record: string, slo: Slo): string {
  return `${record}{slo_id="${slo.id}"}`;
}

/**
 * Long AND short window over the factor, per pair, pairs OR-ed. The recorded ratios differ in
 * `sloth_window`, so the set operators ignore it, and the alert drops it: one alert identity
 * whichever pair fires, so its `for:` does not restart when the firing pair changes.
 */
function alertExpr(slo: Slo, windows: readonly BurnWindow[]): string {
  const pairs = windows.map((w) => {
    const threshold = `(${w.burnRate} * ${slo.errorBudget})`;
    return `  (${ref(sliRecordName(w.long), slo)} > ${threshold}\n   and ignoring (sloth_window)\n   ${ref(sliRecordName(w.short), slo)} > ${threshold})`;
  });
  return `max without (sloth_window) (\n${pairs.join('\n  or ignoring (sloth_window)\n')}\n)`;
}

/** Annotations of the SLO's alert of one severity (static text, so promtool tests can expect them). */
export function alertAnnotations(slo: Slo, severity: 'page' | 'ticket'): Record<string, string> {
  const pairs = slo.windows
    .filter((w) => w.severity === severity)
    .map((w) => `${w.burnRate}× over ${w.long}/${w.short}`)
    .join(', ');
  return {
    summary: `${slo.displayName}: error budget burning too fast (${severity})`,
    description:
      `${slo.description} Objective ${Number((slo.target * 100).toPrecision(10))}% over ${slo.period}; ` +
      `fires when the error ratio burns the budget at ${pairs}.`,
    ...slo.annotations,
  };
}

/** The three rule groups (SLI, meta, alerts) of one SLO. */
export function sloRuleGroups(slo: Slo): PromRuleGroup[] {
  const labels = sloLabels(slo);
  const windows = recordedWindows(slo);
  const shortest = windows[0];
  const sli: PromRule[] = [];
  const gauge = slo.sli.kind === 'freshness' ? slo.sli : undefined;
  if (gauge) {
    // A gauge has no events: each evaluation is one, bad when the gauge (worst instance) is over
    // the maximum. Recorded once per evaluation, so every window averages the same samples and
    // has data from the first evaluation on (a subquery's aligned steps would leave the long
    // windows empty for up to a step, and cost a step per point of a 3-day window each time).
    sli.push({
      record: FRESHNESS_SAMPLE,
      expr: `max(${scopedSelector(gauge, gauge.metric)}) > bool ${gauge.maxAgeSeconds}`,
      labels,
    });
  }
  for (const w of windows) {
    sli.push({
      record: sliRecordName(w),
      expr: gauge
        ? `avg_over_time(${ref(FRESHNESS_SAMPLE, slo)}[${w}])`
        : `(${errorRatioPromql(slo.sli, w)})`,
      labels: { ...labels, sloth_window: w },
    });
  }
  sli.push({
    record: sliRecordName(slo.period),
    expr: `avg_over_time(${ref(sliRecordName(shortest), slo)}[${slo.period}])`,
    labels: { ...labels, sloth_window: slo.period },
  });
  const days = slo.periodSeconds / 86_400;
  const meta: PromRule[] = [
    { record: 'slo:objective:ratio', expr: `vector(${slo.target})`, labels },
    { record: 'slo:error_budget:ratio', expr: `vector(${slo.errorBudget})`, labels },
    { record: 'slo:time_period:days', expr: `vector(${Number(days.toPrecision(6))})`, labels },
    {
      record: 'slo:current_burn_rate:ratio',
      expr: `${ref(sliRecordName(shortest), slo)} / ${slo.errorBudget}`,
      labels,
    },
    {
      record: 'slo:period_burn_rate:ratio',
      expr: `${ref(sliRecordName(slo.period), slo)} / ${slo.errorBudget}`,
      labels,
    },
    {
      record: 'slo:period_error_budget_remaining:ratio',
      expr: `1 - ${ref('slo:period_burn_rate:ratio', slo)}`,
      labels,
    },
    {
      // Sloth's info series: its dashboards list services and SLOs from it.
      record: 'sloth_slo_info',
      expr: 'vector(1)',
      labels: {
        ...labels,
        sloth_mode: 'cli-gen-prom',
        sloth_spec: 'marketbench/v1',
        sloth_version: 'marketbench',
        sloth_objective: String(Number((slo.target * 100).toPrecision(10))),
      },
    },
  ];
  const alerts: PromRule[] = [];
  for (const severity of ['page', 'ticket'] as const) {
    const ws = slo.windows.filter((w) => w.severity === severity);
    if (ws.length === 0) continue;
    alerts.push({
      alert: slo.alertName,
      expr: alertExpr(slo, ws),
      for: slo.alertFor[severity],
      labels: alertLabels(slo, severity),
      annotations: alertAnnotations(slo, severity),
    });
  }
  return [
    { name: `slo-sli-recordings-${slo.id}`, rules: sli },
    { name: `slo-meta-recordings-${slo.id}`, rules: meta },
    { name: `slo-alerts-${slo.id}`, rules: alerts },
  ];
}

/** The rule file (YAML text, DO-NOT-EDIT header first) for all SLOs. */
export function prometheusRulesYaml(slos: readonly Slo[], header: string): string {
  const groups = slos.flatMap(sloRuleGroups);
  return `${header}\n${stringify({ groups }, { lineWidth: 0, blockQuote: 'literal', aliasDuplicateObjects: false })}`;
}
