// Opens the configured store for one CLI command and always closes it, turning the store's
// catalogued errors into the CLI's one-line errors with the store's exit code.

import { isStoreError, openStore, type Store, type StoreOptions } from '@marketbench/telemetry-store';
import { CliError, type ExitCode } from '../errors.ts';

/** Runs `fn` with an open store. */
export async function withStore<T>(fn: (store: Store) => Promise<T>, options: StoreOptions = {}): Promise<T> {
  let store: Store;
  try {
    store = await openStore(options);
  } catch (err) {
    if (isStoreError(err))
      throw new CliError(err.code, err.message, err.exitCode as ExitCode, { cause: err });
    throw err;
  }
  try {
    return await fn(store);
  } catch (err) {
    if (isStoreError(err))
      throw new CliError(err.code, err.message, err.exitCode as ExitCode, { cause: err });
    throw err;
  } finally {
    await store.close();
  }
}
