// openStore(): option precedence (argument > env > defaults) and the routing between
// backends: embedded when free, through the owner when another process owns the directory.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { isMarketbenchError, OTEL_TABLES } from '@marketbench/contracts';
import { isStoreError } from '../../src/errors.ts';
import { openStore } from '../../src/store/openStore.ts';
import { HOME_FILES } from '../../src/store/ownerLock.ts';
import { DEFAULT_STORE_OPTIONS, resolveStoreOptions } from '../../src/store/storeOptions.ts';
import { killOwners, startOwner, stopOwner } from './fixtures/owner.ts';
import { baseSpan } from './storeSuite.ts';

after(() => killOwners());

test('options: argument beats environment beats DEFAULT_STORE_OPTIONS', () => {
  const env = {
    CLICKHOUSE_URL: 'http://ch:8123',
    MARKETBENCH_HOME: '/env/home',
    MARKETBENCH_DATABASE: 'envdb',
    MARKETBENCH_TTL_DAYS: '3',
    MARKETBENCH_LOCK_WAIT_MS: '250',
  };
  assert.deepEqual(resolveStoreOptions({}, env), {
    url: 'http://ch:8123',
    home: '/env/home',
    database: 'envdb',
    ttlDays: 3,
    migrate: true,
    owner: false,
    lockWaitMs: 250,
  });
  assert.deepEqual(
    resolveStoreOptions(
      {
        url: 'https://arg:8443',
        home: '/arg',
        database: 'argdb',
        ttlDays: 0,
        migrate: false,
        lockWaitMs: 10,
      },
      env,
    ),
    {
      url: 'https://arg:8443',
      home: '/arg',
      database: 'argdb',
      ttlDays: 0,
      migrate: false,
      owner: false,
      lockWaitMs: 10,
    },
  );
  const defaults = resolveStoreOptions({}, {});
  assert.equal(defaults.url, undefined);
  assert.equal(defaults.home, path.resolve(DEFAULT_STORE_OPTIONS.home));
  assert.equal(defaults.database, 'otel');
  assert.equal(defaults.ttlDays, 0);
  assert.equal(defaults.lockWaitMs, 5000);
});

test('options: an invalid name or URL fails with MB_ERR_STORE_CONFIG naming the value', () => {
  for (const env of [{ MARKETBENCH_DATABASE: 'a;drop' }, { CLICKHOUSE_URL: 'ch:9000' }]) {
    assert.throws(
      () => resolveStoreOptions({}, env),
      (err: unknown) =>
        isStoreError(err, 'MB_ERR_STORE_CONFIG') &&
        (err as Error).message.includes(Object.values(env)[0] as string),
    );
  }
});

test("options: a bad number is contracts' MB_ERR_USAGE naming the variable and the value", () => {
  for (const env of [
    { MARKETBENCH_TTL_DAYS: '-1' },
    { MARKETBENCH_TTL_DAYS: 'week' },
    { MARKETBENCH_TTL_DAYS: '1.5' },
    { MARKETBENCH_LOCK_WAIT_MS: 'forever' },
    { MARKETBENCH_LOCK_WAIT_MS: '5_000' },
  ]) {
    const [[name, value]] = Object.entries(env);
    assert.throws(
      () => resolveStoreOptions({}, env),
      (err: unknown) =>
        isMarketbenchError(err, 'MB_ERR_USAGE') &&
        err.exitCode === 1 &&
        err.message.startsWith(`${name} must be`) &&
        err.message.endsWith(`got "${value}"`),
    );
  }
});

test('openStore() in another process reaches the data through the owner that published owner.json', async () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'mb-remote-owner-'));
  const { child, pid, url } = await startOwner(home, true);
  try {
    const owned = JSON.parse(fs.readFileSync(path.join(home, HOME_FILES.owner), 'utf8')) as {
      pid: number;
      url: string;
    };
    assert.deepEqual(owned, { pid, url });
    const s = await openStore({ home });
    assert.equal(s.backend, 'remote');
    assert.equal(s.location, url);
    await s.insert(OTEL_TABLES.traces, [baseSpan({ SpanId: 'via-owner' })]);
    assert.deepEqual(await s.query(`SELECT SpanId FROM ${OTEL_TABLES.traces}`), [{ SpanId: 'via-owner' }]);
    await s.close();
    // owner: true (what a second ingest asks for) refuses instead of going remote, and says
    // where the first one serves the store.
    await assert.rejects(openStore({ home, owner: true, lockWaitMs: 0 }), (err: unknown) => {
      assert.ok(isStoreError(err, 'MB_ERR_STORE_LOCKED'), String(err));
      assert.match((err as Error).message, new RegExp(`process ${pid} .*which serves it at ${url}\\.`));
      assert.doesNotMatch((err as Error).message, /not publish|does not serve/);
      return true;
    });
  } finally {
    await stopOwner(child);
  }
  assert.ok(!fs.existsSync(path.join(home, HOME_FILES.owner)), 'the owner unpublished on exit');
  // With the owner gone the directory opens directly and holds what was written through it.
  const direct = await openStore({ home });
  assert.equal(direct.backend, 'chdb');
  assert.deepEqual(await direct.query(`SELECT SpanId FROM ${OTEL_TABLES.traces}`), [{ SpanId: 'via-owner' }]);
  await direct.close();
  fs.rmSync(home, { recursive: true, force: true });
});

test('a silent owner is named as not serving the store', async () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'mb-silent-owner-'));
  const { child, pid } = await startOwner(home, false);
  try {
    await assert.rejects(openStore({ home, lockWaitMs: 0 }), (err: unknown) => {
      assert.ok(isStoreError(err, 'MB_ERR_STORE_LOCKED'), String(err));
      assert.match((err as Error).message, new RegExp(`process ${pid} .*which does not serve it`));
      return true;
    });
  } finally {
    await stopOwner(child);
    fs.rmSync(home, { recursive: true, force: true });
  }
});

test("a killed owner: the client's next call fails with MB_ERR_STORE_UNREACHABLE, the next open takes the directory", async () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'mb-killed-owner-'));
  const { child, pid } = await startOwner(home, true);
  const s = await openStore({ home });
  assert.equal(s.backend, 'remote');
  await s.insert(OTEL_TABLES.traces, [baseSpan({ SpanId: 'before-kill' })]);
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
  await assert.rejects(s.query('SELECT 1'), (err: unknown) => {
    assert.ok(isStoreError(err, 'MB_ERR_STORE_UNREACHABLE'), String(err));
    assert.match(
      (err as Error).message,
      new RegExp(`owner \\(pid ${pid}\\) at http://127\\.0\\.0\\.1:\\d+ did not answer`),
    );
    return true;
  });
  await s.close();
  // The lock and owner.json the dead process left are stale: the next open owns the directory.
  const direct = await openStore({ home, lockWaitMs: 0 });
  assert.equal(direct.backend, 'chdb');
  assert.deepEqual(await direct.query(`SELECT SpanId FROM ${OTEL_TABLES.traces}`), [
    { SpanId: 'before-kill' },
  ]);
  await direct.close();
  fs.rmSync(home, { recursive: true, force: true });
});
