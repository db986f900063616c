// The one name table (DESIGN.md, contract 2): every service, route, span, metric, attribute,
// table, sample and environment-variable name that more than one package relies on lives here.
// Instrumentation emits these names, dashboards and SLO specs query them, scenarios and
// thresholds tag with them, so renaming one here renames it everywhere and a dangling reference
// fails the type check (test/literalNames.test.ts refuses a table or sample name spelled out elsewhere).

/** `service.name` of each process marketbench runs. */
export const SERVICES = {
  reference: 'marketbench-reference-service',
  psp: 'marketbench-psp-simulator',
  load: 'marketbench-load',
  ingest: 'marketbench-ingest',
} as const;
export type ServiceName = (typeof SERVICES)[keyof typeof SERVICES];

/** Route templates of the reference service, as Fastify registers them (the `http.route` attribute). */
export const ROUTES = {
  listings: '/listings',
  listing: '/listings/:id',
  search: '/search',
  seller: '/sellers/:id',
  carts: '/carts',
  cartItems: '/carts/:id/items',
  cart: '/carts/:id',
  checkout: '/checkout',
  order: '/orders/:id',
  orderCancel: '/orders/:id/cancel',
  healthz: '/healthz',
  readyz: '/readyz',
  metrics: '/metrics',
  openapi: '/openapi.json',
  adminFaults: '/admin/faults',
  adminLedgerCheck: '/admin/ledger/check',
  adminReconciliation: '/admin/reconciliation',
} as const;
export type RouteTemplate = (typeof ROUTES)[keyof typeof ROUTES];

/** Route groups that SLOs and dashboards talk about. */
export const ROUTE_GROUPS = {
  browse: [ROUTES.listings, ROUTES.listing, ROUTES.search, ROUTES.seller],
  item: [ROUTES.listing],
  search: [ROUTES.search],
  checkout: [ROUTES.checkout],
} as const satisfies Record<string, readonly RouteTemplate[]>;

/** Server span name for a route, following the HTTP semantic conventions: `{method} {http.route}`. */
export function serverSpanName(method: string, route: string): string {
  return `${method.toUpperCase()} ${route}`;
}

/** Routes of the simulated payment service provider (PSP), reached over loopback HTTP. */
export const PSP_ROUTES = {
  authorize: '/v1/authorizations',
  /** GET: the authorization made with an idempotency key (404 when the PSP never saw it). */
  lookup: '/v1/authorizations/by-key/:key',
  capture: '/v1/captures',
  /** POST with the authorization's idempotency key: voids it, or bars the key when the PSP never saw it. */
  void: '/v1/voids',
  refund: '/v1/refunds',
  /** GET ?from=&to=: the PSP's own record of authorizations, captures, voids and refunds. */
  settlements: '/v1/settlements',
} as const;

/**
 * prom-client metric names (Prometheus exposition names, without the `_bucket`/`_count` suffixes).
 * The HTTP metrics are OpenTelemetry's semantic-convention instruments as OTel's Prometheus naming
 * writes them (dots to underscores, unit suffix `_seconds`), with their attributes as labels
 * (LABELS), so what an OTel SDK or Collector exports matches the same selectors.
 */
export const METRICS = {
  /** Histogram, seconds; labels: http_request_method, http_route, http_response_status_code. Semconv `http.server.request.duration`. */
  httpServerDuration: 'http_server_request_duration_seconds',
  /** Gauge; labels: http_request_method, http_route. Semconv `http.server.active_requests`. */
  httpServerActive: 'http_server_active_requests',
  /** Histogram, seconds; labels: http_request_method, server_address, http_response_status_code. Semconv `http.client.request.duration` (PSP calls). */
  httpClientDuration: 'http_client_request_duration_seconds',
  /** Counter; label: reason. Spans the SDK dropped or failed to export. */
  spansDropped: 'otel_spans_dropped_total',
  /** Counter. Spans handed to the exporter that it acknowledged. */
  spansExported: 'otel_spans_exported_total',
  /** Counter; label: reason. Log records dropped. */
  logsDropped: 'otel_logs_dropped_total',
  /** Counter; labels: operation, outcome (success|declined|error|timeout|circuit_open). */
  pspRequests: 'marketbench_psp_requests_total',
  /** Histogram, seconds; labels: operation, outcome. One observation per PSP attempt. */
  pspDuration: 'marketbench_psp_request_duration_seconds',
  /** Counter; label: operation. Retries of a PSP call after a failed attempt. */
  pspRetries: 'marketbench_psp_retries_total',
  /** Counter; labels: from, to. Circuit-breaker state changes. */
  circuitBreakerTransitions: 'marketbench_circuit_breaker_transitions_total',
  /** Counter; label: outcome (success|payment_failed|out_of_stock|invalid|error). */
  checkouts: 'marketbench_checkouts_total',
  /** Counter. Checkouts answered from the idempotency store. */
  idempotentReplays: 'marketbench_idempotent_replays_total',
  /** Counter; label: reason. Inventory reservations that failed. */
  reservationFailures: 'marketbench_inventory_reservation_failures_total',
  /** Counter; label: status (created|cancelled|refunded). */
  orders: 'marketbench_orders_total',
  /** Counter; label: outcome (captured|declined|voided|not_charged|retry|review). Unknown payments the resolver settled. */
  paymentResolutions: 'marketbench_payment_resolutions_total',
  /** Counter. Payments the resolver gave up on after its bounded tries: each needs a human (alert on any). */
  paymentReviews: 'marketbench_payment_reviews_total',
  /** Gauge; label: kind. Discrepancies of the last PSP reconciliation (orphan_capture, double_capture, …). */
  reconciliationDiscrepancies: 'marketbench_reconciliation_discrepancies',
  /** Gauge: 1 when the last ledger check balanced, 0 when it did not. */
  ledgerBalanced: 'marketbench_ledger_balanced',
  /** Counter; labels: dependency, kind (latency|error|outage). Faults injected into requests. */
  faultsInjected: 'marketbench_faults_injected_total',
  /** Counter; labels: topic, outcome. Outbox events relayed to the bus. */
  outboxPublished: 'marketbench_outbox_published_total',
  /** Counter; labels: signal, outcome (received|inserted|rejected|dropped). Ingest self-telemetry. */
  ingestRows: 'marketbench_ingest_rows_total',
  /** Gauge, seconds: age of the oldest row accepted but not yet inserted. */
  ingestLagSeconds: 'marketbench_ingest_lag_seconds',
  /** Gauge, unix seconds: time of the newest row inserted, by signal. */
  ingestLastInsertTimestamp: 'marketbench_ingest_last_insert_timestamp_seconds',
  /** Counter; label: http_response_status_code. OTLP/HTTP requests the ingest answered. */
  ingestRequests: 'marketbench_ingest_requests_total',
  /** Gauge: rows accepted and queued, not yet inserted. */
  ingestQueueRows: 'marketbench_ingest_queue_rows',
  /** Gauge, bytes: size of the ingest's write-ahead spool. */
  ingestSpoolBytes: 'marketbench_ingest_spool_bytes',
  /** Node runtime: event-loop lag p99 (prom-client default metric). */
  eventLoopLagP99: 'nodejs_eventloop_lag_p99_seconds',
  /** Node runtime: heap used (prom-client default metric). */
  heapUsed: 'nodejs_heap_size_used_bytes',
  /** Node runtime: CPU seconds (prom-client default metric). */
  cpuSeconds: 'process_cpu_seconds_total',
} as const;
export type MetricName = (typeof METRICS)[keyof typeof METRICS];

/**
 * Label names on the prom-client metrics. The HTTP ones are the semantic-convention attributes as
 * OpenTelemetry's Prometheus naming writes them (`http.request.method` → `http_request_method`).
 */
export const LABELS = {
  /** `http.request.method`. */
  method: 'http_request_method',
  /** `http.route`: the route template. */
  route: 'http_route',
  /** `http.response.status_code` (or `error` for an outbound call that got no answer). */
  statusCode: 'http_response_status_code',
  outcome: 'outcome',
  operation: 'operation',
  reason: 'reason',
  signal: 'signal',
  dependency: 'dependency',
  /** `server.address` of an outbound HTTP call (host:port, or a logical name such as `psp`). */
  peer: 'server_address',
} as const;

/** Span and resource attribute keys: semantic conventions first, `marketbench.*` for our own. */
export const ATTR = {
  serviceName: 'service.name',
  serviceVersion: 'service.version',
  deploymentEnvironment: 'deployment.environment.name',
  httpMethod: 'http.request.method',
  httpRoute: 'http.route',
  httpStatusCode: 'http.response.status_code',
  urlPath: 'url.path',
  /** The query string without `?` (server spans; `scenario derive` replays its values). */
  urlQuery: 'url.query',
  /** Request body size in bytes, from Content-Length (`scenario derive` reproduces it). */
  httpRequestBodySize: 'http.request.body.size',
  /** A session's id (spans that carry one are grouped into journeys by `scenario derive`). */
  sessionId: 'session.id',
  /** The authenticated user's id (a session stand-in for `scenario derive`). */
  enduserId: 'enduser.id',
  urlFull: 'url.full',
  urlScheme: 'url.scheme',
  /** Low-cardinality path template of a client request (the load generator's step path). */
  urlTemplate: 'url.template',
  serverAddress: 'server.address',
  serverPort: 'server.port',
  errorType: 'error.type',
  dbSystem: 'db.system.name',
  dbQueryText: 'db.query.text',
  dbOperation: 'db.operation.name',
  dbCollection: 'db.collection.name',
  messagingSystem: 'messaging.system',
  messagingOperationType: 'messaging.operation.type',
  messagingDestination: 'messaging.destination.name',
  messagingMessageId: 'messaging.message.id',
  cacheHit: 'marketbench.cache.hit',
  cacheKey: 'marketbench.cache.key',
  faultInjected: 'marketbench.fault.injected',
  faultKind: 'marketbench.fault.kind',
  faultDependency: 'marketbench.fault.dependency',
  runId: 'marketbench.run_id',
  scenario: 'marketbench.scenario',
  journey: 'marketbench.journey',
  step: 'marketbench.step',
  paymentOutcome: 'marketbench.payment.outcome',
  paymentAttempt: 'marketbench.payment.attempt',
  circuitState: 'marketbench.circuit.state',
  idempotentReplay: 'marketbench.idempotency.replay',
  orderId: 'marketbench.order.id',
  faultDelayMs: 'marketbench.fault.delay_ms',
  paymentHedged: 'marketbench.payment.hedged',
  paymentDeclineCode: 'marketbench.payment.decline_code',
  outboxEventId: 'marketbench.outbox.event_id',
  /** A PSP attempt's timer fired late (our event loop was blocked) and got one grace period. */
  timeoutStallGrace: 'marketbench.timeout.stall_grace',
  /** Load generator client span: latency from the intended start (coordinated omission corrected), ms. */
  latencyCorrectedMs: 'marketbench.latency.corrected_ms',
  /** Load generator client span: latency from the actual send, ms. */
  latencyUncorrectedMs: 'marketbench.latency.uncorrected_ms',
} as const;

/** Baggage keys the load generator sends and the service copies onto its spans. */
export const BAGGAGE = {
  runId: 'marketbench.run_id',
  step: 'marketbench.step',
} as const;

/** Names of span events recorded by the payment orchestration. */
export const SPAN_EVENTS = {
  pspAttempt: 'psp.attempt',
  pspRetry: 'psp.retry',
  pspHedge: 'psp.hedge',
  circuitOpened: 'circuit.opened',
  circuitHalfOpen: 'circuit.half_open',
  circuitClosed: 'circuit.closed',
  faultInjected: 'fault.injected',
  idempotentReplay: 'idempotency.replay',
  /** An attempt's outcome is unknown (sent, no definitive answer): the order waits for the resolver. */
  paymentUnknown: 'payment.unknown',
} as const;

/** Step names the built-in scenarios give their requests (`name` tag in thresholds). */
export const STEPS = {
  browse: 'browse',
  viewItem: 'view_item',
  search: 'search',
  seller: 'view_seller',
  createListing: 'create_listing',
  priceDrop: 'price_drop',
  createCart: 'create_cart',
  addToCart: 'add_to_cart',
  viewCart: 'view_cart',
  checkout: 'checkout',
  checkoutRetry: 'checkout_retry',
  viewOrder: 'view_order',
  cancelOrder: 'cancel_order',
} as const;
export type StepName = (typeof STEPS)[keyof typeof STEPS];

/** Dependencies faults can be injected into. */
export const FAULT_DEPENDENCIES = ['psp', 'db', 'cache', 'search', 'bus'] as const;
export type FaultDependency = (typeof FAULT_DEPENDENCIES)[number];

/** Per-second samples the load runner writes to TABLES.loadSamples (the `name` column). */
export const LOAD_SAMPLES = {
  /** Iterations/s the executor is scheduling. */
  targetRate: 'target_rate',
  /** Iterations/s actually started. */
  achievedRate: 'achieved_rate',
  /** Requests/s sent. */
  requestRate: 'request_rate',
  /** VUs busy. */
  activeVus: 'active_vus',
  /** CPU of the generator process, % of one core. */
  generatorCpu: 'generator_cpu',
  /** Iterations dropped in that second (no free VU). */
  droppedIterations: 'dropped_iterations',
  /** Failed requests in that second. */
  errors: 'errors',
  /** p99 latency of that second, ms. */
  p99Ms: 'p99_ms',
} as const;

/** ClickHouse tables marketbench itself owns (the collector-exporter tables are in telemetry-store). */
export const TABLES = {
  loadRuns: 'marketbench_load_runs',
  loadRequests: 'marketbench_load_requests',
  loadFaults: 'marketbench_load_faults',
  loadSamples: 'marketbench_load_samples',
  /** The run's metric series (k6 metrics with their tags), one row per series, written at the end of the run. */
  loadMetrics: 'marketbench_load_metrics',
  schemaMigrations: 'marketbench_schema_migrations',
  /** Per-minute rollup of server spans (RED, latency digest) that the dashboards read; fed by a materialized view. */
  serverSpans1m: 'marketbench_server_spans_1m',
  /** The materialized view from otel_traces into serverSpans1m. */
  serverSpans1mMv: 'marketbench_server_spans_1m_mv',
  /** Spans with status Error, time-ordered, for the dashboards' error tables; fed by a materialized view. */
  errorSpans: 'marketbench_error_spans',
  /** The materialized view from otel_traces into errorSpans. */
  errorSpansMv: 'marketbench_error_spans_mv',
  /** Server spans per minute by route, method, status and latency bucket: the HTTP SLIs of the SLO dashboard. */
  httpSli1m: 'marketbench_http_sli_1m',
  /** The materialized view from otel_traces into httpSli1m. */
  httpSli1mMv: 'marketbench_http_sli_1m_mv',
  /** The slowest server spans of each minute, service, route and environment (trace ids included). */
  slowSpans1m: 'marketbench_slow_spans_1m',
  /** The materialized view from otel_traces into slowSpans1m. */
  slowSpans1mMv: 'marketbench_slow_spans_1m_mv',
  /** One row per `marketbench capacity run`: the USL fit, its intervals, N*, the knee (what the gate reads). */
  capacityRuns: 'marketbench_capacity_runs',
  /** One row per load step of a capacity run: load, throughput, latency, errors, CPU, requests in flight. */
  capacitySteps: 'marketbench_capacity_steps',
} as const;

/** Tables of the OpenTelemetry Collector contrib ClickHouse exporter (same names, so the same queries run on either writer). */
export const OTEL_TABLES = {
  traces: 'otel_traces',
  tracesTraceIdTs: 'otel_traces_trace_id_ts',
  tracesTraceIdTsMv: 'otel_traces_trace_id_ts_mv',
  logs: 'otel_logs',
  metricsGauge: 'otel_metrics_gauge',
  metricsSum: 'otel_metrics_sum',
  metricsHistogram: 'otel_metrics_histogram',
  metricsExponentialHistogram: 'otel_metrics_exponential_histogram',
  metricsSummary: 'otel_metrics_summary',
} as const;
export type OtelTableName = (typeof OTEL_TABLES)[keyof typeof OTEL_TABLES];

/**
 * Environment variables marketbench reads (README.md lists each with its default). Read them with
 * `readEnv` from this package: it is the one module that touches `process.env`.
 */
export const ENV = {
  /** Directory of everything marketbench writes (chDB data, spool, reports, SQLite file). */
  home: 'MARKETBENCH_HOME',
  /** ClickHouse server URL; unset means embedded chDB. */
  clickhouseUrl: 'CLICKHOUSE_URL',
  /** Store database name. */
  database: 'MARKETBENCH_DATABASE',
  /** TTL of telemetry rows, days (0: none). */
  ttlDays: 'MARKETBENCH_TTL_DAYS',
  /** How long to wait for the chDB directory lock, ms. */
  lockWaitMs: 'MARKETBENCH_LOCK_WAIT_MS',
  /** Host of the store owner's ClickHouse HTTP interface (loopback only). */
  storeHost: 'MARKETBENCH_STORE_HOST',
  /** Port of the store owner's ClickHouse HTTP interface (0: a free one). */
  storePort: 'MARKETBENCH_STORE_PORT',
  /** Ingest listen host. */
  ingestHost: 'MARKETBENCH_INGEST_HOST',
  /** Ingest listen port. */
  ingestPort: 'MARKETBENCH_INGEST_PORT',
  /** Ingest: rows per insert. */
  ingestBatchRows: 'MARKETBENCH_INGEST_BATCH_ROWS',
  /** Ingest: longest wait before an insert, ms. */
  ingestFlushMs: 'MARKETBENCH_INGEST_FLUSH_MS',
  /** Ingest: rows the queue holds; a request that does not fit whole gets 429. */
  ingestMaxQueueRows: 'MARKETBENCH_INGEST_MAX_QUEUE_ROWS',
  /** Ingest: characters of row text the queue holds; a request that does not fit whole gets 429. */
  ingestMaxQueueBytes: 'MARKETBENCH_INGEST_MAX_QUEUE_BYTES',
  /** Ingest: largest accepted body as sent, bytes. */
  ingestMaxBodyBytes: 'MARKETBENCH_INGEST_MAX_BODY_BYTES',
  /** Ingest: largest body once gunzipped, bytes. */
  ingestMaxDecompressedBytes: 'MARKETBENCH_INGEST_MAX_DECOMPRESSED_BYTES',
  /** Ingest: request bodies held in memory at once, bytes. */
  ingestMaxInflightBytes: 'MARKETBENCH_INGEST_MAX_INFLIGHT_BYTES',
  /** Ingest: spans, data points or log records per request. */
  ingestMaxItems: 'MARKETBENCH_INGEST_MAX_ITEMS',
  /** Ingest: decoded elements per request. */
  ingestMaxElements: 'MARKETBENCH_INGEST_MAX_ELEMENTS',
  /** Ingest: attributes of one item. */
  ingestMaxAttributes: 'MARKETBENCH_INGEST_MAX_ATTRIBUTES',
  /** Ingest: nesting of attribute values. */
  ingestMaxDepth: 'MARKETBENCH_INGEST_MAX_DEPTH',
  /** Ingest spool durability: `always` or `never`. */
  ingestFsync: 'MARKETBENCH_INGEST_FSYNC',
  /** Reference service listen host. */
  host: 'MARKETBENCH_HOST',
  /** Reference service listen port. */
  port: 'MARKETBENCH_PORT',
  /** Listen port container platforms set; MARKETBENCH_PORT wins. */
  platformPort: 'PORT',
  /** Seeded catalog size. */
  items: 'MARKETBENCH_ITEMS',
  /** Seed of the catalog and the scenarios' random choices. */
  seed: 'MARKETBENCH_SEED',
  /** The reference service's SQLite file. */
  sqlitePath: 'MARKETBENCH_SQLITE_PATH',
  /** PostgreSQL URL of the reference service's store; unset means SQLite. */
  databaseUrl: 'DATABASE_URL',
  /** PostgreSQL schema of the reference service. */
  pgSchema: 'MARKETBENCH_PG_SCHEMA',
  /** Redis URL (cache). */
  redisUrl: 'REDIS_URL',
  /** NATS URL (bus). */
  natsUrl: 'NATS_URL',
  /** AMQP URL (bus). */
  amqpUrl: 'AMQP_URL',
  /** Subject and queue prefix on the bus. */
  busPrefix: 'MARKETBENCH_BUS_PREFIX',
  /** Bearer token of the reference service's `/admin/*` routes. */
  adminToken: 'MARKETBENCH_ADMIN_TOKEN',
  /** `true` allows admin routes from non-loopback callers. */
  adminRemote: 'MARKETBENCH_ADMIN_REMOTE',
  /** Marketplace fee, basis points. */
  feeBps: 'MARKETBENCH_FEE_BPS',
  /** Inventory reservation expiry, ms. */
  reservationTtlMs: 'MARKETBENCH_RESERVATION_TTL_MS',
  /** Delay before a sold-out item is relisted, ms. */
  relistAfterMs: 'MARKETBENCH_RELIST_AFTER_MS',
  /** PSP simulator latency, ms. */
  pspLatencyMs: 'MARKETBENCH_PSP_LATENCY_MS',
  /** Hedged PSP authorization delay, ms (0: off). */
  pspHedgeMs: 'MARKETBENCH_PSP_HEDGE_MS',
  /** URL of an external PSP (simulator) shared by several instances; unset: an in-process simulator. */
  pspUrl: 'MARKETBENCH_PSP_URL',
  /** Secret of the keyed card fingerprint (idempotency and card tokens), stable across processes. */
  cardFingerprintSecret: 'MARKETBENCH_CARD_FINGERPRINT_SECRET',
  /** `deployment.environment.name` of the service's telemetry. */
  environment: 'MARKETBENCH_ENVIRONMENT',
  /** Attribute keys the instrumentation never exports. */
  redactKeys: 'MARKETBENCH_REDACT_KEYS',
  /** OTLP exports in flight. */
  otlpConcurrency: 'MARKETBENCH_OTLP_CONCURRENCY',
  /** `debug` logs every request of the reference service. */
  logLevel: 'LOG_LEVEL',
  /** Hosts a run may load with `--allow-remote-target` (comma- or space-separated). */
  allowedTargets: 'MARKETBENCH_ALLOWED_TARGETS',
  /** Internal: the stack hands its service child process its configuration (JSON) in this variable. */
  stackService: 'MARKETBENCH_STACK_SERVICE',
  /** Set by CI (`true` or `1`): a test whose real dependency is missing fails instead of skipping. */
  ci: 'CI',
  /** Prometheus binary `slo drill --prometheus` starts (default `prometheus`). */
  prometheusBin: 'PROMETHEUS_BIN',
  /** Alertmanager binary `slo drill --prometheus` starts (default `prometheus-alertmanager`, Debian's name). */
  alertmanagerBin: 'ALERTMANAGER_BIN',
} as const;
export type EnvName = (typeof ENV)[keyof typeof ENV];
