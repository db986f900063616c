// Prometheus text exposition to otel_metrics_* rows, as the collector's prometheus receiver
// followed by its ClickHouse exporter would write them: counters as monotonic cumulative sums,
// histograms with explicit bounds and per-bucket (non-cumulative) counts, gauges and untyped as
// gauges, summaries with quantiles; job/instance become service.name/service.instance.id.

import { OTEL_TABLES } from '@marketbench/contracts';
import { emptyRows, type MappedRows, pushRow, rejectRow } from '../ingest/mappedRows.ts';
import { floatJson } from '../ingest/pdataFormat.ts';
import { type Exemplar, type MetricFamily, parseExposition } from './parseExposition.ts';

/** The scope the collector's prometheus receiver stamps on what it scrapes. */
export const PROMETHEUS_RECEIVER_SCOPE =
  'github.com/open-telemetry/opentelemetry-collector-contrib/receiver/prometheusreceiver';

/** Where a scrape came from and when. */
export interface ScrapeContext {
  /** Prometheus job name: becomes service.name. */
  job: string;
  /** host:port of the target: becomes service.instance.id (and server.address / server.port). */
  instance: string;
  /** http or https: becomes url.scheme. */
  scheme: string;
  /** Scrape time in ms since the epoch (samples without their own timestamp get this). */
  timeMs: number;
  /**
   * Start time per cumulative series (key: metric name + labels), kept across scrapes as the
   * receiver's start-time adjuster does: the first scrape that saw the series, reset when it drops.
   */
  startTimes: Map<string, { startMs: number; last: number }>;
}

function isDiscernibleHost(host: string): boolean {
  return !(
    host === 'localhost' ||
    /^127\./.test(host) ||
    host === '::1' ||
    host === '0.0.0.0' ||
    host === '::'
  );
}

function resourceAttributes(ctx: ScrapeContext): [string, string][] {
  const i = ctx.instance.lastIndexOf(':');
  const host = (i > 0 ? ctx.instance.slice(0, i) : ctx.instance).replace(/^\[|\]$/g, '');
  const port = i > 0 ? ctx.instance.slice(i + 1) : '';
  const attrs: [string, string][] = [['service.name', ctx.job]];
  if (isDiscernibleHost(host)) attrs.push(['server.address', host]);
  attrs.push(['service.instance.id', ctx.instance], ['server.port', port], ['url.scheme', ctx.scheme]);
  return attrs;
}

function mapJson(entries: Iterable<[string, string]>): string {
  let s = '{';
  let first = true;
  for (const [k, v] of entries) {
    s += `${first ? '' : ','}${JSON.stringify(k)}:${JSON.stringify(v)}`;
    first = false;
  }
  return s + '}';
}

function nanos(ms: number): string {
  return (BigInt(Math.round(ms)) * 1_000_000n).toString();
}

function exemplarsJson(exemplars: readonly Exemplar[], fallbackMs: number): string {
  if (exemplars.length === 0) return '';
  const attrs: string[] = [];
  const times: string[] = [];
  const values: string[] = [];
  const spanIds: string[] = [];
  const traceIds: string[] = [];
  for (const e of exemplars) {
    // The receiver lifts trace_id/span_id into the exemplar's ids; other labels stay as attributes.
    const { trace_id: traceId, span_id: spanId, ...rest } = e.labels;
    const okTrace = traceId !== undefined && /^[0-9a-f]{32}$/i.test(traceId);
    const okSpan = spanId !== undefined && /^[0-9a-f]{16}$/i.test(spanId);
    const filtered = Object.entries(rest);
    if (traceId !== undefined && !okTrace) filtered.push(['trace_id', traceId]);
    if (spanId !== undefined && !okSpan) filtered.push(['span_id', spanId]);
    attrs.push(mapJson(filtered));
    times.push(nanos(e.timestampSeconds !== undefined ? e.timestampSeconds * 1000 : fallbackMs));
    values.push(floatJson(e.value));
    traceIds.push(`"${okTrace ? traceId.toLowerCase() : '0'.repeat(32)}"`);
    spanIds.push(`"${okSpan ? spanId.toLowerCase() : '0'.repeat(16)}"`);
  }
  return (
    `,"Exemplars.FilteredAttributes":[${attrs.join(',')}],"Exemplars.TimeUnix":[${times.join(',')}]` +
    `,"Exemplars.Value":[${values.join(',')}],"Exemplars.SpanId":[${spanIds.join(',')}],"Exemplars.TraceId":[${traceIds.join(',')}]`
  );
}

/** Turns one scrape's text into rows; lines the parser cannot read are counted as refused, not thrown. */
export function promTextToRows(
  text: string,
  ctx: ScrapeContext,
  options: { openMetrics?: boolean; extra?: MetricFamily[] } = {},
): MappedRows {
  const out = emptyRows();
  const { families, errors } = parseExposition(text, options.openMetrics);
  for (const e of errors) rejectRow(out, new Error(e));
  const head =
    `"ResourceAttributes":${mapJson(resourceAttributes(ctx))},"ResourceSchemaUrl":""` +
    `,"ScopeName":${JSON.stringify(PROMETHEUS_RECEIVER_SCOPE)},"ScopeVersion":"","ScopeAttributes":{}` +
    `,"ScopeDroppedAttrCount":0,"ScopeSchemaUrl":"","ServiceName":${JSON.stringify(ctx.job)}`;
  for (const family of [...families, ...(options.extra ?? [])]) {
    const name = family.type === 'counter' ? (family.sampleName ?? family.name) : family.name;
    const metricHead = `${head},"MetricName":${JSON.stringify(name)},"MetricDescription":${JSON.stringify(family.help)},"MetricUnit":${JSON.stringify(family.unit)}`;
    for (const series of family.series) {
      try {
        const labels = Object.entries(series.labels).filter(([k]) => k !== 'job' && k !== 'instance');
        const timeMs = series.timestampMs ?? ctx.timeMs;
        const seriesKey = `${name}${JSON.stringify(labels)}`;
        const point = `${metricHead},"Attributes":${mapJson(labels)},"TimeUnix":${nanos(timeMs)},"Flags":0`;
        const exemplars = exemplarsJson(series.exemplars, timeMs);
        // Cumulative series: `_created` when exposed, else the first scrape that saw them (reset on a drop).
        const startOf = (current: number): string => {
          if (series.createdSeconds !== undefined) return nanos(series.createdSeconds * 1000);
          let s = ctx.startTimes.get(seriesKey);
          if (s === undefined || current < s.last) {
            s = { startMs: timeMs, last: current };
            ctx.startTimes.set(seriesKey, s);
          }
          s.last = current;
          return nanos(s.startMs);
        };
        switch (family.type) {
          case 'counter': {
            const v = series.value ?? 0;
            pushRow(
              out,
              OTEL_TABLES.metricsSum,
              `{${point},"StartTimeUnix":${startOf(v)},"Value":${floatJson(v)}${exemplars},"AggregationTemporality":2,"IsMonotonic":true}`,
            );
            break;
          }
          case 'histogram': {
            const buckets = (series.buckets ?? []).slice().sort((a, b) => a.le - b.le);
            const count = series.count ?? buckets.at(-1)?.count ?? 0;
            const bounds: number[] = [];
            const counts: number[] = [];
            let prev = 0;
            for (const b of buckets) {
              if (b.le === Number.POSITIVE_INFINITY) continue;
              bounds.push(b.le);
              counts.push(Math.max(b.count - prev, 0));
              prev = b.count;
            }
            counts.push(Math.max(count - prev, 0));
            pushRow(
              out,
              OTEL_TABLES.metricsHistogram,
              `{${point},"StartTimeUnix":${startOf(count)},"Count":${count},"Sum":${floatJson(series.sum ?? 0)}` +
                `,"BucketCounts":[${counts.join(',')}],"ExplicitBounds":[${bounds.map(floatJson).join(',')}]` +
                `${exemplars},"Min":0,"Max":0,"AggregationTemporality":2}`,
            );
            break;
          }
          case 'summary': {
            const q = (series.quantiles ?? []).slice().sort((a, b) => a.quantile - b.quantile);
            const count = series.count ?? 0;
            pushRow(
              out,
              OTEL_TABLES.metricsSummary,
              `{${point},"StartTimeUnix":${startOf(count)},"Count":${count},"Sum":${floatJson(series.sum ?? 0)}` +
                `,"ValueAtQuantiles.Quantile":[${q.map((x) => floatJson(x.quantile)).join(',')}]` +
                `,"ValueAtQuantiles.Value":[${q.map((x) => floatJson(x.value)).join(',')}]}`,
            );
            break;
          }
          default:
            // Gauges, and untyped samples, which the receiver also turns into gauges.
            pushRow(
              out,
              OTEL_TABLES.metricsGauge,
              `{${point},"StartTimeUnix":0,"Value":${floatJson(series.value ?? 0)}${exemplars}}`,
            );
        }
      } catch (err) {
        rejectRow(out, err);
      }
    }
  }
  return out;
}

/** The receiver's own per-scrape series (`up`, `scrape_duration_seconds`, `scrape_samples_scraped`). */
export function scrapeSeries(up: boolean, durationSeconds: number, samples: number): MetricFamily[] {
  const gauge = (name: string, help: string, value: number): MetricFamily => ({
    name,
    help,
    unit: '',
    type: 'gauge',
    series: [{ labels: {}, value, exemplars: [] }],
  });
  return [
    gauge('up', 'The scraping was successful', up ? 1 : 0),
    gauge('scrape_duration_seconds', 'Duration of the scrape', durationSeconds),
    gauge('scrape_samples_scraped', 'The number of samples the target exposed', samples),
  ];
}
