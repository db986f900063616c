// `marketbench capacity` end to end on the embedded stack, as a user runs it: a short stepped run
// (4 closed-model steps of the marketplace-day mix), its stored fit, the HTML report rendered by
// headless Chromium (every canvas painted, no console error, no request), `capacity plan` on the
// stored run, and the gate reading the stored figures: a budget the run cannot meet exits 99,
// one against its own figures as baseline passes, and a baseline it fell far below exits 99.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CHROMIUM, launchChromium, paintedPixelsPerChart } from '../../../test-support/chromium.ts';
import { missingCommand, needs } from '../../../test-support/dependency.ts';
import { cleanup, type Run, run, tempHome } from './runCli.ts';

const OUT_DIR = fileURLToPath(new URL('../../../test-output/', import.meta.url));
const ports = { MARKETBENCH_PORT: '0', MARKETBENCH_INGEST_PORT: '0' };

let home: string;
let r: Run;
let result: {
  runId: string;
  reportPath: string;
  steps: {
    load: number;
    throughput: number;
    requests: number;
    answered: number;
    serverSpans: number;
    inFlightClient: number;
    inFlightServer: number | null;
    serviceCpu: number | null;
  }[];
  usl?: {
    fit: { lambda: number; sigma: number; kappa: number; r2: number };
    nStar: number | string;
    maxThroughput: number;
  };
  knee: { summary: string };
  plan?: { replicas: number; lines: string[] };
  totals: { requests: number };
};

before(async () => {
  home = tempHome();
  r = await run(
    [
      'capacity',
      'run',
      '--levels',
      '1,2,4,8',
      '--settle',
      '2s',
      '--step-duration',
      '5s',
      '--seed',
      '3',
      '--resamples',
      '200',
      '--json',
    ],
    home,
    ports,
  );
  if (r.code === 0) result = JSON.parse(r.stdout);
});
after(cleanup);

test('capacity run measures every step, fits the USL and stores both', { timeout: 240_000 }, async () => {
  assert.equal(r.code, 0, r.stderr);
  assert.equal(result.steps.length, 4);
  assert.deepEqual(
    result.steps.map((s) => s.load),
    [1, 2, 4, 8],
  );
  for (const s of result.steps) {
    assert.ok(s.requests > 0 && s.throughput > 0, JSON.stringify(s));
    // Little's law on the client: a closed-model step keeps at most N requests in flight, and
    // the service's spans (time inside its handlers) can never exceed the client's view.
    // (a window's edges let Little's estimate pass N by a few percent)
    assert.ok(s.inFlightClient <= s.load * 1.1 && s.inFlightClient > s.load * 0.3, JSON.stringify(s));
    assert.ok(s.inFlightServer !== null && s.inFlightServer <= s.inFlightClient * 1.05, JSON.stringify(s));
    // every answered request of the window has its server span (joined by trace and span id)
    assert.equal(s.serverSpans, s.answered, JSON.stringify(s));
    assert.ok(s.serviceCpu !== null && s.serviceCpu > 0, 'service CPU from the scraped /metrics');
  }
  assert.ok(result.usl, 'fitted');
  assert.ok(result.usl.fit.lambda > 0 && result.usl.fit.sigma >= 0 && result.usl.fit.kappa >= 0);
  assert.ok(result.plan && result.plan.replicas >= 1, JSON.stringify(result.plan));
  const q = await run(
    [
      'query',
      'SELECT (SELECT count() FROM marketbench_capacity_steps WHERE run_id = {id:String}) AS steps, max_throughput, sigma FROM marketbench_capacity_runs FINAL WHERE run_id = {id:String}',
      '--param',
      `id=${result.runId}`,
      '--format',
      'json',
    ],
    home,
  );
  assert.equal(q.code, 0, q.stderr);
  const [row] = JSON.parse(q.stdout) as { steps: string; max_throughput: number | null; sigma: number }[];
  assert.equal(Number(row.steps), 4);
  // linear scaling (σ = κ = 0) has no maximum: "Infinity" in --json, inf in the store
  const xmax = result.usl.maxThroughput;
  if (typeof xmax === 'number') assert.ok(Math.abs((row.max_throughput ?? 0) - xmax) < 1e-6 * xmax);
  else assert.equal(xmax, 'Infinity');
  assert.equal(row.sigma, result.usl.fit.sigma);
});

test('the capacity report renders in Chromium: every canvas painted, no console error, no request', async (t) => {
  if (!needs(t, missingCommand(CHROMIUM))) return;
  assert.equal(r.code, 0, r.stderr);
  const html = fs.readFileSync(result.reportPath, 'utf8');
  assert.ok(html.includes(result.runId));
  fs.mkdirSync(OUT_DIR, { recursive: true });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
    page.on('request', (q) => {
      if (!q.url().startsWith('file:') && !q.url().startsWith('data:')) requests.push(q.url());
    });
    await page.goto(`file://${path.resolve(result.reportPath)}`);
    await page.waitForFunction("document.body.getAttribute('data-charts') !== null", undefined, {
      timeout: 20_000,
    });
    assert.equal(Number(await page.getAttribute('body', 'data-charts')), 4);
    const painted = await paintedPixelsPerChart(page);
    assert.equal(painted.length, 4);
    assert.ok(
      painted.every((n) => n > 2000),
      `painted pixels per chart: ${painted.join(', ')}`,
    );
    assert.deepEqual(problems, []);
    assert.deepEqual(requests, []);
    await page.screenshot({ path: path.join(OUT_DIR, 'capacity.png'), fullPage: true });
  } finally {
    await browser.close();
  }
});

test('capacity plan shows the arithmetic from the stored run; bad flags are one-line errors', async () => {
  assert.equal(r.code, 0, r.stderr);
  const p = await run(
    [
      'capacity',
      'plan',
      '--day',
      '100M',
      '--shape',
      'marketplace-day',
      '--p99',
      '300ms',
      '--headroom',
      '0.3',
    ],
    home,
  );
  assert.equal(p.code, 0, p.stderr);
  assert.match(p.stdout, /day: 100,000,000 requests \/ 86,400 s = 1,157\.4 req\/s on average/);
  assert.match(p.stdout, /shape marketplace-day: peak minute \(\d\d:\d\d\) \/ mean = \d\.\d{3}/);
  assert.match(p.stdout, /replicas = ⌈[\d,.]+ \/ [\d,.]+⌉ = \d+ \[95% CI \d+–\d+\]|no replica count/);
  const j = await run(['capacity', 'plan', '--day', '1B', '--json', '--headroom', '0.5'], home);
  assert.equal(j.code, 0, j.stderr);
  const plan = JSON.parse(j.stdout) as { dayRequests: number; headroom: number; runId: string };
  assert.equal(plan.dayRequests, 1e9);
  assert.equal(plan.headroom, 0.5);
  assert.equal(plan.runId, result.runId);
  const bad = await run(['capacity', 'plan', '--day', 'lots'], home);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /^marketbench: --day must be a request count .* \[MB_ERR_USAGE\]\n$/);
  for (const args of [
    ['--model', 'sideways'],
    ['--levels', '4,2'],
    ['--settle', 'soon'],
    ['--headroom', '1.5'],
  ]) {
    const e = await run(['capacity', 'run', ...args], home, ports);
    assert.equal(e.code, 1, `${args.join(' ')}: ${e.stderr}`);
    assert.match(e.stderr, /^marketbench: .* \[MB_ERR_USAGE\]\n$/);
  }
  const out = path.join(home, 'again.html');
  const rep = await run(['capacity', 'report', result.runId, '--out', out], home);
  assert.equal(rep.code, 0, rep.stderr);
  assert.ok(fs.readFileSync(out, 'utf8').includes(result.runId));
  const none = await run(['capacity', 'plan', '--day', '1M'], tempHome());
  assert.equal(none.code, 1);
  assert.match(none.stderr, /no capacity run yet.*\[MB_ERR_CAPACITY_NO_RUN\]/);
});

test('the gate holds budgets on the stored figures: broken → 99, its own baseline → 0, a higher baseline → 99', async () => {
  assert.equal(r.code, 0, r.stderr);
  const usl = result.usl as NonNullable<typeof result.usl>;
  const budgets = (capacity: string) => {
    const f = path.join(home, `budgets-${Math.random().toString(36).slice(2)}.yaml`);
    fs.writeFileSync(f, `apiVersion: marketbench/v1\nkind: Budgets\nspec:\n  capacity:\n${capacity}`);
    return f;
  };
  // a floor on λ ten times what was measured: broken on purpose
  const floor = budgets(`    lambda: { min: ${Math.ceil(usl.fit.lambda * 10)} }\n`);
  const broken = await run(['gate', '--budgets', floor, '--run', result.runId, '--json'], home);
  assert.equal(broken.code, 99, broken.stderr + broken.stdout);
  const report = JSON.parse(broken.stdout) as { results: { kind: string; name: string; verdict: string }[] };
  assert.deepEqual(
    report.results.map((x) => [x.kind, x.name, x.verdict]),
    [['capacity', 'capacity.lambda min', 'fail']],
  );
  // against itself as baseline, a 10% drop budget holds
  const drop = budgets('    lambda: { maxDrop: 0.10 }\n');
  const same = await run(
    ['gate', '--budgets', drop, '--run', result.runId, '--baseline', result.runId],
    home,
  );
  // the per-step latency comparisons of 5 s steps decide what they decide; the capacity budget passes
  assert.notEqual(same.code, 1, same.stderr);
  assert.match(same.stdout, /PASS +capacity\.lambda maxDrop/);
  // a saved baseline file whose maximum was 10× higher: the run fell > 10% below it
  const saved = path.join(home, 'baseline.json');
  const save = await run(['baseline', 'save', result.runId, '--to', saved], home);
  assert.equal(save.code, 0, save.stderr);
  const b = JSON.parse(fs.readFileSync(saved, 'utf8'));
  assert.ok(b.capacity?.lambda?.value > 0, 'baseline save keeps the capacity figures');
  b.capacity.lambda.value *= 10;
  fs.writeFileSync(saved, JSON.stringify(b));
  const fell = await run(['gate', '--budgets', drop, '--run', result.runId, '--baseline', saved], home);
  assert.equal(fell.code, 99, fell.stderr + fell.stdout);
  // a budgets typo is refused, naming the field
  const typo = budgets('    max_thruput: { min: 1 }\n');
  const t = await run(['gate', '--budgets', typo, '--run', result.runId], home);
  assert.equal(t.code, 1);
  assert.match(t.stderr, /capacity.*max_thruput.*\[MB_ERR_BUDGET_INVALID\]/);
});
