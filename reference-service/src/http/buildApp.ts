// The app factory: wires stores, cache, PSP, bus and use cases from the options, then builds the
// Fastify app out of one plugin per concern (catalog, buying, health, admin, openapi) behind the
// telemetry plugin. Closing the app closes everything it opened, in reverse order.
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { openBackends } from '../backends.ts';
import { CatalogService } from '../domain/CatalogService.ts';
import { CheckoutService } from '../domain/CheckoutService.ts';
import { PaymentResolver } from '../domain/PaymentResolver.ts';
import { FaultInjector } from '../faults/FaultInjector.ts';
import { resolveServiceOptions } from '../options.ts';
import { OutboxRelay } from '../outbox/OutboxRelay.ts';
import { startSalesProjection } from '../outbox/SalesProjection.ts';
import { CardVault } from '../payments/cardVault.ts';
import { HttpPaymentGateway } from '../payments/HttpPaymentGateway.ts';
import { PspSimulator } from '../payments/PspSimulator.ts';
import type { SeedReport } from '../store/sqlite/openSqlite.ts';
import { otelTracing } from '../telemetry/otelTracing.ts';
import { startPspTracer } from '../telemetry/pspTracer.ts';
import { NOOP_LOG, type ServiceLog, serviceLog } from '../telemetry/ServiceLog.ts';
import { ServiceMetrics } from '../telemetry/ServiceMetrics.ts';
import { SERVICE_VERSION } from '../telemetry/serviceTelemetryOptions.ts';
import { NOOP_TRACING, type Tracing } from '../telemetry/Tracing.ts';
import type { ServiceOptions } from '../types.ts';
import { clientErrorHandler, frameworkErrorHandler, problemErrorHandler } from './errorHandler.ts';
import type { MarketServices } from './MarketServices.ts';
import { sendProblem } from './problems.ts';
import { adminRoutes } from './routes/adminRoutes.ts';
import { buyingRoutes } from './routes/buyingRoutes.ts';
import { catalogRoutes } from './routes/catalogRoutes.ts';
import { healthRoutes } from './routes/healthRoutes.ts';
import { type CollectedRoute, collectRoutes, openapiRoutes } from './routes/openapiRoutes.ts';
import { traceIdResolver } from './traceIdResolver.ts';

const METRICS_SCHEMA = {
  summary: 'Prometheus metrics',
  tags: ['meta'],
  response: { 200: { type: 'string' } },
};

/** What buildApp exposes beside the Fastify instance (for tests, benches and the CLI). */
export interface MarketApp {
  app: FastifyInstance;
  services: MarketServices;
  /** The in-process PSP simulator; undefined when the service uses an external PSP (pspUrl). */
  psp: PspSimulator | undefined;
  resolver: PaymentResolver;
  relay: OutboxRelay;
  gateway: HttpPaymentGateway;
  /** How the catalog was seeded at start (seeded=false when reused). */
  seedReport: SeedReport;
  /** Exports every span ended so far: the service's and the PSP simulator's (its own provider). */
  flushTelemetry(): Promise<void>;
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
  const log: ServiceLog = telemetry ? serviceLog(telemetry.logger) : NOOP_LOG;
  const faults = new FaultInjector({ metrics, tracing, log });
  const backends = await openBackends(opts, { tracing, faults });
  const { stores, cache, bus } = backends;

  // An external PSP (MARKETBENCH_PSP_URL) is what several instances, or one across restarts, share:
  // its deduplication and settlement record are the PSP's, not a process's.
  const pspTracer = telemetry && !opts.pspUrl ? startPspTracer(telemetry) : undefined;
  const psp = opts.pspUrl
    ? undefined
    : new PspSimulator({ latencyMs: opts.pspLatencyMs, tracer: pspTracer?.tracer });
  const pspUrl = opts.pspUrl ?? (await psp!.start());
  const gateway = new HttpPaymentGateway({
    url: pspUrl,
    policy: opts.payment,
    tracing,
    metrics,
    faults,
    log,
  });
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
    log,
    feeBps: opts.feeBps,
    reservationTtlMs: opts.reservationTtlMs,
    resolveDelayMs: opts.payment.resolveDelayMs,
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
  // Payments of unknown outcome, and orders held past their reservation (a crashed or hung
  // request), are settled from the PSP's own record.
  const resolver = new PaymentResolver({
    orders: stores.orders,
    payments: gateway,
    checkout,
    tracing,
    metrics,
    log,
    policy: {
      delayMs: opts.payment.resolveDelayMs,
      delayCapMs: opts.payment.resolveDelayCapMs,
      maxAttempts: opts.payment.resolveMaxAttempts,
    },
  });
  const sweeper = setInterval(() => {
    resolver
      .sweep()
      .catch((err: Error) => log.error({ error: err.message }, 'payment resolver sweep failed'));
  }, opts.payment.resolveIntervalMs);
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
    vault: new CardVault(opts.cardFingerprintSecret),
    resolver,
    gateway,
    tracing,
    metrics,
    traceIdOf: traceIdResolver(tracing),
    readiness: backends.readiness,
  };

  const app: FastifyInstance = Fastify({
    // Per-request logging (a pino child per request) only on demand; unhandled errors are logged
    // by the error handler straight to the telemetry logger, with the trace id.
    ...(telemetry && opts.requestLogging ? { loggerInstance: telemetry.logger } : { logger: false }),
    bodyLimit: 64 * 1024,
    ajv: {
      customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: false },
    },
    return503OnClosing: true,
    frameworkErrors: frameworkErrorHandler(services.traceIdOf),
    clientErrorHandler,
  }) as unknown as FastifyInstance;
  // Only JSON is documented: text/plain (which Fastify parses by default) gets 415, not a 400
  // from validating a string against an object schema.
  app.removeContentTypeParser('text/plain');
  // A NUL byte is never valid text here, and PostgreSQL refuses it in TEXT columns: refuse it at
  // the edge, for every string in the query, the path and the body.
  app.addHook('preValidation', async (request, reply) => {
    const where = hasNul(request.query)
      ? 'querystring'
      : hasNul(request.params)
        ? 'params'
        : hasNul(request.body)
          ? 'body'
          : undefined;
    if (!where) return;
    return sendProblem(reply, 'validation-failed', services.traceIdOf(request), {
      field: where,
      errors: [{ field: where, in: where, message: 'must not contain NUL (\\u0000) characters' }],
    });
  });
  if (telemetry) await app.register(telemetry.fastifyPlugin);
  const routes: CollectedRoute[] = [];
  app.addHook('onRoute', collectRoutes(routes));

  app.setErrorHandler(
    problemErrorHandler(services.traceIdOf, (err, traceId) =>
      telemetry?.logger.error({ err, traceId }, 'unhandled error'),
    ),
  );
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
    await resolver.sweep(0).catch(() => undefined);
    await gateway.close();
    await psp?.close();
    await pspTracer?.shutdown();
    await backends.close();
  });
  await app.ready();
  const flushTelemetry = async () => {
    await Promise.all([telemetry?.forceFlush(), pspTracer?.flush()]);
  };
  return { app, services, psp, resolver, relay, gateway, seedReport: backends.seedReport, flushTelemetry };
}

/** The Fastify app of the reference service (see buildMarketApp for the wired parts). */
export async function buildApp(options: ServiceOptions = {}): Promise<FastifyInstance> {
  return (await buildMarketApp(options)).app;
}

/** True when any string in `value` (nested objects and arrays included) holds a NUL character. */
function hasNul(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (value === null || typeof value !== 'object' || depth > 32) return false;
  if (Array.isArray(value)) return value.some((v) => hasNul(v, depth + 1));
  for (const [k, v] of Object.entries(value)) if (k.includes('\u0000') || hasNul(v, depth + 1)) return true;
  return false;
}
