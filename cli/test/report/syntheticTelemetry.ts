// Server spans, request-counter scrapes, generator samples and faults for a synthetic run,
// written into the collector-exporter and load tables the way the real stack writes them.

import { LABELS, METRICS, SERVICES, TABLES } from '@marketbench/contracts';
import type { Row, Store } from '@marketbench/telemetry-store';

function ts(ms: number, micros = 0): string {
  return `${new Date(ms).toISOString().replace('T', ' ').replace('Z', '')}${String(micros).padStart(3, '0')}`;
}

/** Adds a server span (and a DB child span) under every answered request of the run, except `skip` of them. */
export async function insertServerSpans(store: Store, runId: string, skip = 0): Promise<number> {
  const reqs = await store.query<{
    trace_id: string;
    span_id: string;
    t: string;
    lat: number;
    step: string;
    status: number;
  }>(
    `SELECT trace_id, span_id, toString(actual_start) AS t, latency_uncorrected_ms AS lat, step, status
       FROM ${TABLES.loadRequests} WHERE run_id = {run:String} AND status != 0 ORDER BY intended_start`,
    { run: runId },
  );
  const rows: Row[] = [];
  reqs.slice(skip).forEach((r, i) => {
    const serverNs = Math.round(r.lat * 0.8 * 1e6);
    const sid = (i + 1).toString(16).padStart(16, 'a');
    rows.push({
      Timestamp: r.t,
      TraceId: r.trace_id,
      SpanId: sid,
      ParentSpanId: r.span_id,
      SpanName: `GET /x/${r.step}`,
      SpanKind: 'Server',
      ServiceName: SERVICES.reference,
      Duration: serverNs,
      StatusCode: r.status >= 500 ? 'Error' : 'Unset',
      SpanAttributes: { 'http.route': `/x/${r.step}` },
    });
    rows.push({
      Timestamp: r.t,
      TraceId: r.trace_id,
      SpanId: (i + 1).toString(16).padStart(16, 'b'),
      ParentSpanId: sid,
      SpanName: 'SELECT listings',
      SpanKind: 'Client',
      ServiceName: SERVICES.reference,
      Duration: Math.round(serverNs * 0.5),
      StatusCode: 'Unset',
    });
  });
  for (let i = 0; i < rows.length; i += 10_000) await store.insert('otel_traces', rows.slice(i, i + 10_000));
  return reqs.length - skip;
}

/** Writes two scrapes of the request-duration histogram: `before` the run and `before + delta` after it. */
export async function insertCounterScrapes(
  store: Store,
  startMs: number,
  endMs: number,
  before: number,
  delta: number,
): Promise<void> {
  const row = (t: number, count: number): Row => ({
    ServiceName: SERVICES.reference,
    MetricName: METRICS.httpServerDuration,
    Attributes: { [LABELS.route]: '/x', [LABELS.method]: 'GET', [LABELS.statusCode]: '200' },
    StartTimeUnix: ts(startMs - 3_600_000),
    TimeUnix: ts(t),
    Count: count,
    Sum: count * 0.01,
    BucketCounts: [count],
    ExplicitBounds: [],
  });
  await store.insert('otel_metrics_histogram', [
    row(startMs - 2000, before),
    row(endMs + 2000, before + delta),
  ]);
}

/** One generator sample per second and a fault set/cleared mid-run. */
export async function insertSamplesAndFaults(
  store: Store,
  runId: string,
  startMs: number,
  seconds: number,
  rate: number,
): Promise<void> {
  const rows: Row[] = [];
  for (let s = 1; s <= seconds; s++) {
    const t = ts(startMs + s * 1000);
    const add = (name: string, value: number) => rows.push({ run_id: runId, ts: t, name, value, tags: {} });
    add('target_rate', rate);
    add('achieved_rate', s === 30 ? rate * 0.9 : rate);
    add('active_vus', 10 + (s % 5));
    add('generator_cpu', 20 + (s % 7));
    add('dropped_iterations', s === 30 ? 3 : 0);
  }
  await store.insert(TABLES.loadSamples, rows);
  await store.insert(TABLES.loadFaults, [
    {
      run_id: runId,
      ts: ts(startMs + 20_000),
      dependency: 'psp',
      action: 'set',
      spec: '{"kind":"latency","ms":400,"note":"<script>alert(1)</script>"}',
    },
    { run_id: runId, ts: ts(startMs + 40_000), dependency: 'psp', action: 'clear', spec: '{}' },
  ]);
}
