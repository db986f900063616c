// Collects everything one run's report shows, with SQL over the load tables and the collector
// exporter's otel_traces / otel_metrics_histogram, joined to the load rows by trace id. Every
// figure is computed in the store; the page only draws it.

import {
  ATTR,
  LABELS,
  LOAD_SAMPLES,
  METRICS,
  OTEL_TABLES,
  ROUTES,
  SERVICES,
  TABLES,
} from '@marketbench/contracts';
import type { Store } from '@marketbench/telemetry-store';
import { FAILED_SQL, readRun, runDurationSec } from '../gate/runData.ts';
import type {
  FaultMark,
  ReconciliationRow,
  ReportData,
  SloRow,
  SlowRequest,
  StepLatency,
  StepSummary,
  TimeSeries,
  WaterfallSpan,
} from './types.ts';

/** Routes that are not load (scrapes, probes, admin) and so do not count in the reconciliation. */
const NON_LOAD_ROUTES = [
  ROUTES.metrics,
  ROUTES.healthz,
  ROUTES.readyz,
  ROUTES.openapi,
  ROUTES.adminFaults,
  ROUTES.adminLedgerCheck,
  ROUTES.adminReconciliation,
];

/** Optional inputs the report cannot compute from the store alone. */
export interface ReportExtras {
  /** SLO rows from the SLO evaluator (null: not evaluated, with a note why). */
  slos?: SloRow[] | null;
  /** Why there is no SLO table. */
  slosNote?: string;
  /** Slowest requests shown with a waterfall (default 20). */
  slowest?: number;
  /** More reconciliation lines, computed outside the store (the PSP reconciliation of the run). */
  reconciliation?: ReconciliationRow[];
}

const R = TABLES.loadRequests;

function num(v: unknown): number {
  return typeof v === 'number' ? v : Number(v);
}
function nullable(v: unknown): number | null {
  if (v === null || v === undefined) return null;
  const n = num(v);
  return Number.isFinite(n) ? n : null;
}

/** Collects the report data of one run. */
export async function collectReportData(
  store: Store,
  runId: string,
  extras: ReportExtras = {},
): Promise<ReportData> {
  const run = await readRun(store, runId);
  const durationSec = await runDurationSec(store, runId);
  const startRows = await store.query<{ s: number; e: number }>(
    `SELECT toUnixTimestamp64Milli(started_at) AS s, toUnixTimestamp64Milli(ifNull(ended_at, started_at)) AS e
       FROM ${TABLES.loadRuns} FINAL WHERE run_id = {run:String}`,
    { run: runId },
  );
  const startMs = num(startRows[0].s);
  const endMs = Math.max(num(startRows[0].e), startMs + durationSec * 1000);
  const bucketSec = Math.max(1, Math.ceil(durationSec / 150));
  const p = { run: runId, start: startMs, end: endMs, bms: bucketSec * 1000 };
  const bucket = (col: string) => `intDiv(toUnixTimestamp64Milli(${col}) - {start:Int64}, {bms:Int64})`;
  // Server spans of the run's requests: the span whose parent is the span the generator sent.
  const serverSpans = `(SELECT TraceId, ParentSpanId, Duration FROM ${OTEL_TABLES.traces}
      WHERE SpanKind = 'Server' AND Timestamp >= fromUnixTimestamp64Milli(toInt64({start:Int64} - 60000))
        AND Timestamp <= fromUnixTimestamp64Milli(toInt64({end:Int64} + 300000)))`;

  // Latency over time per step: corrected, uncorrected, and server-side.
  const latRows = await store.query<{ step: string; b: number; q: number[]; u: number }>(
    `SELECT step, ${bucket('intended_start')} AS b,
            quantilesExactInclusive(0.5, 0.95, 0.99)(latency_corrected_ms) AS q,
            quantileExactInclusive(0.99)(latency_uncorrected_ms) AS u
       FROM ${R} WHERE run_id = {run:String} GROUP BY step, b ORDER BY step, b`,
    p,
  );
  const srvRows = await store.query<{ step: string; b: number; sp: number }>(
    `SELECT r.step AS step, ${bucket('r.intended_start')} AS b, quantileExactInclusive(0.99)(s.Duration / 1e6) AS sp
       FROM (SELECT step, intended_start, trace_id, span_id FROM ${R} WHERE run_id = {run:String}) AS r
       INNER JOIN ${serverSpans} AS s ON s.TraceId = r.trace_id AND s.ParentSpanId = r.span_id
      GROUP BY step, b`,
    p,
  );
  const srv = new Map(srvRows.map((r) => [`${r.step}\u0000${num(r.b)}`, num(r.sp)]));
  const latency: StepLatency[] = [];
  for (const r of latRows) {
    let s = latency[latency.length - 1];
    if (!s || s.step !== r.step) {
      s = { step: r.step, t: [], p50: [], p95: [], p99: [], uncorrectedP99: [], serverP99: [] };
      latency.push(s);
    }
    const b = num(r.b);
    s.t.push(b * bucketSec);
    s.p50.push(nullable(r.q[0]));
    s.p95.push(nullable(r.q[1]));
    s.p99.push(nullable(r.q[2]));
    s.uncorrectedP99.push(nullable(r.u));
    s.serverP99.push(srv.get(`${r.step}\u0000${b}`) ?? null);
  }

  // Errors and status classes over time.
  const errRows = await store.query<{ b: number; n: number; f: number; cls: string; c: number }>(
    `SELECT ${bucket('intended_start')} AS b,
            multiIf(status = 0, 'no response', status < 300, '2xx', status < 400, '3xx', status < 500, '4xx', '5xx') AS cls,
            count() AS c, countIf(${FAILED_SQL}) AS f
       FROM ${R} WHERE run_id = {run:String} GROUP BY b, cls ORDER BY b`,
    p,
  );
  const buckets = [...new Set(errRows.map((r) => num(r.b)))].sort((a, b) => a - b);
  const bi = new Map(buckets.map((b, i) => [b, i]));
  const totals = buckets.map(() => 0);
  const fails = buckets.map(() => 0);
  const statusClasses: Record<string, TimeSeries> = {};
  for (const r of errRows) {
    const i = bi.get(num(r.b)) ?? 0;
    totals[i] += num(r.c);
    fails[i] += num(r.f);
    statusClasses[r.cls] ??= { t: buckets.map((b) => b * bucketSec), v: buckets.map(() => 0) };
    statusClasses[r.cls].v[i] = num(r.c) / bucketSec;
  }
  const errorRate: TimeSeries = {
    t: buckets.map((b) => b * bucketSec),
    v: totals.map((n, i) => (n ? fails[i] / n : null)),
  };

  const statusCodes = (
    await store.query<{ step: string; status: number; c: number; f: number }>(
      `SELECT step, status, count() AS c, countIf(${FAILED_SQL}) AS f FROM ${R} WHERE run_id = {run:String}
        GROUP BY step, status ORDER BY step, status`,
      p,
    )
  ).map((r) => ({ step: r.step, status: num(r.status), count: num(r.c), failed: num(r.f) }));

  // Generator samples (one per second): target vs achieved, VUs, CPU, dropped iterations.
  const sampleRows = await store.query<{ name: string; t: number; v: number }>(
    `SELECT name, (toUnixTimestamp64Milli(ts) - {start:Int64}) / 1000 AS t, value AS v
       FROM ${TABLES.loadSamples} WHERE run_id = {run:String} ORDER BY name, ts`,
    p,
  );
  const samples = new Map<string, TimeSeries>();
  for (const r of sampleRows) {
    let s = samples.get(r.name);
    if (!s) {
      s = { t: [], v: [] };
      samples.set(r.name, s);
    }
    s.t.push(Math.round(num(r.t) * 10) / 10);
    s.v.push(nullable(r.v));
  }
  let rate: ReportData['rate'];
  if (samples.has(LOAD_SAMPLES.targetRate) && samples.has(LOAD_SAMPLES.achievedRate)) {
    rate = {
      target: samples.get(LOAD_SAMPLES.targetRate)!,
      achieved: samples.get(LOAD_SAMPLES.achievedRate)!,
      source: 'generator samples',
    };
  } else {
    // Without generator samples: requests due per second (the schedule) vs requests sent per second.
    const rr = await store.query<{ b: number; due: number; sent: number }>(
      `SELECT b, sum(due) AS due, sum(sent) AS sent FROM (
         SELECT ${bucket('intended_start')} AS b, 1 AS due, 0 AS sent FROM ${R} WHERE run_id = {run:String}
         UNION ALL
         SELECT ${bucket('actual_start')} AS b, 0 AS due, 1 AS sent FROM ${R} WHERE run_id = {run:String}
       ) GROUP BY b ORDER BY b`,
      p,
    );
    rate = {
      target: { t: rr.map((r) => num(r.b) * bucketSec), v: rr.map((r) => num(r.due) / bucketSec) },
      achieved: { t: rr.map((r) => num(r.b) * bucketSec), v: rr.map((r) => num(r.sent) / bucketSec) },
      source: 'request rows',
    };
  }

  // Per-step totals with the server-side p99.
  const stepRows = await store.query<{ step: string; n: number; e: number; q: number[]; mx: number }>(
    `SELECT step, count() AS n, countIf(${FAILED_SQL}) AS e,
            quantilesExactInclusive(0.5, 0.95, 0.99)(latency_corrected_ms) AS q, max(latency_corrected_ms) AS mx
       FROM ${R} WHERE run_id = {run:String} GROUP BY step ORDER BY step`,
    p,
  );
  const stepSrv = await store.query<{ step: string; n: number; sp: number }>(
    `SELECT r.step AS step, count() AS n, quantileExactInclusive(0.99)(s.Duration / 1e6) AS sp
       FROM (SELECT step, trace_id, span_id FROM ${R} WHERE run_id = {run:String}) AS r
       INNER JOIN ${serverSpans} AS s ON s.TraceId = r.trace_id AND s.ParentSpanId = r.span_id
      GROUP BY step`,
    p,
  );
  const stepSrvMap = new Map(stepSrv.map((r) => [r.step, r]));
  const steps: StepSummary[] = stepRows.map((r) => ({
    step: r.step,
    count: num(r.n),
    errors: num(r.e),
    p50: num(r.q[0]),
    p95: num(r.q[1]),
    p99: num(r.q[2]),
    max: num(r.mx),
    serverP99: nullable(stepSrvMap.get(r.step)?.sp),
    spans: num(stepSrvMap.get(r.step)?.n ?? 0),
  }));

  const reconciliation = await reconcile(
    store,
    run.requests_total,
    run.errors_total,
    steps,
    p,
    clientSpansExported(run.summary),
  );
  const slowest = await slowestRequests(store, runId, startMs, extras.slowest ?? 20);
  const faults: FaultMark[] = (
    await store.query<{ t: number; dependency: string; action: string; spec: string }>(
      `SELECT (toUnixTimestamp64Milli(ts) - {start:Int64}) / 1000 AS t, dependency, action, spec
         FROM ${TABLES.loadFaults} WHERE run_id = {run:String} ORDER BY ts`,
      p,
    )
  ).map((r) => ({ atSec: num(r.t), dependency: r.dependency, action: r.action, spec: r.spec }));

  let thresholds: ReportData['thresholds'] = [];
  try {
    const parsed = JSON.parse(run.thresholds || '[]') as ReportData['thresholds'];
    if (Array.isArray(parsed)) thresholds = parsed;
  } catch {
    thresholds = [];
  }
  let config = run.config;
  try {
    config = JSON.stringify(JSON.parse(run.config), null, 2);
  } catch {
    // keep the stored text as it is
  }
  const empty: TimeSeries = { t: [], v: [] };
  return {
    generatedAt: new Date().toISOString(),
    run: {
      runId: run.run_id,
      scenario: run.scenario,
      status: run.status,
      startedAt: run.started_at,
      endedAt: run.ended_at,
      durationSec,
      gitCommit: run.git_commit,
      target: run.target,
      timeScale: run.time_scale,
      requestsTotal: run.requests_total,
      errorsTotal: run.errors_total,
      droppedIterations: run.dropped_iterations,
    },
    config,
    bucketSec,
    rate,
    latency,
    errors: { errorRate, statusClasses },
    statusCodes,
    droppedIterations: samples.get(LOAD_SAMPLES.droppedIterations) ?? empty,
    activeVus: samples.get(LOAD_SAMPLES.activeVus) ?? empty,
    generatorCpu: samples.get(LOAD_SAMPLES.generatorCpu) ?? empty,
    thresholds,
    slos: extras.slos ?? null,
    slosNote: extras.slosNote,
    reconciliation: [...reconciliation, ...(extras.reconciliation ?? [])],
    steps,
    slowest,
    faults,
  };
}

/** Whether the run exported the generator's client spans (its summary carries their counts). */
function clientSpansExported(summary: string): boolean {
  try {
    return (JSON.parse(summary) as { clientSpans?: unknown }).clientSpans !== undefined;
  } catch {
    return false;
  }
}

/** Requests sent = client spans = load rows = server spans = request-counter delta (DESIGN.md, contract 4). */
async function reconcile(
  store: Store,
  requestsTotal: number,
  errorsTotal: number,
  steps: StepSummary[],
  p: { run: string; start: number; end: number },
  clientSpans: boolean,
): Promise<ReconciliationRow[]> {
  const loadRows = steps.reduce((s, x) => s + x.count, 0);
  const failedRows = steps.reduce((s, x) => s + x.errors, 0);
  const spans = steps.reduce((s, x) => s + x.spans, 0);
  // The prom-client histogram's _count, per label set: last scrape after the run minus last before it.
  const counter = await store.query<{ delta: number; series: number; scrapes: number }>(
    `SELECT sum(d) AS delta, count() AS series, sum(n) AS scrapes FROM (
       SELECT Attributes,
              argMaxIf(Count, TimeUnix, TimeUnix <= fromUnixTimestamp64Milli(toInt64({end:Int64} + 30000)))
                - argMaxIf(Count, TimeUnix, TimeUnix < fromUnixTimestamp64Milli(toInt64({start:Int64}))) AS d,
              countIf(TimeUnix >= fromUnixTimestamp64Milli(toInt64({start:Int64}))) AS n
         FROM ${OTEL_TABLES.metricsHistogram}
        WHERE MetricName = {metric:String} AND Attributes[{routeLabel:String}] NOT IN {excluded:Array(String)}
          AND TimeUnix <= fromUnixTimestamp64Milli(toInt64({end:Int64} + 30000))
        GROUP BY Attributes)`,
    { ...p, metric: METRICS.httpServerDuration, routeLabel: LABELS.route, excluded: NON_LOAD_ROUTES },
  );
  const delta = Number(counter[0]?.scrapes ?? 0) > 0 ? Number(counter[0].delta) : null;
  const [unanswered] = await store.query<{ n: number }>(
    `SELECT count() AS n FROM ${R} WHERE run_id = {run:String} AND status = 0`,
    p,
  );
  const noAnswer = Number(unanswered?.n ?? 0);
  // The generator's span of each request: the root of the request's trace.
  const [generated] = clientSpans
    ? await store.query<{ n: number }>(
        `SELECT count() AS n FROM ${OTEL_TABLES.traces}
          WHERE ServiceName = {load:String} AND SpanKind = 'Client' AND SpanAttributes[{runAttr:String}] = {run:String}
            AND Timestamp >= fromUnixTimestamp64Milli(toInt64({start:Int64} - 60000))
            AND Timestamp <= fromUnixTimestamp64Milli(toInt64({end:Int64} + 300000))`,
        { ...p, load: SERVICES.load, runAttr: ATTR.runId },
      )
    : [];
  const clientSpanCount = generated ? Number(generated.n) : null;
  const answered = loadRows - noAnswer;
  // Telemetry is reconciled against the requests the service answered; requests that failed in
  // transport (reset, refused, timed out) are a load failure, shown on their own line.
  return [
    { what: 'load rows', source: `${R} (one row per request)`, value: loadRows, ok: true },
    {
      what: 'requests sent',
      source: 'generator counter (run row requests_total)',
      value: requestsTotal,
      ok: requestsTotal === loadRows,
    },
    {
      what: 'failed requests',
      source: "load rows with expected_response = false vs the run's http_req_failed (run row errors_total)",
      value: failedRows,
      ok: failedRows === errorsTotal,
    },
    {
      what: 'client spans',
      source: clientSpans
        ? `${OTEL_TABLES.traces}, service ${SERVICES.load}, SpanKind 'Client': the generator's span of each request (vs requests sent)`
        : 'not exported (--no-client-spans)',
      value: clientSpanCount,
      ok: !clientSpans || clientSpanCount === requestsTotal,
    },
    {
      what: 'unanswered requests',
      source: 'load rows without an HTTP status (transport error: reset, refused, timed out)',
      value: noAnswer,
      ok: noAnswer === 0,
      unanswered: true,
    },
    {
      what: 'server spans',
      source: `${OTEL_TABLES.traces}, SpanKind 'Server', parent = the request's span (vs answered requests)`,
      value: spans,
      ok: spans === answered,
    },
    {
      what: 'request counter delta',
      source: `${METRICS.httpServerDuration}_count scraped from /metrics, end − start (vs answered requests)`,
      value: delta,
      ok: delta === answered,
    },
  ];
}

async function slowestRequests(
  store: Store,
  runId: string,
  startMs: number,
  limit: number,
): Promise<SlowRequest[]> {
  const rows = await store.query<{
    step: string;
    method: string;
    url: string;
    status: number;
    error: string;
    trace_id: string;
    at: number;
    t0: number;
    c: number;
    u: number;
    lag: number;
  }>(
    `SELECT step, method, url, status, error, trace_id, (toUnixTimestamp64Milli(intended_start) - {start:Int64}) / 1000 AS at,
            toString(toUnixTimestamp64Micro(intended_start)) AS t0,
            latency_corrected_ms AS c, latency_uncorrected_ms AS u, scheduling_lag_ms AS lag
       FROM ${R} WHERE run_id = {run:String} ORDER BY latency_corrected_ms DESC LIMIT ${Math.trunc(limit)}`,
    { run: runId, start: startMs },
  );
  const ids = rows.map((r) => r.trace_id).filter((t) => t !== '');
  const spanRows =
    ids.length === 0
      ? []
      : await store.query<{
          TraceId: string;
          SpanId: string;
          ParentSpanId: string;
          SpanName: string;
          ServiceName: string;
          SpanKind: string;
          ts: string;
          Duration: number;
          StatusCode: string;
        }>(
          `SELECT TraceId, SpanId, ParentSpanId, SpanName, ServiceName, SpanKind, toString(toUnixTimestamp64Micro(Timestamp)) AS ts,
                  Duration, StatusCode
             FROM ${OTEL_TABLES.traces} WHERE TraceId IN {ids:Array(String)} ORDER BY Timestamp LIMIT 5000`,
          { ids },
        );
  const byTrace = new Map<string, typeof spanRows>();
  for (const s of spanRows) {
    const list = byTrace.get(s.TraceId) ?? [];
    list.push(s);
    byTrace.set(s.TraceId, list);
  }
  return rows.map((r) => {
    const t0us = BigInt(r.t0);
    const raw = byTrace.get(r.trace_id) ?? [];
    const ids2 = new Set(raw.map((s) => s.SpanId));
    const depth = new Map<string, number>();
    const parentOf = new Map(raw.map((s) => [s.SpanId, s.ParentSpanId]));
    const depthOf = (id: string, guard = 0): number => {
      if (depth.has(id)) return depth.get(id)!;
      const parent = parentOf.get(id) ?? '';
      const d = ids2.has(parent) && guard < 64 ? depthOf(parent, guard + 1) + 1 : 0;
      depth.set(id, d);
      return d;
    };
    const spans: WaterfallSpan[] = raw.map((s) => ({
      spanId: s.SpanId,
      parentSpanId: s.ParentSpanId,
      name: s.SpanName,
      service: s.ServiceName,
      kind: s.SpanKind,
      startMs: Number(BigInt(s.ts) - t0us) / 1000,
      durationMs: num(s.Duration) / 1e6,
      status: s.StatusCode,
      depth: depthOf(s.SpanId),
    }));
    return {
      step: r.step,
      method: r.method,
      url: r.url,
      status: num(r.status),
      error: r.error,
      traceId: r.trace_id,
      atSec: num(r.at),
      correctedMs: num(r.c),
      uncorrectedMs: num(r.u),
      schedulingLagMs: num(r.lag),
      spans,
    };
  });
}
