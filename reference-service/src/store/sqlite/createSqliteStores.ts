// The SQLite backend: one connection (better-sqlite3 is synchronous, so one connection is the
// fastest and serialises writes for free) shared by every port adapter.
import type { Stores } from '../../domain/ports.ts';
import type { StoreContext } from '../storeContext.ts';
import { openSqlite, type SeedReport, startCheckpoints } from './openSqlite.ts';
import { SqliteCartStore } from './SqliteCartStore.ts';
import { SqliteLedgerStore } from './SqliteLedgerStore.ts';
import { SqliteListingStore } from './SqliteListingStore.ts';
import { SqliteOrderStore } from './SqliteOrderStore.ts';
import { SqliteOutboxStore } from './SqliteOutboxStore.ts';

export function createSqliteStores(opts: {
  file: string;
  items: number;
  seed: number;
  ctx: StoreContext;
}): Stores & { seedReport: SeedReport } {
  const { db, report } = openSqlite(opts.file, opts.items, opts.seed);
  const ping = db.prepare('SELECT 1 AS ok');
  const stopCheckpoints = startCheckpoints(db);
  return {
    system: 'sqlite',
    listings: new SqliteListingStore(db, opts.ctx),
    carts: new SqliteCartStore(db, opts.ctx),
    orders: new SqliteOrderStore(db, opts.ctx),
    ledger: new SqliteLedgerStore(db, opts.ctx),
    outbox: new SqliteOutboxStore(db, opts.ctx),
    seedReport: report,
    ready: async () => db.open && (ping.get() as { ok: number }).ok === 1,
    close: async () => {
      stopCheckpoints();
      if (db.open) db.close();
    },
  };
}
