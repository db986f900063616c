// The repository test suite every storage backend must pass (SQLite and PostgreSQL run the same
// cases): catalog reads, carts, the checkout transactions under concurrency, the ledger check
// and the outbox.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { orderEvent, TOPICS } from '../../src/domain/checkoutPolicy.ts';
import { paymentJournals, refundJournals } from '../../src/domain/ledger.ts';
import type { Order } from '../../src/domain/model.ts';
import type { BeginCheckoutResult, Stores } from '../../src/domain/ports.ts';

export const CONTRACT_ITEMS = 3_000;
export const CONTRACT_SEED = 11;
const FEE = 1_000;
const card = { token: 'tok_contract', last4: '4242', brand: 'visa' };

export function describeStoreContract(name: string, open: () => Promise<Stores | undefined>): void {
  describe(`store contract: ${name}`, () => {
    let s: Stores;
    let skip = false;
    before(async () => {
      const opened = await open();
      if (!opened) skip = true;
      else s = opened;
    });
    after(async () => {
      await s?.close();
    });

    const begin = (cartId: string, key: string = randomUUID(), now = Date.now(), ttl = 60_000) =>
      s.orders.beginCheckout({
        idempotencyKey: key,
        requestHash: `hash-${cartId}`,
        cartId,
        orderId: randomUUID(),
        card,
        feeBps: FEE,
        now,
        reservationExpiresAt: now + ttl,
      });
    const cartOf = async (listingIds: number[], qty = 1) => {
      const cart = await s.carts.createCart(`buyer-${randomUUID().slice(0, 8)}`, 'EUR', Date.now());
      for (const id of listingIds)
        assert.equal((await s.carts.addItem(cart.id, id, qty, Date.now())).ok, true);
      return cart.id;
    };
    const stock = async (id: number, quantity: number) => {
      await s.listings.updateListing(id, { quantity, status: 'active' }, Date.now());
    };
    const pay = async (order: Order, key: string) => {
      const paid: Order = { ...order, status: 'paid', paymentId: `pay_${order.id}` };
      await s.orders.completeCheckout({
        orderId: order.id,
        paymentId: paid.paymentId!,
        journals: paymentJournals(paid, FEE),
        events: [
          orderEvent(TOPICS.orderPaid, paid, {
            traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
          }),
        ],
        response: { status: 201, body: { id: order.id } },
        now: Date.now(),
      });
      return (await s.orders.getOrder(order.id))!;
    };

    it('serves the deterministic seed: listing 1 and seller 1 are the same on every backend', async (t) => {
      if (skip) return t.skip('backend unavailable');
      const l = await s.listings.getListing(1);
      assert.ok(l);
      assert.deepEqual(
        {
          id: l.id,
          title: l.title,
          brand: l.brand,
          priceCents: l.priceCents,
          sellerId: l.sellerId,
          createdAt: l.createdAt,
        },
        SEED_LISTING_1,
      );
      assert.equal((await s.listings.getSeller(1))?.name, SEED_SELLER_1_NAME);
      assert.equal(await s.listings.getListing(CONTRACT_ITEMS + 10_000), undefined);
    });

    it('pages listings by keyset in both directions of price', async (t) => {
      if (skip) return t.skip('backend unavailable');
      for (const sort of ['price_asc', 'price_desc', 'newest'] as const) {
        const ids = new Set<number>();
        let after: { key: number; id: number } | undefined;
        let pages = 0;
        do {
          const page = await s.listings.listListings({ category: 'bags', sort, after, limit: 100 });
          for (const l of page.items) {
            assert.equal(l.category, 'bags');
            assert.ok(!ids.has(l.id));
            ids.add(l.id);
          }
          after = page.next;
          pages++;
        } while (after && pages < 100);
        const all = await s.listings.listListings({ category: 'bags', sort, limit: 10_000 });
        assert.equal(ids.size, all.items.length, sort);
      }
    });

    it('searches with relevance and sees new and edited listings', async (t) => {
      if (skip) return t.skip('backend unavailable');
      const hits = await s.listings.searchListings('Patagonia', 20);
      assert.ok(hits.length > 0);
      assert.ok(hits.every((h) => h.brand === 'Patagonia'));
      const created = await s.listings.createListing(
        {
          sellerId: 1,
          title: 'Qwertyuiop parka',
          brand: 'Arket',
          category: 'menswear',
          size: 'L',
          condition: 'good',
          description: 'warm',
          priceCents: 5_000,
          currency: 'EUR',
          quantity: 1,
        },
        Date.now(),
      );
      assert.deepEqual(
        (await s.listings.searchListings('qwertyuiop', 5)).map((h) => h.id),
        [created.id],
      );
      await s.listings.updateListing(created.id, { title: 'Asdfghjkl parka' }, Date.now());
      assert.deepEqual(await s.listings.searchListings('qwertyuiop', 5), []);
      assert.equal((await s.listings.searchListings('asdfghjkl', 5))[0]?.id, created.id);
    });

    it('concurrent checkouts of the last item reserve it exactly once', async (t) => {
      if (skip) return t.skip('backend unavailable');
      await stock(100, 1);
      const carts = await Promise.all(Array.from({ length: 12 }, () => cartOf([100])));
      const results = await Promise.all(carts.map((c) => begin(c)));
      assert.equal(results.filter((r) => r.kind === 'started').length, 1);
      assert.equal(results.filter((r) => r.kind === 'out_of_stock').length, 11);
      const l = await s.listings.getListing(100);
      assert.deepEqual([l?.quantity, l?.status], [0, 'sold']);
    });

    it('relists listings that sold out before the cutoff, and only those', async (t) => {
      if (skip) return t.skip('backend unavailable');
      await stock(106, 1);
      await stock(107, 1);
      const soldAt = Date.now();
      for (const id of [106, 107])
        assert.equal(
          (await begin(await cartOf([id]), randomUUID(), id === 106 ? soldAt - 10_000 : soldAt)).kind,
          'started',
        );
      const relisted = await s.listings.relistSoldBefore(soldAt - 5_000, soldAt);
      assert.ok(relisted.includes(106));
      assert.ok(!relisted.includes(107));
      const l = await s.listings.getListing(106);
      assert.deepEqual([l?.quantity, l?.status], [1, 'active']);
      assert.equal((await s.listings.getListing(107))?.status, 'sold');
    });

    it('concurrent duplicates of one key start one checkout', async (t) => {
      if (skip) return t.skip('backend unavailable');
      await stock(101, 5);
      const cart = await cartOf([101]);
      const results: BeginCheckoutResult[] = await Promise.all(
        Array.from({ length: 6 }, () => begin(cart, 'contract-dup-key')),
      );
      assert.equal(results.filter((r) => r.kind === 'started').length, 1);
      assert.ok(results.every((r) => r.kind === 'started' || r.kind === 'in_progress'));
      assert.equal((await s.listings.getListing(101))?.quantity, 4);
    });

    it('pays, replays the stored answer, refunds, and the ledger ties out', async (t) => {
      if (skip) return t.skip('backend unavailable');
      await stock(102, 1);
      await stock(103, 2);
      const cart = await cartOf([102, 103]);
      const started = await begin(cart, 'contract-pay-key');
      assert.equal(started.kind, 'started');
      if (started.kind !== 'started') return;
      const paid = await pay(started.order, 'contract-pay-key');
      assert.equal(paid.status, 'paid');
      assert.equal(paid.items.length, 2);
      const replay = await begin(cart, 'contract-pay-key');
      assert.deepEqual(replay, {
        kind: 'replay',
        requestHash: `hash-${cart}`,
        response: { status: 201, body: { id: started.order.id } },
      });
      assert.equal((await s.ledger.checkLedger()).balanced, true);
      const refunded = await s.orders.completeRefund({
        orderId: paid.id,
        journals: refundJournals(paid, FEE),
        events: [],
        now: Date.now(),
      });
      assert.equal(refunded.status, 'refunded');
      assert.equal((await s.listings.getListing(102))?.quantity, 1);
      const report = await s.ledger.checkLedger();
      assert.equal(report.balanced, true);
      assert.deepEqual(
        Object.values(report.currencies).map((c) => c.total),
        [0],
      );
      await assert.rejects(() =>
        s.orders.completeRefund({ orderId: paid.id, journals: [], events: [], now: Date.now() }),
      );
    });

    it('a failed payment releases stock and forgets the key; expired reservations are swept', async (t) => {
      if (skip) return t.skip('backend unavailable');
      await stock(104, 1);
      const cart = await cartOf([104]);
      const started = await begin(cart, 'contract-fail-key');
      assert.equal(started.kind, 'started');
      if (started.kind !== 'started') return;
      const failed = await s.orders.failCheckout({
        orderId: started.order.id,
        reason: 'timeout',
        events: [],
        response: undefined,
        now: Date.now(),
      });
      assert.equal(failed.status, 'payment_failed');
      assert.equal((await s.listings.getListing(104))?.quantity, 1);
      assert.equal((await begin(cart, 'contract-fail-key')).kind, 'started', 'the key may be retried');
      // An order held past its reservation (a crashed request) is due for the resolver, once.
      await stock(106, 1);
      const held = await begin(await cartOf([106]), 'contract-held-key', Date.now(), 10);
      if (held.kind !== 'started') return assert.fail(held.kind);
      const now = Date.now() + 1_000;
      const due = await s.orders.claimDuePayments(now, 60_000, 500);
      const mine = due.find((d) => d.order.id === held.order.id);
      assert.deepEqual(mine && { attempts: mine.attempts, unknown: mine.unknown }, {
        attempts: 1,
        unknown: false,
      });
      assert.ok(
        !(await s.orders.claimDuePayments(now, 60_000, 500)).some((d) => d.order.id === held.order.id),
        'leased',
      );
      assert.equal(await s.orders.markPaymentUnknown(held.order.id, now - 1, now), true);
      const again = (await s.orders.claimDuePayments(now, 60_000, 500)).find(
        (d) => d.order.id === held.order.id,
      );
      assert.deepEqual(again && { attempts: again.attempts, unknown: again.unknown }, {
        attempts: 2,
        unknown: true,
      });
      assert.equal((await s.listings.getListing(106))?.quantity, 0, 'stock stays reserved while in doubt');
      const pendingCancel = await s.orders.cancelPending(held.order.id, [], now);
      assert.equal(pendingCancel?.status, 'pending_payment', 'an order in doubt cannot be cancelled');
      assert.equal(await s.orders.markPaymentReview(held.order.id, 'unresolved:timeout', now), true);
      const reviewed = await s.orders.getOrder(held.order.id);
      assert.equal(reviewed?.status, 'payment_review');
      assert.equal((await begin(held.order.cartId, 'contract-held-key')).kind, 'in_progress', 'key held');
    });

    it('the ledger check catches an unbalanced journal', async (t) => {
      if (skip) return t.skip('backend unavailable');
      await stock(105, 1);
      const cart = await cartOf([105]);
      const started = await begin(cart, 'contract-bad-ledger');
      if (started.kind !== 'started') return assert.fail(started.kind);
      const paid: Order = { ...started.order, status: 'paid', paymentId: 'pay_bad' };
      const journals = paymentJournals(paid, FEE);
      journals[1].postings[0].amountCents += 1;
      await s.orders.completeCheckout({
        orderId: paid.id,
        paymentId: 'pay_bad',
        journals,
        events: [],
        response: { status: 201, body: {} },
        now: Date.now(),
      });
      const report = await s.ledger.checkLedger();
      assert.equal(report.balanced, false);
      assert.deepEqual(report.unbalancedJournals, [`${paid.id}:settled`]);
      assert.deepEqual(report.mismatchedOrders, [paid.id]);
    });

    it('the ledger is per currency: EUR and USD cents never add up, a journal in the wrong currency is caught', async (t) => {
      if (skip) return t.skip('backend unavailable');
      const now = Date.now();
      const usd = await s.listings.createListing(
        {
          sellerId: 3,
          title: 'USD jacket',
          brand: 'Levi',
          category: 'jackets',
          size: 'M',
          condition: 'good',
          description: 'priced in dollars',
          priceCents: 12_345,
          currency: 'USD',
          quantity: 2,
        },
        now,
      );
      const cart = await s.carts.createCart('buyer-usd', 'USD', now);
      assert.equal((await s.carts.addItem(cart.id, usd.id, 1, now)).ok, true);
      const started = await begin(cart.id, 'contract-usd');
      if (started.kind !== 'started') return assert.fail(started.kind);
      assert.equal(started.order.currency, 'USD');
      await pay(started.order, 'contract-usd');
      const report = await s.ledger.checkLedger();
      assert.equal(report.balanced, false, 'the unbalanced journal of the previous case is still there');
      assert.equal(report.currencies.USD.total, 0);
      assert.equal(report.currencies.USD.accounts.psp_clearing, 12_345);
      assert.ok(report.currencies.EUR.accounts.psp_clearing > 0);
      assert.ok(!report.mismatchedOrders.includes(started.order.id));
      // The same order booked again in EUR: tied out in amount, but in a foreign currency.
      const cart2 = await s.carts.createCart('buyer-usd', 'USD', now);
      assert.equal((await s.carts.addItem(cart2.id, usd.id, 1, now)).ok, true);
      const second = await begin(cart2.id, 'contract-usd-2');
      if (second.kind !== 'started') return assert.fail(second.kind);
      const paid: Order = { ...second.order, status: 'paid', paymentId: 'pay_usd2' };
      await s.orders.completeCheckout({
        orderId: paid.id,
        paymentId: 'pay_usd2',
        journals: paymentJournals({ ...paid, currency: 'EUR' }, FEE),
        events: [],
        response: { status: 201, body: {} },
        now: Date.now(),
      });
      const after = await s.ledger.checkLedger();
      assert.ok(after.mismatchedOrders.includes(paid.id));
      assert.equal(after.currencies.USD.accounts.psp_clearing, 12_345, 'the EUR booking did not land in USD');
    });

    it('the outbox hands out pending events in order, once published they are gone, sales apply once', async (t) => {
      if (skip) return t.skip('backend unavailable');
      const pending = await s.outbox.pending(1_000);
      assert.ok(pending.length >= 1);
      assert.ok(pending.every((e, i) => i === 0 || e.id > pending[i - 1].id));
      const paidEvent = pending.find((e) => e.topic === TOPICS.orderPaid);
      assert.ok(paidEvent?.headers.traceparent, 'trace context stored with the event');
      await s.outbox.markFailed([pending[0].id]);
      assert.equal((await s.outbox.pending(1))[0].attempts, pending[0].attempts + 1);
      await s.outbox.markPublished(
        pending.map((e) => e.id),
        Date.now(),
      );
      assert.deepEqual(await s.outbox.pending(1_000), []);
      const before = (await s.listings.getSeller(2))!.salesCount;
      assert.equal(await s.outbox.applySale('evt-1', [2]), true);
      assert.equal(await s.outbox.applySale('evt-1', [2]), false);
      assert.equal((await s.listings.getSeller(2))!.salesCount, before + 1);
    });
  });
}

/** Listing 1 of the (3000, 11) catalog, as both backends must return it. */
export const SEED_LISTING_1 = {
  id: 1,
  title: 'Puma cream crossbody bag',
  brand: 'Puma',
  priceCents: 450,
  sellerId: 73,
  createdAt: '2025-12-30T23:00:19.390Z',
};
export const SEED_SELLER_1_NAME = 'Tomas_1';
