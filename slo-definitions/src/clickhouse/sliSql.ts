// Compiles an SLI to ClickHouse SQL over the collector-exporter tables: server spans in
// `otel_traces` for the HTTP SLIs, `otel_metrics_sum` (cumulative counters, increase per series)
// and `otel_metrics_gauge` (samples) for the metric SLIs. The same parts feed the Grafana alert
// queries (one window, plugin macros) and marketbench's own burn-rate query (every window at once).

import { ATTR, HTTP_DURATION_BUCKETS, OTEL_TABLES, TABLES } from '@marketbench/contracts';
import type { Sli } from '../types.ts';

/** Where an SLI's events live and which of them are bad. */
export interface SliSource {
  /** Table (collector-exporter name, or marketbench's rollup). */
  table: string;
  /** Time column of the table. */
  time: string;
  /** Conditions every event of the SLI meets. */
  where: string[];
  /** Condition of a bad event. */
  bad: string;
  /** `events`: rows of events; `counter`: a cumulative counter whose increase per series counts. */
  shape: 'events' | 'counter';
  /** Column holding how many events a row stands for (`requests` of a rollup); one each when absent. */
  weight?: string;
}

/** A ClickHouse string literal. */
export function sqlString(value: string): string {
  return `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}

function inList(expr: string, values: readonly string[]): string {
  return values.length === 1
    ? `${expr} = ${sqlString(values[0])}`
    : `${expr} IN (${values.map(sqlString).join(', ')})`;
}

const STATUS = `toUInt16OrZero(SpanAttributes[${sqlString(ATTR.httpStatusCode)}])`;

type HttpSli = Extract<Sli, { kind: 'httpAvailability' | 'httpLatency' }>;

/**
 * HTTP SLIs whose events the per-minute HTTP rollup (`marketbench_http_sli_1m`) holds exactly:
 * availability always, latency when the threshold is one of the rollup's bucket bounds.
 */
export function readsRollup(sli: Sli): sli is HttpSli {
  if (sli.kind === 'httpAvailability') return true;
  return sli.kind === 'httpLatency' && HTTP_DURATION_BUCKETS.includes(sli.thresholdSeconds);
}

/** The rollup's version of an HTTP SLI: the same events and bad events, counted per minute. */
function rollupSource(sli: HttpSli): SliSource {
  const list = (xs: readonly string[]) => xs.map(sqlString).join(', ');
  const where = [`ServiceName = ${sqlString(sli.service)}`, `route IN (${list(sli.routes)})`];
  if (sli.methods.length > 0) where.push(`method IN (${list(sli.methods)})`);
  if (sli.excludeClientErrors) where.push('NOT (status BETWEEN 400 AND 499)');
  const bad =
    sli.kind === 'httpAvailability'
      ? '(status >= 500 OR (status = 0 AND error = 1))'
      : `le > ${sli.thresholdSeconds}`;
  return { table: TABLES.httpSli1m, time: 'minute', where, bad, shape: 'events', weight: 'requests' };
}

/**
 * The SLI's source. With `rollup`, HTTP SLIs read the per-minute rollup the dashboards read
 * (minutes, not spans, over days) when it holds their events exactly; otherwise server spans.
 * Metric SLIs read the metric of the spec's service (`ServiceName`: an OTel SDK's service.name,
 * or the job a scraper named after the service, as marketbench's and the compose collector do).
 */
export function sliSource(sli: Sli, options: { rollup?: boolean } = {}): SliSource {
  switch (sli.kind) {
    case 'httpAvailability':
    case 'httpLatency': {
      if (options.rollup && readsRollup(sli)) return rollupSource(sli);
      const where = [
        `ServiceName = ${sqlString(sli.service)}`,
        `SpanKind = 'Server'`,
        inList(`SpanAttributes[${sqlString(ATTR.httpRoute)}]`, sli.routes),
      ];
      if (sli.methods.length > 0)
        where.push(inList(`SpanAttributes[${sqlString(ATTR.httpMethod)}]`, sli.methods));
      if (sli.excludeClientErrors) where.push(`NOT (${STATUS} BETWEEN 400 AND 499)`);
      // A server span without a status code that ended in error (connection reset) is bad too.
      const bad =
        sli.kind === 'httpAvailability'
          ? `(${STATUS} >= 500 OR (${STATUS} = 0 AND StatusCode = 'Error'))`
          : `Duration > ${Math.round(sli.thresholdSeconds * 1e9)}`;
      return { table: OTEL_TABLES.traces, time: 'Timestamp', where, bad, shape: 'events' };
    }
    case 'counterRatio': {
      const where = [`ServiceName = ${sqlString(sli.service)}`, `MetricName = ${sqlString(sli.metric)}`];
      for (const [k, v] of Object.entries(sli.selector))
        where.push(`Attributes[${sqlString(k)}] = ${sqlString(v)}`);
      const bad = Object.entries(sli.badWhen)
        .map(([k, vs]) => inList(`Attributes[${sqlString(k)}]`, vs))
        .join(' AND ');
      return { table: OTEL_TABLES.metricsSum, time: 'TimeUnix', where, bad: `(${bad})`, shape: 'counter' };
    }
    case 'freshness':
      return {
        table: OTEL_TABLES.metricsGauge,
        time: 'TimeUnix',
        where: [`ServiceName = ${sqlString(sli.service)}`, `MetricName = ${sqlString(sli.metric)}`],
        bad: `Value > ${sli.maxAgeSeconds}`,
        shape: 'events',
      };
  }
}

/**
 * A counter series' increase between `from` and its last sample in the window: the last value
 * minus the first in the window, or minus 0 when the series started inside the window
 * (`StartTimeUnix`: the created time, or the first scrape that saw it). An error series is born
 * at its first error with that error already counted; reading it from its first sample on would
 * drop exactly the errors that matter.
 */
function counterIncrease(from: string, inWindow?: string): string {
  const last = inWindow ? `maxIf(Value, ${inWindow})` : 'max(Value)';
  const first = inWindow ? `minIf(Value, ${inWindow})` : 'min(Value)';
  return `greatest(0, ${last} - if(any(StartTimeUnix) > ${from}, 0, ${first}))`;
}

/** Grouping of counter rows into series; a restart (new start time) is a new series. */
const COUNTER_SERIES = 'ServiceName, ResourceAttributes, Attributes, StartTimeUnix';

/**
 * SQL returning one row with `bad_<i>` and `total_<i>` for each window (milliseconds, ending at
 * the SQL expression `at`). `runIdParam` adds a filter on the run id span attribute, bound as
 * the query parameter `{runId:String}` (span SLIs only). With `rollup`, HTTP SLIs read the
 * per-minute rollup and each window is whole minutes ending at the last whole minute before `at`.
 */
export function windowedSliSql(
  sli: Sli,
  windowsMs: readonly number[],
  at: string,
  runIdParam = false,
  options: { rollup?: boolean } = {},
): string {
  const src = sliSource(sli, { rollup: options.rollup && !runIdParam });
  const longest = Math.max(...windowsMs);
  if (src.weight !== undefined) {
    const end = `toStartOfMinute(${at})`;
    const inWindow = (ms: number) => `${src.time} >= ${end} - toIntervalSecond(${Math.round(ms / 1000)})`;
    const cols = windowsMs.flatMap((ms, i) => [
      `sumIf(${src.weight}, ${src.bad} AND ${inWindow(ms)}) AS bad_${i}`,
      `sumIf(${src.weight}, ${inWindow(ms)}) AS total_${i}`,
    ]);
    const where = [...src.where, inWindow(longest), `${src.time} < ${end}`];
    return `SELECT\n  ${cols.join(',\n  ')}\nFROM ${src.table}\nWHERE ${where.join('\n  AND ')}`;
  }
  const from = (ms: number) => `${at} - toIntervalMillisecond(${ms})`;
  const inWindow = (ms: number) => `${src.time} > ${from(ms)}`;
  const where = [...src.where, inWindow(longest), `${src.time} <= ${at}`];
  if (runIdParam && src.table === OTEL_TABLES.traces)
    where.push(`SpanAttributes[${sqlString(ATTR.runId)}] = {runId:String}`);
  if (src.shape === 'events') {
    const cols = windowsMs.flatMap((ms, i) => [
      `countIf(${src.bad} AND ${inWindow(ms)}) AS bad_${i}`,
      `countIf(${inWindow(ms)}) AS total_${i}`,
    ]);
    return `SELECT\n  ${cols.join(',\n  ')}\nFROM ${src.table}\nWHERE ${where.join('\n  AND ')}`;
  }
  const inc = windowsMs.map((ms, i) => `${counterIncrease(from(ms), inWindow(ms))} AS inc_${i}`);
  const outer = windowsMs.flatMap((_, i) => [
    `sumIf(inc_${i}, bad) AS bad_${i}`,
    `sum(inc_${i}) AS total_${i}`,
  ]);
  return (
    `SELECT\n  ${outer.join(',\n  ')}\nFROM (\n  SELECT\n    ${src.bad} AS bad,\n    ${inc.join(',\n    ')}\n` +
    `  FROM ${src.table}\n  WHERE ${where.join('\n    AND ')}\n  GROUP BY ${COUNTER_SERIES}\n)`
  );
}

/**
 * SQL for a Grafana alert query: the error ratio over the query's time range (the plugin's
 * `$__timeFilter` macro), one row and one column `error_ratio`, or no row when the range holds
 * no event (the rule's "no data", which is OK: a silent service is not burning budget). HTTP
 * SLIs read the per-minute rollup the dashboards read, never days of raw spans.
 */
export function grafanaSliSql(sli: Sli): string {
  const src = sliSource(sli, { rollup: true });
  const where = [`$__timeFilter(${src.time})`, ...src.where];
  if (src.shape === 'events') {
    const n = src.weight ? `sum(${src.weight})` : 'count()';
    const bad = src.weight ? `sumIf(${src.weight}, ${src.bad})` : `countIf(${src.bad})`;
    return (
      `SELECT ${bad} / ${n} AS error_ratio\n` +
      `FROM ${src.table}\nWHERE ${where.join('\n  AND ')}\nHAVING ${n} > 0`
    );
  }
  return (
    `SELECT sumIf(inc, bad) / sum(inc) AS error_ratio\nFROM (\n` +
    `  SELECT ${src.bad} AS bad, ${counterIncrease('$__fromTime')} AS inc\n  FROM ${src.table}\n` +
    `  WHERE ${where.join('\n    AND ')}\n  GROUP BY ${COUNTER_SERIES}\n)\nHAVING sum(inc) > 0`
  );
}
