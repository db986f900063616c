export type { StoreErrorCode } from './errors.ts';
export { isStoreError, STORE_ERRORS, StoreError } from './errors.ts';
export type { BatcherOptions } from './ingest/Batcher.ts';
export type { IngestStatsSnapshot, SignalCounts } from './ingest/IngestStats.ts';
export type { IngestErrorCode } from './ingest/ingestErrors.ts';
export { INGEST_ERRORS, IngestError } from './ingest/ingestErrors.ts';
export type { ResolvedIngestOptions } from './ingest/ingestOptions.ts';
export { DEFAULT_INGEST_OPTIONS, INGEST_ENV, resolveIngestOptions } from './ingest/ingestOptions.ts';
export { mapLogs } from './ingest/mapLogs.ts';
export { mapMetrics } from './ingest/mapMetrics.ts';
export type { MappedRows, OtelTable, Signal } from './ingest/mappedRows.ts';
export { mapRequest } from './ingest/mapRequest.ts';
export { mapTraces } from './ingest/mapTraces.ts';
export { DecodeError, decodeJson, decodeProtobuf, requestCodec } from './ingest/otlpCodec.ts';
export { anyValueAsString } from './ingest/pdataFormat.ts';
export type { FsyncPolicy } from './ingest/Spool.ts';
export { startIngest } from './ingest/startIngest.ts';
export type { Ingest, IngestOptions } from './ingest/types.ts';
export { loadTableStatements } from './schema/marketbenchTables.ts';
export type { AppliedMigration, MigrateResult, Migration } from './schema/migrations.ts';
export {
  appliedMigrations,
  MIGRATIONS,
  migrate,
  migrationChecksum,
  SCHEMA_VERSION,
} from './schema/migrations.ts';
export { ident, otelTableStatements } from './schema/otelTables.ts';
export type { Exemplar as ScrapedExemplar, MetricFamily, Series } from './scrape/parseExposition.ts';
export { parseExposition } from './scrape/parseExposition.ts';
export type { ScrapeContext } from './scrape/promToRows.ts';
export { PROMETHEUS_RECEIVER_SCOPE, promTextToRows } from './scrape/promToRows.ts';
export { DEFAULT_SCRAPE_JOB, parseScrapeTarget, Scraper } from './scrape/Scraper.ts';
export type { ScraperOptions, ScraperStats, ScrapeTarget } from './scrape/types.ts';
export type { ServeStoreOptions, StoreServer } from './serve/serveStore.ts';
export { DEFAULT_SERVE_OPTIONS, isLoopback, serveStore } from './serve/serveStore.ts';
export type { RawInsert, RawStatement } from './store/ChdbStore.ts';
export { ChdbStore } from './store/ChdbStore.ts';
export type { RowFormat } from './store/formatRows.ts';
export { formatRows, ROW_FORMATS, writeRows } from './store/formatRows.ts';
export { openStore } from './store/openStore.ts';
export type { LockAttempt, LockInfo, OwnerLock } from './store/ownerLock.ts';
export {
  HOME_FILES,
  pidAlive,
  publishStoreOwner,
  readOwner,
  tryAcquireOwnerLock,
} from './store/ownerLock.ts';
export { decodeParams } from './store/queryParams.ts';
export type { StoreOwnerRef } from './store/ServerStore.ts';
export { ServerStore } from './store/ServerStore.ts';
export type { StoreInfo, TableInfo } from './store/storeInfo.ts';
export { storeInfo } from './store/storeInfo.ts';
export { DEFAULT_STORE_OPTIONS, resolveStoreOptions } from './store/storeOptions.ts';
export type {
  QueryParams,
  ResolvedStoreOptions,
  Row,
  Store,
  StoreBackend,
  StoreOptions,
  StoreOwner,
} from './types.ts';
