// A deterministic factory of telemetry in the collector-exporter schema plus marketbench's
// load tables: a small marketplace's traffic for a few minutes (server spans per route with
// DB and PSP children, error logs, scraped runtime and business metrics, one load run), and
// the numbers a correct dashboard must show for it.

import {
  ATTR,
  LABELS,
  LOAD_SAMPLES,
  METRICS,
  PSP_ROUTES,
  ROUTES,
  SERVICES,
  STEPS,
  serverSpanName,
} from '@marketbench/contracts';
import type { Row } from '@marketbench/telemetry-store';
import { SPAN_KIND_SERVER, STATUS_ERROR, T } from '../common.ts';

/** Shape of the synthetic traffic. */
export interface SyntheticOptions {
  /** First request time (whole second). */
  start: Date;
  /** Minutes of traffic. */
  minutes: number;
  /** Requests per minute (spread evenly). */
  perMinute: number;
  /** Load run id stamped on spans and load rows. */
  runId: string;
  /** deployment.environment.name on every resource. */
  environment: string;
}

/** One route of the synthetic traffic mix. */
interface RouteMix {
  route: string;
  method: string;
  step: string;
  weight: number;
  baseMs: number;
}

const MIX: readonly RouteMix[] = [
  { route: ROUTES.listings, method: 'GET', step: STEPS.browse, weight: 4, baseMs: 8 },
  { route: ROUTES.listing, method: 'GET', step: STEPS.viewItem, weight: 3, baseMs: 5 },
  { route: ROUTES.search, method: 'GET', step: STEPS.search, weight: 2, baseMs: 20 },
  { route: ROUTES.checkout, method: 'POST', step: STEPS.checkout, weight: 1, baseMs: 60 },
];
const CYCLE = MIX.flatMap((m) => Array.from({ length: m.weight }, () => m));

/** Every checkout whose index in the checkout sequence is a multiple of this fails with a PSP timeout. */
export const CHECKOUT_ERROR_EVERY = 5;
/** Status message of the failed checkouts. */
export const CHECKOUT_ERROR_MESSAGE = 'payment provider timed out';

/** What the seeded data says: the numbers dashboards must reproduce. */
export interface SyntheticExpectations {
  /** Server spans of the reference service, per route. */
  requestsByRoute: Record<string, number>;
  /** Failed server spans (status Error, 500), per route. */
  errorsByRoute: Record<string, number>;
  /** Slowest server span duration in ms. */
  maxDurationMs: number;
  /** Trace id of the slowest request. */
  slowestTraceId: string;
  /** Trace ids of failed requests. */
  errorTraceIds: string[];
  /** Spans in the slowest trace. */
  spansInSlowestTrace: number;
  /** Total load request rows (= requests sent = server spans). */
  loadRows: number;
  /** Checkouts by outcome, as counted by the business counter. */
  checkoutsByOutcome: Record<string, number>;
  /** Window of the traffic. */
  from: Date;
  to: Date;
}

/** Rows per table plus the expectations. */
export interface SyntheticTelemetry {
  rows: Record<string, Row[]>;
  expected: SyntheticExpectations;
}

const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0').slice(-width);
const nanos = (ms: number): string => `${BigInt(Math.round(ms * 1000)) * 1000n}`;
const chTime = (ms: number, digits: 3 | 6): string => {
  const d = new Date(Math.floor(ms));
  const base = d.toISOString().slice(0, 19).replace('T', ' ');
  const frac = (ms - Math.floor(ms / 1000) * 1000) / 1000;
  return `${base}.${frac.toFixed(digits).slice(2)}`;
};

/** Builds the synthetic telemetry; the same options always give the same rows. */
export function syntheticTelemetry(o: SyntheticOptions): SyntheticTelemetry {
  const startMs = o.start.getTime();
  const total = o.minutes * o.perMinute;
  const spacingMs = 60_000 / o.perMinute;
  const resource = (service: string) => ({
    [ATTR.serviceName]: service,
    [ATTR.deploymentEnvironment]: o.environment,
  });
  const traces: Row[] = [];
  const logs: Row[] = [];
  const requests: Row[] = [];
  const requestsByRoute: Record<string, number> = {};
  const errorsByRoute: Record<string, number> = {};
  const errorTraceIds: string[] = [];
  const checkoutsByOutcome: Record<string, number> = { success: 0, payment_failed: 0 };
  let checkoutSeq = 0;
  let maxDuration = -1;
  let slowestTraceId = '';
  let slowestSpans = 0;

  for (let i = 0; i < total; i++) {
    const mix = CYCLE[i % CYCLE.length];
    const t0 = startMs + i * spacingMs;
    const traceId = hex(0x5eed0000 + i, 32);
    const serverSpanId = hex(0x100000 + i, 16);
    // durations: base plus a deterministic spread; every 97th request is a 40x outlier
    const durationMs = mix.baseMs * (1 + (i % 10) / 10) * (i % 97 === 96 ? 40 : 1);
    let failed = false;
    if (mix.route === ROUTES.checkout) {
      failed = checkoutSeq % CHECKOUT_ERROR_EVERY === 0;
      checkoutsByOutcome[failed ? 'payment_failed' : 'success']++;
      checkoutSeq++;
    }
    const status = failed ? 500 : 200;
    requestsByRoute[mix.route] = (requestsByRoute[mix.route] ?? 0) + 1;
    if (failed) {
      errorsByRoute[mix.route] = (errorsByRoute[mix.route] ?? 0) + 1;
      errorTraceIds.push(traceId);
    }
    const spanBase = {
      TraceId: traceId,
      TraceState: '',
      ScopeName: '@marketbench/instrumentation',
      ScopeVersion: '0.1.0',
      'Events.Timestamp': [],
      'Events.Name': [],
      'Events.Attributes': [],
      'Links.TraceId': [],
      'Links.SpanId': [],
      'Links.TraceState': [],
      'Links.Attributes': [],
    };
    let spans = 0;
    traces.push({
      ...spanBase,
      Timestamp: nanos(t0),
      SpanId: serverSpanId,
      ParentSpanId: hex(0x900000 + i, 16),
      SpanName: serverSpanName(mix.method, mix.route),
      SpanKind: SPAN_KIND_SERVER,
      ServiceName: SERVICES.reference,
      ResourceAttributes: resource(SERVICES.reference),
      SpanAttributes: {
        [ATTR.httpMethod]: mix.method,
        [ATTR.httpRoute]: mix.route,
        [ATTR.httpStatusCode]: String(status),
        [ATTR.runId]: o.runId,
        [ATTR.step]: mix.step,
      },
      Duration: String(Math.round(durationMs * 1e6)),
      StatusCode: failed ? STATUS_ERROR : 'Unset',
      StatusMessage: failed ? CHECKOUT_ERROR_MESSAGE : '',
    });
    spans++;
    traces.push({
      ...spanBase,
      Timestamp: nanos(t0 + 1),
      SpanId: hex(0x200000 + i, 16),
      ParentSpanId: serverSpanId,
      SpanName: 'SELECT listings',
      SpanKind: 'Client',
      ServiceName: SERVICES.reference,
      ResourceAttributes: resource(SERVICES.reference),
      SpanAttributes: { [ATTR.dbSystem]: 'sqlite', [ATTR.dbOperation]: 'SELECT' },
      Duration: String(Math.round(durationMs * 0.4 * 1e6)),
      StatusCode: 'Unset',
      StatusMessage: '',
    });
    spans++;
    if (mix.route === ROUTES.checkout) {
      traces.push({
        ...spanBase,
        Timestamp: nanos(t0 + 2),
        SpanId: hex(0x400000 + i, 16),
        ParentSpanId: serverSpanId,
        SpanName: 'POST',
        SpanKind: 'Client',
        ServiceName: SERVICES.reference,
        ResourceAttributes: resource(SERVICES.reference),
        SpanAttributes: {
          [ATTR.httpMethod]: 'POST',
          [ATTR.urlFull]: `http://127.0.0.1:4010${PSP_ROUTES.authorize}`,
          [ATTR.paymentOutcome]: failed ? 'timeout' : 'approved',
          [ATTR.httpStatusCode]: failed ? '504' : '201',
        },
        Duration: String(Math.round(durationMs * 0.55 * 1e6)),
        StatusCode: 'Unset',
        StatusMessage: '',
      });
      spans++;
      traces.push({
        ...spanBase,
        Timestamp: nanos(t0 + 2),
        SpanId: hex(0x300000 + i, 16),
        ParentSpanId: serverSpanId,
        SpanName: 'POST /v1/authorizations',
        SpanKind: SPAN_KIND_SERVER,
        ServiceName: SERVICES.psp,
        ResourceAttributes: resource(SERVICES.psp),
        SpanAttributes: {
          [ATTR.httpMethod]: 'POST',
          [ATTR.httpRoute]: '/v1/authorizations',
          [ATTR.httpStatusCode]: failed ? '504' : '200',
        },
        Duration: String(Math.round(durationMs * 0.5 * 1e6)),
        StatusCode: failed ? STATUS_ERROR : 'Unset',
        StatusMessage: failed ? 'gateway timeout' : '',
      });
      spans++;
      if (failed) {
        logs.push({
          Timestamp: nanos(t0 + durationMs),
          TraceId: traceId,
          SpanId: serverSpanId,
          TraceFlags: 1,
          SeverityText: 'ERROR',
          SeverityNumber: 17,
          ServiceName: SERVICES.reference,
          Body: `checkout failed: ${CHECKOUT_ERROR_MESSAGE}`,
          ResourceAttributes: resource(SERVICES.reference),
          LogAttributes: {},
        });
      }
    }
    if (durationMs > maxDuration) {
      maxDuration = durationMs;
      slowestTraceId = traceId;
      slowestSpans = spans;
    }
    const lag = i % 3;
    requests.push({
      run_id: o.runId,
      scenario: 'synthetic',
      journey: 'shopper',
      step: mix.step,
      method: mix.method,
      url: `http://127.0.0.1:3000${mix.route.replace(':id', '1')}`,
      vu: i % 8,
      iteration: i,
      intended_start: chTime(t0, 6),
      actual_start: chTime(t0 + lag, 6),
      latency_corrected_ms: durationMs + 1 + lag,
      latency_uncorrected_ms: durationMs + 1,
      scheduling_lag_ms: lag,
      status,
      bytes_sent: 120,
      bytes_received: 900,
      trace_id: traceId,
      span_id: hex(0x900000 + i, 16),
      error: failed ? 'HTTP 500' : '',
      check_failures: failed ? 1 : 0,
      tags: { [ATTR.step]: mix.step },
    });
  }

  const endMs = startMs + o.minutes * 60_000;
  const metrics = syntheticMetrics(startMs, endMs, requests.length, checkoutsByOutcome, resource);
  const runs: Row[] = [
    {
      run_id: o.runId,
      scenario: 'synthetic',
      status: 'finished',
      started_at: chTime(startMs, 3),
      ended_at: chTime(endMs, 3),
      git_commit: 'synthetic',
      target: 'http://127.0.0.1:3000',
      config: '{}',
      requests_total: requests.length,
      errors_total: errorTraceIds.length,
      dropped_iterations: 0,
      thresholds: '{}',
      summary: '{}',
      time_scale: 1,
      updated_at: chTime(endMs, 3),
    },
  ];
  const samples: Row[] = [];
  for (let s = 0; s < o.minutes * 60; s += 5) {
    const ts = chTime(startMs + s * 1000, 3);
    samples.push({ run_id: o.runId, ts, name: LOAD_SAMPLES.generatorCpu, value: 20 + (s % 7), tags: {} });
    samples.push({ run_id: o.runId, ts, name: LOAD_SAMPLES.targetRate, value: o.perMinute / 60, tags: {} });
    samples.push({ run_id: o.runId, ts, name: LOAD_SAMPLES.achievedRate, value: o.perMinute / 60, tags: {} });
    samples.push({ run_id: o.runId, ts, name: LOAD_SAMPLES.droppedIterations, value: 0, tags: {} });
  }
  const faults: Row[] = [
    {
      run_id: o.runId,
      ts: chTime(startMs + 60_000, 3),
      dependency: 'psp',
      action: 'inject',
      spec: '{"kind":"latency"}',
    },
  ];
  return {
    rows: {
      [T.traces]: traces,
      [T.logs]: logs,
      [T.loadRequests]: requests,
      [T.loadRuns]: runs,
      [T.loadFaults]: faults,
      [T.loadSamples]: samples,
      ...metrics,
    },
    expected: {
      requestsByRoute,
      errorsByRoute,
      maxDurationMs: maxDuration,
      slowestTraceId,
      errorTraceIds,
      spansInSlowestTrace: slowestSpans,
      loadRows: requests.length,
      checkoutsByOutcome,
      from: new Date(startMs),
      to: new Date(endMs),
    },
  };
}

function syntheticMetrics(
  startMs: number,
  endMs: number,
  requestCount: number,
  checkouts: Record<string, number>,
  resource: (service: string) => Record<string, string>,
): Record<string, Row[]> {
  const gauge: Row[] = [];
  const sum: Row[] = [];
  const histogram: Row[] = [];
  const head = (name: string, t: number, attrs: Record<string, string>) => ({
    ResourceAttributes: resource(SERVICES.reference),
    ServiceName: SERVICES.reference,
    MetricName: name,
    Attributes: attrs,
    StartTimeUnix: nanos(startMs - 60_000),
    TimeUnix: nanos(t),
  });
  const steps = Math.round((endMs - startMs) / 15_000);
  for (let k = 0; k <= steps; k++) {
    const t = startMs + k * 15_000;
    const frac = k / steps;
    gauge.push({ ...head(METRICS.eventLoopLagP99, t, {}), Value: 0.01 + (k % 4) * 0.001 });
    gauge.push({ ...head(METRICS.heapUsed, t, {}), Value: 50e6 + k * 1e5 });
    gauge.push({ ...head(METRICS.ledgerBalanced, t, {}), Value: 1 });
    // The ingest's own gauge, scraped under the ingest's job (service) as the stack scrapes it.
    gauge.push({
      ...head(METRICS.ingestLagSeconds, t, {}),
      ResourceAttributes: resource(SERVICES.ingest),
      ServiceName: SERVICES.ingest,
      Value: k % 5 === 4 ? 45 : 2,
    });
    const counter = (name: string, attrs: Record<string, string>, value: number) =>
      sum.push({ ...head(name, t, attrs), Value: value, AggregationTemporality: 2, IsMonotonic: true });
    counter(METRICS.cpuSeconds, {}, 100 + k * 7.5);
    for (const [outcome, n] of Object.entries(checkouts)) {
      counter(METRICS.checkouts, { [LABELS.outcome]: outcome }, Math.round(n * frac));
    }
    counter(METRICS.orders, { status: 'created' }, Math.round(checkouts.success * frac));
    counter(
      METRICS.pspRequests,
      { [LABELS.operation]: 'authorize', [LABELS.outcome]: 'success' },
      Math.round(checkouts.success * frac),
    );
    counter(
      METRICS.pspRequests,
      { [LABELS.operation]: 'authorize', [LABELS.outcome]: 'timeout' },
      Math.round(checkouts.payment_failed * frac),
    );
    counter(
      METRICS.pspRetries,
      { [LABELS.operation]: 'authorize' },
      Math.round(checkouts.payment_failed * 2 * frac),
    );
    counter(METRICS.circuitBreakerTransitions, { from: 'closed', to: 'open' }, k >= steps / 2 ? 1 : 0);
    counter(METRICS.idempotentReplays, {}, Math.round(3 * frac));
    counter(METRICS.reservationFailures, { [LABELS.reason]: 'out_of_stock' }, Math.round(2 * frac));
    histogram.push({
      ...head(METRICS.httpServerDuration, t, {
        [LABELS.method]: 'GET',
        [LABELS.route]: ROUTES.listings,
        [LABELS.statusCode]: '200',
      }),
      Count: String(Math.round(requestCount * frac)),
      Sum: requestCount * frac * 0.01,
      BucketCounts: ['0', String(Math.round(requestCount * frac)), '0'],
      ExplicitBounds: [0.005, 0.05],
      Min: 0,
      Max: 0,
      AggregationTemporality: 2,
    });
    histogram.push({
      ...head(METRICS.pspDuration, t, { [LABELS.operation]: 'authorize', [LABELS.outcome]: 'success' }),
      Count: String(Math.round(checkouts.success * frac)),
      Sum: checkouts.success * frac * 0.03,
      BucketCounts: ['0', String(Math.round(checkouts.success * frac)), '0'],
      ExplicitBounds: [0.01, 0.1],
      Min: 0,
      Max: 0,
      AggregationTemporality: 2,
    });
  }
  return { [T.gauge]: gauge, [T.sum]: sum, [T.histogram]: histogram };
}
