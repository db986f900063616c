// `marketbench scenarios list` and `marketbench export k6` spawned as the real command.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { cleanup, run, tempHome } from './runCli.ts';

after(cleanup);

test('scenarios list names the built-ins; export k6 prints the committed script', async () => {
  const list = await run(['scenarios', 'list', '--json'], tempHome());
  assert.equal(list.code, 0, list.stderr);
  assert.deepEqual(
    JSON.parse(list.stdout).map((s: { name: string }) => s.name),
    ['smoke', 'marketplace-day', 'flash-sale', 'checkout-rush', 'soak', 'stress', 'psp-incident'],
  );
  const k6 = await run(['export', 'k6', 'smoke'], tempHome());
  assert.equal(k6.code, 0, k6.stderr);
  const committed = fs.readFileSync(
    path.resolve(import.meta.dirname, '../../../load-scenarios/k6/smoke.js'),
    'utf8',
  );
  assert.equal(k6.stdout, committed);
  const help = await run(['run', '--help'], tempHome());
  assert.equal(help.code, 0);
  assert.match(help.stdout, /--target <url>/);
  assert.match(help.stdout, /99 a threshold failed/);
});

test('export k6 -o writes the script and, beside it, the runtime and the journeys it imports', async () => {
  const home = tempHome();
  const out = path.join(home, 'scripts', 'rush.js');
  fs.mkdirSync(path.dirname(out));
  const r = await run(['export', 'k6', 'checkout-rush', '-o', out], home);
  assert.equal(r.code, 0, r.stderr);
  const k6 = path.resolve(import.meta.dirname, '../../../load-scenarios/k6');
  assert.equal(fs.readFileSync(out, 'utf8'), fs.readFileSync(path.join(k6, 'checkout-rush.js'), 'utf8'));
  for (const f of ['marketbench.js', 'journeys.js'])
    assert.equal(
      fs.readFileSync(path.join(home, 'scripts', 'lib', f), 'utf8'),
      fs.readFileSync(path.join(k6, 'lib', f), 'utf8'),
      f,
    );
});
