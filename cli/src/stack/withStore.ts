// Opens the configured store for one CLI command and always closes it. The store's errors are
// MarketbenchErrors with their own exit code; main.ts prints them as they are.

import { openStore, type Store, type StoreOptions } from '@marketbench/telemetry-store';

/** Runs `fn` with an open store. */
export async function withStore<T>(fn: (store: Store) => Promise<T>, options: StoreOptions = {}): Promise<T> {
  const store = await openStore(options);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}
