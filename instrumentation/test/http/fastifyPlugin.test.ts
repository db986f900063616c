import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ATTR, METRICS, ROUTES } from '@marketbench/contracts';
import Fastify from 'fastify';
import { startTelemetry, withDbSpan } from '../../src/index.ts';
import type { Telemetry } from '../../src/types.ts';
import { OtlpSink, waitFor } from '../support/OtlpSink.ts';

let sink: OtlpSink;
let telemetry: Telemetry;

before(async () => {
  sink = await new OtlpSink().start();
  telemetry = startTelemetry({
    serviceName: 'fastify-test',
    serviceVersion: '1.2.3',
    environment: 'test',
    otlpEndpoint: sink.url,
    scheduledDelayMs: 50,
    handleSignals: false,
    logLevel: 'silent',
  });
});

after(async () => {
  await telemetry.shutdown();
  await sink.close();
});

test('a Fastify app gets one server span per request with route, status, parent links and exemplars', async () => {
  const app = Fastify();
  await app.register(telemetry.fastifyPlugin);
  app.get(ROUTES.listing, async (req) => {
    const id = (req.params as { id: string }).id;
    return withDbSpan(
      {
        system: 'sqlite',
        operation: 'SELECT',
        collection: 'listings',
        queryText: `SELECT * FROM listings WHERE id = '${id}' AND price > 100`,
      },
      () => ({ id }),
    );
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  const N = 7;
  const remoteTrace = '0af7651916cd43dd8448eb211c80319c';
  for (let i = 0; i < N; i++) {
    const headers: Record<string, string> =
      i === 0
        ? { traceparent: `00-${remoteTrace}-b7ad6b7169203331-01`, baggage: 'marketbench.run_id=run-42' }
        : {};
    const r = await fetch(`${base}/listings/${i}`, { headers });
    assert.equal(r.status, 200);
  }
  const metricsRes = await fetch(`${base}${ROUTES.metrics}`, {
    headers: { accept: 'application/openmetrics-text; version=1.0.0' },
  });
  const om = await metricsRes.text();
  await telemetry.forceFlush();
  assert.ok(await waitFor(() => sink.spans.length >= 2 * N));
  await app.close();

  const server = sink.spans.filter((s) => s.kind === 2);
  assert.equal(server.length, N);
  for (const s of server) {
    assert.equal(s.name, 'GET /listings/:id');
    assert.equal(s.attributes[ATTR.httpRoute], '/listings/:id');
    assert.equal(s.attributes[ATTR.httpStatusCode], 200);
    assert.equal(s.resource[ATTR.serviceName], 'fastify-test');
    assert.equal(s.resource[ATTR.serviceVersion], '1.2.3');
    assert.equal(s.resource[ATTR.deploymentEnvironment], 'test');
  }
  const first = server.find((s) => s.traceId === remoteTrace);
  assert.ok(first, 'server span continues the incoming trace');
  assert.equal(first.parentSpanId, 'b7ad6b7169203331');
  assert.equal(first.attributes[ATTR.runId], 'run-42');
  const db = sink.spans.filter((s) => s.name === 'SELECT listings');
  assert.equal(db.length, N);
  for (const d of db) {
    const parent = server.find((s) => s.spanId === d.parentSpanId);
    assert.ok(parent, 'db span is a child of its server span');
    assert.equal(d.attributes[ATTR.dbQueryText], 'SELECT * FROM listings WHERE id = ? AND price > ?');
  }
  assert.match(
    om,
    new RegExp(
      `${METRICS.httpServerDuration}_count\\{http_request_method="GET",http_route="/listings/:id",http_response_status_code="200"\\} ${N}`,
    ),
  );
  const exemplarIds = [...om.matchAll(/trace_id="([0-9a-f]{32})"/g)].map((m) => m[1]);
  assert.ok(exemplarIds.length > 0);
  for (const id of exemplarIds)
    assert.ok(
      server.some((s) => s.traceId === id),
      `exemplar ${id} names an exported trace`,
    );
  assert.match(sink.contentTypes[0], /protobuf/);
  assert.equal(telemetry.stats().spansDropped, 0);
});

test('the 5xx codes a route declares in its response schema are exposed at 0 before any request', async () => {
  const app = Fastify();
  await app.register(telemetry.fastifyPlugin);
  app.post(
    '/declared/checkout',
    { schema: { response: { 201: { type: 'object' }, 409: { type: 'object' }, 503: { type: 'object' } } } },
    async () => ({}),
  );
  app.get('/declared/plain', async () => ({}));
  await app.ready();
  const res = await app.inject({ method: 'GET', url: ROUTES.metrics });
  const text = res.body;
  await app.close();
  const count = (route: string, code: number) =>
    new RegExp(
      `^${METRICS.httpServerDuration}_count\\{http_request_method="POST",http_route="${route}",http_response_status_code="${code}"\\} 0$`,
      'm',
    );
  assert.match(text, count('/declared/checkout', 503));
  // Only server errors: 2xx and 4xx series come with the requests that produce them.
  assert.doesNotMatch(text, count('/declared/checkout', 201));
  assert.doesNotMatch(text, count('/declared/checkout', 409));
  assert.doesNotMatch(text, /http_route="\/declared\/plain"/);
});
