// The OTLP/HTTP receiver on node:http: POST /v1/traces, /v1/metrics, /v1/logs in protobuf or
// JSON, gzip or identity. A request is read within its size limits, decoded within its item
// limits, mapped and validated, given room in the queue as a whole, appended to the spool, made
// durable and queued before it is answered 200, so an acknowledged request survives a crash and
// can be inserted. Anything it cannot take gets a problem+json answer (400/413/415/429), never a crash.

import http from 'node:http';
import type { Store } from '../types.ts';
import type { Batcher } from './Batcher.ts';
import type { DecodeLimits } from './decodeBudget.ts';
import type { IngestStats } from './IngestStats.ts';
import { IngestError, type IngestErrorCode } from './ingestErrors.ts';
import { type MappedRows, RowsTooLarge, type Signal } from './mappedRows.ts';
import { mapRequest } from './mapRequest.ts';
import { DecodeError, encodeResponse } from './otlpCodec.ts';
import { type BodyLimits, type BodyRefusal, drainBody, InflightBudget, readBody } from './readBody.ts';
import type { Spool, SpoolPosition } from './Spool.ts';

const SIGNAL_PATHS: Record<string, Signal> = {
  '/v1/traces': 'traces',
  '/v1/metrics': 'metrics',
  '/v1/logs': 'logs',
};

/** The limits the receiver applies to each request (see docs/INGEST.md). */
export interface ReceiverLimits {
  maxBodyBytes: number;
  maxDecompressedBytes: number;
  maxInflightBytes: number;
  maxItemsPerRequest: number;
  maxElementsPerRequest: number;
  maxAttributesPerItem: number;
  maxNestingDepth: number;
  maxQueueRows: number;
  maxQueueBytes: number;
}

/** What the receiver needs from the rest of the ingest. */
export interface ReceiverDeps {
  store: Store;
  spool: Spool;
  batcher: Batcher;
  stats: IngestStats;
  limits: ReceiverLimits;
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
  readonly #bodyLimits: BodyLimits;
  readonly #decodeLimits: DecodeLimits;

  constructor(deps: ReceiverDeps) {
    this.#d = deps;
    const l = deps.limits;
    this.#bodyLimits = {
      maxBodyBytes: l.maxBodyBytes,
      maxDecompressedBytes: l.maxDecompressedBytes,
      drainBytes: l.maxBodyBytes,
      budget: new InflightBudget(l.maxInflightBytes),
    };
    this.#decodeLimits = {
      maxItems: l.maxItemsPerRequest,
      maxElements: l.maxElementsPerRequest,
      maxDepth: l.maxNestingDepth,
    };
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

  /** Bytes of request bodies in memory now. */
  get inflightBytes(): number {
    return this.#bodyLimits.budget.used;
  }

  async #handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const pathname = (req.url ?? '/').split('?', 1)[0];
    const signal = SIGNAL_PATHS[pathname];
    if (signal !== undefined) {
      if (req.method !== 'POST')
        return this.#refuse(req, res, 'MB_ERR_INGEST_METHOD_NOT_ALLOWED', `${pathname} takes POST`);
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
    return this.#refuse(req, res, 'MB_ERR_INGEST_NOT_FOUND', `no route for ${req.method} ${pathname}`);
  }

  async #export(signal: Signal, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const d = this.#d;
    const type = (req.headers['content-type'] ?? '').split(';', 1)[0].trim().toLowerCase();
    const json = type === 'application/json';
    if (!json && type !== 'application/x-protobuf')
      return this.#refuse(
        req,
        res,
        'MB_ERR_INGEST_UNSUPPORTED_MEDIA_TYPE',
        `Content-Type ${JSON.stringify(type || '(none)')} is not supported: send application/x-protobuf or application/json`,
      );
    const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
    if (encoding !== 'gzip' && encoding !== 'identity' && encoding !== '')
      return this.#refuse(
        req,
        res,
        'MB_ERR_INGEST_UNSUPPORTED_MEDIA_TYPE',
        `Content-Encoding ${JSON.stringify(encoding)} is not supported: send gzip or identity`,
      );
    // A full queue is answered without holding the body in memory.
    const refuse: BodyRefusal | undefined = d.batcher.full
      ? { kind: 'busy', detail: `the insert queue is full (${d.batcher.queuedRows} rows waiting)` }
      : undefined;
    const read = await readBody(req, encoding === 'gzip', this.#bodyLimits, refuse);
    if (read.kind === 'aborted') return;
    if (read.kind === 'tooLarge')
      return this.#reject(req, res, 'MB_ERR_INGEST_BODY_TOO_LARGE', read.detail, true);
    if (read.kind === 'badGzip')
      return this.#reject(req, res, 'MB_ERR_INGEST_BAD_GZIP', read.detail, !read.drained);
    if (read.kind === 'busy') return this.#overloaded(req, res, read.detail, !read.drained);

    let mapped: MappedRows;
    try {
      mapped = mapRequest(signal, json, read.body, {
        decode: this.#decodeLimits,
        map: { maxAttributes: d.limits.maxAttributesPerItem, maxChars: Math.max(d.batcher.freeChars, 0) },
      });
    } catch (err) {
      read.release();
      if (err instanceof DecodeError) return this.#reject(req, res, 'MB_ERR_INGEST_DECODE', err.message);
      if (err instanceof IngestError) return this.#problem(req, res, err);
      if (err instanceof RowsTooLarge) return this.#noRoom(req, res, undefined, err.chars);
      throw err;
    }
    const counts = d.stats.rows[signal];
    if (mapped.accepted === 0 && mapped.rejected > 0) {
      read.release();
      counts.rejected += mapped.rejected;
      return this.#reject(
        req,
        res,
        'MB_ERR_INGEST_INVALID_DATA',
        `all ${mapped.rejected} items were refused; first: ${mapped.firstError}`,
      );
    }
    if (mapped.accepted > 0) {
      // The whole request gets room in the queue, or none of it is taken (the client retries it whole).
      const room = d.batcher.reserve(mapped.accepted, mapped.chars);
      if (room === undefined) {
        read.release();
        return this.#noRoom(req, res, mapped.accepted, mapped.chars);
      }
      let pos: SpoolPosition;
      try {
        pos = d.spool.append(signal, json, read.body);
      } catch (err) {
        d.batcher.unreserve(room);
        counts.rejected += mapped.accepted;
        d.log(`ingest: spool write failed: ${(err as Error).message}`);
        return this.#reject(
          req,
          res,
          'MB_ERR_INGEST_SPOOL',
          `could not persist the request: ${(err as Error).message}`,
        );
      } finally {
        read.release();
      }
      await d.spool.durable();
      counts.received += mapped.accepted;
      counts.rejected += mapped.rejected;
      d.batcher.enqueue(mapped, pos, room);
    } else read.release();
    const answer = encodeResponse(signal, json, mapped.rejected, mapped.firstError);
    d.stats.response(200);
    res.writeHead(200, {
      'content-type': json ? 'application/json' : 'application/x-protobuf',
      'content-length': Buffer.byteLength(answer),
    });
    res.end(answer);
  }

  /** The request's rows do not fit: 429 while the queue holds other rows, 413 when they could never fit. */
  #noRoom(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    rows: number | undefined,
    chars: number,
  ): void {
    const l = this.#d.limits;
    if (rows !== undefined && rows > l.maxQueueRows) {
      this.#reject(
        req,
        res,
        'MB_ERR_INGEST_TOO_MANY_ITEMS',
        `the request has ${rows} items, more rows than the whole queue holds (maxQueueRows, MARKETBENCH_INGEST_MAX_QUEUE_ROWS: ${l.maxQueueRows})`,
      );
      return;
    }
    if (chars > l.maxQueueBytes || (rows === undefined && this.#d.batcher.empty)) {
      this.#reject(
        req,
        res,
        'MB_ERR_INGEST_TOO_MANY_ITEMS',
        `the request's rows take more than the whole queue holds (maxQueueBytes, MARKETBENCH_INGEST_MAX_QUEUE_BYTES: ${l.maxQueueBytes} characters)`,
      );
      return;
    }
    this.#overloaded(
      req,
      res,
      `the insert queue has no room for the whole request (${this.#d.batcher.queuedRows} rows waiting; maxQueueRows ${l.maxQueueRows}, maxQueueBytes ${l.maxQueueBytes})`,
      false,
    );
  }

  #overloaded(req: http.IncomingMessage, res: http.ServerResponse, detail: string, close: boolean): void {
    const d = this.#d;
    d.stats.throttledRequests++;
    res.setHeader('retry-after', String(d.retryAfterSeconds));
    this.#reject(
      req,
      res,
      'MB_ERR_INGEST_OVERLOADED',
      `${detail}; retry after ${d.retryAfterSeconds}s`,
      close,
    );
  }

  /** Answers after reading and dropping the body (up to a bound), so the client is not reset mid-send. */
  async #refuse(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    code: IngestErrorCode,
    detail: string,
  ): Promise<void> {
    const drained = await drainBody(req, this.#bodyLimits.drainBytes);
    this.#reject(req, res, code, detail, !drained);
  }

  #reject(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    code: IngestErrorCode,
    detail: string,
    close = false,
  ): void {
    this.#problem(req, res, new IngestError(code, detail), close);
  }

  #problem(req: http.IncomingMessage, res: http.ServerResponse, err: IngestError, close = false): void {
    this.#d.stats.response(err.status);
    if (res.headersSent || res.destroyed) {
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
    // An oversized body may still be arriving: the connection closes once the answer is out.
    if (close || err.status === 413) res.setHeader('connection', 'close');
    res.writeHead(err.status, {
      'content-type': 'application/problem+json',
      'content-length': Buffer.byteLength(body),
    });
    res.end(body);
  }
}
