// The reconciliation rules on hand-made PSP records and orders: each kind of discrepancy is found
// (and only it), totals are per currency, and records of orders outside the window are left out.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ReconciliationOrder } from '../../src/domain/ports.ts';
import { reconcile } from '../../src/domain/reconciliation.ts';
import type { SettlementRecord } from '../../src/payments/PspSimulator.ts';

const T = 1_000_000;
let n = 0;
function order(o: Partial<ReconciliationOrder> & { id: string }): ReconciliationOrder {
  const total = o.totalCents ?? 1_000;
  const currency = o.currency ?? 'EUR';
  const status = o.status ?? 'paid';
  return {
    status,
    totalCents: total,
    currency,
    paymentId: `pay_${o.id}`,
    createdAt: T,
    clearing: status === 'paid' ? { [currency]: total } : {},
    ...o,
  };
}
function rec(
  type: SettlementRecord['type'],
  reference: string,
  amountCents = 1_000,
  currency = 'EUR',
): SettlementRecord {
  return {
    id: `r${n++}`,
    type,
    paymentId: `pay_${reference}`,
    reference,
    idempotencyKey: `order:${reference}`,
    amountCents,
    currency,
    at: new Date(T).toISOString(),
  };
}
const run = (orders: ReconciliationOrder[], records: SettlementRecord[]) =>
  reconcile({
    fromMs: T - 10,
    toMs: T + 10,
    psp: { from: '', to: '', complete: true, records, totals: {} },
    orders,
  });
const kinds = (r: ReturnType<typeof run>) =>
  Object.entries(r.counts)
    .filter(([, v]) => v > 0)
    .map(([k, v]) => `${k}:${v}`)
    .sort();

test('paid and refunded orders in two currencies tie out to the cent', () => {
  const r = run(
    [
      order({ id: 'a' }),
      order({ id: 'b', currency: 'USD', totalCents: 777 }),
      order({ id: 'c', status: 'refunded', clearing: { EUR: 0 } }),
      order({ id: 'd', status: 'payment_failed', paymentId: null }),
    ],
    [
      rec('capture', 'a'),
      rec('capture', 'b', 777, 'USD'),
      rec('capture', 'c'),
      rec('refund', 'c'),
      rec('decline', 'd'),
    ],
  );
  assert.deepEqual(kinds(r), []);
  assert.equal(r.ok, true);
  assert.deepEqual(r.currencies.EUR, {
    pspCapturedCents: 2_000,
    pspRefundedCents: 1_000,
    pspNetCents: 1_000,
    paidOrdersCents: 1_000,
    ledgerClearingCents: 1_000,
    ok: true,
  });
  assert.equal(r.currencies.USD.pspNetCents, 777);
  assert.deepEqual([r.orders, r.captures, r.refunds], [4, 3, 1]);
});

test('each kind of difference is found and named', () => {
  const r = run(
    [
      order({ id: 'failed-but-captured', status: 'payment_failed', paymentId: null }),
      order({ id: 'twice' }),
      order({ id: 'never-captured' }),
      order({ id: 'short', totalCents: 1_000 }),
      order({ id: 'dollars' }),
      order({ id: 'refunded-not', status: 'refunded', clearing: { EUR: 0 } }),
      order({ id: 'pending', status: 'pending_payment', clearing: {} }),
      order({ id: 'ledger-off', clearing: { EUR: 999 } }),
    ],
    [
      rec('capture', 'failed-but-captured'),
      rec('capture', 'twice'),
      rec('capture', 'twice'),
      rec('capture', 'short', 990),
      rec('capture', 'dollars', 1_000, 'USD'),
      rec('capture', 'refunded-not'),
      rec('capture', 'ledger-off'),
      rec('capture', 'nobody'),
    ],
  );
  const by = (kind: string) => r.discrepancies.filter((d) => d.kind === kind).map((d) => d.orderId);
  assert.deepEqual(by('orphan_capture').sort(), [null, 'failed-but-captured'].sort());
  assert.deepEqual(by('double_capture'), ['twice']);
  assert.deepEqual(by('missing_capture'), ['never-captured']);
  assert.deepEqual(by('amount_mismatch'), ['short']);
  assert.deepEqual(by('currency_mismatch'), ['dollars']);
  assert.deepEqual(by('missing_refund'), ['refunded-not']);
  assert.deepEqual(by('unsettled_pending'), ['pending']);
  assert.ok(by('ledger_mismatch').includes('ledger-off'));
  assert.equal(r.ok, false);
  assert.equal(r.currencies.EUR.ok, false);
});

test('records of an order created outside the window are left out; unknown references are kept', () => {
  const r = reconcile({
    fromMs: T,
    toMs: T + 10,
    psp: {
      from: '',
      to: '',
      complete: true,
      records: [rec('refund', 'old'), rec('capture', 'ghost')],
      totals: {},
    },
    orders: [order({ id: 'old', status: 'refunded', createdAt: T - 1_000, clearing: { EUR: 0 } })],
  });
  assert.deepEqual(kinds(r), ['orphan_capture:1']);
  assert.equal(r.orders, 0);
});

test('a PSP report with forgotten records never reconciles as ok', () => {
  const r = reconcile({
    fromMs: T,
    toMs: T + 10,
    psp: { from: '', to: '', complete: false, records: [], totals: {} },
    orders: [],
  });
  assert.equal(r.ok, false);
  assert.equal(r.pspComplete, false);
});
