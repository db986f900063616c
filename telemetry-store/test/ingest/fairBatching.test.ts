// Every table gets its turn: while spans flow faster than they are inserted (the traces table is
// always due), a gauge point and a log record are queryable within the documented latency bound:
// flushIntervalMs, plus the insert running when their deadline comes, plus their own inserts.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Agent, request } from 'undici';
import { requestCodec } from '../../src/ingest/otlpCodec.ts';
import type { Store } from '../../src/types.ts';
import { type Fixture, startFixture } from './ingestFixture.ts';

const FLUSH_MS = 500;
const BATCH_ROWS = 2000;

let base: Fixture;
let fx: Fixture;
let inner: Store;
const insertMs: Record<string, number> = {};

before(async () => {
  base = await startFixture();
  await base.ingest.close();
  inner = base.store;
  // The real store, with each insert timed: the bound depends on how long one insert takes here.
  const timedInsert: Store['insertJsonEachRow'] = async (table, body) => {
    const t0 = performance.now();
    try {
      return await inner.insertJsonEachRow(table, body);
    } finally {
      insertMs[table] = Math.max(insertMs[table] ?? 0, performance.now() - t0);
    }
  };
  const timed = new Proxy(inner, {
    get(target, prop) {
      if (prop === 'insertJsonEachRow') return timedInsert;
      const v = Reflect.get(target, prop, target);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
  fx = await startFixture({
    store: timed,
    batchRows: BATCH_ROWS,
    flushIntervalMs: FLUSH_MS,
    fsync: 'never',
  });
});
after(async () => {
  await fx?.close();
  await base?.close();
});

function spans(batch: number, n: number): Uint8Array {
  const codec = requestCodec('traces');
  return codec
    .encode(
      codec.fromObject({
        resourceSpans: [
          {
            resource: { attributes: [{ key: 'service.name', value: { stringValue: 'fair-spans' } }] },
            scopeSpans: [
              {
                spans: Array.from({ length: n }, (_, i) => ({
                  traceId: Buffer.alloc(16, (batch % 250) + 1),
                  spanId: Buffer.from([1, 2, 3, 4, batch >> 8, batch & 255, i >> 8, i & 255]),
                  name: 'GET /listings/:id',
                  kind: 2,
                  startTimeUnixNano: String(1795255200000000000n + BigInt(batch * n + i)),
                  endTimeUnixNano: String(1795255200001000000n + BigInt(batch * n + i)),
                  attributes: [{ key: 'http.route', value: { stringValue: '/listings/:id' } }],
                })),
              },
            ],
          },
        ],
      }),
    )
    .finish();
}

async function queryableAfter(sql: string, t0: number, deadline: number): Promise<number> {
  for (;;) {
    const [{ n }] = await inner.query<{ n: string }>(sql);
    if (Number(n) > 0) return performance.now() - t0;
    if (performance.now() > deadline) return Number.POSITIVE_INFINITY;
    await new Promise((r) => setTimeout(r, 25));
  }
}

test('a gauge point and a log record land within the batch latency bound while spans keep flowing', {
  timeout: 120_000,
}, async (t) => {
  const agent = new Agent({ connections: 4 });
  let stop = false;
  let batch = 0;
  const statuses: Record<number, number> = {};
  const sender = async () => {
    while (!stop) {
      const res = await request(`${fx.ingest.url}/v1/traces`, {
        method: 'POST',
        body: spans(batch++, 500),
        headers: { 'content-type': 'application/x-protobuf' },
        dispatcher: agent,
      });
      await res.body.dump();
      statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
      if (res.statusCode === 429) await new Promise((r) => setTimeout(r, 20));
    }
  };
  const senders = Array.from({ length: 4 }, sender);
  try {
    // Let the span queue build up to a backlog: the traces table is due on every pick from now on.
    for (let i = 0; i < 400 && fx.ingest.stats().queuedRows < 4 * BATCH_ROWS; i++)
      await new Promise((r) => setTimeout(r, 25));
    const backlog = fx.ingest.stats().queuedRows;
    const gauge = await fetch(`${fx.ingest.url}/v1/metrics`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        resourceMetrics: [
          {
            resource: { attributes: [{ key: 'service.name', value: { stringValue: 'fair-metric' } }] },
            scopeMetrics: [
              {
                metrics: [
                  {
                    name: 'fair.gauge',
                    gauge: { dataPoints: [{ asDouble: 1, timeUnixNano: '1795255200000000000' }] },
                  },
                ],
              },
            ],
          },
        ],
      }),
    });
    // Latencies count from the answer: the row was accepted just before it was written.
    const t0 = performance.now();
    assert.equal(gauge.status, 200, await gauge.text());
    const log = await fetch(`${fx.ingest.url}/v1/logs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        resourceLogs: [
          {
            resource: { attributes: [{ key: 'service.name', value: { stringValue: 'fair-log' } }] },
            scopeLogs: [
              { logRecords: [{ body: { stringValue: 'fair' }, timeUnixNano: '1795255200000000000' }] },
            ],
          },
        ],
      }),
    });
    const t1 = performance.now();
    assert.equal(log.status, 200, await log.text());
    const deadline = t0 + 30_000;
    const [gaugeMs, logMs] = await Promise.all([
      queryableAfter(
        "SELECT count() AS n FROM otel_metrics_gauge WHERE ServiceName = 'fair-metric'",
        t0,
        deadline,
      ),
      queryableAfter("SELECT count() AS n FROM otel_logs WHERE ServiceName = 'fair-log'", t1, deadline),
    ]);
    const spansStillFlowing = !stop;
    const spanInsertMs = insertMs.otel_traces ?? 0;
    // flushIntervalMs, the span insert running at the deadline, a span insert that became due
    // before it, then the two small inserts; 250 ms of polling and timers.
    const bound =
      FLUSH_MS + 2 * spanInsertMs + (insertMs.otel_metrics_gauge ?? 0) + (insertMs.otel_logs ?? 0) + 250;
    t.diagnostic(
      `backlog ${backlog} span rows; gauge after ${gaugeMs.toFixed(0)} ms, log after ${logMs.toFixed(0)} ms; ` +
        `bound ${bound.toFixed(0)} ms (longest span insert ${spanInsertMs.toFixed(0)} ms); responses ${JSON.stringify(statuses)}`,
    );
    assert.ok(spansStillFlowing);
    assert.ok(
      gaugeMs <= bound,
      `the gauge point took ${gaugeMs.toFixed(0)} ms, over the bound ${bound.toFixed(0)} ms`,
    );
    assert.ok(
      logMs <= bound,
      `the log record took ${logMs.toFixed(0)} ms, over the bound ${bound.toFixed(0)} ms`,
    );
    // And the spans were not starved in turn: they kept being inserted meanwhile.
    assert.ok(fx.ingest.stats().rows.traces.inserted > 0);
  } finally {
    stop = true;
    await Promise.all(senders);
    await agent.close();
  }
  await fx.ingest.flush();
  const s = fx.ingest.stats();
  assert.equal(s.rows.traces.inserted, s.rows.traces.received);
  assert.equal(s.rows.traces.dropped + s.rows.metrics.dropped + s.rows.logs.dropped, 0);
});
