// The capacity report: ONE self-contained HTML file (echarts inlined, data embedded, a CSP that
// forbids any fetch), like the run report: the measured points with the fitted USL curve and its
// bootstrap band, N* and the knee marked; latency, requests in flight (both Little's-law views)
// and CPU per step; the coefficients with their intervals; the plan's arithmetic.

import fs from 'node:fs';
import path from 'node:path';
import type { Store } from '@marketbench/telemetry-store';
import { echartsSource } from '../report/echartsSource.ts';
import { escapeHtml as e, jsonForScript } from '../report/escapeHtml.ts';
import { throughputBand } from './fitUsl.ts';
import { formatPlan } from './formatCapacity.ts';
import type { CapacityResult } from './types.ts';
import { uslThroughput } from './usl.ts';

/** Points of the fitted curve and its band, from 1 to past the measured loads (and N* when near). */
export function curveOf(r: CapacityResult): { n: number[]; x: number[]; low: number[]; high: number[] } {
  const m = r.usl;
  if (!m) return { n: [], x: [], low: [], high: [] };
  const top = Math.max(...m.points.map((p) => p.n));
  const end = Number.isFinite(m.nStar) && m.nStar < top * 3 ? Math.max(top, m.nStar) * 1.25 : top * 1.25;
  const n: number[] = [];
  const x: number[] = [];
  const low: number[] = [];
  const high: number[] = [];
  const pts = 80;
  const start = Math.min(1, ...m.points.map((p) => p.n));
  for (let i = 0; i <= pts; i++) {
    const v = start + ((end - start) * i) / pts;
    const band = throughputBand(m.bootstrap.draws, v, m.bootstrap.confidence);
    n.push(Number(v.toFixed(3)));
    x.push(uslThroughput(m.fit, v));
    low.push(band.low);
    high.push(band.high);
  }
  return { n, x, low, high };
}

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
header{background:#1d2330;color:#fff;padding:16px 24px}header h1{margin:0;font-size:20px}header p{margin:4px 0 0;color:#c9d1e0}
main{padding:16px 24px;max-width:1400px;margin:auto}section{background:#fff;border:1px solid #e1e4ea;border-radius:6px;padding:12px 16px;margin:0 0 16px}
h2{font-size:16px;margin:0 0 8px}table{border-collapse:collapse;width:100%;font-size:13px}th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #eceef2}
th{background:#f0f2f5}td.num{text-align:right;font-variant-numeric:tabular-nums}tr.bad td{background:#fdecea;color:#c0392b}tr.knee td{background:#e8f4ea}td.bad{color:#c0392b;font-weight:700}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(560px,1fr));gap:12px}.chart{height:340px;width:100%}.chart.big{height:420px}
pre{background:#f0f2f5;padding:8px;overflow:auto;font-size:12px;white-space:pre-wrap}.muted{color:#6b7280}
`;

const SCRIPT = `
(function () {
  var d = JSON.parse(document.getElementById('capacity-data').textContent);
  var charts = [];
  var unit = d.loadModel === 'closed' ? 'VUs' : 'in flight';
  function init(id, option) {
    var el = document.getElementById(id);
    if (!el) return;
    var c = echarts.init(el, null, { renderer: 'canvas' });
    option.animation = false;
    option.tooltip = option.tooltip || { trigger: 'axis' };
    option.legend = option.legend || { top: 22, type: 'scroll' };
    option.grid = option.grid || { left: 70, right: 30, top: 64, bottom: 44 };
    c.setOption(option);
    charts.push(c);
  }
  function zip(a, b) { var o = []; for (var i = 0; i < a.length; i++) o.push([a[i], b[i]]); return o; }
  var marks = [];
  if (d.nStar !== null) marks.push({ xAxis: d.nStar, name: 'N*', lineStyle: { color: '#8e44ad', type: 'dashed' }, label: { formatter: 'N* ' + d.nStar.toFixed(1), position: 'insideEndTop' } });
  if (d.kneeN !== null) marks.push({ xAxis: d.kneeN, name: 'knee', lineStyle: { color: '#c0392b', type: 'dashed' }, label: { formatter: 'knee', position: 'insideEndBottom' } });
  var bandLow = zip(d.curve.n, d.curve.low);
  var bandWidth = d.curve.n.map(function (n, i) { return [n, d.curve.high[i] - d.curve.low[i]]; });
  init('chart-usl', {
    title: { text: 'Throughput vs load: measured steps and the USL fit (' + Math.round(d.confidence * 100) + '% bootstrap band)', left: 'center', textStyle: { fontSize: 13 } },
    legend: { top: 22, data: ['band', 'USL fit', 'measured'] },
    xAxis: { type: 'value', name: unit, min: 0 },
    yAxis: { type: 'value', name: 'req/s', min: 0 },
    series: [
      { name: 'band low', type: 'line', data: bandLow, stack: 'band', showSymbol: false, lineStyle: { opacity: 0 }, silent: true, tooltip: { show: false } },
      { name: 'band', type: 'line', data: bandWidth, stack: 'band', showSymbol: false, lineStyle: { opacity: 0 }, areaStyle: { color: 'rgba(74,123,208,0.22)' }, silent: true },
      { name: 'USL fit', type: 'line', data: zip(d.curve.n, d.curve.x), showSymbol: false, lineStyle: { color: '#4a7bd0', width: 2 }, markLine: { symbol: 'none', silent: true, data: marks } },
      { name: 'measured', type: 'scatter', data: d.points, symbolSize: 10, itemStyle: { color: '#1d2330' } }
    ]
  });
  var loads = d.steps.map(function (s) { return s.load; });
  var objLines = d.objectives.map(function (o) { return { yAxis: o.thresholdMs, name: o.name, lineStyle: { type: 'dashed', color: '#c0392b' }, label: { formatter: o.name + ' ' + o.thresholdMs + ' ms', position: 'insideEndTop', fontSize: 10 } }; });
  init('chart-latency', {
    title: { text: 'Latency per step (corrected, ms, log scale) and the objectives', left: 'center', textStyle: { fontSize: 13 } },
    xAxis: { type: 'value', name: d.loadModel === 'closed' ? 'VUs' : 'iterations/s', min: 0 },
    yAxis: { type: 'log', name: 'ms' },
    series: [
      { name: 'p50', type: 'line', data: zip(loads, d.steps.map(function (s) { return Math.max(0.01, s.p50Ms); })) },
      { name: 'p95', type: 'line', data: zip(loads, d.steps.map(function (s) { return Math.max(0.01, s.p95Ms); })) },
      { name: 'p99', type: 'line', data: zip(loads, d.steps.map(function (s) { return Math.max(0.01, s.p99Ms); })), markLine: { symbol: 'none', silent: true, data: objLines } }
    ]
  });
  var flight = [
    { name: 'client (X × W, Little)', type: 'line', data: zip(loads, d.steps.map(function (s) { return s.inFlightClient; })) },
    { name: 'server spans (X × W, Little)', type: 'line', data: zip(loads, d.steps.map(function (s) { return s.inFlightServer; })), lineStyle: { type: 'dashed' } }
  ];
  if (d.loadModel === 'closed') flight.push({ name: 'VUs (N)', type: 'line', data: zip(loads, loads), lineStyle: { type: 'dotted' }, showSymbol: false });
  init('chart-inflight', {
    title: { text: 'Requests in flight per step: the client view and the server view', left: 'center', textStyle: { fontSize: 13 } },
    xAxis: { type: 'value', name: d.loadModel === 'closed' ? 'VUs' : 'iterations/s', min: 0 },
    yAxis: { type: 'value', name: 'in flight', min: 0 },
    series: flight
  });
  init('chart-cpu', {
    title: { text: 'CPU per step: the service (cores) and the generator (cores)', left: 'center', textStyle: { fontSize: 13 } },
    xAxis: { type: 'value', name: d.loadModel === 'closed' ? 'VUs' : 'iterations/s', min: 0 },
    yAxis: { type: 'value', name: 'cores', min: 0 },
    series: [
      { name: 'service', type: 'line', data: zip(loads, d.steps.map(function (s) { return s.serviceCpu; })) },
      { name: 'generator', type: 'line', data: zip(loads, d.steps.map(function (s) { return s.generatorCpu === null ? null : s.generatorCpu / 100; })) }
    ]
  });
  window.addEventListener('resize', function () { charts.forEach(function (c) { c.resize(); }); });
  document.body.setAttribute('data-charts', String(charts.length));
})();
`;

const fmt = (n: number | null | undefined, d = 1): string =>
  n === null || n === undefined
    ? '–'
    : n === Number.POSITIVE_INFINITY
      ? '∞'
      : Number.isFinite(n)
        ? n.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d })
        : '–';
const coef = (n: number) =>
  Number.isFinite(n) ? (Math.abs(n) < 0.01 && n !== 0 ? n.toExponential(3) : n.toFixed(4)) : '∞';

/** The report as one HTML document. */
export function renderCapacityReport(r: CapacityResult): string {
  const m = r.usl;
  const kneeStep = r.knee.load === null ? undefined : r.steps.find((s) => s.load === r.knee.load);
  const kneeN = kneeStep ? (r.loadModel === 'closed' ? kneeStep.load : kneeStep.inFlightClient) : null;
  const data = {
    loadModel: r.loadModel,
    steps: r.steps,
    objectives: r.objectives,
    points: m ? m.points.map((p) => [p.n, p.x]) : [],
    curve: curveOf(r),
    nStar: m && Number.isFinite(m.nStar) ? m.nStar : null,
    kneeN,
    confidence: m?.bootstrap.confidence ?? 0.95,
  };
  const unit = r.loadModel === 'closed' ? 'VUs' : 'it/s';
  const pct = Math.round((m?.bootstrap.confidence ?? 0.95) * 100);
  const fit = m
    ? `<table><tr><th>figure</th><th>estimate</th><th>${pct}% CI (bootstrap over steps, ${m.bootstrap.resamples} resamples)</th><th>meaning</th></tr>
<tr><td>λ</td><td class="num">${fmt(m.fit.lambda)}</td><td class="num">${fmt(m.bootstrap.lambda.low)} – ${fmt(m.bootstrap.lambda.high)}</td><td>req/s at a load of one</td></tr>
<tr><td>σ</td><td class="num">${coef(m.fit.sigma)}</td><td class="num">${coef(m.bootstrap.sigma.low)} – ${coef(m.bootstrap.sigma.high)}</td><td>contention: the share of work that queues</td></tr>
<tr><td>κ</td><td class="num">${coef(m.fit.kappa)}</td><td class="num">${coef(m.bootstrap.kappa.low)} – ${coef(m.bootstrap.kappa.high)}</td><td>coherency: the crosstalk that bends throughput down</td></tr>
<tr><td>R²</td><td class="num">${m.fit.r2.toFixed(4)}</td><td class="num">${m.bootstrap.r2.low.toFixed(4)} – ${m.bootstrap.r2.high.toFixed(4)}</td><td>share of the throughput's variance the fit explains</td></tr>
<tr><td>N*</td><td class="num">${fmt(m.nStar)}</td><td class="num">${fmt(m.bootstrap.nStar.low)} – ${fmt(m.bootstrap.nStar.high)}</td><td>√((1−σ)/κ): the load where throughput peaks (${r.loadModel === 'closed' ? 'VUs' : 'requests in flight'})</td></tr>
<tr><td>max throughput</td><td class="num">${fmt(m.maxThroughput, 0)}</td><td class="num">${fmt(m.bootstrap.maxThroughput.low, 0)} – ${fmt(m.bootstrap.maxThroughput.high, 0)}</td><td>X(N*), req/s</td></tr></table>`
    : `<p class="muted">${e(r.uslNote ?? 'No fit.')}</p>`;
  const stepRows = r.steps
    .map((s) => {
      const cls = r.knee.brokenAt?.step === s.step ? 'bad' : kneeStep?.step === s.step ? 'knee' : '';
      const objs = s.objectives.map((o) => `<td class="num">${fmt(o.value)}</td>`).join('');
      return `<tr class="${cls}"><td class="num">${s.step}</td><td class="num">${fmt(s.load, r.loadModel === 'closed' ? 0 : 1)}</td><td class="num">${fmt(s.throughput)}</td><td class="num">${fmt(s.p50Ms)}</td><td class="num">${fmt(s.p95Ms)}</td><td class="num">${fmt(s.p99Ms)}</td>${objs}<td class="num">${fmt(s.errors, 0)}</td><td class="num">${fmt(s.inFlightClient, 2)}</td><td class="num">${fmt(s.inFlightServer, 2)}</td><td class="num${s.serverSpans === s.answered ? '' : ' bad'}">${fmt(s.serverSpans, 0)} / ${fmt(s.answered, 0)}</td><td class="num">${fmt(s.serviceCpu, 2)}</td><td class="num">${fmt(s.generatorCpu, 0)}</td><td class="num">${fmt(s.droppedIterations, 0)}</td></tr>`;
    })
    .join('');
  const objHeads = r.objectives
    .map((o) => `<th>${e(o.name)} p${Math.round(o.quantile * 1000) / 10} (≤ ${o.thresholdMs})</th>`)
    .join('');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>marketbench capacity: ${e(r.scenario)} ${e(r.runId)}</title><style>${CSS}</style></head>
<body><header><h1>marketbench capacity: ${e(r.scenario)}</h1><p>run ${e(r.runId)} · ${e(r.startedAt)} · ${e(r.loadModel)} model · ${r.steps.length} steps × (${r.settleSeconds} s settle + ${r.stepSeconds} s measured) · commit ${e(r.gitCommit.slice(0, 12) || 'unknown')} · load average ${e(r.loadAverage.join(' '))}</p></header>
<main>
<section id="model"><h2>Universal Scalability Law: X(N) = λN / (1 + σ(N−1) + κN(N−1))</h2><div class="chart big" id="chart-usl"></div>${fit}</section>
<section id="knee"><h2>Knee</h2><p>${e(r.knee.summary)}</p><p class="muted">Objectives: ${e(r.objectives.map((o) => `${o.name}: p${Math.round(o.quantile * 1000) / 10} of its requests ≤ ${o.thresholdMs} ms (client latency from the intended start)`).join('; '))}.</p></section>
<section id="plan"><h2>Plan</h2>${r.plan ? `<pre>${e(formatPlan(r.plan))}</pre>` : '<p class="muted">No plan: the run has no fit, or its scenario no daily shape.</p>'}</section>
<section id="charts"><h2>Per step</h2><div class="grid"><div class="chart" id="chart-latency"></div><div class="chart" id="chart-inflight"></div><div class="chart" id="chart-cpu"></div></div></section>
<section id="steps"><h2>Steps</h2><table><tr><th>step</th><th>${unit}</th><th>req/s</th><th>p50 ms</th><th>p95 ms</th><th>p99 ms</th>${objHeads}<th>errors</th><th>in flight, client</th><th>in flight, server</th><th>server spans / answered requests</th><th>service CPU (cores)</th><th>generator CPU %</th><th>dropped</th></tr>${stepRows}</table>
<p class="muted">Each step's window starts after its settle. Errors: the run's failed requests (no HTTP answer, or a status the step does not expect), as the run's summary counts them. In flight by Little's law: client = req/s × mean latency as the client saw it; server = server spans/s × mean span duration. Totals: ${fmt(r.totals.requests, 0)} requests, ${fmt(r.totals.errors, 0)} failed, ${fmt(r.totals.rowsLost, 0)} rows lost, ${r.totals.spansDropped === null ? 'spans dropped unknown' : `${fmt(r.totals.spansDropped, 0)} spans dropped`}.</p></section>
</main>
<script type="application/json" id="capacity-data">${jsonForScript(data)}</script>
<script>${echartsSource()}</script>
<script>${SCRIPT}</script>
</body></html>
`;
}

/** Writes the report of a capacity run to `file`. */
export async function writeCapacityReport(_store: Store, r: CapacityResult, file: string): Promise<void> {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  fs.writeFileSync(file, renderCapacityReport(r));
}
