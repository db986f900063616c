// The server backend: a ClickHouse server over HTTP through @clickhouse/client, used when
// CLICKHOUSE_URL is set. Deliberately thin: the same SQL, formats and parameters as chDB.
import { Readable } from 'node:stream';
import { type ClickHouseClient, createClient } from '@clickhouse/client';
import { StoreError } from '../errors.ts';
import { ident } from '../schema/otelTables.ts';
import type { QueryParams, Row, Store } from '../types.ts';

function failed(
  code: 'MB_ERR_QUERY_FAILED' | 'MB_ERR_INSERT_FAILED',
  what: string,
  err: unknown,
): StoreError {
  const e = err as NodeJS.ErrnoException;
  if (
    e?.code === 'ECONNREFUSED' ||
    e?.code === 'ENOTFOUND' ||
    e?.code === 'ECONNRESET' ||
    /timeout/i.test(String(e?.message))
  ) {
    return new StoreError('MB_ERR_STORE_UNREACHABLE', `ClickHouse server unreachable: ${e.message}`, {
      cause: err,
    });
  }
  return new StoreError(code, `${what} failed: ${e?.message ?? String(err)}`, { cause: err });
}

/** A handle on a ClickHouse server; see openStore(). */
export class ServerStore implements Store {
  readonly backend = 'server' as const;
  readonly database: string;
  readonly location: string;
  private readonly client: ClickHouseClient;

  private constructor(url: string, database: string, client: ClickHouseClient) {
    this.location = url;
    this.database = database;
    this.client = client;
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
      throw failed('MB_ERR_QUERY_FAILED', `connecting to ${location}`, err);
    }
    return new ServerStore(location, database, client);
  }

  /** Connects, checks the server answers, and creates the database if needed. */
  static async open(url: string, database: string): Promise<ServerStore> {
    const bootstrap = createClient({ url, request_timeout: 30_000 });
    try {
      await bootstrap.command({ query: `CREATE DATABASE IF NOT EXISTS ${ident(database)}` });
    } catch (err) {
      await bootstrap.close();
      throw failed('MB_ERR_QUERY_FAILED', `connecting to ${url}`, err);
    }
    await bootstrap.close();
    return new ServerStore(
      url,
      database,
      createClient({
        url,
        database,
        request_timeout: 300_000,
        clickhouse_settings: { output_format_json_quote_64bit_integers: 1 },
      }),
    );
  }

  async exec(sql: string, params?: QueryParams): Promise<void> {
    try {
      await this.client.command({ query: sql, query_params: params });
    } catch (err) {
      throw failed('MB_ERR_QUERY_FAILED', 'statement', err);
    }
  }

  async query<T = Row>(sql: string, params?: QueryParams): Promise<T[]> {
    try {
      const rs = await this.client.query({ query: sql, query_params: params, format: 'JSONEachRow' });
      return await rs.json<T>();
    } catch (err) {
      throw failed('MB_ERR_QUERY_FAILED', 'query', err);
    }
  }

  async *stream<T = Row>(sql: string, params?: QueryParams): AsyncIterable<T[]> {
    let rs: Awaited<ReturnType<ClickHouseClient['query']>>;
    try {
      rs = await this.client.query({ query: sql, query_params: params, format: 'JSONEachRow' });
    } catch (err) {
      throw failed('MB_ERR_QUERY_FAILED', 'query', err);
    }
    for await (const rows of rs.stream() as AsyncIterable<{ json<R>(): R }[]>) {
      if (rows.length > 0) yield rows.map((r) => r.json<T>());
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
      throw failed('MB_ERR_INSERT_FAILED', `insert into ${table}`, err);
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
      throw failed('MB_ERR_INSERT_FAILED', `insert into ${table}`, err);
    }
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}
