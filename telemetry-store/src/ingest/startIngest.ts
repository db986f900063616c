// Starts the embedded ingest: replays what an earlier process left in the spool, then listens
// for OTLP/HTTP, batches rows into the store, serves its own /metrics and stats, and (when it
// owns an embedded store) publishes owner.json so other processes reach the data through it.

import path from 'node:path';
import { serveStore } from '../serve/serveStore.ts';
import type { ChdbStore } from '../store/ChdbStore.ts';
import { openStore } from '../store/openStore.ts';
import { resolveStoreOptions } from '../store/storeOptions.ts';
import { Batcher } from './Batcher.ts';
import { IngestStats } from './IngestStats.ts';
import { resolveIngestOptions } from './ingestOptions.ts';
import { OtlpReceiver } from './OtlpReceiver.ts';
import { replaySpool } from './replaySpool.ts';
import { Spool } from './Spool.ts';
import type { Ingest, IngestOptions } from './types.ts';

/** Starts an OTLP/HTTP ingest over a store (opened as owner from `storeOptions` when not given). */
export async function startIngest(options: IngestOptions = {}): Promise<Ingest> {
  const log = options.log ?? ((m: string) => process.stderr.write(`${m}\n`));
  const storeOptions = resolveStoreOptions({
    ...options.storeOptions,
    home: options.home ?? options.storeOptions?.home,
  });
  const home = storeOptions.home;
  const o = resolveIngestOptions(options);

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
    stats.replayedRows = (
      await replaySpool(spool, batcher, o.batchRows, o.maxAttributesPerItem, log)
    ).insertedRows;
    let url = '';
    const receiver = new OtlpReceiver({
      store,
      spool,
      batcher,
      stats,
      limits: o,
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
          b.stopRetrying();
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
