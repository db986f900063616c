// JUnit XML for CI test-report viewers: one <testcase> per budget; a broken budget is a
// <failure>, an inconclusive one is <skipped> with the reason (JUnit has no third state).

import type { GateReport } from '../types.ts';

/** Escapes text for XML character data and attribute values. */
export function xmlEscape(s: string): string {
  return (
    s
      // characters XML 1.0 forbids outright
      // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping them is the point
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '\uFFFD')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&apos;')
  );
}

/** Renders the report as a JUnit XML document. */
export function renderJUnit(report: GateReport): string {
  const failures = report.results.filter((r) => r.verdict === 'fail').length;
  const skipped = report.results.filter((r) => r.verdict === 'inconclusive').length;
  const suite = `marketbench gate ${report.budgetsName}`;
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${xmlEscape(suite)}" tests="${report.results.length}" failures="${failures}" skipped="${skipped}">`,
    `  <testsuite name="${xmlEscape(suite)}" tests="${report.results.length}" failures="${failures}" errors="0" skipped="${skipped}">`,
    '    <properties>',
    `      <property name="run_id" value="${xmlEscape(report.runId)}"/>`,
    ...(report.baseline ? [`      <property name="baseline" value="${xmlEscape(report.baseline)}"/>`] : []),
    `      <property name="verdict" value="${report.verdict}"/>`,
    '    </properties>',
  ];
  for (const r of report.results) {
    const head = `    <testcase classname="marketbench.gate.${r.kind}" name="${xmlEscape(r.name)}">`;
    const body = `observed: ${r.observedText}; limit: ${r.limitText}; ${r.detail}`;
    if (r.verdict === 'fail') {
      lines.push(
        head,
        `      <failure message="${xmlEscape(`${r.observedText} breaks ${r.limitText}`)}" type="budget">${xmlEscape(body)}</failure>`,
        '    </testcase>',
      );
    } else if (r.verdict === 'inconclusive') {
      lines.push(
        head,
        `      <skipped message="${xmlEscape(`inconclusive: ${r.detail}`)}"/>`,
        '    </testcase>',
      );
    } else {
      lines.push(head, `      <system-out>${xmlEscape(body)}</system-out>`, '    </testcase>');
    }
  }
  if (report.notes.length > 0)
    lines.push(`    <system-out>${xmlEscape(report.notes.join('\n'))}</system-out>`);
  lines.push('  </testsuite>', '</testsuites>', '');
  return lines.join('\n');
}
