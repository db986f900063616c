// Public configuration of the embedded OTLP/HTTP ingest.

import type { Store, StoreOptions } from '../types.ts';
import type { IngestStatsSnapshot } from './IngestStats.ts';
import type { FsyncPolicy } from './Spool.ts';

/** How to start an ingest; each field falls back to its environment variable, then to DEFAULT_INGEST_OPTIONS. */
export interface IngestOptions {
  /** The store to insert into; when absent one is opened (as owner) from `storeOptions` and closed on close. */
  store?: Store;
  /** Options for opening the store when `store` is absent. */
  storeOptions?: StoreOptions;
  /** Directory of marketbench state: the spool lives in `<home>/spool`, owner.json beside it (env `MARKETBENCH_HOME`). */
  home?: string;
  /** Interface to listen on (env `MARKETBENCH_INGEST_HOST`). */
  host?: string;
  /** TCP port; 0 picks a free one (env `MARKETBENCH_INGEST_PORT`). */
  port?: number;
  /** Rows per insert block; a table's queue is flushed once it holds this many (env `MARKETBENCH_INGEST_BATCH_ROWS`). */
  batchRows?: number;
  /** Longest a row waits before its table is due for insert, in ms (env `MARKETBENCH_INGEST_FLUSH_MS`). */
  flushIntervalMs?: number;
  /** Rows the queue holds (all tables); a request that does not fit whole gets 429 (env `MARKETBENCH_INGEST_MAX_QUEUE_ROWS`). */
  maxQueueRows?: number;
  /** Characters of row text the queue holds; a request that does not fit whole gets 429 (env `MARKETBENCH_INGEST_MAX_QUEUE_BYTES`). */
  maxQueueBytes?: number;
  /** Largest request body as sent, in bytes; larger gets 413 (env `MARKETBENCH_INGEST_MAX_BODY_BYTES`). */
  maxBodyBytes?: number;
  /** Largest body once gunzipped, in bytes; inflating stops there with 413 (env `MARKETBENCH_INGEST_MAX_DECOMPRESSED_BYTES`). */
  maxDecompressedBytes?: number;
  /** Bytes of request bodies in memory at once, all connections; past it 429 (env `MARKETBENCH_INGEST_MAX_INFLIGHT_BYTES`). */
  maxInflightBytes?: number;
  /** Spans, data points or log records in one request; more gets 413 (env `MARKETBENCH_INGEST_MAX_ITEMS`). */
  maxItemsPerRequest?: number;
  /** Decoded elements (messages, 64-bit integers; JSON values) in one request; more gets 413 (env `MARKETBENCH_INGEST_MAX_ELEMENTS`). */
  maxElementsPerRequest?: number;
  /** Attributes of one item, nested values, events, links and exemplars counted; more refuses the item (env `MARKETBENCH_INGEST_MAX_ATTRIBUTES`). */
  maxAttributesPerItem?: number;
  /** Nesting of attribute values (arrays and maps); deeper gets 400 (env `MARKETBENCH_INGEST_MAX_DEPTH`). */
  maxNestingDepth?: number;
  /** `always`: fdatasync the spool before acknowledging (group commit); `never`: the OS page cache only (env `MARKETBENCH_INGEST_FSYNC`). */
  fsync?: FsyncPolicy;
  /** Spool segment size at which a new segment file starts, in bytes. */
  spoolSegmentBytes?: number;
  /** Attempts per insert block before its rows are counted as dropped. */
  maxInsertAttempts?: number;
  /** Seconds the Retry-After header of a 429 asks clients to wait. */
  retryAfterSeconds?: number;
  /** Serve the embedded store over ClickHouse's HTTP interface and write `<home>/owner.json`, so other processes reach it through this ingest (default: when the store is embedded chDB). */
  publishOwner?: boolean;
  /** Where one-line operational messages go (insert failures, replay); default stderr. */
  log?: (message: string) => void;
}

/** A running ingest. */
export interface Ingest {
  /** Base URL, e.g. `http://127.0.0.1:4318` (OTLP exporters append /v1/traces etc.). */
  readonly url: string;
  /** The store rows go into. */
  readonly store: Store;
  /** Where this ingest serves its embedded store (ClickHouse's HTTP interface), when it does. */
  readonly storeUrl: string | undefined;
  /** Current counters. */
  stats(): IngestStatsSnapshot;
  /** Inserts everything accepted so far; resolves when it is in ClickHouse. */
  flush(): Promise<void>;
  /** Stops listening, flushes, closes the spool (and the store if the ingest opened it). */
  close(): Promise<void>;
}
