// The gate on synthetic runs in real chDB: pass, a run with injected latency that breaks the
// p99 budget and the baseline, inconclusive on thin data, the baseline file round trip, JUnit
// and Markdown output, and the CLI's exit codes.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { latencyThreshold, OBJECTIVES, STEPS } from '@marketbench/contracts';
import { openStore, type Store } from '@marketbench/telemetry-store';
import { buildBaseline, readBaseline, writeBaseline } from '../../src/gate/baselineFile.ts';
import { loadBudgets, validateBudgets } from '../../src/gate/loadBudgets.ts';
import { renderJUnit } from '../../src/gate/render/renderJUnit.ts';
import { renderMarkdown } from '../../src/gate/render/renderMarkdown.ts';
import { renderTable } from '../../src/gate/render/renderTable.ts';
import { gateExitCode, runGate } from '../../src/gate/runGate.ts';
import { insertRun } from './syntheticRuns.ts';

const BIN = fileURLToPath(new URL('../../bin/marketbench.js', import.meta.url));
const BUDGETS_YAML = `apiVersion: marketbench/v1
kind: Budgets
metadata: { name: synthetic }
spec:
  thresholds:
    'http_req_duration{name:checkout}': ['p(99)<300']
    'http_req_duration': ['p(95)<200', 'avg<100']
    http_req_failed: ['rate<0.05']
    http_reqs: ['rate>10']
    dropped_iterations: ['count<1']
  baseline: { tolerance: 0.1, minSamples: 200 }
`;
const budgets = validateBudgets(
  // a plain object as the YAML parser returns it
  (await import('yaml')).parse(BUDGETS_YAML),
  'budgets.yaml',
);

let dir: string;
let store: Store;
before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mb-gate-'));
  store = await openStore({ home: dir });
  const normal = {
    view_item: { n: 3000, medianMs: 10 },
    checkout: { n: 3000, medianMs: 50, errorRate: 0.01 },
  };
  await insertRun(store, { runId: 'r-base', seed: 1, steps: normal });
  await insertRun(store, { runId: 'r-same', seed: 2, steps: normal });
  await insertRun(store, {
    runId: 'r-slow',
    seed: 3,
    steps: {
      view_item: { n: 3000, medianMs: 13 }, // 30% slower everywhere
      checkout: { n: 3000, medianMs: 50, errorRate: 0.01, injectFraction: 0.03, injectMs: 400 }, // a slow PSP on 3%
    },
  });
  await insertRun(store, {
    runId: 'r-tiny',
    seed: 4,
    durationSec: 4,
    steps: { view_item: { n: 60, medianMs: 10 }, checkout: { n: 40, medianMs: 50 } },
  });
  // heavy-tailed runs of the same distribution: their p95s differ by noise alone
  const heavy = {
    view_item: { n: 400, medianMs: 10, sigma: 1.2 },
    checkout: { n: 300, medianMs: 50, sigma: 1.2 },
  };
  await insertRun(store, { runId: 'r-noisy-base', seed: 5, steps: heavy });
  await insertRun(store, { runId: 'r-noisy', seed: 6, steps: heavy });
});
after(async () => {
  await store?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('same distribution as the baseline: every budget passes, exit 0', async () => {
  const base = await buildBaseline(store, 'r-base');
  const report = await runGate(store, {
    budgets,
    runId: 'r-same',
    baseline: { label: 'r-base', file: base },
  });
  assert.equal(report.verdict, 'pass', renderTable(report));
  assert.equal(gateExitCode(report.verdict), 0);
  assert.equal(report.results.filter((r) => r.kind === 'threshold').length, 6);
  assert.deepEqual(
    report.comparisons.map((c) => [c.step, c.verdict]),
    [
      ['checkout', 'pass'],
      ['view_item', 'pass'],
    ],
  );
});

test('injected latency breaks the checkout p99 budget and the baseline: exit 99', async () => {
  const base = await buildBaseline(store, 'r-base');
  const report = await runGate(store, {
    budgets,
    runId: 'r-slow',
    baseline: { label: 'r-base', file: base },
  });
  assert.equal(report.verdict, 'fail');
  assert.equal(gateExitCode(report.verdict), 99);
  const p99 = report.results.find((r) => r.name === 'http_req_duration{name:checkout} p(99)<300');
  assert.equal(p99?.verdict, 'fail', JSON.stringify(p99));
  assert.match(p99?.observedText ?? '', /p\(99\)=4\d\d/);
  // --json carries the number and its unit apart
  assert.ok((p99?.observed ?? 0) > 400 && (p99?.observed ?? 0) < 500, String(p99?.observed));
  assert.equal(p99?.unit, 'ms');
  assert.deepEqual(p99?.limit, { operator: '<', value: 300 });
  const view = report.comparisons.find((c) => c.step === 'view_item');
  assert.equal(view?.verdict, 'fail');
  assert.ok((view?.p ?? 1) < 1e-6);
  assert.ok((view?.cliffsDelta ?? 0) > 0.3, `Cliff's delta ${view?.cliffsDelta}`);
  assert.ok((view?.diff.low ?? 0) > view!.toleranceMs);
  // the error-rate and throughput budgets still pass: only what broke is red
  assert.equal(report.results.find((r) => r.name === 'http_req_failed rate<0.05')?.verdict, 'pass');
});

test('too few samples or a noisy run is inconclusive, not pass or fail: exit 98', async () => {
  const base = await buildBaseline(store, 'r-base');
  const tiny = await runGate(store, { budgets, runId: 'r-tiny', baseline: { label: 'r-base', file: base } });
  assert.equal(tiny.verdict, 'inconclusive', renderTable(tiny));
  assert.equal(gateExitCode(tiny.verdict), 98);
  assert.match(tiny.comparisons[0].reason, /too few samples/);
  const noisy = await runGate(store, {
    budgets: { ...budgets, spec: { ...budgets.spec, spec: { ...budgets.spec.spec, thresholds: {} } } },
    runId: 'r-noisy',
    baseline: { label: 'r-noisy-base', file: await buildBaseline(store, 'r-noisy-base') },
  });
  assert.ok(
    noisy.comparisons.every((c) => c.verdict === 'inconclusive'),
    renderTable(noisy),
  );
  assert.match(noisy.comparisons[0].reason, /noisy/);
});

test('a saved baseline file gives the same verdicts as the run it came from, and is small', async () => {
  const file = path.join(dir, 'baseline.json.gz');
  writeBaseline(file, await buildBaseline(store, 'r-base'));
  const loaded = readBaseline(file);
  assert.equal(loaded.run.runId, 'r-base');
  assert.equal(loaded.steps.view_item.count, 3000);
  assert.ok(Math.abs(loaded.steps.view_item.p50 - 10) < 0.5, `p50 ${loaded.steps.view_item.p50}`);
  assert.ok(fs.statSync(file).size < 40_000, `${fs.statSync(file).size} bytes`);
  const fromFile = await runGate(store, {
    budgets,
    runId: 'r-slow',
    baseline: { label: file, file: loaded },
  });
  const fromRun = await runGate(store, {
    budgets,
    runId: 'r-slow',
    baseline: { label: 'r-base', file: await buildBaseline(store, 'r-base') },
  });
  assert.deepEqual(
    fromFile.comparisons.map((c) => [c.step, c.verdict, c.p]),
    fromRun.comparisons.map((c) => [c.step, c.verdict, c.p]),
  );
});

test('JUnit has one testcase per budget, failures and skips counted; Markdown has the table and the test named', async () => {
  const base = await buildBaseline(store, 'r-base');
  const report = await runGate(store, {
    budgets,
    runId: 'r-slow',
    baseline: { label: 'r-base <&"\'>', file: base },
  });
  const xml = renderJUnit(report);
  assert.equal((xml.match(/<testcase /g) ?? []).length, report.results.length);
  assert.equal(
    (xml.match(/<failure /g) ?? []).length,
    report.results.filter((r) => r.verdict === 'fail').length,
  );
  assert.match(xml, /failures="\d+"/);
  assert.match(xml, /value="r-base &lt;&amp;&quot;&apos;&gt;"/);
  const md = renderMarkdown(report);
  assert.match(md, /### marketbench gate: ❌ fail/);
  assert.match(md, /Mann–Whitney U/);
  assert.equal(
    (md.match(/^\| ❌ fail \|/gm) ?? []).length,
    report.results.filter((r) => r.verdict === 'fail').length,
  );
});

test('the CLI exits 0, 99, 98 and 1, and writes JUnit and Markdown', async () => {
  await store.close();
  const budgetsFile = path.join(dir, 'budgets.yaml');
  fs.writeFileSync(budgetsFile, BUDGETS_YAML);
  const env: NodeJS.ProcessEnv = { ...process.env, MARKETBENCH_HOME: dir };
  delete env.CLICKHOUSE_URL;
  const run = (...args: string[]) =>
    spawnSync(process.execPath, [BIN, '--verbose', ...args], { env, encoding: 'utf8', timeout: 60_000 });
  try {
    const saved = run('baseline', 'save', 'r-base', '--to', path.join(dir, 'base.json'));
    assert.equal(saved.status, 0, saved.stderr);
    assert.match(saved.stdout, /2 steps, 6000 requests/);
    const ok = run(
      'gate',
      '--budgets',
      budgetsFile,
      '--run',
      'r-same',
      '--baseline',
      path.join(dir, 'base.json'),
    );
    assert.equal(ok.status, 0, ok.stdout + ok.stderr);
    assert.match(ok.stdout, /verdict: PASS/);
    const junit = path.join(dir, 'out.xml');
    const md = path.join(dir, 'out.md');
    const bad = run(
      'gate',
      '--budgets',
      budgetsFile,
      '--run',
      'r-slow',
      '--baseline',
      'r-base',
      '--junit',
      junit,
      '--markdown',
      md,
    );
    assert.equal(bad.status, 99, bad.stdout + bad.stderr);
    assert.match(bad.stdout, /FAIL\s+http_req_duration\{name:checkout\} p\(99\)<300/);
    assert.match(fs.readFileSync(junit, 'utf8'), /<failure /);
    assert.match(fs.readFileSync(md, 'utf8'), /❌ fail/);
    const unsure = run('gate', '--budgets', budgetsFile, '--run', 'r-tiny', '--baseline', 'r-base');
    assert.equal(unsure.status, 98, unsure.stdout + unsure.stderr);
    fs.writeFileSync(
      path.join(dir, 'bad.yaml'),
      'apiVersion: marketbench/v1\nkind: Budgets\nspec:\n  thresholds:\n    http_req_duration: ["p(99)<<3"]\n',
    );
    const usage = run('gate', '--budgets', path.join(dir, 'bad.yaml'));
    assert.equal(usage.status, 1);
    assert.match(usage.stderr, /bad\.yaml: spec\.thresholds\["http_req_duration"\].*MB_ERR_BUDGET_INVALID/);
  } finally {
    store = await openStore({ home: dir });
  }
});

test('the example budgets file validates, with its baseline policy', () => {
  const b = loadBudgets(fileURLToPath(new URL('../../budgets.example.yaml', import.meta.url)));
  assert.equal(b.name, 'reference-service-smoke');
  assert.equal(b.baseline.tolerance, 0.1);
  assert.deepEqual(b.baseline.steps, ['browse', 'view_item', 'search']);
  assert.equal(Object.keys(b.spec.spec.thresholds ?? {}).length, 8);
  // A budget's p(99) on a step cannot drift from the SLO objective of the routes that step calls.
  const thresholds = b.spec.spec.thresholds ?? {};
  for (const [step, objective] of [
    [STEPS.viewItem, OBJECTIVES.itemLatency],
    [STEPS.search, OBJECTIVES.searchLatency],
    [STEPS.checkout, OBJECTIVES.checkoutLatency],
  ] as const) {
    const p99 = (thresholds[`http_req_duration{name:${step}}`] ?? []).find((t) =>
      String(t).startsWith('p(99)'),
    );
    assert.equal(
      p99,
      latencyThreshold(objective),
      `${step}: ${p99} is not its SLO's ${latencyThreshold(objective)}`,
    );
  }
});
