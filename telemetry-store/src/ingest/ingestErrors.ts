// The ingest's error catalog: each code with its HTTP status and what it means. Every answer
// that is not a success is an RFC 9457 problem+json document carrying one of these codes. They
// are answers to OTLP clients, not ends of a command: their exit code (2) is never used by the
// CLI, which reports a failed ingest start with the store's or the port's code.

import { defineCatalog, EXIT, MarketbenchError } from '@marketbench/contracts';

const answer = EXIT.runError;

/** Error codes of the OTLP receiver, with their HTTP status and a description. */
export const INGEST_ERRORS = defineCatalog({
  MB_ERR_INGEST_UNSUPPORTED_MEDIA_TYPE: {
    exit: answer,
    status: 415,
    description:
      'Content-Type is not application/x-protobuf or application/json, or Content-Encoding is not gzip/identity.',
  },
  MB_ERR_INGEST_BODY_TOO_LARGE: {
    exit: answer,
    status: 413,
    description:
      'The body as sent is over maxBodyBytes, or once gunzipped over maxDecompressedBytes; the connection is closed after the answer.',
  },
  MB_ERR_INGEST_TOO_MANY_ITEMS: {
    exit: answer,
    status: 413,
    description:
      'The request holds more items (spans, data points, log records) than maxItemsPerRequest, decodes to more elements than maxElementsPerRequest, or its rows would not fit in an empty queue (maxQueueBytes).',
  },
  MB_ERR_INGEST_TOO_DEEP: {
    exit: answer,
    status: 400,
    description: 'Attribute values (arrays and maps) are nested deeper than maxNestingDepth.',
  },
  MB_ERR_INGEST_BAD_GZIP: {
    exit: answer,
    status: 400,
    description: 'Content-Encoding says gzip but the body does not gunzip.',
  },
  MB_ERR_INGEST_DECODE: {
    exit: answer,
    status: 400,
    description: 'The body is not a valid OTLP Export*ServiceRequest in the declared encoding.',
  },
  MB_ERR_INGEST_INVALID_DATA: {
    exit: answer,
    status: 400,
    description: 'Every item of the request was refused (e.g. a trace id of the wrong length).',
  },
  MB_ERR_INGEST_OVERLOADED: {
    exit: answer,
    status: 429,
    description:
      'The insert queue cannot take the whole request (maxQueueRows, maxQueueBytes), or too many request bodies are in memory (maxInflightBytes); retry after the Retry-After header (OTLP exporters do).',
  },
  MB_ERR_INGEST_NOT_FOUND: { exit: answer, status: 404, description: 'No such path on the ingest.' },
  MB_ERR_INGEST_METHOD_NOT_ALLOWED: {
    exit: answer,
    status: 405,
    description: 'The path exists but not for this method.',
  },
  MB_ERR_INGEST_SPOOL: {
    exit: answer,
    status: 503,
    description: 'The request could not be written to the spool (disk full?); nothing was acknowledged.',
  },
  MB_ERR_INGEST_INTERNAL: {
    exit: answer,
    status: 500,
    description: 'An unexpected failure; the request was not acknowledged.',
  },
});
export type IngestErrorCode = (typeof INGEST_ERRORS.codes)[number];

/** An error the receiver answers with its code's status. */
export class IngestError extends MarketbenchError {
  declare readonly code: IngestErrorCode;
  declare readonly status: number;
  constructor(code: IngestErrorCode, message: string) {
    super(code, message, INGEST_ERRORS.spec(code));
    this.name = 'IngestError';
  }
}
