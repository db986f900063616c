// Batches rows into a store table: a block every `maxRows` rows or every `intervalMs`, one
// insert in flight at a time (chDB inserts run off the main thread). A failed insert never
// breaks the run; its rows are counted as lost and the run's summary says so.

import type { Row, Store } from '@marketbench/telemetry-store';

export class StoreSink<T extends object> {
  private readonly store: Store;
  private readonly table: string;
  private readonly maxRows: number;
  private buffer: T[] = [];
  private chain: Promise<void> = Promise.resolve();
  private readonly timer: NodeJS.Timeout;
  /** Rows inserted. */
  inserted = 0;
  /** Rows whose insert failed. */
  lost = 0;
  /** First insert error, for the summary. */
  firstError: string | undefined;

  constructor(store: Store, table: string, options: { maxRows?: number; intervalMs?: number } = {}) {
    this.store = store;
    this.table = table;
    this.maxRows = options.maxRows ?? 10_000;
    this.timer = setInterval(() => this.flush(), options.intervalMs ?? 1000);
    this.timer.unref();
  }

  push(row: T): void {
    this.buffer.push(row);
    if (this.buffer.length >= this.maxRows) this.flush();
  }

  /** Starts inserting what is buffered (after the insert in flight). */
  flush(): Promise<void> {
    if (this.buffer.length === 0) return this.chain;
    const rows = this.buffer;
    this.buffer = [];
    this.chain = this.chain.then(async () => {
      try {
        await this.store.insert(this.table, rows as unknown as Row[]);
        this.inserted += rows.length;
      } catch (err) {
        this.lost += rows.length;
        this.firstError ??= (err as Error).message;
      }
    });
    return this.chain;
  }

  /** Flushes the rest and stops the timer. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }
}
