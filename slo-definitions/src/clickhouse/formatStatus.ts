// Text rendering of a StatusReport for the terminal: one block per SLO, a row per window.

import type { StatusReport } from './evaluateSlos.ts';

const pct = (x: number | null, digits = 3) => (x === null ? 'no data' : `${(x * 100).toFixed(digits)}%`);
const burn = (x: number | null) => (x === null ? '-' : `${x.toFixed(2)}×`);

/** A compressed window's real span, readable: `175ms`, `4.2s`, `25.2m`, `7.0h`. */
export function realSpan(seconds: number): string {
  if (seconds < 1) return `${Math.round(seconds * 1000)}ms`;
  if (seconds < 120) return `${(seconds).toFixed(1)}s`;
  if (seconds < 7200) return `${(seconds / 60).toFixed(1)}m`;
  return `${(seconds / 3600).toFixed(1)}h`;
}

/** The report as aligned text; the time scale and the real span of each window are always shown. */
export function formatStatus(report: StatusReport): string {
  const lines: string[] = [];
  const scale =
    report.timeScale === 1
      ? 'time scale 1 (real windows)'
      : `time scale ${report.timeScale} (time-compressed: every window is ${report.timeScale}× shorter than its name)`;
  lines.push(
    `SLO status at ${report.at.toISOString()}${report.runId ? ` for run ${report.runId}` : ''}, ${scale}`,
  );
  for (const s of report.slos) {
    const firing = s.alerts.filter((a) => a.firing);
    const state = firing.length
      ? `FIRING ${firing.map((a) => `${a.severity} (${a.firingPairs.join(', ')})`).join('; ')}`
      : 'ok';
    lines.push('');
    lines.push(
      `${s.id}  target ${pct(s.target, 2)} over ${s.period}  budget remaining ${pct(s.budgetRemaining, 1)}  ${state}`,
    );
    lines.push(
      `  ${'window'.padEnd(8)}${'real span'.padStart(10)}${'events'.padStart(10)}${'bad'.padStart(8)}${'error ratio'.padStart(13)}${'burn'.padStart(10)}`,
    );
    for (const w of s.windows) {
      const real = report.timeScale === 1 ? w.window : realSpan(w.scaledSeconds);
      lines.push(
        `  ${w.window.padEnd(8)}${real.padStart(10)}${String(w.total).padStart(10)}${String(w.bad).padStart(8)}${pct(w.errorRatio).padStart(13)}${burn(w.burnRate).padStart(10)}`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}
