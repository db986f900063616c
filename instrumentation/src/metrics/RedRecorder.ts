// Per-request RED bookkeeping kept cheap on the hot path: the in-flight gauge is a plain counter
// map read at scrape time (no prom-client label hashing twice per request), and a histogram
// exemplar is attached at most once per second per (series, bucket): Prometheus keeps only the
// last exemplar of a bucket anyway, and prom-client's exemplar path costs about 3x a plain observe.

import { HTTP_DURATION_BUCKETS, LABELS } from '@marketbench/contracts';
import type { Gauge, Histogram } from 'prom-client';

const EXEMPLAR_INTERVAL_MS = 1_000;

interface Active {
  method: string;
  route: string;
  n: number;
}

/** Records server request starts and ends into the duration histogram and in-flight gauge. */
export class RedRecorder {
  readonly #duration: Histogram<string>;
  readonly #exemplars: boolean;
  readonly #active: Map<string, Active>;
  readonly #lastExemplar = new Map<string, Map<number, Float64Array>>();

  constructor(duration: Histogram<string>, exemplars: boolean, active: Map<string, Active>) {
    this.#duration = duration;
    this.#exemplars = exemplars;
    this.#active = active;
  }

  /** Gauge `collect` that publishes the in-flight counts. */
  static collectActive(active: Map<string, Active>): (this: Gauge<string>) => void {
    return function collect(this: Gauge<string>) {
      this.reset();
      for (const a of active.values()) this.set({ [LABELS.method]: a.method, [LABELS.route]: a.route }, a.n);
    };
  }

  /** Series key of a method and route (computed once per request by the caller). */
  static key(method: string, route: string): string {
    return `${method} ${route}`;
  }

  /** A request started. */
  begin(key: string, method: string, route: string): void {
    const a = this.#active.get(key);
    if (a) a.n++;
    else this.#active.set(key, { method, route, n: 1 });
  }

  /**
   * Creates the series of a method, route and status code at zero (every bucket), so an error
   * series exists before the first error: an SLO's error ratio then has data on a healthy
   * service, and a burn-rate rule counts the first errors (rate() needs two samples of a series).
   */
  zero(method: string, route: string, statusCode: number): void {
    this.#duration.zero({ [LABELS.method]: method, [LABELS.route]: route, [LABELS.statusCode]: statusCode });
  }

  /** A request ended; `traceId` (sampled spans only) may become the bucket's exemplar. */
  end(
    key: string,
    method: string,
    route: string,
    statusCode: number,
    seconds: number,
    traceId: string | undefined,
  ): void {
    const a = this.#active.get(key);
    if (a && a.n > 0) a.n--;
    const labels = { [LABELS.method]: method, [LABELS.route]: route, [LABELS.statusCode]: statusCode };
    if (this.#exemplars && traceId !== undefined && this.#exemplarDue(key, statusCode, seconds)) {
      this.#duration.observe({ labels, value: seconds, exemplarLabels: { trace_id: traceId } });
    } else if (this.#exemplars) {
      // With exemplars enabled prom-client only accepts the object form.
      this.#duration.observe({ labels, value: seconds });
    } else {
      this.#duration.observe(labels, seconds);
    }
  }

  #exemplarDue(key: string, statusCode: number, seconds: number): boolean {
    // Per series: key + status code, without building a string per request.
    let byStatus = this.#lastExemplar.get(key);
    if (!byStatus) {
      byStatus = new Map();
      this.#lastExemplar.set(key, byStatus);
    }
    let last = byStatus.get(statusCode);
    if (!last) {
      last = new Float64Array(HTTP_DURATION_BUCKETS.length + 1);
      byStatus.set(statusCode, last);
    }
    let bucket = 0;
    while (bucket < HTTP_DURATION_BUCKETS.length && seconds > HTTP_DURATION_BUCKETS[bucket]) bucket++;
    const now = performance.now();
    if (last[bucket] !== 0 && now - last[bucket] < EXEMPLAR_INTERVAL_MS) return false;
    last[bucket] = now;
    return true;
  }
}
