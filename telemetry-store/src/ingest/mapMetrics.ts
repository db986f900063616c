// OTLP metrics to the `otel_metrics_*` rows as the collector's ClickHouse exporter writes them
// (internal/metrics/*_metrics.go): one row per data point, in the table of the metric's type,
// exemplars into the Exemplars Nested columns, int values widened to Float64.

import { OTEL_TABLES } from '@marketbench/contracts';
import { emptyRows, type MappedRows, type OtelTable, pushRow, rejectRow } from './mappedRows.ts';
import type { BaseDataPoint, Exemplar, Int64, Metric, MetricsRequest } from './otlpTypes.ts';
import {
  attributeCount,
  attributesJson,
  checkAttributes,
  enumValue,
  floatJson,
  idHexFixed,
  int64ToNumber,
  RowError,
  serviceNameOf,
  uint64Text,
} from './pdataFormat.ts';

function exemplarsJson(exemplars: readonly Exemplar[] | null | undefined): string {
  if (exemplars == null || exemplars.length === 0) return '';
  let attrs = '';
  let times = '';
  let values = '';
  let spanIds = '';
  let traceIds = '';
  for (let i = 0; i < exemplars.length; i++) {
    const e = exemplars[i];
    const sep = i ? ',' : '';
    attrs += sep + attributesJson(e.filteredAttributes);
    times += sep + uint64Text(e.timeUnixNano);
    const v = e.value === 'asInt' ? int64ToNumber(e.asInt) : e.value === 'asDouble' ? (e.asDouble ?? 0) : 0;
    values += sep + floatJson(v);
    spanIds += `${sep}"${idHexFixed(e.spanId, 8, 'exemplar spanId')}"`;
    traceIds += `${sep}"${idHexFixed(e.traceId, 16, 'exemplar traceId')}"`;
  }
  return (
    `,"Exemplars.FilteredAttributes":[${attrs}],"Exemplars.TimeUnix":[${times}]` +
    `,"Exemplars.Value":[${values}],"Exemplars.SpanId":[${spanIds}],"Exemplars.TraceId":[${traceIds}]`
  );
}

function uint64Array(values: readonly Int64[] | null | undefined): string {
  if (values == null || values.length === 0) return '[]';
  let s = '[';
  for (let i = 0; i < values.length; i++) s += `${i ? ',' : ''}"${uint64Text(values[i])}"`;
  return s + ']';
}

function floatArray(values: readonly number[] | null | undefined): string {
  if (values == null || values.length === 0) return '[]';
  let s = '[';
  for (let i = 0; i < values.length; i++) s += (i ? ',' : '') + floatJson(values[i]);
  return s + ']';
}

function pointHead(dp: BaseDataPoint, head: string): string {
  return (
    head +
    `,"Attributes":${attributesJson(dp.attributes)}` +
    `,"StartTimeUnix":${uint64Text(dp.startTimeUnixNano)}` +
    `,"TimeUnix":${uint64Text(dp.timeUnixNano)}` +
    `,"Flags":${(dp.flags ?? 0) >>> 0}`
  );
}

function pointAttributeCount(dp: BaseDataPoint & { exemplars?: Exemplar[] | null }): number {
  let n = attributeCount(dp.attributes);
  if (dp.exemplars != null) for (const e of dp.exemplars) n += 1 + attributeCount(e.filteredAttributes);
  return n;
}

/** Maps one metric's points; `inherited` holds the attribute counts of its resource and scope. */
function mapMetric(metric: Metric, head: string, inherited: [number, number], out: MappedRows): void {
  const max = out.limits.maxAttributes;
  const each = <T extends BaseDataPoint>(
    table: OtelTable,
    points: readonly T[] | null | undefined,
    body: (dp: T) => string,
  ) => {
    for (const dp of points ?? []) {
      try {
        checkAttributes(inherited[0], max, 'the resource');
        checkAttributes(inherited[1], max, 'the scope');
        checkAttributes(pointAttributeCount(dp), max, 'a data point (exemplars included)');
        pushRow(out, table, `{${pointHead(dp, head)}${body(dp)}}`);
      } catch (err) {
        rejectRow(out, err);
      }
    }
  };
  // A metric-level field that cannot be stored refuses every point of the metric.
  const refuseAll = (points: readonly unknown[] | null | undefined, err: unknown) => {
    for (let i = 0; i < (points?.length ?? 0); i++) rejectRow(out, err);
  };
  const temporality = (v: number | undefined, points: readonly unknown[] | null | undefined) => {
    try {
      return enumValue(v, `metric ${JSON.stringify(metric.name)} aggregationTemporality`);
    } catch (err) {
      refuseAll(points, err);
      return undefined;
    }
  };
  switch (metric.data) {
    case 'gauge':
      each(OTEL_TABLES.metricsGauge, metric.gauge?.dataPoints, (dp) => {
        const v =
          dp.value === 'asInt' ? int64ToNumber(dp.asInt) : dp.value === 'asDouble' ? (dp.asDouble ?? 0) : 0;
        return `,"Value":${floatJson(v)}${exemplarsJson(dp.exemplars)}`;
      });
      return;
    case 'sum': {
      const t = temporality(metric.sum?.aggregationTemporality, metric.sum?.dataPoints);
      if (t === undefined) return;
      const tail =
        `,"AggregationTemporality":${t}` + `,"IsMonotonic":${metric.sum?.isMonotonic ? 'true' : 'false'}`;
      each(OTEL_TABLES.metricsSum, metric.sum?.dataPoints, (dp) => {
        const v =
          dp.value === 'asInt' ? int64ToNumber(dp.asInt) : dp.value === 'asDouble' ? (dp.asDouble ?? 0) : 0;
        return `,"Value":${floatJson(v)}${exemplarsJson(dp.exemplars)}${tail}`;
      });
      return;
    }
    case 'histogram': {
      const t = temporality(metric.histogram?.aggregationTemporality, metric.histogram?.dataPoints);
      if (t === undefined) return;
      const tail = `,"AggregationTemporality":${t}`;
      each(
        OTEL_TABLES.metricsHistogram,
        metric.histogram?.dataPoints,
        (dp) =>
          `,"Count":"${uint64Text(dp.count)}","Sum":${floatJson(dp.sum ?? 0)}` +
          `,"BucketCounts":${uint64Array(dp.bucketCounts)},"ExplicitBounds":${floatArray(dp.explicitBounds)}` +
          `${exemplarsJson(dp.exemplars)},"Min":${floatJson(dp.min ?? 0)},"Max":${floatJson(dp.max ?? 0)}${tail}`,
      );
      return;
    }
    case 'exponentialHistogram': {
      const t = temporality(
        metric.exponentialHistogram?.aggregationTemporality,
        metric.exponentialHistogram?.dataPoints,
      );
      if (t === undefined) return;
      const tail = `,"AggregationTemporality":${t}`;
      each(
        OTEL_TABLES.metricsExponentialHistogram,
        metric.exponentialHistogram?.dataPoints,
        (dp) =>
          `,"Count":"${uint64Text(dp.count)}","Sum":${floatJson(dp.sum ?? 0)},"Scale":${dp.scale ?? 0}` +
          `,"ZeroCount":"${uint64Text(dp.zeroCount)}"` +
          `,"PositiveOffset":${dp.positive?.offset ?? 0},"PositiveBucketCounts":${uint64Array(dp.positive?.bucketCounts)}` +
          `,"NegativeOffset":${dp.negative?.offset ?? 0},"NegativeBucketCounts":${uint64Array(dp.negative?.bucketCounts)}` +
          `${exemplarsJson(dp.exemplars)},"Min":${floatJson(dp.min ?? 0)},"Max":${floatJson(dp.max ?? 0)}${tail}`,
      );
      return;
    }
    case 'summary':
      each(OTEL_TABLES.metricsSummary, metric.summary?.dataPoints, (dp) => {
        const qv = dp.quantileValues ?? [];
        return (
          `,"Count":"${uint64Text(dp.count)}","Sum":${floatJson(dp.sum ?? 0)}` +
          `,"ValueAtQuantiles.Quantile":${floatArray(qv.map((q) => q.quantile ?? 0))}` +
          `,"ValueAtQuantiles.Value":${floatArray(qv.map((q) => q.value ?? 0))}`
        );
      });
      return;
    default:
      // The exporter fails a batch holding a metric without data ("unsupported metrics type"); we refuse the metric.
      rejectRow(
        out,
        new RowError(`metric ${JSON.stringify(metric.name)} has no data (gauge, sum, histogram, ...)`),
      );
  }
}

/** Maps an ExportMetricsServiceRequest to otel_metrics_* JSONEachRow lines. */
export function mapMetrics(req: MetricsRequest, out: MappedRows = emptyRows()): MappedRows {
  for (const rm of req.resourceMetrics ?? []) {
    const resAttrs = rm.resource?.attributes;
    const resourceCount = attributeCount(resAttrs);
    const resHead =
      `"ResourceAttributes":${attributesJson(resAttrs)}` +
      `,"ResourceSchemaUrl":${JSON.stringify(rm.schemaUrl ?? '')}` +
      `,"ServiceName":${JSON.stringify(serviceNameOf(resAttrs))}`;
    for (const sm of rm.scopeMetrics ?? []) {
      const scope = sm.scope;
      const scopeHead =
        resHead +
        `,"ScopeName":${JSON.stringify(scope?.name ?? '')}` +
        `,"ScopeVersion":${JSON.stringify(scope?.version ?? '')}` +
        `,"ScopeAttributes":${attributesJson(scope?.attributes)}` +
        `,"ScopeDroppedAttrCount":${(scope?.droppedAttributesCount ?? 0) >>> 0}` +
        `,"ScopeSchemaUrl":${JSON.stringify(sm.schemaUrl ?? '')}`;
      const inherited: [number, number] = [resourceCount, attributeCount(scope?.attributes)];
      for (const metric of sm.metrics ?? []) {
        const head =
          scopeHead +
          `,"MetricName":${JSON.stringify(metric.name ?? '')}` +
          `,"MetricDescription":${JSON.stringify(metric.description ?? '')}` +
          `,"MetricUnit":${JSON.stringify(metric.unit ?? '')}`;
        mapMetric(metric, head, inherited, out);
      }
    }
  }
  return out;
}
