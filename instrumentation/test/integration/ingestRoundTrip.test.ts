// End to end through the real ingest: a Fastify app with startTelemetry serves N requests; exactly
// N server spans (with their db child spans) land in ClickHouse's otel_traces, the /metrics
// histogram counts N, its exemplars name traces that exist in otel_traces, and the exported logs
// carry the same trace ids.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { ATTR, METRICS, ROUTES, SERVICES } from '@marketbench/contracts';
import { type Ingest, openStore, type Store, startIngest } from '@marketbench/telemetry-store';
import Fastify from 'fastify';
import { startTelemetry, withDbSpan } from '../../src/index.ts';

interface SpanRow {
  TraceId: string;
  SpanId: string;
  ParentSpanId: string;
  SpanName: string;
  SpanKind: string;
  SpanAttributes: Record<string, string>;
  ResourceAttributes: Record<string, string>;
}

test('N requests -> N server spans in otel_traces, histogram count N, exemplars and logs share the trace ids', async () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'mb-instr-'));
  let store: Store | undefined;
  let ingest: Ingest | undefined;
  const serviceName = `${SERVICES.reference}-it`;
  try {
    store = await openStore({ home, owner: true });
    ingest = await startIngest({
      store,
      home,
      port: 0,
      flushIntervalMs: 100,
      publishOwner: false,
      log: () => {},
    });
    const telemetry = startTelemetry({
      serviceName,
      serviceVersion: '0.0.1-it',
      environment: 'test',
      otlpEndpoint: ingest.url,
      handleSignals: false,
      logLevel: 'info',
      logDestination: { write: () => {} },
      scheduledDelayMs: 100,
    });
    const app = Fastify();
    await app.register(telemetry.fastifyPlugin);
    app.get(ROUTES.listing, async (req) => {
      const id = (req.params as { id: string }).id;
      const row = withDbSpan(
        {
          system: 'sqlite',
          operation: 'SELECT',
          collection: 'listings',
          queryText: `SELECT id FROM listings WHERE id = ${Number(id)}`,
        },
        () => ({ id }),
      );
      telemetry.logger.info({ listing: id }, 'listing served');
      return row;
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;

    const N = 25;
    for (let i = 0; i < N; i++) {
      const res = await fetch(`${base}/listings/${i}`, { headers: { baggage: 'marketbench.run_id=it-run' } });
      assert.equal(res.status, 200);
      await res.text();
    }
    const om = await (
      await fetch(`${base}${ROUTES.metrics}`, { headers: { accept: 'application/openmetrics-text' } })
    ).text();
    await app.close();
    await telemetry.shutdown();
    assert.equal(telemetry.stats().spansDropped, 0);
    assert.equal(telemetry.stats().spansExported, 2 * N);
    await ingest.flush();

    const spans = await store.query<SpanRow>(
      'SELECT TraceId, SpanId, ParentSpanId, SpanName, SpanKind, SpanAttributes, ResourceAttributes FROM otel_traces WHERE ServiceName = {s:String}',
      { s: serviceName },
    );
    const server = spans.filter((s) => s.SpanKind === 'Server');
    assert.equal(server.length, N, 'exactly N server spans');
    for (const s of server) {
      assert.equal(s.SpanName, 'GET /listings/:id');
      assert.equal(s.ParentSpanId, '');
      assert.equal(s.SpanAttributes[ATTR.httpRoute], ROUTES.listing);
      assert.equal(s.SpanAttributes[ATTR.httpMethod], 'GET');
      assert.equal(s.SpanAttributes[ATTR.httpStatusCode], '200');
      assert.equal(s.SpanAttributes[ATTR.runId], 'it-run');
      assert.equal(s.ResourceAttributes[ATTR.serviceVersion], '0.0.1-it');
      assert.equal(s.ResourceAttributes[ATTR.deploymentEnvironment], 'test');
    }
    const db = spans.filter((s) => s.SpanName === 'SELECT listings');
    assert.equal(db.length, N);
    for (const d of db) {
      assert.equal(d.SpanKind, 'Client');
      assert.equal(d.SpanAttributes[ATTR.dbQueryText], 'SELECT id FROM listings WHERE id = ?');
      assert.ok(
        server.some((s) => s.SpanId === d.ParentSpanId && s.TraceId === d.TraceId),
        'db span is a child of a server span',
      );
    }
    const traceIds = new Set(server.map((s) => s.TraceId));
    assert.equal(traceIds.size, N);

    const count = new RegExp(
      `^${METRICS.httpServerDuration}_count\\{http_request_method="GET",http_route="${ROUTES.listing}",http_response_status_code="200"\\} (\\d+)$`,
      'm',
    ).exec(om);
    assert.equal(Number(count?.[1]), N, 'histogram count equals N');
    const exemplars = [
      ...om.matchAll(
        new RegExp(
          `^${METRICS.httpServerDuration}_bucket\\{[^}]*\\} \\d+ # \\{trace_id="([0-9a-f]{32})"\\}`,
          'gm',
        ),
      ),
    ].map((m) => m[1]);
    assert.ok(exemplars.length > 0, 'histogram buckets carry exemplars');
    for (const id of exemplars) assert.ok(traceIds.has(id), `exemplar trace ${id} exists in otel_traces`);

    const logs = await store.query<{ TraceId: string; SpanId: string; Body: string }>(
      'SELECT TraceId, SpanId, Body FROM otel_logs WHERE ServiceName = {s:String}',
      { s: serviceName },
    );
    assert.equal(logs.length, N);
    for (const l of logs) {
      assert.equal(l.Body, 'listing served');
      assert.ok(traceIds.has(l.TraceId), 'log trace id is a server span trace id');
      assert.ok(
        server.some((s) => s.SpanId === l.SpanId),
        'log span id is the server span (the handler runs in it)',
      );
    }
  } finally {
    await ingest?.close();
    await store?.close();
    fs.rmSync(home, { recursive: true, force: true });
  }
});
