// The embedded backend: ClickHouse in-process through chDB, data under
// `$MARKETBENCH_HOME/clickhouse`. Every call takes chDB's async path (queryAsync, raw
// insert, queryStream), which runs on a libuv worker, so a long insert or query never
// blocks the event loop. chDB allows one connection per directory per process, so handles
// opened in one process share one session (refcounted) and the owner lock.
import fs from 'node:fs';
import path from 'node:path';
import { type ChdbResult, type RawInsertFormat, type RawInsertSummary, Session } from 'chdb';
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

  /** Calls on the concurrent path still running, and who waits for them to finish. */
  private inflight = 0;
  private readonly idle: (() => void)[] = [];

  /**
   * Runs fn with `db` selected; concurrent when one database is in use, serialised otherwise.
   * A database no handle has open (a request to the owner's HTTP interface naming another one)
   * counts as open while fn runs, so no call takes the concurrent path meanwhile; and `USE`
   * waits for the concurrent calls already running, so none of them sees another database.
   */
  run<T>(db: string, fn: () => Promise<T>): Promise<T> {
    if (this.currentDb === db && this.openDatabases.size <= 1 && this.openDatabases.has(db)) {
      this.inflight++;
      return fn().finally(() => {
        if (--this.inflight === 0) for (const wake of this.idle.splice(0)) wake();
      });
    }
    const visiting = !this.openDatabases.has(db);
    if (visiting) this.openDatabases.set(db, 0);
    const p = this.chain.then(async () => {
      if (this.currentDb !== db) {
        if (this.inflight > 0) await new Promise<void>((wake) => this.idle.push(wake));
        await this.session.queryAsync(`USE ${ident(db)}`);
        this.currentDb = db;
      }
      return fn();
    });
    this.chain = p.catch(() => undefined);
    if (!visiting) return p;
    return p.finally(() => {
      if (this.openDatabases.get(db) === 0) this.openDatabases.delete(db);
    });
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

/** One statement for runStatement(): the owner's HTTP interface runs what a client sent. */
export interface RawStatement {
  /** The whole statement, inline INSERT data included. */
  sql: string;
  /** Database the statement's unqualified names resolve in. */
  database: string;
  /** Output format when the statement has no FORMAT clause. */
  format: string;
  /** `{name:Type}` values, already in the form chDB's binder takes (see chdbParamsFromHttp). */
  params?: Record<string, string | null>;
}

/** A raw insert for insertRaw(): bytes in a format chDB's engine parses itself. */
export interface RawInsert {
  /** `db.table` or `table` (resolved in `database`); names of [A-Za-z0-9_] only. */
  table: string;
  database: string;
  /** Column names when the data covers only some. */
  columns?: readonly string[];
  format: RawInsertFormat;
  /** Settings for this insert only. */
  settings?: Record<string, string>;
  values: Buffer;
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

  /** Runs one statement as given and returns chDB's raw answer (the owner's HTTP interface). */
  async runStatement(st: RawStatement): Promise<ChdbResult> {
    const core = this.live();
    return core.run(st.database, () =>
      st.params !== undefined && Object.keys(st.params).length > 0
        ? core.session.queryBindAsync(st.sql, st.params, { format: st.format })
        : core.session.queryAsync(st.sql, { format: st.format }),
    );
  }

  /** Hands `values` to chDB's raw insert (zero-copy, parsed by the engine); chDB errors propagate. */
  async insertRaw(r: RawInsert): Promise<RawInsertSummary> {
    const core = this.live();
    return core.session.insert({
      table: r.table.includes('.') ? r.table : `${r.database}.${r.table}`,
      values: r.values,
      format: r.format,
      ...(r.columns ? { columns: r.columns } : {}),
      ...(r.settings && Object.keys(r.settings).length > 0 ? { settings: r.settings } : {}),
    });
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
