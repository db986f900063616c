// Ingest benchmark: spans/s through the whole ingest (OTLP protobuf over loopback -> receiver ->
// spool -> batcher -> chDB) next to the raw chDB insert rate of the same rows, in one run.
// Usage: node bench/ingest/run.ts [--seconds 10] [--rounds 3] [--connections 4] [--spans 1000] [--fsync always|never]
// Bounded: one load phase of --seconds, loopback only, data in a temporary directory.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { OTEL_TABLES } from '@marketbench/contracts';
import { mapTraces } from '../../telemetry-store/src/ingest/mapTraces.ts';
import { decodeProtobuf } from '../../telemetry-store/src/ingest/otlpCodec.ts';
import { startIngest } from '../../telemetry-store/src/ingest/startIngest.ts';
import { openStore } from '../../telemetry-store/src/store/openStore.ts';
import { encodedSpans } from './spans.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '4' },
    spans: { type: 'string', default: '1000' },
    fsync: { type: 'string', default: 'always' },
    'raw-rows': { type: 'string', default: '100000' },
    rounds: { type: 'string', default: '3' },
  },
});
const seconds = Number(values.seconds);
const connections = Number(values.connections);
const spansPerRequest = Number(values.spans);
const fsync = values.fsync === 'never' ? 'never' : 'always';
const batchRows = 10_000;

const rounds = Number(values.rounds);
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'mb-bench-ingest-'));
const store = await openStore({ home, owner: true });
const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
try {
  // The same rows the ingest will write, pre-serialised, for the raw insert rate.
  let lines: string[] = [];
  for (let i = 0; lines.length < Number(values['raw-rows']); i++) {
    const rows = mapTraces(decodeProtobuf('traces', encodedSpans(i + 1, spansPerRequest))).rows.get(
      OTEL_TABLES.traces,
    )!;
    for (const l of rows) lines.push(l);
  }
  const blocks: string[] = [];
  for (let i = 0; i < lines.length; i += batchRows) blocks.push(lines.slice(i, i + batchRows).join('\n'));
  const rawRows = lines.length;
  lines = [];

  // Raw and end-to-end phases alternate, so that a busy machine slows both alike.
  const table: string[] = [];
  const cpuTable: string[] = [];
  const ratios: number[] = [];
  for (let round = 1; round <= rounds; round++) {
    // 1. Raw: straight into chDB in 10k-row blocks.
    const rawCpu = process.cpuUsage();
    const rawStart = performance.now();
    for (const b of blocks) await store.insertJsonEachRow(OTEL_TABLES.traces, b);
    const rawSeconds = (performance.now() - rawStart) / 1000;
    const rawRate = rawRows / rawSeconds;
    const rawCpuUsed = process.cpuUsage(rawCpu);
    // chDB's insert runs on its own threads: the process CPU time is what the raw insert costs.
    const rawPerCpu = rawRows / ((rawCpuUsed.user + rawCpuUsed.system) / 1e6);
    await store.exec(`TRUNCATE TABLE ${OTEL_TABLES.traces}`);

    // 2. End to end: a separate load process sends protobuf over loopback; this process runs the ingest.
    const ingest = await startIngest({ store, home, port: 0, fsync, batchRows, publishOwner: false });
    const load = spawn(
      process.execPath,
      [
        path.join(import.meta.dirname, 'load.ts'),
        ingest.url,
        String(seconds),
        String(connections),
        String(spansPerRequest),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    let cpuStart = process.cpuUsage();
    let mainStart = process.threadCpuUsage();
    let t0 = performance.now();
    const ready = new Promise<void>((resolve) => {
      load.stdout.on('data', (c) => {
        const before = out;
        out += c;
        if (!before.includes('ready\n') && out.includes('ready\n')) {
          // The clock starts when the load process has its bodies encoded and begins sending.
          t0 = performance.now();
          cpuStart = process.cpuUsage();
          mainStart = process.threadCpuUsage();
          resolve();
        }
      });
    });
    await new Promise((resolve) => load.once('exit', resolve));
    await ready;
    await ingest.flush();
    const e2eSeconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpuStart);
    const main = process.threadCpuUsage(mainStart);
    const result = JSON.parse(out.slice(out.indexOf('ready\n') + 6)) as {
      acked: number;
      statuses: Record<string, number>;
    };
    const stats = ingest.stats();
    const [{ n }] = await store.query<{ n: string }>(`SELECT count() AS n FROM ${OTEL_TABLES.traces}`);
    await ingest.close();
    await store.exec(`TRUNCATE TABLE ${OTEL_TABLES.traces}`);
    const e2eRate = stats.rows.traces.inserted / e2eSeconds;
    ratios.push(e2eRate / rawRate);
    const cores = (cpu.user + cpu.system) / 1e6 / e2eSeconds;
    // The main thread (HTTP, decode, map, spool, batching) is the part bound to one core.
    const mainSeconds = (main.user + main.system) / 1e6;
    const perMainCpu = stats.rows.traces.inserted / mainSeconds;
    const perProcessCpu = stats.rows.traces.inserted / ((cpu.user + cpu.system) / 1e6);
    cpuTable.push(
      `| ${round} | ${fmt(rawPerCpu)} | ${fmt(perProcessCpu)} | ${fmt(perMainCpu)} | ${mainSeconds.toFixed(2)} | ${(perProcessCpu / rawPerCpu).toFixed(2)} |`,
    );
    table.push(
      `| ${round} | raw chDB insert (JSONEachRow, 10k-row blocks) | ${fmt(rawRows)} | ${rawSeconds.toFixed(2)} | ${fmt(rawRate)} | 1.00 | |`,
      `| ${round} | end to end (OTLP protobuf -> receiver -> spool -> batcher -> chDB) | ${fmt(stats.rows.traces.inserted)} | ${e2eSeconds.toFixed(2)} | ${fmt(e2eRate)} | ${(e2eRate / rawRate).toFixed(2)} | ` +
        `acked ${fmt(result.acked)}, in table ${fmt(Number(n))}, responses ${JSON.stringify(result.statuses)}, ingest CPU ${cores.toFixed(2)} cores, ${stats.inserts} inserts, ${stats.spool.fsyncs} fsyncs |`,
    );
  }
  ratios.sort((a, b) => a - b);
  console.log(
    `\ningest benchmark (${os.cpus().length} cores, load average ${os.loadavg()[0].toFixed(1)}, node ${process.version}, fsync=${fsync}, ` +
      `${spansPerRequest} spans/request, ${connections} connections, ${seconds} s of load per round)\n`,
  );
  console.log('| round | path | spans | seconds | spans/s | vs raw | notes |');
  console.log('| ---: | --- | ---: | ---: | ---: | ---: | --- |');
  for (const row of table) console.log(row);
  console.log(`\nmedian end-to-end / raw (wall clock): ${ratios[Math.floor(ratios.length / 2)].toFixed(2)}`);
  console.log('\nCPU-normalised (what a busy, shared machine does not distort as much):\n');
  console.log(
    '| round | raw: spans per process CPU-s | end to end: spans per process CPU-s | end to end: spans per main-thread CPU-s (one core) | main-thread CPU-s | vs raw |',
  );
  console.log('| ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const row of cpuTable) console.log(row);
} finally {
  await store.close();
  fs.rmSync(home, { recursive: true, force: true });
}
