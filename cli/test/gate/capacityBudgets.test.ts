// Capacity budgets on stored USL figures in real chDB: the verdict reads the figure's bootstrap
// interval (pass within the limit, fail when the whole interval is beyond it, inconclusive when
// only the estimate is), relative limits need a baseline, a run with no fit fails, and a typo in
// spec.capacity is refused by the budgets schema.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { openStore, type Store } from '@marketbench/telemetry-store';
import {
  parseCapacityDetail,
  readCapacity,
  readCapacityFigures,
  storeCapacity,
} from '../../src/capacity/capacityStore.ts';
import type { CapacityResult } from '../../src/capacity/types.ts';
import { evaluateCapacityBudgets } from '../../src/gate/capacityBudgets.ts';
import { validateBudgets } from '../../src/gate/loadBudgets.ts';

let dir: string;
let store: Store;

function result(runId: string, lambda: number, band: [number, number], kappa = 0.001): CapacityResult {
  const params = { lambda, sigma: 0.05, kappa };
  return {
    runId,
    scenario: 'marketplace-day',
    loadModel: 'closed',
    startedAt: new Date(Date.UTC(2026, 10, 21, 12)).toISOString(),
    gitCommit: 'abc',
    target: 'http://127.0.0.1:8080',
    levels: [1, 2, 4],
    settleSeconds: 1,
    stepSeconds: 2,
    think: false,
    steps: [],
    objectives: [],
    knee: { load: null, throughput: null, p99Ms: null, brokenAt: null, summary: '' },
    usl: {
      fit: { ...params, r2: 0.99, residualStdError: 1, sse: 1, points: 3 },
      bootstrap: {
        resamples: 2,
        redrawn: 0,
        confidence: 0.95,
        lambda: { low: band[0], high: band[1] },
        sigma: { low: 0.04, high: 0.06 },
        kappa: { low: kappa / 2, high: kappa * 2 },
        r2: { low: 0.98, high: 1 },
        nStar:
          kappa > 0
            ? { low: 20, high: 40 }
            : { low: Number.POSITIVE_INFINITY, high: Number.POSITIVE_INFINITY },
        maxThroughput: { low: lambda * 5, high: lambda * 7 },
        draws: [params],
      },
      nStar: kappa > 0 ? Math.sqrt(0.95 / kappa) : Number.POSITIVE_INFINITY,
      maxThroughput: lambda * 6,
      points: [],
    },
    totals: { requests: 1, errors: 0, rowsLost: 0, spansDropped: 0 },
    loadAverage: [1, 1, 1],
    wallSeconds: 1,
  };
}

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mb-capgate-'));
  store = await openStore({ home: dir });
  await storeCapacity(store, result('r-cap', 100, [90, 110]));
  await storeCapacity(store, result('r-lin', 100, [90, 110], 0));
});
after(async () => {
  await store?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('absolute limits: pass within, fail when the whole interval is beyond, inconclusive when only the estimate is', async () => {
  const notes: string[] = [];
  const verdicts = async (rule: Record<string, number>) =>
    (await evaluateCapacityBudgets(store, 'r-cap', { lambda: rule }, undefined, notes)).map((r) => r.verdict);
  assert.deepEqual(await verdicts({ min: 95 }), ['pass']);
  assert.deepEqual(await verdicts({ min: 120 }), ['fail']);
  assert.deepEqual(await verdicts({ min: 105 }), ['inconclusive']);
  assert.deepEqual(await verdicts({ max: 80 }), ['fail']);
  assert.deepEqual(await verdicts({ max: 95 }), ['inconclusive']);
  const [r] = await evaluateCapacityBudgets(store, 'r-cap', { lambda: { min: 120 } }, undefined, notes);
  assert.equal(r.kind, 'capacity');
  assert.equal(r.observed, 100);
  assert.deepEqual(r.limit, { operator: '>=', value: 120 });
  assert.equal(r.observedText, '100.00 [90.00, 110.00]');
  assert.equal(r.limitText, '≥ 120.00');
});

test('relative limits read the baseline figure; without one they are a note, not a verdict', async () => {
  const base = await readCapacityFigures(store, 'r-cap');
  assert.ok(base);
  const higher = { ...base, max_throughput: { value: 1000, low: 950, high: 1050 } };
  const notes: string[] = [];
  const [drop] = await evaluateCapacityBudgets(
    store,
    'r-cap',
    { max_throughput: { maxDrop: 0.1 } },
    higher,
    notes,
  );
  // 600 [500, 700] against ≥ 900
  assert.equal(drop.verdict, 'fail');
  const [same] = await evaluateCapacityBudgets(
    store,
    'r-cap',
    { max_throughput: { maxDrop: 0.1 } },
    base,
    notes,
  );
  assert.equal(same.verdict, 'pass');
  const none = await evaluateCapacityBudgets(
    store,
    'r-cap',
    { max_throughput: { maxDrop: 0.1 } },
    undefined,
    notes,
  );
  assert.deepEqual(none, []);
  assert.match(notes.join('\n'), /capacity\.max_throughput\.maxDrop: not compared/);
});

test('a run without a capacity fit fails its capacity budgets; an unbounded N* round-trips', async () => {
  const [r] = await evaluateCapacityBudgets(store, 'r-none', { sigma: { max: 0.5 } }, undefined, []);
  assert.equal(r.verdict, 'fail');
  assert.match(r.detail, /not a capacity run/);
  const lin = await readCapacityFigures(store, 'r-lin');
  assert.equal(lin?.n_star.value, Number.POSITIVE_INFINITY);
  const back = await readCapacity(store, 'r-lin');
  assert.equal(back.usl?.nStar, Number.POSITIVE_INFINITY);
  assert.deepEqual(parseCapacityDetail(JSON.stringify({ a: 'Infinity' })), { a: Number.POSITIVE_INFINITY });
});

test('spec.capacity goes through the budgets schema: unknown figures and keys are refused', () => {
  const doc = (capacity: unknown) => ({ apiVersion: 'marketbench/v1', kind: 'Budgets', spec: { capacity } });
  const ok = validateBudgets(doc({ max_throughput: { maxDrop: 0.1 }, sigma: { max: 0.3 } }), 'b.yaml');
  assert.deepEqual(ok.spec.spec.capacity, { max_throughput: { maxDrop: 0.1 }, sigma: { max: 0.3 } });
  assert.throws(
    () => validateBudgets(doc({ max_thruput: { min: 1 } }), 'b.yaml'),
    /MB_ERR_BUDGET_INVALID|max_thruput/,
  );
  assert.throws(() => validateBudgets(doc({ sigma: { maximum: 1 } }), 'b.yaml'), /maximum/);
  assert.throws(() => validateBudgets(doc({ sigma: {} }), 'b.yaml'));
  assert.throws(() => validateBudgets(doc({ max_throughput: { maxDrop: 2 } }), 'b.yaml'));
});
