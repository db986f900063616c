import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pspPaymentKey } from '../../src/domain/checkoutPolicy.ts';
import type { MarketApp } from '../../src/index.ts';
import { admin, CARD, cartWith, checkout, DECLINED_CARD, json, testApp } from '../helpers.ts';

describe('buying routes (app.inject)', () => {
  let m: MarketApp;
  before(async () => {
    m = await testApp();
  });
  after(() => m.app.close());

  const setQuantity = async (id: number, quantity: number) => {
    const r = await json(m.app, 'PATCH', `/listings/${id}`, { quantity, status: 'active' });
    assert.equal(r.status, 200);
  };
  const ledgerBalanced = async () =>
    (await json(m.app, 'GET', '/admin/ledger/check', undefined, admin)).body.balanced;

  it('carts: create, add (quantities add up), read priced lines; 404 and 400 with the field', async () => {
    await setQuantity(10, 5);
    const cart = await json<{ id: string }>(m.app, 'POST', '/carts', { buyerId: 'b-cart' });
    assert.equal(cart.status, 201);
    await json(m.app, 'POST', `/carts/${cart.body.id}/items`, { listingId: 10, quantity: 2 });
    const r = await json<{
      items: Array<{ listingId: number; quantity: number; unitPriceCents: number }>;
      totalCents: number;
    }>(m.app, 'POST', `/carts/${cart.body.id}/items`, { listingId: 10 });
    assert.equal(r.body.items[0].quantity, 3);
    assert.equal(r.body.totalCents, 3 * r.body.items[0].unitPriceCents);
    assert.deepEqual((await json(m.app, 'GET', `/carts/${cart.body.id}`)).body, r.body);
    assert.equal((await json(m.app, 'GET', '/carts/00000000-0000-4000-8000-000000000000')).status, 404);
    assert.equal(
      (await json(m.app, 'POST', `/carts/${cart.body.id}/items`, { listingId: 99_999_999 })).body.field,
      'listingId',
    );
    const bad = await json(m.app, 'POST', `/carts/${cart.body.id}/items`, { listingId: 10, quantity: 0 });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.field, 'quantity');
    assert.equal((await json(m.app, 'POST', '/carts', {})).body.field, 'buyerId');
  });

  it('checkout pays, takes the stock, books a balanced ledger and serves the order', async () => {
    await setQuantity(20, 1);
    const cartId = await cartWith(m.app, [20]);
    const r = await checkout(m.app, cartId, 'happy-path-key-1');
    assert.equal(r.status, 201);
    assert.equal(r.body.status, 'paid');
    assert.match(String(r.body.paymentId), /^pay_/);
    assert.equal(r.body.cardLast4, '4242');
    assert.equal(r.body.feeCents, Math.floor((r.body.totalCents as number) / 10));
    const listing = await json(m.app, 'GET', '/listings/20');
    assert.equal(listing.body.quantity, 0);
    assert.equal(listing.body.status, 'sold');
    assert.deepEqual((await json(m.app, 'GET', `/orders/${r.body.id}`)).body, r.body);
    assert.equal(await ledgerBalanced(), true);
  });

  it('Idempotency-Key: same body replays the first response, another body answers 422, none answers 400', async () => {
    await setQuantity(30, 2);
    const cartId = await cartWith(m.app, [30]);
    const first = await checkout(m.app, cartId, 'idem-key-0001');
    const again = await checkout(m.app, cartId, 'idem-key-0001');
    assert.equal(again.status, 201);
    assert.deepEqual(again.body, first.body);
    assert.equal(again.headers['idempotent-replayed'], 'true');
    assert.equal(
      (await json(m.app, 'GET', '/listings/30')).body.quantity,
      1,
      'the replay did not take stock again',
    );
    assert.equal(m.psp!.chargesFor(pspPaymentKey(String(first.body.id))), 1);
    const other = await checkout(m.app, cartId, 'idem-key-0001', { ...CARD, number: '5555555555554444' });
    assert.equal(other.status, 422);
    assert.equal(other.body.type, 'https://marketbench.dev/problems/idempotency-key-reused');
    const none = await json(m.app, 'POST', '/checkout', { cartId, payment: { card: CARD } });
    assert.equal(none.status, 400);
    assert.equal(none.body.field, 'Idempotency-Key');
  });

  it('concurrent duplicates of one checkout charge the card exactly once', async () => {
    await setQuantity(40, 3);
    const cartId = await cartWith(m.app, [40]);
    const before = m.psp!.stats().charges;
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => checkout(m.app, cartId, 'dup-key-00001')),
    );
    const ids = new Set(answers.map((a) => a.body.id));
    assert.equal(ids.size, 1, 'every duplicate got the same order');
    assert.ok(answers.every((a) => a.status === 201));
    assert.equal(answers.filter((a) => a.headers['idempotent-replayed'] === 'true').length, 7);
    assert.equal(m.psp!.stats().charges - before, 1);
    assert.equal((await json(m.app, 'GET', '/listings/40')).body.quantity, 2);
  });

  it('concurrent buyers of the last item: exactly one order, the others 409 out-of-stock', async () => {
    await setQuantity(50, 1);
    const carts = await Promise.all(
      Array.from({ length: 10 }, (_, i) => cartWith(m.app, [50], `rival-${i}`)),
    );
    const answers = await Promise.all(carts.map((c, i) => checkout(m.app, c, `last-item-${i}-key`)));
    assert.equal(answers.filter((a) => a.status === 201).length, 1);
    const lost = answers.filter((a) => a.status === 409);
    assert.equal(lost.length, 9);
    assert.ok(lost.every((a) => a.body.type === 'https://marketbench.dev/problems/out-of-stock'));
    assert.deepEqual(lost[0].body.listingIds, [50]);
    const listing = await json(m.app, 'GET', '/listings/50');
    assert.equal(listing.body.quantity, 0);
    assert.equal(await ledgerBalanced(), true);
  });

  it('a declined card answers 402, releases the stock, and the decline is replayed', async () => {
    await setQuantity(60, 1);
    const cartId = await cartWith(m.app, [60]);
    const r = await checkout(m.app, cartId, 'declined-key-1', DECLINED_CARD);
    assert.equal(r.status, 402);
    assert.equal(r.body.declineCode, 'card_declined');
    assert.equal((await json(m.app, 'GET', '/listings/60')).body.quantity, 1, 'reservation released');
    assert.equal((await json(m.app, 'GET', `/orders/${r.body.orderId}`)).body.status, 'payment_failed');
    const replay = await checkout(m.app, cartId, 'declined-key-1', DECLINED_CARD);
    assert.equal(replay.status, 402);
    assert.equal(replay.headers['idempotent-replayed'], 'true');
    assert.equal(replay.body.orderId, r.body.orderId);
  });

  it('a card failing the Luhn check is refused at the edge naming the field', async () => {
    const cartId = await cartWith(m.app, [61]);
    const pspRequests = m.psp!.stats().requests;
    const r = await checkout(m.app, cartId, 'luhn-key-0001', { ...CARD, number: '4242424242424241' });
    assert.equal(r.status, 400);
    assert.equal(r.body.field, 'payment.card.number');
    assert.equal(m.psp!.stats().requests, pspRequests, 'the PSP never saw the request');
    const schema = await json(
      m.app,
      'POST',
      '/checkout',
      { cartId, payment: { card: { ...CARD, cvc: 'abc' } } },
      { 'idempotency-key': 'schema-key-1' },
    );
    assert.equal(schema.body.field, 'payment.card.cvc');
  });

  it('empty and unknown carts are refused', async () => {
    const empty = await json<{ id: string }>(m.app, 'POST', '/carts', { buyerId: 'b-empty' });
    assert.equal((await checkout(m.app, empty.body.id, 'empty-cart-key')).status, 422);
    assert.equal(
      (await checkout(m.app, '00000000-0000-4000-8000-000000000000', 'unknown-cart-key')).status,
      404,
    );
  });

  it('cancelling a paid order refunds it, restocks, and the ledger still ties out', async () => {
    await setQuantity(70, 1);
    const cartId = await cartWith(m.app, [70]);
    const paid = await checkout(m.app, cartId, 'refund-key-0001');
    const refunds = m.psp!.stats().refunds;
    const r = await json(m.app, 'POST', `/orders/${paid.body.id}/cancel`);
    assert.equal(r.status, 200);
    assert.equal(r.body.status, 'refunded');
    assert.equal(m.psp!.stats().refunds - refunds, 1);
    assert.equal((await json(m.app, 'GET', '/listings/70')).body.quantity, 1);
    const ledger = await json<{ balanced: boolean; accounts: Record<string, number> }>(
      m.app,
      'GET',
      '/admin/ledger/check',
      undefined,
      admin,
    );
    assert.equal(ledger.body.balanced, true);
    const again = await json(m.app, 'POST', `/orders/${paid.body.id}/cancel`);
    assert.equal(again.status, 409);
    assert.equal(again.body.type, 'https://marketbench.dev/problems/order-not-cancellable');
    assert.equal(
      (await json(m.app, 'POST', '/orders/00000000-0000-4000-8000-000000000000/cancel')).status,
      404,
    );
  });

  it('order events reach the consumer: the seller sales count goes up once per paid order', async () => {
    await setQuantity(80, 1);
    const sellerId = (await json(m.app, 'GET', '/listings/80')).body.sellerId;
    const before = (await json(m.app, 'GET', `/sellers/${sellerId}`)).body.salesCount as number;
    const cartId = await cartWith(m.app, [80]);
    assert.equal((await checkout(m.app, cartId, 'sales-key-0001')).status, 201);
    await m.relay.drain();
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal((await json(m.app, 'GET', `/sellers/${sellerId}`)).body.salesCount, before + 1);
  });
});

describe('reservation expiry during payment', () => {
  it('a payment slower than the reservation is settled once: paid and charged, or failed and never charged', async () => {
    // The reservation lasts 1 ms and the PSP answers after 1.5 s, so the resolver claims the order
    // while the request is still waiting for the PSP. Whoever settles it, the PSP and the order agree.
    const m = await testApp({
      items: 200,
      reservationTtlMs: 1,
      pspLatencyMs: 1_500,
      payment: { attemptTimeoutMs: 5_000, resolveIntervalMs: 200 },
    });
    try {
      await json(m.app, 'PATCH', '/listings/11', { quantity: 1 });
      const cartId = await cartWith(m.app, [11]);
      const r = await checkout(m.app, cartId, 'late-capture-key-1');
      const orderId = String(r.body.id ?? r.body.orderId);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const order = (await json(m.app, 'GET', `/orders/${orderId}`)).body;
      const atPsp = m.psp!.payment(pspPaymentKey(orderId));
      const stock = (await json(m.app, 'GET', '/listings/11')).body.quantity;
      if (r.status === 201) {
        assert.deepEqual([order.status, atPsp?.status, stock], ['paid', 'captured', 0]);
      } else {
        assert.equal(r.status, 503, JSON.stringify(r.body));
        assert.deepEqual([order.status, atPsp?.status, stock], ['payment_failed', 'voided', 1]);
      }
      assert.equal(m.psp!.chargesFor(pspPaymentKey(orderId)), r.status === 201 ? 1 : 0);
      assert.equal((await json(m.app, 'GET', '/admin/ledger/check', undefined, admin)).body.balanced, true);
    } finally {
      await m.app.close();
    }
  });
});

describe('relisting', () => {
  it('a sold-out listing is back on sale after relistAfterMs', async () => {
    const m = await testApp({ items: 200, relistAfterMs: 150 });
    try {
      await json(m.app, 'PATCH', '/listings/9', { quantity: 1 });
      const cartId = await cartWith(m.app, [9]);
      assert.equal((await checkout(m.app, cartId, 'relist-key-0001')).status, 201);
      assert.equal((await json(m.app, 'GET', '/listings/9')).body.status, 'sold');
      const deadline = Date.now() + 5_000;
      let status = 'sold';
      while (status === 'sold' && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        status = (await json(m.app, 'GET', '/listings/9')).body.status as string;
      }
      assert.equal(status, 'active', 'relisted, and the cached item was invalidated');
    } finally {
      await m.app.close();
    }
  });
});

describe('card data never reaches storage', () => {
  it('the SQLite files hold the token and last4, never the PAN', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mb-pan-'));
    const file = path.join(dir, 'store.sqlite');
    const m = await testApp({ sqlitePath: file, items: 200 });
    try {
      await json(m.app, 'PATCH', '/listings/5', { quantity: 3 });
      const cartId = await cartWith(m.app, [5]);
      assert.equal((await checkout(m.app, cartId, 'pan-check-key-1')).status, 201);
      assert.equal((await checkout(m.app, cartId, 'pan-check-key-2', DECLINED_CARD)).status, 402);
      await m.relay.drain();
    } finally {
      await m.app.close();
    }
    const bytes = fs
      .readdirSync(dir)
      .map((f) => fs.readFileSync(path.join(dir, f)).toString('latin1'))
      .join('');
    assert.ok(bytes.includes('4242'), 'the files were read');
    assert.ok(!bytes.includes('4242424242424242'));
    assert.ok(!bytes.includes('4000000000000002'));
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
