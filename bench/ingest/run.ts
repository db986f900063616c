// Ingest benchmark: spans/s through the whole ingest (OTLP protobuf over loopback -> receiver ->
// spool -> batcher -> chDB) next to the raw chDB insert rate of the same rows, in one run.
// Usage: node bench/ingest/run.ts [--seconds 10] [--connections 4] [--spans 1000] [--fsync always|never]
// Bounded: one load phase of --seconds, loopback only, data in a temporary directory.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
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
    'raw-rows': { type: 'string', default: '200000' },
  },
});
const seconds = Number(values.seconds);
const connections = Number(values.connections);
const spansPerRequest = Number(values.spans);
const fsync = values.fsync === 'never' ? 'never' : 'always';
const batchRows = 10_000;

const home = fs.mkdtempSync(path.join(os.tmpdir(), 'mb-bench-ingest-'));
const store = await openStore({ home, owner: true });
try {
  // 1. Raw: the same rows, pre-serialised, inserted straight into chDB in 10k-row blocks.
  const lines: string[] = [];
  for (let i = 0; lines.length < Number(values['raw-rows']); i++) {
    const rows = mapTraces(decodeProtobuf('traces', encodedSpans(i + 1, spansPerRequest))).rows.get(
      'otel_traces',
    )!;
    for (const l of rows) lines.push(l);
  }
  const blocks: string[] = [];
  for (let i = 0; i < lines.length; i += batchRows) blocks.push(lines.slice(i, i + batchRows).join('\n'));
  const rawStart = performance.now();
  for (const b of blocks) await store.insertJsonEachRow('otel_traces', b);
  const rawSeconds = (performance.now() - rawStart) / 1000;
  const rawRate = lines.length / rawSeconds;
  await store.exec('TRUNCATE TABLE otel_traces');

  // 2. End to end: a separate load process sends protobuf over loopback; this process runs the ingest.
  const ingest = await startIngest({ store, home, port: 0, fsync, batchRows, publishOwner: false });
  const cpuStart = process.cpuUsage();
  const t0 = performance.now();
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
  load.stdout.on('data', (c) => {
    out += c;
  });
  await new Promise((resolve) => load.once('exit', resolve));
  await ingest.flush();
  const e2eSeconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  const result = JSON.parse(out) as { acked: number; statuses: Record<string, number> };
  const stats = ingest.stats();
  const [{ n }] = await store.query<{ n: string }>('SELECT count() AS n FROM otel_traces');
  await ingest.close();
  const e2eRate = stats.rows.traces.inserted / e2eSeconds;
  const mainThreadCores = (cpu.user + cpu.system) / 1e6 / e2eSeconds;

  const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
  console.log(
    `\ningest benchmark (${os.cpus().length} cores, node ${process.version}, fsync=${fsync}, ${spansPerRequest} spans/request, ${connections} connections)\n`,
  );
  console.log('| path | spans | seconds | spans/s | vs raw |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  console.log(
    `| raw chDB insert (JSONEachRow, 10k-row blocks) | ${fmt(lines.length)} | ${rawSeconds.toFixed(2)} | ${fmt(rawRate)} | 1.00 |`,
  );
  console.log(
    `| end to end (OTLP protobuf -> receiver -> spool -> batcher -> chDB) | ${fmt(stats.rows.traces.inserted)} | ${e2eSeconds.toFixed(2)} | ${fmt(e2eRate)} | ${(e2eRate / rawRate).toFixed(2)} |`,
  );
  console.log(
    `\nacknowledged ${fmt(result.acked)} spans, inserted ${fmt(stats.rows.traces.inserted)}, rows in table ${fmt(Number(n))}; ` +
      `responses ${JSON.stringify(result.statuses)}; ingest process CPU ${mainThreadCores.toFixed(2)} cores (main thread + chDB threads); ` +
      `inserts ${stats.inserts}, fsyncs ${stats.spool.fsyncs}`,
  );
} finally {
  await store.close();
  fs.rmSync(home, { recursive: true, force: true });
}
