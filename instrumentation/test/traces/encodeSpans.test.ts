// The one-pass encoder must produce the same ExportTraceServiceRequest as OpenTelemetry's own
// serializer: both outputs decoded with the generated protobuf code must be equal.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { context, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { TraceState } from '@opentelemetry/core';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { encodeSpans } from '../../src/traces/encodeSpans.ts';
import { TRACES_REQUEST } from '../support/otlpProto.ts';

const Request = TRACES_REQUEST;
const decode = (b: Uint8Array) =>
  Request.toObject(Request.decode(b), { longs: String, bytes: String, defaults: true, arrays: true });

function makeSpans(): ReadableSpan[] {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'enc', 'host.cores': 2, 'big.list': ['a', 'b'] }),
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
  });
  const tracer = provider.getTracer('scope-a', '1.2.3');
  const other = provider.getTracer('scope-b');
  const remote = trace.setSpanContext(ROOT_CONTEXT, {
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    traceFlags: 1,
    isRemote: true,
    traceState: new TraceState('vendor=x,other=y'),
  });
  const server = tracer.startSpan(
    'GET /listings/:id',
    {
      kind: SpanKind.SERVER,
      attributes: {
        str: 'value',
        unicode: 'prix ✓ 42€ 日本',
        long: 'x'.repeat(300),
        int: 42,
        neg: -7,
        big: 2 ** 40,
        dbl: 0.25,
        yes: true,
        no: false,
        arr: ['a', 'b'],
        nums: [1, 2.5],
      },
    },
    remote,
  );
  server.addEvent('psp.attempt', { attempt: 2, outcome: 'declined' });
  server.addEvent('plain');
  server.setStatus({ code: SpanStatusCode.ERROR, message: 'boom' });
  const child = tracer.startSpan(
    'SELECT listings',
    { kind: SpanKind.CLIENT, links: [{ context: server.spanContext(), attributes: { why: 'retry' } }] },
    trace.setSpan(context.active(), server),
  );
  child.end();
  server.end();
  other.startSpan('internal').end();
  const many = tracer.startSpan('many', {
    attributes: Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${i}`, `v${i}`.repeat(10)])),
  });
  many.end();
  return exporter.getFinishedSpans();
}

test('encodeSpans decodes to the same request as the stock protobuf serializer', () => {
  const spans = makeSpans();
  const ours = encodeSpans(spans);
  const stock = ProtobufTraceSerializer.serializeRequest(spans);
  assert.ok(stock);
  assert.deepEqual(decode(ours), decode(stock));
  assert.ok(ours.length <= stock.length + 16);
});

test('timestamps above 2^53 ns stay exact', () => {
  const [s] = makeSpans();
  const at = {
    ...s,
    startTime: [1_763_700_000, 123_456_789],
    endTime: [4_294_967_295, 999_999_999],
    spanContext: s.spanContext,
  } as ReadableSpan;
  const decoded = decode(encodeSpans([at])) as {
    resourceSpans: Array<{
      scopeSpans: Array<{ spans: Array<{ startTimeUnixNano: string; endTimeUnixNano: string }> }>;
    }>;
  };
  const span = decoded.resourceSpans[0].scopeSpans[0].spans[0];
  assert.equal(span.startTimeUnixNano, '1763700000123456789');
  assert.equal(span.endTimeUnixNano, '4294967295999999999');
});
