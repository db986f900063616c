// A byte scan of an OTLP/JSON body before JSON.parse, which has no limits of its own: 20 MiB of
// `[],` parses into 7M arrays. It counts the JSON values (every `{`, `[` and `,` outside strings,
// an upper bound on what JSON.parse will allocate), measures nesting, and notes escapes of UTF-16
// surrogates, the only way a JSON string can carry a lone surrogate. Hand-written because no JSON
// parser on npm that takes limits is as fast as V8's: this scan costs a fraction of JSON.parse.

import { LIMIT_SOURCES } from './decodeBudget.ts';
import { IngestError } from './ingestErrors.ts';

/** OTLP/JSON levels above the first attribute value (request, resource, scope, item, event, attribute). */
const FIXED_DEPTH = 12;
/** JSON levels per level of attribute value nesting (`{"kvlistValue":{"values":[{"value":`). */
const DEPTH_PER_VALUE = 4;

/** What the scan found. */
export interface JsonScan {
  /** JSON values counted. */
  elements: number;
  /** A `\uD800`-`\uDFFF` escape occurs (perhaps a lone surrogate, which ClickHouse refuses). */
  surrogateEscapes: boolean;
}

/** The deepest JSON nesting an OTLP/JSON body within `maxDepth` levels of attribute values needs. */
export function jsonDepthLimit(maxDepth: number): number {
  return FIXED_DEPTH + DEPTH_PER_VALUE * (maxDepth + 1);
}

/** Scans `buf`; throws IngestError when it holds more than `maxElements` values or nests too deep. */
export function scanJson(buf: Uint8Array, maxElements: number, maxDepth: number): JsonScan {
  const depthLimit = jsonDepthLimit(maxDepth);
  let elements = 1;
  let depth = 0;
  let surrogateEscapes = false;
  let nextBackslash = -1;
  const len = buf.length;
  for (let i = 0; i < len; i++) {
    const c = buf[i];
    if (c === 0x22) {
      // A string: jump to its closing quote, looking only at the backslashes on the way.
      for (let j = i + 1; ; ) {
        const quote = buf.indexOf(0x22, j);
        if (quote < 0) return { elements, surrogateEscapes }; // unterminated: JSON.parse says so
        if (nextBackslash < j) nextBackslash = buf.indexOf(0x5c, j);
        if (nextBackslash < 0) nextBackslash = len;
        if (nextBackslash > quote) {
          i = quote;
          break;
        }
        const b = nextBackslash;
        if (buf[b + 1] === 0x75 && (buf[b + 2] | 0x20) === 0x64) {
          const h = buf[b + 3] | 0x20;
          if (h === 0x38 || h === 0x39 || (h >= 0x61 && h <= 0x66)) surrogateEscapes = true;
        }
        j = b + 2;
      }
    } else if (c === 0x2c) {
      if (++elements > maxElements) tooMany(maxElements);
    } else if (c === 0x7b || c === 0x5b) {
      if (++elements > maxElements) tooMany(maxElements);
      if (++depth > depthLimit)
        throw new IngestError(
          'MB_ERR_INGEST_TOO_DEEP',
          `the JSON nests deeper than ${depthLimit} levels, more than attribute values nested ${maxDepth} deep need (${LIMIT_SOURCES.maxDepth})`,
        );
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return { elements, surrogateEscapes };
}

function tooMany(max: number): never {
  throw new IngestError(
    'MB_ERR_INGEST_TOO_MANY_ITEMS',
    `the JSON holds more than ${max} values (${LIMIT_SOURCES.maxElements})`,
  );
}
