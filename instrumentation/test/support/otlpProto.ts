// OpenTelemetry's own generated protobuf code (otlp-transformer 0.57, which still ships
// `decode`), so tests read what went on the wire with a decoder that is not ours.

import { createRequire } from 'node:module';

/** A generated protobufjs message codec. */
export interface ProtoCodec {
  /** Decodes a binary message. */
  decode(buf: Uint8Array): unknown;
  /** Converts a decoded message to a plain object. */
  toObject(msg: unknown, opts?: object): Record<string, unknown>;
}

const require = createRequire(import.meta.url);
const root = require('otlp-transformer-057/build/src/generated/root.js') as {
  opentelemetry: { proto: { collector: Record<'trace' | 'logs', { v1: Record<string, ProtoCodec> }> } };
};

/** `ExportTraceServiceRequest`. */
export const TRACES_REQUEST: ProtoCodec =
  root.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
/** `ExportLogsServiceRequest`. */
export const LOGS_REQUEST: ProtoCodec = root.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
