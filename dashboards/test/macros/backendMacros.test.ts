// Cases from the ClickHouse plugin's pkg/macros tests and the SDK's sqlutil macro tests:
// the expander must produce the plugin's SQL byte for byte.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expandBackendMacros, formatInterval, MacroError } from '../../src/macros/backendMacros.ts';

const from = new Date('2014-11-12T11:45:26.123Z');
const to = new Date('2015-11-12T11:45:26.456Z');
const ctx = { from, to, intervalMs: 20_000 };

test('timeFilter and timeFilter_ms, with nested brackets and spaces', () => {
  assert.equal(
    expandBackendMacros('select * from foo where $__timeFilter(cast(sth as timestamp))', ctx),
    'select * from foo where cast(sth as timestamp) >= toDateTime(1415792726) AND cast(sth as timestamp) <= toDateTime(1447328726)',
  );
  assert.equal(
    expandBackendMacros('select * from foo where $__timeFilter(cast(sth as timestamp) )', ctx),
    'select * from foo where cast(sth as timestamp) >= toDateTime(1415792726) AND cast(sth as timestamp) <= toDateTime(1447328726)',
  );
  assert.equal(
    expandBackendMacros('select * from foo where $__timeFilter_ms(cast(sth as timestamp))', ctx),
    'select * from foo where cast(sth as timestamp) >= fromUnixTimestamp64Milli(1415792726123) AND cast(sth as timestamp) <= fromUnixTimestamp64Milli(1447328726456)',
  );
});

test('fromTime/toTime and their _ms forms inside clauses', () => {
  assert.equal(
    expandBackendMacros(
      'select * from foo where ( date >= $__fromTime and date <= $__toTime ) limit 100',
      ctx,
    ),
    'select * from foo where ( date >= toDateTime(1415792726) and date <= toDateTime(1447328726) ) limit 100',
  );
  assert.equal(
    expandBackendMacros(
      'select * from foo where ( date >= $__fromTime_ms ) and ( date <= $__toTime_ms ) limit 100',
      ctx,
    ),
    'select * from foo where ( date >= fromUnixTimestamp64Milli(1415792726123) ) and ( date <= fromUnixTimestamp64Milli(1447328726456) ) limit 100',
  );
});

test('dateFilter, dateTimeFilter and its dt alias', () => {
  const c = {
    from: new Date('2014-11-12T11:45:26.371Z'),
    to: new Date('2015-11-12T11:45:26.371Z'),
    intervalMs: 1000,
  };
  assert.equal(
    expandBackendMacros('$__dateFilter(dateCol)', c),
    "dateCol >= toDate('2014-11-12') AND dateCol <= toDate('2015-11-12')",
  );
  const expected =
    "(dateCol >= toDate('2014-11-12') AND dateCol <= toDate('2015-11-12')) AND (timeCol >= toDateTime(1415792726) AND timeCol <= toDateTime(1447328726))";
  assert.equal(expandBackendMacros('$__dateTimeFilter(dateCol, timeCol)', c), expected);
  assert.equal(expandBackendMacros('$__dt(dateCol, timeCol)', c), expected);
});

test('timeInterval, timeInterval_ms and interval_s follow the query interval', () => {
  assert.equal(
    expandBackendMacros('select $__timeInterval(col) from foo', ctx),
    'select toStartOfInterval(toDateTime(col), INTERVAL 20 second) from foo',
  );
  assert.equal(
    expandBackendMacros('select $__timeInterval_ms(col) from foo', ctx),
    'select toStartOfInterval(toDateTime64(col, 3), INTERVAL 20000 millisecond) from foo',
  );
  assert.equal(
    expandBackendMacros('select toStartOfInterval(col, INTERVAL $__interval_s second) AS time from foo', ctx),
    'select toStartOfInterval(col, INTERVAL 20 second) AS time from foo',
  );
  // sub-second intervals are clamped to one second, as math.Max(seconds, 1) does
  assert.equal(expandBackendMacros('$__interval_s', { ...ctx, intervalMs: 200 }), '1');
});

test('SDK defaults: $__interval, $__interval_ms, timeFrom/timeTo, table/column', () => {
  const c = { from: new Date(0), to: new Date(0), intervalMs: 600_000, table: 'my_table', column: 'my_col' };
  assert.equal(
    expandBackendMacros('select * from foo group by bin(time, $__interval)', c),
    'select * from foo group by bin(time, 10m)',
  );
  assert.equal(
    expandBackendMacros('select count(*) / $__interval_ms * 1000 as qps from foo', c),
    'select count(*) / 600000 * 1000 as qps from foo',
  );
  assert.equal(expandBackendMacros('select $__column from $__table', c), 'select my_col from my_table');
  assert.equal(
    expandBackendMacros('select * from foo where $__timeFrom(cast(sth as timestamp))', c),
    "select * from foo where cast(sth as timestamp) >= '1970-01-01T00:00:00Z'",
  );
});

test('a macro name that is a prefix of another is not applied to the longer one', () => {
  const out = expandBackendMacros('$__timeFilter_ms(a) AND $__timeFilter(b)', ctx);
  assert.equal(
    out,
    'a >= fromUnixTimestamp64Milli(1415792726123) AND a <= fromUnixTimestamp64Milli(1447328726456) AND b >= toDateTime(1415792726) AND b <= toDateTime(1447328726)',
  );
});

test('errors where the plugin errors: unclosed bracket, wrong argument count', () => {
  assert.throws(() => expandBackendMacros('select * from foo where $__timeFilter(whoops', ctx), MacroError);
  assert.throws(() => expandBackendMacros('select * from foo where $__timeFilter(a, b)', ctx), MacroError);
  assert.throws(() => expandBackendMacros('select $__timeInterval from foo', ctx), MacroError);
});

test('formatInterval matches gtime.FormatInterval', () => {
  assert.deepEqual([500, 1000, 90_000, 3_600_000, 86_400_000 * 2, 0.5].map(formatInterval), [
    '500ms',
    '1s',
    '1m',
    '1h',
    '2d',
    '1ms',
  ]);
});
