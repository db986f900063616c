// HTTP for the runner: one undici keep-alive Pool per target, requests sent through the raw
// dispatch API (no stream objects per request), bodies kept only when a step reads them.

import { performance } from 'node:perf_hooks';
import { type Dispatcher, Pool } from 'undici';
import type { Cancellable } from '../runner/Vu.ts';

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

export class HttpClient {
  readonly origin: string;
  private readonly pool: Pool;
  private readonly timeoutMs: number;

  constructor(origin: string, options: HttpClientOptions = {}) {
    this.origin = origin;
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.pool = new Pool(origin, {
      connections: options.connections ?? null,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      keepAliveMaxTimeout: 60_000,
    });
  }

  /** Sends a request; never rejects (failures come back as status 0 with `error`). */
  send(req: HttpRequest, owner?: Cancellable): Promise<HttpResponse> {
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
        this.pool.dispatch(
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
    if (force) await this.pool.destroy();
    else await this.pool.close();
  }
}
