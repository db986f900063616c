// `marketbench report [RUN_ID|--last] [--out FILE]`: writes one self-contained HTML report of
// a stored run (charts inlined, no network at view time) and prints where it is.

import fs from 'node:fs';
import path from 'node:path';
import { resolveStoreOptions } from '@marketbench/telemetry-store';
import type { Command } from 'commander';
import { CliError } from '../errors.ts';
import { resolveRunId } from '../gate/runData.ts';
import { writeRunReport } from '../report/writeRunReport.ts';
import { withStore } from '../stack/withStore.ts';

export function register(program: Command): void {
  program
    .command('report')
    .description('write a self-contained HTML report of a load run')
    .argument('[run-id]', 'run to report (default: the newest run)')
    .option('--last', 'report the newest run (the default)')
    .option('--out <file>', 'output file (default: $MARKETBENCH_HOME/reports/<run-id>.html)')
    .action(async (runArg: string | undefined, flags: { last?: boolean; out?: string }) => {
      if (runArg !== undefined && flags.last)
        throw new CliError('MB_ERR_USAGE', 'give a run id or --last, not both');
      const out = await withStore(async (store) => {
        const runId = await resolveRunId(store, flags.last ? 'last' : runArg);
        const file = flags.out ?? path.join(resolveStoreOptions({}).home, 'reports', `${runId}.html`);
        await writeRunReport(store, runId, file);
        return file;
      });
      process.stdout.write(`report written to ${path.resolve(out)} (${fs.statSync(out).size} bytes)\n`);
    });
}
