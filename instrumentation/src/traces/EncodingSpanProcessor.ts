// The OTLP/protobuf span pipeline: each sampled span is redacted and encoded into the open batch
// the moment it ends (so the span object dies young), a batch is sealed at maxExportBatchSize
// spans or after scheduledDelayMs, and sealed batches go out through OpenTelemetry's own OTLP/HTTP
// transport with at most maxConcurrentExports requests in flight. Every span that will never be
// delivered is counted: queue_full (maxQueueSize spans already waiting), export_failed (refused,
// timed out, unencodable), shutdown. Nothing here throws into the caller.

import { type Context, TraceFlags } from '@opentelemetry/api';
import { type ExportResult, ExportResultCode } from '@opentelemetry/core';
import type { IOtlpExportDelegate } from '@opentelemetry/otlp-exporter-base';
import {
  convertLegacyHttpOptions,
  createOtlpHttpExportDelegate,
} from '@opentelemetry/otlp-exporter-base/node-http';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import type { Redactor } from '../redaction/Redactor.ts';
import type { BatchExportCounts, BatchExportQueueOptions } from './BatchExportQueue.ts';
import { SpanBatch } from './encodeSpans.ts';
import { warnOnce } from './warnOnce.ts';

interface Sealed {
  batch: SpanBatch;
  count: number;
}

/** Where sealed batches are sent. */
export interface EncodedBatchSender {
  send(batch: Sealed, done: (result: ExportResult) => void): void;
  shutdown(): Promise<void>;
}

/** Sender over OpenTelemetry's OTLP/HTTP export delegate (retries, timeout, response parsing). */
export function otlpHttpSender(config: {
  url: string;
  headers?: Record<string, string>;
  timeoutMillis?: number;
}): EncodedBatchSender {
  const delegate: IOtlpExportDelegate<Sealed> = createOtlpHttpExportDelegate(
    convertLegacyHttpOptions(config, 'TRACES', 'v1/traces', { 'Content-Type': 'application/x-protobuf' }),
    {
      serializeRequest: (s: Sealed) => s.batch.finish(),
      deserializeResponse: (data: Uint8Array) => ProtobufTraceSerializer.deserializeResponse(data),
    },
    'otlp_http_span_exporter',
    { name: 'span', countItems: (s: Sealed) => s.count },
    undefined,
  );
  return {
    send: (s, done) => delegate.export(s, done),
    shutdown: () => delegate.shutdown(),
  };
}

/** Span processor that encodes at end and exports sealed protobuf batches. */
export class EncodingSpanProcessor implements SpanProcessor {
  readonly #sender: EncodedBatchSender;
  readonly #redactor: Redactor;
  readonly #opts: Omit<BatchExportQueueOptions, 'signal'>;
  #open = new SpanBatch();
  #sealed: Sealed[] = [];
  #waiting = 0; // spans in the open batch + sealed batches not yet sent
  #inFlight = 0;
  #timer: NodeJS.Timeout | undefined;
  #immediate: NodeJS.Immediate | undefined;
  #shutDown = false;
  #idleWaiters: Array<() => void> = [];
  /** Sampled spans started. */
  started = 0;
  /** Sampled spans ended. */
  ended = 0;
  readonly counts: BatchExportCounts = {
    enqueued: 0,
    exported: 0,
    dropped: { queue_full: 0, export_failed: 0, shutdown: 0 },
  };

  constructor(
    sender: EncodedBatchSender,
    redactor: Redactor,
    options: Omit<BatchExportQueueOptions, 'signal'>,
  ) {
    this.#sender = sender;
    this.#redactor = redactor;
    this.#opts = options;
  }

  /** Total spans dropped for any reason. */
  get droppedTotal(): number {
    const d = this.counts.dropped;
    return d.queue_full + d.export_failed + d.shutdown;
  }

  onStart(_span: Span, _parentContext: Context): void {
    this.started++;
  }

  onEnd(span: ReadableSpan): void {
    if ((span.spanContext().traceFlags & TraceFlags.SAMPLED) === 0) return;
    this.ended++;
    if (this.#shutDown) {
      this.counts.dropped.shutdown++;
      return;
    }
    if (this.#waiting >= this.#opts.maxQueueSize) {
      this.counts.dropped.queue_full++;
      warnOnce(
        'spans-queue-full',
        `span export queue full (${this.#opts.maxQueueSize}); dropping and counting`,
      );
      return;
    }
    try {
      this.#redactor.attributesInPlace(span.attributes);
      for (const ev of span.events) if (ev.attributes) this.#redactor.attributesInPlace(ev.attributes);
      this.#open.add(span);
    } catch (err) {
      this.counts.dropped.export_failed++;
      warnOnce('spans-encode', `a span could not be encoded (${String(err)}); dropping and counting`);
      return;
    }
    this.#waiting++;
    this.counts.enqueued++;
    if (this.#open.count >= this.#opts.maxExportBatchSize) {
      this.#seal();
      this.#immediate ??= setImmediate(() => {
        this.#immediate = undefined;
        this.#drain();
      });
    } else if (this.#timer === undefined) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.#seal();
        this.#drain();
      }, this.#opts.scheduledDelayMs);
      this.#timer.unref();
    }
  }

  #seal(): void {
    if (this.#open.count === 0) return;
    this.#sealed.push({ batch: this.#open, count: this.#open.count });
    this.#open = new SpanBatch();
  }

  #drain(force = false): void {
    while (this.#sealed.length > 0 && (force || this.#inFlight < this.#opts.maxConcurrentExports)) {
      const next = this.#sealed.shift() as Sealed;
      this.#send(next);
    }
  }

  #send(sealed: Sealed): void {
    this.#inFlight++;
    let settled = false;
    const finish = (ok: boolean, error?: unknown) => {
      if (settled) return;
      settled = true;
      clearTimeout(guard);
      this.#inFlight--;
      this.#waiting -= sealed.count;
      if (ok) this.counts.exported += sealed.count;
      else {
        this.counts.dropped.export_failed += sealed.count;
        warnOnce(
          'spans-export-failed',
          `span export failed (${error instanceof Error ? error.message : String(error ?? 'timeout')}); dropping and counting`,
        );
      }
      this.#drain(this.#shutDown);
      if (this.#inFlight === 0 && this.#sealed.length === 0) this.#notifyIdle();
    };
    // The transport has its own timeout; this guard covers one that never calls back.
    const guard = setTimeout(
      () => finish(false, new Error('export timed out')),
      this.#opts.exportTimeoutMs + 1_000,
    );
    guard.unref();
    const go = () => {
      try {
        this.#sender.send(sealed, (result) => finish(result.code === ExportResultCode.SUCCESS, result.error));
      } catch (err) {
        finish(false, err);
      }
    };
    // Detected resource attributes (host.id) may still be resolving right after start.
    const pending = sealed.batch
      .resources()
      .filter((r) => r.asyncAttributesPending && r.waitForAsyncAttributes);
    if (pending.length === 0) go();
    else Promise.all(pending.map((r) => r.waitForAsyncAttributes?.())).then(go, go);
  }

  #notifyIdle(): void {
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const w of waiters) w();
  }

  /** Sends everything waiting and waits for in-flight exports, at most exportTimeoutMs. */
  async forceFlush(): Promise<void> {
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    this.#seal();
    if (this.#sealed.length === 0 && this.#inFlight === 0) return;
    const idle = new Promise<void>((resolve) => this.#idleWaiters.push(resolve));
    this.#drain(true);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      idle,
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, this.#opts.exportTimeoutMs);
        timer.unref();
      }),
    ]);
    clearTimeout(timer);
  }

  /** Flushes (bounded), then refuses new spans and shuts the transport down. */
  async shutdown(): Promise<void> {
    if (this.#shutDown) return;
    await this.forceFlush();
    this.#shutDown = true;
    if (this.#immediate) clearImmediate(this.#immediate);
    for (const s of this.#sealed) this.counts.dropped.shutdown += s.count;
    this.counts.dropped.shutdown += this.#open.count;
    this.#sealed = [];
    this.#open = new SpanBatch();
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.#sender.shutdown(),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, this.#opts.exportTimeoutMs);
          timer.unref();
        }),
      ]);
    } catch (err) {
      warnOnce('spans-shutdown', `span exporter shutdown failed: ${String(err)}`);
    }
    clearTimeout(timer);
  }
}
