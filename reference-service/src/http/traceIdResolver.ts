// Resolves the trace id a problem document carries: the active span's, or, when the handler never
// ran (validation errors, 404s), the server span the telemetry plugin started for the request.
import type { FastifyRequest } from 'fastify';
import type { Tracing } from '../telemetry/Tracing.ts';

/** Trace id of the request's server span, also when the handler never ran (validation errors). */
export function traceIdResolver(tracing: Tracing): (request: FastifyRequest) => string | undefined {
  return (request) => {
    const active = tracing.traceId();
    if (active) return active;
    // The telemetry plugin keeps its tracked request under a private symbol; read the span from it.
    for (const sym of Object.getOwnPropertySymbols(request)) {
      if (sym.description !== 'marketbench.tracked') continue;
      const tracked = (
        request as unknown as Record<symbol, { span?: { spanContext(): { traceId: string } } } | null>
      )[sym];
      const id = tracked?.span?.spanContext().traceId;
      if (id && id !== '00000000000000000000000000000000') return id;
    }
    const parent = request.headers.traceparent;
    return typeof parent === 'string' ? parent.split('-')[1] : undefined;
  };
}
