// `marketbench query` spawned as the real command: output and exit codes on a fresh
// embedded store (queryOwner.test.ts covers a store owned by another process).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { cleanup, run, tempHome } from './runCli.ts';

after(cleanup);

test('query prints a table, JSON or CSV with bound --param values, exit 0', async () => {
  const home = tempHome();
  const sql = 'SELECT {n:UInt32} * 2 AS doubled, {s:String} AS s, {ids:Array(String)} AS ids';
  const args = ['query', sql, '--param', 'n=21', '--param', 's=a,"b"', '--param', "ids=['x','y']"];
  const table = await run([...args], home);
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /^doubled\s+s\s+ids\n/);
  assert.match(table.stdout, /\n\s*42\s+a,"b"\s+\["x","y"\]\n\(1 row\)\n$/);
  const json = await run([...args, '--format', 'json'], home);
  assert.equal(json.code, 0, json.stderr);
  assert.deepEqual(JSON.parse(json.stdout), [{ doubled: '42', s: 'a,"b"', ids: ['x', 'y'] }]);
  const csv = await run([...args, '--format', 'csv'], home);
  assert.equal(csv.stdout, 'doubled,s,ids\r\n42,"a,""b""","[""x"",""y""]"\r\n');
  assert.ok(fs.existsSync(path.join(home, 'clickhouse')), 'the store was created under MARKETBENCH_HOME');
});

test('query exits 2 with MB_ERR_QUERY_FAILED on bad SQL, 1 on a bad flag', async () => {
  const home = tempHome();
  const bad = await run(['query', 'SELECT nope FROM otel_traces'], home);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^marketbench: query failed: .*nope.*\[MB_ERR_QUERY_FAILED\]\n$/s);
  assert.doesNotMatch(bad.stderr, /\n\s+at /, 'no stack without --verbose');
  const usage = await run(['query', 'SELECT 1', '--format', 'xml'], home);
  assert.equal(usage.code, 1);
  assert.match(usage.stderr, /--format must be one of table, json, csv/);
  const param = await run(['query', 'SELECT 1', '--param', 'novalue'], home);
  assert.equal(param.code, 1);
});
