// The service's own log records reach ClickHouse (otel_logs) with the trace id of the request
// that caused them and the deployment environment on the resource: a failed payment (warn), the
// PSP circuit breaker opening (error) and a fault being set (warn). The dashboards' "logs for a
// trace" panel reads exactly these rows.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { ATTR, SERVICES } from '@marketbench/contracts';
import { startTelemetry } from '@marketbench/instrumentation';
import { type Ingest, openStore, type Store, startIngest } from '@marketbench/telemetry-store';
import { serviceTelemetryOptions, startService } from '../../src/index.ts';
import { ADMIN_TOKEN, CARD } from '../helpers.ts';

interface LogRow {
  TraceId: string;
  SeverityText: string;
  Body: string;
  LogAttributes: Record<string, string>;
  env: string;
}

test('failed payments, breaker transitions and fault changes are log records in the trace', async () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'mb-refsvc-logs-'));
  let store: Store | undefined;
  let ingest: Ingest | undefined;
  const serviceName = `${SERVICES.reference}-logs-it`;
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
      ...serviceTelemetryOptions({ MARKETBENCH_ENVIRONMENT: 'drill' }),
      serviceName,
      otlpEndpoint: ingest.url,
      handleSignals: false,
      logLevel: 'warn',
      logDestination: new Writable({ write: (_c, _e, done) => done() }),
      scheduledDelayMs: 100,
    });
    const service = await startService({
      port: 0,
      sqlitePath: ':memory:',
      items: 300,
      adminToken: ADMIN_TOKEN,
      telemetry,
      pspLatencyMs: 0,
      payment: { maxAttempts: 1, breaker: { failureThreshold: 2, openMs: 60_000, halfOpenMaxCalls: 1 } },
    });
    const call = (method: string, url: string, body: unknown, headers: Record<string, string> = {}) =>
      fetch(service.url + url, {
        method,
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
    const faultTrace = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa01';
    const put = await call(
      'PUT',
      '/admin/faults',
      { faults: { psp: { outage: true } } },
      { authorization: `Bearer ${ADMIN_TOKEN}`, traceparent: `00-${faultTrace}-00000000000000a1-01` },
    );
    assert.equal(put.status, 200);
    const traces = ['aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa02', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa03'];
    for (const [i, traceId] of traces.entries()) {
      const cart = (await (await call('POST', '/carts', { buyerId: `log-buyer-${i}` })).json()) as {
        id: string;
      };
      assert.equal((await call('POST', `/carts/${cart.id}/items`, { listingId: 10 + i })).status, 200);
      const res = await call(
        'POST',
        '/checkout',
        { cartId: cart.id, payment: { card: CARD } },
        { 'idempotency-key': `log-checkout-${i}`, traceparent: `00-${traceId}-00000000000000b1-01` },
      );
      assert.equal(res.status, 503);
    }
    await service.close();
    await telemetry.shutdown();
    await ingest.flush();

    const rows = await store.query<LogRow>(
      "SELECT TraceId, SeverityText, Body, LogAttributes, ResourceAttributes['deployment.environment.name'] AS env FROM otel_logs WHERE ServiceName = {s:String} ORDER BY Timestamp",
      { s: serviceName },
    );
    const find = (traceId: string, body: RegExp) =>
      rows.find((r) => r.TraceId === traceId && body.test(r.Body));
    const fault = find(faultTrace, /fault injection set on psp/);
    assert.ok(fault, `fault log in ${JSON.stringify(rows.map((r) => [r.TraceId, r.Body]))}`);
    assert.equal(fault.SeverityText, 'WARN');
    for (const traceId of traces) {
      const failed = find(traceId, /payment failed/);
      assert.ok(failed, `payment failure logged in trace ${traceId}`);
      assert.equal(failed.SeverityText, 'WARN');
      assert.equal(failed.LogAttributes[ATTR.paymentOutcome], 'not_charged');
      assert.match(failed.LogAttributes[ATTR.orderId], /^[0-9a-f-]{36}$/);
    }
    const opened = find(traces[1], /circuit breaker opened/);
    assert.ok(opened, 'the checkout that tripped the breaker carries its log');
    assert.equal(opened.SeverityText, 'ERROR');
    assert.equal(opened.LogAttributes[ATTR.circuitState], 'open');
    assert.ok(
      rows.every((r) => r.env === 'drill'),
      'every record names its environment',
    );
    const spans = await store.query<{ env: string }>(
      "SELECT DISTINCT ResourceAttributes['deployment.environment.name'] AS env FROM otel_traces WHERE ServiceName = {s:String}",
      { s: serviceName },
    );
    assert.deepEqual(spans, [{ env: 'drill' }]);
  } finally {
    await ingest?.close();
    await store?.close();
    fs.rmSync(home, { recursive: true, force: true });
  }
});
