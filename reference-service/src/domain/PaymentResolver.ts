// Settles payments whose outcome the checkout could not learn: an attempt timed out after it was
// sent, the connection broke after sending, the breaker opened while an attempt was in flight, or
// the process died between reserving and settling (the order outlived its reservation). It asks
// the PSP for the authorization by the order's PSP-side key and then:
//   captured                  → the order is paid (ledger, event, the stored 201 for the key)
//   authorized (not captured) → capture, then paid
//   declined                  → payment_failed, the 402 stored for the key
//   voided, or never seen     → void (which bars the key, so an attempt still on the wire cannot
//                               charge), then payment_failed with stock released and the key freed
// A PSP that cannot be asked is tried again with exponential backoff; after a bounded number of
// tries the order goes to payment_review (stock and key held) and marketbench_payment_reviews_total
// counts it: a human decides. Orders are claimed with a lease, so instances never race on one.
import { ATTR } from '@marketbench/contracts';
import type { ServiceLog } from '../telemetry/ServiceLog.ts';
import type { ServiceMetrics } from '../telemetry/ServiceMetrics.ts';
import type { Tracing } from '../telemetry/Tracing.ts';
import type { CheckoutService } from './CheckoutService.ts';
import { pspPaymentKey } from './checkoutPolicy.ts';
import type { DuePayment, OrderStore, PaymentGateway, PspView } from './ports.ts';

export interface ResolverPolicy {
  /** Delay before the first retry, ms; doubled per try. */
  delayMs: number;
  /** Longest delay between two tries, ms. */
  delayCapMs: number;
  /** Tries before payment_review. */
  maxAttempts: number;
}

/** What one sweep did, per outcome. */
export type ResolverSweep = Record<
  | 'captured'
  | 'declined'
  | 'not_charged'
  | 'retry'
  | 'review'
  | 'settled_elsewhere'
  | 'refunded'
  | 'not_refunded',
  number
>;

export class PaymentResolver {
  readonly #orders: OrderStore;
  readonly #payments: PaymentGateway;
  readonly #checkout: CheckoutService;
  readonly #tracing: Tracing;
  readonly #metrics: ServiceMetrics | undefined;
  readonly #log: ServiceLog | undefined;
  readonly #policy: ResolverPolicy;
  readonly #now: () => number;
  #running: Promise<ResolverSweep> | undefined;

  constructor(opts: {
    orders: OrderStore;
    payments: PaymentGateway;
    checkout: CheckoutService;
    tracing: Tracing;
    metrics?: ServiceMetrics;
    log?: ServiceLog;
    policy: ResolverPolicy;
    now?: () => number;
  }) {
    this.#orders = opts.orders;
    this.#payments = opts.payments;
    this.#checkout = opts.checkout;
    this.#tracing = opts.tracing;
    this.#metrics = opts.metrics;
    this.#log = opts.log;
    this.#policy = opts.policy;
    this.#now = opts.now ?? Date.now;
  }

  /** Settles every due payment (at most `limit`); one sweep at a time per process. */
  sweep(limit = 200): Promise<ResolverSweep> {
    this.#running ??= this.#sweep(limit).finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #sweep(limit: number): Promise<ResolverSweep> {
    const done: ResolverSweep = {
      captured: 0,
      declined: 0,
      not_charged: 0,
      retry: 0,
      review: 0,
      settled_elsewhere: 0,
      refunded: 0,
      not_refunded: 0,
    };
    // The lease outlasts one resolution (a lookup, a void, a capture: a few attempt timeouts).
    const due = await this.#tracing.untraced(() => this.#orders.claimDuePayments(this.#now(), 60_000, limit));
    for (const payment of due) {
      const outcome = await this.#resolve(payment).catch((err: Error) => {
        this.#log?.error(
          { [ATTR.orderId]: payment.order.id, error: err.message },
          'payment resolution failed',
        );
        return this.#retry(payment, 'error');
      });
      done[outcome]++;
      this.#metrics?.paymentResolutions.inc({ outcome });
    }
    return done;
  }

  async #resolve(p: DuePayment): Promise<keyof ResolverSweep> {
    if (p.refund) return this.#resolveRefund(p);
    const order = p.order;
    const key = pspPaymentKey(order.id);
    let view: PspView = await this.#payments.lookup(key);
    if (view.kind === 'absent' || (view.kind === 'found' && view.status === 'authorized')) {
      // Never seen: bar the key so a late attempt cannot charge. Authorized but uncaptured: the
      // order is still pending with its stock, so the sale goes through (capture).
      if (view.kind === 'found' && view.paymentId) {
        const captured = await this.#payments.capture(view.paymentId);
        if (captured.outcome === 'approved') return this.#paid(order, view.paymentId);
        if (captured.outcome === 'unknown') return this.#retry(p, captured.reason ?? 'error');
      }
      view = await this.#payments.void(key);
    }
    if (view.kind === 'unreachable') return this.#retry(p, view.reason);
    if (view.kind === 'absent') return this.#retry(p, 'error');
    switch (view.status) {
      case 'captured':
        return this.#paid(order, view.paymentId ?? '');
      case 'declined':
        await this.#checkout.settleDeclined(order, view.declineCode);
        return 'declined';
      case 'voided':
        await this.#checkout.settleNotCharged(order, 'voided');
        return 'not_charged';
      default:
        return this.#retry(p, 'error');
    }
  }

  /**
   * A refund whose outcome is unknown: asking again with the same key (derived from the order) is
   * safe; the PSP answers what it did the first time, or refunds now if it never did.
   */
  async #resolveRefund(p: DuePayment): Promise<keyof ResolverSweep> {
    const order = p.order;
    const r = await this.#payments.refund({
      orderId: order.id,
      paymentId: order.paymentId ?? '',
      amountCents: order.totalCents,
      currency: order.currency,
    });
    if (r.outcome === 'approved') {
      await this.#checkout.settleRefunded(order);
      return 'refunded';
    }
    // Only the PSP's own refusal proves there was no refund. A 503, an open breaker or a timeout of
    // this attempt says nothing about the earlier one, which may have gone through: ask again later.
    if (r.outcome === 'declined') {
      await this.#orders.clearRefundDoubt(order.id, this.#now());
      return 'not_refunded';
    }
    const now = this.#now();
    const delay = Math.min(this.#policy.delayCapMs, this.#policy.delayMs * 2 ** (p.attempts - 1));
    if (p.attempts === this.#policy.maxAttempts) {
      // The order stays paid (its money is at the PSP until the PSP says otherwise): a human should look.
      this.#metrics?.paymentReviews.inc();
      this.#log?.error(
        { [ATTR.orderId]: order.id, attempts: p.attempts },
        'refund outcome still unknown; needs review',
      );
    }
    await this.#orders.markRefundUnknown(order.id, now + delay, now);
    return 'retry';
  }

  async #paid(order: DuePayment['order'], paymentId: string): Promise<keyof ResolverSweep> {
    const r = await this.#checkout.settlePaid(order, paymentId);
    return r.status === 201 ? 'captured' : 'settled_elsewhere';
  }

  /** The PSP could not tell: try again later, or give the order to a human after the last try. */
  async #retry(p: DuePayment, reason: string): Promise<keyof ResolverSweep> {
    const now = this.#now();
    const fields = { [ATTR.orderId]: p.order.id, attempts: p.attempts, reason };
    if (p.attempts >= this.#policy.maxAttempts) {
      await this.#orders.markPaymentReview(p.order.id, `unresolved:${reason}`, now);
      this.#metrics?.paymentReviews.inc();
      this.#log?.error(fields, 'payment outcome still unknown after the last try: order held for review');
      return 'review';
    }
    const delay = Math.min(this.#policy.delayCapMs, this.#policy.delayMs * 2 ** (p.attempts - 1));
    await this.#orders.markPaymentUnknown(p.order.id, now + delay, now);
    this.#log?.warn(fields, 'payment outcome still unknown; will ask the PSP again');
    return 'retry';
  }
}
