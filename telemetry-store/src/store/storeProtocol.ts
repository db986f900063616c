// The HTTP protocol through which other processes reach an embedded store while its owner
// (the ingest) runs. It mirrors ClickHouse's HTTP interface where it can:
//   POST /marketbench/query?param_<name>=<text>&default_format=JSON|JSONEachRow  body: SQL
//     -> {"data":[...]} (JSON) or one JSON object per line (JSONEachRow, streamed)
//   POST /marketbench/insert?table=<table>   body: JSONEachRow  -> 204
// Both take an optional `database=`; it must be the owner's.
// Errors are application/problem+json with the store error code.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { StoreError } from '../errors.ts';
import type { Store } from '../types.ts';
import { decodeParams } from './queryParams.ts';

/** Paths of the store protocol on the owner's HTTP server. */
export const STORE_PATHS = {
  query: '/marketbench/query',
  insert: '/marketbench/insert',
} as const;

/** Largest request body the handler accepts (SQL or an insert block). */
export const MAX_STORE_REQUEST_BYTES = 256 * 1024 * 1024;

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(new RangeError(`request body over ${limit} bytes`));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function problem(res: ServerResponse, status: number, code: string, detail: string): void {
  if (res.headersSent) {
    res.destroy(new Error(detail));
    return;
  }
  const body = JSON.stringify({ type: `urn:marketbench:error:${code}`, title: code, status, detail, code });
  res.writeHead(status, {
    'content-type': 'application/problem+json',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

/**
 * Serves the store protocol for `store` on a node:http request. Resolves true when it
 * handled the request (its path is one of STORE_PATHS), false to let the caller route it.
 */
export async function handleStoreRequest(
  store: Store,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<boolean> {
  const url = new URL(req.url ?? '/', 'http://owner');
  if (url.pathname !== STORE_PATHS.query && url.pathname !== STORE_PATHS.insert) return false;
  if (req.method !== 'POST') {
    res.writeHead(405, { allow: 'POST' }).end();
    return true;
  }
  let body: Buffer;
  try {
    body = await readBody(req, MAX_STORE_REQUEST_BYTES);
  } catch (err) {
    problem(res, 413, 'MB_ERR_REMOTE_PROTOCOL', (err as Error).message);
    return true;
  }
  // One owner serves one database; a client configured for another must not silently read this one.
  const database = url.searchParams.get('database');
  if (database !== null && database !== store.database) {
    problem(
      res,
      400,
      'MB_ERR_STORE_CONFIG',
      `the store's owner serves database ${store.database}, not ${database} (check MARKETBENCH_DATABASE)`,
    );
    return true;
  }
  try {
    if (url.pathname === STORE_PATHS.insert) {
      const table = url.searchParams.get('table');
      if (!table) {
        problem(res, 400, 'MB_ERR_REMOTE_PROTOCOL', 'missing ?table=');
        return true;
      }
      await store.insertJsonEachRow(table, body.toString('utf8'));
      res.writeHead(204).end();
      return true;
    }
    const sql = body.toString('utf8');
    const texts: Record<string, string> = {};
    for (const [k, v] of url.searchParams) if (k.startsWith('param_')) texts[k.slice('param_'.length)] = v;
    const params = decodeParams(sql, texts);
    const format = url.searchParams.get('default_format') ?? 'JSON';
    if (format === 'JSONEachRow') {
      let started = false;
      for await (const rows of store.stream(sql, params)) {
        if (!started) {
          res.writeHead(200, { 'content-type': 'application/x-ndjson' });
          started = true;
        }
        let chunk = '';
        for (const row of rows) chunk += `${JSON.stringify(row)}\n`;
        if (!res.write(chunk)) {
          // A reader that went away never drains: stop instead of waiting forever.
          const open = await new Promise<boolean>((r) => {
            res.once('drain', () => r(true));
            res.once('close', () => r(false));
          });
          if (!open) return true;
        }
      }
      if (!started) res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      res.end();
      return true;
    }
    if (format !== 'JSON') {
      problem(
        res,
        400,
        'MB_ERR_REMOTE_PROTOCOL',
        `default_format must be JSON or JSONEachRow, got ${format}`,
      );
      return true;
    }
    const rows = await store.query(sql, params);
    const out = JSON.stringify({ data: rows });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(out) });
    res.end(out);
  } catch (err) {
    const code = err instanceof StoreError ? err.code : 'MB_ERR_QUERY_FAILED';
    const status = code === 'MB_ERR_QUERY_FAILED' || code === 'MB_ERR_INSERT_FAILED' ? 400 : 500;
    problem(res, status, code, (err as Error).message);
  }
  return true;
}
