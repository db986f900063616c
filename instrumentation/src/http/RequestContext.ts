// Per-request OTel Context with dedicated slots for the span and the baggage. The api's
// BaseContext (what trace.setSpan, propagation.extract and setBaggage would allocate: a Map copy
// and three closures) comes from an allocation site that also builds the long-lived contexts made
// at startup; V8 pretenures that site, so every per-request context, and the span it holds, went
// straight to old space (--trace-gc: ~1 MB old-space growth per scavenge; none with
// --no-allocation-site-pretenuring, and none with this class). The propagators still do the
// parsing: they call setValue on this context, which returns another RequestContext.

import { type Context, defaultTextMapGetter, propagation, ROOT_CONTEXT } from '@opentelemetry/api';
import { W3CBaggagePropagator } from '@opentelemetry/core';

// The keys @opentelemetry/api uses (createContextKey is Symbol.for).
const SPAN_KEY = Symbol.for('OpenTelemetry Context Key SPAN');
const BAGGAGE_KEY = Symbol.for('OpenTelemetry Baggage Key');

const baggagePropagator = new W3CBaggagePropagator();

/**
 * Immutable context: span and baggage slots, any other key kept in an api context behind it. The
 * baggage may be given as the raw `baggage` header, parsed only if someone reads it (most
 * requests only need the run id, which `baggageValue` finds without building a Baggage).
 */
export class RequestContext implements Context {
  readonly #span: unknown;
  #baggage: unknown;
  #baggageHeader: string | string[] | undefined;
  readonly #rest: Context;

  constructor(
    span?: unknown,
    baggage?: unknown,
    rest: Context = ROOT_CONTEXT,
    baggageHeader?: string | string[],
  ) {
    this.#span = span;
    this.#baggage = baggage;
    this.#rest = rest;
    this.#baggageHeader = baggage === undefined ? baggageHeader : undefined;
  }

  /** This context with a not-yet-parsed `baggage` header. */
  withBaggageHeader(header: string | string[]): RequestContext {
    return new RequestContext(this.#span, undefined, this.#rest, header);
  }

  #parsedBaggage(): unknown {
    if (this.#baggageHeader !== undefined) {
      const header = this.#baggageHeader;
      this.#baggageHeader = undefined;
      try {
        this.#baggage = propagation.getBaggage(
          baggagePropagator.extract(ROOT_CONTEXT, { baggage: header }, defaultTextMapGetter),
        );
      } catch {
        this.#baggage = undefined;
      }
    }
    return this.#baggage;
  }

  getValue(key: symbol): unknown {
    if (key === SPAN_KEY) return this.#span;
    if (key === BAGGAGE_KEY) return this.#parsedBaggage();
    return this.#rest.getValue(key);
  }

  setValue(key: symbol, value: unknown): Context {
    if (key === SPAN_KEY) return new RequestContext(value, this.#baggage, this.#rest, this.#baggageHeader);
    if (key === BAGGAGE_KEY) return new RequestContext(this.#span, value, this.#rest);
    return new RequestContext(
      this.#span,
      this.#baggage,
      this.#rest.setValue(key, value),
      this.#baggageHeader,
    );
  }

  deleteValue(key: symbol): Context {
    if (key === SPAN_KEY)
      return new RequestContext(undefined, this.#baggage, this.#rest, this.#baggageHeader);
    if (key === BAGGAGE_KEY) return new RequestContext(this.#span, undefined, this.#rest);
    return new RequestContext(this.#span, this.#baggage, this.#rest.deleteValue(key), this.#baggageHeader);
  }
}

/** Value of one W3C baggage entry in a raw header (properties after `;` ignored), without building a Baggage. */
export function baggageValue(header: string | string[], key: string): string | undefined {
  const text = Array.isArray(header) ? header.join(',') : header;
  let at = text.indexOf(key);
  while (at >= 0) {
    // The key must start an entry (string start or after a comma, spaces allowed) and be followed by '='.
    let before = at - 1;
    while (before >= 0 && (text[before] === ' ' || text[before] === '\t')) before--;
    let after = at + key.length;
    while (after < text.length && (text[after] === ' ' || text[after] === '\t')) after++;
    if ((before < 0 || text[before] === ',') && text[after] === '=') {
      let end = after + 1;
      while (end < text.length && text[end] !== ',' && text[end] !== ';') end++;
      const raw = text.slice(after + 1, end).trim();
      try {
        return raw.includes('%') ? decodeURIComponent(raw) : raw;
      } catch {
        return raw;
      }
    }
    at = text.indexOf(key, at + 1);
  }
  return undefined;
}

/** The empty request context (the equivalent of ROOT_CONTEXT). */
export const EMPTY_REQUEST_CONTEXT: Context = new RequestContext();
