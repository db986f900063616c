// Public configuration and handle types of `startTelemetry`. Every option can also come from an
// `OTEL_*` environment variable (see config/resolveOptions.ts); the argument always wins.

import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Context, Tracer } from '@opentelemetry/api';
import type { FastifyPluginCallback } from 'fastify';
import type { DestinationStream, Level, Logger } from 'pino';
import type { Registry, RegistryContentType } from 'prom-client';

/** A prom-client registry of either content type. */
export type MetricsRegistry = Registry<RegistryContentType>;

/** OTLP/HTTP body encoding. */
export type OtlpProtocol = 'http/protobuf' | 'http/json';

/** Options of `startTelemetry`; every field is optional except `serviceName` (which may come from `OTEL_SERVICE_NAME`). */
export interface TelemetryOptions {
  /** `service.name` resource attribute; env `OTEL_SERVICE_NAME`. */
  serviceName?: string;
  /** `service.version` resource attribute; env `OTEL_RESOURCE_ATTRIBUTES` (service.version=…). */
  serviceVersion?: string;
  /** `deployment.environment.name` resource attribute; env `OTEL_RESOURCE_ATTRIBUTES`. */
  environment?: string;
  /** Extra resource attributes, merged over `OTEL_RESOURCE_ATTRIBUTES`. */
  resourceAttributes?: Record<string, string | number | boolean>;
  /** Base OTLP/HTTP endpoint (`/v1/traces` and `/v1/logs` are appended); env `OTEL_EXPORTER_OTLP_ENDPOINT`. */
  otlpEndpoint?: string;
  /** Full traces URL, used as is; env `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`. */
  tracesEndpoint?: string;
  /** Full logs URL, used as is; env `OTEL_EXPORTER_OTLP_LOGS_ENDPOINT`. */
  logsEndpoint?: string;
  /** OTLP body encoding; env `OTEL_EXPORTER_OTLP_TRACES_PROTOCOL` / `OTEL_EXPORTER_OTLP_PROTOCOL`. */
  protocol?: OtlpProtocol;
  /** Extra headers on every OTLP request; env `OTEL_EXPORTER_OTLP_HEADERS` (k=v,k2=v2). */
  otlpHeaders?: Record<string, string>;
  /** Head sampling ratio for root spans (parent-based); env `OTEL_TRACES_SAMPLER` + `OTEL_TRACES_SAMPLER_ARG`. */
  sampleRatio?: number;
  /** Attribute / log keys whose values are never exported (`card.*` matches a prefix); env `MARKETBENCH_REDACT_KEYS`. */
  redactKeys?: readonly string[];
  /** prom-client registry to register into; a process-wide OpenMetrics registry is created when absent. */
  registry?: MetricsRegistry;
  /** Per-export timeout and bound of each flush at shutdown, ms; env `OTEL_BSP_EXPORT_TIMEOUT` / `OTEL_EXPORTER_OTLP_TIMEOUT`. */
  exportTimeoutMs?: number;
  /** Delay between two scheduled exports, ms; env `OTEL_BSP_SCHEDULE_DELAY`. */
  scheduledDelayMs?: number;
  /** Spans kept waiting for export before new ones are dropped (and counted); env `OTEL_BSP_MAX_QUEUE_SIZE`. */
  maxQueueSize?: number;
  /** Spans per OTLP request; env `OTEL_BSP_MAX_EXPORT_BATCH_SIZE`. */
  maxExportBatchSize?: number;
  /** OTLP requests in flight at once; env `MARKETBENCH_OTLP_CONCURRENCY`. */
  maxConcurrentExports?: number;
  /** pino level of the returned logger; env `LOG_LEVEL`. */
  logLevel?: Level | 'silent';
  /** Where pino writes its JSON lines; stdout when absent. */
  logDestination?: DestinationStream;
  /** Turn tracing and log export off entirely (metrics stay); env `OTEL_SDK_DISABLED`. */
  disabled?: boolean;
  /** Export spans (false keeps the tracer but exports nothing); env `OTEL_TRACES_EXPORTER=none` sets false. */
  tracesEnabled?: boolean;
  /** Export pino records over OTLP logs; env `OTEL_LOGS_EXPORTER=none` sets false. */
  logsEnabled?: boolean;
  /** Collect prom-client's default Node runtime metrics (incl. event-loop lag). */
  runtimeMetrics?: boolean;
  /** Flush and shut down on SIGTERM (then re-raise it when nobody else listens). */
  handleSignals?: boolean;
  /** Routes (templates) that get neither a span nor a histogram observation. */
  ignoreRoutes?: readonly string[];
  /** Path of the metrics route the Fastify plugin / http wrapper serves (empty string: none). */
  metricsPath?: string;
}

/** Options after precedence (argument > env > DEFAULT_OPTIONS) was applied. */
export interface ResolvedOptions {
  /** See TelemetryOptions.serviceName. */
  serviceName: string;
  /** See TelemetryOptions.serviceVersion. */
  serviceVersion: string | undefined;
  /** See TelemetryOptions.environment. */
  environment: string | undefined;
  /** All resource attributes (env, then argument, then the named ones above). */
  resourceAttributes: Record<string, string | number | boolean>;
  /** Full OTLP traces URL. */
  tracesEndpoint: string;
  /** Full OTLP logs URL. */
  logsEndpoint: string;
  /** OTLP body encoding. */
  protocol: OtlpProtocol;
  /** Extra OTLP request headers. */
  otlpHeaders: Record<string, string>;
  /** Root-span sampling ratio in [0, 1]. */
  sampleRatio: number;
  /** Redacted keys. */
  redactKeys: readonly string[];
  /** Per-export timeout, ms. */
  exportTimeoutMs: number;
  /** Scheduled export delay, ms. */
  scheduledDelayMs: number;
  /** Queue bound. */
  maxQueueSize: number;
  /** Batch size. */
  maxExportBatchSize: number;
  /** Concurrent OTLP requests. */
  maxConcurrentExports: number;
  /** pino level. */
  logLevel: Level | 'silent';
  /** Telemetry export off. */
  disabled: boolean;
  /** Span export on. */
  tracesEnabled: boolean;
  /** Log export on. */
  logsEnabled: boolean;
  /** Default Node runtime metrics on. */
  runtimeMetrics: boolean;
  /** SIGTERM handling on. */
  handleSignals: boolean;
  /** Untraced routes. */
  ignoreRoutes: readonly string[];
  /** Metrics route path. */
  metricsPath: string;
}

/** Counters of what the telemetry pipeline did; `dropped` counts every span/log that will never be exported. */
export interface TelemetryStats {
  /** Sampled spans started. */
  spansStarted: number;
  /** Spans ended and handed to the export queue. */
  spansEnded: number;
  /** Spans the OTLP endpoint acknowledged. */
  spansExported: number;
  /** Spans dropped (queue full, export failed, shut down). */
  spansDropped: number;
  /** Spans dropped, by reason. */
  spansDroppedByReason: Record<string, number>;
  /** Log records the OTLP endpoint acknowledged. */
  logsExported: number;
  /** Log records dropped. */
  logsDropped: number;
  /** Attribute or log values replaced by the redactor. */
  valuesRedacted: number;
  /** Server-span attributes ignored because their value was not a valid attribute value. */
  attributesRejected: number;
}

/** Resolves the route template of a plain `node:http` request (for the span name and the `route` label). */
export type RouteResolver = (req: IncomingMessage) => string | undefined;

/** Options of `instrumentHttpServer`. */
export interface HttpServerInstrumentationOptions {
  /** Maps a request to its route template; without it the route is unknown (label `""`). */
  route?: RouteResolver;
  /** Serve the metrics route on this server (default true). */
  serveMetrics?: boolean;
}

/** What `startTelemetry` returns; the same object for every call until `shutdown()`. */
export interface Telemetry {
  /** Tracer named after this package, from the registered provider. */
  readonly tracer: Tracer;
  /** pino logger whose records carry trace_id/span_id and are exported over OTLP logs. */
  readonly logger: Logger;
  /** The process's prom-client registry (OpenMetrics content type, so exemplars work). */
  readonly registry: MetricsRegistry;
  /** The options after precedence was applied. */
  readonly options: ResolvedOptions;
  /** Fastify plugin: server span, RED histogram with exemplars, in-flight gauge, GET metrics route. */
  readonly fastifyPlugin: FastifyPluginCallback;
  /** node:http request handler for the metrics route (OpenMetrics when asked via Accept, else Prometheus text). */
  readonly metricsHandler: (req: IncomingMessage, res: ServerResponse) => void;
  /** Instruments a plain node:http server the same way as the Fastify plugin. */
  instrumentHttpServer(server: Server, options?: HttpServerInstrumentationOptions): Server;
  /** Flushes spans and logs now, bounded by `exportTimeoutMs`. */
  forceFlush(): Promise<void>;
  /** Flushes and stops everything within a bounded time; never rejects. */
  shutdown(): Promise<void>;
  /** Pipeline counters. */
  stats(): TelemetryStats;
  /** Context of the current request (for code that runs outside the handler's async chain). */
  activeContext(): Context;
}

/** What `withDbSpan` records; `queryText` is stripped of literal values before it becomes `db.query.text`. */
export interface DbSpanInfo {
  /** `db.system.name`. */
  system: 'sqlite' | 'postgresql' | (string & {});
  /** `db.operation.name`, e.g. SELECT. */
  operation: string;
  /** `db.collection.name`, e.g. the table. */
  collection?: string;
  /** The SQL; literals are replaced by `?` before export. */
  queryText?: string;
}

/** What `withClientSpan` records about an outbound HTTP call. */
export interface ClientRequestInfo {
  /** HTTP method. */
  method: string;
  /** Full URL called (query string is dropped from `url.full`). */
  url: string;
  /** `peer` label of the client histogram (defaults to the URL's host). */
  peer?: string;
  /** Headers to send; a copy with `traceparent` injected is passed to the callback. */
  headers?: Record<string, string>;
}

/** What the callback of `withClientSpan` tells its span about the call's outcome. */
export interface ClientCall {
  /** The response arrived with this status code (>= 400 makes the span Error, `error.type` the code). */
  response(statusCode: number): void;
  /**
   * The call failed without a usable response (timeout, refused, reset): status Error, the
   * exception recorded; `type` and `message` override what is derived from `error`
   * (e.g. `{ type: 'timeout', message: 'timeout after 1000 ms' }`).
   */
  fail(error: unknown, failure?: { type?: string; message?: string }): void;
}

/** Options of `withPublishSpan` / `withConsumeSpan`. */
export interface MessagingSpanOptions {
  /** `messaging.system`, e.g. nats, rabbitmq. */
  system?: string;
  /** `messaging.message.id`. */
  messageId?: string;
  /**
   * Publish only: the message is sent after the operation that created it has ended (an outbox
   * relay), so the span, still a child of that operation, also links to it. A linked child is a
   * follows-from child: it may lie outside its parent's interval.
   */
  deferred?: boolean;
}
