// The marketplace's domain types: what the ports exchange and the API returns. Money is always
// integer minor units (cents) with an ISO currency, never floats.

export const CONDITIONS = ['new_with_tags', 'new_without_tags', 'very_good', 'good', 'satisfactory'] as const;
export type Condition = (typeof CONDITIONS)[number];

export const LISTING_STATUSES = ['active', 'sold', 'removed'] as const;
export type ListingStatus = (typeof LISTING_STATUSES)[number];

export const LISTING_SORTS = ['newest', 'price_asc', 'price_desc'] as const;
export type ListingSort = (typeof LISTING_SORTS)[number];

export interface Listing {
  id: number;
  sellerId: number;
  title: string;
  brand: string;
  category: string;
  size: string;
  condition: Condition;
  description: string;
  priceCents: number;
  currency: string;
  quantity: number;
  status: ListingStatus;
  createdAt: string;
  updatedAt: string;
}

export interface ListingQuery {
  category?: string;
  brand?: string;
  size?: string;
  condition?: Condition;
  sellerId?: number;
  minPriceCents?: number;
  maxPriceCents?: number;
  sort: ListingSort;
  /** Keyset position after which the page starts (decoded cursor). */
  after?: { key: number; id: number };
  limit: number;
}

export interface ListingPage {
  items: Listing[];
  /** Keyset position of the last item when more may follow. */
  next?: { key: number; id: number };
}

export interface NewListing {
  sellerId: number;
  title: string;
  brand: string;
  category: string;
  size: string;
  condition: Condition;
  description: string;
  priceCents: number;
  currency: string;
  quantity: number;
}

export type ListingPatch = Partial<
  Pick<Listing, 'title' | 'description' | 'priceCents' | 'quantity' | 'status' | 'size' | 'condition'>
>;

export interface Seller {
  id: number;
  name: string;
  country: string;
  rating: { average: number | null; count: number };
  salesCount: number;
  createdAt: string;
}

export interface CartItem {
  listingId: number;
  sellerId: number;
  title: string;
  quantity: number;
  unitPriceCents: number;
}

export interface Cart {
  id: string;
  buyerId: string;
  currency: string;
  items: CartItem[];
  totalCents: number;
  createdAt: string;
}

export const ORDER_STATUSES = [
  'pending_payment',
  'paid',
  'payment_failed',
  'cancelled',
  'refunded',
  /** The resolver could not learn the payment's outcome in its bounded tries: a human decides. */
  'payment_review',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export interface OrderItem {
  listingId: number;
  sellerId: number;
  quantity: number;
  unitPriceCents: number;
}

export interface Order {
  id: string;
  buyerId: string;
  cartId: string;
  status: OrderStatus;
  items: OrderItem[];
  totalCents: number;
  feeCents: number;
  currency: string;
  paymentId: string | null;
  cardLast4: string | null;
  failureReason: string | null;
  createdAt: string;
  updatedAt: string;
}

/** A card after tokenization at the edge: the PAN never gets past the HTTP layer. */
export interface CardToken {
  token: string;
  last4: string;
  brand: string;
}

/** One line of a journal: positive amounts are debits, negative are credits. */
export interface Posting {
  account: string;
  amountCents: number;
}

/** A balanced set of postings recorded together (one business event). */
export interface Journal {
  id: string;
  orderId: string;
  /** ISO currency of every posting: a journal never mixes currencies. */
  currency: string;
  kind: 'payment_captured' | 'order_settled' | 'refund_settled' | 'payment_refunded';
  postings: Posting[];
}

/** An event written to the outbox in the same transaction as the state change it announces. */
export interface OutboxEvent {
  topic: string;
  key: string;
  payload: Record<string, unknown>;
  /** W3C trace context of the producing request (traceparent, tracestate). */
  headers: Record<string, string>;
}

export interface StoredOutboxEvent extends OutboxEvent {
  id: number;
  attempts: number;
}

/** The ledger of one currency: cents never add across currencies. */
export interface CurrencyLedger {
  /** Sum over every account in this currency, in cents: zero when balanced. */
  total: number;
  /** Balance per account kind, in cents. */
  accounts: Record<string, number>;
  entries: number;
}

export interface LedgerReport {
  balanced: boolean;
  entries: number;
  journals: number;
  /** Per ISO currency; balanced only when every currency's total is zero. */
  currencies: Record<string, CurrencyLedger>;
  unbalancedJournals: string[];
  /** Orders whose entries do not tie out to their amount, or are booked in another currency. */
  mismatchedOrders: string[];
}
