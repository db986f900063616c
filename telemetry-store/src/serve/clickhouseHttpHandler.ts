// The owner's ClickHouse HTTP interface: the subset of clickhouse-server's `/` handler that
// @clickhouse/client (and curl) use, run on the owner's chDB session. A request's SQL, its
// `param_*` values and format go to chDB as they are; the answer is chDB's bytes with the
// headers a server sends (X-ClickHouse-Summary, -Query-Id, -Format, -Timezone), gzip/br/zstd/
// deflate when asked; errors are ClickHouse's text, code header and status.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type { RawInsertFormat } from 'chdb';
import type { ChdbStore } from '../store/ChdbStore.ts';
import { chdbParamsFromHttp } from './chdbParams.ts';
import { chError, toClickHouseError } from './clickhouseError.ts';
import { drain, parseMultipart, readBody } from './readRequest.ts';
import { analyzeStatement, type Statement, withSettings } from './sqlStatement.ts';

/** What the handler knows about the engine behind it (read once when the server starts). */
export interface EngineInfo {
  /** ClickHouse version of chDB's engine (`SELECT version()`). */
  version: string;
  /** Server time zone (`SELECT timezone()`). */
  timezone: string;
  /** Host name for X-ClickHouse-Server-Display-Name. */
  displayName: string;
  /** The session's value of every setting (system.settings), to skip URL settings that change nothing. */
  settings: ReadonlyMap<string, string>;
}

/** URL parameters that are not settings (clickhouse-server's reserved_param_names, plus `query`). */
const RESERVED = new Set([
  'query',
  'database',
  'default_format',
  'compress',
  'decompress',
  'user',
  'password',
  'quota_key',
  'query_id',
  'stacktrace',
  'role',
  'buffer_size',
  'wait_end_of_query',
  'session_id',
  'session_timeout',
  'session_check',
  'client_protocol_version',
  'close_session',
]);

/** Settings the HTTP layer itself consumes; the engine never sees them. */
const HTTP_SETTINGS = new Set([
  'enable_http_compression',
  'http_zlib_compression_level',
  'send_progress_in_http_headers',
  'http_headers_progress_interval_ms',
  'http_wait_end_of_query',
  'http_response_buffer_size',
  'add_http_cors_header',
  'http_native_compression_disable_checksumming_on_decompress',
  'cancel_http_readonly_queries_on_client_close',
]);

/** Statements a GET (readonly) may run. */
const READ_KINDS = new Set([
  'SELECT',
  'WITH',
  'SHOW',
  'DESCRIBE',
  'DESC',
  'EXISTS',
  'EXPLAIN',
  'CHECK',
  'SET',
  'USE',
]);

/** Formats chDB's raw insert takes (zero-copy, parsed by the engine). */
const RAW_INSERT_FORMATS = new Set<string>([
  'JSONEachRow',
  'JSONCompactEachRow',
  'CSV',
  'CSVWithNames',
  'TSV',
  'TabSeparated',
  'TSVWithNames',
  'TabSeparatedWithNames',
]);

const IDENT = /^[A-Za-z0-9_]+$/;

function contentType(format: string): string {
  if (/^(TSV|TabSeparated)/i.test(format)) return 'text/tab-separated-values; charset=UTF-8';
  if (/^CSV/i.test(format))
    return `text/csv; charset=UTF-8; header=${/WithNames/i.test(format) ? 'present' : 'absent'}`;
  if (/^(JSON|NDJSON)/i.test(format)) return 'application/json; charset=UTF-8';
  if (/^(Native|RowBinary|Parquet|Arrow|ORC|Avro|Protobuf|MsgPack|CapnProto|Npy)/i.test(format))
    return 'application/octet-stream';
  return 'text/plain; charset=UTF-8';
}

function sameSetting(a: string, b: string | undefined): boolean {
  if (b === undefined) return false;
  const norm = (v: string) => {
    const l = v.trim().toLowerCase();
    return l === 'true' ? '1' : l === 'false' ? '0' : l;
  };
  return norm(a) === norm(b);
}

const COMPRESSORS: Record<string, (b: Buffer, level?: number) => Promise<Buffer>> = {
  gzip: (b, level) => promisify(zlib.gzip)(b, level === undefined ? {} : { level }),
  deflate: (b, level) => promisify(zlib.deflate)(b, level === undefined ? {} : { level }),
  br: (b) => promisify(zlib.brotliCompress)(b, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 4 } }),
  zstd: (b) => promisify(zlib.zstdCompress)(b),
};

/** The first encoding of Accept-Encoding the owner can write (clickhouse-server's order of preference). */
function responseEncoding(accept: string | undefined): string | undefined {
  if (!accept) return undefined;
  const offered = accept.toLowerCase();
  return ['gzip', 'deflate', 'br', 'zstd'].find((e) => new RegExp(`(^|[\\s,])${e}(;|,|$)`).test(offered));
}

interface Answer {
  body: Buffer;
  format?: string;
  summary: Record<string, string>;
}

function summary(fields: Partial<Record<string, number>>): Record<string, string> {
  const keys = [
    'read_rows',
    'read_bytes',
    'written_rows',
    'written_bytes',
    'total_rows_to_read',
    'result_rows',
    'result_bytes',
    'elapsed_ns',
  ];
  return Object.fromEntries(keys.map((k) => [k, String(Math.round(fields[k] ?? 0))]));
}

/** Builds the request handler for `store` (the owner's chDB handle). */
export function createClickHouseHandler(
  store: ChdbStore,
  engine: EngineInfo,
  maxBodyBytes: number,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const common = (res: ServerResponse, queryId: string): void => {
    res.setHeader('X-ClickHouse-Server-Display-Name', engine.displayName);
    res.setHeader('X-ClickHouse-Query-Id', queryId);
    res.setHeader('X-ClickHouse-Timezone', engine.timezone);
  };

  const fail = (res: ServerResponse, queryId: string, err: unknown): void => {
    const e = toClickHouseError(err);
    if (res.headersSent) {
      res.destroy(e);
      return;
    }
    const body = e.body(engine.version);
    common(res, queryId);
    res.writeHead(e.status, {
      'content-type': 'text/plain; charset=UTF-8',
      'content-length': Buffer.byteLength(body),
      'X-ClickHouse-Exception-Code': String(e.code),
      'X-ClickHouse-Summary': JSON.stringify(summary({})),
    });
    res.end(body);
  };

  /** Runs one request's statement; returns the answer to send. */
  const execute = async (req: IncomingMessage, url: URL, body: Buffer): Promise<Answer> => {
    const readonly = req.method !== 'POST';
    const header = (name: string): string | undefined => {
      const v = req.headers[name];
      return typeof v === 'string' && v !== '' ? v : undefined;
    };
    const database = header('x-clickhouse-database') ?? (url.searchParams.get('database') || store.database);
    const defaultFormat =
      header('x-clickhouse-format') ?? (url.searchParams.get('default_format') || 'TabSeparated');
    if (url.searchParams.get('compress') === '1' || url.searchParams.get('decompress') === '1')
      throw chError(
        'NOT_IMPLEMENTED',
        "compress=1/decompress=1 (ClickHouse's own block compression) is not supported by the marketbench owner; use HTTP compression (enable_http_compression=1 with Accept-Encoding)",
      );
    if (url.searchParams.get('session_id'))
      throw chError('NOT_IMPLEMENTED', 'sessions (session_id) are not supported by the marketbench owner');

    // The query: URL `query`, then the body (ClickHouse concatenates them with a newline), or multipart parts.
    const texts: Record<string, string> = {};
    const settings: [string, string][] = [];
    let queryParam = url.searchParams.get('query') ?? undefined;
    let data = body;
    const ctype = String(req.headers['content-type'] ?? '');
    if (/^multipart\/form-data/i.test(ctype)) {
      const parts = parseMultipart(body, ctype);
      data = Buffer.alloc(0);
      for (const [name, value] of parts) {
        if (name === 'query') queryParam = (queryParam ? `${queryParam}\n` : '') + value;
        else if (name.startsWith('param_')) texts[name.slice('param_'.length)] = value;
      }
    }
    for (const [k, v] of url.searchParams) {
      if (k.startsWith('param_')) texts[k.slice('param_'.length)] ??= v;
      else if (
        k !== '' &&
        !RESERVED.has(k) &&
        !HTTP_SETTINGS.has(k) &&
        !sameSetting(v, engine.settings.get(k))
      )
        settings.push([k, v]);
    }
    if (readonly && !settings.some(([k]) => k === 'readonly')) settings.push(['readonly', '2']);

    // An INSERT whose data is the body, in a format chDB parses itself: hand the bytes over as they are.
    if (queryParam !== undefined && data.length > 0 && !readonly) {
      const st = analyzeStatement(queryParam);
      const ins = st.insert;
      if (
        ins?.dataStart !== undefined &&
        queryParam.slice(ins.dataStart).trim() === '' &&
        st.format !== undefined &&
        RAW_INSERT_FORMATS.has(st.format) &&
        ins.table?.every((p) => IDENT.test(p)) &&
        ins.settingKeys.length === 0 &&
        (ins.columns === undefined || ins.columns?.every((c) => c.split('.').every((p) => IDENT.test(p))))
      ) {
        const sum = await store.insertRaw({
          table: ins.table.join('.'),
          database,
          ...(ins.columns ? { columns: ins.columns } : {}),
          format: st.format as RawInsertFormat,
          settings: Object.fromEntries(settings),
          values: data,
        });
        return {
          body: Buffer.alloc(0),
          summary: summary({
            written_rows: sum.rowsWritten,
            written_bytes: sum.bytesWritten,
            elapsed_ns: sum.elapsed * 1e9,
          }),
        };
      }
    }

    let sql = queryParam ?? '';
    if (data.length > 0)
      sql = queryParam === undefined ? data.toString('utf8') : `${sql}\n${data.toString('utf8')}`;
    const st: Statement = analyzeStatement(sql);
    if (st.kind === '') throw chError('SYNTAX_ERROR', 'Empty query');
    if (readonly && !READ_KINDS.has(st.kind))
      throw chError(
        'READONLY',
        'Cannot execute query in readonly mode. For queries over HTTP, method GET implies readonly. You should use method POST for modifying queries',
      );
    // Without a session, SET and USE last for their own request only: on the shared chDB session
    // they would change every later query, so they change nothing, as on a server.
    if (st.kind === 'SET' || st.kind === 'USE') return { body: Buffer.alloc(0), summary: summary({}) };
    if (settings.length > 0) sql = withSettings(sql, st, settings) ?? sql;
    const result = await store.runStatement({
      sql,
      database,
      format: defaultFormat,
      ...(Object.keys(texts).length > 0 ? { params: chdbParamsFromHttp(sql, texts) } : {}),
    });
    const bytes = result.bytes();
    return {
      body: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
      ...(st.insert ? {} : { format: st.format ?? defaultFormat }),
      summary: summary({
        result_rows: st.insert ? 0 : result.rowsRead,
        result_bytes: st.insert ? 0 : result.bytesRead,
        elapsed_ns: result.elapsed * 1e9,
      }),
    };
  };

  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://owner');
    const queryId =
      url.searchParams.get('query_id') || String(req.headers['x-clickhouse-query-id'] ?? '') || randomUUID();
    if (url.pathname === '/ping' || url.pathname === '/replicas_status') {
      drain(req);
      res.writeHead(200, { 'content-type': 'text/plain; charset=UTF-8' }).end('Ok.\n');
      return;
    }
    if (url.pathname !== '/') {
      drain(req);
      res
        .writeHead(404, { 'content-type': 'text/plain; charset=UTF-8' })
        .end(`There is no handle ${url.pathname}\n\nUse / or /ping for health checks.\n`);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'POST' && req.method !== 'HEAD') {
      drain(req);
      res.writeHead(405, { allow: 'GET, HEAD, POST' }).end();
      return;
    }
    if (req.method !== 'POST' && !url.searchParams.has('query')) {
      drain(req);
      res.writeHead(200, { 'content-type': 'text/plain; charset=UTF-8' }).end('Ok.\n');
      return;
    }
    let answer: Answer;
    try {
      const body = req.method === 'POST' ? await readBody(req, maxBodyBytes) : Buffer.alloc(0);
      answer = await execute(req, url, body);
    } catch (err) {
      drain(req);
      fail(res, queryId, err);
      return;
    }
    let out = answer.body;
    const headers: Record<string, string> = {
      'X-ClickHouse-Summary': JSON.stringify(answer.summary),
      'content-type': contentType(answer.format ?? 'TabSeparated'),
    };
    if (answer.format) headers['X-ClickHouse-Format'] = answer.format;
    const compress = url.searchParams.get('enable_http_compression');
    const encoding =
      compress === '1' || compress === 'true' ? responseEncoding(req.headers['accept-encoding']) : undefined;
    if (encoding) {
      const level = Number(url.searchParams.get('http_zlib_compression_level') ?? Number.NaN);
      out = await (COMPRESSORS[encoding] as (b: Buffer, l?: number) => Promise<Buffer>)(
        out,
        Number.isInteger(level) && level >= 1 && level <= 9 ? level : undefined,
      );
      headers['content-encoding'] = encoding;
    }
    headers['content-length'] = String(out.length);
    common(res, queryId);
    res.writeHead(200, headers);
    res.end(req.method === 'HEAD' ? undefined : out);
  };
}
