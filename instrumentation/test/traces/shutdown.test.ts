// Shutdown flushes what is queued within a bounded time, and SIGTERM does the same before the
// process exits with the signal.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startTelemetry } from '../../src/index.ts';
import { OtlpSink, waitFor } from '../support/OtlpSink.ts';

test('shutdown exports spans still queued (scheduled delay far in the future)', async () => {
  const sink = await new OtlpSink().start();
  const telemetry = startTelemetry({
    serviceName: 'flush',
    otlpEndpoint: sink.url,
    scheduledDelayMs: 60_000,
    handleSignals: false,
    logLevel: 'silent',
  });
  for (let i = 0; i < 25; i++) telemetry.tracer.startSpan(`s${i}`).end();
  assert.equal(sink.spans.length, 0, 'nothing exported before shutdown');
  await telemetry.shutdown();
  assert.equal(sink.spans.length, 25);
  assert.equal(telemetry.stats().spansDropped, 0);
  await sink.close();
});

test('shutdown is bounded when the endpoint never answers, and counts what it could not deliver', async () => {
  const sink = await new OtlpSink().start();
  sink.delayMs = 30_000;
  const telemetry = startTelemetry({
    serviceName: 'bounded',
    otlpEndpoint: sink.url,
    exportTimeoutMs: 500,
    handleSignals: false,
    logLevel: 'silent',
  });
  for (let i = 0; i < 5; i++) telemetry.tracer.startSpan(`s${i}`).end();
  const t0 = Date.now();
  await telemetry.shutdown();
  const took = Date.now() - t0;
  assert.ok(took < 5_000, `shutdown took ${took} ms`);
  await sink.close();
});

test('startTelemetry is idempotent until shutdown', async () => {
  const a = startTelemetry({
    serviceName: 'one',
    handleSignals: false,
    logLevel: 'silent',
    tracesEnabled: false,
    logsEnabled: false,
  });
  const b = startTelemetry({ serviceName: 'two', handleSignals: false, logLevel: 'silent' });
  assert.equal(a, b);
  assert.equal(a.registry, b.registry);
  await a.shutdown();
  const c = startTelemetry({
    serviceName: 'three',
    handleSignals: false,
    logLevel: 'silent',
    tracesEnabled: false,
    logsEnabled: false,
  });
  assert.notEqual(c, a);
  assert.equal(c.registry, a.registry, 'one registry per process');
  await c.shutdown();
});

test('SIGTERM flushes spans and the process still exits by the signal', async () => {
  const sink = await new OtlpSink().start();
  const child = spawn(
    process.execPath,
    [fileURLToPath(new URL('../support/sigtermChild.ts', import.meta.url))],
    {
      env: {
        ...process.env,
        OTEL_EXPORTER_OTLP_ENDPOINT: sink.url,
        OTEL_SERVICE_NAME: 'sigterm-child',
        OTEL_BSP_SCHEDULE_DELAY: '60000',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let out = '';
  child.stdout.on('data', (c: Buffer) => {
    out += c.toString();
  });
  assert.ok(await waitFor(() => out.includes('ready')), 'child started');
  child.kill('SIGTERM');
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  assert.equal(signal, 'SIGTERM');
  assert.equal(code, null);
  assert.equal(sink.spans.filter((s) => s.resource['service.name'] === 'sigterm-child').length, 10);
  await sink.close();
});
