// Maps every error Fastify or a handler raises to a problem+json answer: validation errors name
// the field, injected or real dependency failures are 503, client mistakes 4xx, and anything else
// is logged and answered 500 without a stack.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { InjectedFaultError } from '../faults/FaultInjector.ts';
import { sendProblem } from './problems.ts';

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
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return sendProblem(reply, 'payload-too-large', traceId);
    if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
      return sendProblem(reply, 'unsupported-media-type', traceId);
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      return sendProblem(reply, 'bad-request', traceId, { detail: error.message });
    }
    logError(error, traceId);
    return sendProblem(reply, 'internal', traceId);
  };
}
