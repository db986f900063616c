// Maps every error Fastify or a handler raises to a problem+json answer: validation errors name
// the field, injected or real dependency failures are 503, client mistakes 4xx, and anything else
// is logged and answered 500 without a stack.

import type { Duplex } from 'node:stream';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { InjectedFaultError } from '../faults/FaultInjector.ts';
import { type ProblemSlug, rawProblem, sendProblem } from './problems.ts';

/** Error codes meaning the store is unreachable or overloaded (retryable), not a bug. */
const STORE_UNAVAILABLE = new Set([
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  '57P01', // admin_shutdown
  '57P03', // cannot_connect_now
  '53300', // too_many_connections
  '08006', // connection_failure
]);

function validationField(error: FastifyError): { field: string; in: string; message: string }[] {
  const where = error.validationContext ?? 'body';
  return (error.validation ?? []).map((v) => {
    const params = v.params as { missingProperty?: string; additionalProperty?: string };
    const path = v.instancePath.split('/').filter(Boolean);
    if (params.missingProperty) path.push(params.missingProperty);
    if (params.additionalProperty) path.push(params.additionalProperty);
    return { field: path.join('.') || where, in: where, message: v.message ?? 'is invalid' };
  });
}

export function problemErrorHandler(
  traceIdOf: (request: FastifyRequest) => string | undefined,
  logError: (err: Error, traceId: string | undefined) => void,
) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const traceId = traceIdOf(request);
    if (error.validation) {
      const errors = validationField(error);
      return sendProblem(reply, 'validation-failed', traceId, { field: errors[0]?.field, errors });
    }
    if (error instanceof InjectedFaultError) {
      return sendProblem(reply, 'dependency-unavailable', traceId, { dependency: error.dependency });
    }
    if (STORE_UNAVAILABLE.has(String(error.code))) {
      return sendProblem(reply, 'dependency-unavailable', traceId, { dependency: 'db' });
    }
    // PostgreSQL data exceptions (SQLSTATE class 22: a value out of range, a NUL byte, an invalid
    // text representation) are the client's input, never our 500.
    if (/^22[0-9A-Z]{3}$/.test(String(error.code))) {
      return sendProblem(reply, 'bad-request', traceId, {
        detail: 'a value in the request is not valid for its field',
      });
    }
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      // Read the rest of the body before closing: closing with unread data resets the connection
      // and the client never sees the 413.
      reply.raw.setHeader('connection', 'close');
      request.raw.resume();
      return sendProblem(reply, 'payload-too-large', traceId);
    }
    if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') return sendProblem(reply, 'uri-too-long', traceId);
    if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
      return sendProblem(reply, 'unsupported-media-type', traceId);
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      return sendProblem(reply, 'bad-request', traceId, { detail: error.message });
    }
    logError(error, traceId);
    return sendProblem(reply, 'internal', traceId);
  };
}

/** Fastify's frameworkErrors: router failures (an undecodable URL, a path segment too long). */
export function frameworkErrorHandler(traceIdOf: (request: FastifyRequest) => string | undefined) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const traceId = traceIdOf(request);
    if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') return sendProblem(reply, 'uri-too-long', traceId);
    return sendProblem(reply, 'bad-request', traceId, { detail: 'the URL could not be decoded' });
  };
}

/**
 * Fastify's clientErrorHandler: errors of Node's HTTP parser, before any request exists (header
 * fields too large, a request timeout, a malformed request line), answered as problem+json.
 */
export function clientErrorHandler(error: Error, socket: Duplex): void {
  const err = error as NodeJS.ErrnoException & { rawPacket?: Buffer };
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  let slug: ProblemSlug = 'bad-request';
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') slug = 'request-timeout';
  else if (err.code === 'HPE_HEADER_OVERFLOW') {
    // Node counts the request line with the headers: a request line that never ended is a URI too long.
    const packet = err.rawPacket;
    slug = packet && packet.indexOf('\r\n') === -1 ? 'uri-too-long' : 'header-fields-too-large';
  }
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  // End after the answer and read what the client is still sending: closing a socket with unread
  // data resets the connection, and the client would never see the answer.
  socket.end(rawProblem(slug));
  socket.on('error', () => {});
  socket.resume();
  setTimeout(() => socket.destroy(), 2_000).unref();
}
