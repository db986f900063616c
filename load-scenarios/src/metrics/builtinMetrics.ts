// The metrics every run records, with k6's names and types, plus marketbench's two latency
// companions: http_req_duration is measured from the intended start (coordinated-omission
// corrected); the uncorrected figure and the scheduling lag are kept beside it.

import type { MetricType } from '../types.ts';

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
