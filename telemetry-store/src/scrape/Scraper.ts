// Scrapes Prometheus text expositions on an interval and writes the samples into the
// otel_metrics_* tables as the collector's prometheus receiver + ClickHouse exporter would.
// It prefers OpenMetrics, so histogram and counter exemplars (trace ids) come along.

import type { Store } from '../types.ts';
import { promTextToRows, type ScrapeContext, scrapeSeries } from './promToRows.ts';
import type { ScraperOptions, ScraperStats, ScrapeTarget } from './types.ts';

/** service.name of a target without a job. */
export const DEFAULT_SCRAPE_JOB = 'marketbench-scrape';

// As Prometheus asks: OpenMetrics first (it carries exemplars), the classic text format otherwise.
const ACCEPT = 'application/openmetrics-text;version=1.0.0;q=0.5,text/plain;version=0.0.4;q=0.4,*/*;q=0.1';

export class Scraper {
  readonly #store: Store;
  readonly #targets: { target: ScrapeTarget; ctx: Omit<ScrapeContext, 'timeMs'> }[];
  readonly #intervalMs: number;
  readonly #timeoutMs: number;
  readonly #log: (m: string) => void;
  readonly #stats: ScraperStats = { scrapes: 0, failures: 0, rows: 0, rejected: 0 };
  #timer: NodeJS.Timeout | undefined;
  #inFlight: Promise<void> = Promise.resolve();
  #stopped = false;

  constructor(options: ScraperOptions) {
    this.#store = options.store;
    this.#intervalMs = options.intervalMs ?? 5000;
    this.#timeoutMs = options.timeoutMs ?? Math.min(this.#intervalMs, 10_000);
    this.#log = options.log ?? ((m) => process.stderr.write(`${m}\n`));
    this.#targets = options.targets.map((target) => {
      const url = new URL(target.url);
      const port = url.port || (url.protocol === 'https:' ? '443' : '80');
      return {
        target,
        ctx: {
          job: target.job ?? DEFAULT_SCRAPE_JOB,
          instance: `${url.hostname}:${port}`,
          scheme: url.protocol.replace(':', ''),
          startTimes: new Map(),
        },
      };
    });
  }

  /** Scrapes every target now and on every interval until `stop()`. */
  start(): void {
    const tick = () => {
      this.#inFlight = this.scrapeOnce()
        .catch((err: unknown) => this.#log(`scrape failed: ${(err as Error)?.stack ?? err}`))
        .finally(() => {
          if (!this.#stopped) this.#timer = setTimeout(tick, this.#intervalMs).unref();
        });
    };
    tick();
  }

  /** Scrapes every target once and writes the rows; failures are counted and logged, never thrown. */
  async scrapeOnce(): Promise<void> {
    await Promise.all(this.#targets.map((t) => this.#scrape(t.target, t.ctx)));
  }

  async #scrape(target: ScrapeTarget, base: Omit<ScrapeContext, 'timeMs'>): Promise<void> {
    const timeMs = Date.now();
    const t0 = performance.now();
    let text: string | undefined;
    let openMetrics = false;
    try {
      const res = await fetch(target.url, {
        headers: { accept: ACCEPT },
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
      if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
      openMetrics = (res.headers.get('content-type') ?? '').includes('application/openmetrics-text');
      text = await res.text();
    } catch (err) {
      this.#stats.failures++;
      this.#log(`scrape ${target.url} failed: ${(err as Error).message}`);
    }
    const seconds = (performance.now() - t0) / 1000;
    const ctx = { ...base, timeMs };
    const rows = promTextToRows(text ?? '', ctx, { openMetrics });
    const samples = rows.accepted;
    const up = promTextToRows('', ctx, { extra: scrapeSeries(text !== undefined, seconds, samples) });
    for (const [table, lines] of up.rows) {
      const all = rows.rows.get(table);
      if (all) all.push(...lines);
      else rows.rows.set(table, lines);
    }
    if (text !== undefined) this.#stats.scrapes++;
    this.#stats.rejected += rows.rejected;
    await this.#write(rows.rows);
  }

  async #write(rows: Map<string, string[]>): Promise<void> {
    for (const [table, lines] of rows) {
      try {
        await this.#store.insertJsonEachRow(table, lines.join('\n'));
        this.#stats.rows += lines.length;
      } catch (err) {
        this.#log(`scrape: insert into ${table} failed: ${(err as Error).message.slice(0, 300)}`);
      }
    }
  }

  stats(): ScraperStats {
    return { ...this.#stats };
  }

  /** Stops scraping; resolves once the scrape in flight (if any) is written. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#inFlight;
  }
}

/** Parses `job=URL` or `URL` (CLI `--scrape`) into a target. */
export function parseScrapeTarget(spec: string): ScrapeTarget {
  const m = /^([A-Za-z_][A-Za-z0-9_.:-]*)=(https?:\/\/.+)$/.exec(spec);
  const target: ScrapeTarget = m ? { job: m[1], url: m[2] } : { url: spec };
  const url = new URL(target.url);
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new TypeError(`scrape target must be http(s): ${spec}`);
  return target;
}
