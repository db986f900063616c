// Queues rows per table and inserts them in large blocks: a table is flushed when it holds
// `batchRows` rows or every `flushIntervalMs`, whichever comes first. One insert runs at a time
// (chDB's async insert works off the event loop, so decoding the next requests overlaps it).
// Rows carry the spool segment they came from; a segment is released once its rows are in.

import { OTEL_TABLES } from '@marketbench/contracts';
import type { Store } from '../types.ts';
import type { IngestStats } from './IngestStats.ts';
import type { MappedRows, OtelTable, Signal } from './mappedRows.ts';
import type { Spool, SpoolPosition } from './Spool.ts';

// One request's rows for one table, already joined: one flat string per request keeps the
// garbage collector's work per row small (a row is built from many concatenations).
interface Chunk {
  pos: SpoolPosition;
  text: string;
  rows: number;
  at: number;
}

/** How the batcher sizes and retries its inserts. */
export interface BatcherOptions {
  batchRows: number;
  flushIntervalMs: number;
  maxQueueRows: number;
  maxInsertAttempts: number;
}

/** The signal a table belongs to. */
export function signalOfTable(table: OtelTable): Signal {
  return table === OTEL_TABLES.traces ? 'traces' : table === OTEL_TABLES.logs ? 'logs' : 'metrics';
}

export class Batcher {
  readonly #store: Store;
  readonly #spool: Spool;
  readonly #stats: IngestStats;
  readonly #options: BatcherOptions;
  readonly #queues = new Map<OtelTable, { chunks: Chunk[]; rows: number }>();
  #queuedRows = 0;
  #running: Promise<void> = Promise.resolve();
  #busy = false;
  #timer: NodeJS.Timeout;
  #log: (msg: string) => void;

  constructor(
    store: Store,
    spool: Spool,
    stats: IngestStats,
    options: BatcherOptions,
    log: (msg: string) => void,
  ) {
    this.#store = store;
    this.#spool = spool;
    this.#stats = stats;
    this.#options = options;
    this.#log = log;
    this.#timer = setInterval(() => this.#tick(), options.flushIntervalMs);
    this.#timer.unref();
  }

  /** Rows queued and not yet inserted. */
  get queuedRows(): number {
    return this.#queuedRows;
  }

  /** True when the queue cannot take more rows: the receiver answers 429. */
  get full(): boolean {
    return this.#queuedRows >= this.#options.maxQueueRows;
  }

  /** Seconds since the oldest queued row was accepted. */
  get lagSeconds(): number {
    let oldest = Number.POSITIVE_INFINITY;
    for (const q of this.#queues.values()) if (q.chunks.length > 0) oldest = Math.min(oldest, q.chunks[0].at);
    return oldest === Number.POSITIVE_INFINITY ? 0 : (Date.now() - oldest) / 1000;
  }

  /** Queues the rows of one spooled request. */
  enqueue(mapped: MappedRows, pos: SpoolPosition): void {
    const at = Date.now();
    for (const [table, lines] of mapped.rows) {
      if (lines.length === 0) continue;
      let q = this.#queues.get(table);
      if (q === undefined) {
        q = { chunks: [], rows: 0 };
        this.#queues.set(table, q);
      }
      q.chunks.push({ pos, text: lines.join('\n'), rows: lines.length, at });
      q.rows += lines.length;
      this.#queuedRows += lines.length;
      this.#spool.hold(pos, lines.length);
      if (q.rows >= this.#options.batchRows && !this.#busy) this.#schedule(false);
    }
  }

  /** Inserts everything queued now; resolves when it is in ClickHouse (or given up on). */
  flush(): Promise<void> {
    return this.#schedule(true);
  }

  /** Inserts a block now, outside the queue (spool replay at start); returns rows inserted and dropped. */
  insertBlock(table: OtelTable, lines: string[]): Promise<{ inserted: number; dropped: number }> {
    return this.#insertLines(table, lines.join('\n'), lines.length);
  }

  /** Stops the timer; call `flush()` first to drain. */
  close(): void {
    clearInterval(this.#timer);
  }

  #tick(): void {
    if (this.#spool.activeHasData) this.#spool.rotate();
    if (this.#queuedRows > 0) void this.#schedule(true);
  }

  #schedule(all: boolean): Promise<void> {
    this.#running = this.#running.then(() => this.#drain(all));
    return this.#running;
  }

  async #drain(all: boolean): Promise<void> {
    this.#busy = true;
    try {
      for (;;) {
        let picked: OtelTable | undefined;
        for (const [table, q] of this.#queues) {
          if (q.rows > 0 && (all || q.rows >= this.#options.batchRows)) {
            picked = table;
            break;
          }
        }
        if (picked === undefined) return;
        await this.#insertOne(picked);
      }
    } finally {
      this.#busy = false;
    }
  }

  async #insertOne(table: OtelTable): Promise<void> {
    const q = this.#queues.get(table)!;
    const taken: Chunk[] = [];
    let rows = 0;
    while (q.chunks.length > 0 && rows < this.#options.batchRows) {
      const c = q.chunks.shift()!;
      taken.push(c);
      rows += c.rows;
    }
    q.rows -= rows;
    const signal = signalOfTable(table);
    const { inserted, dropped } = await this.#insertLines(table, taken.map((c) => c.text).join('\n'), rows);
    this.#queuedRows -= rows;
    this.#stats.rows[signal].inserted += inserted;
    this.#stats.rows[signal].dropped += dropped;
    if (inserted > 0) this.#stats.lastInsertSeconds[signal] = Date.now() / 1000;
    for (const c of taken) this.#spool.release(c.pos, c.rows);
    try {
      this.#spool.writeAcks();
    } catch (err) {
      // Only costs duplicates on a replay after a crash; never fails the ingest.
      this.#log(`ingest: could not record inserted requests in the spool: ${(err as Error).message}`);
    }
  }

  /**
   * Inserts a block. A data error splits it in halves down to single rows, so one malformed row
   * costs only itself; any other error (store unreachable) is retried with backoff, then the
   * block is dropped and counted.
   */
  async #insertLines(
    table: OtelTable,
    body: string,
    rows: number,
  ): Promise<{ inserted: number; dropped: number }> {
    for (let attempt = 1; ; attempt++) {
      try {
        this.#stats.inserts++;
        await this.#store.insertJsonEachRow(table, body);
        return { inserted: rows, dropped: 0 };
      } catch (err) {
        this.#stats.insertFailures++;
        const message = (err as Error).message;
        if (DATA_ERROR.test(message)) {
          // JSON text has no raw newlines inside values, so lines are rows.
          const lines = body.split('\n');
          if (lines.length === 1) {
            this.#log(`ingest: dropped a row ClickHouse refused in ${table}: ${message.slice(0, 300)}`);
            return { inserted: 0, dropped: 1 };
          }
          const half = lines.length >>> 1;
          const a = await this.#insertLines(table, lines.slice(0, half).join('\n'), half);
          const b = await this.#insertLines(table, lines.slice(half).join('\n'), lines.length - half);
          return { inserted: a.inserted + b.inserted, dropped: a.dropped + b.dropped };
        }
        this.#log(`ingest: insert into ${table} failed (attempt ${attempt}): ${message.slice(0, 500)}`);
        if (attempt >= this.#options.maxInsertAttempts) return { inserted: 0, dropped: rows };
        await sleep(Math.min(100 * 4 ** (attempt - 1), 5000));
      }
    }
  }
}

// ClickHouse errors about the data itself (parse, type, range): retrying the same block cannot help,
// so the block is split to find the offending rows and insert the rest.
const DATA_ERROR = /Code: (6|25|26|27|32|33|38|41|53|62|69|70|72|117|130|131|321|407)\.|Cannot (parse|read)/;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
