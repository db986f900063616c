// The remote backend end to end: a RemoteStore client against handleStoreRequest mounted on
// a real node:http server in front of a chDB store (openStore.test.ts covers the routing
// through an owner process).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { isStoreError } from '../../src/errors.ts';
import { OTEL_TABLES } from '../../src/schema/otelTables.ts';
import type { ChdbStore } from '../../src/store/ChdbStore.ts';
import { openStore } from '../../src/store/openStore.ts';
import { RemoteStore } from '../../src/store/RemoteStore.ts';
import { handleStoreRequest, STORE_PATHS } from '../../src/store/storeProtocol.ts';
import { baseSpan, storeSuite } from './storeSuite.ts';

let home: string;
let owner: ChdbStore;
let server: http.Server;
let url: string;
const requests: string[] = [];

before(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'mb-remote-'));
  owner = (await openStore({ home })) as ChdbStore;
  server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    handleStoreRequest(owner, req, res).then((handled) => {
      if (!handled) res.writeHead(404).end('not mine');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
after(async () => {
  await new Promise((r) => server.close(r));
  await owner.close();
  fs.rmSync(home, { recursive: true, force: true });
});

storeSuite('remote', {
  // Every test starts from empty tables on the owner.
  async open() {
    const tables = await owner.query<{ name: string }>(
      "SELECT name FROM system.tables WHERE database = currentDatabase() AND engine NOT IN ('MaterializedView') AND name != 'marketbench_schema_migrations'",
    );
    for (const t of tables) await owner.exec(`TRUNCATE TABLE ${t.name}`);
    return new RemoteStore(url, owner.database, process.pid);
  },
});

test('remote: parameters travel as ClickHouse HTTP param_<name> query-string values', async () => {
  requests.length = 0;
  const r = new RemoteStore(url, owner.database);
  await r.query('SELECT {s:String} AS s, {a:Array(String)} AS a', { s: 'a\tb', a: ['x', "y'z"] });
  const q = new URL(requests[0]?.split(' ')[1] ?? '', url);
  assert.equal(q.pathname, STORE_PATHS.query);
  assert.equal(q.searchParams.get('param_s'), 'a\\tb');
  assert.equal(q.searchParams.get('param_a'), "['x','y\\'z']");
  assert.equal(q.searchParams.get('default_format'), 'JSON');
});

test('remote: the wire answers are {"data":[...]}, JSONEachRow lines, 204 on insert and problem+json on error', async () => {
  const q = await fetch(`${url}${STORE_PATHS.query}?default_format=JSON&param_n=3`, {
    method: 'POST',
    body: 'SELECT number FROM numbers({n:UInt8})',
  });
  assert.equal(q.status, 200);
  assert.deepEqual(await q.json(), { data: [{ number: '0' }, { number: '1' }, { number: '2' }] });
  const s = await fetch(`${url}${STORE_PATHS.query}?default_format=JSONEachRow`, {
    method: 'POST',
    body: 'SELECT 1 AS x',
  });
  assert.equal(await s.text(), '{"x":1}\n');
  const ins = await fetch(`${url}${STORE_PATHS.insert}?table=${OTEL_TABLES.traces}`, {
    method: 'POST',
    body: `${JSON.stringify(baseSpan({ SpanId: 'wire' }))}\n`,
  });
  assert.equal(ins.status, 204);
  const bad = await fetch(`${url}${STORE_PATHS.query}`, { method: 'POST', body: 'SELEKT' });
  assert.equal(bad.status, 400);
  assert.equal(bad.headers.get('content-type'), 'application/problem+json');
  assert.equal(((await bad.json()) as { code: string }).code, 'MB_ERR_QUERY_FAILED');
  const other = await fetch(`${url}/v1/traces`, { method: 'POST', body: '' });
  assert.equal(other.status, 404, 'paths outside the protocol are left to the caller');
});

test('remote: an owner that is gone gives MB_ERR_STORE_UNREACHABLE', async () => {
  const dead = new RemoteStore('http://127.0.0.1:9', 'otel', 12345);
  await assert.rejects(dead.query('SELECT 1'), (err: unknown) =>
    isStoreError(err, 'MB_ERR_STORE_UNREACHABLE'),
  );
});

test('remote: a client configured for another database is refused with MB_ERR_STORE_CONFIG', async () => {
  const wrong = new RemoteStore(url, 'elsewhere');
  await assert.rejects(wrong.query('SELECT 1'), (err: unknown) => {
    assert.ok(isStoreError(err, 'MB_ERR_STORE_CONFIG'), String(err));
    assert.match((err as Error).message, new RegExp(`serves database ${owner.database}, not elsewhere`));
    return true;
  });
  await assert.rejects(wrong.insert(OTEL_TABLES.traces, [baseSpan()]), (err: unknown) =>
    isStoreError(err, 'MB_ERR_STORE_CONFIG'),
  );
});
