// The per-request SERVER span, built without the SDK Tracer's generic path (two attribute
// sanitising passes, Date.now + hrtime per timestamp, limit bookkeeping). It is a complete
// API Span (children, logs and propagation see it like any other) and a complete ReadableSpan
// (the same span processor and OTLP exporter take it), created only for sampled requests: the
// sampling decision comes from the same sampler the SDK uses.

import {
  type Attributes,
  type AttributeValue,
  type Context,
  type Exception,
  type HrTime,
  type Link,
  type Span,
  type SpanAttributes,
  type SpanContext,
  SpanKind,
  type SpanStatus,
  SpanStatusCode,
  type TimeInput,
  TraceFlags,
  trace,
} from '@opentelemetry/api';
import type { InstrumentationScope } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import {
  type IdGenerator,
  type ReadableSpan,
  type Sampler,
  SamplingDecision,
  type SpanProcessor,
  type TimedEvent,
} from '@opentelemetry/sdk-trace';
import { hrTimeOf, toSpanTime } from './spanClock.ts';
import { warnOnce } from './warnOnce.ts';

/** Attributes set on server spans that were not valid attribute values (ignored, counted). */
export const rejectedAttributes = { count: 0 };
const ZERO_TIME: HrTime = [0, 0];
const UNSET: SpanStatus = { code: SpanStatusCode.UNSET };
const NO_LINKS: Link[] = [];
const NO_EVENTS: TimedEvent[] = [];
const RELEASED_ATTRIBUTES: Attributes = Object.freeze({}) as Attributes;

function isValue(v: unknown): v is AttributeValue {
  const t = typeof v;
  if (t === 'string' || t === 'number' || t === 'boolean') return true;
  return Array.isArray(v);
}

/** A recording SERVER span exported through `processor`. */
export class ServerSpan implements Span, ReadableSpan {
  name: string;
  readonly kind = SpanKind.SERVER;
  readonly parentSpanContext: SpanContext | undefined;
  startTime: HrTime = ZERO_TIME;
  endTime: HrTime = ZERO_TIME;
  status: SpanStatus = UNSET;
  attributes: Attributes;
  // Most server spans have neither: share one empty array until the first push.
  links: Link[] = NO_LINKS;
  events: TimedEvent[] = NO_EVENTS;
  ended = false;
  readonly resource: Resource;
  readonly instrumentationScope: InstrumentationScope;
  readonly droppedAttributesCount = 0;
  readonly droppedEventsCount = 0;
  readonly droppedLinksCount = 0;
  readonly #context: SpanContext;
  readonly #processor: SpanProcessor;
  readonly #release: boolean;

  /** End minus start (zero until ended). */
  get duration(): HrTime {
    if (!this.ended) return ZERO_TIME;
    const ns = (this.endTime[0] - this.startTime[0]) * 1e9 + (this.endTime[1] - this.startTime[1]);
    return [Math.floor(ns / 1e9), ns % 1e9];
  }

  constructor(
    name: string,
    spanContext: SpanContext,
    parent: SpanContext | undefined,
    attributes: Attributes,
    resource: Resource,
    scope: InstrumentationScope,
    processor: SpanProcessor,
    parentContext: Context,
    release: boolean,
  ) {
    this.#release = release;
    this.name = name;
    this.#context = spanContext;
    this.parentSpanContext = parent;
    this.attributes = attributes;
    this.resource = resource;
    this.instrumentationScope = scope;
    this.#processor = processor;
    // On the span clock (spanClock.ts), like every other span of the process.
    this.startTime = hrTimeOf(performance.now());
    processor.onStart(this as never, parentContext);
  }

  spanContext(): SpanContext {
    return this.#context;
  }

  setAttribute(key: string, value: SpanAttributes[string]): this {
    if (this.ended || value === undefined) return this;
    if (key && isValue(value)) this.attributes[key] = value;
    else {
      rejectedAttributes.count++;
      warnOnce(
        'bad-attribute',
        `ignored a span attribute that is not a valid value (key ${JSON.stringify(key)}); counting`,
      );
    }
    return this;
  }

  setAttributes(attributes: SpanAttributes): this {
    for (const key in attributes) this.setAttribute(key, attributes[key]);
    return this;
  }

  addEvent(name: string, attributesOrTime?: SpanAttributes | TimeInput, time?: TimeInput): this {
    if (this.ended) return this;
    let attributes: Attributes | undefined;
    let at = time;
    if (
      typeof attributesOrTime === 'number' ||
      attributesOrTime instanceof Date ||
      Array.isArray(attributesOrTime)
    ) {
      at = attributesOrTime as TimeInput;
    } else if (attributesOrTime) {
      attributes = {};
      for (const k in attributesOrTime) {
        const v = attributesOrTime[k];
        if (isValue(v)) attributes[k] = v;
      }
    }
    if (this.events === NO_EVENTS) this.events = [];
    this.events.push({
      name,
      attributes,
      time: at === undefined ? hrTimeOf(performance.now()) : toSpanTime(at),
      droppedAttributesCount: 0,
    });
    return this;
  }

  addLink(link: Link): this {
    if (this.ended) return this;
    if (this.links === NO_LINKS) this.links = [];
    this.links.push(link);
    return this;
  }

  addLinks(links: Link[]): this {
    for (const l of links) this.addLink(l);
    return this;
  }

  setStatus(status: SpanStatus): this {
    if (this.ended || this.status.code === SpanStatusCode.OK) return this;
    this.status =
      status.code === SpanStatusCode.ERROR && typeof status.message === 'string'
        ? { code: status.code, message: status.message }
        : { code: status.code };
    return this;
  }

  updateName(name: string): this {
    if (!this.ended) this.name = name;
    return this;
  }

  end(endTime?: TimeInput): void {
    if (this.ended) return;
    const end = endTime === undefined ? hrTimeOf(performance.now()) : toSpanTime(endTime);
    const beforeStart =
      end[0] < this.startTime[0] || (end[0] === this.startTime[0] && end[1] < this.startTime[1]);
    this.endTime = beforeStart ? this.startTime : end;
    this.ended = true;
    this.#processor.onEnd(this);
    if (this.#release) {
      // The processor has encoded the span. The request's context (and so this span) can stay
      // reachable from async resources created in the handler well after the response; keeping
      // only the ids makes those leftovers small enough to die young.
      this.attributes = RELEASED_ATTRIBUTES;
      this.events = NO_EVENTS;
      this.links = NO_LINKS;
    }
  }

  isRecording(): boolean {
    return !this.ended;
  }

  recordException(exception: Exception, time?: TimeInput): void {
    const attributes: Attributes = {};
    if (typeof exception === 'string') attributes['exception.message'] = exception;
    else if (exception) {
      if (exception.code !== undefined) attributes['exception.type'] = String(exception.code);
      else if (exception.name) attributes['exception.type'] = exception.name;
      if (exception.message) attributes['exception.message'] = exception.message;
      if (exception.stack) attributes['exception.stacktrace'] = exception.stack;
    }
    this.addEvent('exception', attributes, time);
  }
}

/** Starts ServerSpans with the SDK's sampler, id generator, resource and span processor. */
export class ServerSpanFactory {
  readonly #sampler: Sampler;
  readonly #ids: IdGenerator;
  readonly #resource: Resource;
  readonly #scope: InstrumentationScope;
  readonly #processor: SpanProcessor;
  readonly #release: boolean;

  /** `releaseAfterEnd`: the processor consumes a span inside onEnd (encodes it), so its data can be dropped right after. */
  constructor(
    sampler: Sampler,
    ids: IdGenerator,
    resource: Resource,
    scope: InstrumentationScope,
    processor: SpanProcessor,
    releaseAfterEnd = false,
  ) {
    this.#release = releaseAfterEnd;
    this.#sampler = sampler;
    this.#ids = ids;
    this.#resource = resource;
    this.#scope = scope;
    this.#processor = processor;
  }

  /** A recording ServerSpan when sampled, otherwise a non-recording span that still propagates. */
  start(name: string, attributes: Attributes, parentContext: Context): Span {
    const parent = trace.getSpanContext(parentContext);
    const validParent = parent !== undefined && trace.isSpanContextValid(parent) ? parent : undefined;
    const traceId = validParent ? validParent.traceId : this.#ids.generateTraceId();
    const spanId = this.#ids.generateSpanId();
    const result = this.#sampler.shouldSample(parentContext, traceId, name, SpanKind.SERVER, attributes, []);
    const traceState = result.traceState ?? validParent?.traceState;
    if (result.decision === SamplingDecision.NOT_RECORD) {
      return trace.wrapSpanContext({ traceId, spanId, traceFlags: TraceFlags.NONE, traceState });
    }
    if (result.attributes) Object.assign(attributes, result.attributes);
    const traceFlags =
      result.decision === SamplingDecision.RECORD_AND_SAMPLED ? TraceFlags.SAMPLED : TraceFlags.NONE;
    return new ServerSpan(
      name,
      { traceId, spanId, traceFlags, traceState },
      validParent,
      attributes,
      this.#resource,
      this.#scope,
      this.#processor,
      parentContext,
      this.#release,
    );
  }
}
