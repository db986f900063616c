// `marketbench start` (the main job) reconciles its money: a short run on the embedded stack prints
// the "PSP captures = paid orders" line in its reconciliation block with 0 discrepancies, and the
// HTML report carries the same line.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { cleanup, run, tempHome } from './runCli.ts';

test('start: the run reconciles PSP captures with paid orders, in the summary and the report', {
  timeout: 240_000,
}, async (t) => {
  t.after(cleanup);
  const home = tempHome();
  const report = `${home}/report.html`;
  const r = await run(
    [
      'start',
      '--duration',
      '8s',
      '--rate',
      '20',
      '--port',
      '0',
      '--ingest-port',
      '0',
      '--items',
      '20000',
      '--out',
      report,
    ],
    home,
  );
  // 99 may also be a threshold a busy machine broke; the reconciliation line must hold either way.
  assert.ok(r.code === 0 || r.code === 99, `exit ${r.code}\n${r.stdout}\n${r.stderr}`);
  assert.match(
    r.stdout,
    /^ {2}✓ PSP captures = paid orders +0 {2}discrepancies between the PSP settlement report/m,
    r.stdout,
  );
  assert.match(r.stdout, /EUR (\d+) = \1 = \1/, 'net PSP cents = paid orders = ledger');
  assert.doesNotMatch(r.stdout, /FAILED: the PSP and the books disagree/);
  const html = fs.readFileSync(report, 'utf8');
  assert.match(html, /PSP captures = paid orders/);
});
