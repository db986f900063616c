import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seededRandom } from '@marketbench/load-scenarios';
import { bootstrapQuantileDiff } from '../../../src/gate/stats/bootstrap.ts';
import { quantile, quantileInPlace } from '../../../src/gate/stats/quantile.ts';

// Log-normal latencies around 10 ms, like a real step's.
function latencies(n: number, seed: number, shiftMs = 0): number[] {
  const rnd = seededRandom(seed);
  return Array.from({ length: n }, () => {
    const u1 = rnd() || 1e-12;
    const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * rnd());
    return Math.exp(Math.log(10) + 0.4 * z) + shiftMs;
  });
}

test('quantile interpolates like numpy.percentile', () => {
  const v = [3, 1, 4, 1, 5, 9, 2, 6];
  assert.equal(quantile(v, 0), 1);
  assert.equal(quantile(v, 0.25), 1.75);
  assert.equal(quantile(v, 0.5), 3.5);
  assert.ok(Math.abs(quantile(v, 0.95) - 7.95) < 1e-12);
  assert.equal(quantile(v, 1), 9);
  assert.ok(Number.isNaN(quantile([], 0.5)));
});

test('same distribution: the p95 difference interval contains 0', () => {
  const ci = bootstrapQuantileDiff(latencies(2000, 1), latencies(2000, 2), { resamples: 500 });
  assert.ok(ci.low < 0 && ci.high > 0, JSON.stringify(ci));
});

test('a 5 ms shift: the interval excludes 0 and contains 5', () => {
  const ci = bootstrapQuantileDiff(latencies(2000, 3, 5), latencies(2000, 4), { resamples: 500 });
  assert.ok(ci.low > 0, JSON.stringify(ci));
  assert.ok(ci.low < 5 && ci.high > 5, JSON.stringify(ci));
});

test('seeded: the same inputs give the same interval; fewer samples give a wider one', () => {
  const x = latencies(1000, 5);
  const y = latencies(1000, 6);
  assert.deepEqual(
    bootstrapQuantileDiff(x, y, { resamples: 300 }),
    bootstrapQuantileDiff(x, y, { resamples: 300 }),
  );
  const wide = bootstrapQuantileDiff(x.slice(0, 50), y.slice(0, 50), { resamples: 300 });
  const narrow = bootstrapQuantileDiff(x, y, { resamples: 300 });
  assert.ok(wide.high - wide.low > narrow.high - narrow.low);
});

test('linear-time quantile agrees with the sorted one on random, tied and sorted inputs', () => {
  const rnd = seededRandom(9);
  for (let trial = 0; trial < 200; trial++) {
    const n = 1 + Math.floor(rnd() * 300);
    const mode = trial % 3;
    const v = Float64Array.from({ length: n }, (_, i) =>
      mode === 0 ? rnd() * 100 : mode === 1 ? Math.floor(rnd() * 4) : i,
    );
    for (const q of [0, 0.5, 0.95, 0.99, 1]) {
      assert.equal(quantileInPlace(Float64Array.from(v), q), quantile(v, q), `n=${n} q=${q} mode=${mode}`);
    }
  }
});
