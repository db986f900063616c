// HTTP for the runner: one keep-alive pool per target, bodies kept only when a step reads them.
// Plain-http targets use the lean Http1Pool (about half undici's CPU per request); https targets
// use an undici Pool through the raw dispatch API (no stream objects per request).

import { performance } from 'node:perf_hooks';
import { type Dispatcher, Pool } from 'undici';
import type { Cancellable } from '../runner/Vu.ts';
import { Http1Pool, type Http1Sink } from './Http1Pool.ts';

/** One request. */
export interface HttpRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** Keep the response body (for checks and captures). */
  keepBody: boolean;
}

/** What came back. */
export interface HttpResponse {
  /** Status, 0 when the request failed without a response. */
  status: number;
  /** Response body, when asked for. */
  body?: Buffer;
  /** Bytes of the response body. */
  bytesReceived: number;
  /** Error message when the request failed (connection refused, reset, aborted). */
  error?: string;
  /** performance.now() when the response ended. */
  end: number;
  /** False when the VU was interrupted before the request was handed to the pool (nothing was sent). */
  dispatched: boolean;
}

/** Options of the client. */
export interface HttpClientOptions {
  /** Maximum connections (null: one per concurrent request). */
  connections?: number | null;
  /** Milliseconds to wait for response headers before giving up (default 60 s). */
  timeoutMs?: number;
}

/** One request's outcome as the Http1Pool fills it, settling the caller's promise once. */
class Sink implements Http1Sink {
  status = 0;
  bytes = 0;
  chunks: Buffer[] | undefined;
  dispatched = true;
  private readonly resolve: (r: HttpResponse) => void;
  private readonly owner: Cancellable | undefined;
  private settled = false;

  constructor(resolve: (r: HttpResponse) => void, owner: Cancellable | undefined, keepBody: boolean) {
    this.resolve = resolve;
    this.owner = owner;
    if (keepBody) this.chunks = [];
  }

  done(error: string | undefined): void {
    if (this.settled) return;
    this.settled = true;
    this.owner?.onCancel(undefined);
    const chunks = this.chunks;
    this.resolve({
      status: error ? 0 : this.status,
      body: chunks && !error ? (chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)) : undefined,
      bytesReceived: this.bytes,
      error,
      end: performance.now(),
      dispatched: this.dispatched,
    });
  }
}

export class HttpClient {
  readonly origin: string;
  private readonly pool: Pool | undefined;
  private readonly h1: Http1Pool | undefined;
  private readonly timeoutMs: number;

  constructor(origin: string, options: HttpClientOptions = {}) {
    this.origin = origin;
    this.timeoutMs = options.timeoutMs ?? 60_000;
    if (origin.startsWith('http:')) {
      this.h1 = new Http1Pool(origin, {
        connections: options.connections ?? null,
        timeoutMs: this.timeoutMs,
      });
      return;
    }
    this.pool = new Pool(origin, {
      connections: options.connections ?? null,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      keepAliveMaxTimeout: 60_000,
    });
  }

  /** Sends a request; never rejects (failures come back as status 0 with `error`). */
  send(req: HttpRequest, owner?: Cancellable): Promise<HttpResponse> {
    const h1 = this.h1;
    if (h1) {
      return new Promise((resolve) => {
        const sink = new Sink(resolve, owner, req.keepBody);
        if (owner?.aborted) {
          sink.dispatched = false;
          sink.done('iteration interrupted');
          return;
        }
        owner?.onCancel(() => h1.cancel(sink));
        h1.request(req.method, req.path, req.headers, req.body, sink);
      });
    }
    const pool = this.pool as Pool;
    return new Promise((resolve) => {
      const chunks: Buffer[] | undefined = req.keepBody ? [] : undefined;
      let status = 0;
      let bytes = 0;
      let done = false;
      let dispatched = true;
      const finish = (error?: string) => {
        if (done) return;
        done = true;
        owner?.onCancel(undefined);
        resolve({
          status: error ? 0 : status,
          body: chunks && !error ? Buffer.concat(chunks) : undefined,
          bytesReceived: bytes,
          error,
          end: performance.now(),
          dispatched,
        });
      };
      if (owner?.aborted) {
        dispatched = false;
        finish('iteration interrupted');
        return;
      }
      const handler: Dispatcher.DispatchHandler = {
        onRequestStart(c) {
          owner?.onCancel(() => c.abort(new Error('iteration interrupted')));
        },
        onResponseStart(_c, statusCode) {
          status = statusCode;
        },
        onResponseData(_c, chunk) {
          bytes += chunk.length;
          chunks?.push(chunk);
        },
        onResponseEnd() {
          finish();
        },
        onResponseError(_c, err) {
          finish(err.message || String(err));
        },
      };
      try {
        pool.dispatch(
          {
            method: req.method as Dispatcher.HttpMethod,
            path: req.path,
            headers: req.headers,
            body: req.body,
            headersTimeout: this.timeoutMs,
            bodyTimeout: this.timeoutMs,
          },
          handler,
        );
      } catch (err) {
        finish((err as Error).message);
      }
    });
  }

  /** Closes the pool; with `force`, in-flight requests fail at once. */
  async close(force = false): Promise<void> {
    if (this.h1) {
      if (force) this.h1.close('iteration interrupted');
      else await this.h1.drain();
      return;
    }
    const pool = this.pool as Pool;
    if (force) await pool.destroy();
    else await pool.close();
  }
}
