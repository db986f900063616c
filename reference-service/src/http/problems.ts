// The service's error catalog (RFC 9457 problem details): every error a client can get has a
// stable `type` URI, a title and a status here; the body also carries the trace id, and the
// offending field for validation errors. Stacks never leave the process.
import { STATUS_CODES } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';

export const PROBLEM_BASE = 'https://marketbench.dev/problems/';
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export const PROBLEMS = {
  'validation-failed': { status: 400, title: 'The request is not valid' },
  'bad-request': { status: 400, title: 'The request could not be read' },
  'idempotency-key-missing': { status: 400, title: 'POST /checkout needs an Idempotency-Key header' },
  unauthorized: { status: 401, title: 'A valid admin bearer token is required' },
  'payment-declined': { status: 402, title: 'The card was declined' },
  forbidden: { status: 403, title: 'Admin routes answer loopback callers only' },
  'route-not-found': { status: 404, title: 'No route matches this method and path' },
  'listing-not-found': { status: 404, title: 'No listing has this id' },
  'seller-not-found': { status: 404, title: 'No seller has this id' },
  'cart-not-found': { status: 404, title: 'No cart has this id' },
  'order-not-found': { status: 404, title: 'No order has this id' },
  'checkout-in-progress': { status: 409, title: 'A checkout with this Idempotency-Key is still running' },
  'out-of-stock': { status: 409, title: 'Some items are no longer available' },
  'order-not-cancellable': { status: 409, title: 'The order cannot be cancelled in its current status' },
  'reservation-expired': { status: 409, title: 'The reservation expired before the payment completed' },
  'ledger-unbalanced': { status: 409, title: 'The ledger does not balance' },
  'request-timeout': { status: 408, title: 'The request was not received in time' },
  'payload-too-large': { status: 413, title: 'The request body is too large' },
  'uri-too-long': { status: 414, title: 'The request URI (or one of its path segments) is too long' },
  'unsupported-media-type': { status: 415, title: 'The request body must be application/json' },
  'idempotency-key-reused': {
    status: 422,
    title: 'This Idempotency-Key was used with a different request body',
  },
  'cart-empty': { status: 422, title: 'The cart has no items' },
  'header-fields-too-large': { status: 431, title: 'The request header fields are too large' },
  'currency-mismatch': { status: 422, title: 'The listing is priced in another currency than the cart' },
  internal: { status: 500, title: 'Internal error' },
  'payment-unavailable': { status: 503, title: 'The payment provider is unavailable; retry later' },
  'dependency-unavailable': { status: 503, title: 'A dependency of the service is unavailable; retry later' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ProblemSlug = keyof typeof PROBLEMS;

/** Resolves the trace id of a request (set by buildApp from the server span). */
export type TraceIdOf = (request: FastifyRequest) => string | undefined;

export function problemBody(
  slug: ProblemSlug,
  request: FastifyRequest,
  traceId: string | undefined,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  const p = PROBLEMS[slug];
  const { problem: _drop, title, ...rest } = extra;
  return {
    type: PROBLEM_BASE + slug,
    title: typeof title === 'string' ? title : p.title,
    status: p.status,
    instance: request.url,
    traceId: traceId ?? null,
    ...rest,
  };
}

export function sendProblem(
  reply: FastifyReply,
  slug: ProblemSlug,
  traceId: string | undefined,
  extra: Record<string, unknown> = {},
): FastifyReply {
  return reply
    .code(PROBLEMS[slug].status)
    .type(PROBLEM_CONTENT_TYPE)
    .send(JSON.stringify(problemBody(slug, reply.request, traceId, extra)));
}

/** JSON Schema of a problem document, for the OpenAPI description of error responses. */
export const PROBLEM_SCHEMA = {
  type: 'object',
  required: ['type', 'title', 'status'],
  properties: {
    type: { type: 'string', format: 'uri' },
    title: { type: 'string' },
    status: { type: 'integer' },
    instance: { type: 'string' },
    traceId: { type: ['string', 'null'] },
    field: { type: 'string' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        properties: { field: { type: 'string' }, in: { type: 'string' }, message: { type: 'string' } },
      },
    },
  },
} as const;

/**
 * A problem written straight to a socket, for errors Node's HTTP parser raises before Fastify has a
 * request (431 header overflow, 408, a malformed request line): same body shape, no trace id.
 */
export function rawProblem(slug: ProblemSlug, detail?: string): string {
  const p = PROBLEMS[slug];
  const body = JSON.stringify({
    type: PROBLEM_BASE + slug,
    title: p.title,
    status: p.status,
    instance: null,
    traceId: null,
    ...(detail ? { detail } : {}),
  });
  return (
    `HTTP/1.1 ${p.status} ${STATUS_CODES[p.status] ?? 'Error'}\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`
  );
}
