// CartStore on PostgreSQL (same single-join read as SQLite).
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { Cart } from '../../domain/model.ts';
import type { AddItemResult, CartStore } from '../../domain/ports.ts';
import { type CartLineRecord, toCart } from '../rows.ts';
import { CART_SQL } from '../sqlite/SqliteCartStore.ts';
import { dbCall, type StoreContext } from '../storeContext.ts';
import { inTransaction } from './pgTx.ts';

const CART_PG = CART_SQL.replace('?', '$1');

export class PostgresCartStore implements CartStore {
  readonly #pool: pg.Pool;
  readonly #ctx: StoreContext;

  constructor(pool: pg.Pool, ctx: StoreContext) {
    this.#pool = pool;
    this.#ctx = ctx;
  }

  createCart(buyerId: string, currency: string, now: number): Promise<Cart> {
    const text = 'INSERT INTO carts (id, buyer_id, currency, created_at) VALUES ($1, $2, $3, $4)';
    return dbCall(this.#ctx, { operation: 'INSERT', collection: 'carts', queryText: text }, async () => {
      const id = randomUUID();
      await this.#pool.query({ name: 'cart_insert', text, values: [id, buyerId, currency, now] });
      return { id, buyerId, currency, items: [], totalCents: 0, createdAt: new Date(now).toISOString() };
    });
  }

  getCart(id: string): Promise<Cart | undefined> {
    return dbCall(this.#ctx, { operation: 'SELECT', collection: 'carts', queryText: CART_PG }, async () => {
      const { rows } = await this.#pool.query<CartLineRecord>({
        name: 'cart_by_id',
        text: CART_PG,
        values: [id],
      });
      return toCart(rows);
    });
  }

  addItem(cartId: string, listingId: number, quantity: number, now: number): Promise<AddItemResult> {
    return dbCall(
      this.#ctx,
      {
        operation: 'INSERT',
        collection: 'cart_items',
        queryText: 'INSERT INTO cart_items ... ON CONFLICT DO UPDATE',
      },
      () =>
        inTransaction(this.#pool, async (c): Promise<AddItemResult> => {
          const cart = (
            await c.query<{ currency: string }>('SELECT currency FROM carts WHERE id = $1 FOR UPDATE', [
              cartId,
            ])
          ).rows[0];
          if (!cart) return { ok: false, reason: 'cart_not_found' };
          const listing = (
            await c.query<{ currency: string }>(
              "SELECT currency FROM listings WHERE id = $1 AND status = 'active'",
              [listingId],
            )
          ).rows[0];
          if (!listing) return { ok: false, reason: 'listing_not_found' };
          if (listing.currency !== cart.currency) return { ok: false, reason: 'currency_mismatch' };
          await c.query(
            `INSERT INTO cart_items (cart_id, listing_id, quantity, added_at) VALUES ($1, $2, $3, $4)
           ON CONFLICT (cart_id, listing_id) DO UPDATE SET quantity = cart_items.quantity + excluded.quantity`,
            [cartId, listingId, quantity, now],
          );
          return { ok: true, cart: toCart((await c.query<CartLineRecord>(CART_PG, [cartId])).rows)! };
        }),
    );
  }
}
