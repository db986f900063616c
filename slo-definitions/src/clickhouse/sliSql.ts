// Compiles an SLI to ClickHouse SQL over the collector-exporter tables: server spans in
// `otel_traces` for the HTTP SLIs, `otel_metrics_sum` (cumulative counters, increase per series)
// and `otel_metrics_gauge` (samples) for the metric SLIs. The same parts feed the Grafana alert
// queries (one window, plugin macros) and marketbench's own burn-rate query (every window at once).

import { ATTR } from '@marketbench/instrumentation/names';
import { OTEL_TABLES } from '@marketbench/telemetry-store';
import type { Sli } from '../types.ts';

/** Where an SLI's events live and which of them are bad. */
export interface SliSource {
  /** Table (collector-exporter name). */
  table: string;
  /** Time column of the table. */
  time: string;
  /** Conditions every event of the SLI meets. */
  where: string[];
  /** Condition of a bad event. */
  bad: string;
  /** `events`: one row per event; `counter`: a cumulative counter whose increase per series counts. */
  shape: 'events' | 'counter';
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

/** The SLI's source; metric SLIs are not filtered by service (metric names are marketbench's own). */
export function sliSource(sli: Sli): SliSource {
  switch (sli.kind) {
    case 'httpAvailability':
    case 'httpLatency': {
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
      const where = [`MetricName = ${sqlString(sli.metric)}`];
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
        where: [`MetricName = ${sqlString(sli.metric)}`],
        bad: `Value > ${sli.maxAgeSeconds}`,
        shape: 'events',
      };
  }
}

/**
 * SQL returning one row with `bad_<i>` and `total_<i>` for each window (milliseconds, ending at
 * the SQL expression `at`). `runIdParam` adds a filter on the run id span attribute, bound as
 * the query parameter `{runId:String}` (span SLIs only).
 */
export function windowedSliSql(
  sli: Sli,
  windowsMs: readonly number[],
  at: string,
  runIdParam = false,
): string {
  const src = sliSource(sli);
  const longest = Math.max(...windowsMs);
  const inWindow = (ms: number) => `${src.time} > ${at} - toIntervalMillisecond(${ms})`;
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
  const inc = windowsMs.map(
    (ms, i) => `greatest(0, maxIf(Value, ${inWindow(ms)}) - minIf(Value, ${inWindow(ms)})) AS inc_${i}`,
  );
  const outer = windowsMs.flatMap((_, i) => [
    `sumIf(inc_${i}, bad) AS bad_${i}`,
    `sum(inc_${i}) AS total_${i}`,
  ]);
  return (
    `SELECT\n  ${outer.join(',\n  ')}\nFROM (\n  SELECT\n    ${src.bad} AS bad,\n    ${inc.join(',\n    ')}\n` +
    `  FROM ${src.table}\n  WHERE ${where.join('\n    AND ')}\n  GROUP BY ServiceName, ResourceAttributes, Attributes\n)`
  );
}

/**
 * SQL for a Grafana alert query: the error ratio over the query's time range (the plugin's
 * `$__timeFilter` macro), one row, one column `error_ratio` (0 with no events).
 */
export function grafanaSliSql(sli: Sli): string {
  const src = sliSource(sli);
  const where = [`$__timeFilter(${src.time})`, ...src.where];
  if (src.shape === 'events') {
    return (
      `SELECT if(count() = 0, 0, countIf(${src.bad}) / count()) AS error_ratio\n` +
      `FROM ${src.table}\nWHERE ${where.join('\n  AND ')}`
    );
  }
  return (
    `SELECT if(sum(inc) = 0, 0, sumIf(inc, bad) / sum(inc)) AS error_ratio\nFROM (\n` +
    `  SELECT ${src.bad} AS bad, greatest(0, max(Value) - min(Value)) AS inc\n  FROM ${src.table}\n` +
    `  WHERE ${where.join('\n    AND ')}\n  GROUP BY ServiceName, ResourceAttributes, Attributes\n)`
  );
}
