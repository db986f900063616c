// OTEL_SDK_DISABLED: no spans or logs leave the process, requests are still served and measured,
// and nothing tries to reach an endpoint.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { METRICS } from '@marketbench/contracts';
import Fastify from 'fastify';
import { startTelemetry, withDbSpan } from '../src/index.ts';
import { OtlpSink } from './support/OtlpSink.ts';

test('OTEL_SDK_DISABLED=true keeps metrics, exports nothing', async () => {
  const sink = await new OtlpSink().start();
  process.env.OTEL_SDK_DISABLED = 'true';
  const telemetry = startTelemetry({
    serviceName: 'off',
    otlpEndpoint: sink.url,
    handleSignals: false,
    logLevel: 'silent',
  });
  delete process.env.OTEL_SDK_DISABLED;
  const app = Fastify();
  await app.register(telemetry.fastifyPlugin);
  app.get('/x', async () => withDbSpan({ system: 'sqlite', operation: 'SELECT' }, () => ({ ok: true })));
  try {
    assert.equal(telemetry.options.disabled, true);
    for (let i = 0; i < 3; i++) assert.equal((await app.inject({ url: '/x' })).statusCode, 200);
    telemetry.logger.info('not exported');
    await telemetry.forceFlush();
    const res = await app.inject({ url: '/metrics' });
    assert.match(
      res.body,
      new RegExp(
        `${METRICS.httpServerDuration}_count\\{http_request_method="GET",http_route="/x",http_response_status_code="200"\\} 3`,
      ),
    );
    assert.equal(sink.bodies.length, 0);
    assert.equal(telemetry.stats().spansStarted, 0);
  } finally {
    await app.close();
    await telemetry.shutdown();
    await sink.close();
  }
});
