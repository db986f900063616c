// Reads one request body into memory within its limits: at most maxBodyBytes as sent, at most
// maxDecompressedBytes once gunzipped (inflated as it arrives, so a bomb stops at the limit and
// the compressed body is never held whole), and within the budget shared by every body in memory
// at once. A body over a limit is drained, not buffered, so that the client reads the answer on
// a socket that is not reset under it; past `drainBytes` of surplus the answer goes out at once
// and the connection is closed after it.

import type http from 'node:http';
import zlib from 'node:zlib';

/** Bytes of request bodies held in memory across all requests, with a ceiling. */
export class InflightBudget {
  readonly max: number;
  #used = 0;
  constructor(max: number) {
    this.max = max;
  }
  get used(): number {
    return this.#used;
  }
  take(n: number): boolean {
    if (this.#used + n > this.max) return false;
    this.#used += n;
    return true;
  }
  give(n: number): void {
    this.#used -= n;
  }
}

/** Limits one body is read within. */
export interface BodyLimits {
  maxBodyBytes: number;
  maxDecompressedBytes: number;
  /** Surplus bytes read and dropped after a refusal before answering anyway (and closing). */
  drainBytes: number;
  budget: InflightBudget;
}

/** Why a body was not read. */
export type BodyRefusal =
  | { kind: 'tooLarge'; detail: string }
  | { kind: 'badGzip'; detail: string }
  | { kind: 'busy'; detail: string };

/** A body read; `release()` gives its bytes back to the budget once it is no longer held. */
export interface Body {
  kind: 'ok';
  body: Buffer;
  release(): void;
}

/** The outcome; `drained` says whether the whole request was read (else close the connection). */
export type BodyResult = Body | (BodyRefusal & { drained: boolean }) | { kind: 'aborted' };

/**
 * Reads `req`'s body (gunzipping it when `gzip`). With `refuse` set, the body is only drained and
 * that refusal comes back (a full queue answers without reading what it cannot take).
 */
export function readBody(
  req: http.IncomingMessage,
  gzip: boolean,
  limits: BodyLimits,
  refuse?: BodyRefusal,
): Promise<BodyResult> {
  return new Promise((resolve) => {
    const { budget } = limits;
    let chunks: Buffer[] = [];
    let held = 0;
    let raw = 0;
    let failure: BodyRefusal | undefined;
    let failedAt = 0;
    let settled = false;
    let ended = false;
    let gunzip: zlib.Gunzip | undefined;

    const releaseHeld = () => {
      budget.give(held);
      held = 0;
      chunks = [];
    };
    const settle = (r: BodyResult) => {
      if (settled) return;
      settled = true;
      if (r.kind !== 'ok') releaseHeld();
      resolve(r);
    };
    const fail = (f: BodyRefusal) => {
      if (failure !== undefined) return;
      failure = f;
      failedAt = raw;
      releaseHeld();
      gunzip?.destroy();
      gunzip = undefined;
      // The inflater can refuse after the last byte arrived (a bomb, a bad trailer): answer now.
      if (ended) settle({ ...f, drained: true });
      else req.resume();
    };
    const keep = (c: Buffer, limit: number, what: string, source: string) => {
      if (failure !== undefined) return;
      if (held + c.length > limit) {
        fail({ kind: 'tooLarge', detail: `${what} is over ${limit} bytes (${source})` });
        return;
      }
      if (!budget.take(c.length)) {
        fail({
          kind: 'busy',
          detail: `request bodies in memory would exceed ${budget.max} bytes (maxInflightBytes, MARKETBENCH_INGEST_MAX_INFLIGHT_BYTES)`,
        });
        return;
      }
      held += c.length;
      chunks.push(c);
    };
    const done = () => {
      if (failure !== undefined) return settle({ ...failure, drained: true });
      const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, held);
      const n = held;
      chunks = [];
      settled = true;
      let released = false;
      resolve({
        kind: 'ok',
        body,
        release: () => {
          if (!released) budget.give(n);
          released = true;
        },
      });
    };

    if (refuse !== undefined) fail(refuse);
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limits.maxBodyBytes)
      fail({
        kind: 'tooLarge',
        detail: `the request body of ${declared} bytes is over ${limits.maxBodyBytes} bytes (maxBodyBytes, MARKETBENCH_INGEST_MAX_BODY_BYTES)`,
      });
    if (gzip && failure === undefined) {
      const z = zlib.createGunzip();
      gunzip = z;
      z.on('data', (c: Buffer) =>
        keep(
          c,
          limits.maxDecompressedBytes,
          'the gunzipped body',
          'maxDecompressedBytes, MARKETBENCH_INGEST_MAX_DECOMPRESSED_BYTES',
        ),
      );
      z.on('error', (err) => {
        if (gunzip === z) fail({ kind: 'badGzip', detail: `body is not valid gzip: ${err.message}` });
      });
      z.on('end', () => {
        if (gunzip === z && !settled) done();
      });
      z.on('drain', () => req.resume());
    }
    req.on('data', (c: Buffer) => {
      raw += c.length;
      if (failure !== undefined) {
        // Drop the surplus; past drainBytes, answer now and let the connection close.
        if (raw - failedAt > limits.drainBytes) settle({ ...failure, drained: false });
        return;
      }
      if (raw > limits.maxBodyBytes) {
        fail({
          kind: 'tooLarge',
          detail: `the request body is over ${limits.maxBodyBytes} bytes (maxBodyBytes, MARKETBENCH_INGEST_MAX_BODY_BYTES)`,
        });
        return;
      }
      if (gunzip !== undefined) {
        if (!gunzip.write(c)) req.pause();
      } else
        keep(c, limits.maxBodyBytes, 'the request body', 'maxBodyBytes, MARKETBENCH_INGEST_MAX_BODY_BYTES');
    });
    req.on('end', () => {
      ended = true;
      if (gunzip !== undefined && failure === undefined) gunzip.end();
      else done();
    });
    req.on('close', () => {
      if (!req.complete) settle({ kind: 'aborted' });
    });
    req.on('error', () => settle({ kind: 'aborted' }));
  });
}

/** Reads and drops a body, up to `drainBytes`; resolves true when the whole request was read. */
export function drainBody(req: http.IncomingMessage, drainBytes: number): Promise<boolean> {
  return new Promise((resolve) => {
    if (req.complete) return resolve(true);
    let n = 0;
    req.on('data', (c: Buffer) => {
      n += c.length;
      if (n > drainBytes) resolve(false);
    });
    req.on('end', () => resolve(true));
    req.on('close', () => resolve(req.complete));
    req.on('error', () => resolve(false));
    req.resume();
  });
}
