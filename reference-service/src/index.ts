// Public API of @marketbench/reference-service: the app factory, the socket runner, the options,
// and the parts tests, benches and scenarios build on (seed vocabulary, PSP simulator, ledger rules).

export { LruCache } from './cache/LruCache.ts';
export { RedisCache } from './cache/RedisCache.ts';
export { CatalogService, decodeCursor, encodeCursor } from './domain/CatalogService.ts';
export { CheckoutService } from './domain/CheckoutService.ts';
export { checkoutRequestHash, pspPaymentKey, TOPICS } from './domain/checkoutPolicy.ts';
export {
  expectedBalances,
  journalBalances,
  orderTotals,
  paymentJournals,
  refundJournals,
  tiesOut,
} from './domain/ledger.ts';
export type {
  Cart,
  Journal,
  LedgerReport,
  Listing,
  ListingQuery,
  Order,
  OrderStatus,
  Seller,
} from './domain/model.ts';
export { PaymentResolver } from './domain/PaymentResolver.ts';
export type { Cache, EventBus, PaymentGateway, Stores } from './domain/ports.ts';
export {
  type CurrencyReconciliation,
  DISCREPANCY_KINDS,
  type Discrepancy,
  type DiscrepancyKind,
  type ReconciliationReport,
  reconcile,
} from './domain/reconciliation.ts';
export { SERVICE_ERRORS } from './errors.ts';
export { FaultInjector, type FaultSpec, type LatencySpec } from './faults/FaultInjector.ts';
export { buildApp, buildMarketApp, type MarketApp } from './http/buildApp.ts';
export { PROBLEM_BASE, PROBLEMS } from './http/problems.ts';
export { buildOpenApi } from './http/routes/openapiRoutes.ts';
export { type RunningService, startService } from './http/startService.ts';
export {
  DEFAULT_CARD_FINGERPRINT_SECRET,
  DEFAULT_OPTIONS,
  DEFAULT_PAYMENT_POLICY,
  resolveServiceOptions,
} from './options.ts';
export { CircuitBreaker } from './payments/CircuitBreaker.ts';
export { CardVault } from './payments/cardVault.ts';
export {
  DECLINING_LAST4,
  type PspPayment,
  PspSimulator,
  type SettlementRecord,
  type SettlementReport,
} from './payments/PspSimulator.ts';
export { BRANDS, CATEGORY_NAMES, COLORS, sellerCount } from './store/seed/catalogGenerator.ts';
export { openSqlite, type SeedReport } from './store/sqlite/openSqlite.ts';
export type { LogFields, ServiceLog } from './telemetry/ServiceLog.ts';
export {
  DEFAULT_ENVIRONMENT,
  SERVICE_VERSION,
  serviceTelemetryOptions,
} from './telemetry/serviceTelemetryOptions.ts';
export type { ResolvedServiceOptions, ServiceOptions } from './types.ts';
