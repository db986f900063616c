// Stage 3 of the pipeline: the multi-window multi-burn-rate policy of the Google SRE Workbook
// (ch. 5, "Alerting on SLOs"). For a 30-day period: page at 14.4× over 1h/5m and 6× over
// 6h/30m, ticket at 3× over 1d/2h and 1× over 3d/6h. Each pair is defined by the share of the
// period's budget it lets burn (2%, 5%, 10%, 10%), so for another period the factor is derived
// as share × period / long window (Sloth does the same); if the period is shorter than a
// default window, the windows shrink with the period instead and the factors stay.

import { SloError } from '../errors.ts';
import { formatDuration, parseDuration } from '../spec/duration.ts';
import type { AlertWindowSpec, BurnWindow } from '../types.ts';

/** The SRE Workbook's window pairs and the share of a 30-day budget each lets burn. */
export const DEFAULT_WINDOWS: readonly Required<Omit<AlertWindowSpec, 'burnRate'>>[] = [
  { severity: 'page', long: '1h', short: '5m', budgetConsumed: 0.02 },
  { severity: 'page', long: '6h', short: '30m', budgetConsumed: 0.05 },
  { severity: 'ticket', long: '1d', short: '2h', budgetConsumed: 0.1 },
  { severity: 'ticket', long: '3d', short: '6h', budgetConsumed: 0.1 },
];

/** Rounds away float noise (0.02 × 720 = 14.4, not 14.399999999999999). */
export function roundFactor(x: number): number {
  return Number(x.toPrecision(6));
}

/**
 * The burn windows of an SLO with period `period` (`30d`), from `overrides` when given, else the
 * defaults derived for the period. Throws SloError (file/path located) on an impossible window.
 */
export function burnWindows(
  period: string,
  overrides?: readonly AlertWindowSpec[],
  where: { file?: string; path?: string } = {},
): BurnWindow[] {
  const periodSeconds = parseDuration(period);
  let specs: readonly AlertWindowSpec[] = overrides ?? DEFAULT_WINDOWS;
  if (!overrides) {
    const longest = Math.max(...DEFAULT_WINDOWS.map((w) => parseDuration(w.long)));
    if (longest > periodSeconds) {
      const scale = periodSeconds / parseDuration('30d');
      specs = DEFAULT_WINDOWS.map((w) => ({
        ...w,
        long: formatDuration(parseDuration(w.long) * scale),
        short: formatDuration(parseDuration(w.short) * scale),
        burnRate: roundFactor((w.budgetConsumed * 30 * 86_400) / parseDuration(w.long)),
      }));
    }
  }
  const seen = new Set<string>();
  const windows = specs.map((w, i) => {
    const path = `${where.path ?? ''}/alerting/windows/${i}`;
    const longSeconds = parseDuration(w.long);
    const shortSeconds = parseDuration(w.short);
    const bad = (msg: string) => new SloError('MB_ERR_SLO_BAD_WINDOW', msg, { file: where.file, path });
    if (shortSeconds >= longSeconds)
      throw bad(`short window ${w.short} must be shorter than long window ${w.long}`);
    if (longSeconds > periodSeconds)
      throw bad(`long window ${w.long} is longer than the SLO period ${period}`);
    const key = `${w.severity}/${w.long}/${w.short}`;
    if (seen.has(key)) {
      throw new SloError('MB_ERR_SLO_DUPLICATE', `window pair ${key} appears twice`, {
        file: where.file,
        path,
      });
    }
    seen.add(key);
    let burnRate = w.burnRate;
    if (burnRate === undefined) {
      if (w.budgetConsumed === undefined) throw bad('a window needs burnRate or budgetConsumed');
      burnRate = roundFactor((w.budgetConsumed * periodSeconds) / longSeconds);
    }
    return { severity: w.severity, long: w.long, longSeconds, short: w.short, shortSeconds, burnRate };
  });
  return windows.sort((a, b) =>
    a.severity === b.severity ? a.longSeconds - b.longSeconds : a.severity === 'page' ? -1 : 1,
  );
}

/**
 * `for:` of each severity's alert: as written, else a fifth of that severity's shortest short
 * window (1m for the 5m page window, 24m for the 2h ticket window). The short window already
 * makes the alert reset soon; `for:` keeps one evaluation over the line (a scrape gap, a
 * restarted Prometheus whose long window holds minutes) from paging, at the cost of that delay
 * on every detection (docs/SLO.md, "Detection and reset times").
 */
export function alertFor(
  windows: readonly BurnWindow[],
  written: { page?: string; ticket?: string } = {},
): { page: string; ticket: string } {
  const fifth = (severity: 'page' | 'ticket'): string => {
    const shorts = windows.filter((w) => w.severity === severity).map((w) => w.shortSeconds);
    if (shorts.length === 0) return '0s';
    return formatDuration(Math.max(1, Math.round(Math.min(...shorts) / 5)));
  };
  return { page: written.page ?? fifth('page'), ticket: written.ticket ?? fifth('ticket') };
}
