// The buying use cases: checkout (idempotent, reserving stock, paying through the gateway,
// booking the ledger and announcing the outcome through the outbox) and cancel/refund.
//
// Idempotency has two layers: in this process, a duplicate that arrives while the first request
// is still running waits for it and gets the same answer; across processes (several instances on
// one PostgreSQL, or after a restart) the key row claimed in beginCheckout makes the duplicate
// answer 409 with Retry-After while the first runs, and the stored answer once it is settled.
//
// A payment whose outcome is unknown (see PaymentOutcome) is never treated as declined: the order
// stays pending with its stock and its key, the client gets 202 with Retry-After, and the
// PaymentResolver settles it from the PSP's own record.
import { ATTR, SPAN_EVENTS } from '@marketbench/contracts';
import type { ServiceLog } from '../telemetry/ServiceLog.ts';
import type { ServiceMetrics } from '../telemetry/ServiceMetrics.ts';
import type { Tracing } from '../telemetry/Tracing.ts';
import { checkoutRequestHash, orderEvent, pspPaymentKey, TOPICS } from './checkoutPolicy.ts';
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
  /** Extra response headers (Retry-After, Location). */
  headers?: Record<string, string>;
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
  /** When the resolver first looks at a payment whose outcome is unknown, ms after the answer. */
  resolveDelayMs: number;
  newId: () => string;
  now?: () => number;
}

/** Seconds a client should wait before retrying a checkout still in progress or in doubt. */
export const CHECKOUT_RETRY_AFTER_S = 1;

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
        return {
          ...problem(
            409,
            'checkout-in-progress',
            'A checkout with this Idempotency-Key is still running; retry later',
          ),
          headers: { 'retry-after': String(CHECKOUT_RETRY_AFTER_S) },
        };
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
      pspKey: pspPaymentKey(order.id),
      amountCents: order.totalCents,
      currency: order.currency,
      card: cmd.card,
    });
    d.tracing.setAttributes({
      [ATTR.paymentOutcome]: payment.outcome,
      [ATTR.paymentAttempt]: payment.attempts,
    });
    if (payment.outcome === 'approved' && payment.paymentId) {
      return this.settlePaid(order, payment.paymentId);
    }
    if (payment.outcome === 'unknown') return this.#inDoubt(order, payment.reason);
    if (payment.outcome === 'declined') return this.settleDeclined(order, payment.declineCode);
    d.log?.warn(
      {
        [ATTR.orderId]: order.id,
        [ATTR.paymentOutcome]: payment.outcome,
        [ATTR.paymentAttempt]: payment.attempts,
        reason: payment.reason ?? 'error',
      },
      `payment failed, nothing charged (${payment.reason ?? 'error'}); reservation released`,
    );
    return this.settleNotCharged(order, payment.reason ?? 'error');
  }

  /**
   * The PSP captured: order paid, ledger, event and the stored 201 in one transaction. When the order
   * was settled meanwhile (the resolver got there first) its own answer stands; when it can no
   * longer be paid (cancelled), the money goes back.
   */
  async settlePaid(order: Order, paymentId: string): Promise<UseCaseResult> {
    const d = this.#d;
    const paidAt = this.#now();
    const paid: Order = { ...order, status: 'paid', paymentId, updatedAt: new Date(paidAt).toISOString() };
    // The stored answer is exactly what this request returns, so a replay is byte-identical.
    const response: StoredResponse = { status: 201, body: orderBody(paid) };
    const booked = await d.orders.completeCheckout({
      orderId: order.id,
      paymentId,
      journals: paymentJournals(paid, d.feeBps),
      events: [orderEvent(TOPICS.orderPaid, paid, d.tracing.currentHeaders())],
      response,
      now: paidAt,
    });
    if (!booked) {
      const now = await d.orders.getOrder(order.id);
      if (now?.status === 'paid' && now.paymentId === paymentId) return { status: 201, body: orderBody(now) };
      return this.#lateCapture(order, paymentId);
    }
    d.onOutboxWrite?.();
    d.metrics?.checkouts.inc({ outcome: 'success' });
    d.metrics?.orders.inc({ status: 'paid' });
    return { status: 201, body: response.body };
  }

  /** A decline is final: stock released, the 402 stored and replayed for the key. */
  async settleDeclined(order: Order, declineCode: string | undefined): Promise<UseCaseResult> {
    const d = this.#d;
    const failure = problem(402, 'payment-declined', 'The card was declined', {
      declineCode,
      orderId: order.id,
    });
    // A decline is the buyer's card, not an incident.
    d.log?.info(
      { [ATTR.orderId]: order.id, [ATTR.paymentOutcome]: 'declined', [ATTR.paymentDeclineCode]: declineCode },
      'payment declined',
    );
    await this.#fail(order, `declined:${declineCode ?? 'unknown'}`, {
      status: failure.status,
      body: { ...failure.body, problem: failure.problem },
    });
    return failure;
  }

  /**
   * Nothing was charged (the PSP refused before processing, or the key was barred): stock released
   * and the key forgotten, so the client may retry the same Idempotency-Key once the PSP recovers.
   */
  async settleNotCharged(order: Order, reason: string): Promise<UseCaseResult> {
    await this.#fail(order, reason, undefined);
    return problem(503, 'payment-unavailable', 'The payment provider is unavailable; retry later', {
      orderId: order.id,
      reason,
    });
  }

  async #fail(order: Order, reason: string, response: StoredResponse | undefined): Promise<void> {
    const d = this.#d;
    const failedOrder: Order = { ...order, status: 'payment_failed' };
    await d.orders.failCheckout({
      orderId: order.id,
      reason,
      events: [orderEvent(TOPICS.paymentFailed, failedOrder, d.tracing.currentHeaders())],
      response,
      now: this.#now(),
    });
    d.onOutboxWrite?.();
    await d.onStockChange?.(order.items.map((i) => i.listingId));
    d.metrics?.checkouts.inc({ outcome: 'payment_failed' });
    d.metrics?.reservationFailures.inc({ reason: 'payment_failed' });
  }

  /** The outcome is unknown: keep stock and key, hand the order to the resolver, answer 202. */
  async #inDoubt(order: Order, reason: string | undefined): Promise<UseCaseResult> {
    const d = this.#d;
    const now = this.#now();
    await d.orders.markPaymentUnknown(order.id, now + d.resolveDelayMs, now);
    d.tracing.event(SPAN_EVENTS.paymentUnknown, { [ATTR.orderId]: order.id, reason: reason ?? 'unknown' });
    d.log?.warn(
      { [ATTR.orderId]: order.id, [ATTR.paymentOutcome]: 'unknown', reason: reason ?? 'unknown' },
      'payment outcome unknown; the order keeps its stock until the resolver settles it',
    );
    // Counted in marketbench_checkouts_total once settled, with its real outcome.
    return {
      status: 202,
      body: orderBody(order),
      headers: { 'retry-after': String(CHECKOUT_RETRY_AFTER_S), location: `/orders/${order.id}` },
    };
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
      if (cancelled?.status === 'pending_payment') {
        // Its payment is in doubt: only the resolver may settle it (capture or void).
        return problem(
          409,
          'order-not-cancellable',
          'The payment of this order is being confirmed; retry later',
          {
            status: cancelled.status,
          },
        );
      }
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
      // The refund key is derived from the order: a retry of this cancel cannot refund twice. A
      // refund that may have happened is the resolver's to confirm, so the books follow the PSP
      // even if the client never retries.
      if (refund.outcome === 'unknown') {
        const now = this.#now();
        await d.orders.markRefundUnknown(order.id, now + d.resolveDelayMs, now);
      }
      return problem(503, 'payment-unavailable', 'The refund could not be made; retry later', {
        reason: refund.reason ?? refund.outcome,
      });
    }
    return { status: 200, body: orderBody(await this.settleRefunded(order, headers)) };
  }

  /** The PSP refunded: order refunded, stock released, reversal journals and event; once. */
  async settleRefunded(order: Order, headers: Record<string, string> = {}): Promise<Order> {
    const d = this.#d;
    let refunded: Order;
    try {
      refunded = await d.orders.completeRefund({
        orderId: order.id,
        journals: refundJournals(order, d.feeBps),
        events: [orderEvent(TOPICS.orderRefunded, { ...order, status: 'refunded' }, headers)],
        now: this.#now(),
      });
    } catch (err) {
      // Settled meanwhile (a retried cancel and the resolver both confirmed the one PSP refund).
      const now = await d.orders.getOrder(order.id);
      if (now?.status === 'refunded') return now;
      throw err;
    }
    d.onOutboxWrite?.();
    await d.onStockChange?.(order.items.map((i) => i.listingId));
    d.metrics?.orders.inc({ status: 'refunded' });
    return refunded;
  }

  /**
   * The PSP captured after the reservation expired (the sweeper already released the stock and
   * failed the order): give the money back, so the PSP and the ledger agree, and tell the buyer.
   */
  async #lateCapture(order: Order, paymentId: string): Promise<UseCaseResult> {
    // (The order was cancelled while its payment was in flight.)
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
      'payment captured after the order was cancelled; refunded',
    );
    return problem(
      409,
      'reservation-expired',
      'The order was cancelled before its payment completed; the charge was refunded',
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
