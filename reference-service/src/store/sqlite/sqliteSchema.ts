// SQLite DDL. Secondary indexes, the FTS5 index and its triggers are created after the bulk
// seed (POST_SEED_DDL), because building them once over sorted data is far faster than
// maintaining them row by row during a five-million-row insert.

export const SQLITE_META = 'CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);';

export const SQLITE_TABLES = `
CREATE TABLE IF NOT EXISTS sellers (
  id INTEGER PRIMARY KEY, name TEXT NOT NULL, country TEXT NOT NULL,
  rating_sum INTEGER NOT NULL, rating_count INTEGER NOT NULL,
  sales_count INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS listings (
  id INTEGER PRIMARY KEY, seller_id INTEGER NOT NULL, title TEXT NOT NULL, brand TEXT NOT NULL,
  category TEXT NOT NULL, size TEXT NOT NULL, condition TEXT NOT NULL, description TEXT NOT NULL,
  price_cents INTEGER NOT NULL, currency TEXT NOT NULL, quantity INTEGER NOT NULL CHECK (quantity >= 0),
  status TEXT NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS carts (id TEXT PRIMARY KEY, buyer_id TEXT NOT NULL, currency TEXT NOT NULL, created_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS cart_items (
  cart_id TEXT NOT NULL, listing_id INTEGER NOT NULL, quantity INTEGER NOT NULL, added_at INTEGER NOT NULL,
  PRIMARY KEY (cart_id, listing_id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS orders (
  id TEXT PRIMARY KEY, buyer_id TEXT NOT NULL, cart_id TEXT NOT NULL, status TEXT NOT NULL,
  total_cents INTEGER NOT NULL, fee_cents INTEGER NOT NULL, currency TEXT NOT NULL,
  payment_id TEXT, card_last4 TEXT, failure_reason TEXT, reservation_expires_at INTEGER NOT NULL,
  payment_state TEXT, resolve_attempts INTEGER NOT NULL DEFAULT 0, idempotency_key TEXT,
  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS orders_pending ON orders (reservation_expires_at) WHERE status = 'pending_payment';
CREATE INDEX IF NOT EXISTS orders_refund_doubt ON orders (reservation_expires_at) WHERE payment_state = 'refund_unknown';
CREATE TABLE IF NOT EXISTS order_items (
  order_id TEXT NOT NULL, listing_id INTEGER NOT NULL, seller_id INTEGER NOT NULL,
  quantity INTEGER NOT NULL, unit_price_cents INTEGER NOT NULL, PRIMARY KEY (order_id, listing_id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS idempotency_keys (
  key TEXT PRIMARY KEY, request_hash TEXT NOT NULL, order_id TEXT, status TEXT NOT NULL,
  response_status INTEGER, response_body TEXT, created_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS ledger_entries (
  id INTEGER PRIMARY KEY AUTOINCREMENT, journal_id TEXT NOT NULL, order_id TEXT NOT NULL, currency TEXT NOT NULL,
  account TEXT NOT NULL, account_kind TEXT NOT NULL, amount_cents INTEGER NOT NULL, created_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS ledger_entries_order ON ledger_entries (order_id);
CREATE TRIGGER IF NOT EXISTS ledger_no_update BEFORE UPDATE ON ledger_entries BEGIN SELECT RAISE(ABORT, 'ledger is append-only'); END;
CREATE TRIGGER IF NOT EXISTS ledger_no_delete BEFORE DELETE ON ledger_entries BEGIN SELECT RAISE(ABORT, 'ledger is append-only'); END;
CREATE TABLE IF NOT EXISTS outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT, topic TEXT NOT NULL, key TEXT NOT NULL, payload TEXT NOT NULL,
  headers TEXT NOT NULL, created_at INTEGER NOT NULL, published_at INTEGER, attempts INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS outbox_pending ON outbox (id) WHERE published_at IS NULL;
CREATE TABLE IF NOT EXISTS processed_events (event_id TEXT PRIMARY KEY) WITHOUT ROWID;
`;

export const SQLITE_POST_SEED = `
CREATE INDEX IF NOT EXISTS listings_created ON listings (created_at, id);
CREATE INDEX IF NOT EXISTS listings_price ON listings (price_cents, id);
CREATE INDEX IF NOT EXISTS listings_category_created ON listings (category, created_at, id);
CREATE INDEX IF NOT EXISTS listings_category_price ON listings (category, price_cents, id);
CREATE INDEX IF NOT EXISTS listings_brand_created ON listings (brand, created_at, id);
CREATE INDEX IF NOT EXISTS listings_seller_created ON listings (seller_id, created_at, id);
CREATE INDEX IF NOT EXISTS listings_sold ON listings (updated_at) WHERE status = 'sold';
CREATE VIRTUAL TABLE IF NOT EXISTS listings_fts USING fts5(
  title, brand, description, content='listings', content_rowid='id', tokenize='unicode61 remove_diacritics 2');
CREATE TRIGGER IF NOT EXISTS listings_fts_insert AFTER INSERT ON listings BEGIN
  INSERT INTO listings_fts (rowid, title, brand, description) VALUES (new.id, new.title, new.brand, new.description);
END;
CREATE TRIGGER IF NOT EXISTS listings_fts_delete AFTER DELETE ON listings BEGIN
  INSERT INTO listings_fts (listings_fts, rowid, title, brand, description) VALUES ('delete', old.id, old.title, old.brand, old.description);
END;
CREATE TRIGGER IF NOT EXISTS listings_fts_update AFTER UPDATE OF title, brand, description ON listings BEGIN
  INSERT INTO listings_fts (listings_fts, rowid, title, brand, description) VALUES ('delete', old.id, old.title, old.brand, old.description);
  INSERT INTO listings_fts (rowid, title, brand, description) VALUES (new.id, new.title, new.brand, new.description);
END;
`;
