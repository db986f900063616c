// The prom-client metrics this package owns, registered once per registry: the RED histogram with
// exemplars, the in-flight gauge, the outbound-call histogram and the pipeline's own counters
// (read from the queues at scrape time, so the hot path does no extra metric work).

import { HTTP_DURATION_BUCKETS, LABELS, METRICS } from '@marketbench/contracts';
import client, { type Counter, type Histogram } from 'prom-client';
import type { MetricsRegistry as Registry, TelemetryStats } from '../types.ts';
import { RedRecorder } from './RedRecorder.ts';

/** The process-wide OpenMetrics registry (exemplars only render in OpenMetrics). */
export function createOpenMetricsRegistry(): Registry {
  const registry = new client.Registry() as unknown as Registry;
  registry.setContentType(client.Registry.OPENMETRICS_CONTENT_TYPE);
  return registry;
}

/** Metrics used by the HTTP instrumentation and span helpers. */
export interface TelemetryMetrics {
  /** `http_server_request_duration_seconds`. */
  serverDuration: Histogram<string>;
  /** True when the registry is OpenMetrics and the histograms take exemplars. */
  exemplars: boolean;
  /** Records into the duration histogram and the `http_server_active_requests` gauge. */
  red: RedRecorder;
  /** `http_client_request_duration_seconds`. */
  clientDuration: Histogram<string>;
}

function existing<T>(registry: Registry, name: string): T | undefined {
  return registry.getSingleMetric(name) as T | undefined;
}

// The pipeline counters of a registry read the stats of the telemetry started last on it (the
// registry outlives a shutdown; a restarted telemetry must not leave the counters on the old one).
const activeCounts = new WeakMap<Registry, Map<string, { method: string; route: string; n: number }>>();
const statsSources = new WeakMap<Registry, () => TelemetryStats>();
const noStats = (): TelemetryStats => ({
  spansStarted: 0,
  spansEnded: 0,
  spansExported: 0,
  spansDropped: 0,
  spansDroppedByReason: {},
  logsExported: 0,
  logsDropped: 0,
  valuesRedacted: 0,
  attributesRejected: 0,
});

/** Registers (or finds, when already registered) the package's metrics in `registry`. */
export function registerTelemetryMetrics(registry: Registry, source: () => TelemetryStats): TelemetryMetrics {
  statsSources.set(registry, source);
  const stats = () => (statsSources.get(registry) ?? noStats)();
  const exemplars = registry.contentType === client.Registry.OPENMETRICS_CONTENT_TYPE;
  const serverDuration =
    existing<Histogram<string>>(registry, METRICS.httpServerDuration) ??
    new client.Histogram({
      name: METRICS.httpServerDuration,
      help: 'Duration of HTTP server requests (semconv http.server.request.duration).',
      labelNames: [LABELS.method, LABELS.route, LABELS.statusCode],
      buckets: [...HTTP_DURATION_BUCKETS],
      registers: [registry],
      enableExemplars: exemplars,
    } as client.HistogramConfiguration<string>);
  let active = activeCounts.get(registry);
  if (!active) {
    active = new Map();
    activeCounts.set(registry, active);
  }
  if (!existing(registry, METRICS.httpServerActive)) {
    new client.Gauge({
      name: METRICS.httpServerActive,
      help: 'HTTP server requests in flight (semconv http.server.active_requests).',
      labelNames: [LABELS.method, LABELS.route],
      registers: [registry],
      collect: RedRecorder.collectActive(active),
    });
  }
  const clientDuration =
    existing<Histogram<string>>(registry, METRICS.httpClientDuration) ??
    new client.Histogram({
      name: METRICS.httpClientDuration,
      help: 'Duration of outbound HTTP requests (semconv http.client.request.duration).',
      labelNames: [LABELS.method, LABELS.peer, LABELS.statusCode],
      buckets: [...HTTP_DURATION_BUCKETS],
      registers: [registry],
      enableExemplars: exemplars,
    } as client.HistogramConfiguration<string>);

  // Pipeline counters: set from the live stats at scrape time.
  if (!existing(registry, METRICS.spansDropped)) {
    new client.Counter({
      name: METRICS.spansDropped,
      help: 'Spans that will never be exported, by reason (queue_full, export_failed, shutdown).',
      labelNames: [LABELS.reason],
      registers: [registry],
      collect(this: Counter<'reason'>) {
        const s = stats();
        this.reset();
        for (const reason of ['queue_full', 'export_failed', 'shutdown']) {
          this.inc({ reason }, s.spansDroppedByReason[reason] ?? 0);
        }
      },
    });
  }
  if (!existing(registry, METRICS.spansExported)) {
    new client.Counter({
      name: METRICS.spansExported,
      help: 'Spans the OTLP endpoint acknowledged.',
      registers: [registry],
      collect(this: Counter) {
        this.reset();
        this.inc(stats().spansExported);
      },
    });
  }
  if (!existing(registry, METRICS.logsDropped)) {
    new client.Counter({
      name: METRICS.logsDropped,
      help: 'Log records that will never be exported.',
      labelNames: [LABELS.reason],
      registers: [registry],
      collect(this: Counter<'reason'>) {
        this.reset();
        this.inc({ reason: 'any' }, stats().logsDropped);
      },
    });
  }
  return {
    serverDuration,
    clientDuration,
    exemplars,
    red: new RedRecorder(serverDuration, exemplars, active),
  };
}
