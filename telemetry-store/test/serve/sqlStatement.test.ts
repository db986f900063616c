// The owner's statement lexer: what it takes for syntax and what it leaves alone (strings,
// quoted names, comments, heredocs), and where URL settings land.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyzeStatement, withSettings } from '../../src/serve/sqlStatement.ts';

test('one statement: a second after ";" is refused, a ";" inside strings, names or comments is not syntax', () => {
  for (const sql of [
    'SELECT 1; SELECT 2',
    'SELECT 1;\n\nDROP TABLE t',
    "SELECT 'a'; INSERT INTO t VALUES (1)",
  ])
    assert.throws(() => analyzeStatement(sql), /Multi-statements are not allowed/, sql);
  for (const sql of [
    'SELECT 1;',
    'SELECT 1;;  -- trailing\n',
    'SELECT \';\' AS `a;b`, "c;d"',
    'SELECT 1 /* ; nested /* ; */ still comment ; */',
    'SELECT $$a;b$$',
    '# comment ; here\nSELECT 1',
  ])
    assert.doesNotThrow(() => analyzeStatement(sql), sql);
});

test('the top-level FORMAT clause is found; a column, function or string named format is not one', () => {
  assert.equal(analyzeStatement('SELECT 1 \nFORMAT JSONEachRow').format, 'JSONEachRow');
  assert.equal(analyzeStatement('SELECT 1 FORMAT CSV SETTINGS max_threads = 1').format, 'CSV');
  assert.equal(analyzeStatement('SELECT format FROM t').format, undefined);
  assert.equal(analyzeStatement("SELECT format('{}', 1)").format, undefined);
  assert.equal(analyzeStatement("SELECT 'FORMAT JSON'").format, undefined);
  assert.equal(analyzeStatement('SELECT * FROM (SELECT 1 FORMAT JSON)').format, undefined);
  assert.equal(analyzeStatement('(SELECT 1)').kind, 'SELECT');
});

test('an INSERT: table, columns, input format and where the data starts; nothing after it is lexed', () => {
  const text =
    'INSERT INTO otel.`otel_traces` (SpanId, Events.Name) FORMAT JSONEachRow\n{"SpanId":"a;b; SELECT 1"}\n';
  const st = analyzeStatement(text);
  assert.deepEqual(st.insert?.table, ['otel', 'otel_traces']);
  assert.deepEqual(st.insert?.columns, ['SpanId', 'Events.Name']);
  assert.equal(st.format, 'JSONEachRow');
  assert.equal(text.slice(st.insert?.dataStart), '\n{"SpanId":"a;b; SELECT 1"}\n');
  assert.equal(analyzeStatement('INSERT INTO t (* EXCEPT (a)) FORMAT CSV').insert?.columns, null);
  assert.deepEqual(analyzeStatement("INSERT INTO t SETTINGS a = 1, b = 'x' FORMAT CSV").insert?.settingKeys, [
    'a',
    'b',
  ]);
  const values = analyzeStatement("INSERT INTO t VALUES (1, 'x; y')");
  assert.equal(values.insert?.dataKeyword, 'INSERT INTO t '.length);
  const select = analyzeStatement('INSERT INTO t SELECT number FROM numbers(3)');
  assert.equal(select.insert?.dataStart, undefined);
});

test("URL settings go before an INSERT's data, after a query, and never override the statement's own", () => {
  const s: [string, string][] = [
    ['max_threads', '1'],
    ['date_time_input_format', "best'effort"],
  ];
  const ins = 'INSERT INTO t FORMAT JSONEachRow\n{"a":1}';
  assert.equal(
    withSettings(ins, analyzeStatement(ins), s),
    "INSERT INTO t SETTINGS max_threads=1, date_time_input_format='best\\'effort' FORMAT JSONEachRow\n{\"a\":1}",
  );
  const own = 'INSERT INTO t SETTINGS max_threads = 4 FORMAT CSV\n1';
  assert.equal(
    withSettings(own, analyzeStatement(own), s),
    "INSERT INTO t SETTINGS max_threads = 4 , date_time_input_format='best\\'effort' FORMAT CSV\n1",
  );
  const sel = 'SELECT 1 -- a comment\nFORMAT JSON;';
  assert.equal(
    withSettings(sel, analyzeStatement(sel), [['max_threads', '1']]),
    'SELECT 1 -- a comment\nFORMAT JSON\nSETTINGS max_threads=1',
  );
  assert.equal(
    withSettings(
      'CREATE TABLE t (a UInt8) ENGINE = Memory',
      analyzeStatement('CREATE TABLE t (a UInt8) ENGINE = Memory'),
      s,
    ),
    undefined,
  );
  assert.throws(
    () => withSettings('SELECT 1', analyzeStatement('SELECT 1'), [['x; DROP', '1']]),
    /Unknown setting/,
  );
});
