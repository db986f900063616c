// Generator 2: Grafana-managed alert rules (file provisioning, apiVersion 1) for the same SLIs
// and windows as the Prometheus rules, querying ClickHouse through the grafana-clickhouse-datasource
// plugin. Per SLO and severity one rule: a SQL query per window (its relative time range is the
// window), a reduce (last) per query, a math expression for "long AND short over the factor" per
// pair OR-ed together, and a threshold on it as the condition.

import { createHash } from 'node:crypto';
import { stringify } from 'yaml';
import { grafanaSliSql } from '../clickhouse/sliSql.ts';
import { alertAnnotations, alertLabels } from '../prometheus/prometheusRules.ts';
import type { Slo } from '../types.ts';

/**
 * Datasource the rules query: the ClickHouse plugin, with the uid the dashboards' provisioning
 * gives it (`DATASOURCE_UID` of dashboards/src/common.ts; a test checks they agree).
 */
export const CLICKHOUSE_DATASOURCE = {
  type: 'grafana-clickhouse-datasource',
  uid: 'marketbench-clickhouse',
} as const;
const EXPR = { type: '__expr__', uid: '__expr__' } as const;
/** Grafana folder the rules are provisioned into. */
export const ALERT_FOLDER = 'SLOs';

/** One entry of a rule's `data`: a datasource query or a server-side expression. */
export interface GrafanaRuleQuery {
  refId: string;
  relativeTimeRange?: { from: number; to: number };
  datasourceUid: string;
  model: Record<string, unknown>;
}

/** A Grafana-managed alert rule as the provisioning file spells it. */
export interface GrafanaAlertRule {
  uid: string;
  title: string;
  condition: string;
  data: GrafanaRuleQuery[];
  noDataState: 'OK' | 'NoData' | 'Alerting';
  execErrState: 'Error' | 'Alerting' | 'OK';
  for: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

function refId(window: string): string {
  return `err_${window}`;
}

function uid(slo: Slo, severity: string): string {
  return `slo-${createHash('sha1').update(`${slo.id}/${severity}`).digest('hex').slice(0, 16)}`;
}

/** The SQL query of one window, by refId (what the tests execute on chDB after macro expansion). */
export function windowQueries(
  slo: Slo,
  severity: 'page' | 'ticket',
): { refId: string; seconds: number; rawSql: string }[] {
  const byWindow = new Map<string, number>();
  for (const w of slo.windows.filter((x) => x.severity === severity)) {
    byWindow.set(w.long, w.longSeconds);
    byWindow.set(w.short, w.shortSeconds);
  }
  const rawSql = grafanaSliSql(slo.sli);
  return [...byWindow.entries()]
    .sort((a, b) => a[1] - b[1])
    .map(([w, seconds]) => ({ refId: refId(w), seconds, rawSql }));
}

/** The rule of one SLO and severity, or undefined when the SLO has no window of that severity. */
export function grafanaAlertRule(slo: Slo, severity: 'page' | 'ticket'): GrafanaAlertRule | undefined {
  const pairs = slo.windows.filter((w) => w.severity === severity);
  if (pairs.length === 0) return undefined;
  const data: GrafanaRuleQuery[] = [];
  for (const q of windowQueries(slo, severity)) {
    data.push({
      refId: q.refId,
      relativeTimeRange: { from: Math.max(1, Math.round(q.seconds)), to: 0 },
      datasourceUid: CLICKHOUSE_DATASOURCE.uid,
      model: {
        refId: q.refId,
        datasource: CLICKHOUSE_DATASOURCE,
        editorType: 'sql',
        queryType: 'table',
        format: 1,
        rawSql: q.rawSql,
      },
    });
    // Grafana's reduce passes a single number (table result) through unchanged (grafana#44865);
    // it stays so the rule reads the same as one over a time series.
    data.push({
      refId: `last_${q.refId}`,
      datasourceUid: EXPR.uid,
      model: {
        refId: `last_${q.refId}`,
        datasource: EXPR,
        type: 'reduce',
        expression: q.refId,
        reducer: 'last',
        settings: { mode: 'replaceNN', replaceWithValue: 0 },
      },
    });
  }
  const math = pairs
    .map((w) => {
      const t = Number((w.burnRate * slo.errorBudget).toPrecision(10));
      return `(\${last_${refId(w.long)}} > ${t} && \${last_${refId(w.short)}} > ${t})`;
    })
    .join(' || ');
  data.push({
    refId: 'burn',
    datasourceUid: EXPR.uid,
    model: { refId: 'burn', datasource: EXPR, type: 'math', expression: math },
  });
  data.push({
    refId: 'alert',
    datasourceUid: EXPR.uid,
    model: {
      refId: 'alert',
      datasource: EXPR,
      type: 'threshold',
      expression: 'burn',
      conditions: [{ evaluator: { type: 'gt', params: [0] } }],
    },
  });
  return {
    uid: uid(slo, severity),
    title: `${slo.alertName} (${severity})`,
    condition: 'alert',
    data,
    noDataState: 'OK',
    execErrState: 'Error',
    for: slo.alertFor[severity],
    labels: alertLabels(slo, severity),
    annotations: alertAnnotations(slo, severity),
  };
}

/** The provisioning file (YAML text, DO-NOT-EDIT header first): one rule group per SLO. */
export function grafanaAlertRulesYaml(slos: readonly Slo[], header: string): string {
  const groups = slos.map((slo) => ({
    orgId: 1,
    name: `slo-${slo.id}`,
    folder: ALERT_FOLDER,
    interval: '1m',
    rules: (['page', 'ticket'] as const).flatMap((s) => grafanaAlertRule(slo, s) ?? []),
  }));
  return `${header}\n${stringify({ apiVersion: 1, groups }, { lineWidth: 0, blockQuote: 'literal', aliasDuplicateObjects: false })}`;
}
