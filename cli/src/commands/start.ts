// `marketbench start` (what `npm start` runs): the main job on embedded defaults.

import { EXIT, parseNumber } from '@marketbench/contracts';
import type { Command } from 'commander';
import { onInterrupt } from '../stack/onInterrupt.ts';
import { DEFAULT_MAIN_JOB, formatMainJobSummary, runMainJob } from '../stack/runMainJob.ts';
import { addStackOptions, type StackFlags, stackOptionsFromFlags } from '../stack/stackFlags.ts';

interface StartFlags extends StackFlags {
  scenario: string;
  rate?: string;
  duration?: string;
  vus?: string;
  out?: string;
  /** False with --no-client-spans. */
  clientSpans: boolean;
}

export function register(program: Command): void {
  const command = program
    .command('start')
    .description(
      'the main job: start the embedded stack, run marketplace-day, check thresholds, write the HTML report, stop',
    )
    .option('--scenario <name|file>', 'scenario to run', DEFAULT_MAIN_JOB.scenario)
    .option('--rate <n>', 'override the arrival rate (iterations/s at the peak)')
    .option('--duration <d>', 'override the duration (e.g. 60s, 4m); stages are scaled to it')
    .option('--vus <n>', 'override the VU limit')
    .option('--out <file>', 'report path (default: $MARKETBENCH_HOME/reports/<run-id>.html)')
    .option(
      '--no-client-spans',
      "do not export the generator's client span per request (service marketbench-load)",
    );
  addStackOptions(command)
    .addHelpText(
      'after',
      '\nDefaults: marketplace-day is a 24-hour diurnal marketplace day (peak ~1,200 req/s, trough ~290 req/s,\n' +
        'about 60 million requests/day at real rate) compressed into 4 minutes. Exit codes: 0 thresholds passed,\n' +
        '99 a threshold failed or the PSP reconciliation found a discrepancy, 2 run error, 3 store unavailable,\n' +
        '105 stopped by Ctrl-C (report still written).',
    )
    .action(async (flags: StartFlags) => {
      const abort = new AbortController();
      const signals = onInterrupt(() => abort.abort());
      const log = (line: string) => process.stderr.write(`[marketbench] ${line}\n`);
      try {
        const job = await runMainJob({
          scenario: flags.scenario,
          overrides: {
            rate:
              flags.rate === undefined
                ? undefined
                : parseNumber(flags.rate, '--rate', { integer: true, min: 0 }),
            duration: flags.duration,
            vus:
              flags.vus === undefined
                ? undefined
                : parseNumber(flags.vus, '--vus', { integer: true, min: 0 }),
          },
          out: flags.out,
          clientSpans: flags.clientSpans,
          ...stackOptionsFromFlags(flags),
          progress: process.stderr,
          log,
          signal: abort.signal,
        });
        process.stdout.write(formatMainJobSummary(job));
        process.exitCode = signals.interrupted() ? EXIT.externalAbort : job.exitCode;
      } finally {
        signals.dispose();
      }
    });
}
