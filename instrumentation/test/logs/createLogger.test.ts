// Log records carry the active span's ids, in the JSON lines and over OTLP logs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { context, trace } from '@opentelemetry/api';
import { startTelemetry } from '../../src/index.ts';
import { OtlpSink, waitFor } from '../support/OtlpSink.ts';

test('logs inside a span carry its trace_id/span_id on stdout and over OTLP', async () => {
  const sink = await new OtlpSink().start();
  const lines: string[] = [];
  const telemetry = startTelemetry({
    serviceName: 'logs-test',
    otlpEndpoint: sink.url,
    handleSignals: false,
    logLevel: 'info',
    logDestination: { write: (l: string) => void lines.push(l) },
  });
  try {
    const span = telemetry.tracer.startSpan('work');
    context.with(trace.setSpan(context.active(), span), () => {
      telemetry.logger.child({ order: 'o-1' }).info({ amount: 12 }, 'captured');
    });
    span.end();
    telemetry.logger.warn('outside');
    telemetry.logger.debug('below level: neither written nor exported');
    await telemetry.forceFlush();
    assert.ok(await waitFor(() => sink.logs.length >= 2));
    const sc = span.spanContext();
    const json = JSON.parse(lines[0]);
    assert.equal(json.trace_id, sc.traceId);
    assert.equal(json.span_id, sc.spanId);
    assert.equal(json.msg, 'captured');
    assert.equal(JSON.parse(lines[1]).trace_id, undefined);
    assert.equal(lines.length, 2);
    const exported = sink.logs.find((l) => l.body === 'captured');
    assert.ok(exported);
    assert.equal(exported.traceId, sc.traceId);
    assert.equal(exported.spanId, sc.spanId);
    assert.equal(exported.severityText, 'INFO');
    assert.equal(exported.attributes.order, 'o-1');
    assert.equal(exported.attributes.amount, 12);
    assert.equal(sink.logs.length, 2);
    assert.equal(telemetry.stats().logsExported, 2);
  } finally {
    await telemetry.shutdown();
    await sink.close();
  }
});
