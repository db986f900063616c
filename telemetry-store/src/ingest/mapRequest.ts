// One OTLP request body (already decompressed) to rows: decode with the generated code, then map.
// Shared by the receiver and by spool replay, so a replayed request yields the very same rows.

import { mapLogs } from './mapLogs.ts';
import { mapMetrics } from './mapMetrics.ts';
import { emptyRows, type MappedRows, type Signal } from './mappedRows.ts';
import { mapTraces } from './mapTraces.ts';
import { decodeJson, decodeProtobuf } from './otlpCodec.ts';

/** Decodes and maps one request; throws DecodeError when the body is not a valid OTLP message. */
export function mapRequest(signal: Signal, json: boolean, body: Uint8Array): MappedRows {
  const out = emptyRows();
  if (signal === 'traces') mapTraces(json ? decodeJson('traces', body) : decodeProtobuf('traces', body), out);
  else if (signal === 'metrics')
    mapMetrics(json ? decodeJson('metrics', body) : decodeProtobuf('metrics', body), out);
  else mapLogs(json ? decodeJson('logs', body) : decodeProtobuf('logs', body), out);
  return out;
}
