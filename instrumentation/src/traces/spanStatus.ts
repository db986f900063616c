// Span status by the OpenTelemetry semantic conventions (HTTP spans, recording errors): a CLIENT
// span is Error for a transport failure or a status >= 400, a SERVER span for >= 500 (a 4xx is the
// caller's fault, not the server's); a failed span gets `error.type` (the status code, or a
// low-cardinality class such as `timeout` or `ECONNREFUSED`) and a short status message. The
// conventions say not to repeat the status code in the message; we do (`HTTP 503`) because trace
// viewers group "top errors" by StatusMessage, and an empty one groups every failure together.

import { ATTR } from '@marketbench/contracts';
import { type Span, SpanKind, SpanStatusCode } from '@opentelemetry/api';

/** Longest status message we write: enough for a class and a reason, short enough to group on. */
const MAX_MESSAGE = 120;

/** What a failure is called on a span: `error.type` and the status message. */
export interface SpanFailure {
  /** `error.type`: low-cardinality class, e.g. `timeout`, `ECONNREFUSED`, `TypeError`, `503`. */
  type: string;
  /** Short status message, e.g. `timeout after 1000 ms`, `HTTP 503`. */
  message: string;
}

/** Whether an HTTP status code fails a span of this kind (a code outside 100–599 fails both). */
export function isHttpFailure(statusCode: number, kind: SpanKind): boolean {
  if (!Number.isInteger(statusCode) || statusCode < 100 || statusCode > 599) return true;
  return statusCode >= (kind === SpanKind.SERVER ? 500 : 400);
}

function firstLine(text: string): string {
  const nl = text.indexOf('\n');
  const line = (nl >= 0 ? text.slice(0, nl) : text).trim();
  return line.length > MAX_MESSAGE ? `${line.slice(0, MAX_MESSAGE - 1)}…` : line;
}

/** `error.type` and status message of a thrown value. */
export function describeError(err: unknown): SpanFailure {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    const type =
      err.name === 'TimeoutError'
        ? 'timeout'
        : typeof code === 'string' && /^E[A-Z0-9_]+$/.test(code)
          ? code // a system error (ECONNREFUSED, ECONNRESET) says more than its class, Error
          : err.name || 'Error';
    const message = firstLine(err.message);
    return { type, message: message === '' ? type : message };
  }
  if (typeof err === 'string') return { type: '_OTHER', message: firstLine(err) || '_OTHER' };
  return { type: '_OTHER', message: `thrown ${err === null ? 'null' : typeof err}` };
}

/** Marks `span` failed: status Error with the message, `error.type`. Never throws. */
export function setSpanFailure(span: Span, failure: SpanFailure): void {
  try {
    span.setAttribute(ATTR.errorType, failure.type);
    span.setStatus({ code: SpanStatusCode.ERROR, message: failure.message });
  } catch {
    // never break the host
  }
}

/** Marks `span` failed by a thrown value and records it as an exception event. Never throws. */
export function setSpanError(span: Span, err: unknown, failure: SpanFailure = describeError(err)): void {
  setSpanFailure(span, failure);
  try {
    if (err instanceof Error) span.recordException(err);
  } catch {
    // never break the host
  }
}

/**
 * Records an HTTP response on `span` (`http.response.status_code`) and, when the code fails a span
 * of this kind, status Error with `error.type` = the code and the message `HTTP <code>`.
 * Returns whether it failed.
 */
export function setHttpStatus(span: Span, statusCode: number, kind: SpanKind): boolean {
  try {
    span.setAttribute(ATTR.httpStatusCode, statusCode);
  } catch {
    // never break the host
  }
  if (!isHttpFailure(statusCode, kind)) return false;
  setSpanFailure(span, { type: String(statusCode), message: `HTTP ${statusCode}` });
  return true;
}
