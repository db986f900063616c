// A Markdown summary fit for a pull-request comment: the verdict first, then one table row per
// budget, then the baseline statistics and the test that produced them.

import type { GateReport, Verdict } from '../types.ts';

const ICON: Record<Verdict, string> = { pass: '✅ pass', fail: '❌ fail', inconclusive: '⚠️ inconclusive' };

/** Escapes text for a Markdown table cell. */
export function mdCell(s: string): string {
  return s
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/[<>]/g, (c) => (c === '<' ? '&lt;' : '&gt;'))
    .replace(/\r?\n/g, ' ');
}

/** Renders the report as Markdown. */
export function renderMarkdown(report: GateReport): string {
  const out: string[] = [];
  out.push(`### marketbench gate: ${ICON[report.verdict]}`, '');
  out.push(
    `Run \`${mdCell(report.runId)}\` against budgets **${mdCell(report.budgetsName)}**${report.baseline ? ` and baseline \`${mdCell(report.baseline)}\`` : ''}.`,
    '',
  );
  out.push('| verdict | budget | observed | limit |', '| --- | --- | --- | --- |');
  for (const r of report.results) {
    out.push(
      `| ${ICON[r.verdict]} | ${mdCell(r.name)} | ${mdCell(r.observedText)} | ${mdCell(r.limitText)} |`,
    );
  }
  if (report.comparisons.length > 0) {
    out.push(
      '',
      '<details><summary>Baseline comparison: statistics per step</summary>',
      '',
      'Test: one-sided Mann–Whitney U (normal approximation, tie and continuity corrections) on per-request latency samples, and a percentile-bootstrap interval of the p95 difference. A step fails when the U test is significant and the p95 slowdown exceeds the tolerance (decided outright when the whole interval lies beyond it); it passes when the interval stays within the tolerance; an interval wider than the tolerance that straddles it, or too few samples, is inconclusive.',
      '',
      '| step | n run / base | p95 base → run (ms) | Δ p95 [CI] (ms) | tolerance (ms) | U-test p | Cliff δ | P(run>base) | verdict |',
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    );
    for (const c of report.comparisons) {
      const ci = Number.isFinite(c.diff.low) ? ` [${c.diff.low.toFixed(2)}, ${c.diff.high.toFixed(2)}]` : '';
      const p = Number.isFinite(c.p) ? (c.p < 1e-6 ? '<1e-6' : c.p.toPrecision(3)) : '–';
      out.push(
        `| ${mdCell(c.step)} | ${c.nRun} / ${c.nBase} | ${c.baseQ.toFixed(2)} → ${c.runQ.toFixed(2)} | ${c.diff.estimate >= 0 ? '+' : ''}${c.diff.estimate.toFixed(2)}${ci} | ${c.toleranceMs.toFixed(2)} | ${p} | ${Number.isFinite(c.cliffsDelta) ? c.cliffsDelta.toFixed(3) : '–'} | ${Number.isFinite(c.commonLanguage) ? c.commonLanguage.toFixed(3) : '–'} | ${ICON[c.verdict]} |`,
      );
    }
    out.push('', '</details>');
  }
  const reasons = report.results.filter((r) => r.verdict !== 'pass');
  if (reasons.length > 0) {
    out.push('', '**Why:**', '');
    for (const r of reasons) out.push(`- ${mdCell(r.name)}: ${mdCell(r.detail)}`);
  }
  if (report.notes.length > 0) {
    out.push('', ...report.notes.map((n) => `- ${mdCell(n)}`));
  }
  out.push('');
  return out.join('\n');
}
