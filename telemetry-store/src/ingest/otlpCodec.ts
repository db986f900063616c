// Decodes OTLP/HTTP request bodies and encodes the responses with OpenTelemetry's own generated
// protobufjs code (otlp-transformer 0.57, the last release that ships `decode`). OTLP/JSON goes
// through the same generated `fromObject` after its hex ids are turned into bytes, so both
// encodings yield the same message objects and the same validation.

import { createRequire } from 'node:module';
import { countingReader, type DecodeCounts, type DecodeLimits, withinBudget } from './decodeBudget.ts';
import { IngestError } from './ingestErrors.ts';
import type { Signal } from './mappedRows.ts';
import type { LogsRequest, MetricsRequest, TracesRequest } from './otlpTypes.ts';
import { scanJson } from './scanJson.ts';

interface MessageCodec {
  decode(input: unknown): unknown;
  fromObject(obj: object): unknown;
  encode(msg: unknown): { finish(): Uint8Array };
  toObject(msg: unknown, opts?: object): Record<string, unknown>;
}

const require = createRequire(import.meta.url);
const root = require('otlp-transformer-057/build/src/generated/root.js') as {
  opentelemetry: {
    proto: { collector: Record<'trace' | 'metrics' | 'logs', { v1: Record<string, MessageCodec> }> };
  };
};
const collector = root.opentelemetry.proto.collector;

const REQUEST = {
  traces: collector.trace.v1.ExportTraceServiceRequest,
  metrics: collector.metrics.v1.ExportMetricsServiceRequest,
  logs: collector.logs.v1.ExportLogsServiceRequest,
} as const;
const RESPONSE = {
  traces: collector.trace.v1.ExportTraceServiceResponse,
  metrics: collector.metrics.v1.ExportMetricsServiceResponse,
  logs: collector.logs.v1.ExportLogsServiceResponse,
} as const;

/** The generated codec of a signal's export request (for tests and the benchmark to encode bodies). */
export function requestCodec(signal: Signal): MessageCodec {
  return REQUEST[signal];
}

/** Decoded request of each signal. */
export interface OtlpRequests {
  traces: TracesRequest;
  metrics: MetricsRequest;
  logs: LogsRequest;
}

/** A body that is not a valid OTLP message; the receiver answers 400 with this message. */
export class DecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DecodeError';
  }
}

/** No bounds: for callers that decode bodies they made themselves (tests, benchmarks, replay). */
export const NO_DECODE_LIMITS: DecodeLimits = {
  maxItems: Number.POSITIVE_INFINITY,
  maxElements: Number.POSITIVE_INFINITY,
  maxDepth: Number.POSITIVE_INFINITY,
};

/**
 * Decodes an `application/x-protobuf` body within `limits` (IngestError when over one);
 * `counts` receives the items and elements decoded.
 */
export function decodeProtobuf<S extends Signal>(
  signal: S,
  body: Uint8Array,
  limits: DecodeLimits = NO_DECODE_LIMITS,
  counts: DecodeCounts = { items: 0, elements: 0 },
): OtlpRequests[S] {
  const buf = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  try {
    return withinBudget(limits, counts, () => REQUEST[signal].decode(countingReader(buf))) as OtlpRequests[S];
  } catch (err) {
    if (err instanceof IngestError) throw err;
    throw new DecodeError(`invalid protobuf ${requestName(signal)}: ${(err as Error).message}`);
  }
}

// JSON.parse keeps a `\uD800` escape as a lone surrogate, which ClickHouse refuses in a row; the
// collector's JSON decoder reads it as U+FFFD, and so does this reviver.
function wellFormed(_key: string, v: unknown): unknown {
  return typeof v === 'string' && !v.isWellFormed() ? v.toWellFormed() : v;
}

/**
 * Decodes an `application/json` body (OTLP/JSON: hex ids, lowerCamelCase fields, int64 as
 * strings) within `limits`; lone surrogates in strings become U+FFFD.
 */
export function decodeJson<S extends Signal>(
  signal: S,
  body: Uint8Array,
  limits: DecodeLimits = NO_DECODE_LIMITS,
  counts: DecodeCounts = { items: 0, elements: 0 },
): OtlpRequests[S] {
  const scan = scanJson(body, limits.maxElements, limits.maxDepth);
  let obj: unknown;
  try {
    const text = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
    obj = scan.surrogateEscapes ? JSON.parse(text, wellFormed) : JSON.parse(text);
  } catch (err) {
    throw new DecodeError(`invalid JSON: ${(err as Error).message}`);
  }
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj))
    throw new DecodeError(`invalid OTLP/JSON ${requestName(signal)}: the body must be a JSON object`);
  try {
    hexIdsToBytes(signal, obj as Record<string, unknown>);
    return withinBudget(limits, counts, () => REQUEST[signal].fromObject(obj)) as OtlpRequests[S];
  } catch (err) {
    if (err instanceof DecodeError) throw err;
    if (err instanceof IngestError) {
      if (err.code !== 'MB_ERR_INGEST_DECODE') throw err;
      throw new DecodeError(err.message);
    }
    throw new DecodeError(`invalid OTLP/JSON ${requestName(signal)}: ${(err as Error).message}`);
  }
}

function requestName(signal: Signal): string {
  return `Export${signal === 'traces' ? 'Trace' : signal === 'metrics' ? 'Metrics' : 'Logs'}ServiceRequest`;
}

const HEX_ID = /^[0-9a-fA-F]*$/;

function fixId(obj: Record<string, unknown>, key: string, size: number, where: string): void {
  const v = obj[key];
  if (typeof v !== 'string') return;
  if (!HEX_ID.test(v) || (v.length !== 0 && v.length !== size * 2))
    throw new DecodeError(
      `${where}.${key} must be ${size * 2} hex digits (OTLP/JSON ids are hex), got ${JSON.stringify(v.slice(0, 40))}`,
    );
  obj[key] = Buffer.from(v, 'hex');
}

function list(v: unknown): Record<string, unknown>[] {
  return Array.isArray(v)
    ? (v.filter((x) => x !== null && typeof x === 'object') as Record<string, unknown>[])
    : [];
}

// OTLP/JSON writes trace and span ids as hex where protobuf JSON mapping would use base64.
function hexIdsToBytes(signal: Signal, req: Record<string, unknown>): void {
  if (signal === 'traces') {
    list(req.resourceSpans).forEach((rs, i) => {
      list(rs.scopeSpans).forEach((ss, j) => {
        list(ss.spans).forEach((span, k) => {
          const where = `resourceSpans[${i}].scopeSpans[${j}].spans[${k}]`;
          fixId(span, 'traceId', 16, where);
          fixId(span, 'spanId', 8, where);
          fixId(span, 'parentSpanId', 8, where);
          list(span.links).forEach((link, l) => {
            fixId(link, 'traceId', 16, `${where}.links[${l}]`);
            fixId(link, 'spanId', 8, `${where}.links[${l}]`);
          });
        });
      });
    });
  } else if (signal === 'logs') {
    list(req.resourceLogs).forEach((rl, i) => {
      list(rl.scopeLogs).forEach((sl, j) => {
        list(sl.logRecords).forEach((r, k) => {
          const where = `resourceLogs[${i}].scopeLogs[${j}].logRecords[${k}]`;
          fixId(r, 'traceId', 16, where);
          fixId(r, 'spanId', 8, where);
        });
      });
    });
  } else {
    list(req.resourceMetrics).forEach((rm, i) => {
      list(rm.scopeMetrics).forEach((sm, j) => {
        list(sm.metrics).forEach((m, k) => {
          for (const type of ['gauge', 'sum', 'histogram', 'exponentialHistogram']) {
            const data = m[type];
            if (data === null || typeof data !== 'object') continue;
            list((data as Record<string, unknown>).dataPoints).forEach((dp, p) => {
              list(dp.exemplars).forEach((e, x) => {
                const where = `resourceMetrics[${i}].scopeMetrics[${j}].metrics[${k}].${type}.dataPoints[${p}].exemplars[${x}]`;
                fixId(e, 'traceId', 16, where);
                fixId(e, 'spanId', 8, where);
              });
            });
          }
        });
      });
    });
  }
}

/** Encodes an Export*ServiceResponse in the request's encoding, with partial_success when items were refused. */
export function encodeResponse(
  signal: Signal,
  json: boolean,
  rejected: number,
  errorMessage: string | undefined,
): Uint8Array | string {
  const field =
    signal === 'traces'
      ? 'rejectedSpans'
      : signal === 'metrics'
        ? 'rejectedDataPoints'
        : 'rejectedLogRecords';
  const body =
    rejected > 0 || errorMessage
      ? { partialSuccess: { [field]: rejected, errorMessage: errorMessage ?? '' } }
      : {};
  if (json) {
    // OTLP/JSON writes int64 as a decimal string.
    return rejected > 0 || errorMessage
      ? JSON.stringify({ partialSuccess: { [field]: String(rejected), errorMessage: errorMessage ?? '' } })
      : '{}';
  }
  const codec = RESPONSE[signal];
  return codec.encode(codec.fromObject(body)).finish();
}
