// The service's business metrics (prom-client), registered on the telemetry registry so one
// /metrics scrape carries them next to the RED metrics. Names come from the shared name table.
import { LABELS, METRICS } from '@marketbench/contracts';
import { Counter, Gauge, Histogram, type Registry, type RegistryContentType } from 'prom-client';
import type { AttemptOutcome } from '../domain/ports.ts';

/** Every PSP operation and outcome the gateway counts: their series exist at zero from the start. */
const PSP_OPERATIONS = ['authorize', 'refund', 'capture', 'lookup', 'void'] as const;
const PSP_OUTCOMES = [
  'approved',
  'declined',
  'error',
  'timeout',
  'circuit_open',
  'voided',
] as const satisfies readonly AttemptOutcome[];

export class ServiceMetrics {
  readonly checkouts: Counter<string>;
  readonly pspRequests: Counter<string>;
  readonly pspDuration: Histogram<string>;
  readonly pspRetries: Counter<string>;
  readonly breakerTransitions: Counter<string>;
  readonly idempotentReplays: Counter<string>;
  readonly reservationFailures: Counter<string>;
  readonly orders: Counter<string>;
  readonly ledgerBalanced: Gauge<string>;
  readonly faultsInjected: Counter<string>;
  readonly outboxPublished: Counter<string>;
  readonly paymentResolutions: Counter<string>;
  readonly paymentReviews: Counter<string>;
  readonly reconciliationDiscrepancies: Gauge<string>;

  constructor(registry: Registry<RegistryContentType>) {
    const registers = [registry as Registry];
    // Re-registering on a shared registry (two apps in one process) reuses the existing metric.
    const get = <M>(name: string, make: () => M): M => (registry.getSingleMetric(name) as M) ?? make();
    this.checkouts = get(
      METRICS.checkouts,
      () =>
        new Counter({
          name: METRICS.checkouts,
          help: 'Checkouts by outcome',
          labelNames: [LABELS.outcome],
          registers,
        }),
    );
    this.pspRequests = get(
      METRICS.pspRequests,
      () =>
        new Counter({
          name: METRICS.pspRequests,
          help: 'PSP attempts by operation and outcome',
          labelNames: [LABELS.operation, LABELS.outcome],
          registers,
        }),
    );
    // A labelled counter has no series until its first increment, so a healthy service would
    // expose no error series and a burn-rate rule would see its first errors only from the second
    // scrape after them (rate needs two samples). Zero series from the start make the first error
    // count (docs/SLO.md, "Absent error series"); a dozen series cost nothing.
    for (const operation of PSP_OPERATIONS)
      for (const outcome of PSP_OUTCOMES)
        this.pspRequests.inc({ [LABELS.operation]: operation, [LABELS.outcome]: outcome }, 0);
    this.pspDuration = get(
      METRICS.pspDuration,
      () =>
        new Histogram({
          name: METRICS.pspDuration,
          help: 'Duration of one PSP attempt, seconds',
          labelNames: [LABELS.operation, LABELS.outcome],
          buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
          registers,
        }),
    );
    this.pspRetries = get(
      METRICS.pspRetries,
      () =>
        new Counter({
          name: METRICS.pspRetries,
          help: 'PSP retries',
          labelNames: [LABELS.operation],
          registers,
        }),
    );
    this.breakerTransitions = get(
      METRICS.circuitBreakerTransitions,
      () =>
        new Counter({
          name: METRICS.circuitBreakerTransitions,
          help: 'Circuit-breaker state changes',
          labelNames: ['from', 'to'],
          registers,
        }),
    );
    this.idempotentReplays = get(
      METRICS.idempotentReplays,
      () =>
        new Counter({
          name: METRICS.idempotentReplays,
          help: 'Checkouts answered from the idempotency store',
          registers,
        }),
    );
    this.reservationFailures = get(
      METRICS.reservationFailures,
      () =>
        new Counter({
          name: METRICS.reservationFailures,
          help: 'Inventory reservations that failed',
          labelNames: [LABELS.reason],
          registers,
        }),
    );
    this.orders = get(
      METRICS.orders,
      () =>
        new Counter({
          name: METRICS.orders,
          help: 'Orders by status change',
          labelNames: ['status'],
          registers,
        }),
    );
    this.ledgerBalanced = get(
      METRICS.ledgerBalanced,
      () =>
        new Gauge({ name: METRICS.ledgerBalanced, help: '1 when the last ledger check balanced', registers }),
    );
    this.faultsInjected = get(
      METRICS.faultsInjected,
      () =>
        new Counter({
          name: METRICS.faultsInjected,
          help: 'Faults injected into dependency calls',
          labelNames: [LABELS.dependency, 'kind'],
          registers,
        }),
    );
    this.outboxPublished = get(
      METRICS.outboxPublished,
      () =>
        new Counter({
          name: METRICS.outboxPublished,
          help: 'Outbox events relayed to the bus',
          labelNames: ['topic', LABELS.outcome],
          registers,
        }),
    );
    this.paymentResolutions = get(
      METRICS.paymentResolutions,
      () =>
        new Counter({
          name: METRICS.paymentResolutions,
          help: 'Payments of unknown outcome the resolver settled (or retried, or sent to review), by outcome',
          labelNames: [LABELS.outcome],
          registers,
        }),
    );
    this.paymentReviews = get(
      METRICS.paymentReviews,
      () =>
        new Counter({
          name: METRICS.paymentReviews,
          help: "Payments still unknown after the resolver's last try, held for review (alert on any)",
          registers,
        }),
    );
    this.reconciliationDiscrepancies = get(
      METRICS.reconciliationDiscrepancies,
      () =>
        new Gauge({
          name: METRICS.reconciliationDiscrepancies,
          help: 'Discrepancies found by the last PSP reconciliation, by kind',
          labelNames: ['kind'],
          registers,
        }),
    );
  }
}
