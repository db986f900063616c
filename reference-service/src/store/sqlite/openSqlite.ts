// Opens (and if needed seeds) the SQLite database: WAL, synchronous=NORMAL (durable at
// checkpoints, the usual trade-off for a WAL service), a 64 MB page cache and memory-mapped
// reads. A database seeded with other (items, seed) is thrown away and seeded again.
//
// Durability: a commit is in the WAL when the answer goes out, so a killed process loses nothing.
// The WAL is fsynced at checkpoints: one every CHECKPOINT_PAGES WAL pages, and one at most
// CHECKPOINT_INTERVAL_MS after any commit (startCheckpoints), so an OS crash or power loss loses
// at most the last second of commits (Redis' appendfsync everysec). SQLite's default, a checkpoint
// every 1,000 pages and none by time, bounded that loss by pages only (minutes of commits at low
// traffic) and checkpointed every ~50 ms at full checkout load, where the checkpoints' page writes and
// fsyncs cost a tenth of the throughput (docs/PERFORMANCE.md, issue 12).
//
// One process owns the file (locking_mode=EXCLUSIVE, claimed before anything is read): a second
// service on the same file fails to start with MB_ERR_SQLITE_IN_USE. Without the claim two
// processes sharing a file (every stack started in one working directory did) fought over the
// write lock: deferred read-then-write transactions died with SQLITE_BUSY_SNAPSHOT, and every
// busy wait blocked the event loop (better-sqlite3 is synchronous) for up to busy_timeout.
// Several instances on one database is what PostgreSQL (DATABASE_URL) is for.

import fs from 'node:fs';
import path from 'node:path';
import { MarketbenchError } from '@marketbench/contracts';
import Database from 'better-sqlite3';
import { SERVICE_ERRORS } from '../../errors.ts';
import { catalogStamp } from '../schemaVersion.ts';
import { LISTING_COLUMNS, listingRows, SELLER_COLUMNS, sellerRows } from '../seed/catalogGenerator.ts';
import { SQLITE_META, SQLITE_POST_SEED, SQLITE_TABLES } from './sqliteSchema.ts';

export type SqliteDb = Database.Database;

export interface SeedReport {
  seeded: boolean;
  items: number;
  seconds: number;
  /** Resident set size after seeding, bytes. */
  rssBytes: number;
}

/** How long a starting service waits for a previous owner of the file to let go, ms. */
const CLAIM_TIMEOUT_MS = 2_000;

/** Thrown when another process holds the SQLite file. */
export class SqliteInUseError extends MarketbenchError {
  declare readonly code: 'MB_ERR_SQLITE_IN_USE';
  readonly file: string;
  constructor(file: string, cause: unknown) {
    super(
      'MB_ERR_SQLITE_IN_USE',
      `the SQLite database ${file} is in use by another process; give each service its own file ` +
        '(MARKETBENCH_SQLITE_PATH or MARKETBENCH_HOME) or share PostgreSQL (DATABASE_URL)',
      SERVICE_ERRORS.spec('MB_ERR_SQLITE_IN_USE'),
      { cause },
    );
    this.name = 'SqliteInUseError';
    this.file = file;
  }
}

/** Takes the file's lock for good (it is never released until close), or throws SqliteInUseError. */
function claim(db: SqliteDb, file: string): void {
  if (file === ':memory:') return;
  db.pragma(`busy_timeout = ${CLAIM_TIMEOUT_MS}`);
  db.pragma('locking_mode = EXCLUSIVE');
  try {
    db.exec('BEGIN EXCLUSIVE; COMMIT');
  } catch (err) {
    db.close();
    if ((err as { code?: string }).code?.startsWith('SQLITE_BUSY')) throw new SqliteInUseError(file, err);
    throw err;
  }
}

function pragmas(db: SqliteDb, file: string): void {
  if (file !== ':memory:') db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma(`wal_autocheckpoint = ${CHECKPOINT_PAGES}`);
  // Only this connection uses the file (see claim), so a wait would only ever be a bug: fail fast
  // rather than block the event loop.
  db.pragma('busy_timeout = 0');
  db.pragma('cache_size = -65536');
  db.pragma('temp_store = MEMORY');
  db.pragma('mmap_size = 268435456');
  db.pragma('foreign_keys = OFF');
}

function readMeta(db: SqliteDb, key: string): string | undefined {
  const row = db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined;
  return row?.value;
}

/** Opens the database at `file`, seeding `items` listings from `seed` unless already there. */
export function openSqlite(file: string, items: number, seed: number): { db: SqliteDb; report: SeedReport } {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  let db = new Database(file);
  claim(db, file);
  pragmas(db, file);
  db.exec(SQLITE_META);
  const want = catalogStamp(items, seed);
  const have = readMeta(db, 'catalog');
  if (have === want) {
    db.exec(SQLITE_TABLES);
    db.exec(SQLITE_POST_SEED);
    return { db, report: { seeded: false, items, seconds: 0, rssBytes: process.memoryUsage().rss } };
  }
  if (have !== undefined && file !== ':memory:') {
    db.close();
    for (const suffix of ['', '-wal', '-shm']) fs.rmSync(file + suffix, { force: true });
    db = new Database(file);
    claim(db, file);
    pragmas(db, file);
    db.exec(SQLITE_META);
  }
  db.exec(SQLITE_TABLES);
  const report = seedSqlite(db, items, seed);
  db.exec(SQLITE_POST_SEED);
  db.exec("INSERT INTO listings_fts (listings_fts) VALUES ('rebuild')");
  db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run('catalog', want);
  db.exec('ANALYZE');
  report.seconds = (performance.now() - report.seconds) / 1000;
  report.rssBytes = process.memoryUsage().rss;
  return { db, report };
}

/** WAL pages between automatic checkpoints (SQLite's default is 1,000). */
export const CHECKPOINT_PAGES = 4_000;
/** The longest a commit waits for the checkpoint that fsyncs it, ms. */
export const CHECKPOINT_INTERVAL_MS = 1_000;

/**
 * Checkpoints the WAL every CHECKPOINT_INTERVAL_MS (a no-op when nothing was committed since the
 * last one). Returns the stopper. A failed checkpoint (e.g. the disk is full) is retried next time.
 */
export function startCheckpoints(db: SqliteDb, intervalMs = CHECKPOINT_INTERVAL_MS): () => void {
  if (db.memory) return () => {};
  const timer = setInterval(() => {
    try {
      if (db.open) db.pragma('wal_checkpoint(PASSIVE)');
    } catch {
      // The next tick tries again; the page-count checkpoint runs regardless.
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

const BATCH = 500;

function multiInsert(
  db: SqliteDb,
  table: string,
  columns: readonly string[],
  rows: number,
): Database.Statement {
  const tuple = `(${columns.map(() => '?').join(',')})`;
  return db.prepare(
    `INSERT INTO ${table} (${columns.join(',')}) VALUES ${Array(rows).fill(tuple).join(',')}`,
  );
}

/** Bulk seed in one transaction with batched multi-row prepared inserts; `seconds` holds the start time. */
function seedSqlite(db: SqliteDb, items: number, seed: number): SeedReport {
  const started = performance.now();
  const insertAll = db.transaction(() => {
    const fullSellers = multiInsert(db, 'sellers', SELLER_COLUMNS, BATCH);
    for (const rows of sellerRows(items, seed, BATCH)) {
      const stmt =
        rows.length === BATCH ? fullSellers : multiInsert(db, 'sellers', SELLER_COLUMNS, rows.length);
      stmt.run(rows.flat());
    }
    const fullListings = multiInsert(db, 'listings', LISTING_COLUMNS, BATCH);
    for (const rows of listingRows(items, seed, BATCH)) {
      const stmt =
        rows.length === BATCH ? fullListings : multiInsert(db, 'listings', LISTING_COLUMNS, rows.length);
      stmt.run(rows.flat());
    }
  });
  insertAll();
  return { seeded: true, items, seconds: started, rssBytes: 0 };
}
