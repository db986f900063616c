// `marketbench scenario derive|compare|init`: a scenario from the traffic a store recorded (any
// store with the collector exporter's schema), the fidelity of a run to its source (route mix,
// status mix, rate per bucket), and a starting scenario from an OpenAPI document. The logic
// lives in @marketbench/load-scenarios (derive/); this is flags, files and printing.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  ATTR,
  EXIT,
  OTEL_TABLES,
  parseDuration,
  parseNumber,
  SERVICES,
  TABLES,
} from '@marketbench/contracts';
import {
  compareProfiles,
  deriveScenario,
  formatComparison,
  type IdModel,
  readTrafficProfile,
  renderScenario,
  ScenarioError,
  scaffoldFromOpenApi,
  type TrafficComparison,
  type TrafficProfile,
  type TrafficSelection,
} from '@marketbench/load-scenarios';
import type { Store } from '@marketbench/telemetry-store';
import type { Command } from 'commander';
import YAML from 'yaml';
import { CliError } from '../errors.ts';
import { withStore } from '../stack/withStore.ts';

interface DeriveFlags {
  service?: string;
  from?: string;
  to?: string;
  window?: string;
  run?: string;
  environment?: string;
  speedup: string;
  rateScale: string;
  ids: string;
  bucket: string;
  minSpans: string;
  sampleSpans: string;
  name?: string;
  out?: string;
  force?: boolean;
}

interface CompareFlags {
  source?: string;
  service?: string;
  bucket: string;
  maxRouteDistance?: string;
  maxStatusDistance?: string;
  maxRateError?: string;
  json?: boolean;
}

interface InitFlags {
  fromOpenapi: string;
  name?: string;
  out?: string;
  force?: boolean;
}

/** A point in time: ISO 8601 or milliseconds since the epoch. */
function parseTime(flag: string, text: string): number {
  const ms = /^\d{10,}$/.test(text) ? Number(text) : Date.parse(text);
  if (!Number.isFinite(ms))
    throw new CliError(
      'MB_ERR_USAGE',
      `${flag} must be an ISO 8601 time (2026-12-03T10:00:00Z) or epoch ms, got "${text}"`,
    );
  return ms;
}

interface RunWindow {
  fromMs: number;
  toMs: number;
}

/**
 * A load run's window: from its first server span (the moment its schedule began, where the run
 * row's start is some hundreds of ms earlier, before the stack and the workers were ready) to its
 * end, so that two runs' buckets line up.
 */
async function runWindow(store: Store, runId: string): Promise<RunWindow> {
  const rows = await store.query<{ from: string | number; to: string | number }>(
    `SELECT toUnixTimestamp64Milli(started_at) AS from,
       toUnixTimestamp64Milli(coalesce(ended_at, updated_at)) AS to
FROM ${TABLES.loadRuns} FINAL WHERE run_id = {runId:String}`,
    { runId },
  );
  if (rows.length === 0) throw new CliError('MB_ERR_RUN_UNKNOWN', `no load run "${runId}" in the store`);
  const started = Number(rows[0].from);
  const ended = Number(rows[0].to);
  const [spans] = await store.query<{ first: string | number; last: string | number; n: string | number }>(
    `SELECT toUnixTimestamp64Milli(min(Timestamp)) AS first, toUnixTimestamp64Milli(max(Timestamp)) AS last, count() AS n
FROM ${OTEL_TABLES.traces}
WHERE SpanKind = 'Server' AND SpanAttributes['${ATTR.runId}'] = {runId:String}
  AND Timestamp >= fromUnixTimestamp64Milli({from:Int64}) AND Timestamp < fromUnixTimestamp64Milli({to:Int64})`,
    { runId, from: started - 60_000, to: ended + 60_000 },
  );
  if (!spans || Number(spans.n) === 0) return { fromMs: started, toMs: ended + 1 };
  return { fromMs: Number(spans.first), toMs: Math.max(ended, Number(spans.last)) + 1 };
}

/** The service with the most server spans in the selection (the user did not name one). */
async function busiestService(
  store: Store,
  sel: Omit<TrafficSelection, 'service'>,
): Promise<string | undefined> {
  const rows = await store.query<{ service: string; n: string | number }>(
    `SELECT ServiceName AS service, count() AS n FROM ${OTEL_TABLES.traces}
WHERE SpanKind = 'Server' AND Timestamp >= fromUnixTimestamp64Milli({fromMs:Int64}) AND Timestamp < fromUnixTimestamp64Milli({toMs:Int64})
${sel.runId !== undefined ? `AND SpanAttributes['${ATTR.runId}'] = {runId:String}` : ''}
GROUP BY service ORDER BY n DESC, service LIMIT 5`,
    { fromMs: sel.fromMs, toMs: sel.toMs, ...(sel.runId !== undefined ? { runId: sel.runId } : {}) },
  );
  if (rows.length > 1) {
    process.stderr.write(
      `marketbench: no --service given: deriving from ${rows[0].service} (${rows[0].n} server spans); also in the window: ${rows
        .slice(1)
        .map((r) => `${r.service} (${r.n})`)
        .join(', ')}\n`,
    );
  }
  return rows[0]?.service;
}

function writeOutput(out: string, text: string, force: boolean | undefined): void {
  if (out === '-') {
    process.stdout.write(text);
    return;
  }
  if (existsSync(out) && !force)
    throw new CliError('MB_ERR_USAGE', `${out} exists; pass --force to overwrite it, or --out another file`);
  writeFileSync(out, text);
  process.stderr.write(`marketbench: wrote ${out}\n`);
}

function commandLine(): string {
  return ['marketbench', ...process.argv.slice(2)]
    .map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, "'\\''")}'`))
    .join(' ');
}

async function derive(flags: DeriveFlags): Promise<void> {
  const speedup = parseNumber(flags.speedup, '--speedup', { min: Number.MIN_VALUE });
  const rateScale = parseNumber(flags.rateScale, '--rate-scale', { min: Number.MIN_VALUE });
  const bucketSeconds = parseDuration(flags.bucket, '--bucket', { minMs: 1000 }) / 1000;
  const minSpans = parseNumber(flags.minSpans, '--min-spans', { integer: true, min: 1 });
  const sampleSpans = parseNumber(flags.sampleSpans, '--sample-spans', { integer: true, min: 1000 });
  if (flags.ids !== 'empirical' && flags.ids !== 'zipf')
    throw new CliError('MB_ERR_USAGE', `--ids must be empirical or zipf, got "${flags.ids}"`);
  const ways = [flags.run !== undefined, flags.window !== undefined || flags.from !== undefined].filter(
    Boolean,
  ).length;
  if (ways !== 1)
    throw new CliError(
      'MB_ERR_USAGE',
      'give the source window: --window 24h (ending now or at --to), --from/--to, or --run RUN_ID',
    );
  if (flags.window !== undefined && flags.from !== undefined)
    throw new CliError('MB_ERR_USAGE', '--window and --from contradict each other: give one');
  await withStore(async (store) => {
    let fromMs: number;
    let toMs: number;
    if (flags.run !== undefined) ({ fromMs, toMs } = await runWindow(store, flags.run));
    else {
      toMs = flags.to !== undefined ? parseTime('--to', flags.to) : Date.now();
      fromMs =
        flags.from !== undefined
          ? parseTime('--from', flags.from)
          : toMs - parseDuration(flags.window as string, '--window', { minMs: 1000 });
      if (flags.window !== undefined && flags.to === undefined) {
        // A window ending now starts and ends on whole minutes, so the per-minute rollup can answer.
        toMs = Math.floor(toMs / 60_000) * 60_000;
        fromMs = Math.floor(fromMs / 60_000) * 60_000;
      }
      if (fromMs >= toMs) throw new CliError('MB_ERR_USAGE', '--from must be before --to');
    }
    const base = {
      fromMs,
      toMs,
      ...(flags.environment !== undefined ? { environment: flags.environment } : {}),
      ...(flags.run !== undefined ? { runId: flags.run } : {}),
    };
    const service = flags.service ?? (await busiestService(store, base)) ?? SERVICES.reference;
    const profile = await readTrafficProfile(store, { ...base, service }, { bucketSeconds, sampleSpans });
    const derived = deriveScenario(profile, {
      name: flags.name,
      speedup,
      rateScale,
      ids: flags.ids as IdModel,
      minSpans,
    });
    writeOutput(flags.out ?? `${derived.name}.ts`, renderScenario(derived, commandLine()), flags.force);
    process.stderr.write(
      `marketbench: ${profile.spans.toLocaleString('en-US')} server spans of ${service} → ${derived.journeys.length} journeys, ${derived.feeders.length} feeders, ${profile.buckets.length} rate buckets (peak ${derived.peakRate.toFixed(1)} iterations/s)\n`,
    );
  });
}

/** What `scenario compare --source` reads from a derived scenario file. */
interface DerivedFrom {
  service: string;
  environment?: string;
  runId?: string;
  from: string;
  to: string;
  bucketSeconds: number;
  speedup: number;
  rateScale: number;
}

async function readDerivedFrom(file: string): Promise<DerivedFrom> {
  let mod: { derivedFrom?: DerivedFrom };
  try {
    mod = await import(pathToFileURL(path.resolve(file)).href);
  } catch (err) {
    throw new ScenarioError('MB_ERR_SCENARIO_LOAD', `cannot import ${file}: ${(err as Error).message}`);
  }
  const d = mod.derivedFrom;
  if (!d || typeof d.service !== 'string' || !Number.isFinite(Date.parse(d.from)) || !(d.bucketSeconds > 0))
    throw new ScenarioError(
      'MB_ERR_SCENARIO_LOAD',
      `${file} has no derivedFrom export (service, from, to, bucketSeconds, speedup, rateScale): only a file written by \`marketbench scenario derive\` has its source window`,
    );
  return d;
}

function limit(flag: string, text: string | undefined): number | undefined {
  return text === undefined ? undefined : parseNumber(text, flag, { min: 0, max: 1 });
}

/** The limits a comparison broke, as lines. */
function broken(c: TrafficComparison, flags: CompareFlags): string[] {
  const out: string[] = [];
  const check = (name: string, value: number, max: number | undefined) => {
    if (max !== undefined && value > max) out.push(`${name} ${value.toFixed(4)} > ${max}`);
  };
  check('route mix distance', c.routeMix.distance, limit('--max-route-distance', flags.maxRouteDistance));
  check('status mix distance', c.statusMix.distance, limit('--max-status-distance', flags.maxStatusDistance));
  check('rate error (share of peak)', c.rate.maxErrorOfPeak, limit('--max-rate-error', flags.maxRateError));
  return out;
}

async function compare(a: string, b: string | undefined, flags: CompareFlags): Promise<void> {
  if ((b === undefined) === (flags.source === undefined))
    throw new CliError(
      'MB_ERR_USAGE',
      'compare two runs (RUN_A RUN_B) or one run with the source of its scenario (RUN --source FILE.ts)',
    );
  const bucketSeconds = parseDuration(flags.bucket, '--bucket', { minMs: 1000 }) / 1000;
  // Validate the limits before reading anything.
  for (const [f, v] of [
    ['--max-route-distance', flags.maxRouteDistance],
    ['--max-status-distance', flags.maxStatusDistance],
    ['--max-rate-error', flags.maxRateError],
  ] as const)
    limit(f, v);
  const source = flags.source !== undefined ? await readDerivedFrom(flags.source) : undefined;
  const { comparison, labels } = await withStore(async (store) => {
    const runProfile = async (runId: string, bucket: number, service?: string): Promise<TrafficProfile> => {
      const w = await runWindow(store, runId);
      const svc = service ?? (await busiestService(store, { ...w, runId })) ?? SERVICES.reference;
      return readTrafficProfile(
        store,
        { service: svc, ...w, runId },
        { bucketSeconds: bucket, useRollup: false },
      );
    };
    if (source) {
      const reference = await readTrafficProfile(
        store,
        {
          service: source.service,
          fromMs: Date.parse(source.from),
          toMs: Date.parse(source.to),
          ...(source.environment !== undefined ? { environment: source.environment } : {}),
          ...(source.runId !== undefined ? { runId: source.runId } : {}),
        },
        { bucketSeconds: source.bucketSeconds },
      );
      const candidate = await runProfile(
        a,
        source.bucketSeconds / source.speedup,
        flags.service ?? source.service,
      );
      return {
        comparison: compareProfiles(reference, candidate, { rateScale: source.rateScale }),
        labels: {
          reference: `source of ${flags.source}: ${source.service} ${source.from} to ${source.to}${source.rateScale !== 1 ? ` × ${source.rateScale}` : ''}`,
          candidate: `run ${a}`,
        },
      };
    }
    const reference = await runProfile(a, bucketSeconds, flags.service);
    const candidate = await runProfile(b as string, bucketSeconds, flags.service);
    return {
      comparison: compareProfiles(reference, candidate),
      labels: { reference: `run ${a}`, candidate: `run ${b}` },
    };
  });
  const failures = broken(comparison, flags);
  if (flags.json) {
    process.stdout.write(
      `${JSON.stringify(
        {
          reference: labels.reference,
          candidate: labels.candidate,
          routeMixDistance: comparison.routeMix.distance,
          statusMixDistance: comparison.statusMix.distance,
          rate: {
            peakPerSecond: comparison.rate.peak,
            maxErrorPerSecond: comparison.rate.maxError,
            meanErrorPerSecond: comparison.rate.meanError,
            maxErrorOfPeak: comparison.rate.maxErrorOfPeak,
            buckets: comparison.rate.rows,
          },
          routeMix: comparison.routeMix.rows,
          statusMix: comparison.statusMix.rows,
          spans: comparison.spans,
          broken: failures,
        },
        null,
        2,
      )}\n`,
    );
  } else {
    process.stdout.write(formatComparison(comparison, labels));
    for (const f of failures) process.stdout.write(`✗ ${f}\n`);
  }
  if (failures.length > 0) process.exitCode = EXIT.thresholdsFailed;
}

async function readDocument(location: string): Promise<unknown> {
  let text: string;
  try {
    if (/^https?:\/\//i.test(location)) {
      const res = await fetch(location, { signal: AbortSignal.timeout(10_000) });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      text = await res.text();
    } else text = readFileSync(location, 'utf8');
  } catch (err) {
    throw new ScenarioError('MB_ERR_SCENARIO_OPENAPI', `cannot read ${location}: ${(err as Error).message}`);
  }
  try {
    return /^\s*[{[]/.test(text) ? JSON.parse(text) : YAML.parse(text);
  } catch (err) {
    throw new ScenarioError(
      'MB_ERR_SCENARIO_OPENAPI',
      `${location} is neither JSON nor YAML: ${(err as Error).message.split('\n')[0]}`,
    );
  }
}

async function init(flags: InitFlags): Promise<void> {
  const doc = await readDocument(flags.fromOpenapi);
  const source = scaffoldFromOpenApi(doc, { name: flags.name, source: flags.fromOpenapi });
  const name = /name: '([^']+)'/.exec(source)?.[1] ?? 'smoke';
  writeOutput(flags.out ?? `${name}.ts`, source, flags.force);
}

export function register(program: Command): void {
  const scenario = program
    .command('scenario')
    .description(
      'derive a scenario from recorded traffic, measure its fidelity, or scaffold one from OpenAPI',
    );
  scenario
    .command('derive')
    .description('write a scenario file from the server spans a store recorded (collector exporter schema)')
    .option(
      '--service <name>',
      'service.name of the server spans (default: the busiest service in the window)',
    )
    .option('--window <duration>', 'the source window: this long, ending now (or at --to), e.g. 24h')
    .option('--from <time>', 'start of the source window (ISO 8601 or epoch ms)')
    .option('--to <time>', 'end of the source window (default now)')
    .option('--run <run-id>', 'the source window is this load run (its spans only)')
    .option('--environment <env>', 'only spans of this deployment.environment.name')
    .option('--speedup <n>', 'compress time by this factor, not the rate (24 h at 360 → 4 min)', '1')
    .option('--rate-scale <n>', 'multiply every rate by this (3 = three times the recorded traffic)', '1')
    .option(
      '--ids <model>',
      'path ids drawn as observed (empirical) or from a fitted Zipf law (zipf)',
      'empirical',
    )
    .option('--bucket <duration>', 'width of a rate bucket (one stage each)', '1m')
    .option('--min-spans <n>', 'refuse a window with fewer server spans', '1000')
    .option(
      '--sample-spans <n>',
      'read paths, queries, body sizes and sessions from at most this many spans',
      '1000000',
    )
    .option('--name <name>', 'scenario name (default derived-<service>)')
    .option('--out <file>', 'where to write the scenario (default <name>.ts; - for stdout)')
    .option('--force', 'overwrite --out if it exists')
    .addHelpText(
      'after',
      `
Examples:
  marketbench scenario derive --service shop-api --window 24h --speedup 360 --rate-scale 3
  marketbench scenario derive --run 01JF3… --bucket 10s --out replay.ts && marketbench run replay.ts

Reads only the OpenTelemetry Collector ClickHouse exporter's columns of ${OTEL_TABLES.traces} (CLICKHOUSE_URL for a
server). Exit codes: 0 written, 1 bad flags or too few spans (MB_ERR_SCENARIO_DERIVE_SPANS), 3 store unavailable.`,
    )
    .action((flags: DeriveFlags) => derive(flags));
  scenario
    .command('compare')
    .description(
      'route-mix and status-mix distance and per-bucket rate error between two runs, or a run and its source',
    )
    .argument('<run-a>', 'the reference run (or, with --source, the run of the derived scenario)')
    .argument('[run-b]', 'the run compared with run-a')
    .option(
      '--source <file>',
      'a scenario written by `scenario derive`: compare run-a with its source window',
    )
    .option('--service <name>', "service.name of the runs' server spans (default: the busiest)")
    .option('--bucket <duration>', 'width of a rate bucket when comparing two runs', '1m')
    .option('--max-route-distance <x>', 'exit 99 when the route-mix distance is above x (0..1)')
    .option('--max-status-distance <x>', 'exit 99 when the status-mix distance is above x (0..1)')
    .option('--max-rate-error <x>', "exit 99 when a bucket's rate error is above x × the peak rate (0..1)")
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      '\nExit codes: 0 ok, 99 a --max-* limit broken, 1 bad flags or unknown run, 3 store unavailable.',
    )
    .action((a: string, b: string | undefined, flags: CompareFlags) => compare(a, b, flags));
  scenario
    .command('init')
    .description(
      'write a starting scenario (a smoke journey over the GET operations) from an OpenAPI 3.x document',
    )
    .requiredOption(
      '--from-openapi <file|url>',
      'the OpenAPI document (JSON or YAML), a file or an http(s) URL',
    )
    .option('--name <name>', 'scenario name (default <title>-smoke)')
    .option('--out <file>', 'where to write the scenario (default <name>.ts; - for stdout)')
    .option('--force', 'overwrite --out if it exists')
    .action((flags: InitFlags) => init(flags));
}
