// PostgreSQL DDL and seeding: the same tables and columns as SQLite, with a stored tsvector
// (title weighted A, brand B, description C) and a GIN index for search. Secondary indexes are
// built after the bulk seed, as on SQLite.
import type pg from 'pg';
import { catalogStamp } from '../schemaVersion.ts';
import { LISTING_COLUMNS, listingRows, SELLER_COLUMNS, sellerRows } from '../seed/catalogGenerator.ts';
import type { SeedReport } from '../sqlite/openSqlite.ts';

const PG_META = 'CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)';

export const PG_TABLES = `
CREATE TABLE IF NOT EXISTS sellers (
  id BIGINT PRIMARY KEY, name TEXT NOT NULL, country TEXT NOT NULL,
  rating_sum BIGINT NOT NULL, rating_count BIGINT NOT NULL, sales_count BIGINT NOT NULL DEFAULT 0, created_at BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS listings (
  id BIGSERIAL PRIMARY KEY, seller_id BIGINT NOT NULL, title TEXT NOT NULL, brand TEXT NOT NULL,
  category TEXT NOT NULL, size TEXT NOT NULL, condition TEXT NOT NULL, description TEXT NOT NULL,
  price_cents BIGINT NOT NULL, currency TEXT NOT NULL, quantity INTEGER NOT NULL CHECK (quantity >= 0),
  status TEXT NOT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL,
  search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('simple', title), 'A') || setweight(to_tsvector('simple', brand), 'B') ||
    setweight(to_tsvector('simple', description), 'C')) STORED);
CREATE TABLE IF NOT EXISTS carts (id TEXT PRIMARY KEY, buyer_id TEXT NOT NULL, currency TEXT NOT NULL, created_at BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS cart_items (
  cart_id TEXT NOT NULL, listing_id BIGINT NOT NULL, quantity INTEGER NOT NULL, added_at BIGINT NOT NULL,
  PRIMARY KEY (cart_id, listing_id));
CREATE TABLE IF NOT EXISTS orders (
  id TEXT PRIMARY KEY, buyer_id TEXT NOT NULL, cart_id TEXT NOT NULL, status TEXT NOT NULL,
  total_cents BIGINT NOT NULL, fee_cents BIGINT NOT NULL, currency TEXT NOT NULL,
  payment_id TEXT, card_last4 TEXT, failure_reason TEXT, reservation_expires_at BIGINT NOT NULL,
  payment_state TEXT, resolve_attempts INTEGER NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL);
CREATE INDEX IF NOT EXISTS orders_pending ON orders (reservation_expires_at) WHERE status = 'pending_payment';
CREATE INDEX IF NOT EXISTS orders_refund_doubt ON orders (reservation_expires_at) WHERE payment_state = 'refund_unknown';
CREATE TABLE IF NOT EXISTS order_items (
  order_id TEXT NOT NULL, listing_id BIGINT NOT NULL, seller_id BIGINT NOT NULL,
  quantity INTEGER NOT NULL, unit_price_cents BIGINT NOT NULL, PRIMARY KEY (order_id, listing_id));
CREATE TABLE IF NOT EXISTS idempotency_keys (
  key TEXT PRIMARY KEY, request_hash TEXT NOT NULL, order_id TEXT, status TEXT NOT NULL,
  response_status INTEGER, response_body TEXT, created_at BIGINT NOT NULL);
CREATE INDEX IF NOT EXISTS idempotency_keys_order ON idempotency_keys (order_id);
CREATE TABLE IF NOT EXISTS ledger_entries (
  id BIGSERIAL PRIMARY KEY, journal_id TEXT NOT NULL, order_id TEXT NOT NULL, currency TEXT NOT NULL,
  account TEXT NOT NULL, account_kind TEXT NOT NULL, amount_cents BIGINT NOT NULL, created_at BIGINT NOT NULL);
CREATE INDEX IF NOT EXISTS ledger_entries_order ON ledger_entries (order_id);
CREATE OR REPLACE FUNCTION ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS
  $$ BEGIN RAISE EXCEPTION 'ledger is append-only'; END $$;
DROP TRIGGER IF EXISTS ledger_no_change ON ledger_entries;
CREATE TRIGGER ledger_no_change BEFORE UPDATE OR DELETE ON ledger_entries FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
CREATE TABLE IF NOT EXISTS outbox (
  id BIGSERIAL PRIMARY KEY, topic TEXT NOT NULL, key TEXT NOT NULL, payload TEXT NOT NULL,
  headers TEXT NOT NULL, created_at BIGINT NOT NULL, published_at BIGINT, attempts INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS outbox_pending ON outbox (id) WHERE published_at IS NULL;
CREATE TABLE IF NOT EXISTS processed_events (event_id TEXT PRIMARY KEY);
`;

export const PG_POST_SEED = `
CREATE INDEX IF NOT EXISTS listings_created ON listings (created_at, id);
CREATE INDEX IF NOT EXISTS listings_price ON listings (price_cents, id);
CREATE INDEX IF NOT EXISTS listings_category_created ON listings (category, created_at, id);
CREATE INDEX IF NOT EXISTS listings_category_price ON listings (category, price_cents, id);
CREATE INDEX IF NOT EXISTS listings_brand_created ON listings (brand, created_at, id);
CREATE INDEX IF NOT EXISTS listings_seller_created ON listings (seller_id, created_at, id);
CREATE INDEX IF NOT EXISTS listings_search ON listings USING GIN (search);
CREATE INDEX IF NOT EXISTS listings_sold ON listings (updated_at) WHERE status = 'sold';
`;

const TABLES = [
  'sellers',
  'listings',
  'carts',
  'cart_items',
  'orders',
  'order_items',
  'idempotency_keys',
  'ledger_entries',
  'outbox',
  'processed_events',
];

function insertSql(table: string, columns: readonly string[], rows: number): string {
  const tuples: string[] = [];
  for (let r = 0; r < rows; r++) {
    tuples.push(`(${columns.map((_c, i) => `$${r * columns.length + i + 1}`).join(',')})`);
  }
  return `INSERT INTO ${table} (${columns.join(',')}) VALUES ${tuples.join(',')}`;
}

/** Creates the schema and, unless already seeded with (items, seed), seeds it in one transaction. */
export async function preparePostgres(
  pool: pg.Pool,
  schema: string,
  items: number,
  seed: number,
): Promise<SeedReport> {
  const started = performance.now();
  const client = await pool.connect();
  try {
    await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    await client.query(`SET search_path TO "${schema}"`);
    // Two instances starting at once on one schema: the advisory lock makes the second wait.
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [schema]);
    try {
      await client.query(PG_META);
      const want = catalogStamp(items, seed);
      const have = (await client.query("SELECT value FROM meta WHERE key = 'catalog'")).rows[0]?.value;
      // Tables of another schema version are dropped before the new DDL meets them.
      if (have !== undefined && have !== want)
        await client.query(`DROP TABLE IF EXISTS ${TABLES.join(', ')} CASCADE`);
      await client.query(PG_TABLES);
      if (have === want) {
        await client.query(PG_POST_SEED);
        return { seeded: false, items, seconds: 0, rssBytes: process.memoryUsage().rss };
      }
      await client.query('BEGIN');
      await client.query(`TRUNCATE ${TABLES.join(', ')}`);
      const BATCH = 1000;
      for (const rows of sellerRows(items, seed, BATCH)) {
        await client.query({
          name: rows.length === BATCH ? 'seed_sellers' : undefined,
          text: insertSql('sellers', SELLER_COLUMNS, rows.length),
          values: rows.flat(),
        });
      }
      for (const rows of listingRows(items, seed, BATCH)) {
        await client.query({
          name: rows.length === BATCH ? 'seed_listings' : undefined,
          text: insertSql('listings', LISTING_COLUMNS, rows.length),
          values: rows.flat(),
        });
      }
      await client.query(`SELECT setval(pg_get_serial_sequence('listings', 'id'), $1)`, [items]);
      await client.query(
        "INSERT INTO meta (key, value) VALUES ('catalog', $1) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [want],
      );
      await client.query('COMMIT');
      await client.query(PG_POST_SEED);
      await client.query('ANALYZE');
      return {
        seeded: true,
        items,
        seconds: (performance.now() - started) / 1000,
        rssBytes: process.memoryUsage().rss,
      };
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      await client.query('SELECT pg_advisory_unlock(hashtext($1))', [schema]).catch(() => {});
    }
  } finally {
    client.release();
  }
}
