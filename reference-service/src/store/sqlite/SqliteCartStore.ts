// CartStore on SQLite: a cart and its lines (priced from the live listing) come back in one join.
import { randomUUID } from 'node:crypto';
import type { Statement } from 'better-sqlite3';
import type { Cart } from '../../domain/model.ts';
import type { AddItemResult, CartStore } from '../../domain/ports.ts';
import { type CartLineRecord, toCart } from '../rows.ts';
import { dbCall, type StoreContext } from '../storeContext.ts';
import type { SqliteDb } from './openSqlite.ts';

/**
 * The cart id parameter of a query that joins the cart's lines. As a bare `?` in such a join,
 * SQLite's planner marks the parameter as one whose value may change the plan, and better-sqlite3
 * binds it on every call: the statement was re-prepared on every execution (sqlite3Reprepare, about
 * 15 us of a 26 us cart read). A cast is not a bare parameter, so the prepared plan is kept; the
 * plan is the same (EXPLAIN QUERY PLAN: the carts and cart_items primary keys, then listings' rowid).
 */
export const CART_ID_PARAM = 'CAST(? AS TEXT)';

export const CART_SQL = `SELECT c.id, c.buyer_id, c.currency, c.created_at, ci.listing_id, ci.quantity,
  l.seller_id, l.title, l.price_cents
  FROM carts c LEFT JOIN cart_items ci ON ci.cart_id = c.id LEFT JOIN listings l ON l.id = ci.listing_id
  WHERE c.id = ${CART_ID_PARAM} ORDER BY ci.added_at, ci.listing_id`;

export class SqliteCartStore implements CartStore {
  readonly #ctx: StoreContext;
  readonly #insertCart: Statement;
  readonly #cart: Statement;
  readonly #listing: Statement;
  readonly #upsertItem: Statement;
  readonly #addTx: (cartId: string, listingId: number, quantity: number, now: number) => AddItemResult;

  constructor(db: SqliteDb, ctx: StoreContext) {
    this.#ctx = ctx;
    this.#insertCart = db.prepare(
      'INSERT INTO carts (id, buyer_id, currency, created_at) VALUES (?, ?, ?, ?)',
    );
    this.#cart = db.prepare(CART_SQL);
    this.#listing = db.prepare("SELECT currency FROM listings WHERE id = ? AND status = 'active'");
    this.#upsertItem =
      db.prepare(`INSERT INTO cart_items (cart_id, listing_id, quantity, added_at) VALUES (?, ?, ?, ?)
      ON CONFLICT (cart_id, listing_id) DO UPDATE SET quantity = cart_items.quantity + excluded.quantity`);
    // Built once (db.transaction() makes four wrapper functions per call).
    this.#addTx = db.transaction((cartId: string, listingId: number, quantity: number, now: number) =>
      this.#add(cartId, listingId, quantity, now),
    ).immediate;
  }

  createCart(buyerId: string, currency: string, now: number): Promise<Cart> {
    return dbCall(
      this.#ctx,
      { operation: 'INSERT', collection: 'carts', queryText: 'INSERT INTO carts ...' },
      () => {
        const id = randomUUID();
        this.#insertCart.run(id, buyerId, currency, now);
        return { id, buyerId, currency, items: [], totalCents: 0, createdAt: new Date(now).toISOString() };
      },
    );
  }

  getCart(id: string): Promise<Cart | undefined> {
    return dbCall(this.#ctx, { operation: 'SELECT', collection: 'carts', queryText: CART_SQL }, () =>
      toCart(this.#cart.all(id) as CartLineRecord[]),
    );
  }

  addItem(cartId: string, listingId: number, quantity: number, now: number): Promise<AddItemResult> {
    return dbCall(
      this.#ctx,
      {
        operation: 'INSERT',
        collection: 'cart_items',
        queryText: 'INSERT INTO cart_items ... ON CONFLICT DO UPDATE',
      },
      () => this.#addTx(cartId, listingId, quantity, now),
    );
  }

  #add(cartId: string, listingId: number, quantity: number, now: number): AddItemResult {
    const before = toCart(this.#cart.all(cartId) as CartLineRecord[]);
    if (!before) return { ok: false, reason: 'cart_not_found' };
    const listing = this.#listing.get(listingId) as { currency: string } | undefined;
    if (!listing) return { ok: false, reason: 'listing_not_found' };
    if (listing.currency !== before.currency) return { ok: false, reason: 'currency_mismatch' };
    this.#upsertItem.run(cartId, listingId, quantity, now);
    return { ok: true, cart: toCart(this.#cart.all(cartId) as CartLineRecord[])! };
  }
}
