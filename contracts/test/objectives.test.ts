import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HTTP_DURATION_BUCKETS } from '../src/buckets.ts';
import { ROUTE_GROUPS } from '../src/names.ts';
import { errorRateThreshold, latencyThreshold, OBJECTIVES, objectiveForSlo } from '../src/objectives.ts';

test('the thresholds a scenario writes are the objectives, not a second number', () => {
  assert.equal(latencyThreshold(OBJECTIVES.itemLatency), 'p(99)<250');
  assert.equal(latencyThreshold(OBJECTIVES.checkoutLatency), 'p(99)<1000');
  assert.equal(errorRateThreshold(OBJECTIVES.browseAvailability), 'rate<0.001');
  assert.equal(errorRateThreshold(OBJECTIVES.checkoutSuccess), 'rate<0.01');
});

test('every latency objective is a bucket bound, every route group exists, every SLO name is unique', () => {
  const slos = new Set<string>();
  for (const o of Object.values(OBJECTIVES)) {
    assert.ok(o.routeGroup in ROUTE_GROUPS, o.slo);
    assert.ok(o.target > 0 && o.target < 1, o.slo);
    if (o.kind === 'latency') assert.ok(HTTP_DURATION_BUCKETS.includes(o.thresholdMs / 1000), o.slo);
    assert.ok(!slos.has(o.slo), o.slo);
    slos.add(o.slo);
    assert.equal(objectiveForSlo(o.slo), o);
  }
  assert.equal(objectiveForSlo('checkout-availability'), undefined);
});

test('the buckets cannot be changed by a caller', () => {
  assert.throws(() => (HTTP_DURATION_BUCKETS as number[]).push(20), TypeError);
});
