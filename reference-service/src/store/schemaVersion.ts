// The version of the store's tables, part of what a seeded database records in `meta.catalog`
// beside (items, seed). A database made by another version is rebuilt at start (its orders, carts
// and ledger are harness data), so a new column never meets an old table.
// 2: ledger_entries.currency; orders.payment_state and orders.resolve_attempts (the resolver).
// 3: orders_refund_doubt (paid orders whose refund the resolver confirms).
// 4: SQLite: orders.idempotency_key (an order's key is found through the order, not an index on
//    idempotency_keys.order_id); orders WITHOUT ROWID (one B-tree, not a table and its key index).
export const STORE_SCHEMA_VERSION = 4;

/** What `meta.catalog` holds for a store seeded with (items, seed) by this version. */
export function catalogStamp(items: number, seed: number): string {
  return `${items}:${seed}:v${STORE_SCHEMA_VERSION}`;
}
