// `marketbench slo drill --prometheus`, spawned as the real command: the embedded stack, Debian's
// Prometheus (generated rules loaded unchanged, 5 s scrape and evaluation) and Alertmanager on
// free loopback ports. Healthy traffic: every SLI recording rule (9 SLOs × 8 windows) has data
// and no alert fires; the PSP goes down: the checkout page reaches Alertmanager within the bound
// the windows, factor and for: imply, and resolves after recovery. About 3 to 4 minutes.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { missingCommand, needs } from '../../../test-support/dependency.ts';
import { cleanup, run, tempHome } from './runCli.ts';

after(cleanup);

test('slo drill --prometheus: SLIs have data, healthy is silent, the page comes in time and resolves', async (t) => {
  if (!needs(t, missingCommand('prometheus'))) return;
  if (!needs(t, missingCommand('prometheus-alertmanager'))) return;
  const started = Date.now();
  const r = await run(['slo', 'drill', '--prometheus'], tempHome());
  const out = `${r.stdout}\n${r.stderr}`;
  assert.match(r.stdout, /^SLI recording rules with data under healthy traffic: 73\/73$/m, out);
  assert.match(r.stdout, /^healthy 30 s: alerts fired: none; pending: none/m, out);
  const ratio = /^PSP down 10 s: checkout error ratio (\d+)%/m.exec(r.stdout);
  assert.ok(ratio && Number(ratio[1]) >= 90, out);
  const page = /reached Alertmanager (\d+\.\d) s after the fault started \(allowed (\d+\.\d) s\)/.exec(
    r.stdout,
  );
  assert.ok(page, out);
  assert.ok(Number(page[1]) <= Number(page[2]), out);
  // The page waits its for: (1m) after the condition first holds.
  assert.ok(Number(page[1]) >= 60, out);
  const resolved = /resolved (\d+\.\d) s after the PSP recovered \(allowed (\d+\.\d) s\)/.exec(r.stdout);
  assert.ok(resolved, out);
  assert.ok(Number(resolved[1]) <= Number(resolved[2]), out);
  assert.equal(r.code, 0, out);
  assert.match(r.stdout, /drill passed/);
  assert.ok(Date.now() - started < 5 * 60_000, `took ${(Date.now() - started) / 1000} s`);
});
