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

/** Fingerprint of a checkout request; the card appears only as its token, never as a PAN. */
export function checkoutRequestHash(cartId: string, cardToken: string): string {
  return createHash('sha256').update(cartId).update('\0').update(cardToken).digest('base64url');
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
