// LedgerStore on PostgreSQL: the check's aggregates run in one REPEATABLE READ snapshot.
import type pg from 'pg';
import type { LedgerReport } from '../../domain/model.ts';
import type { LedgerStore } from '../../domain/ports.ts';
import { type CurrencyKindSum, LEDGER_SQL, ledgerReport, type OrderKindSum } from '../ledgerReport.ts';
import { dbCall, type StoreContext } from '../storeContext.ts';

export class PostgresLedgerStore implements LedgerStore {
  readonly #pool: pg.Pool;
  readonly #ctx: StoreContext;

  constructor(pool: pg.Pool, ctx: StoreContext) {
    this.#pool = pool;
    this.#ctx = ctx;
  }

  checkLedger(): Promise<LedgerReport> {
    return dbCall(
      this.#ctx,
      { operation: 'SELECT', collection: 'ledger_entries', queryText: LEDGER_SQL.orderSums },
      async () => {
        const client = await this.#pool.connect();
        try {
          // One snapshot for every aggregate, as on SQLite.
          await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
          const totals = (await client.query<{ entries: string; journals: string }>(LEDGER_SQL.totals))
            .rows[0];
          const unbalanced = (await client.query<{ journal_id: string }>(LEDGER_SQL.unbalanced)).rows.map(
            (r) => r.journal_id,
          );
          const accounts = (await client.query<CurrencyKindSum>(LEDGER_SQL.accounts)).rows;
          const orderSums = (await client.query<OrderKindSum>(LEDGER_SQL.orderSums)).rows;
          await client.query('COMMIT');
          return ledgerReport({
            entries: Number(totals.entries),
            journals: Number(totals.journals),
            unbalancedJournals: unbalanced,
            accounts,
            orderSums,
          });
        } catch (err) {
          await client.query('ROLLBACK').catch(() => {});
          throw err;
        } finally {
          client.release();
        }
      },
    );
  }
}
