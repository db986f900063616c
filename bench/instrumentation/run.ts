// Benchmark: the same trivial JSON route served four ways (plain Fastify, prom-client only,
// stock OpenTelemetry, @marketbench/instrumentation), each in its own process, each driven by
// autocannon (in this process, not the server's) with the same connections for the same time.
// Spans go to a counting OTLP/HTTP endpoint on 127.0.0.1 in a worker thread. Prints requests/s,
// ratio to plain, p99, spans exported per request served and the server's RSS.
//
//   node bench/instrumentation/run.ts [--duration 10] [--warmup 2] [--connections 50]
//        [--variants plain,prom,stock,ours,ours-json] [--batch 1024] [--rounds 1] [--traceparent]
//
// Besides req/s (which on a shared machine moves with everyone else's load) it prints the server
// process's CPU time per request, the steadier measure of what the instrumentation costs.

import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import autocannon from 'autocannon';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    connections: { type: 'string', default: '50' },
    variants: { type: 'string', default: 'plain,prom,stock,ours,ours-json' },
    batch: { type: 'string' },
    rounds: { type: 'string', default: '1' },
    // Send W3C traceparent + baggage like the load generator does (one remote parent for all).
    traceparent: { type: 'boolean', default: false },
  },
});
const duration = Number(values.duration);
const warmup = Number(values.warmup);
const connections = Number(values.connections);
const variants = values.variants.split(',');
const rounds = Number(values.rounds);

const sink = new Worker(fileURLToPath(new URL('./countingSink.ts', import.meta.url)));
function ask<T>(msg: { type: string }, reply: string): Promise<T> {
  return new Promise((resolve) => {
    const on = (m: { type: string }) => {
      if (m.type !== reply) return;
      sink.off('message', on);
      resolve(m as T);
    };
    sink.on('message', on);
    sink.postMessage(msg);
  });
}
const { port: sinkPort } = await new Promise<{ port: number }>((resolve) =>
  sink.once('message', (m: { port: number }) => resolve(m)),
);

function load(url: string, seconds: number): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    const headers = values.traceparent
      ? {
          traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
          baggage: 'marketbench.run_id=bench',
        }
      : undefined;
    autocannon({ url, connections, duration: seconds, pipelining: 1, headers }, (err, result) =>
      err ? reject(err) : resolve(result),
    );
  });
}

interface Row {
  variant: string;
  rps: number;
  p99: number;
  requests: number;
  errors: number;
  spans: number;
  rssMb: number;
  cpuPerRequest: number;
  mainPerRequest: number;
  /** Spans the instrumentation counted as dropped (ours only; the stock processor does not count). */
  dropped: number | undefined;
}

async function runVariant(variant: string): Promise<Row> {
  await ask({ type: 'reset' }, 'reset');
  const child: ChildProcess = fork(fileURLToPath(new URL('./server.ts', import.meta.url)), [variant], {
    env: { ...process.env, BENCH_OTLP: `http://127.0.0.1:${sinkPort}`, BENCH_BATCH: values.batch ?? '' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    // BENCH_EXEC_ARGV: V8/Node flags for the server process (diagnostics, e.g. --single-threaded-gc).
    execArgv: process.env.BENCH_EXEC_ARGV ? process.env.BENCH_EXEC_ARGV.split(' ') : [],
  });
  const [ready] = (await once(child, 'message')) as [{ port: number }];
  const url = `http://127.0.0.1:${ready.port}/listings/42`;
  if (warmup > 0) await load(url, warmup);
  // Spans from the warm-up are exported now and not counted against the measured requests.
  // Let the warm-up's last responses finish before its spans are flushed and the count reset.
  await new Promise((r) => setTimeout(r, 200));
  child.send({ type: 'flush' });
  await once(child, 'message');
  await ask({ type: 'reset' }, 'reset');
  const result = await load(url, duration);
  child.send({ type: 'finish' });
  const [done] = (await once(child, 'message')) as [
    { rss: number; cpuMicros: number; mainThreadMicros: number; stats?: { spansDropped?: number } },
  ];
  await once(child, 'exit');
  const { spans } = await ask<{ spans: number }>({ type: 'count' }, 'count');
  const served = result['2xx'];
  return {
    variant,
    rps: served / duration,
    p99: result.latency.p99,
    requests: served,
    errors: result.errors + result.non2xx,
    spans: served > 0 ? spans / served : 0,
    rssMb: done.rss / 1024 / 1024,
    cpuPerRequest: served > 0 ? done.cpuMicros / served : 0,
    mainPerRequest: served > 0 ? done.mainThreadMicros / served : 0,
    dropped: done.stats?.spansDropped,
  };
}

// Rounds interleave the variants (plain, ours, ..., plain, ours, ...) so a burst of load from
// other processes hits all of them; each row is the median over the rounds.
const runs: Row[] = [];
for (let round = 0; round < rounds; round++) {
  for (const v of variants) {
    runs.push(await runVariant(v));
    process.stderr.write(`done: ${v} (round ${round + 1}/${rounds})\n`);
  }
}
function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}
const rows: Row[] = [...new Set(variants)].map((variant) => {
  const mine = runs.filter((r) => r.variant === variant);
  const served = mine.reduce((a, r) => a + r.requests, 0);
  return {
    variant,
    rps: median(mine.map((r) => r.rps)),
    p99: median(mine.map((r) => r.p99)),
    requests: served,
    errors: mine.reduce((a, r) => a + r.errors, 0),
    spans: served > 0 ? mine.reduce((a, r) => a + r.spans * r.requests, 0) / served : 0,
    rssMb: Math.max(...mine.map((r) => r.rssMb)),
    cpuPerRequest: median(mine.map((r) => r.cpuPerRequest)),
    mainPerRequest: median(mine.map((r) => r.mainPerRequest)),
    dropped: mine.some((r) => r.dropped !== undefined)
      ? mine.reduce((a, r) => a + (r.dropped ?? 0), 0)
      : undefined,
  };
});
sink.postMessage({ type: 'close' });

const plain = rows.find((r) => r.variant === 'plain')?.rps;
const plainCpu = rows.find((r) => r.variant === 'plain')?.cpuPerRequest;
const header = [
  'variant',
  'req/s',
  'vs plain',
  'p99 ms',
  'requests',
  'errors',
  'spans/request',
  'spans dropped',
  'RSS MB',
  'server CPU µs/req',
  'main thread µs/req',
  'plain CPU / CPU',
];
const lines = rows.map((r) => [
  r.variant,
  r.rps.toFixed(0),
  plain ? (r.rps / plain).toFixed(2) : '-',
  r.p99.toFixed(1),
  String(r.requests),
  String(r.errors),
  r.variant === 'stock' || r.variant.startsWith('ours') ? r.spans.toFixed(3) : '-',
  r.dropped === undefined ? '-' : String(r.dropped),
  r.rssMb.toFixed(0),
  r.cpuPerRequest.toFixed(1),
  r.mainPerRequest.toFixed(1),
  plainCpu ? (plainCpu / r.cpuPerRequest).toFixed(2) : '-',
]);
console.log(
  `instrumentation bench: ${connections} connections, ${duration}s per variant (+${warmup}s warm-up), ${rounds} round(s), medians; batch ${values.batch ?? 'default'}${values.traceparent ? ', traceparent + baggage sent' : ''}, node ${process.version}`,
);
console.log(`| ${header.join(' | ')} |`);
console.log(`| ${header.map(() => '---').join(' | ')} |`);
for (const l of lines) console.log(`| ${l.join(' | ')} |`);
