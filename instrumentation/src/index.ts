// Public API of @marketbench/instrumentation: startTelemetry and the span helpers. The name table
// and the HTTP buckets are @marketbench/contracts'.

export { DEFAULT_OPTIONS, parseKeyValueList, resolveOptions } from './config/resolveOptions.ts';
export { openMetricsToPrometheus, PROMETHEUS_CONTENT_TYPE, renderMetrics } from './metrics/metricsHandler.ts';
export { luhnValid, REDACTED, Redactor, redactPans } from './redaction/Redactor.ts';
export { currentTelemetry, processRegistry, startTelemetry } from './startTelemetry.ts';
export { OneClockTracerProvider, oneClockTracer } from './traces/OneClockTracer.ts';
export {
  type SpanRecord,
  type SpanRecordCounts,
  SpanRecordExporter,
  type SpanRecordExporterOptions,
} from './traces/SpanRecordExporter.ts';
export {
  epochMsOf,
  epochMsOfPerf,
  hrTimeOf,
  perfOfEpochMs,
  SPAN_CLOCK_ORIGIN_MS,
  spanNow,
  toSpanTime,
} from './traces/spanClock.ts';
export {
  extractContext,
  injectTraceHeaders,
  recordCacheResult,
  sanitizeQueryText,
  TRACER_NAME,
  withCacheSpan,
  withClientSpan,
  withConsumeSpan,
  withDbSpan,
  withPublishSpan,
} from './traces/spanHelpers.ts';
export {
  describeError,
  isHttpFailure,
  type SpanFailure,
  setHttpStatus,
  setSpanError,
  setSpanFailure,
} from './traces/spanStatus.ts';
export type {
  ClientCall,
  ClientRequestInfo,
  DbSpanInfo,
  HttpServerInstrumentationOptions,
  MessagingSpanOptions,
  OtlpProtocol,
  ResolvedOptions,
  RouteResolver,
  Telemetry,
  TelemetryOptions,
  TelemetryStats,
} from './types.ts';
