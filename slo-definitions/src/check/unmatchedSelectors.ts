// `slo validate --against-metrics URL` and `--against-store`: a spec can be valid and still select
// nothing (a typo in a route, a metric the service does not expose, labels named differently).
// These checks list, per SLO, the selectors that match no series of a live exposition or no row
// of the store, as warnings: an SLO without data alerts on nothing.

import { LABELS, METRICS, OTEL_TABLES } from '@marketbench/contracts';
import { type MetricFamily, parseExposition, type Store } from '@marketbench/telemetry-store';
import { sliSource } from '../clickhouse/sliSql.ts';
import type { Sli, Slo } from '../types.ts';

/** One selector that matched nothing. */
export interface Unmatched {
  /** SLO id. */
  slo: string;
  /** What was looked for, as a user would write it. */
  selector: string;
}

/** The family an SLI reads and the label values its events must have (any of each list). */
function wanted(sli: Sli): { family: string; labels: Record<string, readonly string[]>; le?: number } {
  switch (sli.kind) {
    case 'httpAvailability':
    case 'httpLatency': {
      const labels: Record<string, readonly string[]> = { [LABELS.route]: sli.routes };
      if (sli.methods.length > 0) labels[LABELS.method] = sli.methods;
      return {
        family: METRICS.httpServerDuration,
        labels,
        le: sli.kind === 'httpLatency' ? sli.thresholdSeconds : undefined,
      };
    }
    case 'counterRatio':
      return {
        family: sli.metric,
        labels: Object.fromEntries(Object.entries(sli.selector).map(([k, v]) => [k, [v]])),
      };
    case 'freshness':
      return { family: sli.metric, labels: {} };
  }
}

function describe(family: string, labels: Record<string, readonly string[]>): string {
  const m = Object.entries(labels).map(([k, vs]) =>
    vs.length === 1 ? `${k}="${vs[0]}"` : `${k}=~"${vs.join('|')}"`,
  );
  return m.length ? `${family}{${m.join(',')}}` : family;
}

/** Selectors of `slos` that match no series of the exposition `text` (a /metrics page). */
export function unmatchedInExposition(slos: readonly Slo[], text: string): Unmatched[] {
  const { families } = parseExposition(text);
  const byName = new Map<string, MetricFamily>();
  for (const f of families) {
    byName.set(f.name, f);
    if (f.sampleName) byName.set(f.sampleName, f);
  }
  const out: Unmatched[] = [];
  for (const slo of slos) {
    const w = wanted(slo.sli);
    const family = byName.get(w.family) ?? byName.get(w.family.replace(/_total$/, ''));
    const series = (family?.series ?? []).filter((s) =>
      Object.entries(w.labels).every(([k, vs]) => vs.includes(s.labels[k] ?? '')),
    );
    if (series.length === 0) {
      out.push({ slo: slo.id, selector: describe(w.family, w.labels) });
      continue;
    }
    const le = w.le;
    if (le !== undefined && !series.some((s) => s.buckets?.some((b) => Math.abs(b.le - le) < 1e-9)))
      out.push({ slo: slo.id, selector: `${w.family}_bucket{le="${le}"}` });
  }
  return out;
}

/** Selectors of `slos` that match no row of the store in the last `days` (spans, rollup or metrics). */
export async function unmatchedInStore(store: Store, slos: readonly Slo[], days = 30): Promise<Unmatched[]> {
  const out: Unmatched[] = [];
  for (const slo of slos) {
    const src = sliSource(slo.sli, { rollup: true });
    const rows = await store.query<{ n: string }>(
      `SELECT count() AS n FROM ${src.table} WHERE ${[...src.where, `${src.time} > now() - toIntervalDay(${days})`].join(' AND ')}`,
    );
    if (Number(rows[0]?.n ?? 0) === 0) {
      const what =
        src.table === OTEL_TABLES.traces || src.weight !== undefined ? 'server spans' : 'metric rows';
      out.push({ slo: slo.id, selector: `${what} in ${src.table} where ${src.where.join(' AND ')}` });
    }
  }
  return out;
}
