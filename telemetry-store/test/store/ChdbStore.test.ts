// The shared store suite on embedded chDB, plus what only the embedded backend does:
// handles in one process share one session, and work stays off the event loop.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { OTEL_TABLES } from '@marketbench/contracts';
import { isStoreError } from '../../src/errors.ts';
import { openStore } from '../../src/store/openStore.ts';
import { baseSpan, storeSuite } from './storeSuite.ts';

const dirs: string[] = [];
function tempHome(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'mb-chdb-'));
  dirs.push(d);
  return d;
}

storeSuite('chdb', {
  open: () => openStore({ home: tempHome() }),
  after: async () => {
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  },
});

test('chdb: data lives under <home>/clickhouse and survives close and reopen', async () => {
  const home = tempHome();
  const a = await openStore({ home });
  assert.equal(a.backend, 'chdb');
  assert.equal(a.location, path.join(home, 'clickhouse'));
  await a.insert(OTEL_TABLES.traces, [baseSpan()]);
  await a.close();
  assert.ok(fs.existsSync(path.join(home, 'clickhouse', 'metadata')));
  assert.ok(!fs.existsSync(path.join(home, 'clickhouse.lock')), 'close() releases the owner lock');
  const b = await openStore({ home });
  assert.deepEqual(await b.query(`SELECT count() AS c FROM ${OTEL_TABLES.traces}`), [{ c: '1' }]);
  await b.close();
});

test('chdb: two handles in one process share the session; each uses its own database', async () => {
  const home = tempHome();
  const a = await openStore({ home, database: 'otel' });
  const b = await openStore({ home, database: 'other' });
  await a.insert(OTEL_TABLES.traces, [baseSpan()]);
  assert.deepEqual(await b.query(`SELECT count() AS c FROM ${OTEL_TABLES.traces}`), [{ c: '0' }]);
  assert.deepEqual(await a.query(`SELECT count() AS c FROM ${OTEL_TABLES.traces}`), [{ c: '1' }]);
  assert.deepEqual(await b.query('SELECT currentDatabase() AS d'), [{ d: 'other' }]);
  await a.close();
  // The session stays open for b until its last handle closes.
  assert.deepEqual(await b.query('SELECT 1 AS one'), [{ one: 1 }]);
  await b.close();
  await assert.rejects(b.query('SELECT 1'), /closed/);
});

test('chdb: a large insert and query run off the event loop (timers keep firing)', async () => {
  const home = tempHome();
  const s = await openStore({ home });
  const rows = Array.from({ length: 50_000 }, (_, i) => baseSpan({ SpanId: `s${i}`, Duration: i }));
  let body = '';
  for (const r of rows) body += `${JSON.stringify(r)}\n`;
  let ticks = 0;
  const timer = setInterval(() => ticks++, 1);
  const t0 = Date.now();
  await s.insertJsonEachRow(OTEL_TABLES.traces, body);
  await s.query(
    `SELECT ServiceName, quantile(0.99)(Duration) FROM ${OTEL_TABLES.traces} GROUP BY ServiceName`,
  );
  const elapsed = Date.now() - t0;
  clearInterval(timer);
  assert.deepEqual(await s.query(`SELECT count() AS c FROM ${OTEL_TABLES.traces}`), [{ c: '50000' }]);
  await s.close();
  // A blocking call would let no interval run during the insert; off-thread it runs most ms.
  assert.ok(elapsed < 20 || ticks > 0, `timer fired ${ticks} times during ${elapsed} ms of insert+query`);
});

test('chdb: TTL days from the environment reach the DDL; 0 means no TTL clause', async () => {
  const home = tempHome();
  process.env.MARKETBENCH_TTL_DAYS = '7';
  try {
    const s = await openStore({ home });
    const rows = await s.query<{ name: string; ttl: number }>(
      "SELECT name, position(create_table_query, 'toIntervalDay(7)') > 0 AS ttl FROM system.tables WHERE database = currentDatabase() AND name IN ('otel_traces', 'otel_logs', 'otel_metrics_sum', 'otel_traces_trace_id_ts') ORDER BY name",
    );
    assert.deepEqual(
      rows.map((r) => [r.name, Boolean(r.ttl)]),
      [
        ['otel_logs', true],
        ['otel_metrics_sum', true],
        ['otel_traces', true],
        ['otel_traces_trace_id_ts', true],
      ],
    );
    await s.close();
  } finally {
    delete process.env.MARKETBENCH_TTL_DAYS;
  }
  const s = await openStore({ home: tempHome() });
  const ttl = await s.query(
    "SELECT count() AS c FROM system.tables WHERE database = currentDatabase() AND create_table_query LIKE '% TTL %'",
  );
  assert.deepEqual(ttl, [{ c: '0' }]);
  await s.close();
});

test('chdb: a second directory in the same process is refused with a message naming the open one', async () => {
  const first = tempHome();
  const a = await openStore({ home: first });
  const second = tempHome();
  await assert.rejects(openStore({ home: second }), (err: unknown) => {
    assert.ok(isStoreError(err, 'MB_ERR_STORE_UNREACHABLE'), String(err));
    assert.match(
      (err as Error).message,
      new RegExp(`one data directory per process: ${path.join(first, 'clickhouse')}`),
    );
    return true;
  });
  assert.ok(!fs.existsSync(path.join(second, 'clickhouse.lock')), 'the refused open took no lock');
  await a.close();
  const b = await openStore({ home: second });
  await b.close();
});
