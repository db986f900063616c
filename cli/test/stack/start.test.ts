// `marketbench start` (what `npm start` runs) end to end on a short duration, as a user runs it:
// a spawned process on a fresh MARKETBENCH_HOME that starts the stack, sends its first request
// within 15 s, prints the summary and the report path, writes the report, and stops cleanly.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openStore } from '@marketbench/telemetry-store';

const BIN = fileURLToPath(new URL('../../bin/marketbench.js', import.meta.url));

test('marketbench start: stack up, marketplace-day for 8 s, thresholds, report, clean stop', async () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'mb-start-'));
  const out = path.join(home, 'report.html');
  try {
    const env: NodeJS.ProcessEnv = { ...process.env, MARKETBENCH_HOME: home };
    delete env.CLICKHOUSE_URL;
    const launchedAt = Date.now();
    const child = spawn(
      process.execPath,
      [BIN, 'start', '--duration', '8s', '--rate', '40', '--port', '0', '--ingest-port', '0', '--out', out],
      { env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    // 0 when marketplace-day's thresholds hold; 99 when a busy machine breaks one. Anything else is a failure.
    assert.ok(code === 0 || code === 99, `exit ${code}\n${stdout}\n${stderr}`);
    assert.match(stderr, /reference service listening on http:\/\/127\.0\.0\.1:\d+/);
    assert.match(stderr, /stopping the stack/);
    assert.match(stdout, /THRESHOLDS/);
    // every number agrees: rows = sent = server spans = request-counter delta (scraped before and after)
    assert.match(stdout, /✓ request counter delta +\d+/);
    assert.match(stdout, /✓ server spans +\d+/);
    assert.doesNotMatch(stdout, /MISMATCH/);
    // SLOs evaluated over the run, including the ingest's own freshness (its /metrics is scraped too)
    assert.match(stdout, /SLOs over the run/);
    assert.match(stdout, /Ingest freshness \(ingest-freshness\): [\d.]+% budget left/);
    assert.match(stdout, new RegExp(`report: ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    const html = fs.readFileSync(out, 'utf8');
    assert.match(html, /marketbench report: marketplace-day/);

    // The stack let go of the store: this process can open it as owner, and the run is there.
    const store = await openStore({ home });
    try {
      const [run] = await store.query<{ run_id: string; requests_total: string; t0: string }>(
        'SELECT run_id, requests_total, toString(toUnixTimestamp64Milli(started_at)) AS t0 FROM marketbench_load_runs FINAL',
      );
      const [rows] = await store.query<{ n: string; first: string }>(
        'SELECT count() AS n, toString(toUnixTimestamp64Milli(min(intended_start))) AS first FROM marketbench_load_requests WHERE run_id = {r:String}',
        { r: run.run_id },
      );
      assert.ok(Number(rows.n) > 100, `requests ${rows.n}`);
      assert.equal(Number(run.requests_total), Number(rows.n));
      assert.ok(
        Number(rows.first) - launchedAt <= 15_000,
        `first request ${(Number(rows.first) - launchedAt) / 1000} s after launch`,
      );
      const [spans] = await store.query<{ n: string }>(
        `SELECT count() AS n FROM otel_traces s INNER JOIN (SELECT trace_id, span_id FROM marketbench_load_requests WHERE run_id = {r:String}) r
           ON s.TraceId = r.trace_id AND s.ParentSpanId = r.span_id WHERE s.SpanKind = 'Server'`,
        { r: run.run_id },
      );
      assert.ok(Number(spans.n) >= Number(rows.n) * 0.95, `server spans ${spans.n} of ${rows.n} requests`);
    } finally {
      await store.close();
    }
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
});
