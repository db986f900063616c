// Spans made by the real OpenTelemetry JS SDK, sent by the real OTLP exporters (protobuf and
// JSON) to the ingest, land in otel_traces with the values the collector's exporter would write.
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

interface SpanRow {
  TraceId: string;
  SpanId: string;
  ParentSpanId: string;
  SpanName: string;
  SpanKind: string;
  ServiceName: string;
  ResourceAttributes: Record<string, string>;
  ScopeName: string;
  ScopeVersion: string;
  SpanAttributes: Record<string, string>;
  Duration: string;
  StatusCode: string;
  StatusMessage: string;
  'Events.Name': string[];
  'Events.Attributes': Record<string, string>[];
  'Links.TraceId': string[];
  'Links.SpanId': string[];
  'Links.Attributes': Record<string, string>[];
  ts: string;
}

async function sendSpans(
  exporterPackage: string,
  service: string,
): Promise<{ traceId: string; spanId: string }> {
  const api = otel('api');
  const { TracerProvider, SimpleSpanProcessor } = otel('sdk-trace');
  const { resourceFromAttributes } = otel('resources');
  const { OTLPTraceExporter } = otel(exporterPackage);
  const provider = new TracerProvider({
    resource: resourceFromAttributes({
      'service.name': service,
      'service.version': '1.2.3',
      'host.cores': 2,
    }),
    spanProcessors: [
      new SimpleSpanProcessor({ exporter: new OTLPTraceExporter({ url: `${fx.ingest.url}/v1/traces` }) }),
    ],
  });
  const tracer = provider.getTracer('rt-scope', '9.9.9');
  const linked = tracer.startSpan('linked');
  linked.end();
  const start = new Date('2026-11-21T10:00:00.000Z');
  const span = tracer.startSpan(
    'GET /listings/:id',
    {
      kind: api.SpanKind.SERVER,
      startTime: start,
      attributes: {
        'http.route': '/listings/:id',
        'http.response.status_code': 500,
        ratio: 0.25,
        cached: false,
        tags: ['a', 'b'],
        counts: [1, 2],
      },
      links: [{ context: linked.spanContext(), attributes: { why: 'retry' } }],
    },
    api.ROOT_CONTEXT,
  );
  span.addEvent('psp.attempt', { attempt: 2 }, new Date(start.getTime() + 1));
  span.setStatus({ code: api.SpanStatusCode.ERROR, message: 'boom' });
  const child = tracer.startSpan(
    'db query',
    { kind: api.SpanKind.CLIENT, startTime: new Date(start.getTime() + 2) },
    api.trace.setSpan(api.ROOT_CONTEXT, span),
  );
  child.end(new Date(start.getTime() + 5));
  // An HrTime end: nanosecond precision survives protobuf and JSON (int64 as a string) alike.
  span.end([start.getTime() / 1000, 12_500_001]);
  await provider.forceFlush();
  await provider.shutdown();
  return { traceId: span.spanContext().traceId, spanId: span.spanContext().spanId };
}

for (const [exporter, service] of [
  ['exporter-trace-otlp-proto', 'rt-proto'],
  ['exporter-trace-otlp-http', 'rt-json'],
] as const) {
  test(`${exporter}: spans land in otel_traces as the collector exporter writes them`, async () => {
    const { traceId, spanId } = await sendSpans(exporter, service);
    await fx.ingest.flush();
    const rows = await fx.store.query<SpanRow>(
      `SELECT *, toString(Timestamp) AS ts FROM otel_traces WHERE ServiceName = {s:String} ORDER BY Timestamp`,
      { s: service },
    );
    assert.equal(rows.length, 3);
    const server = rows.find((r) => r.SpanName === 'GET /listings/:id')!;
    const child = rows.find((r) => r.SpanName === 'db query')!;
    const linked = rows.find((r) => r.SpanName === 'linked')!;
    assert.equal(server.TraceId, traceId);
    assert.equal(server.SpanId, spanId);
    assert.match(server.TraceId, /^[0-9a-f]{32}$/);
    assert.equal(server.ParentSpanId, '');
    assert.equal(child.ParentSpanId, spanId);
    assert.equal(server.SpanKind, 'Server');
    assert.equal(child.SpanKind, 'Client');
    assert.equal(linked.SpanKind, 'Internal');
    assert.equal(server.ts, '2026-11-21 10:00:00.000000000');
    assert.equal(server.Duration, '12500001');
    assert.equal(child.Duration, '3000000');
    assert.equal(server.StatusCode, 'Error');
    assert.equal(server.StatusMessage, 'boom');
    assert.equal(child.StatusCode, 'Unset');
    assert.equal(server.ScopeName, 'rt-scope');
    assert.equal(server.ScopeVersion, '9.9.9');
    assert.equal(server.ResourceAttributes['service.name'], service);
    assert.equal(server.ResourceAttributes['service.version'], '1.2.3');
    assert.equal(server.ResourceAttributes['host.cores'], '2');
    assert.deepEqual(
      {
        route: server.SpanAttributes['http.route'],
        status: server.SpanAttributes['http.response.status_code'],
        ratio: server.SpanAttributes.ratio,
        cached: server.SpanAttributes.cached,
        tags: server.SpanAttributes.tags,
        counts: server.SpanAttributes.counts,
      },
      {
        route: '/listings/:id',
        status: '500',
        ratio: '0.25',
        cached: 'false',
        tags: '["a","b"]',
        counts: '[1,2]',
      },
    );
    assert.deepEqual(server['Events.Name'], ['psp.attempt']);
    assert.deepEqual(server['Events.Attributes'], [{ attempt: '2' }]);
    assert.deepEqual(server['Links.TraceId'], [linked.TraceId]);
    assert.deepEqual(server['Links.SpanId'], [linked.SpanId]);
    assert.deepEqual(server['Links.Attributes'], [{ why: 'retry' }]);
    const stats = fx.ingest.stats();
    assert.ok(stats.rows.traces.inserted >= 3);
  });
}
