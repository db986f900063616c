import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ATTR } from '@marketbench/contracts';
import { context, trace } from '@opentelemetry/api';
import {
  extractContext,
  injectTraceHeaders,
  sanitizeQueryText,
  startTelemetry,
  withClientSpan,
  withConsumeSpan,
  withDbSpan,
  withPublishSpan,
} from '../../src/index.ts';
import type { Telemetry } from '../../src/types.ts';
import { OtlpSink, waitFor } from '../support/OtlpSink.ts';

let sink: OtlpSink;
let telemetry: Telemetry;
before(async () => {
  sink = await new OtlpSink().start();
  telemetry = startTelemetry({
    serviceName: 'helpers',
    otlpEndpoint: sink.url,
    handleSignals: false,
    logLevel: 'silent',
    scheduledDelayMs: 20,
  });
});
after(async () => {
  await telemetry.shutdown();
  await sink.close();
});

test('sanitizeQueryText removes literals and keeps placeholders', () => {
  assert.equal(
    sanitizeQueryText("SELECT * FROM t WHERE a = 'x''y' AND b = 42 AND c = $1 AND d = ?"),
    'SELECT * FROM t WHERE a = ? AND b = ? AND c = $1 AND d = ?',
  );
  assert.equal(
    sanitizeQueryText('INSERT INTO t2 (a, b) VALUES (1.5, -3)'),
    'INSERT INTO t2 (a, b) VALUES (?, ?)',
  );
  assert.equal(sanitizeQueryText("SELECT x'DEADBEEF', col1 FROM t3"), 'SELECT ?, col1 FROM t3');
});

test('helpers end their span on throw and rejection, rethrow the host error untouched', async () => {
  const boom = new Error('boom');
  assert.throws(
    () =>
      withDbSpan({ system: 'sqlite', operation: 'SELECT' }, () => {
        throw boom;
      }),
    (e) => e === boom,
  );
  await assert.rejects(
    withDbSpan({ system: 'postgresql', operation: 'UPDATE', collection: 'orders' }, async () => {
      throw boom;
    }),
    (e) => e === boom,
  );
  assert.equal(
    withDbSpan({ system: 'sqlite', operation: 'SELECT' }, () => 5),
    5,
  );
  await telemetry.forceFlush();
  assert.ok(await waitFor(() => sink.spans.filter((s) => s.attributes[ATTR.dbSystem]).length >= 3));
  const failed = sink.spans.filter((s) => s.attributes[ATTR.errorType] === 'Error');
  assert.equal(failed.length, 2);
});

test('client span injects traceparent and records the status and client histogram', async () => {
  const parent = telemetry.tracer.startSpan('checkout');
  let sent: Record<string, string> = {};
  const result = await context.with(trace.setSpan(context.active(), parent), () =>
    withClientSpan(
      { method: 'post', url: 'http://127.0.0.1:9/v1/authorizations?x=1', headers: { 'x-a': '1' } },
      async (headers) => {
        sent = headers;
        return { statusCode: 201 };
      },
    ),
  );
  parent.end();
  assert.equal(result.statusCode, 201);
  assert.equal(sent['x-a'], '1');
  const m = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/.exec(sent.traceparent);
  assert.ok(m, 'traceparent injected');
  assert.equal(m[1], parent.spanContext().traceId);
  await telemetry.forceFlush();
  assert.ok(await waitFor(() => sink.spans.some((s) => s.name === 'POST')));
  const client = sink.spans.find((s) => s.name === 'POST');
  assert.ok(client);
  assert.equal(client.spanId, m[2], 'the injected parent is the client span');
  assert.equal(client.parentSpanId, parent.spanContext().spanId);
  assert.equal(client.attributes[ATTR.urlFull], 'http://127.0.0.1:9/v1/authorizations');
  assert.equal(client.attributes[ATTR.httpStatusCode], 201);
  const om = await telemetry.registry.metrics();
  assert.match(
    om,
    /http_client_request_duration_seconds_count\{http_request_method="POST",server_address="127.0.0.1:9",http_response_status_code="201"\} 1/,
  );
});

test('consumer span is linked to the producer span, not its child', async () => {
  const headers: Record<string, unknown> = {};
  withPublishSpan('orders.created', headers, () => undefined, { system: 'nats' });
  assert.ok(typeof headers.traceparent === 'string');
  const producerCtx = trace.getSpanContext(extractContext(headers));
  assert.ok(producerCtx);
  withConsumeSpan('orders.created', headers, () => undefined, { system: 'nats', messageId: 'm-1' });
  await telemetry.forceFlush();
  assert.ok(await waitFor(() => sink.spans.some((s) => s.name === 'process orders.created')));
  const producer = sink.spans.find((s) => s.name === 'publish orders.created');
  const consumer = sink.spans.find((s) => s.name === 'process orders.created');
  assert.ok(producer && consumer);
  assert.equal(producer.kind, 4);
  assert.equal(consumer.kind, 5);
  assert.equal(producer.spanId, producerCtx.spanId);
  assert.notEqual(consumer.traceId, producer.traceId, 'consumer starts its own trace');
  assert.deepEqual(consumer.links, [{ traceId: producer.traceId, spanId: producer.spanId }]);
  assert.equal(consumer.attributes[ATTR.messagingMessageId], 'm-1');
});

test('injectTraceHeaders / extractContext round-trip, garbage headers give the root context', () => {
  const span = telemetry.tracer.startSpan('x');
  const h = injectTraceHeaders({}, trace.setSpan(context.active(), span));
  span.end();
  assert.equal(trace.getSpanContext(extractContext(h))?.spanId, span.spanContext().spanId);
  assert.equal(trace.getSpanContext(extractContext({ traceparent: 'garbage' })), undefined);
  assert.equal(trace.getSpanContext(extractContext(undefined)), undefined);
});
