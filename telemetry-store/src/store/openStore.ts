// Opens the configured store: a ClickHouse server when CLICKHOUSE_URL (or options.url) is
// set; otherwise embedded chDB under $MARKETBENCH_HOME/clickhouse, taking the owner lock; or,
// when another live process owns that directory and has published its URL, a RemoteStore
// that reaches the data through it.
import path from 'node:path';
import { StoreError } from '../errors.ts';
import { migrate } from '../schema/migrations.ts';
import type { Store, StoreOptions } from '../types.ts';
import { openChdbStore } from './ChdbStore.ts';
import { HOME_FILES, type LockInfo, readOwner, tryAcquireOwnerLock } from './ownerLock.ts';
import { RemoteStore } from './RemoteStore.ts';
import { ServerStore } from './ServerStore.ts';
import { resolveStoreOptions } from './storeOptions.ts';

function lockedError(home: string, holder: LockInfo): StoreError {
  return new StoreError(
    'MB_ERR_STORE_LOCKED',
    `the store in ${path.join(home, HOME_FILES.data)} is owned by process ${holder.pid} (started ${holder.startedAt || 'unknown'}), ` +
      `which has not published a URL in ${path.join(home, HOME_FILES.owner)}. ` +
      'Reach the data through a running `marketbench ingest` (it serves the store and other commands use it automatically), ' +
      `or stop process ${holder.pid} and retry.`,
  );
}

/**
 * Opens the store. Precedence: argument > env (CLICKHOUSE_URL, MARKETBENCH_HOME,
 * MARKETBENCH_DATABASE, MARKETBENCH_TTL_DAYS) > DEFAULT_STORE_OPTIONS. With `migrate`
 * (default) the schema is created or migrated idempotently (not through a remote owner,
 * which migrated on its own open).
 */
export async function openStore(options: StoreOptions = {}): Promise<Store> {
  const o = resolveStoreOptions(options);
  let store: Store;
  if (o.url !== undefined) {
    store = await ServerStore.open(o.url, o.database);
  } else {
    let remote: RemoteStore | undefined;
    let holderSeen: LockInfo | undefined;
    const dataDir = path.join(o.home, HOME_FILES.data);
    try {
      store = await openChdbStore(dataDir, o.database, () => {
        const attempt = tryAcquireOwnerLock(o.home);
        if (attempt.ok) return attempt.lock;
        holderSeen = attempt.holder;
        throw lockedError(o.home, attempt.holder);
      });
    } catch (err) {
      if (!(err instanceof StoreError) || err.code !== 'MB_ERR_STORE_LOCKED' || o.owner) throw err;
      const owner = readOwner(o.home);
      if (!owner || (holderSeen && owner.pid !== holderSeen.pid)) throw err;
      remote = new RemoteStore(owner.url, o.database, owner.pid);
      store = remote;
    }
    if (remote) return remote;
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
