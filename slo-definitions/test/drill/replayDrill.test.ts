// A drill replayed on chDB over synthetic server spans: a healthy run never pages; a run where
// half of the checkouts fail for 40 s (a 50x burn of a 99% SLO) pages within the scaled
// detection time after the burn onset and resets after the fault, at time scale 60 (1h → 60 s, 5m → 5 s).

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { ROUTES } from '@marketbench/contracts';
import { openStore, type Store } from '@marketbench/telemetry-store';
import { assertDrill, formatDrill, replayDrill } from '../../src/drill/replayDrill.ts';
import { loadSpecs } from '../../src/spec/loadSpecs.ts';
import { serverSpan } from '../clickhouse/spanRows.ts';

const T0 = Date.parse('2026-11-21T12:00:00Z');
const slo = loadSpecs().find((s) => s.id === 'reference-service-checkout-success')!;
let store: Store;
let home: string;

before(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'mb-slo-drill-'));
  store = await openStore({ home });
  const spans = [];
  // 10 checkouts a second for 150 s in both runs; in "incident" every second one fails with 502
  // from 60 s to 100 s.
  for (let ms = 0; ms < 150_000; ms += 100) {
    const faulty = ms >= 60_000 && ms < 100_000 && (ms / 100) % 2 === 1;
    spans.push(serverSpan({ atMs: T0 + ms, route: ROUTES.checkout, status: 201, runId: 'healthy' }));
    spans.push(
      serverSpan({ atMs: T0 + ms, route: ROUTES.checkout, status: faulty ? 502 : 201, runId: 'incident' }),
    );
  }
  await store.insert('otel_traces', spans);
});

after(async () => {
  await store?.close();
  fs.rmSync(home, { recursive: true, force: true });
});

const window = { from: new Date(T0 + 30_000), to: new Date(T0 + 150_000), timeScale: 60, stepMs: 2000 };

test('healthy run: no page', async () => {
  const r = await replayDrill(store, { slo, runId: 'healthy', ...window });
  assert.equal(r.paged, false);
  assert.doesNotThrow(() => assertDrill(r, { expectPage: false }));
});

test('incident run: pages within the scaled detection time, resets after the fault', async () => {
  const fault = { start: new Date(T0 + 60_000), end: new Date(T0 + 100_000) };
  const r = await replayDrill(store, { slo, runId: 'incident', fault, ...window }, 0.5);
  // The short window (5 s) first burns over 14.4x at the step 2 s into the fault. From there the
  // 1h/5m pair at 14.4x of a 1% budget, scaled to 60 s, with a 50% error ratio, needs
  // 60 × 0.144 / 0.5 = 17.3 s for the long window to cross.
  assert.equal(r.burnOnsetMs, 2000);
  assert.ok(Math.abs((r.expectedDetectionMs ?? 0) - (2000 + 17_280)) < 1);
  assert.ok(r.detectionMs !== null && r.detectionMs <= 2000 + 17_280 + 2000, formatDrill(r));
  assert.ok(r.resetMs !== null && r.resetMs <= 30_000, formatDrill(r));
  assert.ok((r.recall ?? 0) > 0.5 && (r.precision ?? 0) > 0.5, formatDrill(r));
  assert.doesNotThrow(() => assertDrill(r, { expectPage: true, slackMs: 2000 }));
  assert.match(
    formatDrill(r),
    /time scale 60: paged=true detection=\d+\.\ds \(burn onset 2\.0s, allowed 19\.3s\)/,
  );
});

test('a drill that never pages during a fault fails with MB_ERR_SLO_DRILL_FAILED', async () => {
  const fault = { start: new Date(T0 + 60_000), end: new Date(T0 + 100_000) };
  const r = await replayDrill(store, { slo, runId: 'healthy', fault, ...window }, 0.5);
  assert.throws(
    () => assertDrill(r, { expectPage: true }),
    (e: Error & { code: string }) => e.code === 'MB_ERR_SLO_DRILL_FAILED',
  );
});
