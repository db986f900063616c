// The owner lock with real processes: a second owner of the same chDB directory gets
// MB_ERR_STORE_LOCKED naming the owner's pid (never a second writer), a lock left by a
// dead process is taken over, and chDB's own directory lock backs ours up.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { OTEL_TABLES } from '@marketbench/contracts';
import { isStoreError } from '../../src/errors.ts';
import { openStore } from '../../src/store/openStore.ts';
import { HOME_FILES } from '../../src/store/ownerLock.ts';
import { killOwners, startOwner, stopOwner } from './fixtures/owner.ts';

const homes: string[] = [];
after(() => {
  killOwners();
  for (const h of homes) fs.rmSync(h, { recursive: true, force: true });
});
function tempHome(): string {
  const h = fs.mkdtempSync(path.join(os.tmpdir(), 'mb-lock-'));
  homes.push(h);
  return h;
}

test('a second owner gets MB_ERR_STORE_LOCKED naming the owner pid; the data is intact afterwards', async () => {
  const home = tempHome();
  const { child, pid } = await startOwner(home);
  const lock = JSON.parse(fs.readFileSync(path.join(home, HOME_FILES.lock), 'utf8')) as { pid: number };
  assert.equal(lock.pid, pid);
  for (const owner of [false, true]) {
    await assert.rejects(openStore({ home, owner, lockWaitMs: 0 }), (err: unknown) => {
      assert.ok(isStoreError(err, 'MB_ERR_STORE_LOCKED'), String(err));
      assert.match((err as Error).message, new RegExp(`process ${pid}\\b`));
      assert.match((err as Error).message, /marketbench ingest/);
      return true;
    });
  }
  await stopOwner(child);
  assert.ok(!fs.existsSync(path.join(home, HOME_FILES.lock)), 'the owner released its lock on exit');
  const s = await openStore({ home });
  assert.equal(s.backend, 'chdb');
  assert.deepEqual(await s.query(`SELECT count() AS c FROM ${OTEL_TABLES.traces}`), [{ c: '0' }]);
  await s.close();
});

test('a lock left by a killed owner is stale and taken over', async () => {
  const home = tempHome();
  const { child, pid } = await startOwner(home);
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
  const lock = JSON.parse(fs.readFileSync(path.join(home, HOME_FILES.lock), 'utf8')) as { pid: number };
  assert.equal(lock.pid, pid, 'SIGKILL left the lock behind');
  const s = await openStore({ home });
  assert.equal(s.backend, 'chdb');
  const now = JSON.parse(fs.readFileSync(path.join(home, HOME_FILES.lock), 'utf8')) as { pid: number };
  assert.equal(now.pid, process.pid);
  await s.close();
});

test("without our lock file, chDB's own directory lock still refuses a second process (MB_ERR_STORE_LOCKED)", async () => {
  const home = tempHome();
  const { child } = await startOwner(home);
  fs.rmSync(path.join(home, HOME_FILES.lock));
  // Run the second open in a separate process: chDB allows one directory per process.
  const r = spawnSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `import { openStore } from ${JSON.stringify(path.join(import.meta.dirname, '..', '..', 'src', 'store', 'openStore.ts'))};
       try { await openStore({ home: ${JSON.stringify(home)}, lockWaitMs: 0 }); console.log('opened'); }
       catch (e) { console.log(e.code); }`,
    ],
    { encoding: 'utf8', timeout: 30_000 },
  );
  assert.equal(r.stdout.trim().split('\n').pop(), 'MB_ERR_STORE_LOCKED', r.stderr);
  await stopOwner(child);
});

test('an open that finds the store locked waits (lockWaitMs) and takes it over once the owner exits', async () => {
  const home = tempHome();
  const { child, pid } = await startOwner(home);
  const opening = openStore({ home, lockWaitMs: 30_000 });
  let settled = false;
  opening.then(
    () => {
      settled = true;
    },
    () => {
      settled = true;
    },
  );
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(settled, false, `still waiting for process ${pid}`);
  await stopOwner(child);
  const s = await opening;
  assert.equal(s.backend, 'chdb');
  await s.close();
});
