// A real chDB store in a fresh temporary directory with an ingest on an ephemeral port.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startIngest } from '../../src/ingest/startIngest.ts';
import type { Ingest, IngestOptions } from '../../src/ingest/types.ts';
import { openStore } from '../../src/store/openStore.ts';
import type { Store } from '../../src/types.ts';

export interface Fixture {
  home: string;
  store: Store;
  ingest: Ingest;
  close(): Promise<void>;
}

/**
 * Starts an ingest on a fresh home. chDB allows one data directory per process, so a second
 * fixture in the same test file passes the first one's store (`options.store`); only the
 * fixture that opened a store closes it.
 */
export async function startFixture(options: IngestOptions = {}): Promise<Fixture> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'mb-ingest-'));
  const ownStore = options.store === undefined;
  const store = options.store ?? (await openStore({ home, owner: true }));
  const ingest = await startIngest({
    home,
    port: 0,
    flushIntervalMs: 100,
    publishOwner: false,
    log: () => {},
    ...options,
    store,
  });
  return {
    home,
    store,
    ingest,
    async close() {
      await ingest.close();
      if (ownStore) await store.close();
      fs.rmSync(home, { recursive: true, force: true });
    },
  };
}
