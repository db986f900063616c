// Property tests of the ledger rules: for any order (any prices, quantities, sellers, fee rate),
// every journal balances, a paid order ties out to its amount, and a refund brings every
// account back to zero.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  accountKind,
  expectedBalances,
  journalBalances,
  type OrderBalances,
  orderTotals,
  paymentJournals,
  refundJournals,
  tiesOut,
} from '../../src/domain/ledger.ts';
import type { Journal, OrderItem } from '../../src/domain/model.ts';

const item = fc.record({
  listingId: fc.integer({ min: 1, max: 5_000_000 }),
  sellerId: fc.integer({ min: 1, max: 20 }),
  quantity: fc.integer({ min: 1, max: 10 }),
  unitPriceCents: fc.integer({ min: 1, max: 10_000_000 }),
});
const order = fc.record({
  items: fc.array(item, { minLength: 1, maxLength: 12 }),
  feeBps: fc.integer({ min: 0, max: 5_000 }),
  buyerId: fc.string({ minLength: 1, maxLength: 8 }),
});

function balances(journals: Journal[]): OrderBalances {
  const b: OrderBalances = { buyer: 0, seller_payable: 0, marketplace_fee: 0, psp_clearing: 0 };
  for (const j of journals) for (const p of j.postings) b[accountKind(p.account)] += p.amountCents;
  return b;
}

function build(o: { items: OrderItem[]; feeBps: number; buyerId: string }) {
  const { totalCents, feeCents } = orderTotals(o.items, o.feeBps);
  return { id: 'o1', buyerId: o.buyerId, items: o.items, totalCents, feeCents, currency: 'EUR' };
}

describe('ledger rules (fast-check)', () => {
  it('every journal of a payment balances and the order ties out to its amount', () => {
    fc.assert(
      fc.property(order, (o) => {
        const ord = build(o);
        const journals = paymentJournals(ord, o.feeBps);
        assert.ok(journals.every(journalBalances));
        const b = balances(journals);
        assert.equal(b.psp_clearing, ord.totalCents, 'the PSP owes the total');
        assert.equal(b.buyer, 0, 'the buyer is even');
        assert.equal(b.seller_payable + b.marketplace_fee, -ord.totalCents);
        assert.ok(ord.feeCents <= Math.ceil((ord.totalCents * o.feeBps) / 10_000));
        assert.ok(tiesOut({ status: 'paid', totalCents: ord.totalCents, feeCents: ord.feeCents }, b));
      }),
      { numRuns: 500 },
    );
  });

  it('a refund reverses a payment to zero on every account', () => {
    fc.assert(
      fc.property(order, (o) => {
        const ord = build(o);
        const journals = [...paymentJournals(ord, o.feeBps), ...refundJournals(ord, o.feeBps)];
        assert.ok(journals.every(journalBalances));
        const b = balances(journals);
        assert.deepEqual(
          b,
          expectedBalances({ status: 'refunded', totalCents: ord.totalCents, feeCents: ord.feeCents }),
        );
        assert.equal(new Set(journals.map((j) => j.id)).size, journals.length, 'journal ids are unique');
      }),
      { numRuns: 500 },
    );
  });

  it('a tampered posting is caught: the journal no longer balances or the order no longer ties out', () => {
    fc.assert(
      fc.property(order, fc.integer({ min: 1, max: 1_000 }), fc.nat(), (o, delta, pick) => {
        const ord = build(o);
        const journals = paymentJournals(ord, o.feeBps);
        const j = journals[pick % journals.length];
        const p = j.postings[pick % j.postings.length];
        p.amountCents += delta;
        assert.equal(journalBalances(j), false);
        assert.equal(
          tiesOut({ status: 'paid', totalCents: ord.totalCents, feeCents: ord.feeCents }, balances(journals)),
          false,
        );
      }),
      { numRuns: 300 },
    );
  });
});
