// Property test through the whole service: any interleaving of checkouts (approved or declined),
// cancellations and refunds, on any carts, leaves a ledger that balances, sums to zero and ties
// out per order — as proven by GET /admin/ledger/check against the real SQLite store.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import type { MarketApp } from '../../src/index.ts';
import { admin, CARD, cartWith, checkout, DECLINED_CARD, json, testApp } from '../helpers.ts';

type Op = { kind: 'buy'; listings: number[]; declined: boolean } | { kind: 'cancel'; pick: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant('buy' as const),
    listings: fc.uniqueArray(fc.integer({ min: 1, max: 150 }), { minLength: 1, maxLength: 4 }),
    declined: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() }),
);

describe('ledger through the store (fast-check)', () => {
  let m: MarketApp;
  before(async () => {
    m = await testApp({ items: 150, feeBps: 1_250 });
  });
  after(() => m.app.close());

  it('every sequence of buys, declines, cancels and refunds keeps the ledger balanced and tied out', async () => {
    let seq = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 10 }), async (ops) => {
        const orders: string[] = [];
        for (const o of ops) {
          if (o.kind === 'buy') {
            for (const id of o.listings)
              await json(m.app, 'PATCH', `/listings/${id}`, { quantity: 3, status: 'active' });
            const cartId = await cartWith(m.app, o.listings, `prop-${seq}`);
            const r = await checkout(m.app, cartId, `prop-key-${seq++}`, o.declined ? DECLINED_CARD : CARD);
            assert.equal(r.status, o.declined ? 402 : 201, JSON.stringify(r.body));
            orders.push(String(r.body.id ?? r.body.orderId));
          } else if (orders.length) {
            const r = await json(m.app, 'POST', `/orders/${orders[o.pick % orders.length]}/cancel`);
            assert.ok([200, 409].includes(r.status), JSON.stringify(r.body));
          }
        }
        const report = await json<{
          balanced: boolean;
          currencies: Record<string, { total: number }>;
          mismatchedOrders: string[];
        }>(m.app, 'GET', '/admin/ledger/check', undefined, admin);
        assert.equal(report.status, 200, JSON.stringify(report.body));
        assert.equal(report.body.balanced, true);
        for (const [currency, c] of Object.entries(report.body.currencies))
          assert.equal(c.total, 0, currency);
      }),
      { numRuns: 25 },
    );
  });
});
