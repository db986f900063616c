// SLO budget limits on evaluator results built with a factory: burn-rate limits per window, budget
// consumed, and page alerts that fired at any instant of the run (not only at its end).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SloStatus, StatusReport } from '@marketbench/slo-definitions';
import { sloBudgetResults } from '../../src/gate/evaluateSloBudgets.ts';
import { sloRows } from '../../src/report/sloRows.ts';

function status(
  id: string,
  burn5m: number | null,
  burn1h: number | null,
  page = false,
  remaining: number | null = 0.9,
): SloStatus {
  const w = (window: string, burnRate: number | null) => ({
    window,
    scaledSeconds: 1,
    bad: burnRate === null ? 0 : Math.round(burnRate * 10),
    total: burnRate === null ? 0 : 1000,
    errorRatio: burnRate === null ? null : burnRate / 100,
    burnRate,
  });
  return {
    id,
    displayName: id,
    target: 0.99,
    period: '30d',
    windows: [w('5m', burn5m), w('1h', burn1h), w('30d', burn1h === null ? null : burn1h / 10)],
    budgetRemaining: remaining,
    alerts: [
      { severity: 'page', firing: page, firingPairs: page ? ['14.4× 1h/5m'] : [] },
      { severity: 'ticket', firing: false, firingPairs: [] },
    ],
  };
}
function report(...slos: SloStatus[]): StatusReport {
  return { at: new Date(0), timeScale: 360, runId: 'r', slos };
}

test('a burn-rate limit takes the highest burn seen during the run, in the named window', () => {
  const timeline = [report(status('checkout', 20, 2)), report(status('checkout', 1, 1))];
  const [anyWindow] = sloBudgetResults(timeline, [{ slo: 'checkout', maxBurnRate: 14.4 }]);
  assert.equal(anyWindow.verdict, 'fail');
  assert.match(anyWindow.observedText, /max 20\.0× in 5m/);
  const [hour] = sloBudgetResults(timeline, [{ slo: 'checkout', window: '1h', maxBurnRate: 14.4 }]);
  assert.equal(hour.verdict, 'pass');
  assert.match(hour.observedText, /max 2\.00× in 1h/);
});

test('a page that fired mid-run fails noPage even when it has reset by the end', () => {
  const timeline = [report(status('checkout', 20, 15, true)), report(status('checkout', 0, 0, false))];
  const [r] = sloBudgetResults(timeline, [{ slo: 'checkout', noPage: true }]);
  assert.equal(r.verdict, 'fail');
  assert.match(r.observedText, /14\.4× 1h\/5m/);
});

test('budget consumed, no events, and an unknown SLO', () => {
  const [used] = sloBudgetResults(
    [report(status('item', 1, 1, false, 0.4))],
    [{ slo: 'item', maxBudgetConsumed: 0.5 }],
  );
  assert.equal(used.verdict, 'fail');
  assert.equal(used.observedText, '60.0%');
  const [none] = sloBudgetResults(
    [report(status('item', null, null, false, null))],
    [{ slo: 'item', maxBurnRate: 1 }],
  );
  assert.equal(none.verdict, 'pass');
  assert.equal(none.observedText, 'no events');
  assert.throws(
    () => sloBudgetResults([report(status('item', 1, 1))], [{ slo: 'nope', maxBurnRate: 1 }]),
    /no SLO "nope"/,
  );
});

test('report rows: highest burn per window and every alert that fired at some instant', () => {
  const rows = sloRows([
    report(status('checkout', 20, 15, true)),
    report(status('checkout', 0.5, 3, false, 0.7)),
  ]);
  assert.equal(rows.length, 1);
  assert.equal(rows[0].burn['5m'], 20);
  assert.equal(rows[0].burn['1h'], 15);
  assert.deepEqual(rows[0].alerts, ['page 14.4× 1h/5m']);
  assert.equal(rows[0].budgetRemaining, 0.7);
});
