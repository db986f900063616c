// Tracing backed by @marketbench/instrumentation's span helpers and the OpenTelemetry API: DB,
// cache and PSP calls become CLIENT/INTERNAL spans under the request's server span, outbox
// publishes become PRODUCER spans parented to the request that wrote the event, and consumers
// get CONSUMER spans linked to the producer.
import { ATTR } from '@marketbench/contracts';
import {
  extractContext,
  injectTraceHeaders,
  recordCacheResult,
  withCacheSpan,
  withClientSpan,
  withConsumeSpan,
  withDbSpan,
  withPublishSpan,
} from '@marketbench/instrumentation';
import { context, trace } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import type { Attributes, Tracing } from './Tracing.ts';

export function otelTracing(opts: { dbSystem: string; messagingSystem: string }): Tracing {
  return {
    db: (spec, fn) => withDbSpan({ system: opts.dbSystem, ...spec }, fn),
    cache: (operation, key, fn) => withCacheSpan(operation, key, fn),
    client: (spec, fn) =>
      withClientSpan({ method: spec.method, url: spec.url, peer: 'psp' }, (headers, call) =>
        fn(headers, call),
      ),
    publish: (topic, parent, fn) =>
      context.with(extractContext(parent), () => {
        const headers: Record<string, string> = {};
        // The relay sends after the request that wrote the row has answered: a linked child.
        return withPublishSpan(topic, headers, () => fn(headers), {
          system: opts.messagingSystem,
          deferred: true,
        });
      }),
    consume: (topic, headers, fn) =>
      // Single-message push delivery: the process span continues the producer's trace (as its
      // child, so the checkout's trace shows the whole flow) and also carries the link semconv asks for.
      context.with(extractContext(headers), () =>
        withConsumeSpan(topic, headers, fn, { system: opts.messagingSystem }),
      ),
    event: (name, attributes) => {
      trace.getActiveSpan()?.addEvent(name, attributes);
    },
    setAttributes: (attributes: Attributes) => {
      const span = trace.getActiveSpan();
      if (!span) return;
      if (ATTR.cacheHit in attributes) recordCacheResult(Boolean(attributes[ATTR.cacheHit]));
      span.setAttributes(attributes);
    },
    traceId: () => {
      const sc = trace.getActiveSpan()?.spanContext();
      return sc && trace.isSpanContextValid(sc) ? sc.traceId : undefined;
    },
    currentHeaders: () => injectTraceHeaders({} as Record<string, string>),
    untraced: (fn) => context.with(suppressTracing(context.active()), fn),
  };
}
