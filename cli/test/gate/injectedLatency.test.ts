// The gate on real runs through the whole embedded stack: a healthy smoke run is the baseline; the
// same run with 1.2 s of latency injected into every database call (the reference service's fault
// API, scheduled by the scenario) breaks the item-page p99 budget and the baseline comparison, and
// the gate says so with exit code 99. (The healthy run is held to its median only: on a busy CI
// machine its p99 is the machine's scheduling noise, which the synthetic gate tests cover.)

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { STEPS } from '@marketbench/contracts';
import { BUILTIN_SCENARIOS, runScenario, type ScenarioDefinition } from '@marketbench/load-scenarios';
import { buildBaseline } from '../../src/gate/baselineFile.ts';
import { validateBudgets } from '../../src/gate/loadBudgets.ts';
import { renderTable } from '../../src/gate/render/renderTable.ts';
import { gateExitCode, runGate } from '../../src/gate/runGate.ts';
import { startStack } from '../../src/stack/startStack.ts';
import type { Stack } from '../../src/stack/types.ts';

const budgets = validateBudgets(
  {
    apiVersion: 'marketbench/v1',
    kind: 'Budgets',
    metadata: { name: 'item-page' },
    spec: {
      thresholds: {
        [`http_req_duration{name:${STEPS.viewItem}}`]: ['p(50)<200', 'p(99)<1000'],
        http_req_failed: ['rate<0.05'],
      },
      baseline: { minSamples: 40, tolerance: 0.2, minToleranceMs: 5, steps: [STEPS.viewItem] },
    },
  },
  'inline',
);

function smoke(faults: ScenarioDefinition['faults']): ScenarioDefinition {
  const base = BUILTIN_SCENARIOS.smoke;
  return { ...base, options: { ...base.options, thresholds: {} }, faults };
}

let home: string;
let stack: Stack;
before(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'mb-gate-real-'));
  stack = await startStack({ home, ingestPort: 0, servicePort: 0 });
});
after(async () => {
  await stack?.stop();
  fs.rmSync(home, { recursive: true, force: true });
});

test('a run with 1.2 s injected into the database breaks the p99 budget and the baseline (exit 99)', async () => {
  const run = (def: ScenarioDefinition, seed: number) =>
    runScenario(def, {
      target: stack.serviceUrl,
      store: stack.store,
      adminToken: stack.adminToken,
      seed,
      overrides: { rate: 25, duration: '6s' },
    });
  const healthy = await run(smoke(undefined), 1);
  const slow = await run(
    smoke([
      { at: '0s', dependency: 'db', action: 'set', spec: { latency: { distribution: 'fixed', ms: 1200 } } },
    ]),
    1,
  );
  assert.ok(
    slow.faults.some((f) => f.ok && f.action === 'set'),
    JSON.stringify(slow.faults),
  );

  const baseline = { label: healthy.runId, file: await buildBaseline(stack.store, healthy.runId) };
  const good = await runGate(stack.store, { budgets, runId: healthy.runId });
  const median = (r: typeof good) =>
    r.results.find((x) => x.name === `http_req_duration{name:${STEPS.viewItem}} p(50)<200`);
  assert.equal(median(good)?.verdict, 'pass', renderTable(good));

  const bad = await runGate(stack.store, { budgets, runId: slow.runId, baseline });
  assert.equal(gateExitCode(bad.verdict), 99, renderTable(bad));
  const p99 = bad.results.find((r) => r.name === `http_req_duration{name:${STEPS.viewItem}} p(99)<1000`);
  assert.equal(p99?.verdict, 'fail', renderTable(bad));
  assert.equal(median(bad)?.verdict, 'fail', renderTable(bad));
  const cmp = bad.comparisons.find((c) => c.step === STEPS.viewItem);
  assert.equal(cmp?.verdict, 'fail', renderTable(bad));
  assert.ok((cmp?.diff.estimate ?? 0) > 400, `p95 difference ${cmp?.diff.estimate} ms`);
});
