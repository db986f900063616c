// Public configuration of the Prometheus /metrics scraper.

import type { Store } from '../types.ts';

/** One endpoint to scrape. */
export interface ScrapeTarget {
  /** Full URL of the exposition, e.g. `http://127.0.0.1:3000/metrics` (loopback or any host). */
  url: string;
  /** Prometheus job name, written as service.name (default `DEFAULT_SCRAPE_JOB`). */
  job?: string;
}

/** How to run a scraper. */
export interface ScraperOptions {
  /** Where the samples go (otel_metrics_* tables). */
  store: Store;
  /** Endpoints to scrape. */
  targets: readonly ScrapeTarget[];
  /** Time between scrapes of a target, in ms (default 5000). */
  intervalMs?: number;
  /** Give up on one scrape after this many ms (default: the interval, at most 10 s). */
  timeoutMs?: number;
  /** Where failures are reported (one line each); default stderr. */
  log?: (message: string) => void;
}

/** Counters of a scraper. */
export interface ScraperStats {
  /** Scrapes that returned a parsable exposition. */
  scrapes: number;
  /** Scrapes that failed (connection, status, timeout). */
  failures: number;
  /** Rows written to otel_metrics_*. */
  rows: number;
  /** Samples refused by the parser or the mapper. */
  rejected: number;
}
