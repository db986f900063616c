// ListingStore on SQLite: prepared statements cached per query shape, keyset pagination on
// covering (filter, sort key, id) indexes, and FTS5 with bm25 ranking for search (title
// weighs most, then brand, then description).
import type { Statement } from 'better-sqlite3';
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
import type { SqliteDb } from './openSqlite.ts';

// Rank inside FTS first and join only the best few (a common word matches 2.5% of a 5M catalog);
// the slack covers sold listings filtered out after the join.
const SEARCH_SQL = `SELECT l.*, f.rank FROM (
    SELECT rowid AS id, bm25(listings_fts, 4.0, 2.0, 1.0) AS rank FROM listings_fts
    WHERE listings_fts MATCH ? ORDER BY rank LIMIT ?) f
  JOIN listings l ON l.id = f.id WHERE l.status = 'active' ORDER BY f.rank LIMIT ?`;

export class SqliteListingStore implements ListingStore {
  readonly #db: SqliteDb;
  readonly #ctx: StoreContext;
  readonly #shapes = new Map<string, Statement>();
  readonly #get: Statement;
  readonly #search: Statement;
  readonly #insert: Statement;
  readonly #seller: Statement;
  readonly #relist: Statement;

  constructor(db: SqliteDb, ctx: StoreContext) {
    this.#db = db;
    this.#ctx = ctx;
    this.#get = db.prepare('SELECT * FROM listings WHERE id = ?');
    this.#search = db.prepare(SEARCH_SQL);
    this.#insert =
      db.prepare(`INSERT INTO listings (seller_id, title, brand, category, size, condition, description,
      price_cents, currency, quantity, status, created_at, updated_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', ?, ?) RETURNING *`);
    this.#seller = db.prepare('SELECT * FROM sellers WHERE id = ?');
    this.#relist = db.prepare(`UPDATE listings SET quantity = 1, status = 'active', updated_at = ?
      WHERE id IN (SELECT id FROM listings WHERE status = 'sold' AND updated_at < ? LIMIT 1000) RETURNING id`);
  }

  getListing(id: number): Promise<Listing | undefined> {
    return dbCall(
      this.#ctx,
      { operation: 'SELECT', collection: 'listings', queryText: 'SELECT * FROM listings WHERE id = ?' },
      () => {
        const row = this.#get.get(id) as ListingRecord | undefined;
        return row && toListing(row);
      },
    );
  }

  listListings(query: ListingQuery): Promise<ListingPage> {
    const { sql, params, shape } = listingQuerySql(query, () => '?');
    return dbCall(this.#ctx, { operation: 'SELECT', collection: 'listings', queryText: sql }, () => {
      let stmt = this.#shapes.get(shape);
      if (!stmt) {
        stmt = this.#db.prepare(sql);
        this.#shapes.set(shape, stmt);
      }
      const rows = stmt.all(...params) as ListingRecord[];
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
    const match = terms.map((t) => `"${t}"`).join(' ');
    return dbCall(
      this.#ctx,
      { operation: 'SELECT', collection: 'listings_fts', queryText: SEARCH_SQL },
      () => {
        if (terms.length === 0) return [];
        const rows = this.#search.all(match, limit + 50, limit) as Array<ListingRecord & { rank: number }>;
        return rows.map((r) => ({ ...toListing(r), score: Math.round(-r.rank * 1000) / 1000 }));
      },
    );
  }

  createListing(l: NewListing, now: number): Promise<Listing> {
    return dbCall(
      this.#ctx,
      { operation: 'INSERT', collection: 'listings', queryText: 'INSERT INTO listings ... RETURNING *' },
      () => {
        const row = this.#insert.get(
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
          now,
        ) as ListingRecord;
        return toListing(row);
      },
    );
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
    const params: unknown[] = [];
    for (const [field, column] of Object.entries(columns) as Array<[keyof ListingPatch, string]>) {
      if (patch[field] === undefined) continue;
      sets.push(`${column} = ?`);
      params.push(patch[field]);
    }
    sets.push('updated_at = ?');
    params.push(now, id);
    const sql = `UPDATE listings SET ${sets.join(', ')} WHERE id = ? RETURNING *`;
    return dbCall(this.#ctx, { operation: 'UPDATE', collection: 'listings', queryText: sql }, () => {
      const row = this.#db.prepare(sql).get(...params) as ListingRecord | undefined;
      return row && toListing(row);
    });
  }

  getSeller(id: number): Promise<Seller | undefined> {
    return dbCall(
      this.#ctx,
      { operation: 'SELECT', collection: 'sellers', queryText: 'SELECT * FROM sellers WHERE id = ?' },
      () => {
        const row = this.#seller.get(id) as SellerRecord | undefined;
        return row && toSeller(row);
      },
    );
  }

  relistSoldBefore(cutoff: number, now: number): Promise<number[]> {
    return dbCall(
      this.#ctx,
      {
        operation: 'UPDATE',
        collection: 'listings',
        queryText: 'UPDATE listings SET status = active WHERE sold',
      },
      () => (this.#relist.all(now, cutoff) as Array<{ id: number }>).map((r) => Number(r.id)),
    );
  }
}
