// The drill's healthy checkout rate, from the running counts Prometheus scraped: measured over the
// minutes after the bad events stopped, or before the fault when recovery left too little.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { healthyRate } from '../../src/slo/prometheusDrill.ts';

/** Counts every 5 s: 4 checkouts/s, a burn of 20 bad checkouts between 40 s and 50 s, then 4/s again. */
function scrapes(until: number) {
  const out: { at: number; bad: number; total: number }[] = [];
  for (let t = 5_000; t <= until; t += 5_000) {
    const bad = t < 40_000 ? 0 : t < 50_000 ? ((t - 35_000) / 5_000) * 10 : 20;
    out.push({ at: t, bad, total: (t / 1000) * 4 });
  }
  return out;
}

test('healthyRate: after recovery when there are 30 s of it, else before the fault', () => {
  const long = scrapes(150_000);
  const stop = long.find((c) => c.bad === 20);
  assert.ok(stop);
  assert.equal(healthyRate(long, stop, 0), 4);
  // Recovery too short to measure: the stretch before the first bad event.
  const short = scrapes(60_000);
  const stopShort = short.find((c) => c.bad === 20);
  assert.ok(stopShort);
  assert.equal(healthyRate(short, stopShort, 0), 4);
  // No stretch at all: everything seen since the traffic started.
  assert.equal(healthyRate([{ at: 8_000, bad: 0, total: 12 }], { at: 8_000, total: 12 }, 2_000), 2);
  assert.equal(healthyRate([], { at: 0, total: 0 }, 0), 0);
});
