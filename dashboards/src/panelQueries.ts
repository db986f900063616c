// Walks a built dashboard for every SQL it would send: each panel's targets (rows included)
// and each query variable's definition. Tests and the benchmark execute exactly these.

import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';

/** One SQL a dashboard sends, with where it comes from. */
export interface DashboardQuery {
  /** Panel title, or `variable <name>` for a variable query. */
  source: string;
  /** Panel type (`timeseries`, `table`, ...) or `variable`. */
  kind: string;
  /** Panel id (0 for variables). */
  panelId: number;
  /** The raw SQL, before macro expansion. */
  rawSql: string;
  /** The plugin result format (table for variables). */
  format: number;
  /** The panel's minimum interval in ms (Grafana never computes a smaller $__interval for it), 0 if none. */
  minIntervalMs: number;
}

interface PanelLike {
  id?: number;
  type?: string;
  interval?: string;
  title?: string;
  targets?: { rawSql?: string; format?: number }[];
  panels?: PanelLike[];
}

/** Every panel of a dashboard, rows flattened (row panels themselves excluded). */
export function allPanels(dashboard: Dashboard): PanelLike[] {
  const out: PanelLike[] = [];
  for (const p of (dashboard.panels ?? []) as PanelLike[]) {
    if (p.type === 'row') out.push(...(p.panels ?? []));
    else out.push(p);
  }
  return out;
}

/** Every SQL of the dashboard: panel targets, then query variables. */
export function dashboardQueries(dashboard: Dashboard): DashboardQuery[] {
  const out: DashboardQuery[] = [];
  for (const p of allPanels(dashboard)) {
    for (const t of p.targets ?? []) {
      if (typeof t.rawSql !== 'string') continue;
      out.push({
        source: p.title ?? '',
        kind: p.type ?? '',
        panelId: p.id ?? 0,
        rawSql: t.rawSql,
        format: t.format ?? 1,
        minIntervalMs: intervalMs(p.interval),
      });
    }
  }
  for (const v of dashboard.templating?.list ?? []) {
    if (v.type === 'query' && typeof v.query === 'string') {
      out.push({
        source: `variable ${v.name}`,
        kind: 'variable',
        panelId: 0,
        rawSql: v.query,
        format: 1,
        minIntervalMs: 0,
      });
    }
  }
  return out;
}

// Grafana interval strings as panels use them: `30s`, `1m`, `1h`.
function intervalMs(interval: string | undefined): number {
  const m = /^(\d+)(ms|s|m|h|d)$/.exec(interval ?? '');
  if (!m) return 0;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'ms'];
  return Number(m[1]) * unit;
}
