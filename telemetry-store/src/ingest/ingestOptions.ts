// The ingest's options: each one is the argument, else its environment variable, else the
// default below. docs/INGEST.md and the README list the same table.

import {
  CONTRACT_ERRORS,
  ENV,
  parseDuration,
  parseNumber,
  parseOneOf,
  parsePort,
  parseString,
  resolveSetting,
} from '@marketbench/contracts';
import type { FsyncPolicy } from './Spool.ts';
import type { IngestOptions } from './types.ts';

const MiB = 1024 * 1024;

/** Defaults of every ingest option an argument or environment variable does not set. */
export const DEFAULT_INGEST_OPTIONS = {
  host: '127.0.0.1',
  port: 4318,
  /** The collector exporter's advice: blocks of at least 5,000 rows, at most about one insert per second. */
  batchRows: 10_000,
  flushIntervalMs: 1000,
  maxQueueRows: 200_000,
  /** About 330,000 typical server spans of row text; what the queue may hold in memory. */
  maxQueueBytes: 256 * MiB,
  /** The collector's confighttp default max_request_body_size (20 MiB), which it also applies once decompressed. */
  maxBodyBytes: 20 * MiB,
  maxDecompressedBytes: 20 * MiB,
  /** Request bodies held in memory at once, across connections: three bodies of the largest size. */
  maxInflightBytes: 64 * MiB,
  /** Far above an SDK batch (512) or a collector batch (8,192); a request of 20 MiB holds ~60,000 spans. */
  maxItemsPerRequest: 100_000,
  /** ~120 MB of decoded objects at worst (an empty data point decodes to ~110 bytes of heap). */
  maxElementsPerRequest: 1_000_000,
  /** Per span, data point or log record (events, links, exemplars and nested values counted). */
  maxAttributesPerItem: 10_000,
  maxNestingDepth: 64,
  fsync: 'always' as FsyncPolicy,
  spoolSegmentBytes: 64 * MiB,
  maxInsertAttempts: 5,
  retryAfterSeconds: 1,
} as const;

/** Every option, resolved (see IngestOptions for what each means). */
export interface ResolvedIngestOptions {
  host: string;
  port: number;
  batchRows: number;
  flushIntervalMs: number;
  maxQueueRows: number;
  maxQueueBytes: number;
  maxBodyBytes: number;
  maxDecompressedBytes: number;
  maxInflightBytes: number;
  maxItemsPerRequest: number;
  maxElementsPerRequest: number;
  maxAttributesPerItem: number;
  maxNestingDepth: number;
  fsync: FsyncPolicy;
  spoolSegmentBytes: number;
  maxInsertAttempts: number;
  retryAfterSeconds: number;
}

/** The environment variable of each option that has one. */
export const INGEST_ENV = {
  host: ENV.ingestHost,
  port: ENV.ingestPort,
  batchRows: ENV.ingestBatchRows,
  flushIntervalMs: ENV.ingestFlushMs,
  maxQueueRows: ENV.ingestMaxQueueRows,
  maxQueueBytes: ENV.ingestMaxQueueBytes,
  maxBodyBytes: ENV.ingestMaxBodyBytes,
  maxDecompressedBytes: ENV.ingestMaxDecompressedBytes,
  maxInflightBytes: ENV.ingestMaxInflightBytes,
  maxItemsPerRequest: ENV.ingestMaxItems,
  maxElementsPerRequest: ENV.ingestMaxElements,
  maxAttributesPerItem: ENV.ingestMaxAttributes,
  maxNestingDepth: ENV.ingestMaxDepth,
  fsync: ENV.ingestFsync,
} as const;

const count = (raw: string | number, name: string) => parseNumber(raw, name, { integer: true, min: 1 });
const millis = (raw: string | number, name: string) => parseDuration(raw, name, { minMs: 1 });
const fsyncMode = parseOneOf(['always', 'never'] as const);

/**
 * Argument, then environment variable, then default, for every option; a bad variable is
 * MB_ERR_USAGE naming it (before anything is opened or listens).
 */
export function resolveIngestOptions(options: IngestOptions = {}): ResolvedIngestOptions {
  const D = DEFAULT_INGEST_OPTIONS;
  const positive = (key: Exclude<keyof typeof INGEST_ENV, 'host' | 'port' | 'fsync' | 'flushIntervalMs'>) =>
    resolveSetting({ arg: options[key], env: INGEST_ENV[key], parse: count, default: D[key] as number });
  const o: ResolvedIngestOptions = {
    host: resolveSetting({
      arg: options.host,
      env: INGEST_ENV.host,
      parse: parseString,
      default: D.host as string,
    }),
    port: resolveSetting({
      arg: options.port,
      env: INGEST_ENV.port,
      parse: parsePort,
      default: D.port as number,
    }),
    batchRows: positive('batchRows'),
    flushIntervalMs: resolveSetting({
      arg: options.flushIntervalMs,
      env: INGEST_ENV.flushIntervalMs,
      parse: millis,
      default: D.flushIntervalMs as number,
    }),
    maxQueueRows: positive('maxQueueRows'),
    maxQueueBytes: positive('maxQueueBytes'),
    maxBodyBytes: positive('maxBodyBytes'),
    maxDecompressedBytes: positive('maxDecompressedBytes'),
    maxInflightBytes: positive('maxInflightBytes'),
    maxItemsPerRequest: positive('maxItemsPerRequest'),
    maxElementsPerRequest: positive('maxElementsPerRequest'),
    maxAttributesPerItem: positive('maxAttributesPerItem'),
    maxNestingDepth: positive('maxNestingDepth'),
    fsync: resolveSetting({ arg: options.fsync, env: INGEST_ENV.fsync, parse: fsyncMode, default: D.fsync }),
    spoolSegmentBytes: options.spoolSegmentBytes ?? D.spoolSegmentBytes,
    maxInsertAttempts: options.maxInsertAttempts ?? D.maxInsertAttempts,
    retryAfterSeconds: options.retryAfterSeconds ?? D.retryAfterSeconds,
  };
  // Without this, a body within maxBodyBytes could never be read.
  if (o.maxInflightBytes < Math.max(o.maxBodyBytes, o.maxDecompressedBytes))
    throw CONTRACT_ERRORS.create(
      'MB_ERR_USAGE',
      `${INGEST_ENV.maxInflightBytes} must be at least ${Math.max(o.maxBodyBytes, o.maxDecompressedBytes)} (maxBodyBytes and maxDecompressedBytes: one whole body must fit), got "${o.maxInflightBytes}"`,
    );
  return o;
}

/**
 * Heap per element of the request being decoded (an empty data point: ~110 bytes; a JSON value
 * and its protobufjs object: ~250), doubled for the garbage of the request decoded before it,
 * which V8 collects lazily: the 100,000-body fuzz run peaked 600-700 MB above rest without the queue.
 */
const BYTES_PER_ELEMENT = 600;

/** What the runtime takes beyond the bounded parts: V8's young generation and heap slack, chDB's insert buffers. */
const RUNTIME_SLACK_BYTES = 128 * MiB;

/**
 * The memory the ingest may use above its RSS at rest, whatever the bodies: the request bodies
 * in memory (maxInflightBytes), the one request being decoded (its elements), the queue (row
 * text, two bytes a character at worst) and the runtime's slack. docs/INGEST.md gives the figure.
 */
export function memoryCeilingBytes(
  o: Pick<ResolvedIngestOptions, 'maxInflightBytes' | 'maxElementsPerRequest' | 'maxQueueBytes'>,
): number {
  return (
    o.maxInflightBytes +
    BYTES_PER_ELEMENT * o.maxElementsPerRequest +
    2 * o.maxQueueBytes +
    RUNTIME_SLACK_BYTES
  );
}
