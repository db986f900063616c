// The backend half of the Grafana ClickHouse plugin's query pipeline: the Go macros of
// grafana/clickhouse-datasource (pkg/macros) on top of the plugin SDK's sqlutil.Interpolate,
// reproduced byte for byte so a query proven here is the query Grafana sends to ClickHouse.

import { MarketbenchError } from '@marketbench/contracts';
import { DASHBOARD_ERRORS } from '../errors.ts';
import type { MacroTimeContext } from '../types.ts';

/** A macro: receives the context and its trimmed arguments, returns the SQL it stands for. */
type MacroFn = (ctx: MacroTimeContext, args: readonly string[]) => string;

/** Thrown for the same inputs the plugin rejects (wrong argument count, unclosed bracket). */
export class MacroError extends MarketbenchError {
  /** Always `MB_ERR_DASHBOARDS_MACRO`. */
  declare readonly code: 'MB_ERR_DASHBOARDS_MACRO';
  constructor(message: string) {
    super('MB_ERR_DASHBOARDS_MACRO', message, DASHBOARD_ERRORS.spec('MB_ERR_DASHBOARDS_MACRO'));
    this.name = 'MacroError';
  }
}

const YEAR_MS = 365 * 24 * 3600_000;
const DAY_MS = 24 * 3600_000;

/** Go's gtime.FormatInterval: the largest whole unit, truncated (`10m`, `1h`, `500ms`). */
export function formatInterval(ms: number): string {
  if (ms >= YEAR_MS) return `${Math.trunc(ms / YEAR_MS)}y`;
  if (ms >= DAY_MS) return `${Math.trunc(ms / DAY_MS)}d`;
  if (ms >= 3600_000) return `${Math.trunc(ms / 3600_000)}h`;
  if (ms >= 60_000) return `${Math.trunc(ms / 60_000)}m`;
  if (ms >= 1000) return `${Math.trunc(ms / 1000)}s`;
  if (ms >= 1) return `${Math.trunc(ms)}ms`;
  return '1ms';
}

const unixSeconds = (d: Date): number => Math.floor(d.getTime() / 1000);
const toDate = (d: Date): string => `toDate('${d.toISOString().slice(0, 10)}')`;
const toDateTime = (d: Date): string => `toDateTime(${unixSeconds(d)})`;
const toDateTime64 = (d: Date): string => `fromUnixTimestamp64Milli(${d.getTime()})`;
// Go's RFC3339 in UTC: no fractional seconds.
const rfc3339 = (d: Date): string => `${d.toISOString().slice(0, 19)}Z`;

function expectArgs(name: string, args: readonly string[], n: number): void {
  if (args.length !== n) {
    throw new MacroError(
      `$__${name}: unexpected number of arguments: expected ${n} argument${n === 1 ? '' : 's'}, received ${args.length}`,
    );
  }
}

// The plugin's pkg/macros table, then the SDK defaults it does not override.
const CLICKHOUSE_MACROS: Record<string, MacroFn> = {
  fromTime: (c) => toDateTime(c.from),
  toTime: (c) => toDateTime(c.to),
  fromTime_ms: (c) => toDateTime64(c.from),
  toTime_ms: (c) => toDateTime64(c.to),
  timeFilter: (c, a) => {
    expectArgs('timeFilter', a, 1);
    return `${a[0]} >= ${toDateTime(c.from)} AND ${a[0]} <= ${toDateTime(c.to)}`;
  },
  timeFilter_ms: (c, a) => {
    expectArgs('timeFilter_ms', a, 1);
    return `${a[0]} >= ${toDateTime64(c.from)} AND ${a[0]} <= ${toDateTime64(c.to)}`;
  },
  dateFilter: (c, a) => {
    expectArgs('dateFilter', a, 1);
    return `${a[0]} >= ${toDate(c.from)} AND ${a[0]} <= ${toDate(c.to)}`;
  },
  dateTimeFilter: (c, a) => dateTimeFilter('dateTimeFilter', c, a),
  dt: (c, a) => dateTimeFilter('dt', c, a),
  timeInterval: (c, a) => {
    expectArgs('timeInterval', a, 1);
    return `toStartOfInterval(toDateTime(${a[0]}), INTERVAL ${intervalSeconds(c)} second)`;
  },
  timeInterval_ms: (c, a) => {
    expectArgs('timeInterval_ms', a, 1);
    const ms = Math.max(Math.trunc(c.intervalMs), 1);
    return `toStartOfInterval(toDateTime64(${a[0]}, 3), INTERVAL ${ms} millisecond)`;
  },
  interval_s: (c) => String(intervalSeconds(c)),
};

const SDK_DEFAULT_MACROS: Record<string, MacroFn> = {
  interval: (c) => formatInterval(c.intervalMs),
  interval_ms: (c) => String(Math.trunc(c.intervalMs)),
  timeFilter: (c, a) => {
    expectArgs('timeFilter', a, 1);
    return `${a[0]} >= '${rfc3339(c.from)}' AND ${a[0]} <= '${rfc3339(c.to)}'`;
  },
  timeFrom: (c, a) => {
    expectArgs('timeFrom', a, 1);
    return `${a[0]} >= '${rfc3339(c.from)}'`;
  },
  timeTo: (c, a) => {
    expectArgs('timeTo', a, 1);
    return `${a[0]} <= '${rfc3339(c.to)}'`;
  },
  timeGroup: (_c, a) => {
    expectArgs('timeGroup', a, 2);
    const units = ['minute', 'hour', 'day', 'month', 'year'];
    const start = units.indexOf(a[1]);
    if (start < 0) return '';
    return units
      .slice(start)
      .map((u) => `datepart(${u}, ${a[0]})`)
      .join(',');
  },
  table: (c) => c.table ?? '',
  column: (c) => c.column ?? '',
};

function dateTimeFilter(name: string, c: MacroTimeContext, a: readonly string[]): string {
  expectArgs(name, a, 2);
  const [dateCol, timeCol] = a;
  return `(${dateCol} >= ${toDate(c.from)} AND ${dateCol} <= ${toDate(c.to)}) AND (${timeCol} >= ${toDateTime(c.from)} AND ${timeCol} <= ${toDateTime(c.to)})`;
}

// Go's math.Max(interval.Seconds(), 1) truncated by int(): sub-second intervals become 1.
function intervalSeconds(c: MacroTimeContext): number {
  return Math.trunc(Math.max(c.intervalMs / 1000, 1));
}

const MACROS: Record<string, MacroFn> = { ...SDK_DEFAULT_MACROS, ...CLICKHOUSE_MACROS };
// sqlutil applies longer names first so `$__timeFilter_ms` is never eaten by `$__timeFilter`.
const MACRO_NAMES = Object.keys(MACROS).sort((a, b) => b.length - a.length);

/** The names `expandBackendMacros` understands, longest first (as the SDK applies them). */
export const BACKEND_MACRO_NAMES: readonly string[] = MACRO_NAMES;

/**
 * sqlutil's parseArgs: a bracketed list right after the name, split on top-level commas and
 * trimmed; `null` when there is no list, `undefined` when the bracket never closes.
 */
function parseArgs(s: string): { args: string[]; length: number } | null | undefined {
  if (!s.startsWith('(')) return null;
  const args: string[] = [];
  let depth = 0;
  let arg = '';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch === '(') {
      depth++;
      if (depth === 1) continue;
    } else if (ch === ')') {
      depth--;
      if (depth === 0) {
        args.push(arg.trim());
        return { args, length: i + 1 };
      }
    } else if (ch === ',' && depth === 1) {
      args.push(arg.trim());
      arg = '';
      continue;
    }
    arg += ch;
  }
  return undefined;
}

/**
 * Expands every `$__macro` the ClickHouse plugin's backend knows, exactly as it does: longest
 * macro name first, each occurrence replaced everywhere it appears (Go's strings.ReplaceAll).
 */
export function expandBackendMacros(sql: string, ctx: MacroTimeContext): string {
  let raw = sql;
  for (const name of MACRO_NAMES) {
    // Go's \b: the name must not continue with a word character.
    const re = new RegExp(`\\$__${name}(?![A-Za-z0-9_])`, 'g');
    const matches: { full: string; args: string[] }[] = [];
    for (const m of raw.matchAll(re)) {
      const start = m.index;
      const end = start + m[0].length;
      const parsed = parseArgs(raw.slice(end));
      if (parsed === undefined)
        throw new MacroError('failed to parse macro arguments (missing close bracket?)');
      matches.push({
        full: raw.slice(start, end + (parsed?.length ?? 0)),
        args: parsed?.args ?? [],
      });
    }
    for (const match of matches) {
      const res = MACROS[name](ctx, match.args);
      raw = raw.split(match.full).join(res);
    }
  }
  return raw;
}
