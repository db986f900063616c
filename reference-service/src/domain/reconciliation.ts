// Reconciliation to the cent: the PSP's own settlement record against our orders and ledger, as a
// payments team does at the end of each day. Every capture must belong to exactly one paid (or
// refunded) order of the same amount and currency, every refund to a refunded order, every paid
// order must have its capture, and per currency the PSP's net, the paid orders and the ledger's
// psp_clearing balance must be equal. Each difference is listed with its kind; pure function, so
// the rules test without I/O and the endpoint, the CLI and the run report share one definition.
import type { SettlementRecord, SettlementReport } from '../payments/PspSimulator.ts';
import type { ReconciliationOrder } from './ports.ts';

export const DISCREPANCY_KINDS = [
  /** A capture whose order does not exist, or is not paid (and was not refunded). */
  'orphan_capture',
  /** More than one capture for one order. */
  'double_capture',
  /** A paid or refunded order the PSP never captured. */
  'missing_capture',
  /** Captured or refunded amount differs from the order's total. */
  'amount_mismatch',
  /** Captured in another currency than the order's. */
  'currency_mismatch',
  /** A refund at the PSP for an order that is not refunded. */
  'orphan_refund',
  /** A refunded order the PSP never refunded. */
  'missing_refund',
  /** An order whose payment is still pending or in review: money may have moved. */
  'unsettled_pending',
  /** The ledger's psp_clearing for an order differs from what the PSP holds for it. */
  'ledger_mismatch',
] as const;
export type DiscrepancyKind = (typeof DISCREPANCY_KINDS)[number];

export interface Discrepancy {
  kind: DiscrepancyKind;
  orderId: string | null;
  paymentId: string | null;
  /** What differs, in words and cents. */
  detail: string;
}

/** One currency's totals, in cents; `ok` when the three agree. */
export interface CurrencyReconciliation {
  pspCapturedCents: number;
  pspRefundedCents: number;
  /** Captured minus refunded at the PSP. */
  pspNetCents: number;
  /** Sum of the totals of paid orders (refunded orders net to zero). */
  paidOrdersCents: number;
  /** The ledger's psp_clearing balance over these orders. */
  ledgerClearingCents: number;
  ok: boolean;
}

export interface ReconciliationReport {
  from: string;
  to: string;
  /** Zero discrepancies and every currency agrees. */
  ok: boolean;
  /** False when the PSP had forgotten records of the window: the report cannot be trusted. */
  pspComplete: boolean;
  orders: number;
  captures: number;
  refunds: number;
  currencies: Record<string, CurrencyReconciliation>;
  /** Count per kind (every kind present, 0 when none). */
  counts: Record<DiscrepancyKind, number>;
  discrepancies: Discrepancy[];
}

const PENDING = new Set(['pending_payment', 'payment_review']);

/**
 * Matches the PSP's records to the orders. `orders` holds every order created in the window plus
 * every order a PSP record names; records of orders created outside [fromMs, toMs) are left out,
 * records naming no order at all are kept (orphans).
 */
export function reconcile(input: {
  fromMs: number;
  toMs: number;
  psp: SettlementReport;
  orders: ReconciliationOrder[];
}): ReconciliationReport {
  const { fromMs, toMs } = input;
  const byId = new Map(input.orders.map((o) => [o.id, o]));
  const inWindow = (o: ReconciliationOrder) => o.createdAt >= fromMs && o.createdAt < toMs;
  const records = new Map<string, SettlementRecord[]>();
  for (const r of input.psp.records) {
    const order = byId.get(r.reference);
    if (order && !inWindow(order)) continue;
    let list = records.get(r.reference);
    if (!list) {
      list = [];
      records.set(r.reference, list);
    }
    list.push(r);
  }
  const found: Discrepancy[] = [];
  const add = (kind: DiscrepancyKind, orderId: string | null, paymentId: string | null, detail: string) =>
    found.push({ kind, orderId, paymentId, detail });
  const currencies: Record<string, CurrencyReconciliation> = {};
  const cur = (c: string) => {
    currencies[c] ??= {
      pspCapturedCents: 0,
      pspRefundedCents: 0,
      pspNetCents: 0,
      paidOrdersCents: 0,
      ledgerClearingCents: 0,
      ok: true,
    };
    return currencies[c];
  };
  let captures = 0;
  let refunds = 0;

  for (const [reference, list] of records) {
    const caps = list.filter((r) => r.type === 'capture');
    const refs = list.filter((r) => r.type === 'refund');
    captures += caps.length;
    refunds += refs.length;
    for (const c of caps) {
      cur(c.currency).pspCapturedCents += c.amountCents;
      cur(c.currency).pspNetCents += c.amountCents;
    }
    for (const r of refs) {
      cur(r.currency).pspRefundedCents += r.amountCents;
      cur(r.currency).pspNetCents -= r.amountCents;
    }
    const order = byId.get(reference);
    const captured = caps.reduce((s, c) => s + c.amountCents, 0);
    const refunded = refs.reduce((s, r) => s + r.amountCents, 0);
    if (!order) {
      for (const c of caps)
        add('orphan_capture', null, c.paymentId, `capture of ${cents(c)} names no order (${reference})`);
      for (const r of refs)
        add('orphan_refund', null, r.paymentId, `refund of ${cents(r)} names no order (${reference})`);
      continue;
    }
    if (caps.length > 1) {
      add(
        'double_capture',
        order.id,
        caps[1].paymentId,
        `${caps.length} captures (${caps.map(cents).join(', ')})`,
      );
    }
    for (const c of caps) {
      if (c.currency !== order.currency) {
        add(
          'currency_mismatch',
          order.id,
          c.paymentId,
          `captured in ${c.currency}, the order is in ${order.currency}`,
        );
      }
    }
    if (PENDING.has(order.status)) continue; // listed once below, with every pending order
    if (order.status === 'paid' || order.status === 'refunded') {
      if (caps.length === 1 && caps[0].amountCents !== order.totalCents) {
        add(
          'amount_mismatch',
          order.id,
          caps[0].paymentId,
          `captured ${cents(caps[0])}, the order is ${order.totalCents}`,
        );
      }
      if (order.status === 'paid' && refunded > 0) {
        add(
          'orphan_refund',
          order.id,
          refs[0].paymentId,
          `refunded ${refunded} cents on an order that is paid`,
        );
      }
      if (order.status === 'refunded' && caps.length > 0 && refunded === 0) {
        add('missing_refund', order.id, order.paymentId, 'the order is refunded, the PSP shows no refund');
      } else if (order.status === 'refunded' && refunded !== captured && refunded > 0) {
        add('amount_mismatch', order.id, refs[0].paymentId, `refunded ${refunded} of ${captured} cents`);
      }
    } else if (captured - refunded !== 0) {
      // payment_failed or cancelled: any money the PSP kept has no paid order.
      add(
        'orphan_capture',
        order.id,
        caps[0]?.paymentId ?? null,
        `captured ${captured}, refunded ${refunded} cents on an order that is ${order.status}`,
      );
    }
  }

  let orderCount = 0;
  for (const order of input.orders) {
    if (!inWindow(order)) continue;
    orderCount++;
    const list = records.get(order.id) ?? [];
    const captured = list.filter((r) => r.type === 'capture').reduce((s, r) => s + r.amountCents, 0);
    const refunded = list.filter((r) => r.type === 'refund').reduce((s, r) => s + r.amountCents, 0);
    if (PENDING.has(order.status)) {
      add('unsettled_pending', order.id, order.paymentId, `the order is ${order.status}`);
    } else if ((order.status === 'paid' || order.status === 'refunded') && captured === 0) {
      add(
        'missing_capture',
        order.id,
        order.paymentId,
        `the order is ${order.status}, the PSP shows no capture`,
      );
    }
    if (order.status === 'paid') cur(order.currency).paidOrdersCents += order.totalCents;
    for (const [c, cents] of Object.entries(order.clearing)) cur(c).ledgerClearingCents += cents;
    // The ledger must hold, per currency, exactly what the PSP holds for the order.
    const pspNet = new Map<string, number>();
    for (const r of list) {
      if (r.type === 'capture') pspNet.set(r.currency, (pspNet.get(r.currency) ?? 0) + r.amountCents);
      if (r.type === 'refund') pspNet.set(r.currency, (pspNet.get(r.currency) ?? 0) - r.amountCents);
    }
    if (PENDING.has(order.status)) continue;
    for (const c of new Set([...pspNet.keys(), ...Object.keys(order.clearing)])) {
      const ledger = order.clearing[c] ?? 0;
      const psp = pspNet.get(c) ?? 0;
      const orphanHandled = order.status !== 'paid' && order.status !== 'refunded' && ledger === 0;
      if (ledger !== psp && !orphanHandled) {
        add(
          'ledger_mismatch',
          order.id,
          order.paymentId,
          `ledger psp_clearing ${ledger} ${c}, PSP net ${psp} ${c}`,
        );
      }
    }
  }

  for (const c of Object.values(currencies)) {
    c.ok = c.pspNetCents === c.paidOrdersCents && c.pspNetCents === c.ledgerClearingCents;
  }
  const counts = Object.fromEntries(DISCREPANCY_KINDS.map((k) => [k, 0])) as Record<DiscrepancyKind, number>;
  for (const d of found) counts[d.kind]++;
  return {
    from: new Date(fromMs).toISOString(),
    to: new Date(Math.min(toMs, 8.64e15)).toISOString(),
    ok: found.length === 0 && Object.values(currencies).every((c) => c.ok) && input.psp.complete,
    pspComplete: input.psp.complete,
    orders: orderCount,
    captures,
    refunds,
    currencies,
    counts,
    discrepancies: found,
  };
}

const cents = (r: SettlementRecord) => `${r.amountCents} ${r.currency}`;
