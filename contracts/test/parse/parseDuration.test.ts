import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isMarketbenchError } from '../../src/errors/MarketbenchError.ts';
import { formatDuration, parseDuration, tryParseDuration } from '../../src/parse/parseDuration.ts';

test("k6's grammar: a bare number is milliseconds", () => {
  assert.equal(tryParseDuration('10'), 10);
  assert.equal(tryParseDuration('1500'), 1500);
  assert.equal(tryParseDuration('0.5'), 0.5);
  assert.equal(tryParseDuration(250), 250);
});

test("Go durations with k6's day prefix", () => {
  assert.equal(tryParseDuration('300ms'), 300);
  assert.equal(tryParseDuration('30s'), 30_000);
  assert.equal(tryParseDuration('1m30s'), 90_000);
  assert.equal(tryParseDuration('1.5s'), 1500);
  assert.equal(tryParseDuration('2h'), 7_200_000);
  assert.equal(tryParseDuration('250us'), 0.25);
  assert.equal(tryParseDuration('250µs'), 0.25);
  assert.equal(tryParseDuration('1000000ns'), 1);
  assert.equal(tryParseDuration('30d'), 30 * 86_400_000);
  assert.equal(tryParseDuration('1d12h'), 36 * 3_600_000);
  assert.equal(tryParseDuration(' 5s '), 5000);
});

test('what is not a duration, or is negative, is refused', () => {
  for (const bad of [
    '',
    's',
    '5 s',
    '5x',
    '1w',
    '1h1d',
    '1.5d',
    '-5s',
    '-10',
    'abc',
    '5s5',
    'd',
    '1e3ms',
    '8_080',
  ])
    assert.equal(tryParseDuration(bad), undefined, bad);
  assert.equal(tryParseDuration(-1), undefined);
  assert.equal(tryParseDuration(Number.NaN), undefined);
});

test('bounds, and a message that names the flag and the grammar', () => {
  assert.equal(tryParseDuration('50ms', { minMs: 100 }), undefined);
  assert.equal(tryParseDuration('2h', { maxMs: 3_600_000 }), undefined);
  assert.throws(
    () => parseDuration('soon', '--scrape-interval'),
    (e: unknown) =>
      isMarketbenchError(e, 'MB_ERR_USAGE') &&
      e.exitCode === 1 &&
      e.message ===
        '--scrape-interval must be a duration such as 500ms, 5s, 1m30s or 2d (a bare number is ms), got "soon"',
  );
  assert.throws(
    () => parseDuration('50ms', '--scrape-interval', { minMs: 100 }),
    /--scrape-interval must be at least 100ms, got "50ms"/,
  );
});

test('formatDuration is the inverse on whole seconds and milliseconds', () => {
  for (const ms of [0, 1, 999, 1000, 1500, 60_000, 90_000, 3_600_000, 3_661_000]) {
    assert.equal(tryParseDuration(formatDuration(ms)), ms, `${ms} → ${formatDuration(ms)}`);
  }
  assert.equal(formatDuration(90_000), '1m30s');
  assert.equal(formatDuration(1500), '1500ms');
});
