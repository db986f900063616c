import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { newLiveCounters } from '../../src/runner/EngineContext.ts';
import { RunSampler } from '../../src/runner/RunSampler.ts';

test('a second sample: rates from counter deltas, p99 of the second and of the run so far', async () => {
  const live = newLiveCounters();
  const sampler = new RunSampler(() => [live], performance.now());
  for (let i = 1; i <= 100; i++) live.interval.recordValue(i * 1000); // 1..100 ms
  live.requests = 100;
  live.iterationsStarted = 50;
  live.dropped = 3;
  live.targetRate.set('main', 60);
  await sleep(200);
  const first = sampler.sample();
  assert.ok(first);
  assert.ok(Math.abs(first.p99Ms - 99) < 1.5, `p99 ${first.p99Ms}`);
  assert.equal(first.droppedIterations, 3);
  assert.equal(first.targetRate, 60);
  assert.ok(first.requestRate > 300 && first.requestRate <= 500, `rate ${first.requestRate}`);
  // The next second is fast; the run's p99 still remembers the slow one.
  for (let i = 0; i < 100; i++) live.interval.recordValue(1000);
  await sleep(200);
  const second = sampler.sample();
  assert.ok(second);
  assert.ok(second.p99Ms <= 1.01, `p99 ${second.p99Ms}`);
  assert.ok(second.p99SoFarMs > 90, `p99 so far ${second.p99SoFarMs}`);
  assert.equal(second.droppedIterations, 0);
  assert.equal(second.requestRate, 0);
  // A final sample under half a second is dropped: its rate would be noise.
  assert.equal(sampler.sample(true), undefined);
});
