import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyOverrides } from '../../src/scenario/applyOverrides.ts';
import { BUILTIN_SCENARIOS } from '../../src/scenarios/catalog.ts';
import type { ConstantArrivalRate, RampingArrivalRate } from '../../src/types.ts';
import { baseScenario } from '../support/scenarios.ts';

describe('applyOverrides', () => {
  it('sets constant rates and durations, and maxVUs from --vus', () => {
    const def = baseScenario({
      executor: 'constant-arrival-rate',
      rate: 10,
      duration: '1m',
      preAllocatedVUs: 50,
      maxVUs: 100,
    });
    const out = applyOverrides(def, { rate: 40, duration: '30s', vus: 20 }).options.scenarios
      .main as ConstantArrivalRate;
    assert.deepEqual([out.rate, out.duration, out.maxVUs, out.preAllocatedVUs], [40, '30s', 20, 20]);
    assert.equal((def.options.scenarios.main as ConstantArrivalRate).rate, 10, 'the input is not changed');
  });

  it('scales ramping stages to the new peak and total duration, keeping the shape', () => {
    const def = BUILTIN_SCENARIOS['marketplace-day'];
    const before = def.options.scenarios.day as RampingArrivalRate;
    const out = applyOverrides(def, { rate: 90, duration: '24s' }).options.scenarios
      .day as RampingArrivalRate;
    assert.equal(Math.max(...out.stages.map((s) => s.target)), 90);
    assert.ok(out.stages.every((s) => s.duration === '1s'));
    const ratio = (i: number) => out.stages[i].target / before.stages[i].target;
    assert.ok(Math.abs(ratio(3) - ratio(20)) < 1e-9, 'same shape');
  });

  it('k6 -s: one ramping-vus executor runs the stages from -u VUs, and the faults keep their place', () => {
    const def = BUILTIN_SCENARIOS['psp-incident'];
    const stages = [
      { duration: '6s', target: 10 },
      { duration: '12s', target: 0 },
    ];
    const out = applyOverrides(def, { stages, vus: 3 });
    assert.deepEqual(out.options.scenarios, { default: { executor: 'ramping-vus', startVUs: 3, stages } });
    assert.deepEqual(
      out.faults?.map((f) => f.at),
      ['4s', '7s', '13s'],
      'the 18 s of stages hold the faults where an 18 s --duration puts them',
    );
    assert.equal(
      (applyOverrides(def, { stages }).options.scenarios.default as { startVUs: number }).startVUs,
      1,
    );
    assert.equal(applyOverrides(def, { stages: [] }), def, 'no stage: no change');
  });

  it('scales the fault schedule with the duration', () => {
    const def = BUILTIN_SCENARIOS['psp-incident'];
    const out = applyOverrides(def, { duration: '18s' });
    assert.deepEqual(
      out.faults?.map((f) => f.at),
      ['4s', '7s', '13s'],
    );
  });
});
