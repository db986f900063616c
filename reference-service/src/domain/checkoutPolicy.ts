// Pure rules of a checkout: how a request body is fingerprinted for idempotency and which
// events a state change announces. Kept apart from CheckoutService so they test without I/O.
import { createHash } from 'node:crypto';
import type { Order, OutboxEvent } from './model.ts';

export const TOPICS = {
  orderPaid: 'order.paid',
  paymentFailed: 'payment.failed',
  orderCancelled: 'order.cancelled',
  orderRefunded: 'order.refunded',
} as const;

/**
 * Fingerprint of a checkout request: a hash of its canonical form (the cart, which fixes amount and
 * currency, and the card's keyed fingerprint, never its PAN). The card fingerprint is an HMAC under
 * MARKETBENCH_CARD_FINGERPRINT_SECRET, the same in every process, so the same body after a restart
 * or on another instance has the same fingerprint: a replay or a 409, never a 422.
 */
export function checkoutRequestHash(cartId: string, cardToken: string): string {
  return createHash('sha256')
    .update(JSON.stringify({ cartId, card: cardToken }))
    .digest('base64url');
}

/**
 * The PSP-side idempotency key of an order's payment. Derived from the order alone, so every
 * attempt for it (the service's retries, a hedge, the resolver, a client retry with the same
 * Idempotency-Key, which finds the same order) carries the same key and the PSP charges once.
 */
export function pspPaymentKey(orderId: string): string {
  return `order:${orderId}`;
}

export function orderEvent(topic: string, order: Order, headers: Record<string, string>): OutboxEvent {
  return {
    topic,
    key: order.id,
    payload: {
      orderId: order.id,
      buyerId: order.buyerId,
      status: order.status,
      totalCents: order.totalCents,
      feeCents: order.feeCents,
      currency: order.currency,
      sellerIds: [...new Set(order.items.map((i) => i.sellerId))],
    },
    headers,
  };
}
