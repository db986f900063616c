// The built-in scenarios: each validates, opens with a comment on its traffic and SLOs, and has
// the shape its name promises.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseDuration } from '@marketbench/contracts';
import { validateScenario } from '../../src/scenario/validateScenario.ts';
import { BUILTIN_SCENARIOS, builtinScenarioFile } from '../../src/scenarios/catalog.ts';
import { ArrivalSchedule } from '../../src/scheduler/ArrivalSchedule.ts';
import type { RampingArrivalRate } from '../../src/types.ts';

function stepsPerIteration(name: string): number {
  const def = BUILTIN_SCENARIOS[name];
  const js = Object.values(def.journeys);
  const total = js.reduce((s, j) => s + j.weight, 0);
  return js.reduce((s, j) => s + (j.weight / total) * j.steps.length, 0);
}

describe('built-in scenarios', () => {
  it('smoke, marketplace-day, flash-sale, checkout-rush, soak, stress and psp-incident all validate', () => {
    assert.deepEqual(Object.keys(BUILTIN_SCENARIOS).sort(), [
      'checkout-rush',
      'flash-sale',
      'marketplace-day',
      'psp-incident',
      'smoke',
      'soak',
      'stress',
    ]);
    for (const [name, def] of Object.entries(BUILTIN_SCENARIOS)) {
      assert.equal(validateScenario(def, builtinScenarioFile(name)).name, name);
    }
  });

  it('each file opens with a comment naming its traffic and the SLOs it exercises', () => {
    for (const name of Object.keys(BUILTIN_SCENARIOS)) {
      const text = readFileSync(builtinScenarioFile(name), 'utf8');
      assert.ok(text.startsWith(`// ${name}: `), name);
      const header = text.slice(0, text.indexOf('\nimport'));
      assert.match(header, /Traffic:/, name);
      assert.match(header, /SLOs exercised:/, name);
    }
  });

  it('marketplace-day: 24 hourly stages, peak ≥ 3× trough, 300–1,200 req/s, a few minutes, timeScale recorded', () => {
    const def = BUILTIN_SCENARIOS['marketplace-day'];
    const exec = def.options.scenarios.day as RampingArrivalRate;
    assert.equal(exec.stages.length, 24);
    const targets = exec.stages.map((s) => s.target);
    const peak = Math.max(...targets);
    const trough = Math.min(...targets);
    assert.ok(peak >= 3 * trough, `peak ${peak} trough ${trough}`);
    const perIteration = stepsPerIteration('marketplace-day');
    assert.ok(
      trough * perIteration >= 250 && peak * perIteration <= 1300,
      `req/s ${trough * perIteration}–${peak * perIteration}`,
    );
    const total = exec.stages.reduce((s, st) => s + parseDuration(st.duration, 'duration'), 0);
    assert.ok(total >= 120_000 && total <= 600_000, `duration ${total} ms`);
    assert.equal(def.options.timeScale, (24 * 3600 * 1000) / total);
    // Requests a real day of this shape would carry: tens of millions.
    const iterations = ArrivalSchedule.of(exec).total * (def.options.timeScale ?? 1);
    assert.ok(
      iterations * perIteration > 10e6 && iterations * perIteration < 100e6,
      `${iterations * perIteration} requests/day`,
    );
  });

  it('flash-sale reaches 5× its base rate within 10 s', () => {
    const exec = BUILTIN_SCENARIOS['flash-sale'].options.scenarios.sale as RampingArrivalRate;
    const s = ArrivalSchedule.of(exec);
    const base = s.rateAt(1000);
    let t = 0;
    while (s.rateAt(t) < 5 * base - 1e-9 && t < 600_000) t += 100;
    const rampStart = exec.stages.findIndex((st) => st.target === 5 * (exec.startRate ?? 0));
    const start = exec.stages
      .slice(0, rampStart)
      .reduce((a, st) => a + parseDuration(st.duration, 'duration'), 0);
    assert.ok(t - start <= 10_000, `5× after ${(t - start) / 1000}s`);
  });

  it('psp-incident sets PSP faults mid-run and clears them, and expects the checkout SLO (99%) to burn ≥ 14.4×', () => {
    const def = BUILTIN_SCENARIOS['psp-incident'];
    const faults = def.faults ?? [];
    assert.ok(
      faults.some((f) => f.dependency === 'psp' && f.action === 'set' && parseDuration(f.at, 'duration') > 0),
    );
    assert.equal(faults.at(-1)?.action, 'clear');
    assert.deepEqual(def.options.thresholds?.['http_req_failed{name:checkout}'], ['rate>=0.144']);
  });

  it('stress reports the knee', () => {
    assert.ok(BUILTIN_SCENARIOS.stress.options.knee);
  });
});
