// The per-request work both HTTP integrations share: extract the caller's context, start the
// SERVER span with the semconv-required attributes only, count the request in flight, and at the
// end set the status, end the span and observe the duration histogram with a trace_id exemplar.

import { ATTR, BAGGAGE, serverSpanName } from '@marketbench/contracts';
import {
  type Context,
  context,
  defaultTextMapGetter,
  type Span,
  SpanKind,
  TraceFlags,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { RedRecorder } from '../metrics/RedRecorder.ts';
import type { TelemetryMetrics } from '../metrics/TelemetryMetrics.ts';
import type { ServerSpanFactory } from '../traces/ServerSpan.ts';
import { setHttpStatus } from '../traces/spanStatus.ts';
import { baggageValue, EMPTY_REQUEST_CONTEXT, RequestContext } from './RequestContext.ts';

const traceContextPropagator = new W3CTraceContextPropagator();

/** One request being tracked. */
export interface TrackedRequest {
  /** Context with the server span active; run the handler in it. */
  ctx: Context;
  /** The server span (a non-recording span when not sampled or disabled). */
  span: Span;
  /** `method` label. */
  method: string;
  /** `route` label (template, or "" when no route matched). */
  route: string;
  /** performance.now() at start. */
  start: number;
  /** Set once ended, so a double end is harmless. */
  done: boolean;
  /** performance.now() when the response was handed to the socket (the span's end), if known. */
  sentAt?: number;
  /** RED series key (method + route). */
  key: string;
}

/** Starts and ends server spans and records RED metrics. */
export class ServerRequestTracker {
  readonly #tracer: Tracer;
  readonly #metrics: TelemetryMetrics;
  readonly #serverSpans: ServerSpanFactory | undefined;
  readonly #nameCache = new Map<string, Map<string, { name: string; key: string }>>();

  /** `serverSpans` (when tracing is on) creates the server spans without the SDK tracer's generic path. */
  constructor(tracer: Tracer, metrics: TelemetryMetrics, serverSpans?: ServerSpanFactory) {
    this.#tracer = tracer;
    this.#metrics = metrics;
    this.#serverSpans = serverSpans;
  }

  /** Creates the RED series of `method route` for each of `statusCodes` at zero (see RedRecorder.zero). */
  declareStatuses(method: string, route: string, statusCodes: readonly number[]): void {
    for (const code of statusCodes) this.#metrics.red.zero(method, route, code);
  }

  /** Starts tracking a request. `route` is the template or undefined when no route matched. */
  start(
    method: string,
    route: string | undefined,
    url: string,
    scheme: string,
    headers: Record<string, string | string[] | undefined>,
  ): TrackedRequest {
    const start = performance.now();
    let parent: Context = EMPTY_REQUEST_CONTEXT;
    const baggage = headers.baggage;
    try {
      // Extraction is the most common place for bad input (malformed traceparent/baggage): never throw.
      if (headers.traceparent !== undefined) {
        parent = traceContextPropagator.extract(EMPTY_REQUEST_CONTEXT, headers, defaultTextMapGetter);
      }
      // Baggage is kept as the raw header and parsed only if read (children, outbound injection).
      if (baggage !== undefined && parent instanceof RequestContext)
        parent = parent.withBaggageHeader(baggage);
    } catch {
      parent = EMPTY_REQUEST_CONTEXT;
    }
    const q = url.indexOf('?');
    const attributes: Record<string, string | number> = {
      [ATTR.httpMethod]: method,
      [ATTR.urlPath]: q >= 0 ? url.slice(0, q) : url,
      [ATTR.urlScheme]: scheme,
    };
    // url.query and http.request.body.size (semantic conventions): what `scenario derive` replays.
    if (q >= 0 && q < url.length - 1) attributes[ATTR.urlQuery] = url.slice(q + 1);
    const length = headers['content-length'];
    if (typeof length === 'string' && /^\d{1,15}$/.test(length))
      attributes[ATTR.httpRequestBodySize] = Number(length);
    if (route !== undefined) attributes[ATTR.httpRoute] = route;
    if (baggage !== undefined) {
      const runId = baggageValue(baggage, BAGGAGE.runId);
      if (runId !== undefined) attributes[ATTR.runId] = runId;
    }
    const labelRoute = route ?? '';
    const { name, key } = this.#names(method, route, labelRoute);
    const span = this.#serverSpans
      ? this.#serverSpans.start(name, attributes, parent)
      : this.#tracer.startSpan(name, { kind: SpanKind.SERVER, attributes }, parent);
    this.#metrics.red.begin(key, method, labelRoute);
    return {
      ctx: trace.setSpan(parent, span),
      span,
      method,
      route: labelRoute,
      start,
      done: false,
      sentAt: undefined,
      key,
    };
  }

  /** Span name and RED series key of a method + route, built once (routes are templates: bounded). */
  #names(method: string, route: string | undefined, labelRoute: string): { name: string; key: string } {
    let byMethod = this.#nameCache.get(labelRoute);
    if (!byMethod) {
      byMethod = new Map();
      if (this.#nameCache.size < 1_000) this.#nameCache.set(labelRoute, byMethod);
    }
    let names = byMethod.get(method);
    if (!names) {
      names = {
        name: route !== undefined ? serverSpanName(method, route) : method,
        key: RedRecorder.key(method, labelRoute),
      };
      if (byMethod.size < 64) byMethod.set(method, names);
    }
    return names;
  }

  /**
   * Records an error the handler raised as an exception event. Whether the span failed is the
   * status code's call (`end`): an error answered with a 4xx is the caller's, not the server's.
   */
  error(req: TrackedRequest, err: unknown): void {
    try {
      if (err instanceof Error) req.span.recordException(err);
    } catch {
      // never break the host
    }
  }

  /** Ends the request: span status and end, histogram observation with exemplar, gauge decrement. */
  end(req: TrackedRequest, statusCode: number): void {
    if (req.done) return;
    req.done = true;
    const seconds = (performance.now() - req.start) / 1000;
    const { span, method, route } = req;
    try {
      setHttpStatus(span, statusCode, SpanKind.SERVER);
      span.end(req.sentAt);
      const sc = span.spanContext();
      const sampled = (sc.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED;
      this.#metrics.red.end(req.key, method, route, statusCode, seconds, sampled ? sc.traceId : undefined);
    } catch {
      // never break the host
    }
  }

  /** Runs `fn` with the request's context active. */
  run<T>(req: TrackedRequest, fn: () => T): T {
    return context.with(req.ctx, fn);
  }
}
