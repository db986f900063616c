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

export async function startFixture(options: IngestOptions = {}): Promise<Fixture> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'mb-ingest-'));
  const store = await openStore({ home, owner: true });
  const ingest = await startIngest({
    store,
    home,
    port: 0,
    flushIntervalMs: 100,
    publishOwner: false,
    log: () => {},
    ...options,
  });
  return {
    home,
    store,
    ingest,
    async close() {
      await ingest.close();
      await store.close();
      fs.rmSync(home, { recursive: true, force: true });
    },
  };
}
