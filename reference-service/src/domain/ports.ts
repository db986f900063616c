// The ports the domain depends on. Adapters live beside the technology they wrap
// (store/sqlite, store/postgres, cache/, payments/, outbox/); the domain never imports them.
import type {
  CardToken,
  Cart,
  Journal,
  LedgerReport,
  Listing,
  ListingPage,
  ListingPatch,
  ListingQuery,
  NewListing,
  Order,
  OutboxEvent,
  Seller,
  StoredOutboxEvent,
} from './model.ts';

export interface ListingStore {
  getListing(id: number): Promise<Listing | undefined>;
  listListings(query: ListingQuery): Promise<ListingPage>;
  searchListings(text: string, limit: number): Promise<Array<Listing & { score: number }>>;
  createListing(listing: NewListing, now: number): Promise<Listing>;
  /** Undefined when no listing has that id. */
  updateListing(id: number, patch: ListingPatch, now: number): Promise<Listing | undefined>;
  getSeller(id: number): Promise<Seller | undefined>;
  /** Puts listings sold out before `cutoff` back on sale with one item (sellers relisting); returns their ids. */
  relistSoldBefore(cutoff: number, now: number): Promise<number[]>;
}

export type AddItemResult =
  | { ok: true; cart: Cart }
  | { ok: false; reason: 'cart_not_found' | 'listing_not_found' | 'currency_mismatch' };

export interface CartStore {
  createCart(buyerId: string, currency: string, now: number): Promise<Cart>;
  getCart(id: string): Promise<Cart | undefined>;
  addItem(cartId: string, listingId: number, quantity: number, now: number): Promise<AddItemResult>;
}

/** What the client gets back for a checkout; stored with the idempotency key for replays. */
export interface StoredResponse {
  status: number;
  body: Record<string, unknown>;
}

export interface BeginCheckout {
  idempotencyKey: string;
  requestHash: string;
  cartId: string;
  orderId: string;
  card: CardToken;
  feeBps: number;
  now: number;
  reservationExpiresAt: number;
}

export type BeginCheckoutResult =
  | { kind: 'started'; order: Order }
  | { kind: 'replay'; requestHash: string; response: StoredResponse }
  | { kind: 'in_progress'; requestHash: string }
  | { kind: 'cart_not_found' }
  | { kind: 'cart_empty' }
  | { kind: 'out_of_stock'; listingIds: number[] };

/** Keys of the checkout are found by the order they made (idempotency_keys.order_id). */
export interface CompleteCheckout {
  orderId: string;
  paymentId: string;
  journals: Journal[];
  events: OutboxEvent[];
  response: StoredResponse;
  now: number;
}

export interface FailCheckout {
  orderId: string;
  reason: string;
  events: OutboxEvent[];
  /** Stored for replays; undefined forgets the key so the client may retry the same key. */
  response: StoredResponse | undefined;
  now: number;
}

export interface CompleteRefund {
  orderId: string;
  journals: Journal[];
  events: OutboxEvent[];
  now: number;
}

export interface OrderStore {
  /** Atomically: claims the key, reserves stock for every cart line, creates the order. */
  beginCheckout(input: BeginCheckout): Promise<BeginCheckoutResult>;
  /**
   * Atomically: order paid, ledger journals, outbox events, stored response on the key. False (and
   * nothing written) when the order is no longer pending: its reservation expired meanwhile.
   */
  completeCheckout(input: CompleteCheckout): Promise<boolean>;
  /** Atomically: order failed, stock released, outbox events, key answered or forgotten. */
  failCheckout(input: FailCheckout): Promise<Order>;
  getOrder(id: string): Promise<Order | undefined>;
  /**
   * Pending order whose payment is not in doubt → cancelled with stock released; answers the
   * order as it now is (still pending when its payment outcome is unknown).
   */
  cancelPending(orderId: string, events: OutboxEvent[], now: number): Promise<Order | undefined>;
  /** Paid order → refunded with stock released, reversal journals and events. */
  completeRefund(input: CompleteRefund): Promise<Order>;
  /**
   * The payment of a pending order has an unknown outcome: it keeps its stock and key, and is due
   * for the resolver at `resolveAt`. False when the order is no longer pending.
   */
  markPaymentUnknown(orderId: string, resolveAt: number, now: number): Promise<boolean>;
  /**
   * Claims up to `limit` pending orders due for the resolver (outcome unknown and due, or held past
   * their reservation: a crashed or hung request), leasing each for `leaseMs` so no other instance
   * resolves it meanwhile, and counting the try.
   */
  claimDuePayments(now: number, leaseMs: number, limit: number): Promise<DuePayment[]>;
  /** The refund of a paid order has an unknown outcome: due for the resolver at `resolveAt`. */
  markRefundUnknown(orderId: string, resolveAt: number, now: number): Promise<boolean>;
  /** The PSP did not refund after all: the paid order is no longer in doubt. */
  clearRefundDoubt(orderId: string, now: number): Promise<boolean>;
  /** Pending order → payment_review (stock and key stay held): the resolver gave up; a human decides. */
  markPaymentReview(orderId: string, reason: string, now: number): Promise<boolean>;
  /** Orders and their ledger sums for reconciliation: created in [from, to) plus `alsoIds`. */
  reconciliationOrders(from: number, to: number, alsoIds: string[]): Promise<ReconciliationOrder[]>;
}

/** A pending order the resolver claimed, with the tries made so far (this one included). */
export interface DuePayment {
  order: Order;
  attempts: number;
  /** True when the request marked the outcome unknown; false when it was never settled (crash). */
  unknown: boolean;
  /** A paid order whose refund outcome is unknown (not a pending payment). */
  refund: boolean;
}

/** An order as reconciliation sees it: status, amount, and what the ledger booked for it. */
export interface ReconciliationOrder {
  id: string;
  status: string;
  totalCents: number;
  currency: string;
  paymentId: string | null;
  createdAt: number;
  /** Sum of the order's psp_clearing entries, per currency of the entries. */
  clearing: Record<string, number>;
}

export interface LedgerStore {
  checkLedger(): Promise<LedgerReport>;
}

export interface OutboxStore {
  /** Oldest unpublished events, at most `limit`. */
  pending(limit: number): Promise<StoredOutboxEvent[]>;
  markPublished(ids: number[], now: number): Promise<void>;
  markFailed(ids: number[]): Promise<void>;
  /** Side effect of a consumed event (the sales projection), idempotent per event id. */
  applySale(eventId: string, sellerIds: number[]): Promise<boolean>;
}

/** Everything a storage backend provides; one object per backend. */
export interface Stores {
  listings: ListingStore;
  carts: CartStore;
  orders: OrderStore;
  ledger: LedgerStore;
  outbox: OutboxStore;
  /** Backend name as `db.system.name` spells it. */
  system: 'sqlite' | 'postgresql';
  ready(): Promise<boolean>;
  close(): Promise<void>;
}

export interface Cache {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, ttlMs: number): Promise<void>;
  delete(keys: string[]): Promise<void>;
  readonly kind: 'lru' | 'redis';
  close(): Promise<void>;
}

/**
 * What a payment operation ended with. `not_charged`: every attempt failed in a way that proves
 * nothing was charged (refused before processing, breaker open before sending, key barred).
 * `unknown`: some attempt was sent and got no definitive answer (timeout after send, a reset, a
 * 5xx other than 503): the PSP may have charged, so it is never treated as declined.
 */
export type PaymentOutcome = 'approved' | 'declined' | 'not_charged' | 'unknown';

/** How one attempt ended, for telemetry (the `outcome` label of the PSP metrics). */
export type AttemptOutcome = 'approved' | 'declined' | 'error' | 'timeout' | 'circuit_open' | 'voided';

export interface AuthorizeRequest {
  orderId: string;
  /** The PSP-side idempotency key (derived from the order; see pspPaymentKey). */
  pspKey: string;
  amountCents: number;
  currency: string;
  card: CardToken;
}

export interface PaymentResult {
  outcome: PaymentOutcome;
  paymentId?: string;
  declineCode?: string;
  attempts: number;
  /** How the last attempt ended (error, timeout, circuit_open, voided…). */
  reason?: AttemptOutcome;
}

export interface RefundRequest {
  orderId: string;
  paymentId: string;
  amountCents: number;
  currency: string;
}

/** The PSP's view of the authorization made with a key; `absent` when it never saw the key. */
export type PspView =
  | { kind: 'absent' }
  | {
      kind: 'found';
      status: 'authorized' | 'captured' | 'voided' | 'declined';
      paymentId: string | null;
      amountCents: number;
      currency: string;
      declineCode?: string;
    }
  | { kind: 'unreachable'; reason: AttemptOutcome };

export interface PaymentGateway {
  authorize(request: AuthorizeRequest): Promise<PaymentResult>;
  refund(request: RefundRequest): Promise<PaymentResult>;
  /** One lookup of the authorization made with `pspKey`. */
  lookup(pspKey: string): Promise<PspView>;
  /** Voids the authorization made with `pspKey`, or bars the key if the PSP never saw it. */
  void(pspKey: string): Promise<PspView>;
  /** Captures an authorized payment. */
  capture(paymentId: string): Promise<PaymentResult>;
}

export interface BusMessage {
  id: string;
  topic: string;
  key: string;
  payload: Record<string, unknown>;
  headers: Record<string, string>;
}

export interface EventBus {
  readonly system: string;
  publish(message: BusMessage): Promise<void>;
  /** Calls the handler for every message on the topics; resolves once subscribed. */
  subscribe(topics: string[], handler: (message: BusMessage) => Promise<void>): Promise<void>;
  /** True while the connection to the broker is up (always true in-process). */
  healthy(): boolean;
  close(): Promise<void>;
}
