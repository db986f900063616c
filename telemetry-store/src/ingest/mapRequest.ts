// One OTLP request body (already decompressed) to rows: decode with the generated code, then map.
// Shared by the receiver and by spool replay, so a replayed request yields the very same rows.

import type { DecodeLimits } from './decodeBudget.ts';
import { mapLogs } from './mapLogs.ts';
import { mapMetrics } from './mapMetrics.ts';
import { emptyRows, type MapLimits, type MappedRows, NO_MAP_LIMITS, type Signal } from './mappedRows.ts';
import { mapTraces } from './mapTraces.ts';
import { decodeJson, decodeProtobuf, NO_DECODE_LIMITS } from './otlpCodec.ts';

/** Bounds of one request, while it is decoded and while it is mapped. */
export interface RequestLimits {
  decode: DecodeLimits;
  map: MapLimits;
}

/** No bounds (bodies a test or benchmark made itself). */
export const NO_REQUEST_LIMITS: RequestLimits = { decode: NO_DECODE_LIMITS, map: NO_MAP_LIMITS };

/**
 * Decodes and maps one request; throws DecodeError when the body is not a valid OTLP message,
 * IngestError when it is over a decode limit, RowsTooLarge when its rows outgrow `map.maxChars`.
 */
export function mapRequest(
  signal: Signal,
  json: boolean,
  body: Uint8Array,
  limits: RequestLimits = NO_REQUEST_LIMITS,
): MappedRows {
  const out = emptyRows(limits.map);
  const d = limits.decode;
  if (signal === 'traces')
    mapTraces(json ? decodeJson('traces', body, d) : decodeProtobuf('traces', body, d), out);
  else if (signal === 'metrics')
    mapMetrics(json ? decodeJson('metrics', body, d) : decodeProtobuf('metrics', body, d), out);
  else mapLogs(json ? decodeJson('logs', body, d) : decodeProtobuf('logs', body, d), out);
  return out;
}
