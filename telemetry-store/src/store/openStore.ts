// Opens the configured store: a ClickHouse server when CLICKHOUSE_URL (or options.url) is
// set; otherwise embedded chDB under $MARKETBENCH_HOME/clickhouse, taking the owner lock; or,
// when another live process owns that directory and serves it (owner.json), the server backend
// pointed at the ClickHouse HTTP interface that process serves.
import path from 'node:path';
import { isStoreError, StoreError } from '../errors.ts';
import { migrate } from '../schema/migrations.ts';
import type { ResolvedStoreOptions, Store, StoreOptions } from '../types.ts';
import { type ChdbStore, openChdbStore } from './ChdbStore.ts';
import { HOME_FILES, type LockInfo, pidAlive, readOwner, tryAcquireOwnerLock } from './ownerLock.ts';
import { ServerStore } from './ServerStore.ts';
import { resolveStoreOptions } from './storeOptions.ts';

/** The holder's published URL when it serves the store, so the message says what is true. */
function lockedError(home: string, holder: LockInfo, exclusive: boolean): StoreError {
  const owner = readOwner(home);
  const where = `the store in ${path.join(home, HOME_FILES.data)} is owned by process ${holder.pid} (started ${holder.startedAt || 'unknown'})`;
  if (owner && owner.pid === holder.pid) {
    return new StoreError(
      'MB_ERR_STORE_LOCKED',
      `${where}, which serves it at ${owner.url}. ` +
        (exclusive
          ? `One process owns a store at a time: stop process ${holder.pid}, or give this one another MARKETBENCH_HOME.`
          : 'Other commands go through it; retry.'),
    );
  }
  return new StoreError(
    'MB_ERR_STORE_LOCKED',
    `${where}, which does not serve it (no URL in ${path.join(home, HOME_FILES.owner)}). ` +
      'Reach the data through a running `marketbench ingest` (it serves the store and other commands use it automatically), ' +
      `or stop process ${holder.pid} and retry.`,
  );
}

/**
 * Opens the store. Precedence: argument > env (CLICKHOUSE_URL, MARKETBENCH_HOME,
 * MARKETBENCH_DATABASE, MARKETBENCH_TTL_DAYS) > DEFAULT_STORE_OPTIONS. With `migrate`
 * (default) the schema is created or migrated idempotently, through an owner as on a server.
 */
export async function openStore(options: StoreOptions = {}): Promise<Store> {
  const o = resolveStoreOptions(options);
  let store: Store;
  if (o.url !== undefined) {
    store = await ServerStore.open(o.url, o.database);
  } else {
    store = await openEmbedded(o);
  }
  if (o.migrate) {
    try {
      await migrate(store, { ttlDays: o.ttlDays });
    } catch (err) {
      await store.close();
      throw err;
    }
  }
  return store;
}

const LOCK_POLL_MS = 100;

/**
 * Owns the chDB directory, or reaches it through its published owner. While another process
 * holds the lock without a published URL (an ingest between taking the lock and serving, or a
 * short command), polls for up to lockWaitMs for either to change.
 */
async function openEmbedded(o: ResolvedStoreOptions): Promise<ChdbStore | ServerStore> {
  const dataDir = path.join(o.home, HOME_FILES.data);
  const deadline = Date.now() + o.lockWaitMs;
  for (;;) {
    let holderSeen: LockInfo | undefined;
    try {
      return await openChdbStore(dataDir, o.database, () => {
        const attempt = tryAcquireOwnerLock(o.home);
        if (attempt.ok) return attempt.lock;
        holderSeen = attempt.holder;
        throw lockedError(o.home, attempt.holder, o.owner);
      });
    } catch (err) {
      if (!(err instanceof StoreError) || err.code !== 'MB_ERR_STORE_LOCKED') throw err;
      if (!o.owner) {
        const owner = readOwner(o.home);
        if (owner && (!holderSeen || owner.pid === holderSeen.pid)) {
          try {
            return await ServerStore.open(owner.url, o.database, { pid: owner.pid });
          } catch (openErr) {
            // An owner that died since owner.json was read leaves the directory free: take it.
            if (pidAlive(owner.pid) || !isStoreError(openErr, 'MB_ERR_STORE_UNREACHABLE')) throw openErr;
            continue;
          }
        }
      }
      if (Date.now() >= deadline) throw err;
      await new Promise((r) => setTimeout(r, LOCK_POLL_MS));
    }
  }
}
