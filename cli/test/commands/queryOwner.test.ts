// `marketbench query` and `store info` while another process owns the chDB directory:
// through the owner when it serves the store, exit 3 naming its pid when it does not, and the
// directory itself once a killed owner is gone.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { cleanup, run, startOwner, stop, tempHome } from './runCli.ts';

after(cleanup);

test('query and store info go through a running owner; without a published owner they exit 3 naming its pid', async () => {
  const home = tempHome();
  const serving = await startOwner(home, true);
  const insert = await run(
    [
      'query',
      "INSERT INTO marketbench_load_faults (run_id, ts, dependency, action, spec) VALUES ('r1', now64(3), 'psp', 'set', '{}')",
    ],
    home,
  );
  assert.equal(insert.code, 0, insert.stderr);
  const count = await run(
    ['query', 'SELECT count() AS n FROM marketbench_load_faults', '--format', 'json'],
    home,
  );
  assert.equal(count.code, 0, count.stderr);
  assert.deepEqual(JSON.parse(count.stdout), [{ n: '1' }]);
  const info = await run(['store', 'info'], home);
  assert.equal(info.code, 0, info.stderr);
  assert.match(info.stdout, /^backend: {2}remote\n/);
  assert.match(info.stdout, /marketbench_load_faults\s+MergeTree\s+1\s/);
  await stop(serving.child);

  const silent = await startOwner(home, false);
  const locked = await run(['query', 'SELECT 1'], home, { MARKETBENCH_LOCK_WAIT_MS: '0' });
  assert.equal(locked.code, 3);
  assert.match(locked.stderr, new RegExp(`process ${silent.pid}\\b.*\\[MB_ERR_STORE_LOCKED\\]`, 's'));
  await stop(silent.child);
});

test('after the owner is killed, the next command opens the directory itself and sees what went through the owner', async () => {
  const home = tempHome();
  const owner = await startOwner(home, true);
  const insert = await run(
    [
      'query',
      "INSERT INTO marketbench_load_faults (run_id, ts, dependency, action, spec) VALUES ('via-owner', now64(3), 'psp', 'set', '{}')",
    ],
    home,
  );
  assert.equal(insert.code, 0, insert.stderr);
  const exited = new Promise((r) => owner.child.once('exit', r));
  owner.child.kill('SIGKILL');
  await exited;
  const later = await run(['query', 'SELECT run_id FROM marketbench_load_faults', '--format', 'json'], home, {
    MARKETBENCH_LOCK_WAIT_MS: '0',
  });
  assert.equal(later.code, 0, later.stderr);
  assert.deepEqual(JSON.parse(later.stdout), [{ run_id: 'via-owner' }]);
  const info = await run(['store', 'info'], home);
  assert.match(info.stdout, /^backend: {2}chdb\n/);
});

test('an owner asked to serve the store beyond loopback refuses to start: one line, exit 1, nothing left behind', async () => {
  const home = tempHome();
  const r = await run(['ingest', '--port', '0'], home, { MARKETBENCH_STORE_HOST: '0.0.0.0' });
  assert.equal(r.code, 1, r.stderr);
  assert.match(
    r.stderr,
    /^marketbench: .*0\.0\.0\.0 is not a loopback address \(MARKETBENCH_STORE_HOST\) \[MB_ERR_STORE_CONFIG\]\n$/,
  );
  assert.ok(!fs.existsSync(path.join(home, 'owner.json')));
  assert.ok(!fs.existsSync(path.join(home, 'clickhouse.lock')), 'the lock was released');
});

test('a second ingest on a served store exits 3 saying where the first serves it', async () => {
  const home = tempHome();
  const first = await startOwner(home, true);
  try {
    const { url } = JSON.parse(fs.readFileSync(path.join(home, 'owner.json'), 'utf8')) as { url: string };
    const second = await run(['ingest', '--port', '0'], home, { MARKETBENCH_LOCK_WAIT_MS: '0' });
    assert.equal(second.code, 3, second.stderr);
    assert.match(
      second.stderr,
      new RegExp(`process ${first.pid} .*which serves it at ${url}\\. .*\\[MB_ERR_STORE_LOCKED\\]`),
    );
    assert.doesNotMatch(second.stderr, /not publish|does not serve/);
  } finally {
    await stop(first.child);
  }
});
