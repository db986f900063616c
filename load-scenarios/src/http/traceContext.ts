// Fresh sampled W3C trace context per request: ids come from a pooled random buffer so a
// request costs a hex slice, not a crypto call.

import { randomFillSync } from 'node:crypto';

const POOL_BYTES = 64 * 1024;
let pool = Buffer.alloc(0);
let offset = POOL_BYTES;

function randomHex(bytes: number): string {
  if (offset + bytes > pool.length) {
    if (pool.length === 0) pool = Buffer.alloc(POOL_BYTES);
    randomFillSync(pool);
    offset = 0;
  }
  const hex = pool.toString('hex', offset, offset + bytes);
  offset += bytes;
  return hex;
}

/** A new trace id (32 hex) and span id (16 hex), never all zeros. */
export function newTraceIds(): { traceId: string; spanId: string } {
  let traceId = randomHex(16);
  while (traceId === '00000000000000000000000000000000') traceId = randomHex(16);
  let spanId = randomHex(8);
  while (spanId === '0000000000000000') spanId = randomHex(8);
  return { traceId, spanId };
}

/** The `traceparent` header of a sampled span. */
export function traceparent(traceId: string, spanId: string): string {
  return `00-${traceId}-${spanId}-01`;
}
