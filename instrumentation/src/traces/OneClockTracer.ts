// A Tracer (and TracerProvider) that puts every span of an SDK tracer on the span clock
// (spanClock.ts): it passes the start time explicitly and returns a thin span that supplies the
// end and event times the SDK would otherwise read from Date.now(). startTelemetry registers it
// as the global provider, so spans made through the API by any code in the process share the
// clock of our ServerSpans; a second, unregistered SDK provider (the PSP simulator's) wraps its
// tracer with `oneClockTracer`.

import type {
  Attributes,
  AttributeValue,
  Context,
  Exception,
  Link,
  Span,
  SpanAttributes,
  SpanContext,
  SpanOptions,
  SpanStatus,
  TimeInput,
  Tracer,
  TracerOptions,
  TracerProvider,
} from '@opentelemetry/api';
import { context, trace } from '@opentelemetry/api';
import { spanNow, toSpanTime } from './spanClock.ts';

/** A recording SDK span whose times come from the span clock. */
class OneClockSpan implements Span {
  readonly #inner: Span;

  constructor(inner: Span) {
    this.#inner = inner;
  }

  spanContext(): SpanContext {
    return this.#inner.spanContext();
  }

  setAttribute(key: string, value: AttributeValue): this {
    this.#inner.setAttribute(key, value);
    return this;
  }

  setAttributes(attributes: SpanAttributes): this {
    this.#inner.setAttributes(attributes);
    return this;
  }

  addEvent(name: string, attributesOrTime?: SpanAttributes | TimeInput, time?: TimeInput): this {
    const timeFirst =
      typeof attributesOrTime === 'number' ||
      attributesOrTime instanceof Date ||
      Array.isArray(attributesOrTime);
    if (timeFirst) this.#inner.addEvent(name, toSpanTime(attributesOrTime as TimeInput));
    else
      this.#inner.addEvent(
        name,
        attributesOrTime as Attributes | undefined,
        time === undefined ? spanNow() : toSpanTime(time),
      );
    return this;
  }

  addLink(link: Link): this {
    this.#inner.addLink(link);
    return this;
  }

  addLinks(links: Link[]): this {
    this.#inner.addLinks(links);
    return this;
  }

  setStatus(status: SpanStatus): this {
    this.#inner.setStatus(status);
    return this;
  }

  updateName(name: string): this {
    this.#inner.updateName(name);
    return this;
  }

  end(endTime?: TimeInput): void {
    this.#inner.end(endTime === undefined ? spanNow() : toSpanTime(endTime));
  }

  isRecording(): boolean {
    return this.#inner.isRecording();
  }

  recordException(exception: Exception, time?: TimeInput): void {
    this.#inner.recordException(exception, time === undefined ? spanNow() : toSpanTime(time));
  }
}

/** `tracer` with every span's start, end and event times taken from the span clock. */
export class OneClockTracer implements Tracer {
  readonly #inner: Tracer;

  constructor(inner: Tracer) {
    this.#inner = inner;
  }

  startSpan(name: string, options?: SpanOptions, ctx?: Context): Span {
    const startTime = options?.startTime === undefined ? spanNow() : toSpanTime(options.startTime);
    const span = this.#inner.startSpan(name, { ...options, startTime }, ctx);
    return span.isRecording() ? new OneClockSpan(span) : span;
  }

  startActiveSpan<F extends (span: Span) => unknown>(name: string, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(
    name: string,
    options: SpanOptions,
    fn: F,
  ): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(
    name: string,
    options: SpanOptions,
    ctx: Context,
    fn: F,
  ): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(
    name: string,
    a?: SpanOptions | F,
    b?: Context | F,
    c?: F,
  ): ReturnType<F> | undefined {
    let options: SpanOptions | undefined;
    let ctx: Context | undefined;
    let fn: F | undefined;
    if (typeof a === 'function') fn = a;
    else if (typeof b === 'function') {
      options = a;
      fn = b;
    } else {
      options = a;
      ctx = b;
      fn = c;
    }
    if (!fn) return undefined;
    const parent = ctx ?? context.active();
    const span = this.startSpan(name, options, parent);
    return context.with(trace.setSpan(parent, span), fn as (s: Span) => ReturnType<F>, undefined, span);
  }
}

/** Wraps a tracer onto the span clock (idempotent). */
export function oneClockTracer(tracer: Tracer): Tracer {
  return tracer instanceof OneClockTracer ? tracer : new OneClockTracer(tracer);
}

/** A provider whose tracers are on the span clock. */
export class OneClockTracerProvider implements TracerProvider {
  readonly #inner: TracerProvider;
  readonly #tracers = new Map<string, Tracer>();

  constructor(inner: TracerProvider) {
    this.#inner = inner;
  }

  getTracer(name: string, version?: string, options?: TracerOptions): Tracer {
    const key = `${name}\u0000${version ?? ''}\u0000${options?.schemaUrl ?? ''}`;
    let tracer = this.#tracers.get(key);
    if (!tracer) {
      tracer = new OneClockTracer(this.#inner.getTracer(name, version, options));
      this.#tracers.set(key, tracer);
    }
    return tracer;
  }
}
