// The metrics every run records, with k6's names and types, plus marketbench's two latency
// companions: http_req_duration is measured from the intended start (coordinated-omission
// corrected); the uncorrected figure and the scheduling lag are kept beside it.

import type { MetricType, ScenarioDefinition } from '../types.ts';

/** Built-in metric names and their k6 types. */
export const BUILTIN_METRICS = {
  http_reqs: 'counter',
  http_req_duration: 'trend',
  http_req_duration_uncorrected: 'trend',
  http_req_scheduling_lag: 'trend',
  http_req_failed: 'rate',
  iterations: 'counter',
  iteration_duration: 'trend',
  dropped_iterations: 'counter',
  interrupted_iterations: 'counter',
  checks: 'rate',
  data_sent: 'counter',
  data_received: 'counter',
  vus: 'gauge',
  vus_max: 'gauge',
} as const satisfies Record<string, MetricType>;

/** A built-in metric name. */
export type BuiltinMetric = keyof typeof BUILTIN_METRICS;

/** The type of a built-in or declared custom metric, undefined when unknown. */
export function metricType(
  name: string,
  custom: Record<string, MetricType> | undefined,
): MetricType | undefined {
  return (BUILTIN_METRICS as Record<string, MetricType>)[name] ?? custom?.[name];
}

/** Units a figure of the summary or the gate is given in. */
export type MetricUnit = 'ms' | 'bytes' | 'bytes/s' | '1/s' | 'ratio' | 'count' | '';

/** Custom trends that hold durations: every `record` that feeds them records `duration` (k6's isTime). */
export function timeTrends(def: Pick<ScenarioDefinition, 'metrics' | 'journeys'>): Set<string> {
  const fed = new Map<string, boolean>();
  for (const j of Object.values(def.journeys ?? {}))
    for (const step of j.steps)
      for (const r of step.record ?? [])
        fed.set(r.metric, (fed.get(r.metric) ?? true) && r.value === 'duration');
  return new Set(
    Object.entries(def.metrics ?? {})
      .filter(([name, type]) => type === 'trend' && fed.get(name) === true)
      .map(([name]) => name),
  );
}

/** Unit of one sample of a metric: milliseconds for time trends, bytes for data_*, else none. */
export function sampleUnit(
  metric: string,
  type: MetricType,
  times: ReadonlySet<string> = new Set(),
): MetricUnit {
  if (metric === 'data_sent' || metric === 'data_received') return 'bytes';
  if (type === 'trend' && (metric in BUILTIN_METRICS || times.has(metric))) return 'ms';
  return '';
}

/** Unit of an aggregation (`p(99)`, `rate`, `count`...) of a metric. */
export function aggregationUnit(
  metric: string,
  type: MetricType,
  aggregation: string,
  times: ReadonlySet<string> = new Set(),
): MetricUnit {
  const unit = sampleUnit(metric, type, times);
  if (aggregation === 'count') return unit === 'bytes' ? 'bytes' : 'count';
  if (type === 'rate') return 'ratio';
  if (type === 'counter' && aggregation === 'rate') return unit === 'bytes' ? 'bytes/s' : '1/s';
  return unit;
}
