// The span processor startTelemetry installs instead of the stock BatchSpanProcessor: redacts
// ended spans, queues them in a BatchExportQueue (every drop counted) and counts spans started.

import { type Context, TraceFlags } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace';
import type { Redactor } from '../redaction/Redactor.ts';
import {
  type BatchExportCounts,
  BatchExportQueue,
  type BatchExportQueueOptions,
} from './BatchExportQueue.ts';

/** Batch span processor with counted drops and redaction. */
export class CountingSpanProcessor implements SpanProcessor {
  readonly queue: BatchExportQueue<ReadableSpan>;
  readonly #redactor: Redactor;
  /** Sampled spans started. */
  started = 0;
  /** Sampled spans ended. */
  ended = 0;

  constructor(exporter: SpanExporter, redactor: Redactor, options: Omit<BatchExportQueueOptions, 'signal'>) {
    this.queue = new BatchExportQueue<ReadableSpan>(exporter, { ...options, signal: 'spans' });
    this.#redactor = redactor;
  }

  onStart(_span: Span, _parentContext: Context): void {
    this.started++;
  }

  onEnd(span: ReadableSpan): void {
    // Recorded but not sampled (a RECORD-only sampler decision) is never exported, as in the SDK.
    if ((span.spanContext().traceFlags & TraceFlags.SAMPLED) === 0) return;
    this.ended++;
    try {
      this.#redactor.attributesInPlace(span.attributes);
      for (const ev of span.events) if (ev.attributes) this.#redactor.attributesInPlace(ev.attributes);
    } catch {
      // A value the redactor cannot read is not exported as is: drop the attributes instead.
      for (const k of Object.keys(span.attributes)) delete (span.attributes as Record<string, unknown>)[k];
    }
    this.queue.add(span);
  }

  /** The queue's counters. */
  get counts(): BatchExportCounts {
    return this.queue.counts;
  }

  /** Spans dropped for any reason. */
  get droppedTotal(): number {
    return this.queue.droppedTotal;
  }

  forceFlush(): Promise<void> {
    return this.queue.flush();
  }

  shutdown(): Promise<void> {
    return this.queue.shutdown();
  }
}
