// The terminal summary of a capacity run: the steps table, the fit with its intervals, N*, the
// knee and the plan's arithmetic.

import type { CapacityPlan, CapacityResult } from './types.ts';

const f = (n: number | null | undefined, d = 1) =>
  n === null || n === undefined || !Number.isFinite(n)
    ? n === Number.POSITIVE_INFINITY
      ? '∞'
      : '–'
    : n.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
const g = (n: number) =>
  Number.isFinite(n) ? (Math.abs(n) < 0.01 && n !== 0 ? n.toExponential(3) : n.toFixed(4)) : '∞';

function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  '));
}

/** The plan's arithmetic as text. */
export function formatPlan(plan: CapacityPlan): string {
  const head = `plan: ${f(plan.dayRequests, 0)} requests/day, shape ${plan.shape}, headroom ${Math.round(plan.headroom * 100)}%`;
  const answer = plan.impossible
    ? '  → no replica count: the objective is broken at the lowest measured load'
    : `  → ${plan.replicas} replica${plan.replicas === 1 ? '' : 's'} (${Math.round(plan.confidence * 100)}% CI ${plan.replicasInterval.low}–${plan.replicasInterval.high})`;
  return [head, ...plan.lines.map((l) => `  ${l}`), answer].join('\n');
}

/** Summary of a capacity run. */
export function formatCapacity(r: CapacityResult, reportPath?: string): string {
  const unit = r.loadModel === 'closed' ? 'VUs' : 'it/s';
  const lines = [
    `capacity run ${r.runId}: ${r.scenario}'s journey mix, ${r.loadModel} model, ${r.steps.length} steps × (${r.settleSeconds} s settle + ${r.stepSeconds} s measured)${r.think ? ', think times kept' : ''}`,
    '',
    ...table([
      [
        'step',
        unit,
        'req/s',
        'p50 ms',
        'p95 ms',
        'p99 ms',
        'errors',
        'in flight client',
        'server',
        'svc CPU',
        'gen CPU %',
      ],
      ...r.steps.map((s) => [
        String(s.step),
        f(s.load, r.loadModel === 'closed' ? 0 : 1),
        f(s.throughput),
        f(s.p50Ms),
        f(s.p95Ms),
        f(s.p99Ms),
        String(s.errors),
        f(s.inFlightClient, 2),
        f(s.inFlightServer, 2),
        f(s.serviceCpu, 2),
        f(s.generatorCpu, 0),
      ]),
    ]),
    '',
  ];
  const m = r.usl;
  if (m) {
    const b = m.bootstrap;
    const pct = Math.round(b.confidence * 100);
    lines.push(
      `USL fit on ${m.points.length} steps (${pct}% bootstrap CI over steps, ${b.resamples} resamples):`,
      `  λ = ${f(m.fit.lambda)} req/s [${f(b.lambda.low)}, ${f(b.lambda.high)}]`,
      `  σ = ${g(m.fit.sigma)} [${g(b.sigma.low)}, ${g(b.sigma.high)}]  (contention)`,
      `  κ = ${g(m.fit.kappa)} [${g(b.kappa.low)}, ${g(b.kappa.high)}]  (coherency)`,
      `  R² = ${m.fit.r2.toFixed(4)} [${b.r2.low.toFixed(4)}, ${b.r2.high.toFixed(4)}]`,
      `  N* = √((1−σ)/κ) = ${f(m.nStar)} [${f(b.nStar.low)}, ${f(b.nStar.high)}] ${r.loadModel === 'closed' ? 'VUs' : 'in flight'}`,
      `  max throughput = ${f(m.maxThroughput, 0)} req/s [${f(b.maxThroughput.low, 0)}, ${f(b.maxThroughput.high, 0)}]`,
    );
  } else lines.push(r.uslNote ?? 'no USL fit');
  lines.push(
    '',
    `knee (${r.objectives.map((o) => `${o.name}: p${Math.round(o.quantile * 1000) / 10} ≤ ${o.thresholdMs} ms`).join('; ')}):`,
    `  ${r.knee.summary}`,
  );
  if (r.plan) lines.push('', formatPlan(r.plan));
  const lost = r.totals.rowsLost > 0 ? `, ${r.totals.rowsLost} rows LOST` : '';
  const dropped = r.totals.spansDropped ? `, ${r.totals.spansDropped} spans DROPPED by the service` : '';
  lines.push(
    '',
    `${f(r.totals.requests, 0)} requests, ${f(r.totals.errors, 0)} failed${lost}${dropped}; load average ${r.loadAverage.join(' ')}; ${f(r.wallSeconds, 0)} s wall`,
  );
  if (reportPath) lines.push(`report: ${reportPath}`);
  return `${lines.join('\n')}\n`;
}
