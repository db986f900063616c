// The per-request OTel Context: the parent context plus the server span, as one small object.
// `trace.setSpan` would allocate an api BaseContext (a Map copy and three closures) from an
// allocation site that also builds the long-lived contexts created at startup; V8 pretenures
// that site, so every per-request context went straight to old space (seen with --trace-gc:
// ~1 MB of old-space growth per scavenge, none with --no-allocation-site-pretenuring).

import type { Context, Span } from '@opentelemetry/api';

// The key @opentelemetry/api's trace.setSpan/getSpan use (createContextKey is Symbol.for).
const SPAN_KEY = Symbol.for('OpenTelemetry Context Key SPAN');

/** Context = `parent` with the span set; any further setValue/deleteValue delegates to the api's own implementation. */
export class RequestContext implements Context {
  readonly #parent: Context;
  readonly #span: Span;

  constructor(parent: Context, span: Span) {
    this.#parent = parent;
    this.#span = span;
  }

  getValue(key: symbol): unknown {
    return key === SPAN_KEY ? this.#span : this.#parent.getValue(key);
  }

  setValue(key: symbol, value: unknown): Context {
    // Rare (baggage or another span set under the request): build on the parent's implementation.
    return this.#parent.setValue(SPAN_KEY, this.#span).setValue(key, value);
  }

  deleteValue(key: symbol): Context {
    return this.#parent.setValue(SPAN_KEY, this.#span).deleteValue(key);
  }
}
