// The run's metric series as rows of marketbench_load_metrics, and back: the gate rebuilds the
// run's MetricRegistry from them and evaluates thresholds with the same code as the run, so the
// gate and the run's summary give the same value for every metric (one definition feeds both).

import type { MetricType } from '../types.ts';
import { MetricRegistry, type MetricsSnapshot } from './MetricRegistry.ts';

/** One series of one run, as stored in marketbench_load_metrics. */
export interface MetricSeriesRow {
  run_id: string;
  metric: string;
  type: MetricType;
  tags: Record<string, string>;
  /** Samples of a trend, requests of a rate (its total), updates of a gauge; 0 for a counter. */
  count: number;
  /** Sum of a trend's samples, or a counter's value. */
  sum: number;
  /** Non-zero samples of a rate. */
  trues: number;
  /** A gauge's last value (a counter's value, for readability). */
  value: number;
  /** Smallest and largest sample of a trend or gauge (0 when it has none). */
  min: number;
  max: number;
  /** A trend's HDR histogram (microseconds), compressed base64; empty for other types. */
  hist: string;
}

const finite = (v: number) => (Number.isFinite(v) ? v : 0);

/** Rows for every series of a registry snapshot. */
export function seriesRows(runId: string, snapshot: MetricsSnapshot): MetricSeriesRow[] {
  return snapshot.series.map((s) => {
    const row: MetricSeriesRow = {
      run_id: runId,
      metric: s.metric,
      type: s.type,
      tags: { ...s.tags },
      count: 0,
      sum: 0,
      trues: 0,
      value: 0,
      min: 0,
      max: 0,
      hist: '',
    };
    if (s.type === 'trend') {
      Object.assign(row, {
        count: s.count,
        sum: s.sum,
        min: finite(s.min),
        max: finite(s.max),
        hist: s.hist,
      });
    } else if (s.type === 'counter') {
      Object.assign(row, { sum: s.value, value: s.value });
    } else if (s.type === 'rate') {
      Object.assign(row, { count: s.total, trues: s.trues });
    } else {
      Object.assign(row, { count: 1, value: s.value, min: finite(s.min), max: finite(s.max) });
    }
    return row;
  });
}

/** The registry a run's stored rows describe (numbers may arrive as strings from ClickHouse). */
export function registryFromRows(rows: readonly MetricSeriesRow[]): MetricRegistry {
  const snapshot: MetricsSnapshot = { series: [] };
  for (const r of rows) {
    const n = (v: unknown) => Number(v);
    const tags = { ...r.tags };
    switch (r.type) {
      case 'trend': {
        // merge() decodes the histogram only when the series has samples.
        const empty = n(r.count) === 0;
        snapshot.series.push({
          metric: r.metric,
          type: 'trend',
          tags,
          hist: r.hist,
          count: n(r.count),
          sum: n(r.sum),
          min: empty ? Infinity : n(r.min),
          max: empty ? -Infinity : n(r.max),
        });
        break;
      }
      case 'counter':
        snapshot.series.push({ metric: r.metric, type: 'counter', tags, value: n(r.sum) });
        break;
      case 'rate':
        snapshot.series.push({ metric: r.metric, type: 'rate', tags, trues: n(r.trues), total: n(r.count) });
        break;
      case 'gauge':
        snapshot.series.push({
          metric: r.metric,
          type: 'gauge',
          tags,
          value: n(r.value),
          min: n(r.min),
          max: n(r.max),
        });
        break;
    }
  }
  const registry = new MetricRegistry();
  registry.merge(snapshot);
  return registry;
}
