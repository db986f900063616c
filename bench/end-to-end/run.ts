// End-to-end benchmark of the whole embedded stack on one machine: the marketplace-day mix at a
// constant rate (default 560 iterations/s ≈ 1,200 req/s) for 60 s with every request traced, then a
// stress ramp that finds the knee. Loopback only, bounded in time. Prints a table.
//
//   node bench/end-to-end/run.ts [--warmup 15s] [--rate 560] [--duration 60s] [--stress-peak 2500] [--stress-duration 90s] [--skip-stress] [--keep DIR]
//
// Checks of the steady run: 0 dropped iterations, 0 lost spans (service span-pipeline drops, ingest
// drops, and requests without a server span), read p99 ≤ 50 ms.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { OTEL_TABLES, STEPS, TABLES } from '@marketbench/contracts';
import {
  BUILTIN_SCENARIOS,
  type RunResult,
  runScenario,
  type ScenarioDefinition,
} from '@marketbench/load-scenarios';
import { startStack } from '../../cli/src/stack/startStack.ts';
import type { Stack } from '../../cli/src/stack/types.ts';

const { values: args } = parseArgs({
  options: {
    rate: { type: 'string', default: '560' },
    duration: { type: 'string', default: '60s' },
    'stress-peak': { type: 'string', default: '2500' },
    'stress-duration': { type: 'string', default: '90s' },
    'skip-stress': { type: 'boolean', default: false },
    keep: { type: 'string' },
    warmup: { type: 'string', default: '15s' },
  },
});

const READ_STEPS = [
  STEPS.browse,
  STEPS.viewItem,
  STEPS.search,
  STEPS.seller,
  STEPS.viewCart,
  STEPS.viewOrder,
];

function constantMix(def: ScenarioDefinition, rate: number, duration: string): ScenarioDefinition {
  return {
    ...def,
    name: `${def.name}-constant`,
    options: {
      ...def.options,
      scenarios: {
        steady: {
          executor: 'constant-arrival-rate',
          rate,
          timeUnit: '1s',
          duration,
          preAllocatedVUs: 400,
          maxVUs: 4000,
          gracefulStop: '10s',
        },
      },
      thresholds: {},
    },
  };
}

async function spanAccounting(stack: Stack, runId: string) {
  const [row] = await stack.store.query<{
    rows: string;
    spans: string;
    readP99: number;
    readN: string;
    allP99: number;
  }>(
    `SELECT
       (SELECT count() FROM ${TABLES.loadRequests} WHERE run_id = {r:String}) AS rows,
       (SELECT count() FROM ${OTEL_TABLES.traces} s INNER JOIN (SELECT trace_id, span_id FROM ${TABLES.loadRequests} WHERE run_id = {r:String} AND status != 0) q
          ON s.TraceId = q.trace_id AND s.ParentSpanId = q.span_id WHERE s.SpanKind = 'Server') AS spans,
       (SELECT quantileExactInclusive(0.99)(latency_corrected_ms) FROM ${TABLES.loadRequests} WHERE run_id = {r:String} AND step IN {read:Array(String)}) AS readP99,
       (SELECT count() FROM ${TABLES.loadRequests} WHERE run_id = {r:String} AND step IN {read:Array(String)}) AS readN,
       (SELECT quantileExactInclusive(0.99)(latency_corrected_ms) FROM ${TABLES.loadRequests} WHERE run_id = {r:String}) AS allP99`,
    { r: runId, read: READ_STEPS },
  );
  const [sent] = await stack.store.query<{ n: string }>(
    `SELECT count() AS n FROM ${TABLES.loadRequests} WHERE run_id = {r:String} AND status != 0`,
    { r: runId },
  );
  return {
    rows: Number(row.rows),
    answered: Number(sent.n),
    spans: Number(row.spans),
    readP99: Number(row.readP99),
    readN: Number(row.readN),
    allP99: Number(row.allP99),
  };
}

/** CPU seconds (user + system) of a process, from /proc (Linux). */
function procCpuSec(pid: number): number {
  try {
    const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = f.slice(f.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

/** Busy and total CPU seconds of the whole machine, from /proc/stat. */
function machineCpuSec(): { busy: number; total: number } {
  const [, ...v] = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
  const n = v.map(Number);
  const idle = n[3] + (n[4] ?? 0);
  const total = n.reduce((a, b) => a + b, 0);
  return { busy: (total - idle) / 100, total: total / 100 };
}

/** CPU use of the service child, this process (generator + ingest + chDB) and everything else, % of one core. */
function cpuMeter(servicePid: number) {
  const t0 = Date.now();
  const s0 = procCpuSec(servicePid);
  const m0 = procCpuSec(process.pid);
  const w0 = machineCpuSec();
  return () => {
    const sec = (Date.now() - t0) / 1000;
    const service = ((procCpuSec(servicePid) - s0) / sec) * 100;
    const main = ((procCpuSec(process.pid) - m0) / sec) * 100;
    const w1 = machineCpuSec();
    const machine = ((w1.busy - w0.busy) / sec) * 100;
    return `service ${fmt(service)}%, generator+ingest+chDB ${fmt(main)}%, rest of the machine ${fmt(machine - service - main)}% (of ${os.cpus().length * 100}%)`;
  };
}

function fmt(n: number, d = 0): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
}

// --keep DIR keeps the store (and its runs) for inspection with `MARKETBENCH_HOME=DIR marketbench query`.
const home = args.keep ?? fs.mkdtempSync(path.join(os.tmpdir(), 'mb-bench-e2e-'));
const out: string[][] = [];
let exitCode = 0;
const stack = await startStack({
  home,
  ingestPort: 0,
  servicePort: 0,
  log: (l) => process.stderr.write(`[bench] ${l}\n`),
});
try {
  const day = BUILTIN_SCENARIOS['marketplace-day'];
  const rate = Number(args.rate);
  // Warm-up at the same rate, not measured: JIT, SQLite page cache, keep-alive connections and the
  // OTLP export path all start cold, and the first seconds after start-up stall (p99 in seconds).
  if (args.warmup !== '0s') {
    process.stderr.write(`[bench] warm-up: ${args.warmup} at ${rate} iterations/s (not measured)\n`);
    await runScenario(constantMix(day, rate, args.warmup), {
      target: stack.serviceUrl,
      adminToken: stack.adminToken,
      seed: 3,
    });
    await stack.flushTelemetry();
  }
  process.stderr.write(`[bench] steady: marketplace-day mix at ${rate} iterations/s for ${args.duration}\n`);
  const steadyCpu = cpuMeter(stack.servicePid);
  const steady: RunResult = await runScenario(constantMix(day, rate, args.duration), {
    target: stack.serviceUrl,
    store: stack.store,
    adminToken: stack.adminToken,
    seed: 1,
    isolate: true,
    progress: process.stderr.isTTY ? process.stderr : undefined,
  });
  const steadyCpuLine = steadyCpu();
  const tel = await stack.flushTelemetry();
  const ingestStats = stack.ingest.stats() as unknown as Record<string, unknown>;
  const acc = await spanAccounting(stack, steady.runId);
  const reqRate = steady.totals.requests / steady.durationSec;
  const lostSpans = tel.stats.spansDropped + (acc.answered - acc.spans);
  const checks = {
    rate: reqRate >= 1200,
    dropped: steady.totals.droppedIterations === 0,
    lost: lostSpans === 0,
    p99: acc.readP99 <= 50,
  };
  out.push(['steady: requests/s achieved (target ≥ 1,200)', fmt(reqRate), checks.rate ? 'ok' : 'MISSED']);
  out.push([
    'steady: requests / iterations',
    `${fmt(steady.totals.requests)} / ${fmt(steady.totals.iterations)}`,
    '',
  ]);
  out.push([
    'steady: dropped iterations (target 0)',
    fmt(steady.totals.droppedIterations),
    checks.dropped ? 'ok' : 'MISSED',
  ]);
  out.push([
    'steady: lost spans (target 0)',
    `${fmt(lostSpans)} (service dropped ${tel.stats.spansDropped}, answered requests without a server span ${acc.answered - acc.spans})`,
    checks.lost ? 'ok' : 'MISSED',
  ]);
  out.push(['steady: spans exported by the service', fmt(tel.stats.spansExported), '']);
  out.push([
    'steady: read p99 corrected, ms (target ≤ 50)',
    `${fmt(acc.readP99, 1)} over ${fmt(acc.readN)} reads`,
    checks.p99 ? 'ok' : 'MISSED',
  ]);
  out.push(['steady: all-steps p99 corrected, ms', fmt(acc.allP99, 1), '']);
  out.push(['steady: errors', fmt(steady.totals.errors), '']);
  out.push([
    'steady: generator CPU, % of one core (mean / max)',
    `${fmt(steady.generatorCpu.meanPercent)} / ${fmt(steady.generatorCpu.maxPercent)}`,
    '',
  ]);
  out.push(['steady: CPU by process, % of one core', steadyCpuLine, '']);
  out.push(['steady: ingest counters', JSON.stringify(ingestStats).slice(0, 160), '']);
  if (!Object.values(checks).every(Boolean)) exitCode = 1;

  if (!args['skip-stress']) {
    const peak = Number(args['stress-peak']);
    process.stderr.write(`[bench] stress: ramp to ${peak} iterations/s over ${args['stress-duration']}\n`);
    const stressCpu = cpuMeter(stack.servicePid);
    const stress = await runScenario(BUILTIN_SCENARIOS.stress, {
      target: stack.serviceUrl,
      store: stack.store,
      adminToken: stack.adminToken,
      seed: 2,
      isolate: true,
      overrides: { rate: peak, duration: args['stress-duration'] },
      progress: process.stderr.isTTY ? process.stderr : undefined,
    });
    const stressCpuLine = stressCpu();
    const perIteration = stress.totals.iterations > 0 ? stress.totals.requests / stress.totals.iterations : 2;
    if (stress.knee) {
      const kneeReq = stress.knee.achievedRate * perIteration;
      out.push([
        'stress: knee, requests/s achieved (target ≥ 2,500)',
        `${fmt(kneeReq)} (target ${fmt(stress.knee.targetRate * perIteration)} req/s, p99 ${fmt(stress.knee.p99Ms, 1)} ms at ${fmt(stress.knee.elapsedSec)} s)`,
        kneeReq >= 2500 ? 'ok' : 'MISSED',
      ]);
    } else {
      out.push(['stress: knee', `none found up to ${fmt(peak * perIteration)} req/s`, 'ok']);
    }
    out.push([
      'stress: generator CPU, % of one core (mean / max)',
      `${fmt(stress.generatorCpu.meanPercent)} / ${fmt(stress.generatorCpu.maxPercent)}`,
      '',
    ]);
    out.push(['stress: CPU by process, % of one core', stressCpuLine, '']);
    const last = stress.samples
      .slice(-8)
      .map(
        (s) =>
          `${fmt(s.targetRate)}→${fmt(s.achievedRate)} it/s p99 ${fmt(s.p99Ms)} ms cpu ${fmt(s.generatorCpu)}%`,
      );
    out.push(['stress: last seconds (target→achieved, p99, generator CPU)', last.join('; '), '']);
  }
} finally {
  await stack.stop();
  if (!args.keep) fs.rmSync(home, { recursive: true, force: true });
}

const w0 = Math.max(...out.map((r) => r[0].length));
process.stdout.write(
  `\nbench/end-to-end (${os.cpus().length} CPUs, load average ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')})\n\n`,
);
for (const r of out) process.stdout.write(`${r[0].padEnd(w0)}  ${r[2].padEnd(6)}  ${r[1]}\n`);
process.exitCode = exitCode;
