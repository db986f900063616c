// The PostgreSQL backend (DATABASE_URL): one pool shared by every port adapter, all tables in
// one schema (MARKETBENCH_PG_SCHEMA) so test runs and instances can be isolated.
import pg from 'pg';
import type { Stores } from '../../domain/ports.ts';
import type { SeedReport } from '../sqlite/openSqlite.ts';
import type { StoreContext } from '../storeContext.ts';
import { PostgresCartStore } from './PostgresCartStore.ts';
import { PostgresLedgerStore } from './PostgresLedgerStore.ts';
import { PostgresListingStore } from './PostgresListingStore.ts';
import { PostgresOrderStore } from './PostgresOrderStore.ts';
import { PostgresOutboxStore } from './PostgresOutboxStore.ts';
import { preparePostgres } from './postgresSchema.ts';

// BIGINT columns hold cents and epoch milliseconds, far below 2^53: read them as numbers.
pg.types.setTypeParser(20, (v) => Number(v));

export async function createPostgresStores(opts: {
  url: string;
  schema: string;
  items: number;
  seed: number;
  ctx: StoreContext;
  poolSize?: number;
}): Promise<Stores & { seedReport: SeedReport }> {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(opts.schema))
    throw new Error(`invalid PostgreSQL schema name ${opts.schema}`);
  const pool = new pg.Pool({
    connectionString: opts.url,
    max: opts.poolSize ?? 16,
    options: `-c search_path="${opts.schema}"`,
  });
  try {
    const seedReport = await preparePostgres(pool, opts.schema, opts.items, opts.seed);
    return {
      system: 'postgresql',
      listings: new PostgresListingStore(pool, opts.ctx),
      carts: new PostgresCartStore(pool, opts.ctx),
      orders: new PostgresOrderStore(pool, opts.ctx),
      ledger: new PostgresLedgerStore(pool, opts.ctx),
      outbox: new PostgresOutboxStore(pool, opts.ctx),
      seedReport,
      ready: async () => (await pool.query('SELECT 1 AS ok')).rows[0]?.ok === 1,
      close: () => pool.end(),
    };
  } catch (err) {
    await pool.end().catch(() => {});
    throw err;
  }
}
