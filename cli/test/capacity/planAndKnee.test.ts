// The pure parts of `marketbench capacity`: step levels and the stepped scenario, the knee under
// objectives, the day's shape of marketplace-day (checked against a trapezoid integral of its
// own stages), and the plan's arithmetic.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadScenario, type RampingArrivalRate, validateScenario } from '@marketbench/load-scenarios';
import { findKnee, objectivesFromSpecs, p99Objective } from '../../src/capacity/knee.ts';
import { routeRegex } from '../../src/capacity/measureSteps.ts';
import { dayShape, parseDayVolume, planReplicas } from '../../src/capacity/planReplicas.ts';
import { stepExecutor, stepLevels, steppedScenario } from '../../src/capacity/steppedScenario.ts';
import type { CapacityModel, CapacityStep } from '../../src/capacity/types.ts';
import { uslThroughput } from '../../src/capacity/usl.ts';

function step(i: number, load: number, x: number, p99: number): CapacityStep {
  return {
    step: i,
    load,
    measuredFrom: '',
    measuredTo: '',
    seconds: 30,
    requests: Math.round(x * 30),
    answered: Math.round(x * 30),
    errors: 0,
    throughput: x,
    p50Ms: p99 / 5,
    p95Ms: p99 / 2,
    p99Ms: p99,
    inFlightClient: load,
    inFlightServer: load / 2,
    serverSpans: Math.round(x * 30),
    serviceCpu: 0.5,
    generatorCpu: 10,
    droppedIterations: 0,
    objectives: [{ slo: 'p99', value: p99, requests: Math.round(x * 30) }],
  };
}

test('step levels: geometric whole VUs for the closed model, linear rates for the open one, strictly ascending', () => {
  assert.deepEqual(stepLevels('closed', 6, 1, 64), [1, 2, 5, 12, 28, 64]);
  assert.deepEqual(stepLevels('closed', 4, 1, 2), [1, 2, 3, 4]);
  assert.deepEqual(stepLevels('open', 4, 100, 400), [100, 200, 300, 400]);
});

test('the stepped scenario keeps the journeys and feeders, drops think times, and validates', async () => {
  const src = (await loadScenario('marketplace-day')).definition;
  const def = steppedScenario(src, {
    levels: [1, 4, 16],
    model: 'closed',
    settleMs: 2000,
    measureMs: 5000,
    think: false,
  });
  validateScenario(def);
  assert.deepEqual(Object.keys(def.options.scenarios), [stepExecutor(0), stepExecutor(1), stepExecutor(2)]);
  assert.deepEqual(
    Object.values(def.options.scenarios).map((e) => [e.executor, e.startTime, (e as { vus: number }).vus]),
    [
      ['constant-vus', '0ms', 1],
      ['constant-vus', '7s', 4],
      ['constant-vus', '14s', 16],
    ],
  );
  assert.deepEqual(Object.keys(def.journeys), Object.keys(src.journeys));
  assert.ok(Object.values(def.journeys).every((j) => j.steps.every((s) => s.think === undefined)));
  assert.ok(Object.values(src.journeys).some((j) => j.steps.some((s) => s.think !== undefined)));
  assert.deepEqual(def.feeders, src.feeders);
  assert.equal(def.options.thresholds, undefined);
  const open = steppedScenario(src, {
    levels: [100, 200],
    model: 'open',
    settleMs: 1000,
    measureMs: 2000,
    think: true,
  });
  validateScenario(open);
  assert.equal(open.options.scenarios[stepExecutor(1)].executor, 'constant-arrival-rate');
  assert.deepEqual(open.journeys, src.journeys);
});

test('the knee is the last step before the first broken objective', () => {
  const o = [p99Objective(250)];
  const steps = [step(1, 1, 100, 20), step(2, 4, 380, 90), step(3, 16, 500, 400), step(4, 64, 510, 100)];
  const k = findKnee(steps, o, 'VUs');
  assert.equal(k.load, 4);
  assert.equal(k.throughput, 380);
  assert.deepEqual(k.brokenAt, { step: 3, load: 16, slo: o[0].name, valueMs: 400, thresholdMs: 250 });
  const none = findKnee([step(1, 1, 100, 300)], o, 'VUs');
  assert.equal(none.load, null);
  assert.match(none.summary, /already broken at the lowest load/);
  const top = findKnee(steps.slice(0, 2), o, 'VUs');
  assert.equal(top.load, 4);
  assert.equal(top.brokenAt, null);
  assert.match(top.summary, /knee not reached/);
  // The summary shows each objective at the top step, not only the p99 of every request.
  assert.match(
    top.summary,
    /p99 ≤ 250 ms \(every request\) p99 90\.0 ms ≤ 250 ms; p99 of every request 90\.0 ms/,
  );
});

test('the default objectives are the specs’ latency SLOs of the reference service', () => {
  const objs = objectivesFromSpecs();
  const by = Object.fromEntries(objs.map((o) => [o.name, o]));
  assert.equal(by['reference-service-item-latency'].thresholdMs, 250);
  assert.equal(by['reference-service-item-latency'].quantile, 0.99);
  assert.deepEqual(by['reference-service-item-latency'].routes, ['/listings/:id']);
  assert.equal(by['reference-service-checkout-latency'].thresholdMs, 1000);
  assert.equal(by['reference-service-checkout-latency'].excludeClientErrors, true);
  assert.ok(new RegExp(routeRegex('/listings/:id')).test('/listings/42'));
  assert.ok(!new RegExp(routeRegex('/listings/:id')).test('/listings'));
  assert.ok(!new RegExp(routeRegex('/carts/:id/items')).test('/carts/1'));
});

test("marketplace-day's day shape: peak minute over the mean, against a trapezoid integral of its stages", async () => {
  const def = (await loadScenario('marketplace-day')).definition;
  const ex = def.options.scenarios.day as RampingArrivalRate;
  let from = ex.startRate ?? 0;
  let area = 0;
  let peak = 0;
  for (const s of ex.stages) {
    area += (from + s.target) / 2;
    peak = Math.max(peak, s.target);
    from = s.target;
  }
  const mean = area / ex.stages.length;
  const shape = dayShape(def);
  // the peak minute of a ramp that peaks at one instant is a hair below the peak itself
  assert.ok(
    Math.abs(shape.peakFactor - peak / mean) / (peak / mean) < 2e-3,
    `${shape.peakFactor} vs ${peak / mean}`,
  );
  assert.ok(shape.peakMinute >= 20 * 60 + 50 && shape.peakMinute <= 21 * 60 + 5, String(shape.peakMinute));
});

test('the plan: replicas = ⌈peak / (X(knee) × (1 − headroom))⌉, with the arithmetic shown', async () => {
  const params = { lambda: 200, sigma: 0.05, kappa: 0.001 };
  const model: CapacityModel = {
    fit: { ...params, r2: 0.99, residualStdError: 1, sse: 1, points: 4 },
    bootstrap: {
      resamples: 3,
      redrawn: 0,
      confidence: 0.95,
      lambda: { low: 190, high: 210 },
      sigma: { low: 0.04, high: 0.06 },
      kappa: { low: 0.0009, high: 0.0011 },
      r2: { low: 0.98, high: 1 },
      nStar: { low: 28, high: 33 },
      maxThroughput: { low: 1500, high: 1700 },
      draws: [params, { ...params, lambda: 180 }, { ...params, lambda: 220 }],
    },
    nStar: 31,
    maxThroughput: 1600,
    points: [],
  };
  const steps = [1, 4, 16, 64].map((n, i) => step(i + 1, n, uslThroughput(params, n), n * 10));
  const shape = { name: 'flat-ish', peakFactor: 2, peakMinute: 20 * 60 };
  const plan = planReplicas({
    dayRequests: 100e6,
    shape,
    model,
    steps,
    objectives: [p99Objective(300)],
    unit: 'VUs',
    headroom: 0.3,
    spansPerRequest: 4,
    bytesPerSpan: 40,
    kneeN: (s) => s.load,
  });
  const mean = 100e6 / 86400;
  const x16 = uslThroughput(params, 16);
  assert.equal(plan.kneeLoad, 16);
  assert.ok(Math.abs(plan.peakRate - mean * 2) < 1e-9);
  assert.ok(Math.abs(plan.perReplica - x16) < 1e-9);
  assert.equal(plan.replicas, Math.ceil((mean * 2) / (x16 * 0.7)));
  assert.ok(plan.replicasInterval.low <= plan.replicas && plan.replicas <= plan.replicasInterval.high);
  assert.equal(
    plan.replicasInterval.high,
    Math.ceil((mean * 2) / (uslThroughput({ ...params, lambda: 180 }, 16) * 0.7)),
  );
  assert.equal(plan.peakSpanRate, mean * 2 * 4);
  assert.equal(plan.storedBytesPerDay, 100e6 * 4 * 40);
  assert.match(plan.lines.join('\n'), /= 16\.0 GB\/day, 480 GB for 30 days/);
  assert.match(plan.lines.join('\n'), /replicas = ⌈2,314\.8 \/ [\d,.]+⌉ = \d+ \[95% CI \d+–\d+\]/);
  const impossible = planReplicas({
    dayRequests: 1e6,
    shape,
    model,
    steps: [step(1, 1, 100, 500)],
    objectives: [p99Objective(300)],
    unit: 'VUs',
    headroom: 0.3,
    spansPerRequest: null,
    kneeN: (s) => s.load,
  });
  assert.ok(impossible.impossible);
  assert.equal(impossible.replicas, Number.POSITIVE_INFINITY);
});

test('day volumes: 100M, 1.5B, 250k, plain numbers; anything else is refused', () => {
  assert.equal(parseDayVolume('100M'), 100e6);
  assert.equal(parseDayVolume('1.5B'), 1.5e9);
  assert.equal(parseDayVolume('250k'), 250e3);
  assert.equal(parseDayVolume('1,000,000'), 1e6);
  assert.equal(parseDayVolume('lots'), undefined);
  assert.equal(parseDayVolume('0'), undefined);
  assert.equal(parseDayVolume('-5M'), undefined);
});
