// Turns the aggregates a store computes (per journal, per currency and account kind, per order and
// account kind) into the LedgerReport that GET /admin/ledger/check answers; the rules live in
// domain/ledger.ts. Every sum is per currency: EUR cents and USD cents never add up.
import { ACCOUNT_KINDS, type AccountKind, type OrderBalances, tiesOut } from '../domain/ledger.ts';
import type { CurrencyLedger, LedgerReport, OrderStatus } from '../domain/model.ts';

export interface OrderKindSum {
  id: string;
  status: string;
  total_cents: number;
  fee_cents: number;
  /** The order's currency. */
  currency: string;
  /** The currency its entries were booked in (null without entries). */
  entry_currency: string | null;
  account_kind: string | null;
  amount: number | null;
}

export interface CurrencyKindSum {
  currency: string;
  account_kind: string;
  amount: number;
  entries: number;
}

export function ledgerReport(input: {
  entries: number;
  journals: number;
  unbalancedJournals: string[];
  accounts: CurrencyKindSum[];
  orderSums: OrderKindSum[];
}): LedgerReport {
  const byOrder = new Map<
    string,
    { status: OrderStatus; totalCents: number; feeCents: number; balances: OrderBalances; foreign: boolean }
  >();
  for (const r of input.orderSums) {
    let o = byOrder.get(r.id);
    if (!o) {
      o = {
        status: r.status as OrderStatus,
        totalCents: Number(r.total_cents),
        feeCents: Number(r.fee_cents),
        balances: { buyer: 0, seller_payable: 0, marketplace_fee: 0, psp_clearing: 0 },
        foreign: false,
      };
      byOrder.set(r.id, o);
    }
    if (r.entry_currency !== null && r.entry_currency !== r.currency) o.foreign = true;
    if (r.account_kind && (ACCOUNT_KINDS as readonly string[]).includes(r.account_kind)) {
      o.balances[r.account_kind as AccountKind] += Number(r.amount ?? 0);
    }
  }
  const mismatchedOrders: string[] = [];
  for (const [id, o] of byOrder) if (o.foreign || !tiesOut(o, o.balances)) mismatchedOrders.push(id);
  const currencies: Record<string, CurrencyLedger> = {};
  for (const a of input.accounts) {
    let c = currencies[a.currency];
    if (!c) {
      c = { total: 0, accounts: Object.fromEntries(ACCOUNT_KINDS.map((k) => [k, 0])), entries: 0 };
      currencies[a.currency] = c;
    }
    c.accounts[a.account_kind] = (c.accounts[a.account_kind] ?? 0) + Number(a.amount);
    c.total += Number(a.amount);
    c.entries += Number(a.entries);
  }
  const totalsZero = Object.values(currencies).every((c) => c.total === 0);
  return {
    balanced: totalsZero && input.unbalancedJournals.length === 0 && mismatchedOrders.length === 0,
    entries: Number(input.entries),
    journals: Number(input.journals),
    currencies,
    unbalancedJournals: input.unbalancedJournals,
    mismatchedOrders,
  };
}

export const LEDGER_SQL = {
  totals: 'SELECT COUNT(*) AS entries, COUNT(DISTINCT journal_id) AS journals FROM ledger_entries',
  // A journal balances in its own currency; one that mixes currencies is unbalanced too.
  unbalanced:
    'SELECT journal_id FROM ledger_entries GROUP BY journal_id HAVING SUM(amount_cents) <> 0 OR COUNT(DISTINCT currency) > 1 LIMIT 100',
  accounts:
    'SELECT currency, account_kind, SUM(amount_cents) AS amount, COUNT(*) AS entries FROM ledger_entries GROUP BY currency, account_kind',
  orderSums: `SELECT o.id, o.status, o.total_cents, o.fee_cents, o.currency, e.currency AS entry_currency, e.account_kind, SUM(e.amount_cents) AS amount
    FROM orders o LEFT JOIN ledger_entries e ON e.order_id = o.id
    GROUP BY o.id, o.status, o.total_cents, o.fee_cents, o.currency, e.currency, e.account_kind`,
} as const;
