// Renders the report data as ONE self-contained HTML file: tables rendered here (escaped),
// charts drawn in the page by the inlined echarts from the embedded JSON, trace waterfalls as
// plain positioned bars. Nothing is fetched at view time.

import { isRemoteTarget } from '@marketbench/load-scenarios';
import { echartsSource } from './echartsSource.ts';
import { escapeHtml as e, jsonForScript } from './escapeHtml.ts';
import { REPORT_SCRIPT } from './reportScript.ts';
import type { ReportData, SlowRequest } from './types.ts';

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
header{background:#1d2330;color:#fff;padding:16px 24px}header h1{margin:0;font-size:20px}header p{margin:4px 0 0;color:#c9d1e0}
main{padding:16px 24px;max-width:1400px;margin:auto}section{background:#fff;border:1px solid #e1e4ea;border-radius:6px;padding:12px 16px;margin:0 0 16px}
h2{font-size:16px;margin:0 0 8px}table{border-collapse:collapse;width:100%;font-size:13px}th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #eceef2;vertical-align:top}
th{background:#f0f2f5}td.num{text-align:right;font-variant-numeric:tabular-nums}.ok{color:#1e7b34;font-weight:600}.bad{color:#c0392b;font-weight:700}
tr.bad td{background:#fdecea;color:#c0392b}.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-weight:600}.badge.pass{background:#d4f3dc;color:#1e7b34}.badge.fail{background:#fdecea;color:#c0392b}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(560px,1fr));gap:12px}.chart{height:300px;width:100%}
pre{background:#f0f2f5;padding:8px;overflow:auto;max-height:400px;font-size:12px}.wf{position:relative;height:18px;margin:1px 0;background:#f7f8fa}
.wf .bar{position:absolute;top:2px;height:14px;border-radius:2px;background:#4a7bd0;min-width:1px}.wf .bar.err{background:#c0392b}.wf .bar.lag{background:repeating-linear-gradient(45deg,#f0b429,#f0b429 4px,#fbe3a5 4px,#fbe3a5 8px)}
.wf .lbl{position:absolute;left:4px;top:1px;font-size:11px;white-space:nowrap;color:#1d2330;text-shadow:0 0 2px #fff}
details.req{border-top:1px solid #eceef2;padding:4px 0}details.req summary{cursor:pointer}.muted{color:#6b7280}
`;

function fmt(n: number | null | undefined, digits = 2): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '–';
  return Number.isInteger(n) ? n.toLocaleString('en-US') : n.toFixed(digits);
}

function kv(rows: [string, string][]): string {
  return `<table>${rows.map(([k, v]) => `<tr><th>${e(k)}</th><td>${e(v)}</td></tr>`).join('')}</table>`;
}

function waterfall(r: SlowRequest): string {
  const end = Math.max(r.correctedMs, ...r.spans.map((s) => s.startMs + s.durationMs), 1);
  const pct = (ms: number) => `${Math.max(0, Math.min(100, (ms / end) * 100)).toFixed(3)}%`;
  const rows: string[] = [];
  // The generator's own share: from the intended start to the send (coordinated omission).
  rows.push(
    `<div class="wf" title="scheduling lag ${e(fmt(r.schedulingLagMs))} ms"><div class="bar lag" style="left:0;width:${pct(r.schedulingLagMs)}"></div><span class="lbl">scheduling lag ${e(fmt(r.schedulingLagMs))} ms (generator)</span></div>`,
  );
  rows.push(
    `<div class="wf" title="request as the client saw it"><div class="bar" style="background:#8e9bb3;left:${pct(r.schedulingLagMs)};width:${pct(r.uncorrectedMs)}"></div><span class="lbl">${e(r.method)} ${e(r.url)} (client) ${e(fmt(r.uncorrectedMs))} ms</span></div>`,
  );
  const spans = [...r.spans].sort((a, b) => a.startMs - b.startMs);
  for (const s of spans) {
    const err = s.status === 'Error' ? ' err' : '';
    rows.push(
      `<div class="wf" title="${e(s.service)}: ${e(s.name)} (${e(s.kind)}) ${e(fmt(s.durationMs, 3))} ms"><div class="bar${err}" style="left:${pct(s.startMs)};width:${pct(s.durationMs)}"></div><span class="lbl" style="left:${4 + s.depth * 14}px">${e(s.name)} · ${e(s.service)} · ${e(fmt(s.durationMs, 3))} ms</span></div>`,
    );
  }
  if (spans.length === 0) rows.push('<p class="muted">No spans of this trace in the store.</p>');
  return rows.join('');
}

/** The report as one HTML document. */
export function renderReport(d: ReportData): string {
  const r = d.run;
  const thresholdsOk = d.thresholds.every((t) => t.ok);
  const reconOk = d.reconciliation.every((x) => x.ok);
  const sections: string[] = [];
  sections.push(
    `<section id="run"><h2>Run</h2>${kv([
      ['run id', r.runId],
      ['scenario', r.scenario],
      ['status', r.status],
      ['started', r.startedAt],
      ['ended', r.endedAt],
      ['duration', `${fmt(r.durationSec, 1)} s`],
      ['time scale', `${fmt(r.timeScale, 1)}× (traffic shape compressed by this factor; rates are not)`],
      ['git commit', r.gitCommit || '(unknown)'],
      [
        'target',
        isRemoteTarget(r.target)
          ? `${r.target} (REMOTE: not this machine; loaded by the user's opt-in, --allow-remote-target and MARKETBENCH_ALLOWED_TARGETS)`
          : r.target,
      ],
      ['requests', fmt(r.requestsTotal)],
      ['errors', fmt(r.errorsTotal)],
      ['dropped iterations', fmt(r.droppedIterations)],
    ])}<details><summary>Configuration</summary><pre>${e(d.config)}</pre></details></section>`,
  );
  sections.push(
    `<section id="thresholds"><h2>Thresholds <span class="badge ${thresholdsOk ? 'pass' : 'fail'}">${thresholdsOk ? 'passed' : 'failed'}</span></h2>${
      d.thresholds.length === 0
        ? '<p class="muted">The scenario declares no thresholds.</p>'
        : `<table><tr><th>metric</th><th>expression</th><th>observed</th><th>verdict</th></tr>${d.thresholds
            .map(
              (t) =>
                `<tr class="${t.ok ? '' : 'bad'}"><td>${e(t.metric)}</td><td>${e(t.expression)}</td><td class="num">${e(fmt(t.observed))}</td><td class="${t.ok ? 'ok' : 'bad'}">${t.ok ? 'pass' : `fail${t.aborted ? ' (aborted the run)' : ''}`}</td></tr>`,
            )
            .join('')}</table>`
    }</section>`,
  );
  sections.push(
    `<section id="reconciliation"><h2>Reconciliation <span class="badge ${reconOk ? 'pass' : 'fail'}">${reconOk ? 'every number agrees' : 'MISMATCH'}</span></h2><table><tr><th>count</th><th>source</th><th>value</th><th>agrees</th></tr>${d.reconciliation
      .map(
        (x) =>
          `<tr class="${x.ok ? '' : 'bad'}"><td>${e(x.what)}</td><td>${e(x.source)}</td><td class="num">${e(x.value === null ? 'no data' : fmt(x.value))}</td><td class="${x.ok ? 'ok' : 'bad'}">${x.unanswered ? (x.ok ? '0' : '> 0') : x.ok ? '=' : '≠'}</td></tr>`,
      )
      .join('')}</table></section>`,
  );
  if (d.slos && d.slos.length > 0) {
    const windows = [...new Set(d.slos.flatMap((s) => Object.keys(s.burn)))];
    sections.push(
      `<section id="slos"><h2>SLOs</h2><table><tr><th>SLO</th><th>objective</th><th>SLI</th><th>budget remaining</th>${windows.map((w) => `<th>burn ${e(w)}</th>`).join('')}<th>alerts fired</th></tr>${d.slos
        .map(
          (s) =>
            `<tr class="${s.alerts.length > 0 ? 'bad' : ''}"><td>${e(s.slo)}</td><td>${e(s.objective)}</td><td class="num">${e(s.sli === null ? '–' : `${(s.sli * 100).toFixed(3)}%`)}</td><td class="num">${e(s.budgetRemaining === null ? '–' : `${(s.budgetRemaining * 100).toFixed(1)}%`)}</td>${windows.map((w) => `<td class="num">${e(fmt(s.burn[w] ?? null))}</td>`).join('')}<td>${e(s.alerts.join(', ') || 'none')}</td></tr>`,
        )
        .join('')}</table>${d.slosNote ? `<p class="muted">${e(d.slosNote)}</p>` : ''}</section>`,
    );
  } else {
    sections.push(
      `<section id="slos"><h2>SLOs</h2><p class="muted">${e(d.slosNote ?? 'No SLO evaluation for this run.')}</p></section>`,
    );
  }
  sections.push(
    `<section id="charts"><h2>Load</h2><div class="grid"><div class="chart" id="chart-rate"></div><div class="chart" id="chart-status"></div><div class="chart" id="chart-errors"></div><div class="chart" id="chart-dropped"></div><div class="chart" id="chart-cpu"></div></div></section>`,
  );
  sections.push(
    `<section id="latency"><h2>Latency per step: corrected (from the intended start), uncorrected, and server-side spans</h2><div class="grid">${d.latency
      .map((_, i) => `<div class="chart" id="chart-lat-${i}"></div>`)
      .join('')}</div></section>`,
  );
  sections.push(
    `<section id="steps"><h2>Steps</h2><table><tr><th>step</th><th>requests</th><th>errors</th><th>p50 ms</th><th>p95 ms</th><th>p99 ms</th><th>max ms</th><th>server p99 ms</th><th>with span</th></tr>${d.steps
      .map(
        (s) =>
          `<tr><td>${e(s.step)}</td><td class="num">${fmt(s.count)}</td><td class="num ${s.errors > 0 ? 'bad' : ''}">${fmt(s.errors)}</td><td class="num">${fmt(s.p50)}</td><td class="num">${fmt(s.p95)}</td><td class="num">${fmt(s.p99)}</td><td class="num">${fmt(s.max)}</td><td class="num">${fmt(s.serverP99)}</td><td class="num ${s.spans === s.count ? '' : 'bad'}">${fmt(s.spans)}</td></tr>`,
      )
      .join(
        '',
      )}</table><h2 style="margin-top:12px">Status codes</h2><table><tr><th>step</th><th>status</th><th>requests</th></tr>${d.statusCodes
      .map(
        (s) =>
          `<tr class="${s.failed > 0 ? 'bad' : ''}"><td>${e(s.step)}</td><td>${s.status === 0 ? 'no response' : s.status}</td><td class="num">${fmt(s.count)}</td></tr>`,
      )
      .join('')}</table></section>`,
  );
  sections.push(
    `<section id="faults"><h2>Faults injected</h2>${
      d.faults.length === 0
        ? '<p class="muted">No fault was injected during this run.</p>'
        : `<table><tr><th>at (s)</th><th>dependency</th><th>action</th><th>spec</th></tr>${d.faults
            .map(
              (f) =>
                `<tr><td class="num">${fmt(f.atSec, 1)}</td><td>${e(f.dependency)}</td><td>${e(f.action)}</td><td><code>${e(f.spec)}</code></td></tr>`,
            )
            .join('')}</table>`
    }</section>`,
  );
  sections.push(
    `<section id="slowest"><h2>The ${d.slowest.length} slowest requests and where the time went</h2>${d.slowest
      .map(
        (s, i) =>
          `<details class="req"${i < 3 ? ' open' : ''}><summary><b>${fmt(s.correctedMs)} ms</b> ${e(s.step)} · ${e(s.method)} ${e(s.url)} · status ${s.status}${s.error ? ` · ${e(s.error)}` : ''} · at ${fmt(s.atSec, 1)} s · trace <code>${e(s.traceId)}</code></summary>${waterfall(s)}</details>`,
      )
      .join('')}</section>`,
  );
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>marketbench report: ${e(r.scenario)} ${e(r.runId)}</title><style>${CSS}</style></head>
<body><header><h1>marketbench report: ${e(r.scenario)}</h1><p>run ${e(r.runId)} · ${e(r.startedAt)} · ${fmt(r.durationSec, 1)} s · ${fmt(r.requestsTotal)} requests · commit ${e(r.gitCommit.slice(0, 12) || 'unknown')} · generated ${e(d.generatedAt)}</p></header>
<main>${sections.join('\n')}</main>
<script type="application/json" id="report-data">${jsonForScript(d)}</script>
<script>${echartsSource()}</script>
<script>${REPORT_SCRIPT}</script>
</body></html>
`;
}
