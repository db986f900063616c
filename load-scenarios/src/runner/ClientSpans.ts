// The generator's own span for every request it sends: a CLIENT span of service marketbench-load
// with the trace and span ids the request carried in `traceparent`, so the service's server span
// has its parent in the store and every trace has a root. Its interval is the actual send to the
// end of the response; the corrected latency (from the intended start) rides as an attribute.
// Recording is a push; encoding and export happen in batches on later turns (SpanRecordExporter).

import { ATTR, SERVICES } from '@marketbench/contracts';
import { type SpanRecordCounts, SpanRecordExporter } from '@marketbench/instrumentation/span-records';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';

/** Where the client spans go (plain data: it crosses into worker threads). */
export interface ClientSpanConfig {
  /** OTLP/HTTP traces URL, e.g. http://127.0.0.1:4318/v1/traces. */
  url: string;
  /** Extra export headers. */
  headers?: Record<string, string>;
}

/** One sent request, as the iteration knows it. */
export interface SentRequest {
  traceId: string;
  spanId: string;
  method: string;
  /** Step path template (`url.template`, the span name's target). */
  template: string;
  /** Path actually requested. */
  path: string;
  status: number;
  /** Transport error message (no response). */
  error: string | undefined;
  scenario: string;
  journey: string;
  step: string;
  /** performance.now() at the send and at the end of the response. */
  start: number;
  end: number;
  correctedMs: number;
  uncorrectedMs: number;
}

/** `error.type` of a transport failure from the client's message. */
export function transportErrorType(message: string): string {
  const code = /\b(E[A-Z]{3,}[A-Z_]*)\b/.exec(message);
  if (code) return code[1];
  if (/time(d)? ?out/i.test(message)) return 'timeout';
  if (/abort/i.test(message)) return 'aborted';
  return 'transport_error';
}

/** Records client spans of one engine and exports them. */
export class ClientSpans {
  readonly #exporter: SpanRecordExporter;
  readonly #origin: string;
  readonly #address: string;
  readonly #port: number;
  readonly #runId: string;

  constructor(config: ClientSpanConfig, origin: string, runId: string) {
    this.#exporter = new SpanRecordExporter({
      url: config.url,
      headers: config.headers,
      serviceName: SERVICES.load,
      scope: '@marketbench/load-scenarios',
    });
    const u = new URL(origin);
    this.#origin = `${u.protocol}//${u.host}`;
    this.#address = u.hostname.replace(/^\[|\]$/g, '');
    this.#port = Number(u.port) || (u.protocol === 'https:' ? 443 : 80);
    this.#runId = runId;
  }

  /** Queues the span of one request. */
  record(r: SentRequest): void {
    const q = r.path.indexOf('?');
    const attributes: Record<string, string | number> = {
      [ATTR.httpMethod]: r.method,
      [ATTR.urlFull]: this.#origin + (q >= 0 ? r.path.slice(0, q) : r.path),
      [ATTR.urlTemplate]: r.template,
      [ATTR.serverAddress]: this.#address,
      [ATTR.serverPort]: this.#port,
      [ATTR.runId]: this.#runId,
      [ATTR.scenario]: r.scenario,
      [ATTR.journey]: r.journey,
      [ATTR.step]: r.step,
      [ATTR.latencyCorrectedMs]: r.correctedMs,
      [ATTR.latencyUncorrectedMs]: r.uncorrectedMs,
    };
    let status: { code: SpanStatusCode; message?: string } | undefined;
    if (r.status > 0) {
      attributes[ATTR.httpStatusCode] = r.status;
      // The semantic conventions' client rule: any 4xx or 5xx fails the call.
      if (r.status >= 400) {
        attributes[ATTR.errorType] = String(r.status);
        status = { code: SpanStatusCode.ERROR, message: `HTTP ${r.status}` };
      }
    } else {
      const message = r.error ?? 'no response';
      attributes[ATTR.errorType] = transportErrorType(message);
      status = {
        code: SpanStatusCode.ERROR,
        message: message.length > 120 ? `${message.slice(0, 119)}…` : message,
      };
    }
    this.#exporter.add({
      traceId: r.traceId,
      spanId: r.spanId,
      name: `${r.method} ${r.template}`,
      kind: SpanKind.CLIENT,
      startPerf: r.start,
      endPerf: r.end,
      attributes,
      status,
    });
  }

  /** Counts so far. */
  get counts(): SpanRecordCounts {
    return this.#exporter.counts;
  }

  /** Exports what is left (bounded) and stops. */
  close(): Promise<void> {
    return this.#exporter.close();
  }
}
