// One row of marketbench_load_requests per request, and the timestamp format its DateTime64(6)
// columns take in JSONEachRow.

import { performance } from 'node:perf_hooks';
import { epochMsOfPerf } from '@marketbench/instrumentation/span-clock';

/** A request as stored in marketbench_load_requests. */
export interface RequestRow {
  run_id: string;
  scenario: string;
  journey: string;
  step: string;
  method: string;
  url: string;
  vu: number;
  iteration: number;
  intended_start: string;
  actual_start: string;
  latency_corrected_ms: number;
  latency_uncorrected_ms: number;
  scheduling_lag_ms: number;
  status: number;
  /** k6's expected_response: a status the step expects and no transport error (false = http_req_failed). */
  expected_response: boolean;
  bytes_sent: number;
  bytes_received: number;
  trace_id: string;
  span_id: string;
  error: string;
  check_failures: number;
  tags: Record<string, string>;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** `YYYY-MM-DD hh:mm:ss.ffffff` (UTC) for epoch milliseconds with a fraction. */
export function formatTimestamp(epochMs: number): string {
  const whole = Math.floor(epochMs);
  const d = new Date(whole);
  const micros = Math.floor((epochMs - whole) * 1000) + (whole % 1000) * 1000;
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(micros, 6)}`;
}

/** Epoch milliseconds of a performance.now() reading, on the span clock (the spans' and every thread's). */
export function epochOf(perfNow: number): number {
  return epochMsOfPerf(perfNow);
}
