// Per-panel latency of every dashboard query over 10M synthetic spans in embedded chDB.
// Seeds otel_traces with INSERT ... SELECT FROM numbers() in 1M-row batches (memory stays
// bounded), adds the small synthetic metrics/load/log tables, then runs each panel's SQL
// (expanded as Grafana's ClickHouse plugin expands it) and prints the median of 3 timed runs.
//
//   node bench/dashboards/run.ts [--spans 10000000] [--hours 6] [--home DIR]
// With --home the store is kept there and reused when it already holds the spans (for iterating).

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ATTR, OTEL_TABLES, ROUTES, SERVICES, STEPS } from '@marketbench/contracts';
import { ALL_VALUE, buildDashboards, dashboardQueries, expandQuery, VARS } from '@marketbench/dashboards';
import { openStore } from '@marketbench/telemetry-store';
import { syntheticTelemetry } from '../../dashboards/src/seed/syntheticTelemetry.ts';

const { values } = parseArgs({
  options: {
    spans: { type: 'string', default: '10000000' },
    hours: { type: 'string', default: '6' },
    runs: { type: 'string', default: '3' },
    home: { type: 'string' },
  },
});
const SPANS = Number(values.spans);
const HOURS = Number(values.hours);
const RUNS = Number(values.runs);
const BATCH = 1_000_000;
const RUN_ID = 'bench-run';
const end = new Date(Date.UTC(2026, 2, 1, 12, 0, 0));
const start = new Date(end.getTime() - HOURS * 3600_000);

const home = values.home ?? fs.mkdtempSync(path.join(os.tmpdir(), 'mb-bench-dashboards-'));
const store = await openStore({ home, owner: true });
try {
  const [{ n: existing }] = await store.query<{ n: string }>(
    `SELECT count() AS n FROM ${OTEL_TABLES.traces}`,
  );
  const reuse = values.home !== undefined && Number(existing) === SPANS;
  const requests = Math.floor(SPANS / 2);
  const stepNs = Math.floor((HOURS * 3600e9) / requests);
  const routes = [
    ROUTES.listings,
    ROUTES.listings,
    ROUTES.listings,
    ROUTES.listing,
    ROUTES.listing,
    ROUTES.listing,
    ROUTES.search,
    ROUTES.search,
    ROUTES.seller,
    ROUTES.checkout,
  ];
  const steps = [
    STEPS.browse,
    STEPS.browse,
    STEPS.browse,
    STEPS.viewItem,
    STEPS.viewItem,
    STEPS.viewItem,
    STEPS.search,
    STEPS.search,
    STEPS.seller,
    STEPS.checkout,
  ];
  const arr = (xs: readonly string[]) => `[${xs.map((x) => `'${x}'`).join(',')}]`;
  const t0 = performance.now();
  for (let offset = 0; offset < (reuse ? 0 : SPANS); offset += BATCH) {
    const n = Math.min(BATCH, SPANS - offset);
    // span n: request r = n / 2; even n = server span, odd n = its DB child span
    await store.exec(`INSERT INTO ${OTEL_TABLES.traces} (Timestamp, TraceId, SpanId, ParentSpanId, SpanName, SpanKind, ServiceName,
      ResourceAttributes, SpanAttributes, Duration, StatusCode, StatusMessage)
    SELECT
      fromUnixTimestamp64Nano(toInt64(${BigInt(start.getTime()) * 1_000_000n}) + toInt64(r) * ${stepNs} + toInt64(child) * 1000) AS Timestamp,
      leftPad(hex(r), 32, '0') AS TraceId,
      leftPad(hex(number), 16, '0') AS SpanId,
      if(child = 0, leftPad(hex(r + 0xF000000000), 16, '0'), leftPad(hex(number - 1), 16, '0')) AS ParentSpanId,
      if(child = 0, concat(if(route = '${ROUTES.checkout}', 'POST ', 'GET '), route), 'SELECT listings') AS SpanName,
      if(child = 0, 'Server', 'Client') AS SpanKind,
      '${SERVICES.reference}' AS ServiceName,
      map('${ATTR.serviceName}', '${SERVICES.reference}', '${ATTR.deploymentEnvironment}', 'bench') AS ResourceAttributes,
      if(child = 0,
        map('${ATTR.httpRoute}', route, '${ATTR.httpMethod}', if(route = '${ROUTES.checkout}', 'POST', 'GET'),
            '${ATTR.httpStatusCode}', if(failed, '500', '200'), '${ATTR.runId}', '${RUN_ID}', '${ATTR.step}', step),
        map('${ATTR.dbSystem}', 'sqlite')) AS SpanAttributes,
      toUInt64((5 + (cityHash64(r) % 1000) / 10 * if(cityHash64(r, 1) % 100 = 0, 20, 1)) * 1e6 * if(child = 0, 1, 0.4)) AS Duration,
      if(failed AND child = 0, 'Error', 'Unset') AS StatusCode,
      if(failed AND child = 0, 'payment provider timed out', '') AS StatusMessage
    FROM (
      SELECT number, intDiv(number, 2) AS r, number % 2 AS child,
        arrayElement(${arr(routes)}, (r % 10) + 1) AS route,
        arrayElement(${arr(steps)}, (r % 10) + 1) AS step,
        route = '${ROUTES.checkout}' AND r % 50 = 9 AS failed
      FROM numbers(${offset}, ${n})
    )`);
    process.stderr.write(`\rseeded ${offset + n} / ${SPANS} spans`);
  }
  const seedSeconds = (performance.now() - t0) / 1000;
  process.stderr.write(`\rseeded ${SPANS} spans in ${seedSeconds.toFixed(1)} s\n`);

  // metrics, logs and the load run: small tables, from the same factory the tests use
  const small = syntheticTelemetry({
    start,
    minutes: HOURS * 60,
    perMinute: 2,
    runId: RUN_ID,
    environment: 'bench',
  });
  for (const [table, rows] of Object.entries(small.rows)) {
    if (table === OTEL_TABLES.traces || reuse) continue;
    for (let i = 0; i < rows.length; i += 50_000) await store.insert(table, rows.slice(i, i + 50_000));
  }
  const [someTrace] = await store.query<{ TraceId: string }>(
    `SELECT TraceId FROM ${OTEL_TABLES.traces} WHERE Timestamp >= fromUnixTimestamp64Milli(${end.getTime() - 600_000}) LIMIT 1`,
  );
  const variables = [
    { name: VARS.environment, current: [ALL_VALUE] },
    { name: VARS.service, current: [ALL_VALUE] },
    { name: VARS.route, current: [ALL_VALUE] },
    { name: VARS.runId, current: RUN_ID },
    { name: VARS.traceId, current: someTrace.TraceId },
  ];
  const ranges = [
    { label: 'last 1h', from: new Date(end.getTime() - 3600_000), intervalMs: 5_000 },
    { label: `all ${HOURS}h`, from: start, intervalMs: 20_000 },
  ];
  const results: { dashboard: string; panel: string; ms: number[]; rows: number; estimate: number }[] = [];
  for (const { dashboard } of buildDashboards()) {
    for (const q of dashboardQueries(dashboard)) {
      const ms: number[] = [];
      let rows = 0;
      let estimate = 0;
      for (const r of ranges) {
        const intervalMs = Math.max(r.intervalMs, q.minIntervalMs);
        const sql = expandQuery(q.rawSql, { from: r.from, to: end, intervalMs, variables });
        await store.query(sql); // warm
        const times: number[] = [];
        for (let i = 0; i < RUNS; i++) {
          const t = performance.now();
          rows = (await store.query(sql)).length;
          times.push(performance.now() - t);
        }
        times.sort((a, b) => a - b);
        // rows ClickHouse plans to read after index analysis: independent of how busy the machine is
        if (r === ranges[ranges.length - 1]) {
          const est = await store.query<{ rows: string }>(`EXPLAIN ESTIMATE ${sql}`);
          estimate = est.reduce((a, e) => a + Number(e.rows), 0);
        }
        ms.push(times[Math.floor(times.length / 2)]);
      }
      results.push({ dashboard: dashboard.uid ?? '', panel: q.source, ms, rows, estimate });
    }
  }
  const header = `| dashboard | panel | ${ranges.map((r) => `${r.label} (ms)`).join(' | ')} | rows | rows read, ${ranges[ranges.length - 1].label} (est.) | ≤ 300 ms |`;
  console.log(
    `\n${SPANS.toLocaleString('en-US')} spans over ${HOURS} h, chDB, median of ${RUNS} runs after one warm-up\n`,
  );
  console.log(header);
  console.log(`|${' --- |'.repeat(5 + ranges.length)}`);
  for (const r of results) {
    const ok = Math.max(...r.ms) <= 300 ? 'yes' : '**no**';
    console.log(
      `| ${r.dashboard} | ${r.panel} | ${r.ms.map((m) => m.toFixed(0)).join(' | ')} | ${r.rows} | ${r.estimate.toLocaleString('en-US')} | ${ok} |`,
    );
  }
  const worst = results.reduce((a, b) => (Math.max(...b.ms) > Math.max(...a.ms) ? b : a));
  console.log(
    `\nworst: ${worst.dashboard} / ${worst.panel} ${Math.max(...worst.ms).toFixed(0)} ms; seeding ${seedSeconds.toFixed(1)} s`,
  );
} finally {
  await store.close();
  if (values.home === undefined) fs.rmSync(home, { recursive: true, force: true });
}
