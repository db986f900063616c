// The server backend: ClickHouse's HTTP interface through @clickhouse/client. It talks to a
// ClickHouse server when CLICKHOUSE_URL is set, and to the process that owns the embedded chDB
// directory (its URL from owner.json) otherwise: the owner serves the same interface, so both
// are this one code path. Deliberately thin: the same SQL, formats and parameters as chDB.
import { Readable } from 'node:stream';
import { type ClickHouseClient, ClickHouseError, ClickHouseLogLevel, createClient } from '@clickhouse/client';
import { StoreError } from '../errors.ts';
import { ident } from '../schema/otelTables.ts';
import { analyzeStatement } from '../serve/sqlStatement.ts';
import type { QueryParams, Row, Store } from '../types.ts';

/** Statements that answer with rows; client.query() appends a FORMAT clause, which others do not take. */
const ROW_KINDS = new Set(['SELECT', 'WITH', 'SHOW', 'DESCRIBE', 'DESC', 'EXISTS', 'EXPLAIN', 'CHECK']);

/** False for INSERT, CREATE, ALTER ... (run as a command, no rows); unknown text is left to the server. */
function returnsRows(sql: string): boolean {
  try {
    const kind = analyzeStatement(sql).kind;
    return kind === '' || ROW_KINDS.has(kind);
  } catch {
    return true;
  }
}

/** Set when the store is reached through the process that owns the embedded directory. */
export interface StoreOwnerRef {
  /** Pid of the owning process, from owner.json. */
  pid: number;
}

/** A handle on ClickHouse's HTTP interface: a server, or an owner of the embedded store; see openStore(). */
export class ServerStore implements Store {
  /** `server` for a ClickHouse server, `remote` when the URL is an owner's (owner.json). */
  readonly backend: 'server' | 'remote';
  readonly database: string;
  readonly location: string;
  /** The owning process when `backend` is `remote`. */
  readonly owner: StoreOwnerRef | undefined;
  private readonly client: ClickHouseClient;
  private closed = false;

  private constructor(url: string, database: string, client: ClickHouseClient, owner?: StoreOwnerRef) {
    this.location = url;
    this.database = database;
    this.client = client;
    this.owner = owner;
    this.backend = owner ? 'remote' : 'server';
  }

  /** A StoreError for a failed call: ClickHouse's own code and message, or unreachable. */
  private failed(
    code: 'MB_ERR_QUERY_FAILED' | 'MB_ERR_INSERT_FAILED',
    what: string,
    err: unknown,
  ): StoreError {
    if (this.closed)
      return new StoreError('MB_ERR_STORE_CLOSED', `store ${this.location} is closed`, { cause: err });
    return failure(code, what, err, this.location, this.owner);
  }

  /**
   * Wraps a client you configured yourself (TLS, a custom `connection`); creates the database
   * if needed. The client must use `database` as its default database.
   */
  static async fromClient(
    client: ClickHouseClient,
    database: string,
    location: string,
  ): Promise<ServerStore> {
    try {
      await client.command({ query: `CREATE DATABASE IF NOT EXISTS ${ident(database)}` });
    } catch (err) {
      throw failure('MB_ERR_QUERY_FAILED', `connecting to ${location}`, err, location);
    }
    return new ServerStore(location, database, client);
  }

  /**
   * Connects, checks the server answers, and creates the database if needed. With `owner`, the URL
   * is the ClickHouse HTTP interface of the process that owns the embedded store.
   */
  static async open(url: string, database: string, owner?: StoreOwnerRef): Promise<ServerStore> {
    // The client's own log would print every failed query a second time (the StoreError says it).
    const log = { level: ClickHouseLogLevel.OFF };
    const bootstrap = createClient({ url, request_timeout: 30_000, log });
    try {
      await bootstrap.command({ query: `CREATE DATABASE IF NOT EXISTS ${ident(database)}` });
    } catch (err) {
      await bootstrap.close();
      throw failure('MB_ERR_QUERY_FAILED', `connecting to ${url}`, err, url, owner);
    }
    await bootstrap.close();
    return new ServerStore(
      url,
      database,
      createClient({
        url,
        database,
        request_timeout: 300_000,
        log,
        clickhouse_settings: { output_format_json_quote_64bit_integers: 1 },
        // The owner reads param_* from a multipart body too, so long parameter lists never hit a URL limit.
        ...(owner ? { use_multipart_params_auto: true } : {}),
      }),
      owner,
    );
  }

  async exec(sql: string, params?: QueryParams): Promise<void> {
    try {
      await this.client.command({ query: sql, query_params: params });
    } catch (err) {
      throw this.failed('MB_ERR_QUERY_FAILED', 'statement', err);
    }
  }

  async query<T = Row>(sql: string, params?: QueryParams): Promise<T[]> {
    if (!returnsRows(sql)) {
      await this.exec(sql, params);
      return [];
    }
    try {
      const rs = await this.client.query({ query: sql, query_params: params, format: 'JSONEachRow' });
      return await rs.json<T>();
    } catch (err) {
      throw this.failed('MB_ERR_QUERY_FAILED', 'query', err);
    }
  }

  async *stream<T = Row>(sql: string, params?: QueryParams): AsyncIterable<T[]> {
    if (!returnsRows(sql)) {
      await this.exec(sql, params);
      return;
    }
    let rs: Awaited<ReturnType<ClickHouseClient['query']>>;
    try {
      rs = await this.client.query({ query: sql, query_params: params, format: 'JSONEachRow' });
    } catch (err) {
      throw this.failed('MB_ERR_QUERY_FAILED', 'query', err);
    }
    const rows = rs.stream() as AsyncIterable<{ json<R>(): R }[]>;
    const it = rows[Symbol.asyncIterator]();
    let done = false;
    try {
      for (;;) {
        let next: IteratorResult<{ json<R>(): R }[]>;
        try {
          next = await it.next();
        } catch (err) {
          done = true;
          // The connection broke mid-result (an owner killed while answering).
          throw this.failed('MB_ERR_QUERY_FAILED', 'query', err);
        }
        if (next.done) {
          done = true;
          return;
        }
        if (next.value.length > 0) yield next.value.map((r) => r.json<T>());
      }
    } finally {
      // A reader that stops early releases the response (and its socket).
      if (!done) await it.return?.();
    }
  }

  /** Table name qualified with this store's database unless it already names one. */
  private qualify(table: string): string {
    return table.includes('.') ? table : `${this.database}.${table}`;
  }

  async insert(table: string, rows: readonly Row[]): Promise<void> {
    if (rows.length === 0) return;
    try {
      await this.client.insert({ table: this.qualify(table), values: rows as Row[], format: 'JSONEachRow' });
    } catch (err) {
      throw this.failed('MB_ERR_INSERT_FAILED', `insert into ${table}`, err);
    }
  }

  async insertJsonEachRow(table: string, body: string): Promise<void> {
    if (body.length === 0) return;
    try {
      // client.insert() only takes object streams for JSON formats; exec() sends the text as is.
      const result = await this.client.exec({
        query: `INSERT INTO ${this.qualify(table)} FORMAT JSONEachRow`,
        values: Readable.from([Buffer.from(body)], { objectMode: false }),
      });
      result.stream.resume();
      await new Promise<void>((resolve, reject) => {
        result.stream.once('end', resolve);
        result.stream.once('error', reject);
      });
    } catch (err) {
      throw this.failed('MB_ERR_INSERT_FAILED', `insert into ${table}`, err);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.client.close();
  }
}

/** Maps what @clickhouse/client threw to a StoreError; ClickHouse's errors keep their code and name. */
function failure(
  code: 'MB_ERR_QUERY_FAILED' | 'MB_ERR_INSERT_FAILED',
  what: string,
  err: unknown,
  location: string,
  owner?: StoreOwnerRef,
): StoreError {
  const e = err as NodeJS.ErrnoException;
  if (
    e?.code === 'ECONNREFUSED' ||
    e?.code === 'ENOTFOUND' ||
    e?.code === 'ECONNRESET' ||
    e?.code === 'EPIPE' ||
    /timeout|socket hang up/i.test(String(e?.message))
  ) {
    const who = owner
      ? `the store's owner (pid ${owner.pid}) at ${location} did not answer`
      : `ClickHouse server ${location} unreachable`;
    return new StoreError('MB_ERR_STORE_UNREACHABLE', `${who}: ${e.message}`, { cause: err });
  }
  if (err instanceof ClickHouseError) {
    const text = err.message.trim().replace(/\.$/, '');
    return new StoreError(code, `${what} failed: Code: ${err.code}. DB::Exception: ${text}. (${err.type})`, {
      cause: err,
    });
  }
  return new StoreError(code, `${what} failed: ${e?.message ?? String(err)}`, { cause: err });
}
