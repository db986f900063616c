// End to end through the real OTLP ingest into ClickHouse (embedded chDB): one checkout whose
// first PSP attempt fails leaves one trace shaped
//   POST /checkout (server)
//     ├─ DB spans (client, db.system.name=sqlite)
//     ├─ POST  → PSP (client, 503)   ┐ retries: psp.attempt ×2 and psp.retry events on the server span
//     │    └─ POST /v1/authorizations (server, service marketbench-psp-simulator)
//     ├─ POST  → PSP (client, 201)   ┘
//     │    └─ POST /v1/authorizations (server, service marketbench-psp-simulator)
//     └─ publish order.paid (producer, sent by the relay later: also linked to the server span)
//          └─ process order.paid (consumer, linked to the producer span)
// with the failed attempt's spans in Error status (semantic conventions), and every child's
// interval inside its parent's (one clock), except linked (follows-from) children.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { ATTR, SERVICES, SPAN_EVENTS } from '@marketbench/contracts';
import { startTelemetry } from '@marketbench/instrumentation';
import { type Ingest, openStore, type Store, startIngest } from '@marketbench/telemetry-store';
import { startService } from '../../src/index.ts';
import { CARD } from '../helpers.ts';

interface SpanRow {
  TraceId: string;
  SpanId: string;
  ParentSpanId: string;
  SpanName: string;
  SpanKind: string;
  SpanAttributes: Record<string, string>;
  StatusCode: string;
  StatusMessage: string;
  startNs: string;
  Duration: string;
  'Events.Name': string[];
  'Links.SpanId': string[];
}

/** Children (by ParentSpanId) not inside their parent's interval; children linked to their parent are exempt. */
function childrenOutsideParents(spans: SpanRow[]): string[] {
  const byId = new Map(spans.map((s) => [s.SpanId, s]));
  const outside: string[] = [];
  for (const s of spans) {
    const parent = byId.get(s.ParentSpanId);
    if (!parent || s['Links.SpanId'].includes(parent.SpanId)) continue;
    const start = BigInt(s.startNs);
    const pStart = BigInt(parent.startNs);
    if (start < pStart || start + BigInt(s.Duration) > pStart + BigInt(parent.Duration))
      outside.push(`${s.SpanName} outside ${parent.SpanName}`);
  }
  return outside;
}

test('a checkout with a PSP retry is one trace: server → DB → PSP client spans → publish → linked consumer', async () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'mb-refsvc-trace-'));
  let store: Store | undefined;
  let ingest: Ingest | undefined;
  const serviceName = `${SERVICES.reference}-trace-it`;
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
      otlpEndpoint: ingest.url,
      handleSignals: false,
      logLevel: 'silent',
      scheduledDelayMs: 100,
    });
    const service = await startService({
      port: 0,
      sqlitePath: ':memory:',
      items: 300,
      telemetry,
      pspLatencyMs: 0,
      outboxPollMs: 20,
      // Housekeeping runs often during the test: the sweeper every second, the relister every 200 ms.
      reservationTtlMs: 4_000,
      relistAfterMs: 200,
      payment: { backoffBaseMs: 1, backoffCapMs: 5 },
    });
    // The first PSP attempt meets an injected error; the retry goes through.
    const faults = service.services.faults;
    let pspCalls = 0;
    const decide = faults.decide.bind(faults);
    faults.set({ psp: { errorPercent: 100 } });
    faults.decide = (dep) => (dep === 'psp' && pspCalls++ > 0 ? undefined : decide(dep));

    const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
      fetch(service.url + url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
    const cart = (await (await post('/carts', { buyerId: 'trace-buyer' })).json()) as { id: string };
    assert.equal((await post(`/carts/${cart.id}/items`, { listingId: 7 })).status, 200);
    const traceId = '5b8aa5a2d2c872e8321cf37308d69df2';
    const res = await post(
      '/checkout',
      { cartId: cart.id, payment: { card: CARD } },
      {
        'idempotency-key': 'trace-checkout-1',
        traceparent: `00-${traceId}-051581bf3cb55c13-01`,
      },
    );
    assert.equal(res.status, 201, await res.clone().text());
    // A validation error (the handler never runs) still names the request's trace.
    const bad = await fetch(`${service.url}/listings/abc`);
    assert.equal(bad.status, 400);
    const problemTraceId = ((await bad.json()) as { traceId: string }).traceId;
    assert.match(problemTraceId, /^[0-9a-f]{32}$/);
    await service.relay.drain();
    await new Promise((resolve) => setTimeout(resolve, 100));
    await service.close();
    await telemetry.shutdown();
    assert.equal(telemetry.stats().spansDropped, 0);
    await ingest.flush();

    const spans = await store.query<SpanRow>(
      `SELECT TraceId, SpanId, ParentSpanId, SpanName, SpanKind, SpanAttributes, StatusCode, StatusMessage,
              toString(toUnixTimestamp64Nano(Timestamp)) AS startNs, toString(Duration) AS Duration, Events.Name, Links.SpanId
         FROM otel_traces WHERE ServiceName IN ({s:String}, {p:String}) AND TraceId = {t:String}`,
      { s: serviceName, p: SERVICES.psp, t: traceId },
    );
    const byId = new Map(spans.map((s) => [s.SpanId, s]));
    const server = spans.find((s) => s.SpanKind === 'Server' && s.SpanName === 'POST /checkout');
    assert.ok(server, `server span in ${spans.map((s) => s.SpanName).join(', ')}`);
    assert.equal(server.ParentSpanId, '051581bf3cb55c13', 'continues the caller trace');
    assert.equal(server.SpanAttributes[ATTR.paymentOutcome], 'approved');
    assert.equal(server.SpanAttributes[ATTR.paymentAttempt], '2');
    assert.ok(server.SpanAttributes[ATTR.orderId]);
    const events = server['Events.Name'];
    assert.equal(events.filter((e) => e === SPAN_EVENTS.pspAttempt).length, 2);
    assert.equal(events.filter((e) => e === SPAN_EVENTS.pspRetry).length, 1);

    const db = spans.filter(
      (s) =>
        s.SpanKind === 'Client' &&
        s.SpanAttributes[ATTR.dbSystem] === 'sqlite' &&
        s.ParentSpanId === server.SpanId,
    );
    assert.ok(db.length >= 2, 'begin and complete checkout transactions');
    const psp = spans
      .filter(
        (s) =>
          s.SpanKind === 'Client' && (s.SpanAttributes[ATTR.urlFull] ?? '').endsWith('/v1/authorizations'),
      )
      .sort(
        (a, b) =>
          Number(a.SpanAttributes[ATTR.paymentAttempt]) - Number(b.SpanAttributes[ATTR.paymentAttempt]),
      );
    assert.equal(psp.length, 2, 'one client span per attempt');
    assert.ok(psp.every((s) => s.ParentSpanId === server.SpanId));
    assert.deepEqual(
      psp.map((s) => s.SpanAttributes[ATTR.httpStatusCode]),
      ['503', '201'],
    );
    // What a trace viewer shows: the failed attempt in Error with why, the good one unset.
    assert.deepEqual(
      psp.map((s) => [s.StatusCode, s.StatusMessage, s.SpanAttributes[ATTR.errorType] ?? '']),
      [
        ['Error', 'HTTP 503', '503'],
        ['Unset', '', ''],
      ],
    );
    assert.equal(
      psp[0].SpanAttributes[ATTR.faultInjected],
      'true',
      'the injected fault is visible on the span',
    );
    assert.equal(psp[0].SpanAttributes[ATTR.faultDependency], 'psp');
    // The PSP simulator answers as its own service: one server span per attempt, child of the
    // gateway's client span, the injected fault on the failed one.
    const pspServer = await store.query<{
      ParentSpanId: string;
      SpanName: string;
      code: string;
      fault: string;
      StatusCode: string;
      StatusMessage: string;
    }>(
      "SELECT ParentSpanId, SpanName, SpanAttributes['http.response.status_code'] AS code, SpanAttributes['marketbench.fault.kind'] AS fault, StatusCode, StatusMessage FROM otel_traces WHERE ServiceName = {p:String} AND TraceId = {t:String} AND SpanKind = 'Server' ORDER BY Timestamp",
      { p: SERVICES.psp, t: traceId },
    );
    assert.deepEqual(
      pspServer.map((s) => [s.SpanName, s.code, s.fault, s.StatusCode, s.StatusMessage]),
      [
        ['POST /v1/authorizations', '503', 'error', 'Error', 'HTTP 503'],
        ['POST /v1/authorizations', '201', '', 'Unset', ''],
      ],
    );
    assert.deepEqual(
      pspServer.map((s) => s.ParentSpanId),
      psp.map((s) => s.SpanId),
    );

    const publish = spans.find((s) => s.SpanKind === 'Producer' && s.SpanName === 'publish order.paid');
    assert.ok(publish, 'producer span in the checkout trace');
    assert.equal(publish.ParentSpanId, server.SpanId);
    assert.deepEqual(publish['Links.SpanId'], [server.SpanId], 'sent later: a linked (follows-from) child');
    const consumer = spans.find((s) => s.SpanKind === 'Consumer' && s.SpanName === 'process order.paid');
    assert.ok(consumer, 'consumer span in the checkout trace');
    assert.equal(consumer.ParentSpanId, publish.SpanId);
    assert.deepEqual(consumer['Links.SpanId'], [publish.SpanId], 'consumer linked to the producer span');
    const sale = spans.find(
      (s) => s.ParentSpanId === consumer.SpanId && s.SpanAttributes[ATTR.dbCollection] === 'sellers',
    );
    assert.ok(sale, 'the consumer wrote the sales projection');
    for (const s of spans)
      if (s !== server) assert.ok(byId.has(s.ParentSpanId), `${s.SpanName} hangs off the trace`);
    // One clock: every parent/child pair of the trace (the PSP's spans included), links exempt.
    const pairs = spans.filter((s) => byId.has(s.ParentSpanId)).length;
    assert.ok(pairs >= 8, `${pairs} parent/child pairs`);
    assert.deepEqual(childrenOutsideParents(spans), []);

    const badSpan = await store.query<{ SpanName: string; code: string }>(
      "SELECT SpanName, SpanAttributes['http.response.status_code'] AS code FROM otel_traces WHERE ServiceName = {s:String} AND TraceId = {t:String} AND SpanKind = 'Server'",
      { s: serviceName, t: problemTraceId },
    );
    assert.deepEqual(
      badSpan,
      [{ SpanName: 'GET /listings/:id', code: '400' }],
      'the problem traceId is the server span trace',
    );

    const roots = await store.query<{ SpanName: string; SpanKind: string }>(
      "SELECT SpanName, SpanKind FROM otel_traces WHERE ServiceName = {s:String} AND ParentSpanId = '' AND SpanKind != 'Server'",
      { s: serviceName },
    );
    assert.deepEqual(
      roots,
      [],
      'outbox polls, reservation sweeps and relisting create no traces of their own',
    );
  } finally {
    await ingest?.close();
    await store?.close();
    fs.rmSync(home, { recursive: true, force: true });
  }
});
