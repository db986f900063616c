// ListingStore on PostgreSQL: named prepared statements, the same keyset pagination as SQLite,
// and search with a GIN-indexed tsvector ranked by ts_rank_cd.
import type pg from 'pg';
import type {
  Listing,
  ListingPage,
  ListingPatch,
  ListingQuery,
  NewListing,
  Seller,
} from '../../domain/model.ts';
import type { ListingStore } from '../../domain/ports.ts';
import {
  type ListingRecord,
  listingQuerySql,
  type SellerRecord,
  searchTerms,
  sortKey,
  toListing,
  toSeller,
} from '../rows.ts';
import { dbCall, type StoreContext } from '../storeContext.ts';

export const LISTING_COLS =
  'id, seller_id, title, brand, category, size, condition, description, price_cents, currency, quantity, status, created_at, updated_at';

const SEARCH_SQL = `SELECT ${LISTING_COLS}, ts_rank_cd(search, q) AS rank FROM listings, to_tsquery('simple', $1) q
  WHERE search @@ q AND status = 'active' ORDER BY rank DESC, id LIMIT $2`;

export class PostgresListingStore implements ListingStore {
  readonly #pool: pg.Pool;
  readonly #ctx: StoreContext;
  readonly #shapes = new Map<string, string>();

  constructor(pool: pg.Pool, ctx: StoreContext) {
    this.#pool = pool;
    this.#ctx = ctx;
  }

  getListing(id: number): Promise<Listing | undefined> {
    const text = `SELECT ${LISTING_COLS} FROM listings WHERE id = $1`;
    return dbCall(this.#ctx, { operation: 'SELECT', collection: 'listings', queryText: text }, async () => {
      const { rows } = await this.#pool.query<ListingRecord>({ name: 'listing_by_id', text, values: [id] });
      return rows[0] && toListing(rows[0]);
    });
  }

  listListings(query: ListingQuery): Promise<ListingPage> {
    const { sql, params, shape } = listingQuerySql(query, (i) => `$${i}`);
    const text = sql.replace('SELECT *', `SELECT ${LISTING_COLS}`);
    return dbCall(this.#ctx, { operation: 'SELECT', collection: 'listings', queryText: text }, async () => {
      let name = this.#shapes.get(shape);
      if (!name) {
        name = `browse_${this.#shapes.size}`;
        this.#shapes.set(shape, name);
      }
      const { rows } = await this.#pool.query<ListingRecord>({ name, text, values: params });
      const more = rows.length > query.limit;
      if (more) rows.pop();
      const last = rows.at(-1);
      return {
        items: rows.map(toListing),
        next: more && last ? { key: sortKey(last, query.sort), id: Number(last.id) } : undefined,
      };
    });
  }

  searchListings(text: string, limit: number): Promise<Array<Listing & { score: number }>> {
    const terms = searchTerms(text);
    return dbCall(
      this.#ctx,
      { operation: 'SELECT', collection: 'listings', queryText: SEARCH_SQL },
      async () => {
        if (terms.length === 0) return [];
        const { rows } = await this.#pool.query<ListingRecord & { rank: number }>({
          name: 'search',
          text: SEARCH_SQL,
          values: [terms.join(' & '), limit],
        });
        return rows.map((r) => ({ ...toListing(r), score: Math.round(Number(r.rank) * 1000) / 1000 }));
      },
    );
  }

  createListing(l: NewListing, now: number): Promise<Listing> {
    const text = `INSERT INTO listings (seller_id, title, brand, category, size, condition, description, price_cents, currency,
      quantity, status, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'active', $11, $11) RETURNING ${LISTING_COLS}`;
    return dbCall(this.#ctx, { operation: 'INSERT', collection: 'listings', queryText: text }, async () => {
      const { rows } = await this.#pool.query<ListingRecord>({
        name: 'listing_insert',
        text,
        values: [
          l.sellerId,
          l.title,
          l.brand,
          l.category,
          l.size,
          l.condition,
          l.description,
          l.priceCents,
          l.currency,
          l.quantity,
          now,
        ],
      });
      return toListing(rows[0]);
    });
  }

  updateListing(id: number, patch: ListingPatch, now: number): Promise<Listing | undefined> {
    const columns: Record<keyof ListingPatch, string> = {
      title: 'title',
      description: 'description',
      priceCents: 'price_cents',
      quantity: 'quantity',
      status: 'status',
      size: 'size',
      condition: 'condition',
    };
    const sets: string[] = [];
    const values: unknown[] = [];
    for (const [field, column] of Object.entries(columns) as Array<[keyof ListingPatch, string]>) {
      if (patch[field] === undefined) continue;
      values.push(patch[field]);
      sets.push(`${column} = $${values.length}`);
    }
    values.push(now);
    sets.push(`updated_at = $${values.length}`);
    values.push(id);
    const text = `UPDATE listings SET ${sets.join(', ')} WHERE id = $${values.length} RETURNING ${LISTING_COLS}`;
    return dbCall(this.#ctx, { operation: 'UPDATE', collection: 'listings', queryText: text }, async () => {
      const { rows } = await this.#pool.query<ListingRecord>(text, values);
      return rows[0] && toListing(rows[0]);
    });
  }

  getSeller(id: number): Promise<Seller | undefined> {
    const text = 'SELECT * FROM sellers WHERE id = $1';
    return dbCall(this.#ctx, { operation: 'SELECT', collection: 'sellers', queryText: text }, async () => {
      const { rows } = await this.#pool.query<SellerRecord>({ name: 'seller_by_id', text, values: [id] });
      return rows[0] && toSeller(rows[0]);
    });
  }

  relistSoldBefore(cutoff: number, now: number): Promise<number[]> {
    const text = `UPDATE listings SET quantity = 1, status = 'active', updated_at = $1
      WHERE id IN (SELECT id FROM listings WHERE status = 'sold' AND updated_at < $2 LIMIT 1000 FOR UPDATE SKIP LOCKED) RETURNING id`;
    return dbCall(this.#ctx, { operation: 'UPDATE', collection: 'listings', queryText: text }, async () => {
      const { rows } = await this.#pool.query<{ id: number }>({
        name: 'relist',
        text,
        values: [now, cutoff],
      });
      return rows.map((r) => Number(r.id));
    });
  }
}
