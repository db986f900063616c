// The owner's ClickHouse HTTP interface on the wire, as @clickhouse/client and curl meet it:
// ClickHouse's error format, query_params of every kind (in the URL and in a multipart body),
// inserts then selects, formats, settings, compression, /ping, readonly GET, no
// multi-statements, no session leaks, and a loopback-only bind.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import zlib from 'node:zlib';
import { type ClickHouseClient, ClickHouseError, ClickHouseLogLevel, createClient } from '@clickhouse/client';
import { OTEL_TABLES } from '@marketbench/contracts';
import { isStoreError } from '../../src/errors.ts';
import { type StoreServer, serveStore } from '../../src/serve/serveStore.ts';
import type { ChdbStore } from '../../src/store/ChdbStore.ts';
import { openStore } from '../../src/store/openStore.ts';
import { ServerStore } from '../../src/store/ServerStore.ts';
import { baseSpan } from '../store/storeSuite.ts';

let home: string;
let owner: ChdbStore;
let server: StoreServer;
let client: ClickHouseClient;

before(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'mb-chhttp-'));
  owner = (await openStore({ home, owner: true })) as ChdbStore;
  server = await serveStore(owner);
  client = createClient({
    url: server.url,
    database: owner.database,
    log: { level: ClickHouseLogLevel.OFF },
  });
});
after(async () => {
  await client.close();
  await server.close();
  await owner.close();
  fs.rmSync(home, { recursive: true, force: true });
});

/** POSTs with node:http and returns the raw (still encoded) body. */
function rawPost(
  url: string,
  body: string | Buffer,
  headers: Record<string, string>,
): Promise<{ headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

test('a bad query gets ClickHouse\'s error: status, X-ClickHouse-Exception-Code and the "Code: N. DB::Exception" body', async () => {
  const res = await fetch(`${server.url}/`, {
    method: 'POST',
    body: 'SELECT no_such_column FROM otel_traces',
  });
  assert.equal(res.status, 404, 'UNKNOWN_IDENTIFIER is a 404 on clickhouse-server');
  assert.equal(res.headers.get('x-clickhouse-exception-code'), '47');
  const body = await res.text();
  assert.match(
    body,
    /^Code: 47\. DB::Exception: .*no_such_column.*\. \(UNKNOWN_IDENTIFIER\) \(version \d+\.\d+/,
  );
  assert.ok(!/Code: 47.*Code: 47/.test(body), `chDB's nested prefixes are unwrapped: ${body}`);

  const syntax = await fetch(`${server.url}/`, { method: 'POST', body: 'SELEKT 1' });
  assert.equal(syntax.status, 400);
  assert.equal(syntax.headers.get('x-clickhouse-exception-code'), '62');

  // @clickhouse/client parses it into a ClickHouseError with the code and name.
  await assert.rejects(client.query({ query: 'SELECT * FROM no_such_table' }), (err: unknown) => {
    assert.ok(err instanceof ClickHouseError, String(err));
    assert.equal(err.code, '60');
    assert.equal(err.type, 'UNKNOWN_TABLE');
    return true;
  });
  // And the server backend shows the user ClickHouse's code and message.
  const store = await ServerStore.open(server.url, owner.database, { pid: process.pid });
  try {
    await assert.rejects(store.query('SELECT no_such_column FROM otel_traces'), (err: unknown) => {
      assert.ok(isStoreError(err, 'MB_ERR_QUERY_FAILED'), String(err));
      assert.match(
        (err as Error).message,
        /Code: 47\. DB::Exception: .*no_such_column.*\(UNKNOWN_IDENTIFIER\)/,
      );
      return true;
    });
  } finally {
    await store.close();
  }
});

const PARAM_QUERY = `SELECT {s:String} AS s, {big:UInt64} AS big, {neg:Int32} AS neg, {f:Float64} AS f, {b:Bool} AS b,
  {d:Date} AS d, {ts:DateTime64(3, 'UTC')} AS ts, {u:UUID} AS u, {a:Array(String)} AS a,
  {an:Array(Nullable(String))} AS an, {m:Map(String, UInt8)} AS m, {t:Tuple(String, Int32)} AS t,
  {z:Nullable(String)} AS z, {ip:IPv4} AS ip`;
const PARAMS = {
  s: 'it\'s a\ttab, a \\ backslash, "quotes"\nand a line',
  big: '18446744073709551615',
  neg: -42,
  f: 2.5,
  b: true,
  d: '2026-03-01',
  ts: new Date(Date.UTC(2026, 2, 1, 12, 0, 0, 123)),
  u: '5b8efff7-9803-8103-d269-b633813fc60c',
  a: ["x'y", 'z\\w', 'tab\there', ''],
  an: ['a', null],
  m: { "k'1": 1, k2: 2 },
  z: null,
  ip: '127.0.0.1',
};
const EXPECTED = {
  s: PARAMS.s,
  big: '18446744073709551615',
  neg: -42,
  f: 2.5,
  b: true,
  d: '2026-03-01',
  ts: '2026-03-01 12:00:00.123',
  u: '5b8efff7-9803-8103-d269-b633813fc60c',
  a: ["x'y", 'z\\w', 'tab\there', ''],
  an: ['a', null],
  m: { "k'1": 1, k2: 2 },
  t: ["o'k", 7],
  z: null,
  ip: '127.0.0.1',
};

test('query_params of many types bind as on a server, in the URL and in a multipart body', async () => {
  const { TupleParam } = await import('@clickhouse/client');
  for (const use_multipart_params of [false, true]) {
    const rs = await client.query({
      query: PARAM_QUERY,
      query_params: { ...PARAMS, t: new TupleParam(["o'k", 7]) },
      format: 'JSONEachRow',
      clickhouse_settings: { output_format_json_quote_64bit_integers: 1 },
      use_multipart_params,
    });
    assert.deepEqual(await rs.json(), [EXPECTED], `multipart=${use_multipart_params}`);
  }
});

test('insert then select through @clickhouse/client, with the summary header counting written rows', async () => {
  const spans = [baseSpan({ SpanId: 'ins-1' }), baseSpan({ SpanId: 'ins-2' })];
  const res = await client.insert({ table: OTEL_TABLES.traces, values: spans, format: 'JSONEachRow' });
  // Span rows plus those the materialized views write, counted as the engine counts a direct insert.
  const direct = await owner.insertRaw({
    table: OTEL_TABLES.traces,
    database: owner.database,
    format: 'JSONEachRow',
    values: Buffer.from(
      spans.map((s) => `${JSON.stringify({ ...s, SpanId: `direct-${s.SpanId}` })}\n`).join(''),
    ),
  });
  assert.ok(direct.rowsWritten > spans.length, 'the views wrote rows too');
  assert.equal(res.summary?.written_rows, String(direct.rowsWritten));
  const compact = await client.insert({
    table: 'marketbench_load_faults',
    values: [['r-compact', '2026-03-01 12:00:00.000', 'psp', 'set', '{}']],
    columns: ['run_id', 'ts', 'dependency', 'action', 'spec'],
  });
  assert.equal(compact.summary?.written_rows, '1');
  const rs = await client.query({
    query: `SELECT SpanId, Duration FROM ${OTEL_TABLES.traces} WHERE SpanId LIKE 'ins-%' ORDER BY SpanId`,
    format: 'JSONEachRow',
  });
  assert.deepEqual(await rs.json(), [
    { SpanId: 'ins-1', Duration: '1234567' },
    { SpanId: 'ins-2', Duration: '1234567' },
  ]);
  // A URL setting reaches the insert: unknown fields (skipped by default) are refused when asked.
  const extra = [{ ...baseSpan({ SpanId: 'ins-3' }), NotAColumn: 1 }];
  await assert.rejects(
    client.insert({
      table: OTEL_TABLES.traces,
      values: extra,
      format: 'JSONEachRow',
      clickhouse_settings: { input_format_skip_unknown_fields: 0 },
    }),
    (err: unknown) => err instanceof ClickHouseError && /NotAColumn/.test(err.message),
  );
  await client.insert({ table: OTEL_TABLES.traces, values: extra, format: 'JSONEachRow' });
  const n = await client.query({
    query: `SELECT count() AS n FROM ${OTEL_TABLES.traces} WHERE SpanId = 'ins-3'`,
    format: 'JSONEachRow',
  });
  assert.deepEqual(await n.json(), [{ n: '1' }]);
});

test('default_format and FORMAT choose the output, and X-ClickHouse-Format says which', async () => {
  const def = await fetch(`${server.url}/?default_format=JSONCompactEachRow`, {
    method: 'POST',
    body: 'SELECT number, toString(number) AS s FROM numbers(2)',
  });
  assert.equal(def.headers.get('x-clickhouse-format'), 'JSONCompactEachRow');
  assert.equal(await def.text(), '["0", "0"]\n["1", "1"]\n');
  const csv = await fetch(`${server.url}/?default_format=JSON`, {
    method: 'POST',
    body: 'SELECT number FROM numbers(2) FORMAT CSVWithNames',
  });
  assert.equal(csv.headers.get('x-clickhouse-format'), 'CSVWithNames');
  assert.match(csv.headers.get('content-type') ?? '', /^text\/csv/);
  assert.equal(await csv.text(), '"number"\n0\n1\n');
  const tsv = await fetch(`${server.url}/?query=${encodeURIComponent('SELECT 1, 2')}`);
  assert.equal(await tsv.text(), '1\t2\n', 'TabSeparated without a format, as a server');
  const summary = JSON.parse(tsv.headers.get('x-clickhouse-summary') ?? '{}') as Record<string, string>;
  assert.equal(summary.result_rows, '1');
  assert.ok(tsv.headers.get('x-clickhouse-query-id'));
});

test('URL settings apply to that query only; SET and USE change nothing after their request', async () => {
  const q = (settings: string) =>
    fetch(`${server.url}/?default_format=JSONEachRow${settings}`, {
      method: 'POST',
      body: 'SELECT count() AS c FROM numbers(3)',
    }).then((r) => r.text());
  assert.equal(await q(''), '{"c":"3"}\n', 'the owner quotes 64-bit integers, as a server does');
  assert.equal(await q('&output_format_json_quote_64bit_integers=0'), '{"c":3}\n');
  assert.equal(await q(''), '{"c":"3"}\n');
  const set = await fetch(`${server.url}/`, {
    method: 'POST',
    body: 'SET output_format_json_quote_64bit_integers = 0',
  });
  assert.equal(set.status, 200);
  const use = await fetch(`${server.url}/`, { method: 'POST', body: 'USE system' });
  assert.equal(use.status, 200);
  assert.equal(await q(''), '{"c":"3"}\n');
  assert.deepEqual(await owner.query('SELECT currentDatabase() AS db'), [{ db: owner.database }]);
  // A query's own SETTINGS win over the URL's, as on a server.
  const own = await fetch(
    `${server.url}/?default_format=JSONEachRow&output_format_json_quote_64bit_integers=0`,
    {
      method: 'POST',
      body: 'SELECT count() AS c FROM numbers(3) SETTINGS output_format_json_quote_64bit_integers = 1',
    },
  );
  assert.equal(await own.text(), '{"c":"3"}\n');
  const unknown = await fetch(`${server.url}/?no_such_setting=1`, { method: 'POST', body: 'SELECT 1' });
  assert.equal(unknown.headers.get('x-clickhouse-exception-code'), '115');
});

test('database= selects another database for one request; the owner keeps its own', async () => {
  await owner.exec('CREATE DATABASE IF NOT EXISTS side');
  await owner.exec('CREATE TABLE IF NOT EXISTS side.t (x UInt8) ENGINE = Memory');
  await owner.exec('INSERT INTO side.t VALUES (7)');
  const side = createClient({ url: server.url, database: 'side', log: { level: ClickHouseLogLevel.OFF } });
  try {
    const [r1, r2] = await Promise.all([
      side.query({ query: 'SELECT x FROM t', format: 'JSONEachRow' }).then((r) => r.json()),
      client.query({ query: 'SELECT currentDatabase() AS db', format: 'JSONEachRow' }).then((r) => r.json()),
    ]);
    assert.deepEqual(r1, [{ x: 7 }]);
    assert.deepEqual(r2, [{ db: owner.database }]);
    assert.deepEqual(await owner.query('SELECT currentDatabase() AS db'), [{ db: owner.database }]);
    const missing = await fetch(`${server.url}/?database=nope`, { method: 'POST', body: 'SELECT 1' });
    assert.equal(missing.status, 404);
    assert.equal(missing.headers.get('x-clickhouse-exception-code'), '81');
  } finally {
    await side.close();
  }
});

test('compression: gzip request bodies are read, responses are compressed when the client asks', async () => {
  const gz = createClient({
    url: server.url,
    database: owner.database,
    compression: { request: true, response: true },
    log: { level: ClickHouseLogLevel.OFF },
  });
  try {
    await gz.insert({
      table: 'marketbench_load_faults',
      values: [{ run_id: 'gz', ts: '2026-03-01 12:00:00.000', dependency: 'psp', action: 'set', spec: '{}' }],
      format: 'JSONEachRow',
    });
    const rs = await gz.query({
      query: "SELECT run_id FROM marketbench_load_faults WHERE run_id = 'gz'",
      format: 'JSONEachRow',
    });
    assert.deepEqual(await rs.json(), [{ run_id: 'gz' }]);
  } finally {
    await gz.close();
  }
  for (const [encoding, inflate] of [
    ['gzip', zlib.gunzipSync],
    ['deflate', zlib.inflateSync],
    ['br', zlib.brotliDecompressSync],
    ['zstd', zlib.zstdDecompressSync],
  ] as const) {
    // node:http, not fetch: fetch would inflate the body itself.
    const { headers, body } = await rawPost(`${server.url}/?enable_http_compression=1`, 'SELECT 42', {
      'accept-encoding': encoding,
    });
    assert.equal(headers['content-encoding'], encoding);
    assert.equal(inflate(body).toString(), '42\n');
  }
  const plain = await fetch(`${server.url}/`, {
    method: 'POST',
    body: 'SELECT 42',
    headers: { 'accept-encoding': 'gzip' },
  });
  assert.equal(
    plain.headers.get('content-encoding'),
    null,
    'not compressed without enable_http_compression=1',
  );
  const bad = await fetch(`${server.url}/`, {
    method: 'POST',
    body: 'not gzip at all',
    headers: { 'content-encoding': 'gzip' },
  });
  assert.equal(bad.headers.get('x-clickhouse-exception-code'), '271');
});

test('/ping and GET / answer Ok.; GET is readonly; one statement per request', async () => {
  assert.deepEqual(await client.ping(), { success: true });
  assert.equal(await (await fetch(`${server.url}/ping`)).text(), 'Ok.\n');
  assert.equal(await (await fetch(`${server.url}/`)).text(), 'Ok.\n');
  const get = await fetch(`${server.url}/?query=${encodeURIComponent('SELECT 7')}`);
  assert.equal(await get.text(), '7\n');
  const drop = await fetch(
    `${server.url}/?query=${encodeURIComponent('DROP TABLE marketbench_load_faults')}`,
  );
  assert.equal(drop.headers.get('x-clickhouse-exception-code'), '164');
  assert.match(await drop.text(), /method GET implies readonly/);
  const insertGet = await fetch(
    `${server.url}/?query=${encodeURIComponent('INSERT INTO marketbench_load_faults SELECT * FROM marketbench_load_faults')}`,
  );
  assert.equal(insertGet.headers.get('x-clickhouse-exception-code'), '164');
  const multi = await fetch(`${server.url}/`, {
    method: 'POST',
    body: 'SELECT 1; DROP TABLE marketbench_load_faults',
  });
  assert.equal(multi.status, 400);
  assert.match(await multi.text(), /Multi-statements are not allowed/);
  const semicolons = await fetch(`${server.url}/`, { method: 'POST', body: "SELECT ';' AS x; -- done\n" });
  assert.equal(await semicolons.text(), ';\n');
  assert.deepEqual(
    await owner.query("SELECT count() AS n FROM system.tables WHERE name = 'marketbench_load_faults'"),
    [{ n: '1' }],
  );
  const session = await fetch(`${server.url}/?session_id=abc`, { method: 'POST', body: 'SELECT 1' });
  assert.equal(session.status, 501);
});

test('the store is served on loopback only: any other bind is refused with MB_ERR_STORE_CONFIG', async () => {
  for (const host of ['0.0.0.0', '::', '192.168.1.10']) {
    await assert.rejects(serveStore(owner, { host }), (err: unknown) => {
      assert.ok(isStoreError(err, 'MB_ERR_STORE_CONFIG'), String(err));
      assert.match(
        (err as Error).message,
        new RegExp(`${host.replaceAll('.', '\\.')} is not a loopback address`),
      );
      return true;
    });
  }
  await assert.rejects(
    serveStore(owner, { environment: { MARKETBENCH_STORE_HOST: '0.0.0.0' } }),
    (err: unknown) => isStoreError(err, 'MB_ERR_STORE_CONFIG'),
  );
  await assert.rejects(
    serveStore(owner, { environment: { MARKETBENCH_STORE_PORT: 'eighty' } }),
    (err: unknown) => {
      assert.match(String(err), /MARKETBENCH_STORE_PORT must be a port number from 0 to 65535, got "eighty"/);
      return (err as { code?: string }).code === 'MB_ERR_USAGE';
    },
  );
  const v6 = await serveStore(owner, { host: '::1' });
  try {
    assert.match(v6.url, /^http:\/\/\[::1\]:\d+$/);
    assert.equal(await (await fetch(`${v6.url}/ping`)).text(), 'Ok.\n');
  } finally {
    await v6.close();
  }
});

test("a body over the limit gets ClickHouse's QUERY_IS_TOO_LARGE (413), also when it only grows that large inflated", async () => {
  const small = await serveStore(owner, { maxBodyBytes: 1024 });
  try {
    const big = `INSERT INTO marketbench_load_faults FORMAT JSONEachRow\n${'{"run_id":"x"}\n'.repeat(200)}`;
    const plain = await fetch(`${small.url}/`, { method: 'POST', body: big });
    assert.equal(plain.status, 413);
    assert.equal(plain.headers.get('x-clickhouse-exception-code'), '229');
    const { headers } = await rawPost(`${small.url}/`, zlib.gzipSync(big), {
      'content-encoding': 'gzip',
    });
    assert.equal(headers['x-clickhouse-exception-code'], '229');
  } finally {
    await small.close();
  }
  assert.deepEqual(await owner.query("SELECT count() AS n FROM marketbench_load_faults WHERE run_id = 'x'"), [
    { n: '0' },
  ]);
});
