// A lean HTTP/1.1 keep-alive pool for plain-http targets: one request per connection at a time,
// each request written as one preformatted latin1 string, responses parsed by a small state
// machine (content-length, chunked, read-until-close). It exists because undici's general
// dispatcher costs about 14 µs of CPU per request on one thread, which alone kept the closed
// model below autocannon; this pool costs about half that. https targets still go through undici.

import net from 'node:net';
import { performance } from 'node:perf_hooks';

/** What the pool reports when a response ended or the request failed. */
export interface Http1Sink {
  /** Response status (the final one, never 1xx). */
  status: number;
  /** Bytes of the response body. */
  bytes: number;
  /** Body chunks, when the body is kept. */
  chunks: Buffer[] | undefined;
  /** Called once: error undefined on a complete response. */
  done(error: string | undefined): void;
}

interface Pending {
  head: string;
  body: string | undefined;
  method: string;
  sink: Http1Sink;
}

const CRLFCRLF = Buffer.from('\r\n\r\n');
const INVALID_HEADER = /[\r\n\0]/;
const INVALID_PATH = /[^\u0021-\u00ff]/;

// Parser states.
const HEAD = 0;
const LENGTH = 1;
const CHUNK_SIZE = 2;
const CHUNK_DATA = 3;
const CHUNK_DATA_END = 4;
const TRAILERS = 5;
const UNTIL_CLOSE = 6;

/** The trimmed value of a header in a lower-cased head (lines end with CRLF), or undefined. */
function headerValue(lower: string, prefix: string): string | undefined {
  const i = lower.indexOf(prefix);
  if (i < 0) return undefined;
  const from = i + prefix.length;
  return lower.slice(from, lower.indexOf('\r\n', from)).trim();
}

class Http1Connection {
  readonly socket: net.Socket;
  private readonly pool: Http1Pool;
  /** The request in flight, if any. */
  current: Pending | undefined;
  /** performance.now() when the current request was written (for the timeout sweep). */
  sentAt = 0;
  /** performance.now() after which an idle keep-alive connection must not be reused. */
  idleUntil = Infinity;
  connected = false;
  closed = false;
  private state = HEAD;
  private buf: Buffer | undefined;
  private remaining = 0;
  private keepAlive = true;
  private keepAliveMs = 0;
  private headersDone = false;
  readonly cancel: () => void;

  constructor(pool: Http1Pool, host: string, port: number) {
    this.pool = pool;
    this.cancel = () => this.fail('iteration interrupted');
    const socket = net.connect({ host, port, noDelay: true });
    this.socket = socket;
    socket.on('connect', () => {
      this.connected = true;
      socket.setKeepAlive(true, 60_000);
      if (this.current) this.write(this.current);
    });
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => this.fail(err.message || String(err)));
    socket.on('end', () => this.onEnd());
    socket.on('close', () => this.onEnd());
  }

  start(p: Pending): void {
    this.current = p;
    this.sentAt = performance.now();
    this.state = HEAD;
    this.buf = undefined;
    this.keepAlive = true;
    this.keepAliveMs = 0;
    this.headersDone = false;
    if (this.connected) this.write(p);
  }

  private write(p: Pending): void {
    if (p.body === undefined) {
      this.socket.write(p.head, 'latin1');
    } else {
      this.socket.cork();
      this.socket.write(p.head, 'latin1');
      this.socket.write(p.body, 'utf8');
      this.socket.uncork();
    }
  }

  /** Fails the request in flight (if any) and drops the connection. */
  fail(error: string): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
    this.pool.forget(this);
    const p = this.current;
    this.current = undefined;
    p?.sink.done(error);
  }

  private onEnd(): void {
    if (this.closed) return;
    if (this.current && this.state === UNTIL_CLOSE) {
      this.closed = true;
      this.socket.destroy();
      this.pool.forget(this);
      const p = this.current;
      this.current = undefined;
      p.sink.done(undefined);
      return;
    }
    this.fail('other side closed');
  }

  private onData(chunk: Buffer): void {
    const p = this.current;
    if (!p) {
      // Bytes nobody asked for: the connection is out of step, drop it.
      this.fail('unexpected data');
      return;
    }
    let data = chunk;
    while (data.length > 0 && this.current === p) {
      switch (this.state) {
        case HEAD: {
          const all: Buffer = this.buf ? Buffer.concat([this.buf, data]) : data;
          const end = all.indexOf(CRLFCRLF);
          if (end < 0) {
            if (all.length > 65_536) {
              this.fail('response headers too large');
              return;
            }
            this.buf = all;
            return;
          }
          this.buf = undefined;
          if (!this.parseHead(all.toString('latin1', 0, end), p)) return;
          data = all.subarray(end + 4);
          if (this.state === HEAD) continue; // a 1xx response: the real one follows
          if (this.state === LENGTH && this.remaining === 0) {
            this.complete(p, data.length > 0);
            return;
          }
          continue;
        }
        case LENGTH: {
          const n = Math.min(this.remaining, data.length);
          this.body(p, n === data.length ? data : data.subarray(0, n));
          this.remaining -= n;
          data = data.subarray(n);
          if (this.remaining === 0) {
            this.complete(p, data.length > 0);
            return;
          }
          continue;
        }
        case UNTIL_CLOSE:
          this.body(p, data);
          return;
        case CHUNK_SIZE: {
          const all: Buffer = this.buf ? Buffer.concat([this.buf, data]) : data;
          const eol = all.indexOf(10);
          if (eol < 0) {
            if (all.length > 1024) {
              this.fail('invalid chunk size');
              return;
            }
            this.buf = all;
            return;
          }
          this.buf = undefined;
          const size = Number.parseInt(all.toString('latin1', 0, eol).split(';')[0].trim(), 16);
          if (!Number.isFinite(size) || size < 0) {
            this.fail('invalid chunk size');
            return;
          }
          data = all.subarray(eol + 1);
          if (size === 0) this.state = TRAILERS;
          else {
            this.remaining = size;
            this.state = CHUNK_DATA;
          }
          continue;
        }
        case CHUNK_DATA: {
          const n = Math.min(this.remaining, data.length);
          this.body(p, data.subarray(0, n));
          this.remaining -= n;
          data = data.subarray(n);
          if (this.remaining === 0) {
            this.state = CHUNK_DATA_END;
            this.remaining = 2;
          }
          continue;
        }
        case CHUNK_DATA_END: {
          const n = Math.min(this.remaining, data.length);
          this.remaining -= n;
          data = data.subarray(n);
          if (this.remaining === 0) this.state = CHUNK_SIZE;
          continue;
        }
        case TRAILERS: {
          // Trailers end with an empty line; with none, the next two bytes are CRLF.
          const all: Buffer = this.buf ? Buffer.concat([this.buf, data]) : data;
          if (all.length >= 2 && all[0] === 13 && all[1] === 10) {
            this.complete(p, all.length > 2);
            return;
          }
          const end = all.indexOf(CRLFCRLF);
          if (end < 0) {
            this.buf = all;
            return;
          }
          this.buf = undefined;
          this.complete(p, all.length > end + 4);
          return;
        }
      }
    }
  }

  private body(p: Pending, data: Buffer): void {
    p.sink.bytes += data.length;
    p.sink.chunks?.push(data);
  }

  /** Parses a status line and headers; sets the body state. False when the connection failed. */
  private parseHead(head: string, p: Pending): boolean {
    const eol = head.indexOf('\r\n');
    const statusLine = eol < 0 ? head : head.slice(0, eol);
    if (!statusLine.startsWith('HTTP/1.')) {
      this.fail('invalid response status line');
      return false;
    }
    const status = Number(statusLine.slice(9, 12));
    if (!(status >= 100 && status < 600)) {
      this.fail('invalid response status');
      return false;
    }
    if (statusLine.startsWith('HTTP/1.0')) this.keepAlive = false;
    if (status < 200 && status !== 101) {
      this.state = HEAD;
      return true;
    }
    // One lower-cased copy and four searches instead of splitting every header line.
    const lower = `${head.toLowerCase()}\r\n`;
    const length = headerValue(lower, '\r\ncontent-length:');
    const te = headerValue(lower, '\r\ntransfer-encoding:');
    const chunked = te?.includes('chunked') === true;
    const connection = headerValue(lower, '\r\nconnection:');
    if (connection?.includes('close')) this.keepAlive = false;
    else if (connection?.includes('keep-alive')) this.keepAlive = true;
    const ka = headerValue(lower, '\r\nkeep-alive:');
    if (ka !== undefined) {
      const m = /timeout=(\d+)/.exec(ka);
      if (m) this.keepAliveMs = Number(m[1]) * 1000;
    }
    const contentLength = length === undefined ? -1 : Number(length);
    p.sink.status = status;
    this.headersDone = true;
    if (p.method === 'HEAD' || status === 204 || status === 304) {
      this.state = LENGTH;
      this.remaining = 0;
    } else if (chunked) {
      this.state = CHUNK_SIZE;
    } else if (contentLength >= 0 && Number.isFinite(contentLength)) {
      this.state = LENGTH;
      this.remaining = contentLength;
    } else {
      this.state = UNTIL_CLOSE;
      this.keepAlive = false;
    }
    return true;
  }

  private complete(p: Pending, extra = false): void {
    this.current = undefined;
    this.state = HEAD;
    if (!this.keepAlive || extra) {
      this.closed = true;
      this.socket.destroy();
      this.pool.forget(this);
    } else {
      // Leave a second of margin before the server's own keep-alive timeout.
      this.idleUntil = this.keepAliveMs > 0 ? performance.now() + this.keepAliveMs - 1000 : Infinity;
      this.pool.release(this);
    }
    p.sink.done(undefined);
  }

  /** True when the request in flight waited longer than `ms` for its response. */
  timedOut(now: number, ms: number): boolean {
    return this.current !== undefined && now - this.sentAt > ms;
  }

  get waitingForHeaders(): boolean {
    return !this.headersDone;
  }
}

/** Options of the pool. */
export interface Http1PoolOptions {
  /** Maximum connections (null: one per concurrent request). */
  connections: number | null;
  /** Milliseconds a request may wait for its response before failing. */
  timeoutMs: number;
}

export class Http1Pool {
  private readonly host: string;
  private readonly port: number;
  private readonly hostHeader: string;
  private readonly max: number;
  private readonly timeoutMs: number;
  private readonly idle: Http1Connection[] = [];
  private readonly all = new Set<Http1Connection>();
  private readonly queue: Pending[] = [];
  private queueHead = 0;
  private readonly sweep: NodeJS.Timeout;
  private closing = false;

  constructor(origin: string, options: Http1PoolOptions) {
    const url = new URL(origin);
    this.host = url.hostname.replace(/^\[|\]$/g, '');
    this.port = Number(url.port || 80);
    this.hostHeader = url.host;
    this.max = options.connections ?? Infinity;
    this.timeoutMs = options.timeoutMs;
    // One coarse timer for every request's timeout instead of a timer per request.
    this.sweep = setInterval(() => this.checkTimeouts(), Math.min(1000, this.timeoutMs)).unref();
  }

  /** Sends a request; `sink.done` is called once with the outcome. */
  request(
    method: string,
    path: string,
    headers: Record<string, string>,
    body: string | undefined,
    sink: Http1Sink,
  ): void {
    if (this.closing) {
      sink.done('pool closed');
      return;
    }
    if (INVALID_PATH.test(path)) {
      sink.done('invalid request path');
      return;
    }
    let head = `${method} ${path} HTTP/1.1\r\nhost: ${this.hostHeader}\r\n`;
    for (const k in headers) {
      const v = headers[k];
      if (INVALID_HEADER.test(v) || INVALID_HEADER.test(k)) {
        sink.done(`invalid ${k} header`);
        return;
      }
      head += `${k}: ${v}\r\n`;
    }
    if (body !== undefined) head += `content-length: ${Buffer.byteLength(body)}\r\n`;
    head += '\r\n';
    const p: Pending = { head, body, method, sink };
    const conn = this.acquire();
    if (conn) conn.start(p);
    else this.queue.push(p);
  }

  /** Interrupts a request, on its connection or in the queue. */
  cancel(sink: Http1Sink): void {
    for (const c of this.all) {
      if (c.current?.sink === sink) {
        c.cancel();
        return;
      }
    }
    const i = this.queue.findIndex((q) => q.sink === sink);
    if (i >= this.queueHead) {
      this.queue.splice(i, 1);
      sink.done('iteration interrupted');
    }
  }

  private acquire(): Http1Connection | undefined {
    const now = performance.now();
    while (this.idle.length > 0) {
      const c = this.idle.pop() as Http1Connection;
      if (c.closed) continue;
      if (c.idleUntil < now) {
        c.fail('keep-alive expired');
        continue;
      }
      return c;
    }
    if (this.all.size < this.max) {
      const c = new Http1Connection(this, this.host, this.port);
      this.all.add(c);
      return c;
    }
    return undefined;
  }

  /** A connection finished its request and can take the next one. */
  release(c: Http1Connection): void {
    if (this.queueHead < this.queue.length) {
      const next = this.queue[this.queueHead++];
      if (this.queueHead === this.queue.length) {
        this.queue.length = 0;
        this.queueHead = 0;
      }
      c.start(next);
      return;
    }
    this.idle.push(c);
  }

  /** A connection closed: a queued request may now open a new one. */
  forget(c: Http1Connection): void {
    this.all.delete(c);
    if (this.queueHead < this.queue.length && !this.closing) {
      const n = this.acquire();
      if (n) {
        const next = this.queue[this.queueHead++];
        if (this.queueHead === this.queue.length) {
          this.queue.length = 0;
          this.queueHead = 0;
        }
        n.start(next);
      }
    }
  }

  private checkTimeouts(): void {
    const now = performance.now();
    for (const c of this.all) {
      if (c.timedOut(now, this.timeoutMs))
        c.fail(c.waitingForHeaders ? 'Headers Timeout Error' : 'Body Timeout Error');
    }
  }

  /** Closes every connection; in-flight and queued requests fail with `reason`. */
  close(reason = 'pool closed'): void {
    this.closing = true;
    clearInterval(this.sweep);
    const queued = this.queue.splice(this.queueHead);
    this.queue.length = 0;
    this.queueHead = 0;
    for (const p of queued) p.sink.done(reason);
    for (const c of [...this.all]) c.fail(reason);
    this.idle.length = 0;
  }

  /** Waits for in-flight and queued requests to end, then closes. */
  async drain(): Promise<void> {
    while (this.queueHead < this.queue.length || [...this.all].some((c) => c.current !== undefined))
      await new Promise((r) => setTimeout(r, 10));
    this.close();
  }
}
