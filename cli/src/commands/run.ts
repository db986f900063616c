// `marketbench run <scenario|file.ts>`: runs a load scenario against a loopback target (or the
// embedded stack), prints k6's kind of summary, stores the rows, and exits 0 when every
// threshold passed, 99 when one failed (as k6). Logic lives in @marketbench/load-scenarios.

import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  ENV,
  EXIT,
  LOAD_SAMPLES,
  parseNumber,
  parsePort,
  processEnvironment,
  readEnv,
  tryParseDuration,
} from '@marketbench/contracts';
import { resolveOptions } from '@marketbench/instrumentation';
import {
  formatSaturate,
  formatSummary,
  loadScenario,
  newRunId,
  parseAllowedTargets,
  type RunResult,
  runScenario,
  ScenarioError,
  saturate,
  summaryExport,
  summaryJson,
  type TargetPolicy,
} from '@marketbench/load-scenarios';
import type { Store } from '@marketbench/telemetry-store';
import type { Command } from 'commander';
import { CliError } from '../errors.ts';
import { onInterrupt } from '../stack/onInterrupt.ts';
import { startStack } from '../stack/startStack.ts';
import { withStore } from '../stack/withStore.ts';

interface RunFlags {
  target?: string;
  rate?: string;
  duration?: string;
  vus?: string;
  iterations?: string;
  stage: string[];
  /** False with --no-thresholds. */
  thresholds: boolean;
  env: string[];
  summaryExport?: string;
  quiet?: boolean;
  tag: string[];
  out?: string;
  json?: boolean;
  seed?: string;
  workers?: string;
  path?: string;
  connections?: string;
  port?: string;
  ingestPort?: string;
  items?: string;
  store: boolean;
  /** False with --no-client-spans. */
  clientSpans: boolean;
  allowRemoteTarget?: boolean;
}

/** The user's opt-in to load a host of their own: the flag and the environment's list, both needed. */
function targetPolicy(flags: RunFlags): TargetPolicy {
  return {
    allowRemote: flags.allowRemoteTarget === true,
    allowedTargets: parseAllowedTargets(readEnv(ENV.allowedTargets)),
  };
}

function positive(flag: string, value: string | undefined, integer: boolean): number | undefined {
  return value === undefined ? undefined : parseNumber(value, flag, { integer, min: 0 });
}

function parseTags(tags: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of tags) {
    const i = t.indexOf('=');
    if (i <= 0) throw new ScenarioError('MB_ERR_SCENARIO_FIELD', `--tag must be key=value, got "${t}"`);
    out[t.slice(0, i)] = t.slice(i + 1);
  }
  return out;
}

/** `-s D:T` (k6's --stage), repeatable: ramp to T VUs over D, in order. */
export function parseStageFlags(values: readonly string[]): { duration: string; target: number }[] {
  return values.map((v) => {
    const m = /^([^:]+):(\d+)$/.exec(v.trim());
    if (!m || tryParseDuration(m[1]) === undefined)
      throw new CliError('MB_ERR_USAGE', `--stage must be DURATION:VUS such as 30s:10, got "${v}"`);
    return { duration: m[1], target: parseNumber(m[2], '--stage', { integer: true, min: 0 }) };
  });
}

/** `-e KEY=VALUE` (k6's --env): set for the scenario module (process.env) and its `{{__ENV.KEY}}` templates. */
export function parseEnvFlags(values: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values) {
    const i = v.indexOf('=');
    const key = i > 0 ? v.slice(0, i) : '';
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key))
      throw new CliError('MB_ERR_USAGE', `--env must be KEY=VALUE with KEY a variable name, got "${v}"`);
    out[key] = v.slice(i + 1);
  }
  return out;
}

function writeOut(dir: string, result: RunResult, summary: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'summary.json'), `${JSON.stringify(summaryJson(result), null, 2)}\n`);
  writeFileSync(path.join(dir, 'summary.txt'), summary);
  // The columns are the name table's samples, in its order, after the elapsed time.
  const keys = Object.keys(LOAD_SAMPLES) as (keyof typeof LOAD_SAMPLES)[];
  const header = `${['elapsed_s', ...keys.map((k) => LOAD_SAMPLES[k])].join(',')}\n`;
  const rows = result.samples.map((s) =>
    [s.elapsedSec, ...keys.map((k) => s[k])].map((v) => Number(v.toFixed(3))).join(','),
  );
  writeFileSync(path.join(dir, 'samples.csv'), header + rows.join('\n') + '\n');
}

/** The embedded stack's ports and catalog size from the flags (env and defaults apply in startStack). */
function stackOptions(flags: RunFlags): { servicePort?: number; ingestPort?: number; items?: number } {
  return {
    servicePort: flags.port === undefined ? undefined : parsePort(flags.port, '--port'),
    ingestPort: flags.ingestPort === undefined ? undefined : parsePort(flags.ingestPort, '--ingest-port'),
    items: positive('--items', flags.items, true),
  };
}

async function runSaturate(flags: RunFlags): Promise<void> {
  if (!flags.path)
    throw new ScenarioError('MB_ERR_SCENARIO_FIELD', 'saturate needs --path, e.g. --path /listings/42');
  const connections = flags.connections
    ?.split(',')
    .map((c) => positive('--connections', c.trim(), true) ?? 1);
  const seconds =
    flags.duration !== undefined ? (tryParseDuration(flags.duration) ?? 5000) / 1000 : undefined;
  const go = async (target: string) => {
    return await saturate({
      target,
      targetPolicy: targetPolicy(flags),
      path: flags.path as string,
      connections,
      seconds,
      runId: newRunId(),
    });
  };
  let result: Awaited<ReturnType<typeof saturate>>;
  if (flags.target !== undefined) result = await go(flags.target);
  else {
    const stack = await startStack({
      log: flags.json ? undefined : (line) => process.stderr.write(`${line}\n`),
      ...stackOptions(flags),
    });
    try {
      result = await go(stack.serviceUrl);
    } finally {
      await stack.stop();
    }
  }
  process.stdout.write(flags.json ? `${JSON.stringify(result, null, 2)}\n` : formatSaturate(result));
}

export function register(program: Command): void {
  program
    .command('run')
    .description('run a load scenario (built-in name or a scenario .ts file) and check its thresholds')
    .argument(
      '<scenario>',
      'built-in scenario (see `marketbench scenarios list`), a scenario module path, or `saturate` (max throughput of --path, with autocannon)',
    )
    .option(
      '--target <url>',
      'base URL of the API under test; loopback only (127.0.0.0/8, localhost, [::1]) unless --allow-remote-target. Default: start the embedded stack',
    )
    .option(
      '--allow-remote-target',
      'opt in to load a host of your own that is not this machine; the host must also be listed in MARKETBENCH_ALLOWED_TARGETS',
    )
    .option(
      '--rate <n>',
      'arrival rate (iterations/s): sets constant rates, scales ramping rates to this peak',
    )
    .option(
      '-d, --duration <d>',
      'duration (k6 syntax: 30s, 2m): sets constant durations, scales stages to this total',
    )
    .option('-u, --vus <n>', 'VUs: sets vus, or maxVUs of arrival-rate executors')
    .option(
      '-i, --iterations <n>',
      'run N iterations shared by the VUs (as k6 -i: replaces the executors with one shared-iterations)',
    )
    .option(
      '-s, --stage <DURATION:VUS>',
      'ramp to VUS over DURATION (as k6 -s; repeatable, in order): replaces the executors with one ramping-vus starting at -u VUs (default 1)',
      (v: string, acc: string[]) => [...acc, v],
      [],
    )
    .option('--no-thresholds', 'run without evaluating thresholds (as k6): the summary lists none, exit 0')
    .option(
      '-e, --env <KEY=VALUE>',
      "environment variable for the scenario: KEY in its module's environment, {{__ENV.KEY}} in its steps (repeatable)",
      (v: string, acc: string[]) => [...acc, v],
      [],
    )
    .option('--summary-export <file>', "write the end-of-test summary in k6's --summary-export JSON format")
    .option('-q, --quiet', 'no progress output (the summary is still printed)')
    .option('--tag <k=v>', 'tag every sample (repeatable)', (v: string, acc: string[]) => [...acc, v], [])
    .option('--out <dir>', 'write summary.json, summary.txt and samples.csv into this directory')
    .option('--json', 'print the summary as JSON on stdout (no progress line)')
    .option('--seed <n>', 'seed journey picks and random feeders (reproducible runs)')
    .option(
      '--workers <n>',
      'generator threads, each sending an equal share (default 1; raise it when the generator CPU is saturated)',
    )
    .option('--path <path>', 'saturate mode: the route to saturate, e.g. /listings/42')
    .option('--connections <list>', 'saturate mode: connection counts to try (default 1,2,4,...,256)')
    .option(
      '--port <n>',
      'without --target: reference service port (env MARKETBENCH_PORT, default 8080; 0 = any free port)',
    )
    .option(
      '--ingest-port <n>',
      'without --target: OTLP ingest port (env MARKETBENCH_INGEST_PORT, default 4318; 0 = any)',
    )
    .option('--items <n>', 'without --target: listings in the seeded catalog (env MARKETBENCH_ITEMS)')
    .option('--no-store', 'with --target: do not write request and run rows to the store')
    .option(
      '--no-client-spans',
      "do not export the generator's client span per request (service marketbench-load; with --target they go to OTEL_EXPORTER_OTLP_ENDPOINT, default http://127.0.0.1:4318)",
    )
    .addHelpText(
      'after',
      '\nExit codes: 0 every threshold passed, 99 a threshold failed (as k6), 1 invalid scenario or flags\n' +
        '(MB_ERR_SCENARIO_* codes, see docs/LOAD.md), 2 run error, 3 store unavailable, 105 stopped by\n' +
        'Ctrl-C/SIGTERM (as k6; the partial summary is printed). k6 flags and options: docs/CLI.md.\n' +
        'Environment: MARKETBENCH_ADMIN_TOKEN (fault schedules), CLICKHOUSE_URL / MARKETBENCH_HOME (store),\n' +
        'MARKETBENCH_ALLOWED_TARGETS (hosts --allow-remote-target may load, e.g. "staging.example.com,api.example.com:8443").',
    )
    .action(async (scenario: string, flags: RunFlags) => {
      if (flags.duration !== undefined && tryParseDuration(flags.duration) === undefined) {
        throw new ScenarioError(
          'MB_ERR_SCENARIO_DURATION',
          `--duration must be a duration such as 30s or 2m, got "${flags.duration}"`,
        );
      }
      const stages = parseStageFlags(flags.stage);
      const overrides = {
        rate: positive('--rate', flags.rate, false),
        duration: flags.duration,
        vus: positive('--vus', flags.vus, true),
        iterations: positive('--iterations', flags.iterations, true),
        stages: stages.length > 0 ? stages : undefined,
      };
      if (overrides.iterations === 0) throw new CliError('MB_ERR_USAGE', '--iterations must be at least 1');
      if (stages.length > 0) {
        // The stages are the whole schedule: a duration, an iteration count or a rate would contradict it.
        const clash = [
          overrides.duration !== undefined && '--duration',
          overrides.iterations !== undefined && '--iterations',
          overrides.rate !== undefined && '--rate',
        ].filter(Boolean);
        if (clash.length > 0)
          throw new CliError(
            'MB_ERR_USAGE',
            `--stage sets the whole schedule; it cannot be combined with ${clash.join(', ')}`,
          );
      }
      // -e values are visible to the scenario module as it loads, and to its steps' templates.
      Object.assign(processEnvironment(), parseEnvFlags(flags.env));
      const tags = parseTags(flags.tag);
      const seed = positive('--seed', flags.seed, true);
      const workers = positive('--workers', flags.workers, true);
      if (workers === 0) throw new CliError('MB_ERR_USAGE', '--workers must be at least 1');
      if (scenario === 'saturate') {
        await runSaturate(flags);
        return;
      }
      let loaded: Awaited<ReturnType<typeof loadScenario>>;
      loaded = await loadScenario(scenario);
      if (!flags.thresholds) {
        // k6's --no-thresholds: nothing is evaluated, so nothing can fail the run.
        const { definition } = loaded;
        loaded = {
          ...loaded,
          definition: { ...definition, options: { ...definition.options, thresholds: {} } },
        };
      }
      const interrupt = new AbortController();
      const signals = onInterrupt(() => interrupt.abort());
      const execute = async (
        target: string,
        store: Store | undefined,
        adminToken?: string,
        isolate = false,
        tracesUrl?: string,
      ) => {
        // The generator's spans go where the service's go: the embedded ingest, or the OTLP
        // endpoint of the environment (as the service's own instrumentation reads it).
        const otlp = resolveOptions({});
        const clientSpans = flags.clientSpans
          ? { url: tracesUrl ?? otlp.tracesEndpoint, headers: otlp.otlpHeaders }
          : false;
        return await runScenario(loaded.definition, {
          clientSpans,
          target,
          targetPolicy: targetPolicy(flags),
          file: loaded.file,
          overrides,
          tags,
          seed,
          workers,
          isolate,
          store,
          adminToken,
          signal: interrupt.signal,
          progress: flags.json || flags.quiet ? undefined : process.stderr,
        });
      };
      let result: RunResult;
      try {
        const target = flags.target;
        if (target === undefined) {
          // No target: the embedded stack (store + OTLP ingest here, instrumented service in a
          // child process), stopped after the run with its telemetry flushed into the store.
          const log =
            flags.json || flags.quiet ? undefined : (line: string) => process.stderr.write(`${line}\n`);
          const stack = await startStack({ log, ...stackOptions(flags) });
          try {
            // The store and the ingest share this process: the generator gets its own thread.
            result = await execute(
              stack.serviceUrl,
              stack.store,
              stack.adminToken,
              true,
              `${stack.ingest.url}/v1/traces`,
            );
            await stack.flushTelemetry();
          } finally {
            await stack.stop();
          }
        } else {
          result = flags.store
            ? await withStore((store) => execute(target, store))
            : await execute(target, undefined);
        }
      } finally {
        signals.dispose();
      }
      const summary = formatSummary(result, loaded.definition);
      if (flags.json) process.stdout.write(`${JSON.stringify(summaryJson(result), null, 2)}\n`);
      else process.stdout.write(summary);
      if (flags.out) writeOut(flags.out, result, summary);
      if (flags.summaryExport) {
        const doc = summaryExport(result, {
          isStdOutTTY: process.stdout.isTTY,
          isStdErrTTY: process.stderr.isTTY,
        });
        writeFileSync(flags.summaryExport, `${JSON.stringify(doc, null, 2)}\n`);
      }
      if (signals.interrupted()) {
        process.stderr.write('marketbench: the run was stopped from outside (signal): exit 105, as k6\n');
        process.exitCode = EXIT.externalAbort;
      } else process.exitCode = result.exitCode === 99 ? EXIT.thresholdsFailed : EXIT.ok;
    });
}
