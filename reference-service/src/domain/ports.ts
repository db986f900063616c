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

export interface CompleteCheckout {
  orderId: string;
  idempotencyKey: string;
  paymentId: string;
  journals: Journal[];
  events: OutboxEvent[];
  response: StoredResponse;
  now: number;
}

export interface FailCheckout {
  orderId: string;
  idempotencyKey: string;
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
  /** Pending order → cancelled with stock released; answers the order as it now is. */
  cancelPending(orderId: string, events: OutboxEvent[], now: number): Promise<Order | undefined>;
  /** Paid order → refunded with stock released, reversal journals and events. */
  completeRefund(input: CompleteRefund): Promise<Order>;
  /**
   * Fails pending orders whose reservation expired (crashed or hung payments), releases their
   * stock and writes `eventFor(order)` to the outbox for each; returns their ids.
   */
  expireReservations(now: number, eventFor: (order: Order) => OutboxEvent): Promise<string[]>;
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

export type PaymentOutcome = 'approved' | 'declined' | 'error' | 'timeout' | 'circuit_open';

export interface AuthorizeRequest {
  orderId: string;
  amountCents: number;
  currency: string;
  card: CardToken;
}

export interface PaymentResult {
  outcome: PaymentOutcome;
  paymentId?: string;
  declineCode?: string;
  attempts: number;
}

export interface RefundRequest {
  orderId: string;
  paymentId: string;
  amountCents: number;
  currency: string;
}

export interface PaymentGateway {
  authorize(request: AuthorizeRequest): Promise<PaymentResult>;
  refund(request: RefundRequest): Promise<PaymentResult>;
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
