// The shared store suite on the server backend (@clickhouse/client over ClickHouse's HTTP
// interface). Always against a running owner: a second process that owns an embedded chDB
// directory and serves it (what every command talks to while `marketbench ingest` runs), a fresh
// database per test through the client's `database`. Also against a ClickHouse server when
// CLICKHOUSE_URL names one (none on the development machine: that part then skips).
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { before, test } from 'node:test';
import { openStore } from '../../src/store/openStore.ts';
import { ServerStore } from '../../src/store/ServerStore.ts';
import { killOwners, startOwner, stopOwner } from './fixtures/owner.ts';
import { storeSuite } from './storeSuite.ts';

function freshDatabaseSuite(name: string, url: () => string, done?: () => Promise<void>): void {
  const databases: string[] = [];
  storeSuite(name, {
    open: () => {
      const database = `mb_test_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
      databases.push(database);
      return openStore({ url: url(), database });
    },
    after: async () => {
      const admin = await ServerStore.open(url(), 'default');
      for (const db of databases) await admin.exec(`DROP DATABASE IF EXISTS ${db}`);
      await admin.close();
      await done?.();
    },
  });
}

const serverUrl = process.env.CLICKHOUSE_URL;
if (!serverUrl) {
  test('server backend against a ClickHouse server', (t) =>
    t.skip(
      'CLICKHOUSE_URL not set: no ClickHouse server to test against (the owner suite below still runs)',
    ));
} else {
  freshDatabaseSuite('server', () => serverUrl);
}

const home = fs.mkdtempSync(path.join(os.tmpdir(), 'mb-server-owner-'));
let owner: Awaited<ReturnType<typeof startOwner>> | undefined;
before(async () => {
  owner = await startOwner(home, true);
});
freshDatabaseSuite(
  'server against a running owner',
  () => owner?.url as string,
  async () => {
    if (owner) await stopOwner(owner.child);
    killOwners();
    fs.rmSync(home, { recursive: true, force: true });
  },
);
