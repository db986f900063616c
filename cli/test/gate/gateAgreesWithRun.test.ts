// The gate and the run give the same value for every metric they both compute. A scenario with
// expected 404s (and unexpected ones, checks, custom metrics of every type) runs against the real
// reference service into a real chDB store; the same thresholds are declared in the scenario and
// in a budgets file, and every value the run's summary printed must come back from the gate,
// in process and through `marketbench gate --json`, to the last bit.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { TABLES } from '@marketbench/contracts';
import {
  AGGREGATIONS,
  type RunResult,
  runScenario,
  type ScenarioDefinition,
  summaryJson,
} from '@marketbench/load-scenarios';
import { type RunningService, startService } from '@marketbench/reference-service';
import { openStore, type Store } from '@marketbench/telemetry-store';
import { validateBudgets } from '../../src/gate/loadBudgets.ts';
import { runGate } from '../../src/gate/runGate.ts';
import type { BudgetResult } from '../../src/gate/types.ts';

const BIN = fileURLToPath(new URL('../../bin/marketbench.js', import.meta.url));

const SCENARIO: ScenarioDefinition = {
  apiVersion: 'marketbench/v1',
  name: 'agreement',
  description: 'items that exist, items that are expected not to, items that unexpectedly do not',
  options: {
    scenarios: {
      open: {
        executor: 'constant-arrival-rate',
        rate: 60,
        duration: '3s',
        preAllocatedVUs: 10,
        maxVUs: 50,
        gracefulStop: '5s',
        tags: { kind: 'open' },
      },
      closed: { executor: 'per-vu-iterations', vus: 3, iterations: 10, journeys: ['view'] },
    },
    tags: { suite: 'agreement' },
  },
  metrics: { views: 'counter', view_ok: 'rate', view_ms: 'trend', last_price: 'gauge' },
  journeys: {
    view: {
      weight: 3,
      steps: [
        {
          name: 'view_item',
          method: 'GET',
          path: '/listings/{{randomInt:1:200}}',
          checks: { 'item answers 200': { status: 200 }, 'item has a price': { jsonPath: 'priceCents' } },
          record: [
            { metric: 'views', value: 1 },
            { metric: 'view_ok', value: 'ok' },
            { metric: 'view_ms', value: 'duration' },
            { metric: 'last_price', value: 'json:priceCents' },
          ],
        },
      ],
    },
    gone: {
      weight: 2,
      steps: [
        {
          name: 'gone_item',
          method: 'GET',
          path: '/listings/{{randomInt:5000000:6000000}}',
          expectedStatuses: [404],
          checks: { 'gone answers 404': { status: 404 } },
        },
      ],
    },
    broken: {
      weight: 1,
      steps: [{ name: 'broken_item', method: 'GET', path: '/listings/{{randomInt:5000000:6000000}}' }],
    },
  },
};

/** Every aggregation of every metric the run recorded, under a few filters each. */
function everyThreshold(result: RunResult): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const filters = ['', '{name:view_item}', '{expected_response:true}', '{scenario:closed}', '{status:404}'];
  for (const metric of result.metrics.metricNames().sort()) {
    const type = result.metrics.all().find((s) => s.metric === metric)?.type;
    if (!type) continue;
    const exprs = AGGREGATIONS[type].flatMap((a) =>
      a === 'p(N)' ? ['p(50)', 'p(90)', 'p(95)', 'p(99.9)'] : [a],
    );
    for (const f of filters) out[`${metric}${f}`] = exprs.map((a) => `${a}>=-1`);
  }
  return out;
}

let home: string;
let store: Store;
let service: RunningService;
let result: RunResult;
let report: Awaited<ReturnType<typeof runGate>>;
let budgetsFile: string;

before(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'mb-agree-'));
  store = await openStore({ home });
  service = await startService({ port: 0, sqlitePath: ':memory:', items: 200, pspLatencyMs: 0 });
  const probe = { ...SCENARIO, options: { ...SCENARIO.options, thresholds: { http_reqs: ['count>=0'] } } };
  // A first run tells which metrics and series exist; the second declares a threshold on every one.
  const first = await runScenario(probe, { target: service.url, seed: 3 });
  const thresholds = everyThreshold(first);
  const def = { ...SCENARIO, options: { ...SCENARIO.options, thresholds } };
  result = await runScenario(def, { target: service.url, store, seed: 3 });
  const budgets = validateBudgets(
    { apiVersion: 'marketbench/v1', kind: 'Budgets', spec: { thresholds } },
    'agreement.yaml',
  );
  budgetsFile = path.join(home, 'agreement.json');
  fs.writeFileSync(budgetsFile, JSON.stringify({ thresholds }));
  report = await runGate(store, { budgets, runId: result.runId });
});
after(async () => {
  await store?.close();
  await service?.close();
  fs.rmSync(home, { recursive: true, force: true });
});

test('the run hit expected 404s and unexpected ones, and stored every request', () => {
  const by = (status: string, expected: string) =>
    result.metrics.aggregate('http_reqs', { status, expected_response: expected }, result.durationSec)
      ?.count ?? 0;
  assert.ok(by('404', 'true') > 10, `expected 404s: ${by('404', 'true')}`);
  assert.ok(by('404', 'false') > 5, `unexpected 404s: ${by('404', 'false')}`);
  assert.ok(by('200', 'true') > 30, `200s: ${by('200', 'true')}`);
  assert.equal(result.rows.lost, 0);
  assert.equal(result.series.lost, 0);
  // http_req_failed counts only the unexpected 404s
  const failed = result.metrics.aggregate('http_req_failed', {}, result.durationSec);
  assert.equal(failed?.sum, by('404', 'false'));
  assert.equal(result.totals.errors, by('404', 'false'));
});

test('every threshold value the run printed is the value the gate computes, to the last bit', () => {
  const thresholds = result.thresholds;
  const gate = report.results.filter((r) => r.kind === 'threshold');
  assert.ok(thresholds.length > 150, `${thresholds.length} thresholds`);
  assert.equal(gate.length, thresholds.length);
  let compared = 0;
  thresholds.forEach((t, i) => {
    const g = gate[i];
    assert.equal(g.name, `${t.metric} ${t.expression}`);
    assert.equal(g.observed, t.observed ?? null, `${g.name}: run ${t.observed}, gate ${g.observed}`);
    assert.equal(g.verdict === 'pass', t.ok, g.name);
    if (t.observed !== undefined) compared++;
  });
  assert.ok(compared > 100, `${compared} thresholds with samples`);
});

test('the run summary JSON and the gate agree on totals and latency', () => {
  const s = summaryJson(result) as {
    totals: RunResult['totals'];
    latencyMs: { corrected: { p95: number; avg: number; max: number } };
    requestRate: number;
  };
  const g = (name: string) => report.results.find((r) => r.name === name)?.observed;
  assert.equal(g('http_reqs count>=-1'), s.totals.requests);
  assert.equal(g('http_reqs rate>=-1'), s.requestRate);
  assert.equal(g('iterations count>=-1'), s.totals.iterations);
  assert.equal(g('http_req_duration p(95)>=-1'), s.latencyMs.corrected.p95);
  assert.equal(g('http_req_duration avg>=-1'), s.latencyMs.corrected.avg);
  assert.equal(g('http_req_duration max>=-1'), s.latencyMs.corrected.max);
  assert.equal(g('http_req_failed rate>=-1'), s.totals.errors / s.totals.requests);
});

test('the request rows agree with the run: one row per request, expected_response = not failed', async () => {
  const [r] = await store.query<{ n: string; failed: string; expected404: string }>(
    `SELECT toString(count()) AS n, toString(countIf(NOT expected_response)) AS failed,
            toString(countIf(status = 404 AND expected_response)) AS expected404
       FROM ${TABLES.loadRequests} WHERE run_id = {run:String}`,
    { run: result.runId },
  );
  assert.equal(Number(r.n), result.totals.requests);
  assert.equal(Number(r.failed), result.totals.errors);
  assert.equal(
    Number(r.expected404),
    result.metrics.aggregate('http_reqs', { status: '404', expected_response: 'true' }, 1)?.count,
  );
});

test('`marketbench gate --json` on a k6 options file prints the same numbers, with units apart', async () => {
  await store.close();
  try {
    const env: NodeJS.ProcessEnv = { ...process.env, MARKETBENCH_HOME: home };
    delete env.CLICKHOUSE_URL;
    const r = spawnSync(
      process.execPath,
      [BIN, 'gate', '--budgets', budgetsFile, '--run', result.runId, '--json'],
      {
        env,
        encoding: 'utf8',
        timeout: 120_000,
      },
    );
    assert.equal(r.status, 0, r.stderr);
    const json = JSON.parse(r.stdout) as { results: BudgetResult[] };
    const byName = new Map(json.results.map((x) => [x.name, x]));
    for (const t of result.thresholds) {
      const g = byName.get(`${t.metric} ${t.expression}`);
      assert.ok(g, `${t.metric} ${t.expression}`);
      assert.equal(g.observed, t.observed ?? null, g.name);
    }
    const p95 = byName.get('http_req_duration p(95)>=-1');
    assert.equal(typeof p95?.observed, 'number');
    assert.equal(p95?.unit, 'ms');
    assert.deepEqual(p95?.limit, { operator: '>=', value: -1 });
    assert.equal(byName.get('http_req_failed rate>=-1')?.unit, 'ratio');
    assert.equal(byName.get('data_received count>=-1')?.unit, 'bytes');
    assert.equal(byName.get('view_ms avg>=-1')?.unit, 'ms');
    assert.equal(byName.get('views rate>=-1')?.unit, '1/s');
  } finally {
    store = await openStore({ home });
  }
});
