// Public options of the embedded stack (`marketbench up`, `marketbench start`): the store and
// OTLP ingest in this process, the instrumented reference service in a child process.

import type { TelemetryStats } from '@marketbench/instrumentation';
import type { Ingest, Store } from '@marketbench/telemetry-store';

/** How to start the stack; every field has a documented default (DEFAULT_STACK_OPTIONS). */
export interface StackOptions {
  /** marketbench state directory (chDB data, spool, reports); env MARKETBENCH_HOME, default `.marketbench`. */
  home?: string;
  /** OTLP/HTTP ingest port on 127.0.0.1 (0 = any free port); env MARKETBENCH_INGEST_PORT, default 4318. */
  ingestPort?: number;
  /** Reference service port on 127.0.0.1 (0 = any free port); env MARKETBENCH_PORT, default 8080. */
  servicePort?: number;
  /** Listings in the seeded catalog; env MARKETBENCH_ITEMS. */
  items?: number;
  /** Seed of the catalog. */
  seed?: number;
  /** Interval between scrapes of the service's /metrics, ms; default 5000. */
  scrapeIntervalMs?: number;
  /** One-line progress messages (default: none). */
  log?: (line: string) => void;
}

/** What the service child reports back. */
export interface ServiceTelemetry {
  /** The service's span pipeline counters (exported, dropped). */
  stats: TelemetryStats;
}

/** A running stack. */
export interface Stack {
  /** The store (owned by this process). */
  readonly store: Store;
  /** The OTLP ingest. */
  readonly ingest: Ingest;
  /** Process id of the reference service's child process (for CPU accounting in benchmarks). */
  readonly servicePid: number;
  /** Base URL of the reference service. */
  readonly serviceUrl: string;
  /** Bearer token of the service's /admin routes (fault injection). */
  readonly adminToken: string;
  /** Scrapes the service's /metrics once now into the store. */
  scrapeNow(): Promise<void>;
  /** Makes the service export every finished span, then the ingest insert everything it accepted. */
  flushTelemetry(): Promise<ServiceTelemetry>;
  /** Stops the scraper, the service (flushing its telemetry), the ingest and the store. */
  stop(): Promise<void>;
}
