import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ArrivalSchedule } from '../../src/scheduler/ArrivalSchedule.ts';

function all(s: ArrivalSchedule): number[] {
  const out: number[] = [];
  for (let t = s.next(); t !== undefined; t = s.next()) out.push(t);
  return out;
}

describe('ArrivalSchedule', () => {
  it('constant rate: iteration i at i/rate, none at or after the duration', () => {
    const s = ArrivalSchedule.of({
      executor: 'constant-arrival-rate',
      rate: 10,
      duration: '1s',
      preAllocatedVUs: 1,
    });
    assert.deepEqual(
      all(s).map((t) => Math.round(t)),
      [0, 100, 200, 300, 400, 500, 600, 700, 800, 900],
    );
  });

  it('timeUnit: 30 per minute is one every 2 s', () => {
    const s = ArrivalSchedule.of({
      executor: 'constant-arrival-rate',
      rate: 30,
      timeUnit: '1m',
      duration: '10s',
      preAllocatedVUs: 1,
    });
    assert.deepEqual(
      all(s).map((t) => Math.round(t)),
      [0, 2000, 4000, 6000, 8000],
    );
  });

  it('a linear ramp 0 → 100/s over 2 s starts 100 iterations, iteration k at 2 s × sqrt(k/100)', () => {
    const s = ArrivalSchedule.of({
      executor: 'ramping-arrival-rate',
      startRate: 0,
      stages: [{ duration: '2s', target: 100 }],
      preAllocatedVUs: 1,
    });
    const times = all(s);
    assert.equal(times.length, 100);
    for (const k of [1, 25, 50, 99])
      assert.ok(Math.abs(times[k] - 2000 * Math.sqrt(k / 100)) < 1e-6, `k=${k}`);
  });

  it('a ramp down and a hold: counts match the area under the rate', () => {
    const s = ArrivalSchedule.of({
      executor: 'ramping-arrival-rate',
      startRate: 100,
      stages: [
        { duration: '1s', target: 100 },
        { duration: '1s', target: 0 },
        { duration: '1s', target: 0 },
        { duration: '1s', target: 50 },
      ],
      preAllocatedVUs: 1,
    });
    const times = all(s);
    assert.equal(times.length, 100 + 50 + 0 + 25);
    assert.ok(
      times.every((t, i) => i === 0 || t >= times[i - 1]),
      'times are ordered',
    );
    assert.equal(times.filter((t) => t >= 2000 && t < 3000).length, 0);
  });

  it('worker shares partition the iterations exactly', () => {
    const config = {
      executor: 'constant-arrival-rate' as const,
      rate: 1000,
      duration: '1s',
      preAllocatedVUs: 1,
    };
    const merged = [0, 1, 2]
      .flatMap((phase) => all(ArrivalSchedule.of(config, 3, phase)))
      .sort((a, b) => a - b);
    assert.deepEqual(merged, all(ArrivalSchedule.of(config)));
  });
});
