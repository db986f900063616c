// Benchmark of `marketbench capacity run` with its defaults (issue: ≤ 5 minutes on the embedded
// stack): the marketplace-day mix, 6 closed-model steps × (10 s settle + 30 s measured), every
// request traced. Loopback only, bounded in time. Prints the capacity summary (steps, USL fit, N*,
// knee, plan) and a table of the wall time against the 5-minute budget with the load average.
//
//   node bench/capacity/run.ts [--keep DIR]

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { formatCapacity } from '../../cli/src/capacity/formatCapacity.ts';
import { objectivesFromSpecs } from '../../cli/src/capacity/knee.ts';
import { writeCapacityReport } from '../../cli/src/capacity/renderCapacityReport.ts';
import { runCapacity } from '../../cli/src/capacity/runCapacity.ts';

const { values: args } = parseArgs({ options: { keep: { type: 'string' } } });
const home = args.keep ?? fs.mkdtempSync(path.join(os.tmpdir(), 'mb-bench-capacity-'));
const before = os.loadavg();
const t0 = Date.now();
let report = '';
try {
  const result = await runCapacity({
    home,
    servicePort: 0,
    ingestPort: 0,
    objectives: objectivesFromSpecs(),
    log: (line) => process.stderr.write(`${line}\n`),
    onStored: async (store, r) => {
      report = path.join(home, 'reports', `capacity-${r.runId}.html`);
      await writeCapacityReport(store, r, report);
    },
  });
  const wall = (Date.now() - t0) / 1000;
  const after = os.loadavg();
  process.stdout.write(formatCapacity(result, report));
  const rows = [
    ['figure', 'value'],
    ['wall time, stack start to report (s)', wall.toFixed(1)],
    ['budget (s)', '300'],
    ['within budget', wall <= 300 ? 'yes' : 'NO'],
    ['load average at start (1/5/15 min)', before.map((v) => v.toFixed(2)).join(' ')],
    ['load average at end (1/5/15 min)', after.map((v) => v.toFixed(2)).join(' ')],
    ['requests', String(result.totals.requests)],
    ['knee', result.knee.summary],
  ];
  const w = Math.max(...rows.map((r) => r[0].length));
  process.stdout.write(`\n${rows.map((r) => `${r[0].padEnd(w)}  ${r[1]}`).join('\n')}\n`);
  process.exitCode = wall <= 300 ? 0 : 1;
} finally {
  if (!args.keep) fs.rmSync(home, { recursive: true, force: true });
}
