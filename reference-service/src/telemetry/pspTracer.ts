// The PSP simulator's own server spans, under its own service.name (SERVICES.psp), so a checkout
// trace shows the payment provider as the separate service it stands for: the gateway's client
// span → the PSP's server span. startTelemetry builds one resource per process (one global SDK),
// so the simulator gets a second TracerProvider, not registered globally, exporting to the same
// OTLP traces endpoint with the same headers, environment and batching bounds.
import { ATTR, SERVICES } from '@marketbench/contracts';
import { oneClockTracer, type Telemetry } from '@marketbench/instrumentation';
import type { Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';

export interface PspTracer {
  tracer: Tracer;
  /** Exports every ended span now. */
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

/** A tracer for the simulator, or undefined when the telemetry exports no spans. */
export function startPspTracer(telemetry: Telemetry): PspTracer | undefined {
  const o = telemetry.options;
  if (o.disabled || !o.tracesEnabled) return undefined;
  const exporter = new OTLPTraceExporter({
    url: o.tracesEndpoint,
    headers: o.otlpHeaders,
    timeoutMillis: o.exportTimeoutMs,
  });
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ ...o.resourceAttributes, [ATTR.serviceName]: SERVICES.psp }),
    spanProcessors: [
      new BatchSpanProcessor({
        exporter,
        scheduledDelayMillis: o.scheduledDelayMs,
        maxQueueSize: o.maxQueueSize,
        maxExportBatchSize: o.maxExportBatchSize,
        exportTimeoutMillis: o.exportTimeoutMs,
      }),
    ],
  });
  return {
    // On the process's span clock: these spans are children of the gateway's client spans.
    tracer: oneClockTracer(provider.getTracer(SERVICES.psp)),
    flush: () => provider.forceFlush().catch(() => undefined),
    shutdown: () => provider.shutdown().catch(() => undefined),
  };
}
