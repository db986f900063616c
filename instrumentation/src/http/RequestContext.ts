// Per-request OTel Context with dedicated slots for the span and the baggage. The api's
// BaseContext (what trace.setSpan, propagation.extract and setBaggage would allocate: a Map copy
// and three closures) comes from an allocation site that also builds the long-lived contexts made
// at startup; V8 pretenures that site, so every per-request context, and the span it holds, went
// straight to old space (--trace-gc: ~1 MB old-space growth per scavenge; none with
// --no-allocation-site-pretenuring, and none with this class). The propagators still do the
// parsing: they call setValue on this context, which returns another RequestContext.

import { type Context, ROOT_CONTEXT } from '@opentelemetry/api';

// The keys @opentelemetry/api uses (createContextKey is Symbol.for).
const SPAN_KEY = Symbol.for('OpenTelemetry Context Key SPAN');
const BAGGAGE_KEY = Symbol.for('OpenTelemetry Baggage Key');

/** Immutable context: span and baggage slots, any other key kept in an api context behind it. */
export class RequestContext implements Context {
  readonly #span: unknown;
  readonly #baggage: unknown;
  readonly #rest: Context;

  constructor(span?: unknown, baggage?: unknown, rest: Context = ROOT_CONTEXT) {
    this.#span = span;
    this.#baggage = baggage;
    this.#rest = rest;
  }

  getValue(key: symbol): unknown {
    if (key === SPAN_KEY) return this.#span;
    if (key === BAGGAGE_KEY) return this.#baggage;
    return this.#rest.getValue(key);
  }

  setValue(key: symbol, value: unknown): Context {
    if (key === SPAN_KEY) return new RequestContext(value, this.#baggage, this.#rest);
    if (key === BAGGAGE_KEY) return new RequestContext(this.#span, value, this.#rest);
    return new RequestContext(this.#span, this.#baggage, this.#rest.setValue(key, value));
  }

  deleteValue(key: symbol): Context {
    if (key === SPAN_KEY) return new RequestContext(undefined, this.#baggage, this.#rest);
    if (key === BAGGAGE_KEY) return new RequestContext(this.#span, undefined, this.#rest);
    return new RequestContext(this.#span, this.#baggage, this.#rest.deleteValue(key));
  }
}

/** The empty request context (the equivalent of ROOT_CONTEXT). */
export const EMPTY_REQUEST_CONTEXT: Context = new RequestContext();
