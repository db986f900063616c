// Synthetic rows in the collector-exporter columns, as the ingest writes them (Timestamp and
// TimeUnix as integer nanoseconds), for burn-rate tests on real chDB.
import { ATTR, SERVICES } from '@marketbench/contracts';

let n = 0;

/** A server span of the reference service. */
export function serverSpan(o: {
  atMs: number;
  route: string;
  status: number;
  durationMs?: number;
  runId?: string;
}) {
  n += 1;
  const attrs: Record<string, string> = {
    [ATTR.httpRoute]: o.route,
    [ATTR.httpMethod]: o.route === '/checkout' ? 'POST' : 'GET',
    [ATTR.httpStatusCode]: String(o.status),
  };
  if (o.runId) attrs[ATTR.runId] = o.runId;
  return {
    Timestamp: (BigInt(Math.round(o.atMs)) * 1_000_000n).toString(),
    TraceId: n.toString(16).padStart(32, '0'),
    SpanId: n.toString(16).padStart(16, '0'),
    SpanName: `${attrs[ATTR.httpMethod]} ${o.route}`,
    SpanKind: 'Server',
    ServiceName: SERVICES.reference,
    SpanAttributes: attrs,
    Duration: Math.round((o.durationMs ?? 20) * 1e6),
    StatusCode: o.status >= 500 ? 'Error' : 'Unset',
  };
}

/** A cumulative counter sample (otel_metrics_sum) of a series that started counting at `startMs`. */
export function counterSample(o: {
  atMs: number;
  startMs: number;
  metric: string;
  attributes: Record<string, string>;
  value: number;
}) {
  return {
    ServiceName: SERVICES.reference,
    MetricName: o.metric,
    Attributes: o.attributes,
    StartTimeUnix: (BigInt(Math.round(o.startMs)) * 1_000_000n).toString(),
    TimeUnix: (BigInt(Math.round(o.atMs)) * 1_000_000n).toString(),
    Value: o.value,
    AggregationTemporality: 2,
    IsMonotonic: true,
  };
}

/** A gauge sample (otel_metrics_gauge). */
export function gaugeSample(o: { atMs: number; metric: string; value: number }) {
  return {
    ServiceName: SERVICES.ingest,
    MetricName: o.metric,
    Attributes: {},
    StartTimeUnix: (BigInt(Math.round(o.atMs)) * 1_000_000n).toString(),
    TimeUnix: (BigInt(Math.round(o.atMs)) * 1_000_000n).toString(),
    Value: o.value,
  };
}
