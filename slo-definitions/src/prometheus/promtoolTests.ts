// promtool unit tests (schema of Prometheus 2.42's `promtool test rules`) that prove each SLO's
// generated alerts behave as the SRE Workbook policy promises, fed with synthetic prom-client
// series at 1-minute resolution. For a budget b (timelines scale with b, expectations do not):
//   page:     6h healthy, then a 20x burn. The 1h/5m pair fires once the 1h error ratio passes
//             14.4b, after 60m x 14.4 / 20 = 43.2 min, and its `for:`: not paging at 40 min,
//             paging at 46 min + for. (The 6h of history keeps the 6h/30m pair at 2.2x; the 1x/3d
//             ticket's condition holds from 19 min, so it fires at 19 min + its for.)
//   ticket:   a steady 1.2x burn: only the ticket fires (1x over 3d/6h), never the page.
//   healthy:  a steady 0.5x burn: nothing fires, at any point.
//   recovery: 6h healthy, 20 min at 50x (page), then healthy: the page resets once the 5m short
//             window is clean although the 1h window still remembers the burn; the ticket stays.
// The error series of the counter SLIs is absent until the first error, as a prom-client counter
// with labels is; two more tests per SLO check the SLI itself: 0 with no error series at all, no
// data with no traffic (sliTests). Freshness SLIs (gauges) get the same four timelines made of
// good and bad minutes (gaugeTimelines).

import { LABELS, METRICS } from '@marketbench/contracts';
import { stringify } from 'yaml';
import { parseDuration } from '../spec/duration.ts';
import type { Slo } from '../types.ts';
import { alertLabels, recordedWindows, sliRecordName, sloLabels } from './prometheusRules.ts';
import { leLabel } from './promql.ts';

const TOTAL_PER_MIN = 1000;
// Six hours of healthy history, so the 6h/30m page pair is not tripped by an empty window.
const HISTORY_MIN = 360;

/** One phase of a timeline: `minutes` long with this error ratio. */
interface Phase {
  minutes: number;
  errorRatio: number;
}

/**
 * promtool's expanding notation for a counter growing by `perMin × phase` each minute. With
 * `bornAtFirstIncrease`, the series is absent (`_`) until its first increase, as a prom-client
 * counter with labels is: the error series of a healthy service does not exist.
 */
function counterValues(
  phases: readonly Phase[],
  share: (p: Phase) => number,
  bornAtFirstIncrease = false,
): string {
  const parts: string[] = [];
  let absent = bornAtFirstIncrease ? 1 : 0;
  if (!bornAtFirstIncrease) parts.push('0');
  let last = 0;
  for (const p of phases) {
    const inc = Number((TOTAL_PER_MIN * share(p)).toPrecision(12));
    if (inc === 0 && last === 0 && bornAtFirstIncrease) {
      absent += p.minutes;
      continue;
    }
    if (absent > 0) {
      parts.push(absent > 1 ? `_x${absent}` : '_');
      absent = 0;
    }
    const first = Number((last + inc).toPrecision(12));
    parts.push(p.minutes > 1 ? `${first}+${inc}x${p.minutes - 1}` : `${first}`);
    last = Number((last + inc * p.minutes).toPrecision(12));
  }
  if (absent > 0) parts.push(`_x${absent}`);
  return parts.join(' ');
}

function series(name: string, labels: Record<string, string>): string {
  const inner = Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(',');
  return `${name}{${inner}}`;
}

/** Synthetic input series making the SLO's SLI see `phases`; undefined for gauge SLIs. */
export function syntheticSeries(
  slo: Slo,
  phases: readonly Phase[],
): { series: string; values: string }[] | undefined {
  const sli = slo.sli;
  const good = (p: Phase) => 1 - p.errorRatio;
  const bad = (p: Phase) => p.errorRatio;
  if (sli.kind === 'httpAvailability' || sli.kind === 'httpLatency') {
    const base = { ...sli.scope, [LABELS.method]: sli.methods[0] ?? 'GET', [LABELS.route]: sli.routes[0] };
    const count = `${METRICS.httpServerDuration}_count`;
    const out: { series: string; values: string }[] = [];
    if (sli.kind === 'httpAvailability') {
      out.push({
        series: series(count, { ...base, [LABELS.statusCode]: '200' }),
        values: counterValues(phases, good),
      });
      out.push({
        series: series(count, { ...base, [LABELS.statusCode]: '500' }),
        values: counterValues(phases, bad, true),
      });
    } else {
      const ok = { ...base, [LABELS.statusCode]: '200' };
      out.push({ series: series(count, ok), values: counterValues(phases, () => 1) });
      out.push({
        series: series(`${METRICS.httpServerDuration}_bucket`, { ...ok, le: leLabel(sli.thresholdSeconds) }),
        values: counterValues(phases, good),
      });
    }
    if (sli.excludeClientErrors) {
      // As many 4xx answers as everything else: if they were not excluded the ratio would halve
      // and the page would come late.
      out.push({
        series: series(count, { ...base, [LABELS.statusCode]: '402' }),
        values: counterValues(phases, () => 1),
      });
    }
    return out;
  }
  if (sli.kind === 'counterRatio') {
    const [badLabel, badValues] = Object.entries(sli.badWhen)[0];
    const goodValue = badValues.includes('success') ? 'good' : 'success';
    const others = Object.fromEntries(Object.entries(sli.badWhen).map(([k, vs]) => [k, vs[0]]));
    return [
      {
        series: series(sli.metric, { ...sli.scope, ...sli.selector, ...others, [badLabel]: goodValue }),
        values: counterValues(phases, good),
      },
      {
        series: series(sli.metric, { ...sli.scope, ...sli.selector, ...others }),
        values: counterValues(phases, bad, true),
      },
    ];
  }
  return undefined;
}

/** A timeline of a gauge SLI: one value per minute, and what must fire when. */
interface GaugeTimeline {
  name: string;
  bad: boolean[];
  checks: { at: number; firing: ('page' | 'ticket')[] }[];
}

/** promtool's notation for per-minute values, runs of equal values compressed (`1x359 60x11`). */
function gaugeValues(values: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < values.length; ) {
    let j = i;
    while (j + 1 < values.length && values[j + 1] === values[i]) j++;
    parts.push(j > i ? `${values[i]}x${j - i}` : `${values[i]}`);
    i = j + 1;
  }
  return parts.join(' ');
}

/** Minutes of an alert's `for:`. */
function forMinutes(slo: Slo, severity: 'page' | 'ticket'): number {
  return parseDuration(slo.alertFor[severity]) / 60;
}

/**
 * The severities firing at minute `at`, given the minute each severity's condition becomes true
 * (and stays true): it fires one `for:` later.
 */
function firingAt(slo: Slo, at: number, trueFrom: { page?: number; ticket?: number }): ('page' | 'ticket')[] {
  return (['page', 'ticket'] as const).filter((sev) => {
    const from = trueFrom[sev];
    return from !== undefined && at >= from + forMinutes(slo, sev);
  });
}

/**
 * Timelines of a freshness SLI, in whole minutes derived from the budget b (a gauge sample is
 * either good or bad, so the burn is set by how many minutes are bad):
 *   page:     6h good, then bad: the 1h/5m pair fires after 60 × 14.4b minutes (8.64 for b = 1%)
 *             and its `for:`; the 6h/3d ticket after 360b minutes and its `for:`.
 *   ticket:   one bad minute in every 1/(2b): a 2x burn, only the 1x/3d ticket fires.
 *   healthy:  one bad minute in every 2/b: a 0.5x burn, nothing fires.
 *   recovery: 6h good, a block of bad minutes (20x over the 1h window), then good: the page
 *             resets once the 5m window is clean.
 */
function gaugeTimelines(slo: Slo): GaugeTimeline[] {
  const b = slo.errorBudget;
  const detect = 60 * 14.4 * b;
  const pageFrom = Math.ceil(detect) + 1;
  const ticketFrom = Math.ceil(360 * b) + 1;
  const before = Math.max(1, Math.floor(0.8 * detect));
  const after = pageFrom + forMinutes(slo, 'page') + 2;
  const late = Math.max(after, ticketFrom + forMinutes(slo, 'ticket')) + 3;
  const every = (n: number, minutes: number) => Array.from({ length: minutes }, (_, i) => i % n === n - 1);
  const outage = Math.ceil(detect * 1.4) + forMinutes(slo, 'page');
  const ticketSteady = Math.round(1 / (2 * b)) + forMinutes(slo, 'ticket') + 5;
  return [
    {
      name: `bad from 6h on: pages after ${Number(detect.toFixed(2))} min (1h/5m at 14.4x) and for: ${slo.alertFor.page}, not before`,
      bad: [...Array(HISTORY_MIN + 1).fill(false), ...Array(late + 5).fill(true)],
      checks: [
        { at: HISTORY_MIN + before, firing: firingAt(slo, before, { ticket: ticketFrom }) },
        {
          at: HISTORY_MIN + after,
          firing: firingAt(slo, after, { page: pageFrom, ticket: ticketFrom }),
        },
        { at: HISTORY_MIN + late, firing: ['page', 'ticket'] },
      ],
    },
    {
      name: 'a 2x burn (one bad minute in 1/(2b)) only tickets',
      bad: every(Math.round(1 / (2 * b)), Math.max(401, ticketSteady + 100)),
      checks: [
        { at: Math.max(300, ticketSteady), firing: ['ticket'] },
        { at: Math.max(390, ticketSteady + 90), firing: ['ticket'] },
      ],
    },
    {
      name: 'a 0.5x burn (one bad minute in 2/b) fires nothing',
      bad: every(Math.round(2 / b), 401),
      checks: [
        { at: 120, firing: [] },
        { at: 390, firing: [] },
      ],
    },
    {
      name: `${outage} bad minutes page, and the page resets within 8 min after recovery`,
      bad: [
        ...Array(HISTORY_MIN + 1).fill(false),
        ...Array(outage).fill(true),
        ...Array(Math.max(30, ticketFrom + forMinutes(slo, 'ticket') + 5)).fill(false),
      ],
      checks: [
        { at: HISTORY_MIN + outage, firing: firingAt(slo, outage, { page: pageFrom, ticket: ticketFrom }) },
        // The last bad sample stays current for its minute and the alert reads the previous
        // evaluation's recorded ratio, so the 5m window is clean for the alert 2 min after 5.
        { at: HISTORY_MIN + outage + 8, firing: firingAt(slo, outage + 8, { ticket: ticketFrom }) },
        {
          at: HISTORY_MIN + Math.max(outage + 8, ticketFrom + forMinutes(slo, 'ticket') + 2),
          firing: ['ticket'],
        },
      ],
    },
  ];
}

function expAlert(slo: Slo, severity: 'page' | 'ticket', annotations: Map<string, Record<string, string>>) {
  return {
    exp_labels: alertLabels(slo, severity),
    exp_annotations: annotations.get(severity),
  };
}

/** A recorded series of the SLO as promtool prints it in `exp_samples`. */
function recorded(slo: Slo, record: string, extra: Record<string, string> = {}): string {
  return series(record, { ...sloLabels(slo), ...extra });
}

/**
 * Tests of the SLI itself rather than its alerts: with traffic but no error series at all (a
 * healthy service), every window's ratio is 0 and the whole budget is left; with no traffic, the
 * ratio has no data (not 0, not NaN), so "no data" alerting can tell a silent service apart.
 */
function sliTests(slo: Slo): unknown[] {
  const healthy = syntheticSeries(slo, [{ minutes: 400, errorRatio: 0 }]);
  if (!healthy) return [];
  const fiveMinutes = sliRecordName(recordedWindows(slo)[0]);
  const window = recordedWindows(slo)[0];
  const out: unknown[] = [];
  const absent = healthy.filter((s) => s.values.startsWith('_'));
  if (absent.length > 0) {
    out.push({
      name: `${slo.id}: no error series exists (a healthy service): the SLI is 0, the budget whole, nothing fires`,
      interval: '1m',
      input_series: healthy.filter((s) => !s.values.startsWith('_')),
      promql_expr_test: [
        {
          expr: `${fiveMinutes}{slo_id="${slo.id}"}`,
          eval_time: '10m',
          exp_samples: [{ labels: recorded(slo, fiveMinutes, { sloth_window: window }), value: 0 }],
        },
        {
          expr: `slo:period_error_budget_remaining:ratio{slo_id="${slo.id}"}`,
          eval_time: '390m',
          exp_samples: [
            {
              labels: recorded(slo, 'slo:period_error_budget_remaining:ratio', { sloth_window: slo.period }),
              value: 1,
            },
          ],
        },
      ],
      alert_rule_test: [
        { eval_time: '10m', alertname: slo.alertName, exp_alerts: [] },
        { eval_time: '390m', alertname: slo.alertName, exp_alerts: [] },
      ],
    });
  }
  out.push({
    name: `${slo.id}: no traffic: the SLI has no data`,
    interval: '1m',
    input_series: [{ series: 'up{job="elsewhere"}', values: '1x30' }],
    promql_expr_test: [{ expr: `${fiveMinutes}{slo_id="${slo.id}"}`, eval_time: '20m', exp_samples: [] }],
  });
  return out;
}

/** The promtool test file (YAML text) for `slos`, reading the rules at `ruleFile` (relative to the test file). */
export function promtoolTestsYaml(
  slos: readonly Slo[],
  ruleFile: string,
  header: string,
  annotationsOf: (slo: Slo, severity: 'page' | 'ticket') => Record<string, string>,
): string {
  const tests: unknown[] = [];
  for (const slo of slos) {
    const b = slo.errorBudget;
    const ann = new Map([
      ['page', annotationsOf(slo, 'page')],
      ['ticket', annotationsOf(slo, 'ticket')],
    ]);
    // Minutes after the burn starts at which each condition is true, from the rates promtool
    // computes at 1-minute resolution (the error series is born at the first error, so its
    // first minute is not in any rate): page 1h/5m at 14.4x, ticket 3d/6h at 1x (6h of history).
    const timelines: {
      name: string;
      phases: Phase[];
      checks: { at: number; firing: ('page' | 'ticket')[] }[];
    }[] = [
      {
        name: `a 20x burn pages after 43.2 min (1h/5m at 14.4x) and for: ${slo.alertFor.page}, not before`,
        phases: [
          { minutes: HISTORY_MIN, errorRatio: 0 },
          { minutes: 90, errorRatio: 20 * b },
        ],
        checks: [
          { at: HISTORY_MIN + 40, firing: firingAt(slo, 40, { page: 45, ticket: 19 }) },
          {
            at: HISTORY_MIN + 46 + forMinutes(slo, 'page'),
            firing: firingAt(slo, 46 + forMinutes(slo, 'page'), { page: 45, ticket: 19 }),
          },
        ],
      },
      {
        name: 'a 1.2x burn only tickets (3d/6h at 1x), never pages',
        phases: [{ minutes: 400, errorRatio: 1.2 * b }],
        checks: [
          { at: Math.max(60, 10 + forMinutes(slo, 'ticket')), firing: ['ticket'] },
          { at: 390, firing: ['ticket'] },
        ],
      },
      {
        name: 'a healthy 0.5x burn fires nothing',
        phases: [{ minutes: 400, errorRatio: 0.5 * b }],
        checks: [
          { at: 30, firing: [] },
          { at: 120, firing: [] },
          { at: 390, firing: [] },
        ],
      },
      {
        name: 'a 20-minute 50x burn pages, and the page resets 6 min after recovery',
        phases: [
          { minutes: HISTORY_MIN, errorRatio: 0 },
          { minutes: 20, errorRatio: 50 * b },
          { minutes: 60, errorRatio: 0 },
        ],
        checks: [
          { at: HISTORY_MIN + 20, firing: firingAt(slo, 20, { page: 18, ticket: 9 }) },
          { at: HISTORY_MIN + 26, firing: firingAt(slo, 26, { ticket: 9 }) },
          { at: HISTORY_MIN + Math.max(40, 12 + forMinutes(slo, 'ticket')), firing: ['ticket'] },
        ],
      },
    ];
    const sli = slo.sli;
    if (sli.kind === 'freshness') {
      for (const t of gaugeTimelines(slo)) {
        const values = t.bad.map((bad) => (bad ? 2 * sli.maxAgeSeconds : 1));
        tests.push({
          name: `${slo.id}: ${t.name}`,
          interval: '1m',
          input_series: [{ series: series(sli.metric, sli.scope), values: gaugeValues(values) }],
          alert_rule_test: t.checks.map((c) => ({
            eval_time: `${c.at}m`,
            alertname: slo.alertName,
            exp_alerts: c.firing.map((sev) => expAlert(slo, sev, ann)),
          })),
        });
      }
      continue;
    }
    for (const t of timelines) {
      const input = syntheticSeries(slo, t.phases);
      if (!input) continue;
      tests.push({
        name: `${slo.id}: ${t.name}`,
        interval: '1m',
        input_series: input,
        alert_rule_test: t.checks.map((c) => ({
          eval_time: `${c.at}m`,
          alertname: slo.alertName,
          exp_alerts: c.firing.map((sev) => expAlert(slo, sev, ann)),
        })),
      });
    }
    tests.push(...sliTests(slo));
  }
  return `${header}\n${stringify(
    { rule_files: [ruleFile], evaluation_interval: '1m', tests },
    { lineWidth: 0, aliasDuplicateObjects: false },
  )}`;
}
