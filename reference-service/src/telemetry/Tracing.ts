// The tracing the service needs, as one small interface: the domain and adapters call it,
// and it is backed by @marketbench/instrumentation when telemetry is on, or does nothing when
// it is off (unit tests, a bench run without tracing). Telemetry never breaks a request.

export interface DbSpec {
  operation: string;
  collection?: string;
  queryText: string;
}

export interface ClientSpec {
  method: string;
  url: string;
  /** Route template of the remote call, for the span name. */
  route: string;
}

export type Attributes = Record<string, string | number | boolean>;

/** What an outbound call tells its client span about the outcome (instrumentation's ClientCall). */
export interface ClientCall {
  /** The response's status code (>= 400 fails the span). */
  response(statusCode: number): void;
  /** A failure without a usable response; `type`/`message` name it (e.g. `timeout`, `timeout after 1000 ms`). */
  fail(error: unknown, failure?: { type?: string; message?: string }): void;
}

export interface Tracing {
  db<T>(spec: DbSpec, fn: () => Promise<T>): Promise<T>;
  cache<T>(operation: string, key: string, fn: () => Promise<T>): Promise<T>;
  /**
   * Runs an outbound HTTP call in a client span; `headers` receives the trace context to send,
   * `call` takes the response status or the failure the call caught (the span's status).
   */
  client<T>(
    spec: ClientSpec,
    fn: (headers: Record<string, string>, call: ClientCall) => Promise<T>,
  ): Promise<T>;
  /**
   * Runs a publish in a producer span whose parent is the trace context in `parent` (the
   * request that wrote the outbox row); `fn` receives the headers to put on the message.
   */
  publish<T>(
    topic: string,
    parent: Record<string, string>,
    fn: (headers: Record<string, string>) => Promise<T>,
  ): Promise<T>;
  /** Runs a message handler in a consumer span linked to the producer span named in `headers`. */
  consume<T>(topic: string, headers: Record<string, string>, fn: () => Promise<T>): Promise<T>;
  /** Adds an event to the active span. */
  event(name: string, attributes?: Attributes): void;
  /** Sets attributes on the active span. */
  setAttributes(attributes: Attributes): void;
  /** Trace id of the active span, if any. */
  traceId(): string | undefined;
  /** The active trace context as W3C headers (traceparent/tracestate). */
  currentHeaders(): Record<string, string>;
  /** Runs background housekeeping (outbox polls, reservation sweeps) without creating spans. */
  untraced<T>(fn: () => Promise<T>): Promise<T>;
}

const run = <T>(fn: () => Promise<T>): Promise<T> => fn();
const NO_CALL: ClientCall = { response: () => {}, fail: () => {} };

/** Tracing that records nothing. */
export const NOOP_TRACING: Tracing = {
  db: (_spec, fn) => fn(),
  cache: (_op, _key, fn) => fn(),
  client: (_spec, fn) => fn({}, NO_CALL),
  publish: (_topic, parent, fn) => fn({ ...parent }),
  consume: (_topic, _headers, fn) => run(fn),
  event: () => {},
  setAttributes: () => {},
  traceId: () => undefined,
  currentHeaders: () => ({}),
  untraced: (fn) => fn(),
};
