// Store benchmark: insert rate and query latency on embedded chDB directly and through the
// owner's ClickHouse HTTP interface with @clickhouse/client (what every command uses while
// `marketbench ingest` runs), on the same rows. Bounded: 200k rows per path, 20 query runs;
// loopback only.
//   node bench/store/run.ts [rows]

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TABLES } from '@marketbench/contracts';
import { type ChdbStore, openStore, ServerStore, type Store, serveStore } from '@marketbench/telemetry-store';

const ROWS = Number(process.argv[2] ?? 200_000);
const BATCH = 10_000;
const QUERY_RUNS = 20;

function requestRow(i: number, runId: string): Record<string, unknown> {
  const t = 1_780_000_000_000 + i * 2;
  const iso = (ms: number): string => new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
  return {
    run_id: runId,
    scenario: 'browse',
    journey: 'browse',
    step: ['listings', 'search', 'item', 'seller'][i % 4],
    method: 'GET',
    url: `http://127.0.0.1:8080/listings/${i % 5000}`,
    vu: i % 64,
    iteration: i,
    intended_start: iso(t),
    actual_start: iso(t + 1),
    latency_corrected_ms: 3 + (i % 97) / 10,
    latency_uncorrected_ms: 2.5 + (i % 97) / 10,
    scheduling_lag_ms: 0.2,
    status: i % 200 === 0 ? 500 : 200,
    bytes_sent: 120,
    bytes_received: 850,
    trace_id: i.toString(16).padStart(32, '0'),
    span_id: i.toString(16).padStart(16, '0'),
    error: '',
    check_failures: 0,
    tags: { region: 'local' },
  };
}

async function insertAll(store: Store, runId: string): Promise<number> {
  const t0 = performance.now();
  for (let off = 0; off < ROWS; off += BATCH) {
    let body = '';
    for (let i = off; i < Math.min(ROWS, off + BATCH); i++)
      body += `${JSON.stringify(requestRow(i, runId))}\n`;
    await store.insertJsonEachRow(TABLES.loadRequests, body);
  }
  return ROWS / ((performance.now() - t0) / 1000);
}

async function queryMs(store: Store, runId: string): Promise<number[]> {
  const sql = `SELECT step, count() AS n, quantile(0.99)(latency_corrected_ms) AS p99
    FROM ${TABLES.loadRequests} WHERE run_id = {run:String} GROUP BY step ORDER BY step`;
  const times: number[] = [];
  for (let i = 0; i < QUERY_RUNS; i++) {
    const t0 = performance.now();
    const rows = await store.query(sql, { run: runId });
    times.push(performance.now() - t0);
    if (rows.length !== 4) throw new Error(`expected 4 steps, got ${rows.length}`);
  }
  return times.sort((a, b) => a - b);
}

const home = fs.mkdtempSync(path.join(os.tmpdir(), 'mb-bench-store-'));
const owner = (await openStore({ home })) as ChdbStore;
const server = await serveStore(owner);
const remote = await ServerStore.open(server.url, owner.database, { pid: process.pid });

try {
  const results: string[][] = [];
  for (const [label, store, runId] of [
    ['chdb (direct)', owner, 'direct'],
    ['remote (through owner)', remote, 'remote'],
  ] as const) {
    const rate = await insertAll(store, runId);
    const q = await queryMs(store, runId);
    const p = (f: number): string =>
      (q[Math.min(q.length - 1, Math.floor(f * q.length))] as number).toFixed(1);
    results.push([label, Math.round(rate).toLocaleString('en-US'), p(0.5), p(0.95)]);
  }
  const head = ['path', 'insert rows/s', 'query p50 ms', 'query p95 ms'];
  const widths = head.map((h, i) => Math.max(h.length, ...results.map((r) => (r[i] as string).length)));
  const line = (cells: string[]): string =>
    `| ${cells.map((c, i) => c.padEnd(widths[i] as number)).join(' | ')} |`;
  console.log(
    `store bench: ${ROWS.toLocaleString('en-US')} ${TABLES.loadRequests} rows per path, batches of ${BATCH}, query = p99 per step over the run (${QUERY_RUNS} runs)`,
  );
  console.log(line(head));
  console.log(`| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`);
  for (const r of results) console.log(line(r));
} finally {
  await remote.close();
  await server.close();
  await owner.close();
  fs.rmSync(home, { recursive: true, force: true });
}
