// Turns the aggregates a store computes (per journal, per account, per order and account kind)
// into the LedgerReport that GET /admin/ledger/check answers; the rules live in domain/ledger.ts.
import { ACCOUNT_KINDS, type AccountKind, type OrderBalances, tiesOut } from '../domain/ledger.ts';
import type { LedgerReport, OrderStatus } from '../domain/model.ts';

export interface OrderKindSum {
  id: string;
  status: string;
  total_cents: number;
  fee_cents: number;
  account_kind: string | null;
  amount: number | null;
}

export function ledgerReport(input: {
  entries: number;
  journals: number;
  total: number;
  unbalancedJournals: string[];
  accounts: Array<{ account_kind: string; amount: number }>;
  orderSums: OrderKindSum[];
}): LedgerReport {
  const byOrder = new Map<
    string,
    { status: OrderStatus; totalCents: number; feeCents: number; balances: OrderBalances }
  >();
  for (const r of input.orderSums) {
    let o = byOrder.get(r.id);
    if (!o) {
      o = {
        status: r.status as OrderStatus,
        totalCents: Number(r.total_cents),
        feeCents: Number(r.fee_cents),
        balances: { buyer: 0, seller_payable: 0, marketplace_fee: 0, psp_clearing: 0 },
      };
      byOrder.set(r.id, o);
    }
    if (r.account_kind && (ACCOUNT_KINDS as readonly string[]).includes(r.account_kind)) {
      o.balances[r.account_kind as AccountKind] += Number(r.amount ?? 0);
    }
  }
  const mismatchedOrders: string[] = [];
  for (const [id, o] of byOrder) if (!tiesOut(o, o.balances)) mismatchedOrders.push(id);
  const accounts: Record<string, number> = {};
  for (const kind of ACCOUNT_KINDS) accounts[kind] = 0;
  for (const a of input.accounts) accounts[a.account_kind] = Number(a.amount);
  const total = Number(input.total);
  return {
    balanced: total === 0 && input.unbalancedJournals.length === 0 && mismatchedOrders.length === 0,
    entries: Number(input.entries),
    journals: Number(input.journals),
    total,
    unbalancedJournals: input.unbalancedJournals,
    mismatchedOrders,
    accounts,
  };
}

export const LEDGER_SQL = {
  totals:
    'SELECT COUNT(*) AS entries, COUNT(DISTINCT journal_id) AS journals, COALESCE(SUM(amount_cents), 0) AS total FROM ledger_entries',
  unbalanced:
    'SELECT journal_id FROM ledger_entries GROUP BY journal_id HAVING SUM(amount_cents) <> 0 LIMIT 100',
  accounts: 'SELECT account_kind, SUM(amount_cents) AS amount FROM ledger_entries GROUP BY account_kind',
  orderSums: `SELECT o.id, o.status, o.total_cents, o.fee_cents, e.account_kind, SUM(e.amount_cents) AS amount
    FROM orders o LEFT JOIN ledger_entries e ON e.order_id = o.id GROUP BY o.id, o.status, o.total_cents, o.fee_cents, e.account_kind`,
} as const;
