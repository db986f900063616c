import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatDuration, parseDuration } from '../../src/spec/duration.ts';

test('durations parse to seconds and print back in the largest exact unit', () => {
  assert.equal(parseDuration('300ms'), 0.3);
  assert.equal(parseDuration('5m'), 300);
  assert.equal(parseDuration('30d'), 2_592_000);
  assert.equal(formatDuration(3600), '1h');
  assert.equal(formatDuration(8640), '144m');
  assert.equal(formatDuration(0.25), '250ms');
  assert.throws(() => parseDuration('1h30m'), RangeError);
});
