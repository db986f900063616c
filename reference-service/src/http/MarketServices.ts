// What the route plugins share: the use cases, the stores they read directly, the fault
// injector and the telemetry pieces. Passed to each plugin as its options.
import type { FastifyRequest } from 'fastify';
import type { CatalogService } from '../domain/CatalogService.ts';
import type { CheckoutService } from '../domain/CheckoutService.ts';
import type { PaymentResolver } from '../domain/PaymentResolver.ts';
import type { Stores } from '../domain/ports.ts';
import type { FaultInjector } from '../faults/FaultInjector.ts';
import type { CardVault } from '../payments/cardVault.ts';
import type { HttpPaymentGateway } from '../payments/HttpPaymentGateway.ts';
import type { ServiceMetrics } from '../telemetry/ServiceMetrics.ts';
import type { Tracing } from '../telemetry/Tracing.ts';
import type { ResolvedServiceOptions } from '../types.ts';

export interface MarketServices {
  options: ResolvedServiceOptions;
  stores: Stores;
  catalog: CatalogService;
  checkout: CheckoutService;
  faults: FaultInjector;
  vault: CardVault;
  resolver: PaymentResolver;
  gateway: HttpPaymentGateway;
  tracing: Tracing;
  metrics: ServiceMetrics;
  traceIdOf: (request: FastifyRequest) => string | undefined;
  /** Extra readiness checks (cache, bus), each resolving true when healthy. */
  readiness: Array<{ name: string; check: () => Promise<boolean> }>;
}
