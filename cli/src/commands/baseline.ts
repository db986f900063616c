// `marketbench baseline save RUN_ID --to FILE`: exports what a later gate needs from a run
// (per-step HDR histograms and bounded samples, run metadata) into a small committable file.

import fs from 'node:fs';
import { parseNumber } from '@marketbench/contracts';
import type { Command } from 'commander';
import { buildBaseline, DEFAULT_SAMPLE_SIZE, writeBaseline } from '../gate/baselineFile.ts';
import { resolveRunId } from '../gate/runData.ts';
import { withStore } from '../stack/withStore.ts';

export function register(program: Command): void {
  const baseline = program
    .command('baseline')
    .description('save a run as the baseline a later `marketbench gate` compares with');
  baseline
    .command('save')
    .description('write a baseline file from a stored run (histograms + bounded samples per step)')
    .argument('<run-id>', 'run to save, or `last` for the newest')
    .requiredOption('--to <file>', 'output file (JSON; gzipped when it ends in .gz)')
    .option('--samples <n>', 'samples kept per step', String(DEFAULT_SAMPLE_SIZE))
    .action(async (runArg: string, flags: { to: string; samples: string }) => {
      const size = parseNumber(flags.samples, '--samples', { integer: true, min: 1 });
      const file = await withStore(async (store) =>
        buildBaseline(store, await resolveRunId(store, runArg), size),
      );
      writeBaseline(flags.to, file);
      const steps = Object.keys(file.steps).length;
      process.stdout.write(
        `baseline of run ${file.run.runId} (${steps} steps, ${file.run.requestsTotal} requests) written to ${flags.to} (${fs.statSync(flags.to).size} bytes)\n`,
      );
    });
}
