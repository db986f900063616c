// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are Grafana template syntax, not JS templates
// The frontend half: $__conditionalAll as CHDatasource.applyConditionalAll, variables as
// templateSrv.replace with the plugin's format function.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expandQuery } from '../../src/macros/expandQuery.ts';
import {
  ALL_VALUE,
  applyConditionalAll,
  replaceTemplateVariables,
} from '../../src/macros/templateVariables.ts';

const b = {
  from: new Date('2026-01-01T00:00:00Z'),
  to: new Date('2026-01-01T01:00:00Z'),
  intervalMs: 60_000,
};

test('$__conditionalAll keeps the condition for a selection and drops it to 1=1 for All or empty', () => {
  const sql = 'SELECT 1 FROM t WHERE $__conditionalAll(ServiceName IN (${service}), $service) AND x = 1';
  assert.equal(
    applyConditionalAll(sql, [{ name: 'service', current: ['a'] }]),
    'SELECT 1 FROM t WHERE ServiceName IN (${service}) AND x = 1',
  );
  assert.equal(
    applyConditionalAll(sql, [{ name: 'service', current: [ALL_VALUE] }]),
    'SELECT 1 FROM t WHERE 1=1 AND x = 1',
  );
  assert.equal(
    applyConditionalAll(sql, [{ name: 'service', current: '' }]),
    'SELECT 1 FROM t WHERE 1=1 AND x = 1',
  );
  // ${var} form and nested brackets in the condition
  assert.equal(
    applyConditionalAll('WHERE $__conditionalAll(lower(a) IN (lower(${r})), ${r})', [
      { name: 'r', current: ALL_VALUE },
    ]),
    'WHERE 1=1',
  );
});

test('multi-value variables become a quoted list, single values are raw, unknown names stay', () => {
  const vars = [
    { name: 'service', current: ['a', 'b'] },
    { name: 'run_id', current: 'r-1' },
  ];
  assert.equal(
    replaceTemplateVariables(
      "IN ($service) AND run = '$run_id' AND $__timeFilter(T) AND $nope",
      vars,
      b,
      '1m',
    ),
    "IN ('a','b') AND run = 'r-1' AND $__timeFilter(T) AND $nope",
  );
  assert.equal(replaceTemplateVariables('${run_id:singlequote} [[service:csv]]', vars, b, '1m'), "'r-1' a,b");
  assert.equal(
    replaceTemplateVariables('${run_id:sqlstring}', [{ name: 'run_id', current: "o'k" }], b, '1m'),
    "'o''k'",
  );
});

test('All expands to every option, or to the custom all value', () => {
  const opts = { name: 'route', current: [ALL_VALUE], options: [ALL_VALUE, '/a', '/b'] };
  assert.equal(replaceTemplateVariables('IN ($route)', [opts], b, '1m'), "IN ('/a','/b')");
  assert.equal(replaceTemplateVariables('IN ($route)', [{ ...opts, allValue: '.*' }], b, '1m'), 'IN (.*)');
});

test('built-ins: $__from, $__to, $__interval, $__interval_ms', () => {
  assert.equal(
    replaceTemplateVariables('$__from $__to $__interval $__interval_ms $__interval_s', [], b, '1m'),
    '1767225600000 1767229200000 1m 60000 $__interval_s',
  );
});

test('expandQuery runs frontend then backend: the full pipeline', () => {
  const sql =
    'SELECT $__timeInterval(Timestamp) AS t, count() / $__interval_s FROM otel_traces WHERE $__timeFilter(Timestamp) AND $__conditionalAll(ServiceName IN (${service:singlequote}), $service) GROUP BY t';
  assert.equal(
    expandQuery(sql, { ...b, variables: [{ name: 'service', current: ['svc'] }] }),
    "SELECT toStartOfInterval(toDateTime(Timestamp), INTERVAL 60 second) AS t, count() / 60 FROM otel_traces WHERE Timestamp >= toDateTime(1767225600) AND Timestamp <= toDateTime(1767229200) AND ServiceName IN ('svc') GROUP BY t",
  );
});
