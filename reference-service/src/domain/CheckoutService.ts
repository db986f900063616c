// The buying use cases: checkout (idempotent, reserving stock, paying through the gateway,
// booking the ledger and announcing the outcome through the outbox) and cancel/refund.
//
// Idempotency has two layers: in this process, a duplicate that arrives while the first request
// is still running waits for it and gets the same answer; across processes (several instances on
// one PostgreSQL) the key row claimed in beginCheckout makes the duplicate answer 409 instead.
import { ATTR, SPAN_EVENTS } from '@marketbench/instrumentation/names';
import type { ServiceLog } from '../telemetry/ServiceLog.ts';
import type { ServiceMetrics } from '../telemetry/ServiceMetrics.ts';
import type { Tracing } from '../telemetry/Tracing.ts';
import { checkoutRequestHash, orderEvent, TOPICS } from './checkoutPolicy.ts';
import { paymentJournals, refundJournals } from './ledger.ts';
import type { CardToken, Order } from './model.ts';
import type { OrderStore, PaymentGateway, StoredResponse } from './ports.ts';

export interface CheckoutCommand {
  idempotencyKey: string;
  cartId: string;
  card: CardToken;
}

/** The HTTP-agnostic answer of a use case: a status, a body, and whether it was replayed. */
export interface UseCaseResult {
  status: number;
  body: Record<string, unknown>;
  replayed?: boolean;
  /** Stable problem type slug when the answer is an error (see http/problems.ts). */
  problem?: string;
}

export interface CheckoutDeps {
  orders: OrderStore;
  payments: PaymentGateway;
  tracing: Tracing;
  metrics?: ServiceMetrics;
  /** Failed payments and late captures are logged here, inside the request's trace. */
  log?: ServiceLog;
  /** Called with listing ids whose stock changed, so cached items can be dropped. */
  onStockChange?: (listingIds: number[]) => Promise<void>;
  /** Called after a transaction that wrote outbox events, so the relay can publish promptly. */
  onOutboxWrite?: () => void;
  feeBps: number;
  reservationTtlMs: number;
  newId: () => string;
  now?: () => number;
}

function problem(
  status: number,
  slug: string,
  title: string,
  extra: Record<string, unknown> = {},
): UseCaseResult {
  return { status, problem: slug, body: { title, ...extra } };
}

export function orderBody(order: Order): Record<string, unknown> {
  return { ...order };
}

export class CheckoutService {
  readonly #d: CheckoutDeps;
  readonly #now: () => number;
  readonly #inflight = new Map<string, { hash: string; result: Promise<UseCaseResult> }>();

  constructor(deps: CheckoutDeps) {
    this.#d = deps;
    this.#now = deps.now ?? Date.now;
  }

  async checkout(cmd: CheckoutCommand): Promise<UseCaseResult> {
    const hash = checkoutRequestHash(cmd.cartId, cmd.card.token);
    const running = this.#inflight.get(cmd.idempotencyKey);
    if (running) {
      if (running.hash !== hash) return this.#hashMismatch();
      const first = await running.result;
      return this.#replayed(first);
    }
    const result = this.#checkout(cmd, hash);
    this.#inflight.set(cmd.idempotencyKey, { hash, result });
    try {
      return await result;
    } finally {
      this.#inflight.delete(cmd.idempotencyKey);
    }
  }

  async #checkout(cmd: CheckoutCommand, hash: string): Promise<UseCaseResult> {
    const d = this.#d;
    const now = this.#now();
    const orderId = d.newId();
    const begun = await d.orders.beginCheckout({
      idempotencyKey: cmd.idempotencyKey,
      requestHash: hash,
      cartId: cmd.cartId,
      orderId,
      card: cmd.card,
      feeBps: d.feeBps,
      now,
      reservationExpiresAt: now + d.reservationTtlMs,
    });
    switch (begun.kind) {
      case 'replay':
        if (begun.requestHash !== hash) return this.#hashMismatch();
        return this.#replayed({
          status: begun.response.status,
          body: begun.response.body,
          problem: begun.response.body.problem as string | undefined,
        });
      case 'in_progress':
        if (begun.requestHash !== hash) return this.#hashMismatch();
        return problem(
          409,
          'checkout-in-progress',
          'A checkout with this Idempotency-Key is still running; retry later',
        );
      case 'cart_not_found':
        d.metrics?.checkouts.inc({ outcome: 'invalid' });
        return problem(404, 'cart-not-found', 'No cart has this id', { field: 'cartId' });
      case 'cart_empty':
        d.metrics?.checkouts.inc({ outcome: 'invalid' });
        return problem(422, 'cart-empty', 'The cart has no items', { field: 'cartId' });
      case 'out_of_stock':
        d.metrics?.checkouts.inc({ outcome: 'out_of_stock' });
        d.metrics?.reservationFailures.inc({ reason: 'out_of_stock' });
        return problem(409, 'out-of-stock', 'Some items are no longer available', {
          listingIds: begun.listingIds,
        });
    }
    const order = begun.order;
    d.tracing.setAttributes({ [ATTR.orderId]: order.id });
    const stock = order.items.map((i) => i.listingId);
    await d.onStockChange?.(stock);
    d.metrics?.orders.inc({ status: 'created' });
    const payment = await d.payments.authorize({
      orderId: order.id,
      amountCents: order.totalCents,
      currency: order.currency,
      card: cmd.card,
    });
    d.tracing.setAttributes({
      [ATTR.paymentOutcome]: payment.outcome,
      [ATTR.paymentAttempt]: payment.attempts,
    });
    const headers = d.tracing.currentHeaders();
    if (payment.outcome === 'approved' && payment.paymentId) {
      const paidAt = this.#now();
      const paid: Order = {
        ...order,
        status: 'paid',
        paymentId: payment.paymentId,
        updatedAt: new Date(paidAt).toISOString(),
      };
      // The stored answer is exactly what this request returns, so a replay is byte-identical.
      const response: StoredResponse = { status: 201, body: orderBody(paid) };
      const booked = await d.orders.completeCheckout({
        orderId: order.id,
        idempotencyKey: cmd.idempotencyKey,
        paymentId: payment.paymentId,
        journals: paymentJournals(paid, d.feeBps),
        events: [orderEvent(TOPICS.orderPaid, paid, headers)],
        response,
        now: paidAt,
      });
      if (!booked) return this.#lateCapture(order, payment.paymentId);
      d.onOutboxWrite?.();
      d.metrics?.checkouts.inc({ outcome: 'success' });
      d.metrics?.orders.inc({ status: 'paid' });
      return { status: 201, body: response.body };
    }
    // Declines are final and replayed as such; transient failures forget the key so the client
    // may retry the same Idempotency-Key once the PSP recovers.
    const declined = payment.outcome === 'declined';
    const failure = declined
      ? problem(402, 'payment-declined', 'The card was declined', {
          declineCode: payment.declineCode,
          orderId: order.id,
        })
      : problem(503, 'payment-unavailable', 'The payment provider is unavailable; retry later', {
          orderId: order.id,
          reason: payment.outcome,
        });
    const logged = {
      [ATTR.orderId]: order.id,
      [ATTR.paymentOutcome]: payment.outcome,
      [ATTR.paymentAttempt]: payment.attempts,
      [ATTR.paymentDeclineCode]: payment.declineCode,
    };
    // A decline is the buyer's card, not an incident; the others are the PSP failing us.
    if (declined) d.log?.info(logged, 'payment declined');
    else d.log?.warn(logged, `payment failed (${payment.outcome}); reservation released`);
    const failedOrder: Order = { ...order, status: 'payment_failed' };
    await d.orders.failCheckout({
      orderId: order.id,
      idempotencyKey: cmd.idempotencyKey,
      reason: declined ? `declined:${payment.declineCode ?? 'unknown'}` : payment.outcome,
      events: [orderEvent(TOPICS.paymentFailed, failedOrder, headers)],
      response: declined
        ? { status: failure.status, body: { ...failure.body, problem: failure.problem } }
        : undefined,
      now: this.#now(),
    });
    d.onOutboxWrite?.();
    await d.onStockChange?.(stock);
    d.metrics?.checkouts.inc({ outcome: 'payment_failed' });
    d.metrics?.reservationFailures.inc({ reason: 'payment_failed' });
    return failure;
  }

  /** Cancels a pending order or refunds a paid one; other states answer 409. */
  async cancel(orderId: string): Promise<UseCaseResult> {
    const d = this.#d;
    const order = await d.orders.getOrder(orderId);
    if (!order) return problem(404, 'order-not-found', 'No order has this id');
    d.tracing.setAttributes({ [ATTR.orderId]: order.id });
    const headers = d.tracing.currentHeaders();
    const stock = order.items.map((i) => i.listingId);
    if (order.status === 'pending_payment') {
      const cancelled = await d.orders.cancelPending(
        orderId,
        [orderEvent(TOPICS.orderCancelled, { ...order, status: 'cancelled' }, headers)],
        this.#now(),
      );
      d.onOutboxWrite?.();
      await d.onStockChange?.(stock);
      d.metrics?.orders.inc({ status: 'cancelled' });
      return { status: 200, body: orderBody(cancelled ?? order) };
    }
    if (order.status !== 'paid' || !order.paymentId) {
      return problem(409, 'order-not-cancellable', `An order in status ${order.status} cannot be cancelled`, {
        status: order.status,
      });
    }
    const refund = await d.payments.refund({
      orderId: order.id,
      paymentId: order.paymentId,
      amountCents: order.totalCents,
      currency: order.currency,
    });
    if (refund.outcome !== 'approved') {
      return problem(503, 'payment-unavailable', 'The refund could not be made; retry later', {
        reason: refund.outcome,
      });
    }
    const refunded = await d.orders.completeRefund({
      orderId: order.id,
      journals: refundJournals(order, d.feeBps),
      events: [orderEvent(TOPICS.orderRefunded, { ...order, status: 'refunded' }, headers)],
      now: this.#now(),
    });
    d.onOutboxWrite?.();
    await d.onStockChange?.(stock);
    d.metrics?.orders.inc({ status: 'refunded' });
    return { status: 200, body: orderBody(refunded) };
  }

  /**
   * The PSP captured after the reservation expired (the sweeper already released the stock and
   * failed the order): give the money back, so the PSP and the ledger agree, and tell the buyer.
   */
  async #lateCapture(order: Order, paymentId: string): Promise<UseCaseResult> {
    const d = this.#d;
    const refund = await d.payments.refund({
      orderId: order.id,
      paymentId,
      amountCents: order.totalCents,
      currency: order.currency,
    });
    d.metrics?.checkouts.inc({ outcome: 'payment_failed' });
    d.metrics?.reservationFailures.inc({ reason: 'expired' });
    d.log?.error(
      { [ATTR.orderId]: order.id, refunded: refund.outcome === 'approved' },
      'payment captured after the reservation expired; refunded',
    );
    return problem(
      409,
      'reservation-expired',
      'The reservation expired before the payment completed; the charge was refunded',
      {
        orderId: order.id,
        refunded: refund.outcome === 'approved',
      },
    );
  }

  #hashMismatch(): UseCaseResult {
    this.#d.metrics?.checkouts.inc({ outcome: 'invalid' });
    return problem(
      422,
      'idempotency-key-reused',
      'This Idempotency-Key was used with a different request body',
      {
        field: 'Idempotency-Key',
      },
    );
  }

  #replayed(first: UseCaseResult): UseCaseResult {
    this.#d.metrics?.idempotentReplays.inc();
    this.#d.tracing.setAttributes({ [ATTR.idempotentReplay]: true });
    this.#d.tracing.event(SPAN_EVENTS.idempotentReplay);
    return { ...first, replayed: true };
  }
}
