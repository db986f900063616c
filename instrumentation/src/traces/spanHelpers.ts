// Span helpers for what hooks cannot see: database queries, cache lookups, outbound HTTP calls
// and messages. Each runs `fn` inside its span, ends the span whether `fn` returns, throws or
// rejects (the host's own error is rethrown untouched), and never throws anything of its own.
// A throw or rejection fails the span (spanStatus.ts); an outbound call that catches its own
// failure reports it through the ClientCall its callback receives. Times come from the span clock.

import { ATTR, LABELS } from '@marketbench/contracts';
import {
  type Context,
  context,
  type Link,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  TraceFlags,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import type { Histogram } from 'prom-client';
import { EMPTY_REQUEST_CONTEXT } from '../http/RequestContext.ts';
import type { ClientCall, ClientRequestInfo, DbSpanInfo, MessagingSpanOptions } from '../types.ts';
import { describeError, type SpanFailure, setHttpStatus, setSpanError } from './spanStatus.ts';

/** Instrumentation scope name of every span this package creates. */
export const TRACER_NAME = '@marketbench/instrumentation';

interface HelperState {
  tracer: Tracer | undefined;
  clientDuration: Histogram<string> | undefined;
  /** prom-client accepts only the object form of observe() when exemplars are enabled, only the positional one otherwise. */
  clientExemplars: boolean;
}

const state: HelperState = { tracer: undefined, clientDuration: undefined, clientExemplars: false };

/** Wires the helpers to a started telemetry (called by startTelemetry / shutdown). */
export function setHelperState(next: Partial<HelperState>): void {
  Object.assign(state, next);
}

function tracer(): Tracer {
  return state.tracer ?? trace.getTracer(TRACER_NAME);
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return (
    v !== null &&
    (typeof v === 'object' || typeof v === 'function') &&
    typeof (v as { then?: unknown }).then === 'function'
  );
}

/**
 * Runs fn (sync or async) in span's context; `onDone` sees the value or the error (and returns
 * true when it has set the span's status for that error itself); the span always ends.
 */
function runInSpan<T>(
  span: Span,
  ctx: Context,
  fn: () => T,
  onDone?: (result: unknown, err: unknown) => boolean | undefined,
): T {
  const finish = (result: unknown, err: unknown) => {
    let handled: boolean | undefined;
    try {
      handled = onDone?.(result, err);
    } catch {
      // never break the host
    }
    if (err !== undefined && !handled) setSpanError(span, err);
    span.end();
  };
  let out: T;
  try {
    out = context.with(trace.setSpan(ctx, span), fn);
  } catch (err) {
    finish(undefined, err ?? new Error('undefined thrown'));
    throw err;
  }
  if (isThenable(out)) {
    return (out as PromiseLike<unknown>).then(
      (v) => {
        finish(v, undefined);
        return v;
      },
      (err: unknown) => {
        finish(undefined, err ?? new Error('rejected with undefined'));
        throw err;
      },
    ) as T;
  }
  finish(out, undefined);
  return out;
}

/** SQL with literal values replaced by `?` (strings, numbers, hex blobs); placeholders kept. */
export function sanitizeQueryText(sql: string): string {
  return sql
    .replace(/\b[xX]'[0-9a-fA-F]*'/g, '?')
    .replace(/'(?:[^']|'')*'/g, '?')
    .replace(/(?<![\w$.:?])-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?\b/g, '?');
}

/** Runs `fn` in a CLIENT span `{operation} {collection}` with db.* attributes (query text without literals). */
export function withDbSpan<T>(info: DbSpanInfo, fn: () => T): T {
  const attributes: Record<string, string> = {
    [ATTR.dbSystem]: info.system,
    [ATTR.dbOperation]: info.operation,
  };
  if (info.collection) attributes[ATTR.dbCollection] = info.collection;
  if (info.queryText) attributes[ATTR.dbQueryText] = sanitizeQueryText(info.queryText);
  const name = info.collection ? `${info.operation} ${info.collection}` : info.operation;
  const ctx = context.active();
  const span = tracer().startSpan(name, { kind: SpanKind.CLIENT, attributes }, ctx);
  return runInSpan(span, ctx, fn);
}

/** Runs `fn` in an INTERNAL span `cache {op}`; call `recordCacheResult(hit)` inside it. */
export function withCacheSpan<T>(op: string, key: string, fn: () => T): T {
  const ctx = context.active();
  const span = tracer().startSpan(
    `cache ${op}`,
    { kind: SpanKind.INTERNAL, attributes: { [ATTR.cacheKey]: key } },
    ctx,
  );
  return runInSpan(span, ctx, fn);
}

/** Marks the active span (normally a cache span) as a cache hit or miss. */
export function recordCacheResult(hit: boolean): void {
  trace.getActiveSpan()?.setAttribute(ATTR.cacheHit, hit);
}

/** Injects the active (or given) context as traceparent/tracestate/baggage into `headers`; returns `headers`. */
export function injectTraceHeaders<H extends Record<string, unknown>>(
  headers: H,
  ctx: Context = context.active(),
): H {
  try {
    propagation.inject(ctx, headers);
  } catch {
    // never break the host
  }
  return headers;
}

/** Context carried by `headers` (W3C traceparent/tracestate + baggage); ROOT_CONTEXT when none. */
export function extractContext(headers: Record<string, unknown> | undefined): Context {
  if (!headers) return ROOT_CONTEXT;
  try {
    // Into a RequestContext rather than the api's BaseContext (see RequestContext.ts).
    return propagation.extract(EMPTY_REQUEST_CONTEXT, headers);
  } catch {
    return ROOT_CONTEXT;
  }
}

function statusOf(result: unknown): number | undefined {
  if (result === null || typeof result !== 'object') return undefined;
  const r = result as { statusCode?: unknown; status?: unknown };
  if (typeof r.statusCode === 'number') return r.statusCode;
  if (typeof r.status === 'number') return r.status;
  return undefined;
}

const NO_CALL: ClientCall = { response: () => {}, fail: () => {} };

/**
 * Outbound HTTP call in a CLIENT span `{METHOD}`: `fn` receives a copy of `request.headers` with
 * traceparent injected, and a ClientCall to report the response status or a failure it caught.
 * Without a report, a result carrying `statusCode` or `status` is the response, and a throw or
 * rejection is a transport failure. A status >= 400 or a failure makes the span Error.
 */
export function withClientSpan<T>(
  request: ClientRequestInfo,
  fn: (headers: Record<string, string>, call: ClientCall) => T,
): T {
  const method = request.method.toUpperCase();
  let peer = request.peer;
  const attributes: Record<string, string | number> = { [ATTR.httpMethod]: method };
  try {
    const u = new URL(request.url);
    attributes[ATTR.urlFull] = `${u.protocol}//${u.host}${u.pathname}`;
    attributes[ATTR.serverAddress] = u.hostname;
    attributes[ATTR.serverPort] = Number(u.port) || (u.protocol === 'https:' ? 443 : 80);
    peer ??= u.host;
  } catch {
    attributes[ATTR.urlFull] = request.url.split('?')[0];
  }
  const ctx = context.active();
  const span = tracer().startSpan(method, { kind: SpanKind.CLIENT, attributes }, ctx);
  const headers: Record<string, string> = { ...request.headers };
  injectTraceHeaders(headers, trace.setSpan(ctx, span));
  const start = performance.now();
  let reported: number | undefined;
  let failed: SpanFailure | undefined;
  const call: ClientCall = span.isRecording()
    ? {
        response(statusCode: number) {
          if (reported !== undefined || failed !== undefined) return;
          reported = statusCode;
          setHttpStatus(span, statusCode, SpanKind.CLIENT);
        },
        fail(error: unknown, failure?: Partial<SpanFailure>) {
          if (failed !== undefined) return;
          const described = describeError(error);
          failed = { type: failure?.type ?? described.type, message: failure?.message ?? described.message };
          setSpanError(span, error, failed);
        },
      }
    : NO_CALL;
  return runInSpan(
    span,
    ctx,
    () => fn(headers, call),
    (result, err) => {
      let status = reported;
      if (status === undefined && failed === undefined && err === undefined) {
        status = statusOf(result);
        if (status !== undefined) setHttpStatus(span, status, SpanKind.CLIENT);
      }
      // The label says what the histogram's user asks: which answer, or that there was none.
      const label = status !== undefined ? status : failed !== undefined || err !== undefined ? 'error' : '';
      const hist = state.clientDuration;
      if (hist) {
        const labels = { [LABELS.method]: method, [LABELS.peer]: peer ?? '', [LABELS.statusCode]: label };
        const sc = span.spanContext();
        const value = (performance.now() - start) / 1000;
        if (!state.clientExemplars) hist.observe(labels, value);
        else if ((sc.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED) {
          hist.observe({ labels, value, exemplarLabels: { trace_id: sc.traceId } });
        } else hist.observe({ labels, value });
      }
      // A failure the callback reported stands; a later throw does not rewrite it.
      return failed !== undefined;
    },
  );
}

/**
 * PRODUCER span `publish {topic}`; the span's context is injected into `headers` (mutated) before
 * `fn` runs. With `deferred`, the span also links to the active (creating) span.
 */
export function withPublishSpan<T>(
  topic: string,
  headers: Record<string, unknown>,
  fn: () => T,
  options: MessagingSpanOptions = {},
): T {
  const attributes: Record<string, string> = {
    [ATTR.messagingOperationType]: 'send',
    [ATTR.messagingDestination]: topic,
  };
  if (options.system) attributes[ATTR.messagingSystem] = options.system;
  if (options.messageId) attributes[ATTR.messagingMessageId] = options.messageId;
  const ctx = context.active();
  const links: Link[] = [];
  const creator = options.deferred ? trace.getSpanContext(ctx) : undefined;
  if (creator && trace.isSpanContextValid(creator)) links.push({ context: creator });
  const span = tracer().startSpan(`publish ${topic}`, { kind: SpanKind.PRODUCER, attributes, links }, ctx);
  injectTraceHeaders(headers, trace.setSpan(ctx, span));
  return runInSpan(span, ctx, fn);
}

/**
 * CONSUMER span `process {topic}`, LINKED to the producer span found in `headers` (not its child:
 * the consumer's own trace continues from the currently active context).
 */
export function withConsumeSpan<T>(
  topic: string,
  headers: Record<string, unknown> | undefined,
  fn: () => T,
  options: MessagingSpanOptions = {},
): T {
  const attributes: Record<string, string> = {
    [ATTR.messagingOperationType]: 'process',
    [ATTR.messagingDestination]: topic,
  };
  if (options.system) attributes[ATTR.messagingSystem] = options.system;
  if (options.messageId) attributes[ATTR.messagingMessageId] = options.messageId;
  const links: Link[] = [];
  const producer = trace.getSpanContext(extractContext(headers));
  if (producer && trace.isSpanContextValid(producer)) links.push({ context: producer });
  const ctx = context.active();
  const span = tracer().startSpan(`process ${topic}`, { kind: SpanKind.CONSUMER, attributes, links }, ctx);
  return runInSpan(span, ctx, fn);
}
