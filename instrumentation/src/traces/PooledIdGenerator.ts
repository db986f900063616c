// Trace and span ids from a pool of crypto-random bytes, hex-encoded through a lookup table: the
// stock RandomIdGenerator calls Math.random and Buffer#toString per id, a measurable share of the
// per-request cost at tens of thousands of spans per second.

import { randomFillSync } from 'node:crypto';
import type { IdGenerator } from '@opentelemetry/sdk-trace';

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const POOL_BYTES = 8192;

/** IdGenerator backed by a refilled pool of random bytes. */
export class PooledIdGenerator implements IdGenerator {
  #pool = Buffer.allocUnsafe(POOL_BYTES);
  #offset = POOL_BYTES;

  #id(bytes: number): string {
    if (this.#offset + bytes > POOL_BYTES) {
      randomFillSync(this.#pool);
      this.#offset = 0;
    }
    const pool = this.#pool;
    const start = this.#offset;
    this.#offset += bytes;
    let out = '';
    let zero = true;
    for (let i = start; i < start + bytes; i++) {
      const b = pool[i];
      if (b !== 0) zero = false;
      out += HEX[b];
    }
    // An all-zero id is invalid in W3C trace context.
    return zero ? `${out.slice(0, -2)}01` : out;
  }

  generateTraceId(): string {
    return this.#id(16);
  }

  generateSpanId(): string {
    return this.#id(8);
  }
}
