// The behaviour every backend must share (chDB, remote through an owner, ClickHouse server):
// round trips of the exporter's column types, parameter binding, streaming and errors.
// Each backend's test file calls storeSuite() with a way to open a fresh migrated store.

import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { OTEL_TABLES } from '@marketbench/contracts';
import { isStoreError } from '../../src/errors.ts';
import type { Store } from '../../src/types.ts';

/** A span row as the ingest writes it, with Map, Nested and DateTime64(9) columns. */
export function baseSpan(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    Timestamp: '2026-03-01 12:00:00.123456789',
    TraceId: '5b8efff798038103d269b633813fc60c',
    SpanId: 'eee19b7ec3c1b174',
    ParentSpanId: '',
    TraceState: '',
    SpanName: 'GET /listings/:id',
    SpanKind: 'Server',
    ServiceName: 'marketbench-reference-service',
    ResourceAttributes: { 'service.name': 'marketbench-reference-service', 'host.name': 'h1' },
    ScopeName: '@opentelemetry/instrumentation-http',
    ScopeVersion: '0.301.0',
    SpanAttributes: { 'http.route': '/listings/:id', 'http.response.status_code': '200' },
    Duration: 1_234_567,
    StatusCode: 'Unset',
    StatusMessage: '',
    'Events.Timestamp': ['2026-03-01 12:00:00.123500001', '2026-03-01 12:00:00.124000002'],
    'Events.Name': ['cache.miss', 'db.query'],
    'Events.Attributes': [{ key: 'listing:1' }, {}],
    'Links.TraceId': ['0af7651916cd43dd8448eb211c80319c'],
    'Links.SpanId': ['b7ad6b7169203331'],
    'Links.TraceState': ['k=v'],
    'Links.Attributes': [{ 'link.kind': 'follows' }],
    ...overrides,
  };
}

export interface SuiteHooks {
  /** Opens a fresh, migrated store; the suite closes it. */
  open(): Promise<Store>;
  /** Called once after the suite. */
  after?(): Promise<void>;
}

export function storeSuite(name: string, hooks: SuiteHooks): void {
  const withStore = async (fn: (s: Store) => Promise<void>): Promise<void> => {
    const s = await hooks.open();
    try {
      await fn(s);
    } finally {
      await s.close();
    }
  };
  after(async () => {
    await hooks.after?.();
  });

  test(`${name}: a span with Map, Nested and DateTime64(9) columns round-trips through insert and query`, async () => {
    await withStore(async (s) => {
      await s.insert(OTEL_TABLES.traces, [baseSpan()]);
      const rows = await s.query<Record<string, unknown>>(
        `SELECT Timestamp, SpanAttributes, Events.Timestamp AS et, Events.Name AS en, Events.Attributes AS ea,
                Links.TraceId AS lt, Links.Attributes AS la, Duration, ResourceAttributes['host.name'] AS host
         FROM ${OTEL_TABLES.traces}`,
      );
      assert.equal(rows.length, 1);
      const r = rows[0] as Record<string, unknown>;
      assert.equal(r.Timestamp, '2026-03-01 12:00:00.123456789');
      assert.deepEqual(r.SpanAttributes, {
        'http.route': '/listings/:id',
        'http.response.status_code': '200',
      });
      assert.deepEqual(r.et, ['2026-03-01 12:00:00.123500001', '2026-03-01 12:00:00.124000002']);
      assert.deepEqual(r.en, ['cache.miss', 'db.query']);
      assert.deepEqual(r.ea, [{ key: 'listing:1' }, {}]);
      assert.deepEqual(r.lt, ['0af7651916cd43dd8448eb211c80319c']);
      assert.deepEqual(r.la, [{ 'link.kind': 'follows' }]);
      // UInt64 (here Duration; also UInt32 + 1) comes back as a JSON string (ClickHouse quotes 64-bit integers), on every backend.
      assert.equal(r.Duration, '1234567');
      assert.equal(r.host, 'h1');
      // The exporter's materialized view filled the trace-id lookup table.
      const ts = await s.query<{ Start: string; End: string }>(
        `SELECT Start, End FROM ${OTEL_TABLES.tracesTraceIdTs} WHERE TraceId = {id:String}`,
        { id: '5b8efff798038103d269b633813fc60c' },
      );
      assert.deepEqual(ts, [{ Start: '2026-03-01 12:00:00', End: '2026-03-01 12:00:00' }]);
    });
  });

  test(`${name}: insertJsonEachRow takes pre-serialised rows`, async () => {
    await withStore(async (s) => {
      const body = `${JSON.stringify(baseSpan({ SpanId: 'a1' }))}\n${JSON.stringify(baseSpan({ SpanId: 'a2' }))}\n`;
      await s.insertJsonEachRow(OTEL_TABLES.traces, body);
      const rows = await s.query<{ SpanId: string }>(
        `SELECT SpanId FROM ${OTEL_TABLES.traces} ORDER BY SpanId`,
      );
      assert.deepEqual(
        rows.map((r) => r.SpanId),
        ['a1', 'a2'],
      );
    });
  });

  test(`${name}: {name:Type} parameters bind strings with quotes and tabs, numbers, arrays and NULL`, async () => {
    await withStore(async (s) => {
      const tricky = 'it\'s a\ttab\\and "quote"\nline';
      const rows = await s.query<Record<string, unknown>>(
        'SELECT {s:String} AS s, {n:UInt32} + 1 AS n, {f:Float64} AS f, {a:Array(String)} AS a, {ai:Array(UInt16)} AS ai, {z:Nullable(String)} AS z, {b:Bool} AS b',
        { s: tricky, n: 41, f: 2.5, a: ["x'y", 'z\\w', ''], ai: [1, 2, 3], z: null, b: true },
      );
      assert.deepEqual(rows, [
        { s: tricky, n: '42', f: 2.5, a: ["x'y", 'z\\w', ''], ai: [1, 2, 3], z: null, b: true },
      ]);
      // A bound value is data, never SQL: an injection attempt matches no row.
      await s.insert(OTEL_TABLES.traces, [baseSpan()]);
      const none = await s.query(
        `SELECT count() AS c FROM ${OTEL_TABLES.traces} WHERE ServiceName = {svc:String}`,
        {
          svc: "x' OR 1=1 --",
        },
      );
      assert.deepEqual(none, [{ c: '0' }]);
    });
  });

  test(`${name}: stream() yields every row of a large result in batches`, async () => {
    await withStore(async (s) => {
      let n = 0;
      let sum = 0;
      let batches = 0;
      for await (const batch of s.stream<{ number: string }>('SELECT number FROM numbers({n:UInt32})', {
        n: 200_000,
      })) {
        batches++;
        n += batch.length;
        for (const r of batch) sum += Number(r.number);
      }
      assert.equal(n, 200_000);
      assert.equal(sum, (200_000 * 199_999) / 2);
      assert.ok(batches >= 1);
    });
  });

  test(`${name}: a stream survives queries and inserts issued while it is being read`, async () => {
    await withStore(async (s) => {
      let n = 0;
      let interleaved = 0;
      for await (const batch of s.stream<{ number: string }>('SELECT number FROM numbers(50000)')) {
        n += batch.length;
        // The ingest keeps inserting while the owner serves a reader: neither may break the other.
        await s.insert(OTEL_TABLES.traces, [baseSpan({ SpanId: `i${interleaved}` })]);
        await s.query('SELECT 1');
        interleaved++;
      }
      assert.equal(n, 50_000);
      assert.deepEqual(await s.query(`SELECT count() AS c FROM ${OTEL_TABLES.traces}`), [
        { c: String(interleaved) },
      ]);
    });
  });

  test(`${name}: query() and stream() run a statement that returns no rows (INSERT ... VALUES)`, async () => {
    await withStore(async (s) => {
      const insert = (id: string) =>
        `INSERT INTO marketbench_load_faults (run_id, ts, dependency, action, spec) VALUES ('${id}', now64(3), 'psp', 'set', '{}')`;
      assert.deepEqual(await s.query(insert('q1')), []);
      for await (const batch of s.stream(insert('q2'))) assert.deepEqual(batch, []);
      assert.deepEqual(await s.query('SELECT run_id FROM marketbench_load_faults ORDER BY run_id'), [
        { run_id: 'q1' },
        { run_id: 'q2' },
      ]);
    });
  });

  test(`${name}: a bad query fails with MB_ERR_QUERY_FAILED and the ClickHouse message`, async () => {
    await withStore(async (s) => {
      await assert.rejects(s.query('SELECT no_such_column FROM otel_traces'), (err: unknown) => {
        assert.ok(isStoreError(err, 'MB_ERR_QUERY_FAILED'), String(err));
        assert.match((err as Error).message, /no_such_column/);
        return true;
      });
      await assert.rejects(
        s.insertJsonEachRow(OTEL_TABLES.traces, '{"Timestamp": "not a time"}\n'),
        (err: unknown) => isStoreError(err, 'MB_ERR_INSERT_FAILED'),
      );
    });
  });

  test(`${name}: marketbench_load_runs keeps the latest version of a run under FINAL`, async () => {
    await withStore(async (s) => {
      const run = {
        run_id: 'r1',
        scenario: 'browse',
        status: 'running',
        started_at: '2026-03-01 12:00:00.000',
        ended_at: null,
        git_commit: 'abc',
        target: 'http://127.0.0.1:8080',
        config: '{}',
        requests_total: 0,
        errors_total: 0,
        dropped_iterations: 0,
        thresholds: '[]',
        summary: '{}',
        time_scale: 1,
        updated_at: '2026-03-01 12:00:00.000',
      };
      await s.insert('marketbench_load_runs', [run]);
      await s.insert('marketbench_load_runs', [
        {
          ...run,
          status: 'passed',
          ended_at: '2026-03-01 12:05:00.000',
          requests_total: 1000,
          updated_at: '2026-03-01 12:05:00.000',
        },
      ]);
      const rows = await s.query('SELECT status, requests_total, ended_at FROM marketbench_load_runs FINAL');
      assert.deepEqual(rows, [
        { status: 'passed', requests_total: '1000', ended_at: '2026-03-01 12:05:00.000' },
      ]);
    });
  });
}
