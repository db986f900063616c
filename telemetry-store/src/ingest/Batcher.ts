// Queues rows per table and inserts them in large blocks: a table is flushed when it holds
// `batchRows` rows or every `flushIntervalMs`, whichever comes first. One insert runs at a time
// (chDB's async insert works off the event loop, so decoding the next requests overlaps it).
// Rows carry the spool segment they came from; a segment is released once its rows are in.

import type { Store } from '../types.ts';
import type { IngestStats } from './IngestStats.ts';
import type { MappedRows, OtelTable, Signal } from './mappedRows.ts';
import { OTEL_TABLES } from './mappedRows.ts';
import type { Spool } from './Spool.ts';

interface Chunk {
  seq: number;
  lines: string[];
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

  /** Queues the rows of one spooled request (segment `seq`). */
  enqueue(mapped: MappedRows, seq: number): void {
    const at = Date.now();
    for (const [table, lines] of mapped.rows) {
      if (lines.length === 0) continue;
      let q = this.#queues.get(table);
      if (q === undefined) {
        q = { chunks: [], rows: 0 };
        this.#queues.set(table, q);
      }
      q.chunks.push({ seq, lines, at });
      q.rows += lines.length;
      this.#queuedRows += lines.length;
      this.#spool.hold(seq, lines.length);
      if (q.rows >= this.#options.batchRows && !this.#busy) this.#schedule(false);
    }
  }

  /** Inserts everything queued now; resolves when it is in ClickHouse (or given up on). */
  flush(): Promise<void> {
    return this.#schedule(true);
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
      rows += c.lines.length;
    }
    q.rows -= rows;
    let body = '';
    for (const c of taken) body += (body ? '\n' : '') + c.lines.join('\n');
    const signal = signalOfTable(table);
    let inserted = false;
    for (let attempt = 1; attempt <= this.#options.maxInsertAttempts; attempt++) {
      try {
        this.#stats.inserts++;
        await this.#store.insertJsonEachRow(table, body);
        inserted = true;
        break;
      } catch (err) {
        this.#stats.insertFailures++;
        this.#log(
          `insert into ${table} failed (attempt ${attempt}): ${(err as Error).message.slice(0, 500)}`,
        );
        if (attempt < this.#options.maxInsertAttempts) await sleep(Math.min(100 * 4 ** (attempt - 1), 5000));
      }
    }
    this.#queuedRows -= rows;
    if (inserted) {
      this.#stats.rows[signal].inserted += rows;
      this.#stats.lastInsertSeconds[signal] = Date.now() / 1000;
    } else {
      this.#stats.rows[signal].dropped += rows;
    }
    for (const c of taken) this.#spool.release(c.seq, c.lines.length);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
