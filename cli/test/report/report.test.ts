// The HTML report of a synthetic run in real chDB: the numbers it collects (reconciliation with
// a deliberate mismatch, server-side latency from spans joined by trace id, the slowest requests'
// waterfalls), that it is self-contained and escaped, and that headless Chromium renders every
// chart without a console error (screenshot in test-output/).

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openStore, type Store } from '@marketbench/telemetry-store';
import { CHROMIUM, launchChromium, paintedPixelsPerChart } from '../../../test-support/chromium.ts';
import { missingCommand, needs } from '../../../test-support/dependency.ts';
import { collectReportData } from '../../src/report/collectReportData.ts';
import { renderReport } from '../../src/report/renderReport.ts';
import type { ReportData } from '../../src/report/types.ts';
import { writeRunReport } from '../../src/report/writeRunReport.ts';
import { insertRun } from '../gate/syntheticRuns.ts';
import { insertCounterScrapes, insertSamplesAndFaults, insertServerSpans } from './syntheticTelemetry.ts';

const OUT_DIR = fileURLToPath(new URL('../../../test-output/', import.meta.url));
const START = Date.UTC(2026, 10, 21, 12, 0, 0);

let dir: string;
let store: Store;
let data: ReportData;
let html: string;
before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mb-report-'));
  store = await openStore({ home: dir });
  await insertRun(store, {
    runId: 'r-report',
    seed: 7,
    startMs: START,
    steps: {
      view_item: { n: 3000, medianMs: 8, errorRate: 0.002 },
      search: { n: 1500, medianMs: 15 },
      'checkout<b>': { n: 600, medianMs: 60, injectFraction: 0.05, injectMs: 500, errorRate: 0.02 },
    },
  });
  // one request lost its server span: the reconciliation must show it in red
  const spans = await insertServerSpans(store, 'r-report', 1);
  assert.equal(spans, 5099);
  await insertCounterScrapes(store, START, START + 60_000, 1234, 5100);
  await insertSamplesAndFaults(store, 'r-report', START, 60, 85);
  data = await collectReportData(store, 'r-report');
  html = renderReport(data);
});
after(async () => {
  await store?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('reconciliation: rows, sent and counter delta agree; the missing span is a mismatch', () => {
  const by = Object.fromEntries(data.reconciliation.map((r) => [r.what, r]));
  assert.equal(by['load rows'].value, 5100);
  assert.equal(by['requests sent'].value, 5100);
  assert.equal(by['requests sent'].ok, true);
  assert.equal(by['request counter delta'].value, 5100);
  assert.equal(by['request counter delta'].ok, true);
  assert.equal(by['server spans'].value, 5099);
  assert.equal(by['server spans'].ok, false);
  assert.match(html, /<tr class="bad"><td>server spans<\/td>/);
  assert.equal(by['unanswered requests'].value, 0);
  assert.equal(by['unanswered requests'].ok, true);
  assert.match(html, /MISMATCH/);
});

test('requests that got no HTTP answer are their own red line, not a telemetry mismatch', async () => {
  const day2 = START + 86_400_000;
  await insertRun(store, {
    runId: 'r-reset',
    seed: 8,
    startMs: day2,
    steps: { browse: { n: 400, medianMs: 5, resetRate: 0.05 } },
  });
  const answered = await insertServerSpans(store, 'r-reset');
  await insertCounterScrapes(store, day2, day2 + 60_000, 0, answered);
  const d = await collectReportData(store, 'r-reset');
  const by = Object.fromEntries(d.reconciliation.map((r) => [r.what, r]));
  assert.ok(answered > 350 && answered < 400, `answered ${answered}`);
  assert.equal(by['unanswered requests'].value, 400 - answered);
  assert.equal(by['unanswered requests'].ok, false);
  assert.equal(by['server spans'].ok, true);
  assert.equal(by['request counter delta'].ok, true);
  assert.equal(by['requests sent'].ok, true);
});

test('expected 404s are not failures: the error-rate chart and the failed-requests line read expected_response', async () => {
  const day3 = START + 2 * 86_400_000;
  await insertRun(store, {
    runId: 'r-404',
    seed: 9,
    startMs: day3,
    steps: { view_item: { n: 2000, medianMs: 5, expectedNotFoundRate: 0.3, errorRate: 0.01 } },
  });
  const d = await collectReportData(store, 'r-404');
  const [counts] = await store.query<{ n404: string; failed: string }>(
    "SELECT toString(countIf(status = 404)) AS n404, toString(countIf(NOT expected_response)) AS failed FROM marketbench_load_requests WHERE run_id = 'r-404'",
  );
  assert.ok(Number(counts.n404) > 500, `404s ${counts.n404}`);
  const failed = Number(counts.failed);
  assert.ok(failed > 5 && failed < 50, `failed ${failed}`);
  const by = Object.fromEntries(d.reconciliation.map((r) => [r.what, r]));
  assert.equal(by['failed requests'].value, failed);
  assert.equal(by['failed requests'].ok, true);
  assert.equal(d.run.errorsTotal, failed);
  assert.equal(d.steps[0].errors, failed);
  // the status-code table marks the unexpected statuses, not every status >= 400
  const by404 = d.statusCodes.find((x) => x.status === 404);
  const by500 = d.statusCodes.find((x) => x.status === 500);
  assert.equal(by404?.failed, 0);
  assert.equal(by500?.failed, by500?.count);
  // the chart's overall ratio is the failed share, not the share of statuses ≥ 400
  const points = d.errors.errorRate.v.filter((v): v is number => v !== null);
  const mean = points.reduce((a, b) => a + b, 0) / points.length;
  assert.ok(mean < 0.05, `error-rate chart mean ${mean}`);
});

test('latency per step over time, corrected above server-side, and the slowest 20 with their spans', () => {
  assert.deepEqual(
    data.latency.map((l) => l.step),
    ['checkout<b>', 'search', 'view_item'],
  );
  const view = data.steps.find((s) => s.step === 'view_item');
  assert.ok(view && view.serverP99 !== null && view.serverP99 < view.p99, JSON.stringify(view));
  assert.equal(
    data.steps.reduce((n, x) => n + x.spans, 0),
    5099,
  );
  const v = data.latency.find((l) => l.step === 'view_item');
  assert.ok(v && v.t.length >= 50 && v.serverP99.filter((x) => x !== null).length >= 50);
  assert.equal(data.slowest.length, 20);
  assert.ok(data.slowest.every((s) => s.step === 'checkout<b>' && s.correctedMs > 400));
  assert.ok(data.slowest.every((s) => s.spans.length === 2 && s.spans.some((x) => x.depth === 1)));
  assert.equal(data.rate.source, 'generator samples');
  assert.equal(data.faults.length, 2);
  assert.equal(data.faults[0].atSec, 20);
});

test('the page is self-contained and escapes what came from the store', () => {
  assert.doesNotMatch(html, /<script[^>]+src=/i);
  assert.doesNotMatch(html, /<link[^>]+href=/i);
  assert.doesNotMatch(html, /https?:\/\/(?!127\.0\.0\.1)[^"'\s)]*\.(js|css)/);
  assert.ok(html.includes('checkout&lt;b&gt;'));
  assert.ok(!html.includes('<script>alert(1)</script>'));
  assert.ok(!html.includes('checkout<b>'));
  assert.ok(html.length > 1_000_000, 'echarts is inlined');
});

test('headless Chromium renders every chart with no console error', async (t) => {
  if (!needs(t, missingCommand(CHROMIUM))) return;
  fs.mkdirSync(OUT_DIR, { recursive: true });
  const file = path.join(OUT_DIR, 'report.html');
  fs.writeFileSync(file, html);
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
    page.on('request', (r) => {
      if (!r.url().startsWith('file:') && !r.url().startsWith('data:')) requests.push(r.url());
    });
    await page.goto(`file://${file}`);
    await page.waitForFunction("document.body.getAttribute('data-charts') !== null", undefined, {
      timeout: 20_000,
    });
    const charts = Number(await page.getAttribute('body', 'data-charts'));
    assert.equal(charts, 5 + data.latency.length);
    // every chart's canvas has painted pixels that are not background
    const painted = await paintedPixelsPerChart(page);
    assert.equal(painted.length, charts);
    assert.ok(
      painted.every((n) => n > 2000),
      `painted pixels per chart: ${painted.join(', ')}`,
    );
    assert.deepEqual(problems, []);
    assert.deepEqual(requests, []);
    await page.screenshot({ path: path.join(OUT_DIR, 'report.png'), fullPage: true });
    assert.ok(fs.statSync(path.join(OUT_DIR, 'report.png')).size > 50_000);
  } finally {
    await browser.close();
  }
});

test('writeRunReport evaluates the shipped SLOs over the run and tabulates them', async () => {
  const file = path.join(dir, 'with-slos.html');
  const d = await writeRunReport(store, 'r-report', file);
  assert.ok(d.slos && d.slos.length >= 5, d.slosNote);
  assert.match(d.slosNote ?? '', /time-scaled 1× like the scenario/);
  const page = fs.readFileSync(file, 'utf8');
  assert.match(page, /<section id="slos"><h2>SLOs<\/h2><table>/);
  assert.ok(d.slos.every((s) => Object.keys(s.burn).length >= 2));
});
