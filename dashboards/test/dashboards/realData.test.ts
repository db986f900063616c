// The dashboards on real telemetry: `marketbench start` runs the psp-incident scenario (a PSP
// fault mid-run) against the instrumented reference service through the real OTLP ingest into
// a fresh chDB; then every dashboard query that reads a table the run filled is executed as
// Grafana would send it and must return rows, and the load-run panels must agree with the
// load rows: per step, server spans = requests sent; overall, sent = rows = server spans.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openStore } from '@marketbench/telemetry-store';
import { T, UIDS, VARS } from '../../src/common.ts';
import { buildDashboards } from '../../src/index.ts';
import { expandQuery } from '../../src/macros/expandQuery.ts';
import { ALL_VALUE } from '../../src/macros/templateVariables.ts';
import { dashboardQueries } from '../../src/panelQueries.ts';

const BIN = fileURLToPath(new URL('../../../cli/bin/marketbench.js', import.meta.url));

test('psp-incident through the real ingest: every query runs on the run’s telemetry and the counts agree', async () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'mb-dashboards-real-'));
  try {
    const env: NodeJS.ProcessEnv = { ...process.env, MARKETBENCH_HOME: home };
    delete env.CLICKHOUSE_URL;
    const args = ['start', '--scenario', 'psp-incident', '--duration', '10s', '--rate', '25'];
    const child = spawn(
      process.execPath,
      [BIN, ...args, '--port', '0', '--ingest-port', '0', '--out', path.join(home, 'r.html')],
      {
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (d) => {
      output += d;
    });
    child.stderr.on('data', (d) => {
      output += d;
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    // 99: the scenario's thresholds (the drill is meant to burn the checkout budget) may fail; the run still happened
    assert.ok(code === 0 || code === 99, `marketbench start exited ${code}\n${output}`);

    const store = await openStore({ home });
    try {
      const [run] = await store.query<{ run_id: string; from: string; to: string }>(
        `SELECT run_id, toString(toUnixTimestamp64Milli(started_at)) AS from,
           toString(toUnixTimestamp64Milli(coalesce(ended_at, updated_at))) AS to
         FROM ${T.loadRuns} FINAL ORDER BY started_at DESC LIMIT 1`,
      );
      assert.ok(run, 'the run is recorded');
      // whole minutes around the run, as a user would pick the range
      const from = new Date(Math.floor(Number(run.from) / 60_000) * 60_000 - 60_000);
      const to = new Date(Math.ceil(Number(run.to) / 60_000) * 60_000 + 60_000);
      const [failed] = await store.query<{ trace_id: string }>(
        `SELECT trace_id FROM ${T.loadRequests} WHERE run_id = {r:String} AND status >= 500 AND trace_id != '' LIMIT 1`,
        { r: run.run_id },
      );
      const [anyReq] = await store.query<{ trace_id: string }>(
        `SELECT trace_id FROM ${T.loadRequests} WHERE run_id = {r:String} AND trace_id != '' LIMIT 1`,
        { r: run.run_id },
      );
      const variables = [
        { name: VARS.environment, current: [ALL_VALUE] },
        { name: VARS.service, current: [ALL_VALUE] },
        { name: VARS.route, current: [ALL_VALUE] },
        { name: VARS.runId, current: run.run_id },
        { name: VARS.traceId, current: (failed ?? anyReq).trace_id },
      ];
      const ran = async (sql: string) =>
        store.query<Record<string, unknown>>(expandQuery(sql, { from, to, intervalMs: 60_000, variables }));

      // which tables the run filled decides which panels must show data
      const filled = new Set<string>();
      for (const table of Object.values(T)) {
        const [r] = await store.query<{ n: string }>(`SELECT count() AS n FROM ${table}`);
        if (Number(r.n) > 0) filled.add(table);
      }
      for (const t of [T.traces, T.serverSpans1m, T.loadRequests, T.loadRuns])
        assert.ok(filled.has(t), `${t} has rows`);

      // the environment variable lists deployment.environment.name values; a service that sets none has none
      const [env] = await store.query<{ n: string }>(
        `SELECT count() AS n FROM ${T.serverSpans1m} WHERE environment != ''`,
      );
      const optional = new Set(Number(env.n) === 0 ? [`variable ${VARS.environment}`] : []);
      let checked = 0;
      for (const { dashboard } of buildDashboards()) {
        for (const q of dashboardQueries(dashboard)) {
          const rows = await ran(q.rawSql); // must parse and run whatever the data
          const reads = Object.values(T).filter((t) => new RegExp(`\\b${t}\\b`).test(q.rawSql));
          if (q.source.startsWith('Logs of the trace') && !failed) continue;
          // spans and load rows come from this run for sure; metric panels depend on what was scraped
          const fromRun = [
            T.traces,
            T.serverSpans1m,
            T.errorSpans,
            T.loadRequests,
            T.loadRuns,
            T.loadFaults,
          ] as string[];
          if (
            !optional.has(q.source) &&
            reads.length > 0 &&
            reads.every((t) => fromRun.includes(t) && filled.has(t))
          ) {
            assert.ok(rows.length > 0, `${dashboard.uid} / ${q.source} returned no rows on the real run`);
            checked++;
          }
        }
      }
      assert.ok(checked >= 25, `${checked} queries checked on real data`);

      const load = dashboardQueries(
        buildDashboards().find((d) => d.dashboard.uid === UIDS.loadRun)!.dashboard,
      );
      const sql = (title: string) => load.find((q) => q.source === title)!.rawSql;
      const [rec] = await ran(sql('Reconciliation: every count must agree'));
      assert.ok(Number(rec.load_rows) > 100, `load rows ${rec.load_rows}`);
      assert.equal(Number(rec.sent), Number(rec.load_rows), 'requests sent = load rows');
      assert.equal(
        Number(rec.client_spans),
        Number(rec.sent),
        "the generator's client spans = requests sent",
      );
      assert.equal(Number(rec.server_spans), Number(rec.load_rows), 'server spans of the run = load rows');
      for (const s of await ran(sql('Client vs server latency per step'))) {
        assert.equal(Number(s.server_spans), Number(s.requests), `step ${s.step}: server spans = requests`);
      }
      const faults = await ran(sql('Injected faults'));
      assert.ok(
        faults.some((f) => f.dependency === 'psp'),
        'the PSP fault is on the dashboard',
      );
    } finally {
      await store.close();
    }
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
});
