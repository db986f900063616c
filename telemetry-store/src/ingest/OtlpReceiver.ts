// The OTLP/HTTP receiver on node:http: POST /v1/traces, /v1/metrics, /v1/logs in protobuf or
// JSON, gzip or identity. A request is decoded and mapped, appended to the spool, made durable
// and queued before it is answered 200, so an acknowledged request survives a crash. Anything it
// cannot take gets a problem+json answer (400/413/415/429), never a crash.

import http from 'node:http';
import zlib from 'node:zlib';
import type { Store } from '../types.ts';
import type { Batcher } from './Batcher.ts';
import type { IngestStats } from './IngestStats.ts';
import { IngestError, type IngestErrorCode } from './ingestErrors.ts';
import type { Signal } from './mappedRows.ts';
import { mapRequest } from './mapRequest.ts';
import { DecodeError, encodeResponse } from './otlpCodec.ts';
import type { Spool, SpoolPosition } from './Spool.ts';

const SIGNAL_PATHS: Record<string, Signal> = {
  '/v1/traces': 'traces',
  '/v1/metrics': 'metrics',
  '/v1/logs': 'logs',
};

/** What the receiver needs from the rest of the ingest. */
export interface ReceiverDeps {
  store: Store;
  spool: Spool;
  batcher: Batcher;
  stats: IngestStats;
  maxBodyBytes: number;
  retryAfterSeconds: number;
  url: () => string;
  log: (message: string) => void;
}

function traceIdOf(req: http.IncomingMessage): string | undefined {
  const tp = req.headers.traceparent;
  return typeof tp === 'string' ? /^[0-9a-f]{2}-([0-9a-f]{32})-/.exec(tp)?.[1] : undefined;
}

export class OtlpReceiver {
  readonly server: http.Server;
  readonly #d: ReceiverDeps;

  constructor(deps: ReceiverDeps) {
    this.#d = deps;
    this.server = http.createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
      this.#handle(req, res).catch((err: unknown) => {
        deps.log(`ingest: unexpected error on ${req.method} ${req.url}: ${(err as Error)?.stack ?? err}`);
        this.#problem(
          req,
          res,
          new IngestError('MB_ERR_INGEST_INTERNAL', 'internal error; the request was not acknowledged'),
        );
      });
    });
    this.server.on('clientError', (_err, socket) => {
      if (socket.writable)
        socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      else socket.destroy();
    });
  }

  async #handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const pathname = (req.url ?? '/').split('?', 1)[0];
    const signal = SIGNAL_PATHS[pathname];
    if (signal !== undefined) {
      if (req.method !== 'POST')
        return this.#reject(req, res, 'MB_ERR_INGEST_METHOD_NOT_ALLOWED', `${pathname} takes POST`);
      return this.#export(signal, req, res);
    }
    if (req.method === 'GET' && pathname === '/metrics') {
      const text = await this.#d.stats.registry.metrics();
      res.writeHead(200, { 'content-type': this.#d.stats.registry.contentType }).end(text);
      return;
    }
    if (req.method === 'GET' && pathname === '/marketbench/stats') {
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify(this.#d.stats.snapshot(this.#d.url())));
      return;
    }
    if (req.method === 'GET' && pathname === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
      return;
    }
    req.resume();
    this.#reject(req, res, 'MB_ERR_INGEST_NOT_FOUND', `no route for ${req.method} ${pathname}`);
  }

  async #export(signal: Signal, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const d = this.#d;
    const type = (req.headers['content-type'] ?? '').split(';', 1)[0].trim().toLowerCase();
    const json = type === 'application/json';
    if (!json && type !== 'application/x-protobuf') {
      req.resume();
      return this.#reject(
        req,
        res,
        'MB_ERR_INGEST_UNSUPPORTED_MEDIA_TYPE',
        `Content-Type ${JSON.stringify(type || '(none)')} is not supported: send application/x-protobuf or application/json`,
      );
    }
    const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
    if (encoding !== 'gzip' && encoding !== 'identity' && encoding !== '') {
      req.resume();
      return this.#reject(
        req,
        res,
        'MB_ERR_INGEST_UNSUPPORTED_MEDIA_TYPE',
        `Content-Encoding ${JSON.stringify(encoding)} is not supported: send gzip or identity`,
      );
    }
    const raw = await this.#readBody(req);
    if (raw === undefined)
      return this.#reject(
        req,
        res,
        'MB_ERR_INGEST_BODY_TOO_LARGE',
        `request body is over ${d.maxBodyBytes} bytes`,
      );
    if (d.batcher.full) {
      d.stats.throttledRequests++;
      res.setHeader('retry-after', String(d.retryAfterSeconds));
      return this.#reject(
        req,
        res,
        'MB_ERR_INGEST_OVERLOADED',
        `insert queue full (${d.batcher.queuedRows} rows waiting); retry after ${d.retryAfterSeconds}s`,
      );
    }
    let body: Buffer = raw;
    if (encoding === 'gzip') {
      try {
        body = zlib.gunzipSync(raw, { maxOutputLength: d.maxBodyBytes });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE')
          return this.#reject(
            req,
            res,
            'MB_ERR_INGEST_BODY_TOO_LARGE',
            `gunzipped body is over ${d.maxBodyBytes} bytes`,
          );
        return this.#reject(
          req,
          res,
          'MB_ERR_INGEST_BAD_GZIP',
          `body is not valid gzip: ${(err as Error).message}`,
        );
      }
    }
    let mapped: ReturnType<typeof mapRequest>;
    try {
      mapped = mapRequest(signal, json, body);
    } catch (err) {
      if (err instanceof DecodeError) return this.#reject(req, res, 'MB_ERR_INGEST_DECODE', err.message);
      throw err;
    }
    const counts = d.stats.rows[signal];
    counts.rejected += mapped.rejected;
    if (mapped.accepted === 0 && mapped.rejected > 0)
      return this.#reject(
        req,
        res,
        'MB_ERR_INGEST_INVALID_DATA',
        `all ${mapped.rejected} items were refused; first: ${mapped.firstError}`,
      );
    if (mapped.accepted > 0) {
      let pos: SpoolPosition;
      try {
        pos = d.spool.append(signal, json, body);
        await d.spool.durable();
      } catch (err) {
        counts.rejected += mapped.accepted;
        d.log(`ingest: spool write failed: ${(err as Error).message}`);
        return this.#reject(
          req,
          res,
          'MB_ERR_INGEST_SPOOL',
          `could not persist the request: ${(err as Error).message}`,
        );
      }
      counts.received += mapped.accepted;
      d.batcher.enqueue(mapped, pos);
    }
    const answer = encodeResponse(signal, json, mapped.rejected, mapped.firstError);
    d.stats.response(200);
    res.writeHead(200, {
      'content-type': json ? 'application/json' : 'application/x-protobuf',
      'content-length': Buffer.byteLength(answer),
    });
    res.end(answer);
  }

  /** Reads the body; undefined when it is over the limit (the rest is drained, up to 4x the limit). */
  #readBody(req: http.IncomingMessage): Promise<Buffer | undefined> {
    const limit = this.#d.maxBodyBytes;
    const declared = Number(req.headers['content-length']);
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let over = Number.isFinite(declared) && declared > limit;
      if (over && declared > limit * 4) {
        resolve(undefined);
        req.resume();
        return;
      }
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size > limit) {
          over = true;
          chunks.length = 0;
          if (size > limit * 4) {
            resolve(undefined);
            req.destroy();
          }
          return;
        }
        if (!over) chunks.push(c);
      });
      req.on('end', () =>
        resolve(over ? undefined : chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)),
      );
      req.on('error', reject);
    });
  }

  #reject(req: http.IncomingMessage, res: http.ServerResponse, code: IngestErrorCode, detail: string): void {
    this.#problem(req, res, new IngestError(code, detail));
  }

  #problem(req: http.IncomingMessage, res: http.ServerResponse, err: IngestError): void {
    this.#d.stats.response(err.status);
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const traceId = traceIdOf(req);
    const body = JSON.stringify({
      type: `urn:marketbench:error:${err.code}`,
      title: err.code,
      status: err.status,
      detail: err.message,
      code: err.code,
      ...(traceId ? { traceId } : {}),
    });
    res.writeHead(err.status, {
      'content-type': 'application/problem+json',
      'content-length': Buffer.byteLength(body),
    });
    res.end(body);
  }
}
