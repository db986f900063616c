// `marketbench capacity run|plan|report`: a stepped stress run fitted with the Universal
// Scalability Law (N*, maximum throughput, the knee under the latency SLOs), and the replicas a
// day of traffic needs. Logic lives in ../capacity/; this file parses flags and prints.

import path from 'node:path';
import { EXIT, parseDuration, parseNumber } from '@marketbench/contracts';
import { loadScenario } from '@marketbench/load-scenarios';
import { resolveStoreOptions } from '@marketbench/telemetry-store';
import type { Command } from 'commander';
import { readCapacity, resolveCapacityRun } from '../capacity/capacityStore.ts';
import { formatCapacity, formatPlan } from '../capacity/formatCapacity.ts';
import { objectivesFromSpecs, p99Objective } from '../capacity/knee.ts';
import { dayShape, parseDayVolume, planReplicas } from '../capacity/planReplicas.ts';
import { writeCapacityReport } from '../capacity/renderCapacityReport.ts';
import { DEFAULT_CAPACITY, runCapacity } from '../capacity/runCapacity.ts';
import type { LoadModel } from '../capacity/steppedScenario.ts';
import type { CapacityResult, LatencyObjective } from '../capacity/types.ts';
import { CliError } from '../errors.ts';
import { withStore } from '../stack/withStore.ts';

const int = (flag: string, v: string | undefined, min = 1) =>
  v === undefined ? undefined : parseNumber(v, flag, { integer: true, min });
const positive = (flag: string, v: string | undefined) =>
  v === undefined ? undefined : parseNumber(v, flag, { min: Number.MIN_VALUE });
const duration = (flag: string, v: string | undefined, minMs = 1) =>
  v === undefined ? undefined : parseDuration(v, flag, { minMs });

function day(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = parseDayVolume(v);
  if (n === undefined)
    throw new CliError(
      'MB_ERR_USAGE',
      `--day must be a request count such as 100M, 1.5B or 250000, got "${v}"`,
    );
  return n;
}

function headroom(v: string | undefined): number | undefined {
  return v === undefined ? undefined : parseNumber(v, '--headroom', { min: 0, max: 0.95 });
}

function objectives(p99: string | undefined, specs: string | undefined): LatencyObjective[] {
  if (p99 !== undefined) return [p99Objective(duration('--p99', p99) as number)];
  try {
    return objectivesFromSpecs(specs);
  } catch (err) {
    if (err instanceof Error) err.message = `SLO specs: ${err.message}`;
    throw err;
  }
}

interface RunFlags {
  model: string;
  steps?: string;
  levels?: string;
  minLoad?: string;
  maxLoad?: string;
  stepDuration?: string;
  settle?: string;
  think?: boolean;
  p99?: string;
  specs?: string;
  day?: string;
  shape?: string;
  headroom?: string;
  target?: string;
  port?: string;
  ingestPort?: string;
  items?: string;
  seed?: string;
  workers?: string;
  resamples?: string;
  out?: string;
  json?: boolean;
}

interface PlanFlags {
  day: string;
  shape?: string;
  p99?: string;
  specs?: string;
  headroom?: string;
  run?: string;
  json?: boolean;
}

function reportPath(runId: string, out: string | undefined): string {
  return out ?? path.join(resolveStoreOptions({}).home, 'reports', `capacity-${runId}.html`);
}

/** The plan for a stored run under other inputs than the run's own (`capacity plan`). */
async function replan(r: CapacityResult, flags: PlanFlags) {
  const usl = r.usl;
  if (!usl)
    throw new CliError(
      'MB_ERR_CAPACITY_NO_FIT',
      `capacity run ${r.runId} has no USL fit: ${r.uslNote ?? ''}`,
    );
  const volume = day(flags.day) as number;
  let shapeDef: Awaited<ReturnType<typeof loadScenario>>['definition'];
  shapeDef = (await loadScenario(flags.shape ?? DEFAULT_CAPACITY.scenario)).definition;
  let shape: ReturnType<typeof dayShape>;
  try {
    shape = dayShape(shapeDef);
  } catch (err) {
    throw new CliError('MB_ERR_USAGE', `--shape: ${(err as Error).message}`, { cause: err });
  }
  // With --p99, the knee is re-read on each step's p99 over every request; else on the run's objectives.
  const objs = flags.p99 !== undefined ? objectives(flags.p99, undefined) : r.objectives;
  const steps =
    flags.p99 !== undefined
      ? r.steps.map((s) => ({
          ...s,
          objectives: [{ slo: objs[0].name, value: s.p99Ms, requests: s.requests }],
        }))
      : r.steps;
  return planReplicas({
    dayRequests: volume,
    shape,
    model: usl,
    steps,
    objectives: objs,
    unit: r.loadModel === 'closed' ? 'VUs' : 'iterations/s',
    headroom: headroom(flags.headroom) ?? DEFAULT_CAPACITY.headroom,
    spansPerRequest: r.plan?.spansPerRequest ?? null,
    bytesPerSpan: r.plan?.bytesPerSpan ?? null,
    kneeN: (s) => (r.loadModel === 'closed' ? s.load : s.inFlightClient),
  });
}

export function register(program: Command): void {
  const capacity = program
    .command('capacity')
    .description(
      'capacity model: a stepped stress run fitted with the Universal Scalability Law, and replica plans',
    );
  capacity
    .command('run')
    .description(
      "step the load on a scenario's journey mix, fit the USL (N*, max throughput), find the knee under the latency SLOs, store and report it",
    )
    .argument('[scenario]', `scenario whose journey mix is stepped (default ${DEFAULT_CAPACITY.scenario})`)
    .option('--model <closed|open>', 'closed: concurrency (VU) steps; open: arrival-rate steps', 'closed')
    .option('--steps <n>', `number of load steps (default ${DEFAULT_CAPACITY.steps})`)
    .option(
      '--levels <list>',
      'explicit loads per step, e.g. 1,2,4,8,16 (VUs, or iterations/s with --model open)',
    )
    .option('--min-load <n>', `load of the first step (closed default ${DEFAULT_CAPACITY.minVus} VU)`)
    .option(
      '--max-load <n>',
      `load of the last step (closed default ${DEFAULT_CAPACITY.maxVus} VUs; open: 2× the scenario's peak rate)`,
    )
    .option('--step-duration <d>', 'measured part of each step (default 30s)')
    .option('--settle <d>', 'warm-up of each step before it is measured (default 10s)')
    .option(
      '--think',
      "keep the journeys' think times (default: dropped, so N VUs keep N requests in flight)",
    )
    .option(
      '--p99 <d>',
      'knee objective: p99 of every request within this (default: the latency SLOs of the specs)',
    )
    .option('--specs <dir>', 'SLO specs directory the default objectives are read from')
    .option('--day <n>', 'plan shown with the run: requests per day (default 100M)')
    .option(
      '--shape <scenario>',
      "plan: the day's traffic shape (default: the scenario, else marketplace-day)",
    )
    .option('--headroom <f>', 'plan: fraction of each replica kept free (default 0.3)')
    .option('--target <url>', 'loopback API under test instead of the embedded stack (no service CPU then)')
    .option('--port <n>', 'embedded stack: service port (env MARKETBENCH_PORT, default 8080; 0 = any)')
    .option(
      '--ingest-port <n>',
      'embedded stack: OTLP ingest port (env MARKETBENCH_INGEST_PORT, default 4318; 0 = any)',
    )
    .option('--items <n>', 'embedded stack: listings in the seeded catalog')
    .option('--seed <n>', 'seed of journey picks (reproducible mix)')
    .option('--workers <n>', 'generator threads')
    .option('--resamples <n>', 'bootstrap resamples of the fit (default 1000)')
    .option('--out <file>', 'HTML report path (default $MARKETBENCH_HOME/reports/capacity-<run-id>.html)')
    .option('--json', 'print the result as JSON (no progress line)')
    .addHelpText(
      'after',
      '\nExit codes: 0 done (the fit and knee are in the report), 1 bad flags or specs, 2 run error, 3 store unavailable.\nSee docs/CAPACITY.md for the model, the knee and the plan.',
    )
    .action(async (scenario: string | undefined, flags: RunFlags) => {
      if (flags.model !== 'closed' && flags.model !== 'open')
        throw new CliError('MB_ERR_USAGE', `--model must be closed or open, got "${flags.model}"`);
      const model = flags.model as LoadModel;
      const levels = flags.levels
        ?.split(',')
        .map((v) =>
          model === 'closed'
            ? (int('--levels', v.trim()) as number)
            : (positive('--levels', v.trim()) as number),
        );
      if (levels?.some((v, i) => i > 0 && v <= levels[i - 1]))
        throw new CliError('MB_ERR_USAGE', `--levels must be strictly ascending, got "${flags.levels}"`);
      const steps = int('--steps', flags.steps, 3);
      const objs = objectives(flags.p99, flags.specs);
      const interrupt = new AbortController();
      const onSigint = () => interrupt.abort();
      process.once('SIGINT', onSigint);
      const log = flags.json ? undefined : (line: string) => process.stderr.write(`${line}\n`);
      let file = '';
      try {
        const result = await runCapacity({
          scenario,
          model,
          levels,
          steps,
          minLoad:
            model === 'closed' ? int('--min-load', flags.minLoad) : positive('--min-load', flags.minLoad),
          maxLoad:
            model === 'closed' ? int('--max-load', flags.maxLoad) : positive('--max-load', flags.maxLoad),
          stepMs: duration('--step-duration', flags.stepDuration, 1000),
          settleMs: duration('--settle', flags.settle, 0),
          think: flags.think ?? false,
          objectives: objs,
          dayRequests: day(flags.day),
          shape: flags.shape,
          headroom: headroom(flags.headroom),
          target: flags.target,
          servicePort: int('--port', flags.port, 0),
          ingestPort: int('--ingest-port', flags.ingestPort, 0),
          items: int('--items', flags.items),
          seed: int('--seed', flags.seed, 0),
          workers: int('--workers', flags.workers),
          resamples: int('--resamples', flags.resamples, 10),
          log,
          signal: interrupt.signal,
          progress: !flags.json && process.stderr.isTTY ? process.stderr : undefined,
          onStored: async (store, r) => {
            file = reportPath(r.runId, flags.out);
            await writeCapacityReport(store, r, file);
          },
        });
        process.stdout.write(
          flags.json
            ? `${JSON.stringify({ ...result, reportPath: file }, jsonNumbers, 2)}\n`
            : formatCapacity(result, path.resolve(file)),
        );
      } finally {
        process.off('SIGINT', onSigint);
      }
      process.exitCode = EXIT.ok;
    });
  capacity
    .command('plan')
    .description(
      'replicas a day of traffic needs at its peak minute, from a stored capacity run (arithmetic shown)',
    )
    .requiredOption('--day <n>', 'requests per day: 100M, 1.5B, 250000')
    .option(
      '--shape <scenario>',
      `the day's traffic shape (a scenario with an arrival-rate profile; default ${DEFAULT_CAPACITY.scenario})`,
    )
    .option(
      '--p99 <d>',
      "latency objective: p99 of every request within this (default: the run's latency SLOs)",
    )
    .option(
      '--headroom <f>',
      `fraction of each replica kept free, 0–0.95 (default ${DEFAULT_CAPACITY.headroom})`,
    )
    .option('--run <id>', 'capacity run to plan from (default: the newest)')
    .option('--json', 'print the plan as JSON')
    .addHelpText(
      'after',
      '\nExit codes: 0 a plan, 1 bad flags or no capacity run in the store (MB_ERR_CAPACITY_NO_RUN), 3 store unavailable.',
    )
    .action(async (flags: PlanFlags) => {
      day(flags.day);
      headroom(flags.headroom);
      if (flags.p99 !== undefined) duration('--p99', flags.p99);
      const r = await withStore(async (store) =>
        readCapacity(store, await resolveCapacityRun(store, flags.run)),
      );
      const plan = await replan(r, flags);
      process.stdout.write(
        flags.json
          ? `${JSON.stringify({ runId: r.runId, ...plan }, jsonNumbers, 2)}\n`
          : `${formatPlan(plan)}\n  (from capacity run ${r.runId} of ${r.scenario}, ${r.startedAt}, fit R² ${r.usl?.fit.r2.toFixed(4)})\n`,
      );
    });
  capacity
    .command('report')
    .description('write the HTML report of a stored capacity run')
    .argument('[run-id]', 'capacity run (default: the newest)')
    .option('--out <file>', 'report path (default $MARKETBENCH_HOME/reports/capacity-<run-id>.html)')
    .action(async (runId: string | undefined, flags: { out?: string }) => {
      const file = await withStore(async (store) => {
        const r = await readCapacity(store, await resolveCapacityRun(store, runId));
        const out = reportPath(r.runId, flags.out);
        await writeCapacityReport(store, r, out);
        return out;
      });
      process.stdout.write(`report: ${path.resolve(file)}\n`);
    });
}

/** JSON has no Infinity: an unbounded N* or replica count prints as the string "Infinity". */
function jsonNumbers(_key: string, v: unknown): unknown {
  return typeof v === 'number' && !Number.isFinite(v) ? String(v) : v;
}
