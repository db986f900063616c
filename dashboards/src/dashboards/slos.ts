// SLOs: for every SLO of slo-definitions (compiled from its specs, never restated here) —
// the objective, the SLI over the SLO's period, the error budget left, the burn rate of each
// alert window pair and whether its alert would fire, and the error ratio over time. The SQL
// comes from the same SLI sources the alert rules and marketbench's own evaluation use.

import { RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { loadSpecs, type Sli, type Slo, sliSource, windowedSliSql } from '@marketbench/slo-definitions';
import {
  datasourceVariable,
  newDashboard,
  ROLLUP_INTERVAL,
  stat,
  table,
  timeseries,
  UIDS,
} from '../common.ts';

/** The end of every SLO window: the end of the dashboard's time range. */
const AT = '$__toTime';

const ratio = (i: number) => `if(total_${i} = 0, 0, bad_${i} / total_${i})`;

/**
 * Bad and total events per window ending at the end of the time range: HTTP SLIs from the
 * per-minute rollup (whole minutes), others from slo-definitions' exact query, as the alert rules read them.
 */
function windowedSql(sli: Sli, windowsMs: readonly number[]): string {
  return windowedSliSql(sli, windowsMs, AT, false, { rollup: true });
}

export function sliOverPeriod(slo: Slo) {
  const periodMs = slo.periodSeconds * 1000;
  return table(
    `${slo.displayName}: objective, SLI and budget`,
    `${slo.description} SLI over the ${slo.period} period ending at the end of the time range.`,
    `SELECT ${slo.target} AS objective, 1 - ${ratio(0)} AS sli, total_0 AS events, bad_0 AS bad_events,
  round(1 - ${ratio(0)} / ${slo.errorBudget}, 4) AS budget_remaining
FROM (
${windowedSql(slo.sli, [periodMs])}
)`,
    { w: 12, h: 5 },
  );
}

export function burnRates(slo: Slo) {
  const windows = slo.windows.flatMap((w) => [w.longSeconds * 1000, w.shortSeconds * 1000]);
  const tuples = slo.windows.map(
    (w, i) =>
      `('${w.severity}', '${w.long}', '${w.short}', ${w.burnRate}, ${ratio(2 * i)} / ${slo.errorBudget}, ${ratio(2 * i + 1)} / ${slo.errorBudget})`,
  );
  return table(
    `${slo.displayName}: burn rate per alert window`,
    'Burn rate (error ratio over the error budget) in each window pair; the alert fires when both windows burn at or above the threshold.',
    `SELECT w.1 AS severity, w.2 AS long_window, w.3 AS short_window, w.4 AS threshold,
  round(w.5, 3) AS long_burn, round(w.6, 3) AS short_burn, w.5 >= w.4 AND w.6 >= w.4 AS would_fire
FROM (
  SELECT arrayJoin([${tuples.join(', ')}]) AS w
  FROM (
${windowedSql(slo.sli, windows)}
  )
)`,
    { w: 12, h: 5 },
  );
}

export function errorRatioOverTime(slo: Slo) {
  const src = sliSource(slo.sli, { rollup: true });
  if (src.weight !== undefined) {
    return timeseries(
      `${slo.displayName}: error ratio`,
      'Share of bad events per interval against the error budget (1 − objective).',
      `SELECT $__timeInterval(${src.time}) AS time, sumIf(${src.weight}, ${src.bad}) / sum(${src.weight}) AS error_ratio, ${slo.errorBudget} AS budget
FROM ${src.table}
WHERE $__timeFilter(${src.time}) AND ${src.where.join(' AND ')}
GROUP BY time
ORDER BY time`,
      'percentunit',
      { w: 18 },
    ).interval(ROLLUP_INTERVAL);
  }
  const where = [`$__timeFilter(${src.time})`, ...src.where].join(' AND ');
  const sql =
    src.shape === 'events'
      ? `SELECT $__timeInterval(${src.time}) AS time, countIf(${src.bad}) / count() AS error_ratio, ${slo.errorBudget} AS budget
FROM ${src.table}
WHERE ${where}
GROUP BY time
ORDER BY time`
      : `SELECT time, if(sum(increase) = 0, 0, sumIf(increase, bad) / sum(increase)) AS error_ratio, ${slo.errorBudget} AS budget
FROM (
  SELECT $__timeInterval(${src.time}) AS time, ${src.bad} AS bad,
    Value - lagInFrame(Value, 1, Value) OVER series AS delta, if(delta < 0, Value, delta) AS increase
  FROM ${src.table}
  WHERE ${where}
  WINDOW series AS (PARTITION BY ServiceName, ResourceAttributes, Attributes ORDER BY ${src.time} ROWS BETWEEN 1 PRECEDING AND CURRENT ROW)
)
GROUP BY time
ORDER BY time`;
  return timeseries(
    `${slo.displayName}: error ratio`,
    'Share of bad events per interval against the error budget (1 − objective).',
    sql,
    'percentunit',
    { w: 18 },
  );
}

export function objective(slo: Slo) {
  return stat(
    `${slo.displayName}: objective`,
    `Target of ${slo.id} over ${slo.period}.`,
    `SELECT ${slo.target} AS objective`,
    'percentunit',
    {
      w: 6,
      h: 8,
    },
  ).decimals(2);
}

export function slosDashboard(slos: readonly Slo[] = loadSpecs()) {
  const dashboard = newDashboard(
    UIDS.slos,
    'marketbench / SLOs',
    'Is each SLO met, how much error budget is left, how fast is it burning, and which alerts would fire?',
  )
    .time({ from: 'now-6h', to: 'now' })
    .refresh('1m')
    .withVariable(datasourceVariable());
  for (const slo of slos) {
    dashboard
      .withRow(new RowBuilder(`${slo.displayName} (${slo.id})`))
      .withPanel(sliOverPeriod(slo))
      .withPanel(burnRates(slo))
      .withPanel(objective(slo))
      .withPanel(errorRatioOverTime(slo));
  }
  return dashboard;
}
