// Double-entry bookkeeping for orders. Four kinds of account: the buyer, each seller's payable,
// the marketplace's fee revenue and the PSP clearing account (money the PSP owes us). Every
// journal balances to zero; a paid order leaves the PSP owing its total, the sellers owed the
// total minus the fee, the marketplace the fee and the buyer even; a refund reverses all of it.
import type { Journal, Order, OrderItem, Posting } from './model.ts';

export const ACCOUNT_KINDS = ['buyer', 'seller_payable', 'marketplace_fee', 'psp_clearing'] as const;
export type AccountKind = (typeof ACCOUNT_KINDS)[number];

export const MARKETPLACE_FEE = 'marketplace_fee';
export const PSP_CLEARING = 'psp_clearing';
export const buyerAccount = (buyerId: string): string => `buyer:${buyerId}`;
export const sellerAccount = (sellerId: number): string => `seller_payable:${sellerId}`;

/** The kind of an account from its name (`buyer:42` → buyer). */
export function accountKind(account: string): AccountKind {
  const kind = account.split(':', 1)[0] as AccountKind;
  if (!ACCOUNT_KINDS.includes(kind)) throw new Error(`unknown ledger account ${account}`);
  return kind;
}

/** Fee of one order line, rounded down so the seller never loses a fraction of a cent. */
export function lineFee(item: OrderItem, feeBps: number): number {
  return Math.floor((item.unitPriceCents * item.quantity * feeBps) / 10_000);
}

export function orderTotals(items: OrderItem[], feeBps: number): { totalCents: number; feeCents: number } {
  let totalCents = 0;
  let feeCents = 0;
  for (const item of items) {
    totalCents += item.unitPriceCents * item.quantity;
    feeCents += lineFee(item, feeBps);
  }
  return { totalCents, feeCents };
}

/** Seller share per seller id: line totals minus line fees. */
function sellerShares(order: Pick<Order, 'items'>, feeBps: number): Map<number, number> {
  const shares = new Map<number, number>();
  for (const item of order.items) {
    const net = item.unitPriceCents * item.quantity - lineFee(item, feeBps);
    shares.set(item.sellerId, (shares.get(item.sellerId) ?? 0) + net);
  }
  return shares;
}

type LedgerOrder = Pick<Order, 'id' | 'buyerId' | 'items' | 'totalCents' | 'feeCents' | 'currency'>;

/** Journals for a captured payment: PSP owes the total, the buyer's debt is split to sellers and fee. */
export function paymentJournals(order: LedgerOrder, feeBps: number): Journal[] {
  const buyer = buyerAccount(order.buyerId);
  const settled: Posting[] = [{ account: buyer, amountCents: order.totalCents }];
  for (const [sellerId, net] of sellerShares(order, feeBps)) {
    settled.push({ account: sellerAccount(sellerId), amountCents: -net });
  }
  settled.push({ account: MARKETPLACE_FEE, amountCents: -order.feeCents });
  return [
    {
      id: `${order.id}:captured`,
      orderId: order.id,
      currency: order.currency,
      kind: 'payment_captured',
      postings: [
        { account: PSP_CLEARING, amountCents: order.totalCents },
        { account: buyer, amountCents: -order.totalCents },
      ],
    },
    {
      id: `${order.id}:settled`,
      orderId: order.id,
      currency: order.currency,
      kind: 'order_settled',
      postings: settled,
    },
  ];
}

/** Journals that reverse `paymentJournals` for a full refund. */
export function refundJournals(order: LedgerOrder, feeBps: number): Journal[] {
  return paymentJournals(order, feeBps).map((journal) => ({
    id: journal.kind === 'payment_captured' ? `${order.id}:refunded` : `${order.id}:unsettled`,
    orderId: order.id,
    currency: order.currency,
    kind: journal.kind === 'payment_captured' ? 'payment_refunded' : 'refund_settled',
    postings: journal.postings.map((p) => ({ account: p.account, amountCents: -p.amountCents })),
  }));
}

export function journalBalances(journal: Journal): boolean {
  let sum = 0;
  for (const p of journal.postings) sum += p.amountCents;
  return sum === 0;
}

/** Balances per account kind for one order, as the store aggregates them. */
export type OrderBalances = Record<AccountKind, number>;

/** What an order's entries must sum to, per account kind, given its status. */
export function expectedBalances(order: Pick<Order, 'status' | 'totalCents' | 'feeCents'>): OrderBalances {
  if (order.status !== 'paid') return { buyer: 0, seller_payable: 0, marketplace_fee: 0, psp_clearing: 0 };
  return {
    buyer: 0,
    seller_payable: -(order.totalCents - order.feeCents),
    marketplace_fee: -order.feeCents,
    psp_clearing: order.totalCents,
  };
}

export function tiesOut(
  order: Pick<Order, 'status' | 'totalCents' | 'feeCents'>,
  actual: OrderBalances,
): boolean {
  const expected = expectedBalances(order);
  return ACCOUNT_KINDS.every((kind) => (actual[kind] ?? 0) === expected[kind]);
}
