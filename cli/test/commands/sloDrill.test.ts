// `marketbench slo drill` at small scale, spawned as the real command: the embedded stack, the
// psp-incident traffic without faults (must not page) and with them (must page within the
// scaled detection time and reset after the PSP recovers), scored from the spans in chDB.
// 0.07 of the scenario: two 12.6 s runs, windows divided by 1714 (1h → 2.1 s, 5m → 0.175 s).
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { cleanup, run, tempHome } from './runCli.ts';

after(cleanup);

test('slo drill: no page when healthy, a timely page that resets in the PSP incident', async () => {
  const r = await run(['slo', 'drill', '--scale', '0.07', '--rate', '40'], tempHome());
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /^time scale 1714 \(every alert window 1714× shorter than its name\)$/m);
  assert.match(
    r.stdout,
    /^healthy {2}run \S+: reference-service-checkout-success @ time scale 1714: paged=false /m,
  );
  const incident =
    /^incident run \S+: .* paged=true detection=(\d+\.\d)s \(burn onset (\d+\.\d)s, allowed (\d+\.\d)s\) reset=(\d+\.\d)s precision=(\S+) recall=(\S+)/m.exec(
      r.stdout,
    );
  assert.ok(incident, r.stdout);
  assert.ok(Number(incident[6]) > 0.5, `recall ${incident[6]}`);
  // The PSP incident (timeouts, errors, the breaker) must not cost money: PSP and books reconcile.
  assert.match(r.stdout, /^reconciliation: ✓ PSP captures = paid orders: 0 discrepancies/m);
  assert.match(r.stdout, /drill passed/);
});
