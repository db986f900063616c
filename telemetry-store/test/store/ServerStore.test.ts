// The shared store suite against a ClickHouse server, when CLICKHOUSE_URL names one. No
// server exists on the development machine, so without it this file skips with one line
// (also under CI: the server backend is optional there).
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { openStore } from '../../src/store/openStore.ts';
import { ServerStore } from '../../src/store/ServerStore.ts';
import { storeSuite } from './storeSuite.ts';

const url = process.env.CLICKHOUSE_URL;
if (!url) {
  test('server backend', (t) => t.skip('CLICKHOUSE_URL not set: no ClickHouse server to test against'));
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
