// Fastify integration through hooks (no patching of node:http): onRequest starts the server span
// once Fastify has matched the route template, the route handler runs inside the span's context
// (wrapped at onRoute), onError records the error, onResponse ends the span and records RED
// metrics. Also registers GET <metricsPath>.

import type {
  FastifyInstance,
  FastifyPluginCallback,
  FastifyReply,
  FastifyRequest,
  RouteOptions,
} from 'fastify';
import fp from 'fastify-plugin';
import { renderMetrics } from '../metrics/metricsHandler.ts';
import type { MetricsRegistry as Registry } from '../types.ts';
import type { ServerRequestTracker, TrackedRequest } from './ServerRequestTracker.ts';

const kTracked = Symbol('marketbench.tracked');

type TrackedFastifyRequest = FastifyRequest & { [kTracked]: TrackedRequest | null };

/** Builds the Fastify plugin for a tracker and registry. */
export function createFastifyPlugin(
  tracker: ServerRequestTracker,
  registry: Registry,
  options: { ignoreRoutes: readonly string[]; metricsPath: string },
): FastifyPluginCallback {
  const ignored = new Set(options.ignoreRoutes);
  const plugin: FastifyPluginCallback = (app: FastifyInstance, _opts, done) => {
    app.decorateRequest(kTracked as unknown as string, null);

    app.addHook('onRoute', (route: RouteOptions) => {
      const url = route.url;
      if (url !== undefined && ignored.has(url)) return;
      // The 5xx answers a route declares in its response schema exist at zero from the start:
      // an SLO's error numerator then selects a series before the first error (cheap: a few
      // series per route, only for codes the route says it can answer).
      const declared = Object.keys((route.schema?.response as Record<string, unknown> | undefined) ?? {})
        .filter((code) => /^5\d\d$/.test(code))
        .map(Number);
      if (url !== undefined && declared.length > 0) {
        for (const method of Array.isArray(route.method) ? route.method : [route.method]) {
          if (method !== 'HEAD') tracker.declareStatuses(method, url, declared);
        }
      }
      const handler = route.handler;
      // The handler runs inside the server span's context, so child spans and logs get its ids.
      route.handler = function tracedHandler(
        this: FastifyInstance,
        request: FastifyRequest,
        reply: FastifyReply,
      ) {
        const tracked = (request as TrackedFastifyRequest)[kTracked];
        if (!tracked) return handler.call(this, request, reply);
        return tracker.run(tracked, () => handler.call(this, request, reply));
      };
    });

    app.addHook('onRequest', (request, _reply, next) => {
      const route = request.routeOptions.url;
      if (route !== undefined && ignored.has(route)) return next();
      (request as TrackedFastifyRequest)[kTracked] = tracker.start(
        request.method,
        route,
        request.url,
        request.protocol,
        request.headers,
      );
      next();
    });

    app.addHook('onError', (request, _reply, error, next) => {
      const tracked = (request as TrackedFastifyRequest)[kTracked];
      if (tracked) tracker.error(tracked, error);
      next();
    });

    // The span ends when the response is handed to the socket, not at 'finish': a caller that
    // reads the answer before this process gets the CPU back must not see its span end first.
    app.addHook('onSend', (request, _reply, payload, next) => {
      const tracked = (request as TrackedFastifyRequest)[kTracked];
      if (tracked) tracked.sentAt = performance.now();
      next(null, payload);
    });

    app.addHook('onResponse', (request, reply, next) => {
      const tracked = (request as TrackedFastifyRequest)[kTracked];
      if (tracked) tracker.end(tracked, reply.statusCode);
      next();
    });

    // A client that goes away before the response still ends its span (status 499 by convention).
    app.addHook('onRequestAbort', (request, next) => {
      const tracked = (request as TrackedFastifyRequest)[kTracked];
      if (tracked) tracker.end(tracked, 499);
      next();
    });

    if (options.metricsPath) {
      app.get(options.metricsPath, async (request, reply) => {
        const { contentType, body } = await renderMetrics(registry, request.headers.accept);
        return reply.type(contentType).send(body);
      });
    }
    done();
  };
  return fp(plugin, { fastify: '5.x', name: '@marketbench/instrumentation' });
}
