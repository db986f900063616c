// `marketbench start` (what `npm start` runs): the main job on embedded defaults.

import type { Command } from 'commander';
import { CliError, EXIT } from '../errors.ts';
import { DEFAULT_MAIN_JOB, formatMainJobSummary, runMainJob } from '../stack/runMainJob.ts';
import { DEFAULT_STACK_OPTIONS } from '../stack/startStack.ts';

interface StartFlags {
  scenario: string;
  rate?: string;
  duration?: string;
  vus?: string;
  out?: string;
  port?: string;
  ingestPort?: string;
  items?: string;
}

function positiveInt(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0)
    throw new CliError('MB_ERR_USAGE', `${flag} must be a non-negative integer, got "${v}"`, EXIT.usage);
  return n;
}

export function register(program: Command): void {
  program
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
      '--port <n>',
      `reference service port (env MARKETBENCH_PORT, default ${DEFAULT_STACK_OPTIONS.servicePort})`,
    )
    .option(
      '--ingest-port <n>',
      `OTLP ingest port (env MARKETBENCH_INGEST_PORT, default ${DEFAULT_STACK_OPTIONS.ingestPort})`,
    )
    .option('--items <n>', 'listings in the seeded catalog (env MARKETBENCH_ITEMS)')
    .addHelpText(
      'after',
      '\nDefaults: marketplace-day is a 24-hour diurnal marketplace day (peak ~1,200 req/s, trough ~290 req/s,\n' +
        'about 60 million requests/day at real rate) compressed into 4 minutes. Exit codes: 0 thresholds passed,\n' +
        '99 a threshold failed, 2 run error, 3 store unavailable.',
    )
    .action(async (flags: StartFlags) => {
      const abort = new AbortController();
      const onSigint = () => abort.abort();
      process.once('SIGINT', onSigint);
      const log = (line: string) => process.stderr.write(`[marketbench] ${line}\n`);
      try {
        const job = await runMainJob({
          scenario: flags.scenario,
          overrides: {
            rate: positiveInt('--rate', flags.rate),
            duration: flags.duration,
            vus: positiveInt('--vus', flags.vus),
          },
          out: flags.out,
          servicePort: positiveInt('--port', flags.port),
          ingestPort: positiveInt('--ingest-port', flags.ingestPort),
          items: positiveInt('--items', flags.items),
          progress: process.stderr.isTTY ? process.stderr : undefined,
          log,
          signal: abort.signal,
        });
        process.stdout.write(formatMainJobSummary(job));
        process.exitCode = job.exitCode;
      } finally {
        process.off('SIGINT', onSigint);
      }
    });
}
