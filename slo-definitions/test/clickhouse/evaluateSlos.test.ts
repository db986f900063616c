// Burn rates and alerts computed by ClickHouse (embedded chDB) over synthetic span and metric
// rows whose error ratios are known, at real and compressed time scales.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { METRICS, ROUTES } from '@marketbench/contracts';
import { openStore, type Store } from '@marketbench/telemetry-store';
import { evaluateSlos } from '../../src/clickhouse/evaluateSlos.ts';
import { formatStatus } from '../../src/clickhouse/formatStatus.ts';
import { loadSpecs } from '../../src/spec/loadSpecs.ts';
import { counterSample, gaugeSample, serverSpan } from './spanRows.ts';

const AT = Date.parse('2026-11-21T12:00:00Z');
const MIN = 60_000;
let store: Store;
let home: string;
const slos = loadSpecs();
const byId = (id: string) => slos.filter((s) => s.id === id);

before(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'mb-slo-eval-'));
  store = await openStore({ home });
  const spans = [];
  // Checkout, run "incident": 2 h of healthy traffic (1 request a minute, 4xx every 4th), then
  // 30 min where 1 in 2 checkouts fails with a 502. Error ratio excluding 4xx is known per window.
  for (let m = 150; m >= 1; m--) {
    const atMs = AT - m * MIN + 1000;
    const failing = m <= 30;
    spans.push(serverSpan({ atMs, route: ROUTES.checkout, status: 200, runId: 'incident' }));
    spans.push(
      serverSpan({ atMs: atMs + 1, route: ROUTES.checkout, status: failing ? 502 : 201, runId: 'incident' }),
    );
    if (m % 4 === 0)
      spans.push(serverSpan({ atMs: atMs + 2, route: ROUTES.checkout, status: 409, runId: 'incident' }));
    // Item pages of another run: every 10th over 300 ms.
    spans.push(
      serverSpan({
        atMs,
        route: ROUTES.listing,
        status: 200,
        durationMs: m % 10 === 0 ? 450 : 30,
        runId: 'other',
      }),
    );
  }
  await store.insert('otel_traces', spans);
  // PSP counter: success grows 10/min, error 1/min over the last hour.
  const samples = [];
  for (let m = 60; m >= 0; m--) {
    const atMs = AT - m * MIN;
    const k = 60 - m;
    samples.push(
      counterSample({
        atMs,
        startMs: AT - 60 * MIN,
        metric: METRICS.pspRequests,
        attributes: { operation: 'authorize', outcome: 'success' },
        value: 10 * k,
      }),
    );
    samples.push(
      counterSample({
        atMs,
        startMs: AT - 60 * MIN,
        metric: METRICS.pspRequests,
        attributes: { operation: 'authorize', outcome: 'error' },
        value: k,
      }),
    );
    samples.push(
      counterSample({
        atMs,
        startMs: AT - 60 * MIN,
        metric: METRICS.pspRequests,
        attributes: { operation: 'capture', outcome: 'error' },
        value: 100 * k,
      }),
    );
  }
  // A timeout series born 10 min ago with its first 5 timeouts already counted (a labelled counter
  // appears at its first increment), then 1/min: all 15 are in the 1h window, 4 in the last 5 min.
  for (let m = 10; m >= 0; m--) {
    samples.push(
      counterSample({
        atMs: AT - m * MIN,
        startMs: AT - 10 * MIN,
        metric: METRICS.pspRequests,
        attributes: { operation: 'authorize', outcome: 'timeout' },
        value: 5 + (10 - m),
      }),
    );
  }
  await store.insert('otel_metrics_sum', samples);
  // Ingest lag: 45 s (over the 30 s objective) in 1 sample out of 4.
  const lag = [];
  for (let m = 60; m >= 1; m--)
    lag.push(
      gaugeSample({ atMs: AT - m * MIN, metric: METRICS.ingestLagSeconds, value: m % 4 === 0 ? 45 : 2 }),
    );
  await store.insert('otel_metrics_gauge', lag);
});

after(async () => {
  await store?.close();
  fs.rmSync(home, { recursive: true, force: true });
});

const windowOf = (r: Awaited<ReturnType<typeof evaluateSlos>>, w: string) =>
  r.slos[0].windows.find((x) => x.window === w);

test('checkout success: 4xx excluded, 5xx counted, per window; the page fires on a 25x burn', async () => {
  const r = await evaluateSlos(store, { at: new Date(AT), slos: byId('reference-service-checkout-success') });
  // Last 5 min: 10 non-4xx checkouts, 5 failed. Last hour: 120, 30 failed. Last 6 h (all 150 min): 300, 30.
  assert.deepEqual([windowOf(r, '5m')?.bad, windowOf(r, '5m')?.total], [5, 10]);
  assert.deepEqual([windowOf(r, '1h')?.bad, windowOf(r, '1h')?.total], [30, 120]);
  assert.deepEqual([windowOf(r, '6h')?.bad, windowOf(r, '6h')?.total], [30, 300]);
  assert.equal(windowOf(r, '1h')?.burnRate, 25);
  const page = r.slos[0].alerts.find((a) => a.severity === 'page');
  assert.deepEqual(page?.firingPairs, ['14.4× 1h/5m', '6× 6h/30m']);
  assert.ok(Math.abs((r.slos[0].budgetRemaining ?? 0) - (1 - 10)) < 1e-9);
  const text = formatStatus(r);
  assert.match(text, /reference-service-checkout-success .* FIRING page \(14\.4× 1h\/5m, 6× 6h\/30m\)/);
});

test('before the incident nothing fires; at time scale 60 the 1h window covers one real minute', async () => {
  const early = await evaluateSlos(store, {
    at: new Date(AT - 40 * MIN),
    slos: byId('reference-service-checkout-success'),
  });
  assert.equal(
    early.slos[0].alerts.some((a) => a.firing),
    false,
  );
  assert.equal(windowOf(early, '1h')?.bad, 0);
  const scaled = await evaluateSlos(store, {
    at: new Date(AT),
    timeScale: 60,
    slos: byId('reference-service-checkout-success'),
  });
  assert.equal(windowOf(scaled, '1h')?.scaledSeconds, 60);
  assert.deepEqual([windowOf(scaled, '1h')?.bad, windowOf(scaled, '1h')?.total], [1, 2]);
  assert.match(formatStatus(scaled), /time scale 60 \(time-compressed/);
  assert.match(formatStatus(scaled), /\n {2}1h +60\.0s +2 +1 +50\.000% +50\.00×\n/);
});

test('--run filters spans by run id, and defaults "at" to the run end', async () => {
  const mine = await evaluateSlos(store, {
    runId: 'other',
    slos: byId('reference-service-checkout-success'),
  });
  assert.equal(windowOf(mine, '30d')?.total, 0);
  assert.equal(mine.slos[0].budgetRemaining, null);
  assert.equal(mine.at.getTime(), AT - MIN + 1000);
  const item = await evaluateSlos(store, { runId: 'other', slos: byId('reference-service-item-latency') });
  assert.deepEqual([windowOf(item, '30d')?.bad, windowOf(item, '30d')?.total], [15, 150]);
});

test('counter SLIs use the increase per series; gauge SLIs count samples over the maximum', async () => {
  const r = await evaluateSlos(store, {
    at: new Date(AT),
    slos: [...byId('reference-service-psp-authorization-success'), ...byId('ingest-freshness')],
  });
  const psp = r.slos[0].windows.find((w) => w.window === '1h');
  // The window is (at - 1h, at]: the sample exactly 1 h back is outside, so 59 minutes of increase
  // of the series that started then; the timeout series started inside it and counts from 0.
  assert.deepEqual([psp?.bad, psp?.total], [59 + 15, 649 + 15]);
  const psp5m = r.slos[0].windows.find((w) => w.window === '5m');
  assert.deepEqual([psp5m?.bad, psp5m?.total], [4 + 4, 40 + 8]);
  const fresh = r.slos[1].windows.find((w) => w.window === '1h');
  assert.deepEqual([fresh?.bad, fresh?.total], [14, 59]);
});
