// Prometheus-style durations (`5m`, `1h`, `30d`) as SLO specs write them, and back: the
// generators must print a window exactly as Prometheus and the SRE Workbook name it.

const UNITS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };
const DURATION = /^(\d+)(ms|s|m|h|d|w)$/;

/** True when `text` is a single-unit duration such as `300ms`, `5m` or `30d`. */
export function isDuration(text: string): boolean {
  return DURATION.test(text);
}

/** Seconds in a duration such as `5m`; throws RangeError on anything else. */
export function parseDuration(text: string): number {
  const m = DURATION.exec(text);
  if (!m) throw new RangeError(`not a duration: "${text}" (expected e.g. 300ms, 5m, 1h, 30d)`);
  return Number(m[1]) * UNITS[m[2]];
}

/** The shortest Prometheus duration naming `seconds` exactly (`3600` → `1h`, `0.3` → `300ms`). */
export function formatDuration(seconds: number): string {
  if (seconds <= 0 || !Number.isFinite(seconds)) throw new RangeError(`not a positive duration: ${seconds}`);
  for (const unit of ['w', 'd', 'h', 'm', 's'] as const) {
    const n = seconds / UNITS[unit];
    if (Number.isInteger(n)) return `${n}${unit}`;
  }
  const ms = Math.round(seconds * 1000);
  return `${ms}ms`;
}
