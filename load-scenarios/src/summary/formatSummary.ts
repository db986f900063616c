// The end-of-test summary, laid out like k6 v1's: thresholds with ✓/✗ under their metric and the
// observed value with its unit, then the checks (totals and one line per check), then every
// metric with its aggregates grouped as HTTP / EXECUTION / NETWORK / CUSTOM, then marketbench's own
// lines (generator CPU, knee, faults, stored rows) and the run's verdict.

import { LOAD_SAMPLES } from '@marketbench/contracts';
import {
  aggregationUnit,
  BUILTIN_METRICS,
  type MetricUnit,
  sampleUnit,
  timeTrends,
} from '../metrics/builtinMetrics.ts';
import type { Aggregate } from '../metrics/MetricRegistry.ts';
import type { RunResult, ScenarioDefinition } from '../types.ts';

function num(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 1000 ? v.toFixed(0) : v.toFixed(6).replace(/\.?0+$/, '');
}

/** A duration in k6's style: `148.21ms`, `1.2s`, `850µs`. */
export function formatMs(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v >= 60_000) return `${Math.floor(v / 60_000)}m${((v % 60_000) / 1000).toFixed(1)}s`;
  if (v >= 1000) return `${(v / 1000).toFixed(2)}s`;
  if (v > 0 && v < 1) return `${(v * 1000).toFixed(0)}µs`;
  return `${v.toFixed(2)}ms`;
}

/** Bytes in k6's style (decimal units): `532 kB`, `3.9 kB`, `1.3 MB`. */
export function formatBytes(v: number): string {
  if (v >= 1e9) return `${(v / 1e9).toFixed(1)} GB`;
  if (v >= 1e6) return `${(v / 1e6).toFixed(1)} MB`;
  if (v >= 1e3) return `${(v / 1e3).toFixed(1)} kB`;
  return `${Math.round(v)} B`;
}

/** A value in a unit, as the summary prints it. */
export function formatUnit(v: number, unit: MetricUnit): string {
  switch (unit) {
    case 'ms':
      return formatMs(v);
    case 'bytes':
      return formatBytes(v);
    case 'bytes/s':
      return `${formatBytes(v)}/s`;
    case '1/s':
      return `${num(v)}/s`;
    case 'ratio':
      return `${(v * 100).toFixed(2)}%`;
    default:
      return num(v);
  }
}

const GROUPS: Array<[string, (m: string) => boolean]> = [
  ['HTTP', (m) => m.startsWith('http_')],
  [
    'EXECUTION',
    (m) => m.startsWith('iteration') || m.endsWith('_iterations') || m === 'vus' || m === 'vus_max',
  ],
  ['NETWORK', (m) => m.startsWith('data_')],
];

/** The text summary of a run (`def`, when given, says which custom trends hold durations). */
export function formatSummary(r: RunResult, def?: Pick<ScenarioDefinition, 'metrics' | 'journeys'>): string {
  const d = r.durationSec;
  const times = def ? timeTrends(def) : new Set<string>();
  const lines: string[] = [];
  lines.push(`  scenario: ${r.scenario}   run: ${r.runId}   target: ${r.target}`);
  if (r.remoteTarget)
    lines.push(
      `  REMOTE TARGET: ${r.target} is not this machine; loaded by your opt-in (--allow-remote-target, MARKETBENCH_ALLOWED_TARGETS)`,
    );
  lines.push(
    `  duration: ${d.toFixed(1)}s${r.timeScale !== 1 ? `   time scale: ${r.timeScale.toFixed(1)}× (traffic shape compressed in time, not in rate)` : ''}`,
  );
  lines.push('');
  const typeOf = (metric: string) => r.metrics.all().find((s) => s.metric === metric)?.type;
  const byMetric = new Map<string, typeof r.thresholds>();
  for (const t of r.thresholds) {
    const list = byMetric.get(t.metric) ?? [];
    list.push(t);
    byMetric.set(t.metric, list);
  }
  if (byMetric.size > 0) {
    lines.push('  █ THRESHOLDS', '');
    for (const [metric, list] of byMetric) {
      lines.push(`    ${metric}`);
      for (const t of list) {
        const aggregation = t.expression.split(/[<>=!]/)[0].trim();
        const base = metric.replace(/\{.*$/, '');
        const type = typeOf(base);
        const unit = type
          ? aggregationUnit(base, type, aggregation.startsWith('p(') ? 'p' : aggregation, times)
          : '';
        const observed = t.observed === undefined ? 'no samples' : formatUnit(t.observed, unit);
        lines.push(
          `    ${t.ok ? '✓' : '✗'} '${t.expression}' ${aggregation}=${observed}${t.aborted ? ' (aborted the run)' : ''}`,
        );
      }
      lines.push('');
    }
    lines.push('');
  }
  lines.push('  █ TOTAL RESULTS', '');
  const names = r.metrics.metricNames().sort();
  const width = Math.max(...names.map((n) => n.length + 4), 35);
  const label = (name: string, indent = '    ') =>
    `${indent}${name}${'.'.repeat(Math.max(3, width - name.length))}: `;

  const checks = r.metrics.aggregate('checks', {}, d);
  if (checks && checks.count > 0) {
    const passed = Math.round(checks.rate * checks.count);
    lines.push(`${label('checks_total')}${String(checks.count).padEnd(7)} ${num(checks.count / d)}/s`);
    lines.push(
      `${label('checks_succeeded')}${formatUnit(checks.rate, 'ratio').padEnd(7)} ${passed} out of ${checks.count}`,
    );
    lines.push(
      `${label('checks_failed')}${formatUnit(1 - checks.rate, 'ratio').padEnd(7)} ${checks.count - passed} out of ${checks.count}`,
    );
    lines.push('');
    const checkNames = [
      ...new Set(
        r.metrics
          .all()
          .filter((s) => s.metric === 'checks')
          .map((s) => s.tags.check),
      ),
    ].sort();
    for (const name of checkNames) {
      const a = r.metrics.aggregate('checks', { check: name }, d);
      if (!a) continue;
      const ok = Math.round(a.rate * a.count);
      if (ok === a.count) lines.push(`    ✓ ${name}`);
      else {
        lines.push(`    ✗ ${name}`);
        lines.push(`      ↳  ${Math.floor(a.rate * 100)}% — ✓ ${ok} / ✗ ${a.count - ok}`);
      }
    }
    lines.push('');
  }

  const metricLine = (name: string, a: Aggregate, indent?: string, unitOf = name) => {
    const unit = sampleUnit(unitOf, a.type, times);
    const f = (v: number) => formatUnit(v, unit).padEnd(9);
    if (a.type === 'trend')
      return `${label(name, indent)}avg=${f(a.avg)} min=${f(a.min)} med=${f(a.percentile(50))} max=${f(a.max)} p(90)=${f(a.percentile(90))} p(95)=${f(a.percentile(95))} p(99)=${formatUnit(a.percentile(99), unit)}`;
    if (a.type === 'counter')
      return `${label(name, indent)}${formatUnit(a.count, unit === 'bytes' ? 'bytes' : '').padEnd(7)} ${formatUnit(a.rate, unit === 'bytes' ? 'bytes/s' : '1/s')}`;
    if (a.type === 'rate') {
      const trues = Math.round(a.rate * a.count);
      return `${label(name, indent)}${formatUnit(a.rate, 'ratio').padEnd(7)} ${trues} out of ${a.count}`;
    }
    return `${label(name, indent)}${num(a.value).padEnd(7)} min=${num(a.min).padEnd(8)} max=${num(a.max)}`;
  };
  const custom = names.filter((n) => !(n in BUILTIN_METRICS));
  const sections: Array<[string, string[]]> = [
    ['CUSTOM', custom],
    ...GROUPS.map(([title, test]): [string, string[]] => [
      title,
      names.filter((n) => n in BUILTIN_METRICS && n !== 'checks' && test(n)),
    ]),
  ];
  for (const [title, metrics] of sections) {
    if (metrics.length === 0) continue;
    lines.push(`    ${title}`);
    for (const name of metrics) {
      const a = r.metrics.aggregate(name, {}, d);
      if (!a) continue;
      lines.push(metricLine(name, a));
      if (name === 'http_req_duration') {
        const ok = r.metrics.aggregate(name, { expected_response: 'true' }, d);
        if (ok) lines.push(metricLine('{ expected_response:true }', ok, '      ', name));
      }
    }
    lines.push('');
  }
  lines.push(
    `    ${LOAD_SAMPLES.generatorCpu}${'.'.repeat(Math.max(3, width - 13))}: mean=${r.generatorCpu.meanPercent.toFixed(0)}% max=${r.generatorCpu.maxPercent.toFixed(0)}% of one core`,
  );
  if (r.generatorCpu.maxPercent > 90)
    lines.push(
      '    ! the generator was near one full core: latency may include generator saturation, not only the server',
    );
  if (r.knee)
    lines.push(
      `    knee: ${r.knee.targetRate.toFixed(0)} iterations/s (achieved ${r.knee.achievedRate.toFixed(0)}/s, p99 ${formatMs(r.knee.p99Ms)}) at ${r.knee.elapsedSec.toFixed(0)}s`,
    );
  if (r.generatorError) lines.push(`    ! iterations failed before sending a request: ${r.generatorError}`);
  if (r.clientSpans) {
    const c = r.clientSpans;
    const dropped = c.dropped.queue_full + c.dropped.export_failed + c.dropped.shutdown;
    lines.push(
      `    client_spans${'.'.repeat(width - 12)}: ${c.recorded} recorded (one per request sent), ${c.exported} exported${dropped > 0 ? `, ${dropped} DROPPED (queue full ${c.dropped.queue_full}, export failed ${c.dropped.export_failed}, shutdown ${c.dropped.shutdown})` : ''}`,
    );
  }
  if (r.rows.lost > 0)
    lines.push(`    ! ${r.rows.lost} request rows were NOT stored (${r.rows.firstError ?? 'insert failed'})`);
  if (r.series.lost > 0)
    lines.push(
      `    ! ${r.series.lost} metric series were NOT stored: \`marketbench gate\` cannot check this run (${r.series.firstError ?? 'insert failed'})`,
    );
  for (const f of r.faults)
    lines.push(
      `    fault ${f.action} ${f.dependency} at ${f.atSec.toFixed(1)}s: ${f.ok ? 'ok' : `failed${f.status ? ` (HTTP ${f.status})` : ''}`}`,
    );
  lines.push('');
  const verdict = r.thresholdsPassed
    ? r.abortReason
      ? `stopped: ${r.abortReason}`
      : 'all thresholds passed'
    : `thresholds failed${r.abortReason ? ` (${r.abortReason})` : ''}`;
  lines.push(`  ${r.thresholdsPassed ? '✓' : '✗'} ${verdict}`);
  return `${lines.join('\n')}\n`;
}
