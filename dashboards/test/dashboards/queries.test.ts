// Every SQL the dashboards send (panels and variables), expanded exactly as the Grafana
// ClickHouse plugin expands it, runs on chDB over deterministic synthetic telemetry: it
// parses, runs, returns rows, and the numbers agree with what the seeded data says.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { ROUTES, SERVICES, STEPS } from '@marketbench/contracts';
import { loadSpecs, windowedSliSql } from '@marketbench/slo-definitions';
import { openStore, type Store } from '@marketbench/telemetry-store';
import { APDEX_T_MS, IS_ERROR, SERVER_SPANS, UIDS, VARS } from '../../src/common.ts';
import { buildDashboards } from '../../src/index.ts';
import { expandQuery } from '../../src/macros/expandQuery.ts';
import { ALL_VALUE } from '../../src/macros/templateVariables.ts';
import { dashboardQueries } from '../../src/panelQueries.ts';
import {
  CHECKOUT_ERROR_MESSAGE,
  type SyntheticTelemetry,
  syntheticTelemetry,
} from '../../src/seed/syntheticTelemetry.ts';
import type { TemplateVariableValue } from '../../src/types.ts';

const RUN = 'run-synthetic-1';
let store: Store;
let dir: string;
let seed: SyntheticTelemetry;

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mb-dashboards-'));
  store = await openStore({ home: dir, owner: true });
  seed = syntheticTelemetry({
    start: new Date('2026-03-01T10:00:00Z'),
    minutes: 4,
    perMinute: 150,
    runId: RUN,
    environment: 'ci',
  });
  for (const [table, rows] of Object.entries(seed.rows)) await store.insert(table, rows);
});

after(async () => {
  await store?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const dash = (uid: string): Dashboard => buildDashboards().find((d) => d.dashboard.uid === uid)!.dashboard;

/** Variable selections: All for every multi-value variable, the seeded run and a failed trace. */
function variables(overrides: Record<string, string | string[]> = {}): TemplateVariableValue[] {
  const base: Record<string, string | string[]> = {
    [VARS.environment]: [ALL_VALUE],
    [VARS.service]: [ALL_VALUE],
    [VARS.route]: [ALL_VALUE],
    [VARS.runId]: RUN,
    [VARS.traceId]: seed.expected.errorTraceIds[0],
    ...overrides,
  };
  return Object.entries(base).map(([name, current]) => ({ name, current }));
}

async function run(sql: string, overrides: Record<string, string | string[]> = {}, intervalMs = 60_000) {
  const expanded = expandQuery(sql, {
    from: seed.expected.from,
    to: seed.expected.to,
    intervalMs,
    variables: variables(overrides),
  });
  return store.query<Record<string, unknown>>(expanded);
}

async function panel(uid: string, title: string, overrides: Record<string, string | string[]> = {}) {
  const q = dashboardQueries(dash(uid)).find((x) => x.source === title);
  assert.ok(q, `${uid} has a panel '${title}'`);
  return run(q.rawSql, overrides);
}

test('every panel and variable query of every dashboard parses, runs on chDB and returns rows', async () => {
  for (const { dashboard } of buildDashboards()) {
    for (const q of dashboardQueries(dashboard)) {
      const selections: Record<string, string[]>[] = [
        {},
        { [VARS.service]: [SERVICES.reference], [VARS.environment]: ['ci'], [VARS.route]: [ROUTES.checkout] },
      ];
      for (const selection of selections) {
        let rows: Record<string, unknown>[];
        try {
          rows = await run(q.rawSql, selection);
        } catch (err) {
          assert.fail(`${dashboard.uid} / ${q.source}: ${(err as Error).message}`);
        }
        assert.ok(
          rows.length > 0,
          `${dashboard.uid} / ${q.source} returned no rows for ${JSON.stringify(selection)}`,
        );
      }
    }
  }
});

test('service overview: request and error counts, per-route traffic, slowest request, apdex bounds', async () => {
  const only = { [VARS.service]: [SERVICES.reference] };
  const total = Object.values(seed.expected.requestsByRoute).reduce((a, b) => a + b, 0);
  assert.equal(Number((await panel(UIDS.serviceOverview, 'Requests', only))[0].requests), total);
  const errors = Object.values(seed.expected.errorsByRoute).reduce((a, b) => a + b, 0);
  assert.equal(Number((await panel(UIDS.serviceOverview, 'Errors', only))[0].errors), errors);

  const routes = await panel(UIDS.serviceOverview, 'Top slow routes', only);
  const byRoute = Object.fromEntries(routes.map((r) => [r.route, Number(r.requests)]));
  assert.deepEqual(byRoute, seed.expected.requestsByRoute);
  const checkout = routes.find((r) => r.route === ROUTES.checkout)!;
  assert.equal(
    checkout.error_ratio,
    seed.expected.errorsByRoute[ROUTES.checkout] / seed.expected.requestsByRoute[ROUTES.checkout],
  );

  // rate × interval summed over the buckets gives back the request count of each route
  const rate = await panel(UIDS.serviceOverview, 'Request rate by route', only);
  const counted: Record<string, number> = {};
  for (const r of rate)
    counted[r.route as string] = (counted[r.route as string] ?? 0) + Math.round(Number(r.rps) * 60);
  assert.deepEqual(counted, seed.expected.requestsByRoute);

  const slowest = await panel(UIDS.serviceOverview, 'Slowest requests (open the trace)', only);
  assert.equal(slowest[0].trace_id, seed.expected.slowestTraceId);
  assert.equal(slowest[0].duration_ms, seed.expected.maxDurationMs);

  // the per-minute rollup the RED panels read agrees with the raw spans it is fed from
  const apdex = Number((await panel(UIDS.serviceOverview, `Apdex (T = ${APDEX_T_MS} ms)`, only))[0].apdex);
  const t = APDEX_T_MS * 1e6;
  const [raw] = await run(
    `SELECT (countIf(NOT ${IS_ERROR} AND Duration <= ${t}) + countIf(NOT ${IS_ERROR} AND Duration > ${t} AND Duration <= ${4 * t}) / 2) / count() AS apdex
     FROM otel_traces WHERE ${SERVER_SPANS}`,
    only,
  );
  assert.ok(apdex > 0.5 && apdex < 1, `apdex ${apdex}`);
  assert.equal(apdex, Number(raw.apdex));

  // the route filter narrows to one route
  const one = await panel(UIDS.serviceOverview, 'Requests', { ...only, [VARS.route]: [ROUTES.search] });
  assert.equal(Number(one[0].requests), seed.expected.requestsByRoute[ROUTES.search]);
});

test('load run: reconciliation agrees, latency per step covers every request, target = achieved count', async () => {
  const [rec] = await panel(UIDS.loadRun, 'Reconciliation: every count must agree');
  assert.deepEqual(
    [rec.sent, rec.load_rows, rec.server_spans, rec.counter_delta].map(Number),
    Array(4).fill(seed.expected.loadRows),
  );
  assert.equal(Number(rec.agree), 1);

  const steps = await panel(UIDS.loadRun, 'Client vs server latency per step');
  assert.equal(
    steps.reduce((a, r) => a + Number(r.requests), 0),
    seed.expected.loadRows,
  );
  for (const s of steps) {
    assert.equal(Number(s.server_spans), Number(s.requests), `step ${s.step}: one server span per request`);
    assert.ok(
      Number(s.p99_corrected_ms) >= Number(s.p99_uncorrected_ms),
      `step ${s.step}: corrected ≥ uncorrected`,
    );
  }
  assert.ok(steps.some((s) => s.step === STEPS.checkout));

  const rates = await panel(UIDS.loadRun, 'Requests: scheduled vs sent');
  const scheduled = rates.reduce((a, r) => a + Number(r.scheduled_rps) * 60, 0);
  assert.equal(Math.round(scheduled), seed.expected.loadRows);
  const target = await panel(UIDS.loadRun, 'Target vs achieved rate');
  assert.ok(target.every((r) => Number(r.target_per_s) === 150 / 60 && Number(r.dropped) === 0));

  const errors = await panel(UIDS.loadRun, 'Errors by status');
  assert.deepEqual([...new Set(errors.map((r) => r.http_status))], ['500']);
});

test('checkout and payments: success ratio, PSP calls, breaker transitions from the counters', async () => {
  const { success, payment_failed } = seed.expected.checkoutsByOutcome;
  const [ratio] = await panel(UIDS.checkoutPayments, 'Checkout success ratio');
  assert.equal(Number(ratio.success_ratio), success / (success + payment_failed));
  const [calls] = await panel(UIDS.checkoutPayments, 'PSP calls');
  assert.equal(Number(calls.calls), success + payment_failed);
  const transitions = await panel(UIDS.checkoutPayments, 'Circuit-breaker state changes');
  assert.deepEqual(
    transitions.map((r) => [r.transition, Number(r.changes)]),
    [['closed → open', 1]],
  );
  const [ledger] = await panel(UIDS.checkoutPayments, 'Ledger balanced');
  assert.equal(Number(ledger.balanced), 1);
});

test('traces explorer: error messages, the trace view in the plugin’s trace frame shape, the trace’s logs', async () => {
  const messages = await panel(UIDS.traces, 'Error messages', { [VARS.service]: [SERVICES.reference] });
  assert.deepEqual(
    messages.map((r) => [r.message, Number(r.spans)]),
    [[CHECKOUT_ERROR_MESSAGE, seed.expected.errorTraceIds.length]],
  );
  const trace = await panel(UIDS.traces, 'Trace');
  assert.equal(
    trace.length,
    4,
    'server span, DB span, PSP client span and PSP server span of the failed checkout',
  );
  for (const span of trace) {
    for (const k of [
      'traceID',
      'spanID',
      'parentSpanID',
      'serviceName',
      'operationName',
      'startTime',
      'duration',
      'tags',
      'serviceTags',
    ])
      assert.ok(k in span, `trace frame has ${k}`);
    assert.equal(span.traceID, seed.expected.errorTraceIds[0]);
  }
  assert.ok(trace.some((s) => Number(s.statusCode) === 2));
  const logs = await panel(UIDS.traces, 'Logs of the trace');
  assert.equal(logs.length, 1);
  assert.match(String(logs[0].body), /payment provider timed out/);

  const slow = await panel(UIDS.traces, 'Where the slowest requests spend their time');
  assert.ok(slow.some((r) => r.service === SERVICES.reference));
});

test('SLOs: the per-minute HTTP rollup gives the same SLI events as slo-definitions’ span query', async () => {
  const slos = loadSpecs().filter((s) => s.sli.kind === 'httpAvailability' || s.sli.kind === 'httpLatency');
  assert.ok(slos.length > 0);
  const panels = dashboardQueries(dash(UIDS.slos));
  let compared = 0;
  for (const slo of slos) {
    const q = panels.find((p) => p.source === `${slo.displayName}: objective, SLI and budget`);
    assert.ok(q, `SLO panel for ${slo.id}`);
    const [shown] = await run(q.rawSql);
    const [exact] = await run(windowedSliSql(slo.sli, [slo.periodSeconds * 1000], '$__toTime'));
    assert.ok(Number(exact.total_0) > 0, `${slo.id} has events`);
    assert.deepEqual(
      [Number(shown.events), Number(shown.bad_events)],
      [Number(exact.total_0), Number(exact.bad_0)],
      slo.id,
    );
    compared++;
  }
  // the synthetic checkout failures spend the checkout availability budget
  const checkout = slos.find(
    (s) => s.sli.kind === 'httpAvailability' && s.sli.routes.includes(ROUTES.checkout),
  );
  if (checkout) {
    const q = panels.find((p) => p.source === `${checkout.displayName}: objective, SLI and budget`)!;
    const [row] = await run(q.rawSql);
    assert.equal(Number(row.bad_events), seed.expected.errorsByRoute[ROUTES.checkout]);
  }
  assert.ok(compared >= 3);
});

test('slowest requests pruned through the rollup are exactly the naive top-N, also for ranges cut mid-minute', async () => {
  const q = dashboardQueries(dash(UIDS.traces)).find((x) => x.source === 'Slowest requests')!;
  const naive = `SELECT TraceId AS trace_id, round(Duration / 1e6, 2) AS duration_ms FROM otel_traces WHERE ${SERVER_SPANS} ORDER BY Duration DESC, TraceId LIMIT 50`;
  const ranges = [
    [seed.expected.from, seed.expected.to],
    [new Date(seed.expected.from.getTime() + 30_500), new Date(seed.expected.to.getTime() - 20_300)],
  ];
  for (const [from, to] of ranges) {
    const ctx = { from, to, intervalMs: 60_000, variables: variables() };
    const shown = await store.query<Record<string, unknown>>(expandQuery(q.rawSql, ctx));
    const exact = await store.query<Record<string, unknown>>(expandQuery(naive, ctx));
    assert.deepEqual(
      shown.map((r) => r.duration_ms),
      exact.map((r) => r.duration_ms),
      `top 50 durations for ${from.toISOString()}..${to.toISOString()}`,
    );
  }
});
