// The terminal table: one row per budget, widths fitted to the content, verdict first.

import type { GateReport, Verdict } from '../types.ts';

const LABEL: Record<Verdict, string> = { pass: 'PASS', fail: 'FAIL', inconclusive: 'INCONCLUSIVE' };

/** Renders the report as a plain-text table plus the reasons of anything not passing. */
export function renderTable(report: GateReport): string {
  const rows = [
    ['verdict', 'budget', 'observed', 'limit'],
    ...report.results.map((r) => [LABEL[r.verdict], r.name, r.observedText, r.limitText]),
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  const out = [
    `marketbench gate: run ${report.runId}, budgets ${report.budgetsName}${report.baseline ? `, baseline ${report.baseline}` : ''}`,
    '',
    line(rows[0]),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...rows.slice(1).map(line),
    '',
  ];
  for (const r of report.results.filter((x) => x.verdict !== 'pass'))
    out.push(`${LABEL[r.verdict]} ${r.name}: ${r.detail}`);
  for (const n of report.notes) out.push(`note: ${n}`);
  out.push(`verdict: ${LABEL[report.verdict]}`, '');
  return out.join('\n');
}
