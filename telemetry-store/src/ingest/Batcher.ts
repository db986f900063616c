// Queues rows per table and inserts them in large blocks, one insert at a time (chDB's async
// insert works off the event loop, so decoding the next requests overlaps it). Each table has its
// own deadline: it is due once it holds `batchRows` rows, or once its oldest row has waited
// `flushIntervalMs`. The next insert goes to the table that became due first, so a table that is
// always full (spans under load) takes its turn behind the others instead of starving them: a row
// waits at most flushIntervalMs plus one insert per table ahead of it. The queue is bounded in
// rows and in characters of row text, and a request reserves its room before it is acknowledged.
// A block the store fails is retried after pauses (2 s to 30 s, five rounds), then left in the
// spool for the next start.
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
  /** When the rows were accepted (ms). */
  at: number;
  /** Order of acceptance across all tables, for flush(). */
  seq: number;
  /** Rounds of insert attempts the store failed for this chunk. */
  failedRounds: number;
}

interface TableQueue {
  chunks: Chunk[];
  rows: number;
  /** When the table reached batchRows rows (+Infinity while it holds fewer). */
  fullSince: number;
  /** When its last insert ended: a table just served waits behind those that became due meanwhile. */
  servedAt: number;
  /** After the store failed a round of attempts: not due again before this. */
  retryAt: number;
}

/** Rounds of `maxInsertAttempts` attempts a block gets while the store fails, with the pause after each (s). */
const RETRY_PAUSES_S = [2, 4, 8, 16, 30];

/** How the batcher sizes, bounds and retries its inserts. */
export interface BatcherOptions {
  batchRows: number;
  flushIntervalMs: number;
  maxQueueRows: number;
  /** Characters of row text (UTF-16 code units) the queue holds at most, reservations included. */
  maxQueueBytes: number;
  maxInsertAttempts: number;
}

/** Room a request holds in the queue between its decode and its acknowledgement. */
export interface Reservation {
  rows: number;
  chars: number;
}

/** The signal a table belongs to. */
export function signalOfTable(table: OtelTable): Signal {
  return table === OTEL_TABLES.traces ? 'traces' : table === OTEL_TABLES.logs ? 'logs' : 'metrics';
}

/** What an insert came to: rows in, rows given up on, and whether the store itself failed. */
interface InsertOutcome {
  inserted: number;
  dropped: number;
  storeFailed: boolean;
}

export class Batcher {
  readonly #store: Store;
  readonly #spool: Spool;
  readonly #stats: IngestStats;
  readonly #options: BatcherOptions;
  readonly #queues = new Map<OtelTable, TableQueue>();
  #queuedRows = 0;
  #queuedChars = 0;
  #reservedRows = 0;
  #reservedChars = 0;
  #seq = 0;
  /** Chunks with a seq up to this are due now (a flush() is waiting for them). */
  #flushTarget = 0;
  #flushWaiters: { target: number; resolve: () => void }[] = [];
  #inflight: { promise: Promise<void>; minSeq: number } | undefined;
  #wake: NodeJS.Timeout | undefined;
  #wakeAt = Number.POSITIVE_INFINITY;
  readonly #rotateTimer: NodeJS.Timeout;
  #log: (msg: string) => void;
  #retrying = true;

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
    // Seals the spool's active segment once per interval, so that inserted segments can be deleted.
    this.#rotateTimer = setInterval(() => {
      if (this.#spool.activeHasData) this.#spool.rotate();
    }, options.flushIntervalMs);
    this.#rotateTimer.unref();
  }

  /** Rows queued and not yet inserted. */
  get queuedRows(): number {
    return this.#queuedRows;
  }

  /** Characters of row text queued and not yet inserted. */
  get queuedChars(): number {
    return this.#queuedChars;
  }

  /** Rows the queue can still take (reservations of requests being acknowledged count as taken). */
  get freeRows(): number {
    return this.#options.maxQueueRows - this.#queuedRows - this.#reservedRows;
  }

  /** Characters of row text the queue can still take. */
  get freeChars(): number {
    return this.#options.maxQueueBytes - this.#queuedChars - this.#reservedChars;
  }

  /** True when nothing and nobody is in the queue (a request that does not fit now never will). */
  get empty(): boolean {
    return this.#queuedRows + this.#reservedRows === 0 && this.#inflight === undefined;
  }

  /** True when the queue cannot take more rows: the receiver answers 429 without reading the body. */
  get full(): boolean {
    return this.freeRows <= 0 || this.freeChars <= 0;
  }

  /** Seconds since the oldest queued row was accepted. */
  get lagSeconds(): number {
    let oldest = Number.POSITIVE_INFINITY;
    for (const q of this.#queues.values()) if (q.chunks.length > 0) oldest = Math.min(oldest, q.chunks[0].at);
    return oldest === Number.POSITIVE_INFINITY ? 0 : (Date.now() - oldest) / 1000;
  }

  /** Takes room for a request's rows; false when they do not fit (the request is refused as a whole). */
  reserve(rows: number, chars: number): Reservation | undefined {
    if (rows > this.freeRows || chars > this.freeChars) return undefined;
    this.#reservedRows += rows;
    this.#reservedChars += chars;
    return { rows, chars };
  }

  /** Gives back a reservation whose request was not acknowledged after all. */
  unreserve(r: Reservation): void {
    this.#reservedRows -= r.rows;
    this.#reservedChars -= r.chars;
  }

  /** Queues the rows of one spooled request, in the room `reservation` holds. */
  enqueue(mapped: MappedRows, pos: SpoolPosition, reservation: Reservation): void {
    this.unreserve(reservation);
    const at = Date.now();
    const seq = ++this.#seq;
    let due = false;
    for (const [table, lines] of mapped.rows) {
      if (lines.length === 0) continue;
      let q = this.#queues.get(table);
      if (q === undefined) {
        q = { chunks: [], rows: 0, fullSince: Number.POSITIVE_INFINITY, servedAt: 0, retryAt: 0 };
        this.#queues.set(table, q);
      }
      const text = lines.join('\n');
      q.chunks.push({ pos, text, rows: lines.length, at, seq, failedRounds: 0 });
      const before = q.rows;
      q.rows += lines.length;
      this.#queuedRows += lines.length;
      this.#queuedChars += text.length + 1;
      this.#spool.hold(pos, table, lines.length);
      if (before < this.#options.batchRows && q.rows >= this.#options.batchRows) {
        q.fullSince = at;
        due = true;
      }
    }
    if (due || this.#wakeAt === Number.POSITIVE_INFINITY) this.#pump();
  }

  /** Inserts everything queued now; resolves when it is in ClickHouse (or given up on). */
  flush(): Promise<void> {
    const target = this.#seq;
    if (this.#pendingMinSeq() > target) return Promise.resolve();
    this.#flushTarget = Math.max(this.#flushTarget, target);
    return new Promise((resolve) => {
      this.#flushWaiters.push({ target, resolve });
      this.#pump();
    });
  }

  /**
   * From now on a block the store fails is left in the spool for the next start at once, instead
   * of being retried after a pause (the ingest is closing: its last flush must not wait minutes).
   */
  stopRetrying(): void {
    this.#retrying = false;
    for (const q of this.#queues.values()) q.retryAt = 0;
    this.#pump();
  }

  /** Inserts a block now, outside the queue (spool replay at start). */
  insertBlock(table: OtelTable, lines: string[]): Promise<InsertOutcome> {
    return this.#insertLines(table, lines.join('\n'), lines.length);
  }

  /** Stops the timers; call `flush()` first to drain. */
  close(): void {
    clearInterval(this.#rotateTimer);
    if (this.#wake) clearTimeout(this.#wake);
    this.#wake = undefined;
    this.#wakeAt = Number.POSITIVE_INFINITY;
  }

  /** The smallest seq not yet inserted (queued or in flight); +Infinity when none. */
  #pendingMinSeq(): number {
    let min = this.#inflight?.minSeq ?? Number.POSITIVE_INFINITY;
    for (const q of this.#queues.values()) if (q.chunks.length > 0) min = Math.min(min, q.chunks[0].seq);
    return min;
  }

  /** The table whose insert is due first, or undefined when none is due at `now`. */
  #next(now: number): { table: OtelTable | undefined; wakeAt: number } {
    const { batchRows, flushIntervalMs } = this.#options;
    let table: OtelTable | undefined;
    let bestDue = Number.POSITIVE_INFINITY;
    let bestAt = Number.POSITIVE_INFINITY;
    let wakeAt = Number.POSITIVE_INFINITY;
    for (const [t, q] of this.#queues) {
      if (q.chunks.length === 0) continue;
      const first = q.chunks[0];
      let due = first.at + flushIntervalMs;
      if (q.rows >= batchRows) due = Math.min(due, q.fullSince);
      // A backlog's oldest row is always older than a newcomer's: without this, the busiest table
      // would win every pick. Once served, a table is due again no earlier than that insert's end.
      due = Math.max(due, q.servedAt);
      if (first.seq <= this.#flushTarget) due = Math.min(due, now);
      // A store that failed is given its pause, flush or not.
      due = Math.max(due, q.retryAt);
      if (due > now) wakeAt = Math.min(wakeAt, due);
      // Earliest deadline first; on a tie, the table with the older rows.
      else if (due < bestDue || (due === bestDue && first.at < bestAt)) {
        bestDue = due;
        bestAt = first.at;
        table = t;
      }
    }
    return { table, wakeAt };
  }

  #pump(): void {
    if (this.#inflight !== undefined) return;
    const now = Date.now();
    const { table, wakeAt } = this.#next(now);
    if (table === undefined) {
      this.#arm(wakeAt, now);
      return;
    }
    const q = this.#queues.get(table)!;
    const minSeq = q.chunks[0].seq;
    const promise = this.#insertOne(table, q)
      .catch((err: unknown) => this.#log(`ingest: insert into ${table} failed: ${(err as Error).message}`))
      .finally(() => {
        this.#inflight = undefined;
        this.#settleFlushes();
        this.#pump();
      });
    this.#inflight = { promise, minSeq };
  }

  /** Sets the one timer to the next deadline (a table not due yet becomes due then). */
  #arm(at: number, now: number): void {
    if (at === this.#wakeAt) return;
    if (this.#wake) clearTimeout(this.#wake);
    this.#wake = undefined;
    this.#wakeAt = at;
    if (at === Number.POSITIVE_INFINITY) return;
    this.#wake = setTimeout(
      () => {
        this.#wake = undefined;
        this.#wakeAt = Number.POSITIVE_INFINITY;
        this.#pump();
      },
      Math.max(at - now, 0),
    );
    this.#wake.unref();
  }

  #settleFlushes(): void {
    if (this.#flushWaiters.length === 0) return;
    const min = this.#pendingMinSeq();
    const waiting = this.#flushWaiters;
    this.#flushWaiters = [];
    for (const w of waiting) {
      if (w.target < min) w.resolve();
      else this.#flushWaiters.push(w);
    }
  }

  async #insertOne(table: OtelTable, q: TableQueue): Promise<void> {
    const taken: Chunk[] = [];
    let rows = 0;
    let chars = 0;
    while (q.chunks.length > 0 && rows < this.#options.batchRows) {
      const c = q.chunks.shift()!;
      taken.push(c);
      rows += c.rows;
      chars += c.text.length + 1;
    }
    q.rows -= rows;
    const signal = signalOfTable(table);
    let outcome: InsertOutcome;
    try {
      outcome = await this.#insertLines(table, taken.map((c) => c.text).join('\n'), rows);
    } finally {
      this.#queuedRows -= rows;
      this.#queuedChars -= chars;
      q.servedAt = Date.now();
      if (q.rows < this.#options.batchRows) q.fullSince = Number.POSITIVE_INFINITY;
    }
    const counts = this.#stats.rows[signal];
    if (outcome.storeFailed && outcome.inserted === 0) {
      const round = Math.max(...taken.map((c) => c.failedRounds)) + 1;
      if (this.#retrying && round <= RETRY_PAUSES_S.length) {
        // Back at the head of its table, which is not due again before the pause ends: the rows
        // stay in memory and in the spool, and the queue's bounds hold new requests back meanwhile.
        for (const c of taken) c.failedRounds = round;
        q.chunks.unshift(...taken);
        q.rows += rows;
        this.#queuedRows += rows;
        this.#queuedChars += chars;
        if (q.rows >= this.#options.batchRows && q.fullSince === Number.POSITIVE_INFINITY)
          q.fullSince = Date.now();
        q.retryAt = Date.now() + RETRY_PAUSES_S[round - 1] * 1000;
        this.#log(
          `ingest: the store failed ${rows} rows of ${table} (round ${round} of ${RETRY_PAUSES_S.length}); retrying in ${RETRY_PAUSES_S[round - 1]} s`,
        );
        return;
      }
    }
    q.retryAt = 0;
    counts.inserted += outcome.inserted;
    counts.dropped += outcome.dropped;
    if (outcome.inserted > 0) this.#stats.lastInsertSeconds[signal] = Date.now() / 1000;
    // Rows the store would not take after every round stay pending in the spool: the next start replays them.
    if (outcome.storeFailed) {
      this.#log(
        `ingest: gave up on ${outcome.dropped} rows of ${table}; they stay in the spool for the next start`,
      );
      return;
    }
    for (const c of taken) this.#spool.release(c.pos, table, c.rows);
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
   * block is given up on (`storeFailed`): counted as dropped, left in the spool.
   */
  async #insertLines(table: OtelTable, body: string, rows: number): Promise<InsertOutcome> {
    for (let attempt = 1; ; attempt++) {
      try {
        this.#stats.inserts++;
        await this.#store.insertJsonEachRow(table, body);
        return { inserted: rows, dropped: 0, storeFailed: false };
      } catch (err) {
        this.#stats.insertFailures++;
        const message = (err as Error).message;
        if (DATA_ERROR.test(message)) {
          // JSON text has no raw newlines inside values, so lines are rows.
          const lines = body.split('\n');
          if (lines.length === 1) {
            this.#log(`ingest: dropped a row ClickHouse refused in ${table}: ${message.slice(0, 300)}`);
            return { inserted: 0, dropped: 1, storeFailed: false };
          }
          const half = lines.length >>> 1;
          const a = await this.#insertLines(table, lines.slice(0, half).join('\n'), half);
          const b = await this.#insertLines(table, lines.slice(half).join('\n'), lines.length - half);
          return {
            inserted: a.inserted + b.inserted,
            dropped: a.dropped + b.dropped,
            storeFailed: a.storeFailed || b.storeFailed,
          };
        }
        this.#log(`ingest: insert into ${table} failed (attempt ${attempt}): ${message.slice(0, 500)}`);
        if (attempt >= this.#options.maxInsertAttempts)
          return { inserted: 0, dropped: rows, storeFailed: true };
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
