// The embedded backend: ClickHouse in-process through chDB, data under
// `$MARKETBENCH_HOME/clickhouse`. Every call takes chDB's async path (queryAsync, raw
// insert, queryStream), which runs on a libuv worker, so a long insert or query never
// blocks the event loop. chDB allows one connection per directory per process, so handles
// opened in one process share one session (refcounted) and the owner lock.
import fs from 'node:fs';
import path from 'node:path';
import { Session } from 'chdb';
import { StoreError } from '../errors.ts';
import { ident } from '../schema/otelTables.ts';
import type { QueryParams, Row, Store } from '../types.ts';
import type { OwnerLock } from './ownerLock.ts';

/** One chDB session on one directory, shared by every handle of this process. */
class ChdbCore {
  readonly dataDir: string;
  readonly session: Session;
  readonly lock: OwnerLock | undefined;
  refs = 0;
  /** Database currently selected with USE; switched (serialised) when handles disagree. */
  currentDb = '';
  readonly openDatabases = new Map<string, number>();
  private chain: Promise<unknown> = Promise.resolve();

  constructor(dataDir: string, session: Session, lock: OwnerLock | undefined) {
    this.dataDir = dataDir;
    this.session = session;
    this.lock = lock;
  }

  /** Runs fn with `db` selected; concurrent when one database is in use, serialised otherwise. */
  run<T>(db: string, fn: () => Promise<T>): Promise<T> {
    if (this.currentDb === db && this.openDatabases.size <= 1) return fn();
    const p = this.chain.then(async () => {
      if (this.currentDb !== db) {
        await this.session.queryAsync(`USE ${ident(db)}`);
        this.currentDb = db;
      }
      return fn();
    });
    this.chain = p.catch(() => undefined);
    return p;
  }
}

const cores = new Map<string, ChdbCore>();

/** Rows per batch yielded by ChdbStore.stream(). */
export const STREAM_BATCH_ROWS = 10_000;

/** Opens (or joins) the chDB session on `dataDir`; `takeLock` runs only when this process has none yet. */
export async function openChdbStore(
  dataDir: string,
  database: string,
  takeLock: () => OwnerLock | undefined,
): Promise<ChdbStore> {
  const dir = path.resolve(dataDir);
  let core = cores.get(dir);
  if (!core) {
    const other = [...cores.keys()][0];
    if (other !== undefined) {
      throw new StoreError(
        'MB_ERR_STORE_UNREACHABLE',
        `chDB opens one data directory per process: ${other} is open in this process; close its stores before opening ${dir}`,
      );
    }
    const lock = takeLock();
    fs.mkdirSync(dir, { recursive: true });
    let session: Session;
    try {
      // ClickHouse server quotes 64-bit integers in JSON by default; chDB does not. Quote on
      // every backend so a UInt64 never loses precision and code sees the same types everywhere.
      session = new Session(dir, { connectionArgs: ['--output_format_json_quote_64bit_integers=1'] });
    } catch (err) {
      lock?.release();
      const msg = String((err as Error).message ?? err);
      throw new StoreError(
        /lock|already running/i.test(msg) ? 'MB_ERR_STORE_LOCKED' : 'MB_ERR_STORE_UNREACHABLE',
        `cannot open chDB directory ${dir}: ${msg}`,
        { cause: err },
      );
    }
    core = new ChdbCore(dir, session, lock);
    cores.set(dir, core);
  }
  core.refs++;
  core.openDatabases.set(database, (core.openDatabases.get(database) ?? 0) + 1);
  const store = new ChdbStore(core, database);
  try {
    await core.session.queryAsync(`CREATE DATABASE IF NOT EXISTS ${ident(database)}`);
    if (core.currentDb === '') {
      await core.session.queryAsync(`USE ${ident(database)}`);
      core.currentDb = database;
    }
  } catch (err) {
    await store.close();
    throw queryError(err, 'CREATE DATABASE');
  }
  return store;
}

function queryError(err: unknown, sql: string): StoreError {
  if (err instanceof StoreError) return err;
  const msg = String((err as Error)?.message ?? err);
  return new StoreError('MB_ERR_QUERY_FAILED', `query failed: ${msg} (query: ${sql.slice(0, 200)})`, {
    cause: err,
  });
}

function hasParams(params: QueryParams | undefined): params is QueryParams {
  return params !== undefined && Object.keys(params).length > 0;
}

/** Parses a ClickHouse `JSON` format answer; DDL and INSERT answer with nothing. */
function jsonRows<T>(text: string): T[] {
  if (text.trim() === '') return [];
  return (JSON.parse(text) as { data: T[] }).data;
}

/** A handle on the embedded chDB store; see openStore(). */
export class ChdbStore implements Store {
  readonly backend = 'chdb' as const;
  readonly database: string;
  readonly location: string;
  private core: ChdbCore | undefined;

  constructor(core: ChdbCore, database: string) {
    this.core = core;
    this.database = database;
    this.location = core.dataDir;
  }

  private live(): ChdbCore {
    if (!this.core) throw new StoreError('MB_ERR_STORE_CLOSED', `store ${this.location} is closed`);
    return this.core;
  }

  /** Table name qualified with this store's database unless it already names one. */
  qualify(table: string): string {
    return table.includes('.') ? table : `${this.database}.${table}`;
  }

  async exec(sql: string, params?: QueryParams): Promise<void> {
    await this.query(sql, params);
  }

  async query<T = Row>(sql: string, params?: QueryParams): Promise<T[]> {
    const core = this.live();
    try {
      const result = await core.run(this.database, () =>
        hasParams(params)
          ? core.session.queryBindAsync(sql, params, { format: 'JSON' })
          : core.session.queryAsync(sql, { format: 'JSON' }),
      );
      return jsonRows<T>(result.text());
    } catch (err) {
      throw queryError(err, sql);
    }
  }

  /**
   * Yields the result in batches of STREAM_BATCH_ROWS parsed rows. chDB cancels a session's
   * streaming query (queryStream) as soon as any other statement runs on the session, and the
   * owner's session is shared with the ingest's inserts, so the result is computed off the
   * event loop into one native buffer (JSONEachRow bytes, outside the V8 heap) and parsed a
   * batch at a time. Memory is the result's bytes, not its JS objects.
   */
  async *stream<T = Row>(sql: string, params?: QueryParams): AsyncIterable<T[]> {
    const core = this.live();
    let bytes: Uint8Array;
    try {
      const result = await core.run(this.database, () =>
        hasParams(params)
          ? core.session.queryBindAsync(sql, params, { format: 'JSONEachRow' })
          : core.session.queryAsync(sql, { format: 'JSONEachRow' }),
      );
      bytes = result.bytes();
    } catch (err) {
      throw queryError(err, sql);
    }
    const decoder = new TextDecoder();
    let start = 0;
    while (start < bytes.length) {
      let end = start;
      for (let lines = 0; lines < STREAM_BATCH_ROWS && end < bytes.length; lines++) {
        const nl = bytes.indexOf(10, end);
        end = nl < 0 ? bytes.length : nl + 1;
      }
      const text = decoder.decode(bytes.subarray(start, end));
      start = end;
      const rows: T[] = [];
      for (const line of text.split('\n')) if (line !== '') rows.push(JSON.parse(line) as T);
      if (rows.length > 0) yield rows;
    }
  }

  async insert(table: string, rows: readonly Row[]): Promise<void> {
    if (rows.length === 0) return;
    let body = '';
    for (const row of rows) body += `${JSON.stringify(row)}\n`;
    await this.insertJsonEachRow(table, body);
  }

  async insertJsonEachRow(table: string, body: string): Promise<void> {
    const core = this.live();
    if (body.length === 0) return;
    try {
      await core.session.insert({
        table: this.qualify(table),
        values: Buffer.from(body),
        format: 'JSONEachRow',
      });
    } catch (err) {
      const msg = String((err as Error)?.message ?? err);
      throw new StoreError('MB_ERR_INSERT_FAILED', `insert into ${this.qualify(table)} failed: ${msg}`, {
        cause: err,
      });
    }
  }

  async close(): Promise<void> {
    const core = this.core;
    if (!core) return;
    this.core = undefined;
    const n = (core.openDatabases.get(this.database) ?? 1) - 1;
    if (n <= 0) core.openDatabases.delete(this.database);
    else core.openDatabases.set(this.database, n);
    core.refs--;
    if (core.refs > 0) return;
    cores.delete(core.dataDir);
    core.session.close();
    core.lock?.release();
  }
}
