// Bounds what one request may expand to while OpenTelemetry's generated protobufjs code decodes
// it. That code builds an object for every message (a 2-byte empty data point becomes ~110 bytes
// of heap) and has no limits of its own, so a 20 KB gzip of 10M empty points took 4.8 GB. Each
// generated type's `decode` and `fromObject` is wrapped once to count items, elements and
// nesting against the budget of the request being decoded, and a Reader subclass counts the
// 64-bit integers (a Long object each). Counting inside the decoder is exact by construction: a
// separate wire pre-scan would have to mirror how the generated code reads every field (it reads
// by declared type, whatever the wire type says) to count the same objects.

import { createRequire } from 'node:module';
import { IngestError } from './ingestErrors.ts';

/** Request-wide bounds checked while decoding. */
export interface DecodeLimits {
  /** Spans, data points or log records in one request. */
  maxItems: number;
  /** Decoded elements in one request: messages and 64-bit integers (OTLP/JSON: JSON values). */
  maxElements: number;
  /** Nesting of attribute values (arrays and maps inside arrays and maps). */
  maxDepth: number;
}

/** Counts of one decoded request. */
export interface DecodeCounts {
  items: number;
  elements: number;
}

const ITEM_TYPES: Record<string, string> = {
  Span: 'spans',
  LogRecord: 'log records',
  NumberDataPoint: 'data points',
  HistogramDataPoint: 'data points',
  ExponentialHistogramDataPoint: 'data points',
  SummaryDataPoint: 'data points',
};

/** The option and environment variable behind each limit, for the messages clients read. */
export const LIMIT_SOURCES = {
  maxItems: 'maxItemsPerRequest, MARKETBENCH_INGEST_MAX_ITEMS',
  maxElements: 'maxElementsPerRequest, MARKETBENCH_INGEST_MAX_ELEMENTS',
  maxDepth: 'maxNestingDepth, MARKETBENCH_INGEST_MAX_DEPTH',
} as const;

interface Budget extends DecodeCounts {
  limits: DecodeLimits;
  depth: number;
}

// The budget of the request being decoded. Decoding is synchronous and never re-entered, so one
// slot is enough; outside `withinBudget` the wrappers only forward.
let active: Budget | undefined;

function overElements(b: Budget): never {
  throw new IngestError(
    'MB_ERR_INGEST_TOO_MANY_ITEMS',
    `the request decodes to more than ${b.limits.maxElements} elements (messages, attributes, values; ${LIMIT_SOURCES.maxElements})`,
  );
}

function overItems(b: Budget, what: string): never {
  throw new IngestError(
    'MB_ERR_INGEST_TOO_MANY_ITEMS',
    `the request holds more than ${b.limits.maxItems} ${what} (${LIMIT_SOURCES.maxItems})`,
  );
}

function overDepth(b: Budget): never {
  throw new IngestError(
    'MB_ERR_INGEST_TOO_DEEP',
    `attribute values are nested deeper than ${b.limits.maxDepth} levels (${LIMIT_SOURCES.maxDepth})`,
  );
}

interface GeneratedType {
  (...args: unknown[]): unknown;
  decode(reader: unknown, length?: number): unknown;
  fromObject(obj: unknown): unknown;
}

function wrap(name: string, type: GeneratedType): void {
  const decode = type.decode;
  const fromObject = type.fromObject;
  const item = ITEM_TYPES[name];
  const nests = name === 'AnyValue';
  const count = (b: Budget) => {
    if (++b.elements > b.limits.maxElements) overElements(b);
    if (item !== undefined && ++b.items > b.limits.maxItems) overItems(b, item);
  };
  type.decode = function decodeWithinBudget(reader: unknown, length?: number) {
    const b = active;
    if (b === undefined) return decode(reader, length);
    count(b);
    if (!nests) return decode(reader, length);
    if (++b.depth > b.limits.maxDepth) overDepth(b);
    const m = decode(reader, length);
    b.depth--;
    return m;
  };
  type.fromObject = function fromObjectWithinBudget(obj: unknown) {
    const b = active;
    if (b === undefined) return fromObject(obj);
    // The generated code takes any `typeof 'object'` for a message, arrays and null included.
    if (obj === null || Array.isArray(obj))
      throw new IngestError(
        'MB_ERR_INGEST_DECODE',
        `invalid OTLP/JSON: ${obj === null ? 'null' : 'an array'} where a ${name} object is expected`,
      );
    count(b);
    if (!nests) return fromObject(obj);
    if (++b.depth > b.limits.maxDepth) overDepth(b);
    const m = fromObject(obj);
    b.depth--;
    return m;
  };
}

const require = createRequire(import.meta.url);
const ROOT = 'otlp-transformer-057/build/src/generated/root.js';
const root = require(ROOT) as Record<string, unknown>;
// The protobufjs the generated code itself loads, so that its `instanceof Reader` holds.
const protobuf = createRequire(require.resolve(ROOT))('protobufjs/minimal') as { BufferReader: unknown };

function wrapAll(ns: Record<string, unknown>): void {
  for (const [name, v] of Object.entries(ns)) {
    if (typeof v === 'function' && typeof (v as GeneratedType).decode === 'function') {
      wrap(name, v as GeneratedType);
      wrapAll(v as unknown as Record<string, unknown>); // nested enums and types
    } else if (v !== null && typeof v === 'object') wrapAll(v as Record<string, unknown>);
  }
}
wrapAll(root.opentelemetry as Record<string, unknown>);

// A Long per 64-bit integer (timestamps, counts, bucket counts): one byte of varint on the wire
// each, so a packed array of them is the cheapest way to make the decoder allocate.
const BufferReader = protobuf.BufferReader as unknown as new (
  buf: Uint8Array,
) => Record<string, () => unknown>;
class CountingReader extends BufferReader {}
for (const method of ['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']) {
  const read = (BufferReader.prototype as Record<string, () => unknown>)[method];
  Object.defineProperty(CountingReader.prototype, method, {
    value: function readCounted(this: unknown) {
      const b = active;
      if (b !== undefined && ++b.elements > b.limits.maxElements) overElements(b);
      return read.call(this);
    },
  });
}

/** A protobufjs Reader over `body` that counts 64-bit integers against the active budget. */
export function countingReader(body: Uint8Array): unknown {
  return new CountingReader(body);
}

/**
 * Runs `fn` (a generated decode or fromObject) with a budget; throws IngestError
 * (MB_ERR_INGEST_TOO_MANY_ITEMS, MB_ERR_INGEST_TOO_DEEP, MB_ERR_INGEST_DECODE) at the first
 * element over a limit, so no more than the limits' worth of objects is ever built.
 */
export function withinBudget<T>(limits: DecodeLimits, counts: DecodeCounts, fn: () => T): T {
  const b: Budget = { limits, depth: 0, items: counts.items, elements: counts.elements };
  const outer = active;
  active = b;
  try {
    return fn();
  } finally {
    active = outer;
    counts.items = b.items;
    counts.elements = b.elements;
  }
}
