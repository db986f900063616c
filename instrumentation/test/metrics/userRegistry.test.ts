// A service that already has its own (Prometheus-format) prom-client registry passes it in: the
// RED metrics land there, every request is counted, nothing throws for lack of exemplar support.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { METRICS } from '@marketbench/contracts';
import Fastify from 'fastify';
import client from 'prom-client';
import { startTelemetry } from '../../src/index.ts';

test('a user-supplied Prometheus registry gets the histogram (without exemplars) and the in-flight gauge', async () => {
  const registry = new client.Registry();
  const telemetry = startTelemetry({
    serviceName: 'user-reg',
    registry,
    handleSignals: false,
    logLevel: 'silent',
    tracesEnabled: false,
    logsEnabled: false,
    runtimeMetrics: false,
  });
  const app = Fastify();
  await app.register(telemetry.fastifyPlugin);
  app.get('/slow', async () => {
    const gauge = await registry.getSingleMetricAsString(METRICS.httpServerActive);
    return { gauge };
  });
  try {
    const inFlight = (await app.inject({ url: '/slow' })).json<{ gauge: string }>().gauge;
    assert.match(
      inFlight,
      new RegExp(`${METRICS.httpServerActive}\\{http_request_method="GET",http_route="/slow"\\} 1`),
      'the request itself is in flight',
    );
    for (let i = 0; i < 4; i++) await app.inject({ url: '/slow' });
    const res = await app.inject({ url: '/metrics' });
    assert.match(res.headers['content-type'] as string, /^text\/plain; version=0.0.4/);
    assert.match(
      res.body,
      new RegExp(
        `${METRICS.httpServerDuration}_count\\{http_request_method="GET",http_route="/slow",http_response_status_code="200"\\} 5`,
      ),
    );
    assert.match(
      res.body,
      new RegExp(`${METRICS.httpServerActive}\\{http_request_method="GET",http_route="/slow"\\} 0`),
    );
    assert.doesNotMatch(res.body, /trace_id/);
  } finally {
    await app.close();
    await telemetry.shutdown();
  }
});
