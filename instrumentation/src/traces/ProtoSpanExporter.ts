// OTLP/HTTP protobuf span exporter: OpenTelemetry's own HTTP export delegate (timeouts, retries on
// 429/503, concurrency limit, response parsing) with the one-pass `encodeSpans` as serializer.

import type { ExportResult } from '@opentelemetry/core';
import { OTLPExporterBase } from '@opentelemetry/otlp-exporter-base';
import {
  convertLegacyHttpOptions,
  createOtlpHttpExportDelegate,
} from '@opentelemetry/otlp-exporter-base/node-http';
import { ProtobufTraceSerializer, TraceExporterMetricsHelper } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { encodeSpans } from './encodeSpans.ts';

/** Settings of ProtoSpanExporter. */
export interface ProtoSpanExporterConfig {
  /** Full traces URL. */
  url: string;
  /** Extra request headers. */
  headers?: Record<string, string>;
  /** Per-request timeout, ms. */
  timeoutMillis?: number;
}

/** Span exporter sending `encodeSpans` bodies through the stock OTLP/HTTP transport. */
export class ProtoSpanExporter implements SpanExporter {
  readonly #base: OTLPExporterBase<ReadableSpan[]>;

  constructor(config: ProtoSpanExporterConfig) {
    const serializer = {
      serializeRequest: (spans: ReadableSpan[]) => encodeSpans(spans),
      deserializeResponse: (data: Uint8Array) => ProtobufTraceSerializer.deserializeResponse(data),
    };
    this.#base = new OTLPExporterBase(
      createOtlpHttpExportDelegate(
        convertLegacyHttpOptions(config, 'TRACES', 'v1/traces', { 'Content-Type': 'application/x-protobuf' }),
        serializer,
        'otlp_http_span_exporter',
        TraceExporterMetricsHelper,
        undefined,
      ),
    );
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    const resource = spans[0]?.resource;
    // Detected resource attributes may still be resolving right after start.
    if (resource?.asyncAttributesPending && resource.waitForAsyncAttributes) {
      resource.waitForAsyncAttributes().then(
        () => this.#base.export(spans, resultCallback),
        () => this.#base.export(spans, resultCallback),
      );
      return;
    }
    this.#base.export(spans, resultCallback);
  }

  shutdown(): Promise<void> {
    return this.#base.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.#base.forceFlush();
  }
}
