// The one duration grammar, k6's (`types.ParseExtendedDuration`): a bare number is milliseconds;
// otherwise an optional whole number of days (`2d`) followed by a Go duration, a sequence of
// decimal numbers each with a unit (`1h30m`, `1.5s`, `300ms`, `250us`). Scenario options, CLI
// flags, environment variables and SLO windows all read it, so `10` means 10 ms everywhere.
// Negative durations are refused: nothing in marketbench waits for a negative time.

import { CONTRACT_ERRORS } from '../errors/contractErrors.ts';
import type { DurationRule } from '../types.ts';

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};
const BARE = /^(?:\d+(?:\.\d*)?|\.\d+)$/;
const GO_PART = '(?:\\d+(?:\\.\\d*)?|\\.\\d+)(?:ns|us|µs|μs|ms|s|m|h)';
const EXTENDED = new RegExp(`^(?:\\d+d)?(?:${GO_PART})*$`);
const PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h|d)/g;

/** Milliseconds in `raw` (a k6 duration string, or a number of ms), or undefined when it is not one. */
export function tryParseDuration(raw: string | number, rule: DurationRule = {}): number | undefined {
  let ms: number;
  if (typeof raw === 'number') ms = raw;
  else {
    const text = raw.trim();
    if (BARE.test(text)) ms = Number(text);
    else if (text !== '' && EXTENDED.test(text)) {
      ms = 0;
      for (const m of text.matchAll(PART)) ms += Number(m[1]) * UNIT_MS[m[2]];
    } else return undefined;
  }
  if (!Number.isFinite(ms) || ms < 0) return undefined;
  if (rule.minMs !== undefined && ms < rule.minMs) return undefined;
  if (rule.maxMs !== undefined && ms > rule.maxMs) return undefined;
  return ms;
}

/**
 * Milliseconds in `raw`; MB_ERR_USAGE naming `name` otherwise:
 * `--scrape-interval must be a duration such as 500ms, 5s, 1m30s or 2d (a bare number is ms), got "x"`.
 */
export function parseDuration(raw: string | number, name: string, rule: DurationRule = {}): number {
  const ms = tryParseDuration(raw, rule);
  if (ms !== undefined) return ms;
  const bounds = [
    rule.minMs !== undefined ? `at least ${formatDuration(rule.minMs)}` : '',
    rule.maxMs !== undefined ? `at most ${formatDuration(rule.maxMs)}` : '',
  ].filter(Boolean);
  const within = tryParseDuration(raw) !== undefined && bounds.length ? ` ${bounds.join(' and ')}` : '';
  throw CONTRACT_ERRORS.create(
    'MB_ERR_USAGE',
    within
      ? `${name} must be${within}, got "${raw}"`
      : `${name} must be a duration such as 500ms, 5s, 1m30s or 2d (a bare number is ms), got "${raw}"`,
  );
}

/** A compact k6 duration string for a number of milliseconds (`90000` → `1m30s`, `1500` → `1500ms`). */
export function formatDuration(ms: number): string {
  if (ms < 1000 || ms % 1000 !== 0) return `${Math.round(ms)}ms`;
  let s = ms / 1000;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s || (!h && !m) ? `${s}s` : ''}`;
}
