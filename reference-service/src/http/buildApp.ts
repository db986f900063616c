// The app factory: wires stores, cache, PSP, bus and use cases from the options, then builds the
// Fastify app out of one plugin per concern (catalog, buying, health, admin, openapi) behind the
// telemetry plugin. Closing the app closes everything it opened, in reverse order.
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyRequest } from 'fastify';
import { Registry } from 'prom-client';
import { openBackends } from '../backends.ts';
import { CatalogService } from '../domain/CatalogService.ts';
import { CheckoutService } from '../domain/CheckoutService.ts';
import { FaultInjector, InjectedFaultError } from '../faults/FaultInjector.ts';
import { resolveServiceOptions } from '../options.ts';
import { OutboxRelay } from '../outbox/OutboxRelay.ts';
import { startSalesProjection } from '../outbox/SalesProjection.ts';
import { CardVault } from '../payments/cardVault.ts';
import { HttpPaymentGateway } from '../payments/HttpPaymentGateway.ts';
import { PspSimulator } from '../payments/PspSimulator.ts';
import type { SeedReport } from '../store/sqlite/openSqlite.ts';
import { otelTracing } from '../telemetry/otelTracing.ts';
import { ServiceMetrics } from '../telemetry/ServiceMetrics.ts';
import { NOOP_TRACING, type Tracing } from '../telemetry/Tracing.ts';
import type { ServiceOptions } from '../types.ts';
import type { MarketServices } from './MarketServices.ts';
import { sendProblem } from './problems.ts';
import { adminRoutes } from './routes/adminRoutes.ts';
import { buyingRoutes } from './routes/buyingRoutes.ts';
import { catalogRoutes } from './routes/catalogRoutes.ts';
import { healthRoutes } from './routes/healthRoutes.ts';
import { type CollectedRoute, collectRoutes, openapiRoutes } from './routes/openapiRoutes.ts';

export const SERVICE_VERSION = '0.1.0';

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

const METRICS_SCHEMA = {
  summary: 'Prometheus metrics',
  tags: ['meta'],
  response: { 200: { type: 'string' } },
};

/** What buildApp exposes beside the Fastify instance (for tests, benches and the CLI). */
export interface MarketApp {
  app: FastifyInstance;
  services: MarketServices;
  psp: PspSimulator;
  relay: OutboxRelay;
  gateway: HttpPaymentGateway;
  /** How the catalog was seeded at start (seeded=false when reused). */
  seedReport: SeedReport;
}

/** Trace id of the request's server span, also when the handler never ran (validation errors). */
function traceIdResolver(tracing: Tracing): (request: FastifyRequest) => string | undefined {
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

export async function buildMarketApp(options: ServiceOptions = {}): Promise<MarketApp> {
  const opts = resolveServiceOptions(options);
  const telemetry = opts.telemetry;
  const registry = telemetry?.registry ?? new Registry();
  const metrics = new ServiceMetrics(registry);
  const tracing: Tracing = telemetry
    ? otelTracing({
        dbSystem: opts.databaseUrl ? 'postgresql' : 'sqlite',
        messagingSystem: opts.natsUrl ? 'nats' : opts.amqpUrl ? 'rabbitmq' : 'memory',
      })
    : NOOP_TRACING;
  const faults = new FaultInjector({ metrics, tracing });
  const backends = await openBackends(opts, { tracing, faults });
  const { stores, cache, bus } = backends;

  const psp = new PspSimulator({ latencyMs: opts.pspLatencyMs });
  await psp.start();
  const gateway = new HttpPaymentGateway({ url: psp.url, policy: opts.payment, tracing, metrics, faults });
  const catalog = new CatalogService({ store: stores.listings, cache, tracing, faults });
  const relay = new OutboxRelay({
    store: stores.outbox,
    bus,
    tracing,
    metrics,
    faults,
    pollMs: opts.outboxPollMs,
  });
  const checkout = new CheckoutService({
    orders: stores.orders,
    payments: gateway,
    tracing,
    metrics,
    feeBps: opts.feeBps,
    reservationTtlMs: opts.reservationTtlMs,
    newId: randomUUID,
    onStockChange: (ids) => catalog.invalidate(ids),
    onOutboxWrite: () => relay.nudge(),
  });
  await startSalesProjection({
    bus,
    store: stores.outbox,
    tracing,
    onSale: async (sellerIds) => {
      await cache.delete(sellerIds.map((id) => `seller:${id}`)).catch(() => {});
    },
  });
  relay.start();
  const sweeper = setInterval(
    () => {
      stores.orders
        .expireReservations(Date.now())
        .then((ids) => {
          if (ids.length) relay.nudge();
        })
        .catch(() => {});
    },
    Math.max(1_000, Math.min(10_000, opts.reservationTtlMs / 4)),
  );
  sweeper.unref();
  // Sellers relist what sold out, so a long run (soak) keeps a stocked catalog to buy from.
  const relister =
    opts.relistAfterMs > 0
      ? setInterval(
          () => {
            const now = Date.now();
            tracing
              .untraced(async () =>
                catalog.invalidate(await stores.listings.relistSoldBefore(now - opts.relistAfterMs, now)),
              )
              .catch(() => {});
          },
          Math.max(200, Math.min(5_000, opts.relistAfterMs / 4)),
        )
      : undefined;
  relister?.unref();

  const services: MarketServices = {
    options: opts,
    stores,
    catalog,
    checkout,
    faults,
    vault: new CardVault(),
    tracing,
    metrics,
    traceIdOf: traceIdResolver(tracing),
    readiness: backends.readiness,
  };

  const app: FastifyInstance = Fastify({
    // With telemetry, errors go to its logger (trace ids attached); per-request lines only on demand.
    ...(telemetry
      ? {
          loggerInstance: opts.requestLogging
            ? telemetry.logger
            : telemetry.logger.child({}, { level: 'warn' }),
        }
      : { logger: false }),
    bodyLimit: 64 * 1024,
    ajv: {
      customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: false },
    },
    return503OnClosing: true,
  }) as unknown as FastifyInstance;
  if (telemetry) await app.register(telemetry.fastifyPlugin);
  const routes: CollectedRoute[] = [];
  app.addHook('onRoute', collectRoutes(routes));

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const traceId = services.traceIdOf(request);
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
    request.log.error({ err: error }, 'unhandled error');
    return sendProblem(reply, 'internal', traceId);
  });
  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, 'route-not-found', services.traceIdOf(request)),
  );

  await app.register(catalogRoutes, { services });
  await app.register(buyingRoutes, { services });
  await app.register(healthRoutes, { services });
  await app.register(adminRoutes, { services });
  await app.register(openapiRoutes, { routes, version: SERVICE_VERSION });
  if (!telemetry) {
    // Without telemetry the business metrics are still scrapeable from their own registry.
    app.get('/metrics', { schema: METRICS_SCHEMA }, async (_request, reply) =>
      reply.type(registry.contentType).send(await registry.metrics()),
    );
  }

  app.addHook('onClose', async () => {
    clearInterval(sweeper);
    clearInterval(relister);
    await relay.stop();
    await gateway.close();
    await psp.close();
    await backends.close();
  });
  await app.ready();
  return { app, services, psp, relay, gateway, seedReport: backends.seedReport };
}

/** The Fastify app of the reference service (see buildMarketApp for the wired parts). */
export async function buildApp(options: ServiceOptions = {}): Promise<FastifyInstance> {
  return (await buildMarketApp(options)).app;
}
