// How long the multi-window multi-burn-rate alerts take to fire and to reset, derived from the
// windows, factors and `for:` alone (docs/SLO.md, "Detection and reset times"). A burn at error
// ratio e crosses a window W's threshold t = factor × budget once the bad share of the window
// passes t/e; with less than W of history the window holds only what there is, which is why a
// freshly started Prometheus pages sooner than the policy says (the drills use that bound).

import { parseDuration } from '../spec/duration.ts';
import type { BurnWindow, Slo } from '../types.ts';

/** Seconds after a burn at `errorRatio` starts until window `windowSeconds` is over `threshold`. */
function windowCrossing(
  windowSeconds: number,
  threshold: number,
  errorRatio: number,
  history: number,
): number {
  // Not yet full at the crossing: x·e / (history + x) > t.
  const partial = (threshold * history) / (errorRatio - threshold);
  if (history + partial <= windowSeconds) return partial;
  return (windowSeconds * threshold) / errorRatio;
}

/**
 * Seconds from the start of a steady burn at `errorRatio` until the pair's condition holds
 * (both windows over the threshold), after `historySeconds` of error-free traffic (default:
 * more than any window). Undefined when the burn never trips the pair.
 */
export function pairDetectionSeconds(
  w: BurnWindow,
  errorBudget: number,
  errorRatio: number,
  historySeconds = Number.POSITIVE_INFINITY,
): number | undefined {
  const t = w.burnRate * errorBudget;
  if (!(errorRatio > t)) return undefined;
  return Math.max(
    windowCrossing(w.longSeconds, t, errorRatio, historySeconds),
    windowCrossing(w.shortSeconds, t, errorRatio, historySeconds),
  );
}

/**
 * Seconds after a burn at `errorRatio` that lasted longer than the short window stops until the
 * pair's condition no longer holds: the short window forgets it first, once its bad share
 * drops to t/e. Zero when the pair was not tripped.
 */
export function pairResetSeconds(w: BurnWindow, errorBudget: number, errorRatio: number): number {
  const t = w.burnRate * errorBudget;
  if (!(errorRatio > t)) return 0;
  return w.shortSeconds * (1 - t / errorRatio);
}

/** Detection and reset of one severity's alert, `for:` included. */
export interface AlertTiming {
  /** `page` or `ticket`. */
  severity: 'page' | 'ticket';
  /** The alert's `for:` in seconds. */
  forSeconds: number;
  /** Seconds from burn start to firing (fastest pair + for:), undefined when no pair trips. */
  detectSeconds: number | undefined;
  /** The pair that trips first (`1h/5m`). */
  firstPair: string | undefined;
  /** Seconds from the end of a long burn until every tripped pair is clear. */
  resetSeconds: number;
}

/**
 * Detection and reset of the SLO's page and ticket alerts for a steady burn at `errorRatio`
 * (1 = every event bad), after `historySeconds` of healthy traffic. Add a scrape interval and an
 * evaluation interval for the time the numbers take to reach the rules.
 */
export function alertTimings(
  slo: Slo,
  errorRatio: number,
  historySeconds = Number.POSITIVE_INFINITY,
): AlertTiming[] {
  return (['page', 'ticket'] as const)
    .filter((severity) => slo.windows.some((w) => w.severity === severity))
    .map((severity) => {
      const pairs = slo.windows.filter((w) => w.severity === severity);
      const forSeconds = parseDuration(slo.alertFor[severity]);
      let detect: number | undefined;
      let firstPair: string | undefined;
      for (const w of pairs) {
        const d = pairDetectionSeconds(w, slo.errorBudget, errorRatio, historySeconds);
        if (d !== undefined && (detect === undefined || d < detect)) {
          detect = d;
          firstPair = `${w.long}/${w.short}`;
        }
      }
      const resetSeconds = Math.max(0, ...pairs.map((w) => pairResetSeconds(w, slo.errorBudget, errorRatio)));
      return {
        severity,
        forSeconds,
        detectSeconds: detect === undefined ? undefined : detect + forSeconds,
        firstPair,
        resetSeconds,
      };
    });
}

/**
 * Seconds after a burn of `burnSeconds` at `errorRatio`, which followed `historySeconds` of
 * healthy traffic (traffic going on at the same rate), until the pair's condition stops holding:
 * the first moment either window's bad share is at most t / e. Zero when it never held.
 */
export function pairResetSecondsAfter(
  w: BurnWindow,
  errorBudget: number,
  errorRatio: number,
  burn: { historySeconds: number; burnSeconds: number },
): number {
  const t = w.burnRate * errorBudget;
  const { historySeconds: h, burnSeconds: f } = burn;
  // Error ratio over a window of `seconds` ending `r` seconds after the burn stopped.
  const ratio = (seconds: number, r: number) => {
    const end = h + f + r;
    const start = Math.max(0, end - seconds);
    const bad = Math.max(0, Math.min(end, h + f) - Math.max(start, h));
    return (errorRatio * bad) / (end - start);
  };
  const holds = (r: number) => ratio(w.longSeconds, r) > t && ratio(w.shortSeconds, r) > t;
  const step = Math.max(0.1, w.shortSeconds / 10_000);
  let r = 0;
  while (holds(r) && r <= w.longSeconds) r += step;
  return r;
}
