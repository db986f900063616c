// The per-step decision rule on samples with known answers: a regression far beyond the tolerance
// fails however noisy the data; an interval inside the tolerance passes however wide; a wide interval
// that straddles the tolerance is inconclusive; thin data is inconclusive.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seededRandom } from '@marketbench/load-scenarios';
import { compareStep, DEFAULT_BASELINE_POLICY } from '../../src/gate/compareSteps.ts';

function lognormal(n: number, seed: number, medianMs: number, sigma: number, shiftMs = 0): number[] {
  const rnd = seededRandom(seed);
  return Array.from({ length: n }, () => {
    const z = Math.sqrt(-2 * Math.log(rnd() || 1e-12)) * Math.cos(2 * Math.PI * rnd());
    return medianMs * Math.exp(sigma * z) + shiftMs;
  });
}
const policy = { ...DEFAULT_BASELINE_POLICY, resamples: 400 };

test('a slowdown far beyond the tolerance fails even when the interval is wider than the tolerance', () => {
  const c = compareStep('s', lognormal(300, 1, 10, 1.0, 300), lognormal(300, 2, 10, 1.0), policy);
  assert.ok(c.diff.high - c.diff.low > c.toleranceMs, 'the interval is wide');
  assert.equal(c.verdict, 'fail', c.reason);
  assert.ok(c.cliffsDelta > 0.9);
});

test('an interval entirely within a generous tolerance passes however wide it is', () => {
  const c = compareStep('s', lognormal(300, 3, 10, 1.0), lognormal(300, 4, 10, 1.0), {
    ...policy,
    tolerance: 5,
  });
  assert.equal(c.verdict, 'pass', c.reason);
  assert.match(c.reason, /within tolerance/);
});

test('a wide interval straddling the tolerance is inconclusive; fewer than minSamples is inconclusive', () => {
  const noisy = compareStep('s', lognormal(300, 5, 10, 1.2), lognormal(300, 6, 10, 1.2), policy);
  assert.equal(noisy.verdict, 'inconclusive', noisy.reason);
  assert.match(noisy.reason, /noisy/);
  const thin = compareStep('s', lognormal(50, 7, 10, 0.2), lognormal(5000, 8, 10, 0.2), policy);
  assert.equal(thin.verdict, 'inconclusive');
  assert.match(thin.reason, /too few samples/);
});

test('the same narrow distribution passes; a 30% slowdown of a tight distribution fails', () => {
  assert.equal(
    compareStep('s', lognormal(3000, 9, 10, 0.2), lognormal(3000, 10, 10, 0.2), policy).verdict,
    'pass',
  );
  const slow = compareStep('s', lognormal(3000, 11, 13, 0.2), lognormal(3000, 12, 10, 0.2), policy);
  assert.equal(slow.verdict, 'fail', slow.reason);
  assert.ok(slow.p < 1e-6);
});
