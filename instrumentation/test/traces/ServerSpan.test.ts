// The fast server span is a full ReadableSpan: what the SDK would export for the same calls
// (events, links, status, attributes, parent, times) reaches the wire.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ROOT_CONTEXT, SpanStatusCode, trace } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  InMemorySpanExporter,
  ParentBasedSampler,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace';
import { encodeSpans } from '../../src/traces/encodeSpans.ts';
import { PooledIdGenerator } from '../../src/traces/PooledIdGenerator.ts';
import { rejectedAttributes, ServerSpanFactory } from '../../src/traces/ServerSpan.ts';
import { TRACES_REQUEST } from '../support/otlpProto.ts';

const Request = TRACES_REQUEST;

function factory(sampler = new ParentBasedSampler({ root: new AlwaysOnSampler() })) {
  const exporter = new InMemorySpanExporter();
  const f = new ServerSpanFactory(
    sampler,
    new PooledIdGenerator(),
    resourceFromAttributes({ 'service.name': 'fast' }),
    { name: 'scope' },
    new SimpleSpanProcessor({ exporter }),
  );
  return { f, exporter };
}

test('server span with parent, events, links, error status encodes like an SDK span', () => {
  const { f, exporter } = factory();
  const parent = trace.setSpanContext(ROOT_CONTEXT, {
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    traceFlags: 1,
    isRemote: true,
  });
  const span = f.start('POST /checkout', { 'http.request.method': 'POST' }, parent);
  span.setAttribute('http.response.status_code', 500);
  const rejectedBefore = rejectedAttributes.count;
  span.setAttribute('bad', { nested: true } as never); // not an attribute value: ignored, counted
  assert.equal(rejectedAttributes.count, rejectedBefore + 1);
  span.addEvent('psp.retry', { attempt: 2 });
  span.recordException(new TypeError('boom'));
  span.addLink({ context: { traceId: '1'.repeat(32), spanId: '2'.repeat(16), traceFlags: 1 } });
  span.setStatus({ code: SpanStatusCode.ERROR, message: 'failed' });
  span.end();
  span.setAttribute('late', 1); // after end: ignored
  const [finished] = exporter.getFinishedSpans() as ReadableSpan[];
  assert.equal(finished, span as unknown as ReadableSpan);
  const decoded = Request.toObject(Request.decode(encodeSpans([finished])), {
    longs: String,
    bytes: String,
    defaults: false,
  }) as {
    resourceSpans: Array<{
      scopeSpans: Array<{ scope: { name: string }; spans: Array<Record<string, unknown>> }>;
    }>;
  };
  const s = decoded.resourceSpans[0].scopeSpans[0].spans[0] as {
    name: string;
    kind: number;
    parentSpanId: string;
    traceId: string;
    attributes: Array<{ key: string }>;
    events: Array<{ name: string }>;
    links: unknown[];
    status: { code: number; message: string };
    startTimeUnixNano: string;
    endTimeUnixNano: string;
  };
  assert.equal(decoded.resourceSpans[0].scopeSpans[0].scope.name, 'scope');
  assert.equal(s.name, 'POST /checkout');
  assert.equal(s.kind, 2);
  assert.equal(Buffer.from(s.traceId, 'base64').toString('hex'), '0af7651916cd43dd8448eb211c80319c');
  assert.equal(Buffer.from(s.parentSpanId, 'base64').toString('hex'), 'b7ad6b7169203331');
  assert.deepEqual(
    s.attributes.map((a) => a.key),
    ['http.request.method', 'http.response.status_code'],
  );
  assert.deepEqual(
    s.events.map((e) => e.name),
    ['psp.retry', 'exception'],
  );
  assert.equal(s.links.length, 1);
  assert.deepEqual(s.status, { code: 2, message: 'failed' });
  assert.ok(BigInt(s.endTimeUnixNano) >= BigInt(s.startTimeUnixNano));
  assert.ok(BigInt(s.startTimeUnixNano) > 1_700_000_000_000_000_000n);
  assert.ok(finished.duration[0] >= 0);
});

test('an unsampled request gets a non-recording span that still propagates its trace id', () => {
  const { f, exporter } = factory(new ParentBasedSampler({ root: new AlwaysOffSampler() }));
  const span = f.start('GET /x', {}, ROOT_CONTEXT);
  assert.equal(span.isRecording(), false);
  assert.match(span.spanContext().traceId, /^[0-9a-f]{32}$/);
  span.end();
  assert.equal(exporter.getFinishedSpans().length, 0);
  // parent-based: a sampled remote parent is followed
  const parent = trace.setSpanContext(ROOT_CONTEXT, {
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    traceFlags: 1,
    isRemote: true,
  });
  const child = f.start('GET /x', {}, parent);
  assert.equal(child.isRecording(), true);
  assert.equal(child.spanContext().traceId, '0af7651916cd43dd8448eb211c80319c');
});
