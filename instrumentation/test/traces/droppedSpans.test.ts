// Every span the pipeline gives up on is counted and visible as otel_spans_dropped_total, and the
// host never sees an error: a dead endpoint, a slow endpoint with a small queue, an endpoint
// answering 500.

import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import { METRICS } from '@marketbench/contracts';
import { renderMetrics, startTelemetry } from '../../src/index.ts';
import { OtlpSink } from '../support/OtlpSink.ts';

async function deadPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

function droppedFromMetrics(text: string): number {
  let total = 0;
  for (const m of text.matchAll(new RegExp(`^${METRICS.spansDropped}\\{reason="[a-z_]+"\\} (\\d+)`, 'gm')))
    total += Number(m[1]);
  return total;
}

test('dead endpoint: all spans are counted as dropped, none thrown', async () => {
  const port = await deadPort();
  const telemetry = startTelemetry({
    serviceName: 'dead',
    otlpEndpoint: `http://127.0.0.1:${port}`,
    handleSignals: false,
    logLevel: 'silent',
    exportTimeoutMs: 2_000,
    scheduledDelayMs: 10,
    runtimeMetrics: false,
  });
  try {
    for (let i = 0; i < 50; i++) telemetry.tracer.startSpan(`s${i}`).end();
    await telemetry.forceFlush();
    const s = telemetry.stats();
    assert.equal(s.spansEnded, 50);
    assert.equal(s.spansExported, 0);
    assert.equal(s.spansDropped, 50);
    assert.equal(s.spansDroppedByReason.export_failed, 50);
    const { body } = await renderMetrics(telemetry.registry, undefined);
    assert.equal(droppedFromMetrics(body), 50);
  } finally {
    await telemetry.shutdown();
  }
});

test('slow endpoint and a small queue: spans beyond the queue are counted, the rest exported', async () => {
  const sink = await new OtlpSink().start();
  sink.delayMs = 300;
  const telemetry = startTelemetry({
    serviceName: 'slow',
    otlpEndpoint: sink.url,
    handleSignals: false,
    logLevel: 'silent',
    maxQueueSize: 100,
    maxExportBatchSize: 50,
    maxConcurrentExports: 1,
    scheduledDelayMs: 5_000,
    exportTimeoutMs: 5_000,
    runtimeMetrics: false,
  });
  try {
    // 1,000 spans in one synchronous burst: the queue holds 100, everything else must be counted.
    for (let i = 0; i < 1000; i++) telemetry.tracer.startSpan(`s${i}`).end();
    await telemetry.forceFlush();
    const s = telemetry.stats();
    assert.equal(s.spansEnded, 1000);
    assert.equal(s.spansExported + s.spansDropped, 1000, 'every span is either exported or counted');
    assert.equal(s.spansDroppedByReason.queue_full, 900);
    assert.equal(sink.spans.length, s.spansExported);
    const { body } = await renderMetrics(telemetry.registry, undefined);
    assert.equal(droppedFromMetrics(body), s.spansDropped);
  } finally {
    await telemetry.shutdown();
    await sink.close();
  }
});

test('endpoint answering 400: batches are counted as export_failed', async () => {
  const sink = await new OtlpSink().start();
  sink.status = 400; // not retryable, fails fast
  const telemetry = startTelemetry({
    serviceName: 'err',
    otlpEndpoint: sink.url,
    handleSignals: false,
    logLevel: 'silent',
    runtimeMetrics: false,
  });
  try {
    for (let i = 0; i < 10; i++) telemetry.tracer.startSpan(`s${i}`).end();
    await telemetry.forceFlush();
    assert.equal(telemetry.stats().spansDroppedByReason.export_failed, 10);
  } finally {
    await telemetry.shutdown();
    await sink.close();
  }
});
