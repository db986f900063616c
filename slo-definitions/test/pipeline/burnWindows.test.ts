import assert from 'node:assert/strict';
import { test } from 'node:test';
import { burnWindows } from '../../src/pipeline/burnWindows.ts';

const summary = (period: string, overrides?: Parameters<typeof burnWindows>[1]) =>
  burnWindows(period, overrides).map((w) => `${w.severity} ${w.long}/${w.short} ${w.burnRate}`);

test('30 days: the SRE Workbook factors 14.4, 6, 3, 1', () => {
  assert.deepEqual(summary('30d'), ['page 1h/5m 14.4', 'page 6h/30m 6', 'ticket 1d/2h 3', 'ticket 3d/6h 1']);
});

test('28 days: same windows, factors derived from the budget share', () => {
  assert.deepEqual(summary('28d'), [
    'page 1h/5m 13.44',
    'page 6h/30m 5.6',
    'ticket 1d/2h 2.8',
    'ticket 3d/6h 0.933333',
  ]);
});

test('a period shorter than 3 days shrinks the windows and keeps the factors', () => {
  assert.deepEqual(summary('1d'), [
    'page 2m/10s 14.4',
    'page 12m/1m 6',
    'ticket 48m/4m 3',
    'ticket 144m/12m 1',
  ]);
});

test('overrides replace the defaults; budgetConsumed derives the factor', () => {
  assert.deepEqual(
    summary('7d', [
      { severity: 'ticket', long: '1d', short: '2h', budgetConsumed: 0.1 },
      { severity: 'page', long: '30m', short: '2m', burnRate: 20 },
    ]),
    ['page 30m/2m 20', 'ticket 1d/2h 0.7'],
  );
});

test('impossible windows are MB_ERR_SLO_BAD_WINDOW with the window path', () => {
  assert.throws(
    () =>
      burnWindows('7d', [{ severity: 'page', long: '5m', short: '1h', burnRate: 2 }], {
        path: '/spec/slos/3',
      }),
    (err: Error & { code: string; path: string }) =>
      err.code === 'MB_ERR_SLO_BAD_WINDOW' && err.path === '/spec/slos/3/alerting/windows/0',
  );
  assert.throws(
    () => burnWindows('7d', [{ severity: 'ticket', long: '14d', short: '1d', burnRate: 1 }]),
    /longer than the SLO period/,
  );
  assert.throws(
    () => burnWindows('30d', [{ severity: 'page', long: '1h', short: '5m' }]),
    /burnRate or budgetConsumed/,
  );
});
