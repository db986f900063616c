// Versioned migrations on real chDB: applying twice changes nothing, an edited migration
// and a store from a newer marketbench are refused with their error codes.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { TABLES } from '@marketbench/contracts';
import { isStoreError } from '../../src/errors.ts';
import {
  appliedMigrations,
  MIGRATIONS,
  migrate,
  migrationChecksum,
  SCHEMA_VERSION,
} from '../../src/schema/migrations.ts';
import { openStore } from '../../src/store/openStore.ts';

const homes: string[] = [];
after(() => {
  for (const h of homes) fs.rmSync(h, { recursive: true, force: true });
});
function tempHome(): string {
  const h = fs.mkdtempSync(path.join(os.tmpdir(), 'mb-migrate-'));
  homes.push(h);
  return h;
}

test('SCHEMA_VERSION is the last migration id and ids are dense from 1', () => {
  assert.deepEqual(
    MIGRATIONS.map((m) => m.id),
    Array.from({ length: MIGRATIONS.length }, (_, i) => i + 1),
  );
  assert.equal(SCHEMA_VERSION, MIGRATIONS.length);
});

test('migrate is idempotent: a second run applies nothing and leaves the version table unchanged', async () => {
  const store = await openStore({ home: tempHome(), migrate: false });
  try {
    const first = await migrate(store);
    assert.deepEqual(first, { from: 0, to: SCHEMA_VERSION, applied: MIGRATIONS.map((m) => m.id) });
    const before = await appliedMigrations(store);
    assert.deepEqual(
      before.map((m) => [m.id, m.checksum]),
      MIGRATIONS.map((m) => [m.id, migrationChecksum(m)]),
    );
    const second = await migrate(store);
    assert.deepEqual(second, { from: SCHEMA_VERSION, to: SCHEMA_VERSION, applied: [] });
    assert.deepEqual(await appliedMigrations(store), before);
    const tables = await store.query<{ n: string }>(
      "SELECT toString(count()) AS n FROM system.tables WHERE database = currentDatabase() AND name LIKE 'otel%'",
    );
    assert.deepEqual(tables, [{ n: '9' }]);
  } finally {
    await store.close();
  }
});

test('an applied migration whose checksum changed is refused with MB_ERR_MIGRATION_CHECKSUM', async () => {
  const store = await openStore({ home: tempHome() });
  try {
    await store.exec(
      `ALTER TABLE ${TABLES.schemaMigrations} UPDATE checksum = 'edited' WHERE id = 1 SETTINGS mutations_sync = 2`,
    );
    await assert.rejects(migrate(store), (err: unknown) => isStoreError(err, 'MB_ERR_MIGRATION_CHECKSUM'));
  } finally {
    await store.close();
  }
});

test('a store migrated by a newer marketbench is refused with MB_ERR_SCHEMA_TOO_NEW', async () => {
  const home = tempHome();
  const store = await openStore({ home });
  await store.exec(
    `INSERT INTO ${TABLES.schemaMigrations} (id, name, applied_at, checksum) SELECT {id:UInt32}, 'future', now64(3), 'x'`,
    { id: SCHEMA_VERSION + 1 },
  );
  await store.close();
  await assert.rejects(openStore({ home }), (err: unknown) => {
    assert.ok(isStoreError(err, 'MB_ERR_SCHEMA_TOO_NEW'), String(err));
    assert.match((err as Error).message, new RegExp(`migrations ${SCHEMA_VERSION + 1}`));
    return true;
  });
  // The failed open released the directory: it can be opened again without migrating.
  const again = await openStore({ home, migrate: false });
  await again.close();
});

test('migration 8: request rows stored before it read expected_response from the runner verdict in `error`', async () => {
  const store = await openStore({ home: tempHome(), migrate: false });
  try {
    // The schema as version 7 left it, with two rows the old runner wrote: an expected 404
    // (error empty) and an unexpected 500 (error "unexpected status 500").
    for (const m of MIGRATIONS.filter((x) => x.id < 8))
      for (const sql of m.statements(store.database, 0)) await store.exec(sql);
    const row = (status: number, error: string) => ({
      run_id: 'old',
      scenario: 's',
      journey: 'j',
      step: 'x',
      method: 'GET',
      url: '/x',
      vu: 1,
      iteration: 0,
      intended_start: '2026-01-01 00:00:00.000000',
      actual_start: '2026-01-01 00:00:00.000000',
      latency_corrected_ms: 1,
      latency_uncorrected_ms: 1,
      scheduling_lag_ms: 0,
      status,
      bytes_sent: 1,
      bytes_received: 1,
      trace_id: '',
      span_id: '',
      error,
      check_failures: 0,
      tags: {},
    });
    await store.insert(TABLES.loadRequests, [row(404, ''), row(500, 'unexpected status 500')]);
    await migrate(store);
    const rows = await store.query<{ status: number; expected_response: boolean }>(
      `SELECT status, expected_response FROM ${TABLES.loadRequests} ORDER BY status`,
    );
    assert.deepEqual(
      rows.map((r) => [Number(r.status), r.expected_response]),
      [
        [404, true],
        [500, false],
      ],
    );
  } finally {
    await store.close();
  }
});
