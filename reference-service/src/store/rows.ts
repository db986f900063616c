// Row ↔ domain mapping shared by the SQLite and PostgreSQL adapters (same column names).

import type {
  Cart,
  CartItem,
  Condition,
  Listing,
  ListingQuery,
  ListingStatus,
  Order,
  OrderItem,
  OrderStatus,
  Seller,
} from '../domain/model.ts';
import type { ReconciliationOrder } from '../domain/ports.ts';

export interface ListingRecord {
  id: number;
  seller_id: number;
  title: string;
  brand: string;
  category: string;
  size: string;
  condition: string;
  description: string;
  price_cents: number;
  currency: string;
  quantity: number;
  status: string;
  created_at: number;
  updated_at: number;
}

export function toListing(r: ListingRecord): Listing {
  return {
    id: Number(r.id),
    sellerId: Number(r.seller_id),
    title: r.title,
    brand: r.brand,
    category: r.category,
    size: r.size,
    condition: r.condition as Condition,
    description: r.description,
    priceCents: Number(r.price_cents),
    currency: r.currency,
    quantity: Number(r.quantity),
    status: r.status as ListingStatus,
    createdAt: new Date(Number(r.created_at)).toISOString(),
    updatedAt: new Date(Number(r.updated_at)).toISOString(),
  };
}

export interface SellerRecord {
  id: number;
  name: string;
  country: string;
  rating_sum: number;
  rating_count: number;
  sales_count: number;
  created_at: number;
}

export function toSeller(r: SellerRecord): Seller {
  const count = Number(r.rating_count);
  return {
    id: Number(r.id),
    name: r.name,
    country: r.country,
    rating: { average: count ? Math.round((Number(r.rating_sum) / count) * 100) / 100 : null, count },
    salesCount: Number(r.sales_count),
    createdAt: new Date(Number(r.created_at)).toISOString(),
  };
}

export interface CartLineRecord {
  id: string;
  buyer_id: string;
  currency: string;
  created_at: number;
  listing_id: number | null;
  quantity: number | null;
  seller_id: number | null;
  title: string | null;
  price_cents: number | null;
}

export function toCart(rows: CartLineRecord[]): Cart | undefined {
  if (rows.length === 0) return undefined;
  const items: CartItem[] = [];
  let totalCents = 0;
  for (const r of rows) {
    if (r.listing_id === null || r.seller_id === null) continue;
    const item = {
      listingId: Number(r.listing_id),
      sellerId: Number(r.seller_id),
      title: r.title ?? '',
      quantity: Number(r.quantity),
      unitPriceCents: Number(r.price_cents),
    };
    totalCents += item.quantity * item.unitPriceCents;
    items.push(item);
  }
  const head = rows[0];
  return {
    id: head.id,
    buyerId: head.buyer_id,
    currency: head.currency,
    items,
    totalCents,
    createdAt: new Date(Number(head.created_at)).toISOString(),
  };
}

export interface OrderRecord {
  id: string;
  buyer_id: string;
  cart_id: string;
  status: string;
  total_cents: number;
  fee_cents: number;
  currency: string;
  payment_id: string | null;
  card_last4: string | null;
  failure_reason: string | null;
  created_at: number;
  updated_at: number;
}

/** One order with the sum of its psp_clearing entries in one currency (null without entries). */
export interface ReconRow {
  id: string;
  status: string;
  total_cents: number;
  currency: string;
  payment_id: string | null;
  created_at: number;
  entry_currency: string | null;
  clearing: number | null;
}

/** Folds ReconRows (one per order and entry currency, duplicates allowed) into orders. */
export function reconciliationOrders(rows: ReconRow[]): ReconciliationOrder[] {
  const byId = new Map<string, ReconciliationOrder>();
  const seen = new Set<string>();
  for (const r of rows) {
    let o = byId.get(r.id);
    if (!o) {
      o = {
        id: r.id,
        status: r.status,
        totalCents: Number(r.total_cents),
        currency: r.currency,
        paymentId: r.payment_id,
        createdAt: Number(r.created_at),
        clearing: {},
      };
      byId.set(r.id, o);
    }
    const once = `${r.id}|${r.entry_currency}`;
    if (r.entry_currency !== null && !seen.has(once)) {
      seen.add(once);
      o.clearing[r.entry_currency] = (o.clearing[r.entry_currency] ?? 0) + Number(r.clearing ?? 0);
    }
  }
  return [...byId.values()];
}

export interface OrderItemRecord {
  listing_id: number;
  seller_id: number;
  quantity: number;
  unit_price_cents: number;
}

export function toOrder(r: OrderRecord, items: OrderItemRecord[]): Order {
  return {
    id: r.id,
    buyerId: r.buyer_id,
    cartId: r.cart_id,
    status: r.status as OrderStatus,
    items: items.map(
      (i): OrderItem => ({
        listingId: Number(i.listing_id),
        sellerId: Number(i.seller_id),
        quantity: Number(i.quantity),
        unitPriceCents: Number(i.unit_price_cents),
      }),
    ),
    totalCents: Number(r.total_cents),
    feeCents: Number(r.fee_cents),
    currency: r.currency,
    paymentId: r.payment_id,
    cardLast4: r.card_last4,
    failureReason: r.failure_reason,
    createdAt: new Date(Number(r.created_at)).toISOString(),
    updatedAt: new Date(Number(r.updated_at)).toISOString(),
  };
}

/**
 * SQL for one page of listings: filters, a sort and keyset pagination (`after`), fetching one
 * row more than the page to know whether another page follows. `p(i)` renders the i-th
 * placeholder (`?` for SQLite, `$i` for PostgreSQL). The result's `shape` names the statement so
 * adapters can cache the prepared statement per shape.
 */
export function listingQuerySql(
  q: ListingQuery,
  p: (i: number) => string,
): { sql: string; params: unknown[]; shape: string } {
  const where: string[] = ["status = 'active'"];
  const params: unknown[] = [];
  const add = (clause: (ph: string) => string, value: unknown) => {
    params.push(value);
    where.push(clause(p(params.length)));
  };
  if (q.category !== undefined) add((ph) => `category = ${ph}`, q.category);
  if (q.brand !== undefined) add((ph) => `brand = ${ph}`, q.brand);
  if (q.size !== undefined) add((ph) => `size = ${ph}`, q.size);
  if (q.condition !== undefined) add((ph) => `condition = ${ph}`, q.condition);
  if (q.sellerId !== undefined) add((ph) => `seller_id = ${ph}`, q.sellerId);
  if (q.minPriceCents !== undefined) add((ph) => `price_cents >= ${ph}`, q.minPriceCents);
  if (q.maxPriceCents !== undefined) add((ph) => `price_cents <= ${ph}`, q.maxPriceCents);
  const key = q.sort === 'newest' ? 'created_at' : 'price_cents';
  const dir = q.sort === 'price_asc' ? 'ASC' : 'DESC';
  if (q.after) {
    params.push(q.after.key, q.after.id);
    const op = dir === 'ASC' ? '>' : '<';
    where.push(`(${key}, id) ${op} (${p(params.length - 1)}, ${p(params.length)})`);
  }
  params.push(q.limit + 1);
  const sql = `SELECT * FROM listings WHERE ${where.join(' AND ')} ORDER BY ${key} ${dir}, id ${dir} LIMIT ${p(params.length)}`;
  return { sql, params, shape: sql };
}

/** Keyset position of a listing under a sort. */
export function sortKey(listing: ListingRecord, sort: ListingQuery['sort']): number {
  return Number(sort === 'newest' ? listing.created_at : listing.price_cents);
}

/** FTS words of a search text: lower-case letters and digits, at most 8, each quoted. */
export function searchTerms(text: string): string[] {
  return (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).slice(0, 8);
}
