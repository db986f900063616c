// Exports spans that a process timed itself, described as plain records, through the same OTLP
// pipeline as every other span (EncodingSpanProcessor: one-pass protobuf, bounded queue, counted
// drops, OpenTelemetry's OTLP/HTTP transport). Meant for a hot path such as a load generator:
// `add` only pushes the record; records become spans and are encoded in batches on a later turn
// of the event loop, never inside the request that produced them.

import { ATTR } from '@marketbench/contracts';
import type { Attributes, HrTime, SpanContext, SpanKind, SpanStatus } from '@opentelemetry/api';
import { SpanStatusCode, TraceFlags } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { Redactor } from '../redaction/Redactor.ts';
import type { BatchExportCounts } from './BatchExportQueue.ts';
import { type EncodedBatchSender, EncodingSpanProcessor, otlpHttpSender } from './EncodingSpanProcessor.ts';
import { hrTimeOf } from './spanClock.ts';

/** A finished span as data. Times are performance.now() readings of the thread that recorded them. */
export interface SpanRecord {
  traceId: string;
  spanId: string;
  /** Parent span id in the same trace; none for a root. */
  parentSpanId?: string;
  name: string;
  kind: SpanKind;
  startPerf: number;
  endPerf: number;
  attributes: Attributes;
  /** Unset when absent. */
  status?: SpanStatus;
}

/** Settings of a SpanRecordExporter. */
export interface SpanRecordExporterOptions {
  /** OTLP/HTTP traces URL, e.g. http://127.0.0.1:4318/v1/traces. */
  url: string;
  /** Extra export headers. */
  headers?: Record<string, string>;
  /** `service.name` of the spans. */
  serviceName: string;
  /** More resource attributes. */
  resourceAttributes?: Attributes;
  /** Instrumentation scope name. */
  scope: string;
  /** Records encoded per turn of the event loop (default 512). */
  encodeBatch?: number;
  /** Spans waiting before new ones are dropped and counted (default 65,536). */
  maxQueueSize?: number;
  /** Spans per export request (default 2,048). */
  maxExportBatchSize?: number;
  /** Delay before a partial batch is encoded and sent, ms (default 500). */
  scheduledDelayMs?: number;
  /** Bound on one export and on close, ms (default 10,000). */
  exportTimeoutMs?: number;
  /** Export requests in flight (default 2). */
  maxConcurrentExports?: number;
  /** Where batches go (default: OTLP/HTTP to `url`); tests may pass another sender. */
  sender?: EncodedBatchSender;
}

/** What the exporter did with the records it was given. */
export interface SpanRecordCounts extends BatchExportCounts {
  /** Records added. */
  recorded: number;
}

const UNSET: SpanStatus = { code: SpanStatusCode.UNSET };
const NONE: never[] = [];

/** Batches, encodes and exports SpanRecords off the caller's path; never throws into it. */
export class SpanRecordExporter {
  readonly #processor: EncodingSpanProcessor;
  readonly #resource: ReturnType<typeof resourceFromAttributes>;
  readonly #scope: { name: string };
  readonly #encodeBatch: number;
  readonly #delayMs: number;
  #pending: SpanRecord[] = [];
  #immediate: NodeJS.Immediate | undefined;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  #recorded = 0;

  constructor(options: SpanRecordExporterOptions) {
    const exportTimeoutMs = options.exportTimeoutMs ?? 10_000;
    this.#processor = new EncodingSpanProcessor(
      options.sender ??
        otlpHttpSender({ url: options.url, headers: options.headers, timeoutMillis: exportTimeoutMs }),
      new Redactor([]),
      {
        maxQueueSize: options.maxQueueSize ?? 65_536,
        maxExportBatchSize: options.maxExportBatchSize ?? 2_048,
        scheduledDelayMs: options.scheduledDelayMs ?? 500,
        exportTimeoutMs,
        maxConcurrentExports: options.maxConcurrentExports ?? 2,
      },
    );
    this.#resource = resourceFromAttributes({
      ...options.resourceAttributes,
      [ATTR.serviceName]: options.serviceName,
    });
    this.#scope = { name: options.scope };
    this.#encodeBatch = options.encodeBatch ?? 512;
    this.#delayMs = Math.min(100, options.scheduledDelayMs ?? 500);
  }

  /** Queues one record (cheap: a push; the encoding happens on a later turn). */
  add(record: SpanRecord): void {
    if (this.#closed) {
      this.#processor.counts.dropped.shutdown++;
      this.#recorded++;
      return;
    }
    this.#recorded++;
    this.#pending.push(record);
    if (this.#pending.length >= this.#encodeBatch) {
      this.#immediate ??= setImmediate(() => {
        this.#immediate = undefined;
        this.#encodePending();
      });
    } else if (this.#timer === undefined) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.#encodePending();
      }, this.#delayMs);
      this.#timer.unref();
    }
  }

  /** Counts so far: recorded = exported + dropped + still queued. */
  get counts(): SpanRecordCounts {
    const c = this.#processor.counts;
    return {
      recorded: this.#recorded,
      enqueued: c.enqueued,
      exported: c.exported,
      dropped: { ...c.dropped },
    };
  }

  #encodePending(): void {
    const records = this.#pending;
    this.#pending = [];
    for (const r of records) this.#processor.onEnd(this.#span(r));
  }

  #span(r: SpanRecord): ReadableSpan {
    const context: SpanContext = { traceId: r.traceId, spanId: r.spanId, traceFlags: TraceFlags.SAMPLED };
    const parent: SpanContext | undefined = r.parentSpanId
      ? { traceId: r.traceId, spanId: r.parentSpanId, traceFlags: TraceFlags.SAMPLED, isRemote: false }
      : undefined;
    const startTime = hrTimeOf(r.startPerf);
    const endTime = hrTimeOf(Math.max(r.endPerf, r.startPerf));
    const ns = (endTime[0] - startTime[0]) * 1e9 + (endTime[1] - startTime[1]);
    const duration: HrTime = [Math.floor(ns / 1e9), ns % 1e9];
    return {
      name: r.name,
      kind: r.kind,
      spanContext: () => context,
      parentSpanContext: parent,
      startTime,
      endTime,
      duration,
      status: r.status ?? UNSET,
      attributes: r.attributes,
      links: NONE,
      events: NONE,
      ended: true,
      resource: this.#resource,
      instrumentationScope: this.#scope,
      droppedAttributesCount: 0,
      droppedEventsCount: 0,
      droppedLinksCount: 0,
    };
  }

  /** Encodes what is queued, sends it, and waits for in-flight exports (bounded by exportTimeoutMs). */
  async flush(): Promise<void> {
    if (this.#immediate) clearImmediate(this.#immediate);
    if (this.#timer) clearTimeout(this.#timer);
    this.#immediate = undefined;
    this.#timer = undefined;
    this.#encodePending();
    await this.#processor.forceFlush();
  }

  /** Flushes, then stops; later records are counted as dropped (shutdown). */
  async close(): Promise<void> {
    if (this.#closed) return;
    await this.flush();
    this.#closed = true;
    await this.#processor.shutdown();
  }
}
