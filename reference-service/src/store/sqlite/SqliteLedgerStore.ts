// LedgerStore on SQLite: the check runs as aggregates in SQL, in one read transaction so the
// totals and the per-order sums see the same snapshot.
import type { LedgerReport } from '../../domain/model.ts';
import type { LedgerStore } from '../../domain/ports.ts';
import { type CurrencyKindSum, LEDGER_SQL, ledgerReport, type OrderKindSum } from '../ledgerReport.ts';
import { dbCall, type StoreContext } from '../storeContext.ts';
import type { SqliteDb } from './openSqlite.ts';

export class SqliteLedgerStore implements LedgerStore {
  readonly #db: SqliteDb;
  readonly #ctx: StoreContext;

  constructor(db: SqliteDb, ctx: StoreContext) {
    this.#db = db;
    this.#ctx = ctx;
  }

  checkLedger(): Promise<LedgerReport> {
    return dbCall(
      this.#ctx,
      { operation: 'SELECT', collection: 'ledger_entries', queryText: LEDGER_SQL.orderSums },
      () =>
        this.#db.transaction(() => {
          const totals = this.#db.prepare(LEDGER_SQL.totals).get() as { entries: number; journals: number };
          return ledgerReport({
            ...totals,
            unbalancedJournals: (
              this.#db.prepare(LEDGER_SQL.unbalanced).all() as Array<{ journal_id: string }>
            ).map((r) => r.journal_id),
            accounts: this.#db.prepare(LEDGER_SQL.accounts).all() as CurrencyKindSum[],
            orderSums: this.#db.prepare(LEDGER_SQL.orderSums).all() as OrderKindSum[],
          });
        })(),
    );
  }
}
