// A bounded batching queue in front of an OTLP exporter that, unlike the stock
// BatchSpanProcessor, counts every item it will never deliver (queue full, export failed or timed
// out, shut down) and allows more than one export in flight, so a slow collector costs queue
// space rather than silently dropped spans. It never throws into the caller.

import { type ExportResult, ExportResultCode } from '@opentelemetry/core';
import { warnOnce } from './warnOnce.ts';

/** The part of an OTel span/log exporter this queue uses. */
export interface BatchExporter<T> {
  export(items: T[], resultCallback: (result: ExportResult) => void): void;
  shutdown(): Promise<void>;
}

/** Settings of a BatchExportQueue. */
export interface BatchExportQueueOptions {
  /** Name used in the one-time warnings (spans, logs). */
  signal: string;
  /** Items kept before new ones are dropped. */
  maxQueueSize: number;
  /** Items per export call. */
  maxExportBatchSize: number;
  /** Delay before a partial batch is exported, ms. */
  scheduledDelayMs: number;
  /** Bound on one export and on a flush, ms. */
  exportTimeoutMs: number;
  /** Export calls in flight at once. */
  maxConcurrentExports: number;
}

/** Counts of a BatchExportQueue. */
export interface BatchExportCounts {
  /** Items accepted into the queue. */
  enqueued: number;
  /** Items the exporter acknowledged. */
  exported: number;
  /** Items dropped, by reason. */
  dropped: Record<'queue_full' | 'export_failed' | 'shutdown', number>;
}

/** Bounded queue + batcher with counted drops. */
export class BatchExportQueue<T> {
  readonly #exporter: BatchExporter<T>;
  readonly #opts: BatchExportQueueOptions;
  #queue: T[] = [];
  #inFlight = 0;
  #timer: NodeJS.Timeout | undefined;
  #immediate: NodeJS.Immediate | undefined;
  #shutDown = false;
  #idleWaiters: Array<() => void> = [];
  readonly counts: BatchExportCounts = {
    enqueued: 0,
    exported: 0,
    dropped: { queue_full: 0, export_failed: 0, shutdown: 0 },
  };

  constructor(exporter: BatchExporter<T>, opts: BatchExportQueueOptions) {
    this.#exporter = exporter;
    this.#opts = opts;
  }

  /** Total items dropped for any reason. */
  get droppedTotal(): number {
    const d = this.counts.dropped;
    return d.queue_full + d.export_failed + d.shutdown;
  }

  /** Items waiting (not yet handed to the exporter). */
  get queued(): number {
    return this.#queue.length;
  }

  /** Adds one item; drops (and counts) it when the queue is full or shut down. */
  add(item: T): void {
    if (this.#shutDown) {
      this.counts.dropped.shutdown++;
      return;
    }
    if (this.#queue.length >= this.#opts.maxQueueSize) {
      this.counts.dropped.queue_full++;
      warnOnce(
        `${this.#opts.signal}-queue-full`,
        `${this.#opts.signal} export queue full (${this.#opts.maxQueueSize}); dropping and counting`,
      );
      return;
    }
    this.#queue.push(item);
    this.counts.enqueued++;
    if (this.#queue.length >= this.#opts.maxExportBatchSize) {
      // Export on the next turn, not inside the request that ended the span.
      this.#immediate ??= setImmediate(() => {
        this.#immediate = undefined;
        this.#drain(false);
      });
    } else if (this.#timer === undefined) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.#drain(true);
      }, this.#opts.scheduledDelayMs);
      this.#timer.unref();
    }
  }

  /** Starts exports while there is room: full batches, or partial ones when `partial`. */
  #drain(partial: boolean): void {
    const { maxExportBatchSize, maxConcurrentExports } = this.#opts;
    while (this.#inFlight < maxConcurrentExports && this.#queue.length > 0) {
      if (!partial && this.#queue.length < maxExportBatchSize) break;
      const batch =
        this.#queue.length <= maxExportBatchSize ? this.#queue : this.#queue.slice(0, maxExportBatchSize);
      this.#queue = this.#queue.length <= maxExportBatchSize ? [] : this.#queue.slice(maxExportBatchSize);
      this.#exportBatch(batch);
    }
    if (this.#queue.length > 0 && this.#timer === undefined && this.#inFlight < maxConcurrentExports) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.#drain(true);
      }, this.#opts.scheduledDelayMs);
      this.#timer.unref();
    }
  }

  #exportBatch(batch: T[]): void {
    this.#inFlight++;
    let settled = false;
    const finish = (ok: boolean, error?: unknown) => {
      if (settled) return;
      settled = true;
      clearTimeout(guard);
      this.#inFlight--;
      if (ok) this.counts.exported += batch.length;
      else {
        this.counts.dropped.export_failed += batch.length;
        warnOnce(
          `${this.#opts.signal}-export-failed`,
          `${this.#opts.signal} export failed (${error instanceof Error ? error.message : String(error ?? 'timeout')}); dropping and counting`,
        );
      }
      // A finished export frees a slot: continue with whatever is already a full batch.
      if (this.#queue.length >= this.#opts.maxExportBatchSize) this.#drain(false);
      else if (this.#shutDown && this.#queue.length > 0) this.#drain(true);
      if (this.#inFlight === 0 && this.#queue.length === 0) this.#notifyIdle();
    };
    // The exporter has its own timeout; this guard covers an exporter that never calls back.
    const guard = setTimeout(
      () => finish(false, new Error('export timed out')),
      this.#opts.exportTimeoutMs + 1_000,
    );
    guard.unref();
    try {
      this.#exporter.export(batch, (result) =>
        finish(result.code === ExportResultCode.SUCCESS, result.error),
      );
    } catch (err) {
      finish(false, err);
    }
  }

  #notifyIdle(): void {
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const w of waiters) w();
  }

  /** Exports everything queued and waits for in-flight exports, at most `exportTimeoutMs`. */
  async flush(): Promise<void> {
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    if (this.#queue.length === 0 && this.#inFlight === 0) return;
    const idle = new Promise<void>((resolve) => this.#idleWaiters.push(resolve));
    // Flushing may exceed the normal concurrency: these spans should leave now.
    while (this.#queue.length > 0) {
      const batch = this.#queue.slice(0, this.#opts.maxExportBatchSize);
      this.#queue = this.#queue.slice(this.#opts.maxExportBatchSize);
      this.#exportBatch(batch);
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.#opts.exportTimeoutMs);
      timer.unref();
    });
    await Promise.race([idle, timeout]);
    clearTimeout(timer);
  }

  /** Flushes (bounded), then refuses new items and shuts the exporter down. */
  async shutdown(): Promise<void> {
    if (this.#shutDown) return;
    await this.flush();
    this.#shutDown = true;
    if (this.#immediate) clearImmediate(this.#immediate);
    // Anything still queued after a bounded flush is lost: count it.
    this.counts.dropped.shutdown += this.#queue.length;
    this.#queue = [];
    try {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        this.#exporter.shutdown(),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, this.#opts.exportTimeoutMs);
          timer.unref();
        }),
      ]);
      clearTimeout(timer);
    } catch (err) {
      warnOnce(
        `${this.#opts.signal}-shutdown`,
        `${this.#opts.signal} exporter shutdown failed: ${String(err)}`,
      );
    }
  }
}
