// Structural types of the OTLP messages as OpenTelemetry's generated protobufjs code yields them
// (`decode` and `fromObject` both give these shapes): 64-bit integers as Long, bytes as Uint8Array,
// unset message fields as null, unset scalars as the proto3 default from the prototype.

/** A protobufjs 64-bit integer (the `long` package's Long), or a plain number when small. */
export type Int64 = { low: number; high: number; unsigned?: boolean } | number;

/** OTLP AnyValue; `value` names the member of the oneof that is set. */
export interface AnyValue {
  value?: string;
  stringValue?: string | null;
  boolValue?: boolean | null;
  intValue?: Int64 | null;
  doubleValue?: number | null;
  arrayValue?: { values?: AnyValue[] | null } | null;
  kvlistValue?: { values?: KeyValue[] | null } | null;
  bytesValue?: Uint8Array | null;
}

/** OTLP KeyValue. */
export interface KeyValue {
  key: string;
  value?: AnyValue | null;
}

/** OTLP Resource. */
export interface Resource {
  attributes?: KeyValue[] | null;
  droppedAttributesCount?: number;
}

/** OTLP InstrumentationScope. */
export interface Scope {
  name?: string;
  version?: string;
  attributes?: KeyValue[] | null;
  droppedAttributesCount?: number;
}

/** OTLP Span. */
export interface Span {
  traceId: Uint8Array;
  spanId: Uint8Array;
  traceState?: string;
  parentSpanId?: Uint8Array;
  name: string;
  kind?: number;
  startTimeUnixNano: Int64;
  endTimeUnixNano: Int64;
  attributes?: KeyValue[] | null;
  events?: { timeUnixNano: Int64; name: string; attributes?: KeyValue[] | null }[] | null;
  links?:
    | { traceId: Uint8Array; spanId: Uint8Array; traceState?: string; attributes?: KeyValue[] | null }[]
    | null;
  status?: { message?: string; code?: number } | null;
}

/** OTLP ExportTraceServiceRequest. */
export interface TracesRequest {
  resourceSpans?: {
    resource?: Resource | null;
    schemaUrl?: string;
    scopeSpans?: { scope?: Scope | null; schemaUrl?: string; spans?: Span[] | null }[] | null;
  }[];
}

/** OTLP LogRecord. */
export interface LogRecord {
  timeUnixNano?: Int64;
  observedTimeUnixNano?: Int64;
  severityNumber?: number;
  severityText?: string;
  body?: AnyValue | null;
  attributes?: KeyValue[] | null;
  flags?: number;
  traceId?: Uint8Array;
  spanId?: Uint8Array;
}

/** OTLP ExportLogsServiceRequest. */
export interface LogsRequest {
  resourceLogs?: {
    resource?: Resource | null;
    schemaUrl?: string;
    scopeLogs?: { scope?: Scope | null; schemaUrl?: string; logRecords?: LogRecord[] | null }[] | null;
  }[];
}

/** OTLP Exemplar. */
export interface Exemplar {
  filteredAttributes?: KeyValue[] | null;
  timeUnixNano?: Int64;
  asDouble?: number | null;
  asInt?: Int64 | null;
  value?: string;
  spanId?: Uint8Array;
  traceId?: Uint8Array;
}

/** Fields every OTLP data point has. */
export interface BaseDataPoint {
  attributes?: KeyValue[] | null;
  startTimeUnixNano?: Int64;
  timeUnixNano?: Int64;
  flags?: number;
}

/** OTLP NumberDataPoint. */
export interface NumberDataPoint extends BaseDataPoint {
  asDouble?: number | null;
  asInt?: Int64 | null;
  value?: string;
  exemplars?: Exemplar[] | null;
}

/** OTLP HistogramDataPoint. */
export interface HistogramDataPoint extends BaseDataPoint {
  count?: Int64;
  sum?: number | null;
  bucketCounts?: Int64[] | null;
  explicitBounds?: number[] | null;
  exemplars?: Exemplar[] | null;
  min?: number | null;
  max?: number | null;
}

/** OTLP ExponentialHistogramDataPoint. */
export interface ExponentialHistogramDataPoint extends BaseDataPoint {
  count?: Int64;
  sum?: number | null;
  scale?: number;
  zeroCount?: Int64;
  positive?: { offset?: number; bucketCounts?: Int64[] | null } | null;
  negative?: { offset?: number; bucketCounts?: Int64[] | null } | null;
  exemplars?: Exemplar[] | null;
  min?: number | null;
  max?: number | null;
}

/** OTLP SummaryDataPoint. */
export interface SummaryDataPoint extends BaseDataPoint {
  count?: Int64;
  sum?: number;
  quantileValues?: { quantile?: number; value?: number }[] | null;
}

/** OTLP Metric; `data` names the member of the oneof that is set. */
export interface Metric {
  name: string;
  description?: string;
  unit?: string;
  data?: string;
  gauge?: { dataPoints?: NumberDataPoint[] | null } | null;
  sum?: {
    dataPoints?: NumberDataPoint[] | null;
    aggregationTemporality?: number;
    isMonotonic?: boolean;
  } | null;
  histogram?: { dataPoints?: HistogramDataPoint[] | null; aggregationTemporality?: number } | null;
  exponentialHistogram?: {
    dataPoints?: ExponentialHistogramDataPoint[] | null;
    aggregationTemporality?: number;
  } | null;
  summary?: { dataPoints?: SummaryDataPoint[] | null } | null;
}

/** OTLP ExportMetricsServiceRequest. */
export interface MetricsRequest {
  resourceMetrics?: {
    resource?: Resource | null;
    schemaUrl?: string;
    scopeMetrics?: { scope?: Scope | null; schemaUrl?: string; metrics?: Metric[] | null }[] | null;
  }[];
}
