// Metrics and logs made by the real OpenTelemetry JS SDK and sent by the real OTLP exporters
// (protobuf and JSON) land in otel_metrics_* and otel_logs with the exporter's column values.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type Fixture, startFixture } from './ingestFixture.ts';
import { otel } from './otelSdk.ts';

let fx: Fixture;
before(async () => {
  fx = await startFixture();
});
after(async () => {
  await fx?.close();
});

async function sendMetrics(exporterPackage: string, service: string): Promise<void> {
  const { MeterProvider, PeriodicExportingMetricReader } = otel('sdk-metrics');
  const { resourceFromAttributes } = otel('resources');
  const { OTLPMetricExporter } = otel(exporterPackage);
  const reader = new PeriodicExportingMetricReader({
    exporter: new OTLPMetricExporter({ url: `${fx.ingest.url}/v1/metrics` }),
    exportIntervalMillis: 3_600_000,
  });
  const provider = new MeterProvider({
    resource: resourceFromAttributes({ 'service.name': service }),
    readers: [reader],
  });
  const meter = provider.getMeter('rt-meter', '2.0.0');
  meter
    .createCounter('orders_total', { description: 'orders', unit: '{order}' })
    .add(5, { route: '/checkout' });
  const latency = meter.createHistogram('latency', {
    unit: 's',
    advice: { explicitBucketBoundaries: [0.1, 0.5, 1] },
  });
  for (const v of [0.3, 0.7, 0.05]) latency.record(v, { route: '/checkout' });
  meter.createGauge('queue_depth').record(7.5, { queue: 'q1' });
  // shutdown() collects and exports once (a forceFlush() before it would export the cumulative points twice).
  await provider.shutdown();
}

for (const [exporter, service] of [
  ['exporter-metrics-otlp-proto', 'rt-metrics-proto'],
  ['exporter-metrics-otlp-http', 'rt-metrics-json'],
] as const) {
  test(`${exporter}: counter, histogram and gauge land in otel_metrics_*`, async () => {
    await sendMetrics(exporter, service);
    await fx.ingest.flush();
    const q = { s: service };
    const sums = await fx.store.query<Record<string, unknown>>(
      'SELECT MetricName, MetricDescription, MetricUnit, Value, IsMonotonic, AggregationTemporality, Attributes, ScopeName, ScopeVersion FROM otel_metrics_sum WHERE ServiceName = {s:String}',
      q,
    );
    assert.deepEqual(sums, [
      {
        MetricName: 'orders_total',
        MetricDescription: 'orders',
        MetricUnit: '{order}',
        Value: 5,
        IsMonotonic: true,
        AggregationTemporality: 2,
        Attributes: { route: '/checkout' },
        ScopeName: 'rt-meter',
        ScopeVersion: '2.0.0',
      },
    ]);
    const hists = await fx.store.query<Record<string, unknown>>(
      'SELECT MetricName, MetricUnit, Count, Sum, BucketCounts, ExplicitBounds, Min, Max, AggregationTemporality FROM otel_metrics_histogram WHERE ServiceName = {s:String}',
      q,
    );
    assert.deepEqual(hists, [
      {
        MetricName: 'latency',
        MetricUnit: 's',
        Count: '3',
        Sum: 1.05,
        BucketCounts: ['1', '1', '1', '0'],
        ExplicitBounds: [0.1, 0.5, 1],
        Min: 0.05,
        Max: 0.7,
        AggregationTemporality: 2,
      },
    ]);
    const gauges = await fx.store.query<Record<string, unknown>>(
      'SELECT MetricName, Value, Attributes FROM otel_metrics_gauge WHERE ServiceName = {s:String}',
      q,
    );
    assert.deepEqual(gauges, [{ MetricName: 'queue_depth', Value: 7.5, Attributes: { queue: 'q1' } }]);
  });
}

for (const [exporter, service] of [
  ['exporter-logs-otlp-proto', 'rt-logs-proto'],
  ['exporter-logs-otlp-http', 'rt-logs-json'],
] as const) {
  test(`${exporter}: log records land in otel_logs with trace context`, async () => {
    const { LoggerProvider, SimpleLogRecordProcessor } = otel('sdk-logs');
    const { resourceFromAttributes } = otel('resources');
    const { OTLPLogExporter } = otel(exporter);
    const api = otel('api');
    const provider = new LoggerProvider({
      resource: resourceFromAttributes({ 'service.name': service }),
      processors: [
        new SimpleLogRecordProcessor({ exporter: new OTLPLogExporter({ url: `${fx.ingest.url}/v1/logs` }) }),
      ],
    });
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const spanId = 'b7ad6b7169203331';
    const ctx = api.trace.setSpanContext(api.ROOT_CONTEXT, { traceId, spanId, traceFlags: 1 });
    provider.getLogger('rt-logger', '3.0.0').emit({
      severityNumber: 17,
      severityText: 'ERROR',
      body: 'payment declined',
      attributes: { attempt: 3, 'order.id': 'o-1' },
      timestamp: new Date('2026-11-21T11:00:00.000Z'),
      context: ctx,
    });
    await provider.forceFlush();
    await provider.shutdown();
    await fx.ingest.flush();
    const rows = await fx.store.query<Record<string, unknown>>(
      'SELECT toString(Timestamp) AS ts, TraceId, SpanId, TraceFlags, SeverityText, SeverityNumber, Body, LogAttributes, ScopeName, ScopeVersion FROM otel_logs WHERE ServiceName = {s:String}',
      { s: service },
    );
    assert.deepEqual(rows, [
      {
        ts: '2026-11-21 11:00:00.000000000',
        TraceId: traceId,
        SpanId: spanId,
        TraceFlags: 1,
        SeverityText: 'ERROR',
        SeverityNumber: 17,
        Body: 'payment declined',
        LogAttributes: { attempt: '3', 'order.id': 'o-1' },
        ScopeName: 'rt-logger',
        ScopeVersion: '3.0.0',
      },
    ]);
  });
}
