// The shared store suite on the server backend. Against a real ClickHouse server when
// CLICKHOUSE_URL names one; none exists on the development machine, so then that part skips
// with one line (also under CI: the server is optional there). Either way the backend's
// @clickhouse/client code (query_params, JSONEachRow streams, inserts, commands) runs against
// chDB plugged in as the client's Connection (chdb/connection), in process.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { createClient } from '@clickhouse/client';
import { createChdbConnection } from 'chdb/connection';
import { migrate } from '../../src/schema/migrations.ts';
import { ident } from '../../src/schema/otelTables.ts';
import { openStore } from '../../src/store/openStore.ts';
import { ServerStore } from '../../src/store/ServerStore.ts';
import { storeSuite } from './storeSuite.ts';

const url = process.env.CLICKHOUSE_URL;
if (!url) {
  test('server backend against a ClickHouse server', (t) =>
    t.skip('CLICKHOUSE_URL not set: no ClickHouse server to test against'));
} else {
  const databases: string[] = [];
  storeSuite('server', {
    // A fresh database per test, dropped afterwards.
    open: () => {
      const database = `mb_test_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
      databases.push(database);
      return openStore({ url, database });
    },
    after: async () => {
      const admin = await ServerStore.open(url, 'default');
      for (const db of databases) await admin.exec(`DROP DATABASE IF EXISTS ${db}`);
      await admin.close();
    },
  });
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mb-server-conn-'));
let n = 0;
storeSuite('server over chdb/connection', {
  async open() {
    const database = `conn_${++n}`;
    // client.close() closes its connection, so each store gets its own on the same directory.
    const client = createClient({
      connection: createChdbConnection({ path: dir }),
      database,
      clickhouse_settings: { output_format_json_quote_64bit_integers: 1 },
    } as Parameters<typeof createClient>[0]);
    const store = await ServerStore.fromClient(client, database, `chdb-connection:${dir}`);
    // A server applies the client's `database` to every request; the in-process connection
    // keeps one session, so select it there the way the server would.
    await store.exec(`USE ${ident(database)}`);
    await migrate(store);
    return store;
  },
  async after() {
    fs.rmSync(dir, { recursive: true, force: true });
  },
});
