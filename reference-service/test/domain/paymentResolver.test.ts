// Unknown payment outcomes end to end, over the real gateway and PSP simulator: a timeout after the
// PSP acted answers 202 and keeps stock and key; a retry gets 409 with Retry-After; the resolver
// asks the PSP by the order's key and settles (paid, or voided and released); a PSP that cannot be
// asked sends the order to payment_review after the bounded tries, counted by an alert metric.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pspPaymentKey } from '../../src/domain/checkoutPolicy.ts';
import type { MarketApp } from '../../src/index.ts';
import { admin, cartWith, checkout, json, testApp } from '../helpers.ts';

let last: unknown;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(last)})`);
    await sleep(25);
  }
}

describe('payments of unknown outcome', () => {
  let m: MarketApp;
  before(async () => {
    m = await testApp({
      items: 300,
      payment: {
        attemptTimeoutMs: 120,
        maxAttempts: 1,
        resolveIntervalMs: 40,
        // Longer than the PSP's injected latency: an attempt still on the wire has landed by then.
        resolveDelayMs: 400,
        resolveDelayCapMs: 60,
        resolveMaxAttempts: 3,
      },
    });
  });
  after(async () => {
    await m?.app.close();
  });
  const setFaults = (faults: Record<string, unknown>) =>
    json(m.app, 'PUT', '/admin/faults', { faults }, admin);
  const order = async (id: string) => (await json(m.app, 'GET', `/orders/${id}`)).body;
  const stockOf = async (id: number) => (await json(m.app, 'GET', `/listings/${id}`)).body.quantity;

  it('a timeout after the PSP captured: 202, 409 with Retry-After, then paid once and replayed', async () => {
    await json(m.app, 'PATCH', '/listings/21', { quantity: 1, status: 'active' });
    const cartId = await cartWith(m.app, [21], 'doubt-1');
    // The PSP answers after 300 ms, the attempt gives up at 120 ms: the PSP charges, we never hear.
    await setFaults({ psp: { latency: { distribution: 'fixed', ms: 300 } } });
    const first = await checkout(m.app, cartId, 'doubt-key-1');
    assert.equal(first.status, 202, JSON.stringify(first.body));
    assert.equal(first.headers['retry-after'], '1');
    assert.equal(first.body.status, 'pending_payment');
    const orderId = String(first.body.id);
    assert.equal(await stockOf(21), 0, 'stock stays reserved while the outcome is unknown');
    const retry = await checkout(m.app, cartId, 'doubt-key-1');
    assert.equal(retry.status, 409, JSON.stringify(retry.body));
    assert.equal(retry.body.type, 'https://marketbench.dev/problems/checkout-in-progress');
    assert.equal(retry.headers['retry-after'], '1');
    await setFaults({});
    const paid = await until('the resolver to settle', async () => {
      const o = await order(orderId);
      if (o.status === 'paid') return o;
      last = o;
      return undefined;
    });
    assert.equal(paid.paymentId, m.psp!.payment(pspPaymentKey(orderId))?.paymentId);
    const replay = await checkout(m.app, cartId, 'doubt-key-1');
    assert.equal(replay.status, 201);
    assert.equal(replay.headers['idempotent-replayed'], 'true');
    assert.equal(replay.body.id, orderId);
    assert.equal(m.psp!.chargesFor(pspPaymentKey(orderId)), 1);
    assert.equal((await json(m.app, 'GET', '/admin/ledger/check', undefined, admin)).body.balanced, true);
  });

  it('a PSP that never saw the attempt: the resolver bars the key, fails the order, frees stock and key', async () => {
    await json(m.app, 'PATCH', '/listings/22', { quantity: 1, status: 'active' });
    const cartId = await cartWith(m.app, [22], 'doubt-2');
    await setFaults({});
    // The order is pending with an unknown outcome and the PSP never heard of it (the request died
    // on the way, or the process crashed before sending): the resolver must void, not wait forever.
    const started = await m.services.stores.orders.beginCheckout({
      idempotencyKey: 'doubt-key-2',
      requestHash: 'h',
      cartId,
      orderId: crypto.randomUUID(),
      card: { token: 'tok_x', last4: '4242', brand: 'visa' },
      feeBps: 1_000,
      now: Date.now(),
      reservationExpiresAt: Date.now() + 60_000,
    });
    if (started.kind !== 'started') return assert.fail(started.kind);
    const orderId = started.order.id;
    await m.services.stores.orders.markPaymentUnknown(orderId, Date.now(), Date.now());
    const failed = await until('the resolver to void', async () => {
      const o = await order(orderId);
      return o.status === 'payment_failed' ? o : undefined;
    });
    assert.equal(failed.failureReason, 'voided');
    assert.equal(m.psp!.payment(pspPaymentKey(orderId))?.status, 'voided', 'the key is barred at the PSP');
    assert.equal(await stockOf(22), 1, 'stock released');
    assert.equal(
      (
        await m.services.stores.orders.beginCheckout({
          idempotencyKey: 'doubt-key-2',
          requestHash: 'h',
          cartId,
          orderId: crypto.randomUUID(),
          card: { token: 'tok_x', last4: '4242', brand: 'visa' },
          feeBps: 1_000,
          now: Date.now(),
          reservationExpiresAt: Date.now() + 60_000,
        })
      ).kind,
      'started',
      'the key is free for a new attempt',
    );
  });

  it('a PSP that cannot be asked: payment_review after the bounded tries, stock held, alert metric up', async () => {
    await json(m.app, 'PATCH', '/listings/23', { quantity: 1, status: 'active' });
    const cartId = await cartWith(m.app, [23], 'doubt-3');
    await setFaults({ psp: { latency: { distribution: 'fixed', ms: 300 } } });
    const first = await checkout(m.app, cartId, 'doubt-key-3');
    assert.equal(first.status, 202);
    const orderId = String(first.body.id);
    // Every lookup and void now fails before processing: the resolver cannot learn anything.
    await setFaults({ psp: { outage: true } });
    const reviewed = await until('payment_review', async () => {
      const o = await order(orderId);
      return o.status === 'payment_review' ? o : undefined;
    });
    assert.match(String(reviewed.failureReason), /^unresolved:/);
    assert.equal(await stockOf(23), 0, 'stock stays held: the money may have been taken');
    const scrape = await m.app.inject({ method: 'GET', url: '/metrics' });
    assert.match(scrape.body, /marketbench_payment_reviews_total \d+/);
    assert.match(scrape.body, /marketbench_payment_resolutions_total\{outcome="review"\} 1/);
    const retry = await checkout(m.app, cartId, 'doubt-key-3');
    assert.equal(retry.status, 409, 'the key stays held while a human decides');
    await setFaults({});
  });

  it('a refund that timed out is confirmed by the resolver: refunded once, stock back, books follow the PSP', async () => {
    await setFaults({});
    await json(m.app, 'PATCH', '/listings/24', { quantity: 1, status: 'active' });
    const cartId = await cartWith(m.app, [24], 'doubt-4');
    const paid = await checkout(m.app, cartId, 'doubt-key-4');
    assert.equal(paid.status, 201, JSON.stringify(paid.body));
    const orderId = String(paid.body.id);
    // The PSP refunds after 300 ms; the attempt gives up at 120 ms: money moved, we never heard.
    await setFaults({ psp: { latency: { distribution: 'fixed', ms: 300 } } });
    const cancel = await json(m.app, 'POST', `/orders/${orderId}/cancel`);
    assert.equal(cancel.status, 503, JSON.stringify(cancel.body));
    await setFaults({});
    const refunded = await until('the resolver to confirm the refund', async () => {
      const o = await order(orderId);
      return o.status === 'refunded' ? o : undefined;
    });
    assert.equal(refunded.status, 'refunded');
    assert.equal(await stockOf(24), 1, 'stock back on sale');
    const refunds = m
      .psp!.settlements()
      .records.filter((r) => r.reference === orderId && r.type === 'refund');
    assert.equal(refunds.length, 1, 'one refund at the PSP');
    // A late retry of the cancel changes nothing.
    assert.equal((await json(m.app, 'POST', `/orders/${orderId}/cancel`)).status, 409);
  });

  it('GET /admin/reconciliation: the PSP matches orders and ledger to the cent; the order in review is listed', async () => {
    const r = await json<{
      ok: boolean;
      counts: Record<string, number>;
      currencies: Record<
        string,
        { pspNetCents: number; paidOrdersCents: number; ledgerClearingCents: number }
      >;
      discrepancies: Array<{ kind: string; orderId: string }>;
    }>(m.app, 'GET', '/admin/reconciliation', undefined, admin);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const nonZero = Object.entries(r.body.counts).filter(([, v]) => v > 0);
    // The order in review, and the new attempt the freed key started in the second case (never paid).
    assert.deepEqual(nonZero, [['unsettled_pending', 2]], JSON.stringify(r.body.discrepancies));
    assert.equal(r.body.ok, false);
    const eur = r.body.currencies.EUR;
    assert.ok(eur.pspNetCents > 0);
    // The PSP holds the paid orders' money plus the capture of the order in review, which the
    // ledger rightly has not booked: that difference is exactly the unsettled order.
    const inReview = r.body.discrepancies.find((d) => d.kind === 'unsettled_pending' && d.orderId);
    let reviewCents = 0;
    for (const d of r.body.discrepancies) {
      const o = await order(d.orderId);
      if (o.status === 'payment_review') reviewCents += Number(o.totalCents);
    }
    assert.ok(inReview && reviewCents > 0);
    assert.equal(eur.paidOrdersCents, eur.ledgerClearingCents);
    assert.equal(eur.pspNetCents, eur.paidOrdersCents + reviewCents);
    const scrape = await m.app.inject({ method: 'GET', url: '/metrics' });
    assert.match(scrape.body, /marketbench_reconciliation_discrepancies\{kind="unsettled_pending"\} 2/);
    const bad = await json(m.app, 'GET', '/admin/reconciliation?from=yesterday', undefined, admin);
    assert.equal(bad.status, 400);
  });
});
