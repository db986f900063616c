// Starts the embedded ingest: replays what an earlier process left in the spool, then listens
// for OTLP/HTTP, batches rows into the store, serves its own /metrics and stats, and (when it
// owns an embedded store) publishes owner.json so other processes reach the data through it.

import path from 'node:path';
import {
  ENV,
  parseDuration,
  parseNumber,
  parseOneOf,
  parsePort,
  parseString,
  resolveSetting,
} from '@marketbench/contracts';
import { serveStore } from '../serve/serveStore.ts';
import type { ChdbStore } from '../store/ChdbStore.ts';
import { openStore } from '../store/openStore.ts';
import { resolveStoreOptions } from '../store/storeOptions.ts';
import { Batcher } from './Batcher.ts';
import { IngestStats } from './IngestStats.ts';
import type { OtelTable } from './mappedRows.ts';
import { mapRequest } from './mapRequest.ts';
import { OtlpReceiver } from './OtlpReceiver.ts';
import { Spool } from './Spool.ts';
import type { Ingest, IngestOptions } from './types.ts';

/** Defaults of every ingest option an argument or environment variable does not set. */
export const DEFAULT_INGEST_OPTIONS = {
  host: '127.0.0.1',
  port: 4318,
  /** The collector exporter's advice: blocks of at least 5,000 rows, at most about one insert per second. */
  batchRows: 10_000,
  flushIntervalMs: 1000,
  maxQueueRows: 200_000,
  /** The collector's confighttp default max_request_body_size (20 MiB). */
  maxBodyBytes: 20 * 1024 * 1024,
  fsync: 'always',
  spoolSegmentBytes: 64 * 1024 * 1024,
  maxInsertAttempts: 5,
  retryAfterSeconds: 1,
} as const;

const count = (raw: string, name: string) => parseNumber(raw, name, { integer: true, min: 1 });
const millis = (raw: string, name: string) => parseDuration(raw, name, { minMs: 1 });
const fsyncMode = parseOneOf(['always', 'never'] as const);

/** Replays every spool segment a previous process left behind; returns the rows inserted. */
async function replaySpool(
  spool: Spool,
  batcher: Batcher,
  batchRows: number,
  log: (m: string) => void,
): Promise<number> {
  let total = 0;
  for (const seg of spool.leftover()) {
    const { records, tornBytes } = Spool.read(seg.file);
    const acked = Spool.acked(seg.file);
    // Rows are inserted a block at a time as they accumulate, so memory stays at one block per table.
    const byTable = new Map<OtelTable, string[]>();
    const insert = async (table: OtelTable, lines: string[]) => {
      total += (await batcher.insertBlock(table, lines)).inserted;
    };
    for (const [index, r] of records.entries()) {
      if (acked.has(index)) continue;
      try {
        for (const [table, lines] of mapRequest(r.signal, r.json, r.payload).rows) {
          const all = byTable.get(table) ?? [];
          for (const l of lines) all.push(l);
          byTable.set(table, all);
        }
      } catch (err) {
        log(`ingest: spool replay skipped an undecodable record in ${seg.file}: ${(err as Error).message}`);
      }
      for (const [table, lines] of byTable) {
        if (lines.length < batchRows) continue;
        byTable.set(table, []);
        await insert(table, lines);
      }
    }
    for (const [table, lines] of byTable) if (lines.length > 0) await insert(table, lines);
    spool.remove(seg.file);
    log(
      `ingest: replayed ${records.length - acked.size} requests from ${path.basename(seg.file)} (${acked.size} already inserted)` +
        (tornBytes ? ` (ignored a torn tail of ${tornBytes} bytes: never acknowledged)` : ''),
    );
  }
  return total;
}

/** Starts an OTLP/HTTP ingest over a store (opened as owner from `storeOptions` when not given). */
export async function startIngest(options: IngestOptions = {}): Promise<Ingest> {
  const log = options.log ?? ((m: string) => process.stderr.write(`${m}\n`));
  const storeOptions = resolveStoreOptions({
    ...options.storeOptions,
    home: options.home ?? options.storeOptions?.home,
  });
  const home = storeOptions.home;
  const d = DEFAULT_INGEST_OPTIONS;
  const o = {
    host: resolveSetting({
      arg: options.host,
      env: ENV.ingestHost,
      parse: parseString,
      default: d.host as string,
    }),
    port: resolveSetting({
      arg: options.port,
      env: ENV.ingestPort,
      parse: parsePort,
      default: d.port as number,
    }),
    batchRows: resolveSetting({
      arg: options.batchRows,
      env: ENV.ingestBatchRows,
      parse: count,
      default: d.batchRows as number,
    }),
    flushIntervalMs: resolveSetting({
      arg: options.flushIntervalMs,
      env: ENV.ingestFlushMs,
      parse: millis,
      default: d.flushIntervalMs as number,
    }),
    maxQueueRows: resolveSetting({
      arg: options.maxQueueRows,
      env: ENV.ingestMaxQueueRows,
      parse: count,
      default: d.maxQueueRows as number,
    }),
    maxBodyBytes: resolveSetting({
      arg: options.maxBodyBytes,
      env: ENV.ingestMaxBodyBytes,
      parse: count,
      default: d.maxBodyBytes as number,
    }),
    fsync: resolveSetting({
      arg: options.fsync,
      env: ENV.ingestFsync,
      parse: fsyncMode,
      default: d.fsync as 'always' | 'never',
    }),
    spoolSegmentBytes: options.spoolSegmentBytes ?? DEFAULT_INGEST_OPTIONS.spoolSegmentBytes,
    maxInsertAttempts: options.maxInsertAttempts ?? DEFAULT_INGEST_OPTIONS.maxInsertAttempts,
    retryAfterSeconds: options.retryAfterSeconds ?? DEFAULT_INGEST_OPTIONS.retryAfterSeconds,
  };

  const ownsStore = options.store === undefined;
  const store = options.store ?? (await openStore({ ...options.storeOptions, home, owner: true }));
  let spool: Spool | undefined;
  let batcher: Batcher | undefined;
  try {
    spool = new Spool(path.join(home, 'spool'), { fsync: o.fsync, segmentBytes: o.spoolSegmentBytes });
    const sp = spool;
    const stats = new IngestStats(() => ({
      queuedRows: batcher?.queuedRows ?? 0,
      lagSeconds: batcher?.lagSeconds ?? 0,
      spool: sp.stats(),
    }));
    batcher = new Batcher(store, spool, stats, o, log);
    stats.replayedRows = await replaySpool(spool, batcher, o.batchRows, log);
    let url = '';
    const receiver = new OtlpReceiver({
      store,
      spool,
      batcher,
      stats,
      maxBodyBytes: o.maxBodyBytes,
      retryAfterSeconds: o.retryAfterSeconds,
      url: () => url,
      log,
    });
    await new Promise<void>((resolve, reject) => {
      receiver.server.once('error', reject);
      receiver.server.listen(o.port, o.host, () => {
        receiver.server.off('error', reject);
        resolve();
      });
    });
    const addr = receiver.server.address();
    const port = typeof addr === 'object' && addr ? addr.port : o.port;
    url = `http://${o.host.includes(':') ? `[${o.host}]` : o.host}:${port}`;
    // Other processes reach an embedded store through ClickHouse's HTTP interface served here.
    const publish = (options.publishOwner ?? store.backend === 'chdb') && store.backend === 'chdb';
    let served: Awaited<ReturnType<typeof serveStore>> | undefined;
    try {
      served = publish
        ? await serveStore(store as ChdbStore, { publishHome: home, ingestUrl: url })
        : undefined;
    } catch (err) {
      await new Promise((r) => receiver.server.close(r));
      throw err;
    }
    let closing: Promise<void> | undefined;
    const b = batcher;
    return {
      url,
      store,
      stats: () => stats.snapshot(url),
      flush: () => b.flush(),
      storeUrl: served?.url,
      close() {
        closing ??= (async () => {
          await served?.close();
          await new Promise<void>((resolve) => {
            receiver.server.close(() => resolve());
            receiver.server.closeIdleConnections();
            setTimeout(() => receiver.server.closeAllConnections(), 2000).unref();
          });
          await b.flush();
          b.close();
          sp.close();
          if (ownsStore) await store.close();
        })();
        return closing;
      },
    };
  } catch (err) {
    batcher?.close();
    spool?.close();
    if (ownsStore) await store.close();
    throw err;
  }
}
