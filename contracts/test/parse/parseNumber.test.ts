import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isMarketbenchError } from '../../src/errors/MarketbenchError.ts';
import { parseNumber, parsePort, tryParseNumber } from '../../src/parse/parseNumber.ts';

test('plain decimals parse; what Number() alone would take does not', () => {
  assert.equal(tryParseNumber('42'), 42);
  assert.equal(tryParseNumber(' 0.25 '), 0.25);
  assert.equal(tryParseNumber('-3'), -3);
  assert.equal(tryParseNumber('.5'), 0.5);
  for (const bad of ['', ' ', '8_080', '0x1f', '1e3', 'Infinity', 'NaN', 'abc', '12abc', '1.2.3', '--1'])
    assert.equal(tryParseNumber(bad), undefined, bad);
});

test('rules: integer, min, max; a number argument is checked the same way', () => {
  assert.equal(tryParseNumber('0.5', { integer: true }), undefined);
  assert.equal(tryParseNumber('-1', { min: 0 }), undefined);
  assert.equal(tryParseNumber('11', { max: 10 }), undefined);
  assert.equal(tryParseNumber(10, { max: 10 }), 10);
  assert.equal(tryParseNumber(Number.NaN), undefined);
  assert.equal(tryParseNumber(Number.POSITIVE_INFINITY), undefined);
});

test('parseNumber names the flag, says what it wants and quotes what it got, as MB_ERR_USAGE exit 1', () => {
  assert.throws(
    () => parseNumber('1.5', '--items', { integer: true, min: 1 }),
    (e: unknown) =>
      isMarketbenchError(e, 'MB_ERR_USAGE') &&
      e.exitCode === 1 &&
      e.message === '--items must be a positive integer, got "1.5"',
  );
  assert.throws(
    () => parseNumber('-1', 'MARKETBENCH_TTL_DAYS', { integer: true, min: 0 }),
    /MARKETBENCH_TTL_DAYS must be a non-negative integer, got "-1"/,
  );
  assert.throws(
    () => parseNumber('2', '--ratio', { min: 0, max: 1 }),
    /--ratio must be a number from 0 to 1, got "2"/,
  );
});

test('ports: 0 to 65535 integers, one message for every wrong form', () => {
  assert.equal(parsePort('8080', '--port'), 8080);
  assert.equal(parsePort('0', '--port'), 0);
  assert.equal(parsePort(65_535, '--port'), 65_535);
  for (const bad of ['abc', '8_080', '0.5', '-1', '65536', '', '80 80', '1e3']) {
    assert.throws(
      () => parsePort(bad, '--port'),
      (e: unknown) =>
        isMarketbenchError(e, 'MB_ERR_USAGE') &&
        e.message === `--port must be a port number from 0 to 65535, got "${bad}"`,
      bad,
    );
  }
});
