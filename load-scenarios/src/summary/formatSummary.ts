// The end-of-test summary, laid out like k6's: thresholds with ✓/✗ under their metric, then
// every metric with its aggregates, then the run's verdict.

import { BUILTIN_METRICS } from '../metrics/builtinMetrics.ts';
import type { RunResult } from '../types.ts';

function num(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Math.abs(v) >= 1000 || Number.isInteger(v)) return v.toFixed(0);
  return v.toFixed(2);
}

function ms(v: number): string {
  return v >= 1000 ? `${(v / 1000).toFixed(2)}s` : `${v.toFixed(2)}ms`;
}

function bytes(v: number): string {
  if (v >= 1e9) return `${(v / 1e9).toFixed(1)} GB`;
  if (v >= 1e6) return `${(v / 1e6).toFixed(1)} MB`;
  if (v >= 1e3) return `${(v / 1e3).toFixed(1)} kB`;
  return `${v} B`;
}

/** The text summary of a run. */
export function formatSummary(r: RunResult): string {
  const d = r.durationSec;
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
  const byMetric = new Map<string, typeof r.thresholds>();
  for (const t of r.thresholds) {
    const list = byMetric.get(t.metric) ?? [];
    list.push(t);
    byMetric.set(t.metric, list);
  }
  if (byMetric.size > 0) {
    lines.push('  █ THRESHOLDS');
    lines.push('');
    for (const [metric, list] of byMetric) {
      lines.push(`    ${metric}`);
      for (const t of list) {
        const observed = t.observed === undefined ? 'no samples' : num(t.observed);
        lines.push(
          `    ${t.ok ? '✓' : '✗'} '${t.expression}' ${t.expression.split(/[<>=!]/)[0]}=${observed}${t.aborted ? ' (aborted the run)' : ''}`,
        );
      }
    }
    lines.push('');
  }
  lines.push('  █ TOTAL RESULTS');
  lines.push('');
  const names = r.metrics.metricNames().sort();
  const width = Math.max(...names.map((n) => n.length), 20) + 2;
  for (const name of names) {
    const a = r.metrics.aggregate(name, {}, d);
    if (!a) continue;
    const label = `    ${name}${'.'.repeat(width - name.length)}: `;
    const isTime =
      name.includes('duration') || name.includes('lag') || (!(name in BUILTIN_METRICS) && a.type === 'trend');
    const f = isTime ? ms : num;
    if (a.type === 'trend') {
      lines.push(
        `${label}avg=${f(a.avg)} min=${f(a.min)} med=${f(a.percentile(50))} max=${f(a.max)} p(90)=${f(a.percentile(90))} p(95)=${f(a.percentile(95))} p(99)=${f(a.percentile(99))}`,
      );
    } else if (a.type === 'counter') {
      const v = name.startsWith('data_') ? bytes(a.count) : num(a.count);
      lines.push(`${label}${v} ${num(a.rate)}/s`);
    } else if (a.type === 'rate') {
      const trues = Math.round(a.rate * a.count);
      lines.push(`${label}${(a.rate * 100).toFixed(2)}% ${trues} out of ${a.count}`);
    } else {
      lines.push(`${label}${num(a.value)} min=${num(a.min)} max=${num(a.max)}`);
    }
  }
  lines.push('');
  lines.push(
    `    generator_cpu${'.'.repeat(width - 13)}: mean=${r.generatorCpu.meanPercent.toFixed(0)}% max=${r.generatorCpu.maxPercent.toFixed(0)}% of one core`,
  );
  if (r.generatorCpu.maxPercent > 90)
    lines.push(
      '    ! the generator was near one full core: latency may include generator saturation, not only the server',
    );
  if (r.knee)
    lines.push(
      `    knee: ${r.knee.targetRate.toFixed(0)} iterations/s (achieved ${r.knee.achievedRate.toFixed(0)}/s, p99 ${ms(r.knee.p99Ms)}) at ${r.knee.elapsedSec.toFixed(0)}s`,
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
