// The remote backend: reaches an embedded store through the process that owns it (the
// ingest), over the protocol in storeProtocol.ts. Used by openStore() when the chDB
// directory is locked and the owner has published its URL in owner.json.
import { StoreError, type StoreErrorCode } from '../errors.ts';
import type { QueryParams, Row, Store } from '../types.ts';
import { encodeParamValue } from './queryParams.ts';
import { STORE_PATHS } from './storeProtocol.ts';

const STORE_CODES = new Set<string>([
  'MB_ERR_STORE_LOCKED',
  'MB_ERR_STORE_UNREACHABLE',
  'MB_ERR_QUERY_FAILED',
  'MB_ERR_INSERT_FAILED',
  'MB_ERR_STORE_CLOSED',
  'MB_ERR_STORE_CONFIG',
  'MB_ERR_MIGRATION_CHECKSUM',
  'MB_ERR_SCHEMA_TOO_NEW',
  'MB_ERR_REMOTE_PROTOCOL',
]);

/** A handle on a store served by its owning process; see openStore(). */
export class RemoteStore implements Store {
  readonly backend = 'remote' as const;
  readonly database: string;
  readonly location: string;
  /** Pid of the owning process, when known. */
  readonly ownerPid: number | undefined;
  private closed = false;

  constructor(url: string, database: string, ownerPid?: number) {
    this.location = url.replace(/\/+$/, '');
    this.database = database;
    this.ownerPid = ownerPid;
  }

  private async post(pathAndQuery: string, body: string): Promise<Response> {
    if (this.closed) throw new StoreError('MB_ERR_STORE_CLOSED', `store ${this.location} is closed`);
    let res: Response;
    try {
      res = await fetch(`${this.location}${pathAndQuery}`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'text/plain; charset=utf-8' },
      });
    } catch (err) {
      throw new StoreError(
        'MB_ERR_STORE_UNREACHABLE',
        `the store's owner (pid ${this.ownerPid ?? '?'}) at ${this.location} did not answer: ${(err as Error).message}`,
        { cause: err },
      );
    }
    if (res.ok) return res;
    const text = await res.text();
    let code: StoreErrorCode = 'MB_ERR_REMOTE_PROTOCOL';
    let detail = `HTTP ${res.status}: ${text.slice(0, 500)}`;
    try {
      const p = JSON.parse(text) as { code?: string; detail?: string };
      if (p.code && STORE_CODES.has(p.code)) code = p.code as StoreErrorCode;
      if (p.detail) detail = p.detail;
    } catch {
      // not problem+json: keep the raw text
    }
    throw new StoreError(code, detail);
  }

  private queryPath(format: string, params?: QueryParams): string {
    const q = new URLSearchParams({ database: this.database, default_format: format });
    for (const [k, v] of Object.entries(params ?? {})) q.set(`param_${k}`, encodeParamValue(v));
    return `${STORE_PATHS.query}?${q}`;
  }

  async exec(sql: string, params?: QueryParams): Promise<void> {
    const res = await this.post(this.queryPath('JSON', params), sql);
    await res.arrayBuffer();
  }

  async query<T = Row>(sql: string, params?: QueryParams): Promise<T[]> {
    const res = await this.post(this.queryPath('JSON', params), sql);
    const body = (await res.json()) as { data?: T[] };
    if (!Array.isArray(body.data))
      throw new StoreError('MB_ERR_REMOTE_PROTOCOL', 'owner answered without a data array');
    return body.data;
  }

  async *stream<T = Row>(sql: string, params?: QueryParams): AsyncIterable<T[]> {
    const res = await this.post(this.queryPath('JSONEachRow', params), sql);
    if (!res.body) return;
    const decoder = new TextDecoder();
    let rest = '';
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      rest += decoder.decode(chunk, { stream: true });
      const end = rest.lastIndexOf('\n');
      if (end < 0) continue;
      const lines = rest.slice(0, end).split('\n');
      rest = rest.slice(end + 1);
      const rows = lines.filter((l) => l !== '').map((l) => JSON.parse(l) as T);
      if (rows.length > 0) yield rows;
    }
    rest += decoder.decode();
    if (rest.trim() !== '') yield [JSON.parse(rest) as T];
  }

  async insert(table: string, rows: readonly Row[]): Promise<void> {
    if (rows.length === 0) return;
    let body = '';
    for (const row of rows) body += `${JSON.stringify(row)}\n`;
    await this.insertJsonEachRow(table, body);
  }

  async insertJsonEachRow(table: string, body: string): Promise<void> {
    if (body.length === 0) return;
    const q = new URLSearchParams({
      database: this.database,
      table: table.includes('.') ? table : `${this.database}.${table}`,
    });
    const res = await this.post(`${STORE_PATHS.insert}?${q}`, body);
    await res.arrayBuffer();
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
