// Property: whatever the PSP does (latency around the attempt timeout, error bursts, outages that
// trip the breaker) while clients buy in two currencies, retry with the same Idempotency-Key and
// ask for refunds, once the faults clear and clients have retried what failed, the PSP's own
// record reconciles with the orders and the ledger to the cent (zero discrepancies) and the ledger
// balances per currency. Over real loopback HTTP to the real PSP simulator; runs are few and short
// so `npm test` stays reasonable on two noisy cores.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import type { MarketApp } from '../../src/index.ts';
import { admin, CARD, checkout, json, testApp } from '../helpers.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const TIMEOUT_MS = 150;

const fault = fc.oneof(
  fc.constant({}),
  fc
    .record({
      minMs: fc.integer({ min: 100, max: 180 }),
      span: fc.integer({ min: 20, max: 120 }),
      percent: fc.integer({ min: 30, max: 100 }),
    })
    .map(({ minMs, span, percent }) => ({
      psp: { latency: { distribution: 'uniform', minMs, maxMs: minMs + span, percent } },
    })),
  fc.integer({ min: 30, max: 100 }).map((errorPercent) => ({ psp: { errorPercent } })),
  fc.constant({ psp: { outage: true } }),
);

const step = fc.record({
  faults: fault,
  action: fc.oneof(
    fc.record({
      kind: fc.constant('buy' as const),
      usd: fc.boolean(),
      retries: fc.integer({ min: 0, max: 2 }),
    }),
    fc.record({ kind: fc.constant('refund' as const), pick: fc.nat() }),
  ),
});

describe('payments under random PSP fault schedules (fast-check)', () => {
  let m: MarketApp;
  let usdListing = 0;
  before(async () => {
    m = await testApp({
      items: 400,
      payment: {
        attemptTimeoutMs: TIMEOUT_MS,
        // One attempt: a timeout is then the final word of the request, the case that double-charged.
        maxAttempts: 1,
        backoffBaseMs: 5,
        backoffCapMs: 20,
        breaker: { failureThreshold: 3, openMs: 200, halfOpenMaxCalls: 1 },
        resolveIntervalMs: 50,
        resolveDelayMs: 400,
        resolveDelayCapMs: 200,
        resolveMaxAttempts: 50,
      },
    });
    const created = await json(m.app, 'POST', '/listings', {
      sellerId: 2,
      title: 'Dollar denim jacket',
      brand: 'Levi',
      category: 'jackets',
      size: 'M',
      condition: 'good',
      priceCents: 4_321,
      currency: 'USD',
      quantity: 1,
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    usdListing = Number(created.body.id);
  });
  after(async () => {
    await m?.app.close();
  });

  const setFaults = (faults: object) => json(m.app, 'PUT', '/admin/faults', { faults }, admin);

  async function buy(usd: boolean, retries: number, keys: Array<{ key: string; cartId: string }>) {
    const listingId = usd ? usdListing : 50 + Math.floor(Math.random() * 200);
    await json(m.app, 'PATCH', `/listings/${listingId}`, { quantity: 3, status: 'active' });
    const cart = await json<{ id: string }>(m.app, 'POST', '/carts', {
      buyerId: `prop-${randomUUID().slice(0, 8)}`,
      currency: usd ? 'USD' : 'EUR',
    });
    await json(m.app, 'POST', `/carts/${cart.body.id}/items`, { listingId });
    const key = `prop-${randomUUID()}`;
    keys.push({ key, cartId: cart.body.id });
    for (let i = 0; i <= retries; i++) {
      const r = await checkout(m.app, cart.body.id, key, CARD);
      assert.ok([201, 202, 409, 503].includes(r.status), `${r.status} ${JSON.stringify(r.body)}`);
    }
  }

  it('reconciles to zero discrepancies and a per-currency balanced ledger after every schedule', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 3, maxLength: 7 }), async (steps) => {
        const from = Date.now();
        const keys: Array<{ key: string; cartId: string }> = [];
        for (const s of steps) {
          await setFaults(s.faults);
          if (s.action.kind === 'buy') await buy(s.action.usd, s.action.retries, keys);
          else {
            const paid = (await Promise.all(keys.map((k) => checkout(m.app, k.cartId, k.key, CARD)))).filter(
              (r) => r.status === 201,
            );
            if (paid.length) {
              const id = String(paid[s.action.pick % paid.length].body.id);
              await json(m.app, 'POST', `/orders/${id}/cancel`);
            }
          }
        }
        // The PSP recovers; clients retry checkouts that got no final answer (same key, same body).
        // Refunds in doubt are not retried by the client: the resolver must confirm them.
        await setFaults({});
        await sleep(250); // past the breaker's open period
        const deadline = Date.now() + 20_000;
        const reconcile = () =>
          json<{
            ok: boolean;
            counts: Record<string, number>;
            discrepancies: unknown[];
            currencies: Record<string, { ok: boolean }>;
          }>(m.app, 'GET', `/admin/reconciliation?from=${from}`, undefined, admin);
        let recon = await reconcile();
        while (!recon.body.ok && Date.now() < deadline) {
          for (const k of keys) await checkout(m.app, k.cartId, k.key, CARD);
          await sleep(100);
          recon = await reconcile();
        }
        assert.equal(recon.status, 200);
        assert.deepEqual(recon.body.discrepancies, [], JSON.stringify({ steps, counts: recon.body.counts }));
        assert.equal(recon.body.ok, true);
        const ledger = await json<{ balanced: boolean; currencies: Record<string, { total: number }> }>(
          m.app,
          'GET',
          '/admin/ledger/check',
          undefined,
          admin,
        );
        assert.equal(ledger.body.balanced, true, JSON.stringify(ledger.body));
        for (const [currency, c] of Object.entries(ledger.body.currencies))
          assert.equal(c.total, 0, currency);
      }),
      { numRuns: 8, endOnFailure: true },
    );
  });
});
