// One call that makes a Node service observable: OTel traces and logs over OTLP/HTTP through
// sdk-node (no auto-instrumentation; HTTP servers are traced through Fastify hooks or a per-server
// wrapper), prom-client RED metrics with exemplars, redaction, counted drops and a bounded flush.
// Idempotent per process: a second call returns the running instance until it is shut down.

import type { Server } from 'node:http';
import { context, logs, type ProxyTracerProvider, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPLogExporter as OTLPLogExporterJson } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as OTLPLogExporterProto } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPTraceExporter as OTLPTraceExporterJson } from '@opentelemetry/exporter-trace-otlp-http';
import {
  defaultResource,
  detectResources,
  hostDetector,
  osDetector,
  processDetector,
  resourceFromAttributes,
  serviceInstanceIdDetector,
} from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace';
import client from 'prom-client';
import { resolveOptions } from './config/resolveOptions.ts';
import { createFastifyPlugin } from './http/fastifyPlugin.ts';
import { instrumentHttpServer } from './http/instrumentHttpServer.ts';
import { ServerRequestTracker } from './http/ServerRequestTracker.ts';
import { CountingLogProcessor } from './logs/CountingLogProcessor.ts';
import { createLogger } from './logs/createLogger.ts';
import { createMetricsHandler } from './metrics/metricsHandler.ts';
import { createOpenMetricsRegistry, registerTelemetryMetrics } from './metrics/TelemetryMetrics.ts';
import { Redactor } from './redaction/Redactor.ts';
import { CountingSpanProcessor } from './traces/CountingSpanProcessor.ts';
import { EncodingSpanProcessor, otlpHttpSender } from './traces/EncodingSpanProcessor.ts';
import { OneClockTracerProvider } from './traces/OneClockTracer.ts';
import { PooledIdGenerator } from './traces/PooledIdGenerator.ts';
import { rejectedAttributes, ServerSpanFactory } from './traces/ServerSpan.ts';
import { setHelperState, TRACER_NAME } from './traces/spanHelpers.ts';
import { warnOnce } from './traces/warnOnce.ts';
import type {
  HttpServerInstrumentationOptions,
  MetricsRegistry as Registry,
  Telemetry,
  TelemetryOptions,
  TelemetryStats,
} from './types.ts';

const kInstance = Symbol.for('marketbench.telemetry.instance');
const kRegistry = Symbol.for('marketbench.telemetry.registry');
const runtimeMetricsOn = new WeakSet<Registry>();

type GlobalSlots = { [kInstance]?: Telemetry; [kRegistry]?: Registry };
const slots = globalThis as GlobalSlots;

/** The process-wide registry startTelemetry uses when none is passed (created on first use). */
export function processRegistry(): Registry {
  slots[kRegistry] ??= createOpenMetricsRegistry();
  return slots[kRegistry];
}

/** The running telemetry, if startTelemetry was called and not shut down. */
export function currentTelemetry(): Telemetry | undefined {
  return slots[kInstance];
}

/** Starts telemetry for this process (or returns the running instance). Never throws on bad config. */
export function startTelemetry(args: TelemetryOptions = {}): Telemetry {
  const running = slots[kInstance];
  if (running) return running;

  const options = resolveOptions(args);
  const redactor = new Redactor(options.redactKeys);
  const registry = args.registry ?? processRegistry();
  const batch = {
    maxQueueSize: options.maxQueueSize,
    maxExportBatchSize: options.maxExportBatchSize,
    scheduledDelayMs: options.scheduledDelayMs,
    exportTimeoutMs: options.exportTimeoutMs,
    maxConcurrentExports: options.maxConcurrentExports,
  };

  let spanProcessor: CountingSpanProcessor | EncodingSpanProcessor | undefined;
  let logProcessor: CountingLogProcessor | undefined;
  let sdk: NodeSDK | undefined;
  let serverSpans: ServerSpanFactory | undefined;

  if (!options.disabled) {
    try {
      const exporterConfig = {
        headers: options.otlpHeaders,
        timeoutMillis: options.exportTimeoutMs,
      };
      if (options.tracesEnabled) {
        const config = { ...exporterConfig, url: options.tracesEndpoint };
        // protobuf: spans encoded as they end (one-pass encoder) and sent through the stock
        // OTLP/HTTP transport; JSON: the stock exporter behind the counting queue.
        spanProcessor =
          options.protocol === 'http/json'
            ? new CountingSpanProcessor(new OTLPTraceExporterJson(config), redactor, batch)
            : new EncodingSpanProcessor(otlpHttpSender(config), redactor, batch);
      }
      if (options.logsEnabled) {
        const Exporter = options.protocol === 'http/json' ? OTLPLogExporterJson : OTLPLogExporterProto;
        logProcessor = new CountingLogProcessor(
          new Exporter({ ...exporterConfig, url: options.logsEndpoint }),
          redactor,
          batch,
        );
      }
      // The env was already applied by resolveOptions (argument > env): no envDetector here, and
      // our attributes win over what the detectors find.
      const resource = defaultResource()
        .merge(
          detectResources({
            detectors: [processDetector, hostDetector, osDetector, serviceInstanceIdDetector],
          }),
        )
        .merge(resourceFromAttributes(options.resourceAttributes));
      const sampler = new ParentBasedSampler({
        root:
          options.sampleRatio >= 1
            ? new AlwaysOnSampler()
            : options.sampleRatio <= 0
              ? new AlwaysOffSampler()
              : new TraceIdRatioBasedSampler(options.sampleRatio),
      });
      const idGenerator = new PooledIdGenerator();
      if (spanProcessor) {
        serverSpans = new ServerSpanFactory(
          sampler,
          idGenerator,
          resource,
          { name: TRACER_NAME },
          spanProcessor,
          spanProcessor instanceof EncodingSpanProcessor,
        );
      }
      sdk = new NodeSDK({
        resource,
        autoDetectResources: false,
        sampler,
        idGenerator,
        textMapPropagator: new CompositePropagator({
          propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()],
        }),
        contextManager: new AsyncLocalStorageContextManager(),
        spanProcessors: spanProcessor ? [spanProcessor] : [],
        logRecordProcessors: logProcessor ? [logProcessor] : [],
        metricReaders: [],
        instrumentations: [],
      });
      sdk.start();
      // Every tracer of the process on the span clock, the ServerSpans' (spanClock.ts).
      const registered = (trace.getTracerProvider() as ProxyTracerProvider).getDelegate();
      trace.disable();
      trace.setGlobalTracerProvider(new OneClockTracerProvider(registered));
    } catch (err) {
      warnOnce('sdk-start', `OpenTelemetry SDK failed to start, tracing off: ${String(err)}`);
      sdk = undefined;
      spanProcessor = undefined;
      serverSpans = undefined;
      logProcessor = undefined;
    }
  }

  const tracer = trace.getTracer(TRACER_NAME);
  const stats = (): TelemetryStats => {
    const q = spanProcessor;
    const lq = logProcessor?.queue;
    return {
      spansStarted: spanProcessor?.started ?? 0,
      spansEnded: spanProcessor?.ended ?? 0,
      spansExported: q?.counts.exported ?? 0,
      spansDropped: q?.droppedTotal ?? 0,
      spansDroppedByReason: { ...(q?.counts.dropped ?? { queue_full: 0, export_failed: 0, shutdown: 0 }) },
      logsExported: lq?.counts.exported ?? 0,
      logsDropped: lq?.droppedTotal ?? 0,
      valuesRedacted: redactor.redacted,
      attributesRejected: rejectedAttributes.count,
    };
  };

  const metrics = registerTelemetryMetrics(registry, stats);
  if (
    options.runtimeMetrics &&
    !runtimeMetricsOn.has(registry) &&
    !registry.getSingleMetric('process_cpu_seconds_total')
  ) {
    runtimeMetricsOn.add(registry);
    client.collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 10 });
  }
  setHelperState({ tracer, clientDuration: metrics.clientDuration, clientExemplars: metrics.exemplars });

  const tracker = new ServerRequestTracker(tracer, metrics, serverSpans);
  const metricsHandler = createMetricsHandler(registry);
  const httpConfig = { ignoreRoutes: options.ignoreRoutes, metricsPath: options.metricsPath };
  const logger = createLogger({
    level: options.logLevel,
    destination: args.logDestination,
    otelLogger: logProcessor ? logs.getLogger(TRACER_NAME) : undefined,
    redactor,
    base: { service: options.serviceName },
  });

  const flush = async () => {
    await Promise.all([spanProcessor?.forceFlush(), logProcessor?.forceFlush()]);
  };

  let shuttingDown: Promise<void> | undefined;
  const onSigterm = () => {
    void telemetry.shutdown().then(() => {
      // We replaced Node's default SIGTERM exit: when nobody else handles it, restore that behaviour.
      if (process.listenerCount('SIGTERM') === 0) process.kill(process.pid, 'SIGTERM');
    });
  };

  const telemetry: Telemetry = {
    tracer,
    logger,
    registry,
    options,
    fastifyPlugin: createFastifyPlugin(tracker, registry, httpConfig),
    metricsHandler,
    instrumentHttpServer(server: Server, opts?: HttpServerInstrumentationOptions) {
      return instrumentHttpServer(server, tracker, metricsHandler, httpConfig, opts);
    },
    forceFlush: () => flush().catch(() => undefined),
    shutdown() {
      shuttingDown ??= (async () => {
        process.removeListener('SIGTERM', onSigterm);
        if (slots[kInstance] === telemetry) slots[kInstance] = undefined;
        try {
          // Span and log processors bound their own flush by exportTimeoutMs.
          await sdk?.shutdown();
        } catch (err) {
          warnOnce('sdk-shutdown', `OpenTelemetry SDK shutdown failed: ${String(err)}`);
        }
        setHelperState({ tracer: undefined, clientDuration: undefined });
        // Unregister the globals so a later startTelemetry in this process can register again.
        if (sdk) {
          trace.disable();
          context.disable();
          propagation.disable();
          logs.disable();
        }
      })();
      return shuttingDown;
    },
    stats,
    activeContext: () => context.active(),
  };

  if (options.handleSignals) process.once('SIGTERM', onSigterm);
  slots[kInstance] = telemetry;
  return telemetry;
}
