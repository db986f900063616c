// Load generator benchmark, against one trivial node:http server (its own process) in one run:
// (a) closed-model throughput of our runner on one thread vs autocannon with the same
//     connections, with the generator's client spans off (target >= 0.95x) and on, and the
//     generator thread's CPU per request both ways (what a client span costs);
// (b) open-model achieved rate vs target at 1k, 5k and 10k req/s, client spans off and on
//     (target within 1% at 10k with spans on), with scheduling-lag p99 and the generator's CPU,
//     each after a 2 s warm-up at its rate.
// Client spans go to a counting OTLP sink in its own worker thread, which checks that every one
// arrived. Usage: node bench/load-generator/run.ts [--seconds 5] [--rounds 3] [--connections 50]
// [--rates 1000,5000,10000]. Loopback only, bounded in time (about 2 minutes with the defaults).

import { type ChildProcess, spawn } from 'node:child_process';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { type RunResult, runScenario, type ScenarioDefinition } from '@marketbench/load-scenarios';
import autocannon from 'autocannon';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '5' },
    connections: { type: 'string', default: '50' },
    rates: { type: 'string', default: '1000,5000,10000' },
  },
});
const SECONDS = Number(values.seconds);
const ROUNDS = Number(values.rounds);
const CONNECTIONS = Number(values.connections);
const RATES = values.rates.split(',').map(Number);
// autocannon sends the same header set as our requests (a traceparent and the run-id baggage), so
// the server does the same work per request for both generators.
const SAME_HEADERS = {
  traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
  baggage: 'marketbench.run_id=20261122T001500-abcdef,marketbench.step=get',
};

async function startServer(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [fileURLToPath(new URL('./trivialServer.ts', import.meta.url))], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    readline.createInterface({ input: child.stdout as NodeJS.ReadableStream }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  return { url, child };
}

function scenario(executor: ScenarioDefinition['options']['scenarios'][string]): ScenarioDefinition {
  return {
    apiVersion: 'marketbench/v1',
    name: 'bench',
    description: 'load generator benchmark',
    options: { scenarios: { main: executor } },
    journeys: { get: { weight: 1, steps: [{ name: 'get', method: 'GET', path: '/' }] } },
  };
}

/** The OTLP sink's counters (spans received since the last reset). */
interface SinkCount {
  spans: number;
  requests: number;
  bytes: number;
}

async function startSink(): Promise<{
  url: string;
  ask: (type: 'count' | 'reset') => Promise<SinkCount>;
  close: () => void;
}> {
  const sink = new Worker(fileURLToPath(new URL('../instrumentation/countingSink.ts', import.meta.url)));
  const port = await new Promise<number>((resolve) =>
    sink.once('message', (m: { port: number }) => resolve(m.port)),
  );
  const ask = (type: 'count' | 'reset') =>
    new Promise<SinkCount>((resolve) => {
      sink.once('message', (m: SinkCount) => resolve(m));
      sink.postMessage({ type });
    });
  return {
    url: `http://127.0.0.1:${port}/v1/traces`,
    ask,
    close: () => sink.postMessage({ type: 'close' }),
  };
}

/** Generator-thread CPU per request, µs. */
function cpuPerRequestUs(r: RunResult): number {
  return ((r.generatorCpu.meanPercent / 100) * 1e6) / (r.totals.requests / r.durationSec);
}

function lagP99(r: RunResult): number {
  return r.metrics.aggregate('http_req_scheduling_lag', {}, r.durationSec)?.percentile(99) ?? 0;
}

async function main(): Promise<void> {
  const { url, child } = await startServer();
  const sink = await startSink();
  const spansOn = { url: sink.url };
  try {
    // Warm both paths (JIT, connections) before measuring.
    await runScenario(scenario({ executor: 'constant-vus', vus: CONNECTIONS, duration: '2s' }), {
      target: url,
      connections: CONNECTIONS,
      clientSpans: spansOn,
    });
    await autocannon({ url, connections: CONNECTIONS, duration: 2, headers: SAME_HEADERS });

    // Alternate the generators (three rounds each) so a burst of noise on this shared machine
    // hits all of them; report every round and the median ratios.
    const rounds: Array<{
      autocannon: number;
      off: number;
      on: number;
      cpuOff: number;
      cpuOn: number;
      spansOk: boolean;
    }> = [];
    const closed = (clientSpans: typeof spansOn | false) =>
      runScenario(scenario({ executor: 'constant-vus', vus: CONNECTIONS, duration: `${SECONDS}s` }), {
        target: url,
        connections: CONNECTIONS,
        clientSpans,
      });
    for (let i = 0; i < ROUNDS; i++) {
      const ac = await autocannon({
        url,
        connections: CONNECTIONS,
        duration: SECONDS,
        headers: SAME_HEADERS,
      });
      const off = await closed(false);
      await sink.ask('reset');
      const on = await closed(spansOn);
      const received = await sink.ask('count');
      rounds.push({
        autocannon: ac.requests.total / SECONDS,
        off: off.totals.requests / off.durationSec,
        on: on.totals.requests / on.durationSec,
        cpuOff: cpuPerRequestUs(off),
        cpuOn: cpuPerRequestUs(on),
        spansOk: received.spans === on.totals.requests && on.clientSpans?.exported === on.totals.requests,
      });
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const medianOff = median(rounds.map((r) => r.off / r.autocannon));
    const medianOn = median(rounds.map((r) => r.on / r.autocannon));
    const medianCpuOff = median(rounds.map((r) => r.cpuOff));
    const medianCpuOn = median(rounds.map((r) => r.cpuOn));

    const open: Array<{
      target: number;
      workers: number;
      spans: boolean;
      achieved: number;
      lag: number;
      cpu: number;
      cpuPerReq: number;
      dropped: number;
      p99: number;
      received: string;
    }> = [];
    const plan = [
      ...RATES.map((rate) => ({ rate, workers: 1 })),
      ...RATES.filter((rate) => rate >= 5000).map((rate) => ({ rate, workers: 2 })),
    ];
    const openRun = (rate: number, workers: number, duration: string, clientSpans: typeof spansOn | false) =>
      runScenario(
        scenario({
          executor: 'constant-arrival-rate',
          rate,
          duration,
          preAllocatedVUs: 200,
          maxVUs: 2000,
          gracefulStop: '2s',
        }),
        { target: url, workers, clientSpans },
      );
    for (const { rate, workers } of plan) {
      for (const spans of [false, true]) {
        const clientSpans = spans ? spansOn : false;
        // 2 s at the same rate first: JIT and the first connection storm are not the steady state
        // this row measures (a real run reports its own start-up in its first seconds).
        await openRun(rate, workers, '2s', clientSpans);
        await sink.ask('reset');
        const r = await openRun(rate, workers, `${SECONDS}s`, clientSpans);
        const got = await sink.ask('count');
        open.push({
          target: rate,
          workers,
          spans,
          achieved: r.totals.requests / SECONDS,
          lag: lagP99(r),
          cpu: r.generatorCpu.meanPercent,
          cpuPerReq: cpuPerRequestUs(r),
          dropped: r.totals.droppedIterations,
          p99: r.metrics.aggregate('http_req_duration', {}, r.durationSec)?.percentile(99) ?? 0,
          received: spans ? `${got.spans}/${r.totals.requests}` : '–',
        });
      }
    }

    const out: string[] = [];
    out.push(
      `(a) closed model, ${CONNECTIONS} connections, ${SECONDS} s, one thread; client spans off and on`,
    );
    out.push('');
    out.push(
      '| round | autocannon req/s | spans off req/s | off/autocannon | spans on req/s | on/autocannon | CPU/request off | CPU/request on | all spans received |',
    );
    out.push('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | :---: |');
    rounds.forEach((r, i) => {
      out.push(
        `| ${i + 1} | ${r.autocannon.toFixed(0)} | ${r.off.toFixed(0)} | ${(r.off / r.autocannon).toFixed(2)}× | ${r.on.toFixed(0)} | ${(r.on / r.autocannon).toFixed(2)}× | ${r.cpuOff.toFixed(1)} µs | ${r.cpuOn.toFixed(1)} µs | ${r.spansOk ? 'yes' : 'NO'} |`,
      );
    });
    out.push(
      `| median | | | ${medianOff.toFixed(2)}× | | ${medianOn.toFixed(2)}× | ${medianCpuOff.toFixed(1)} µs | ${medianCpuOn.toFixed(1)} µs | |`,
    );
    out.push('');
    out.push(
      `client span cost: ${(medianCpuOn - medianCpuOff).toFixed(1)} µs of generator CPU per request (median of rounds, closed model)`,
    );
    out.push('');
    out.push(`(b) open model, constant-arrival-rate, ${SECONDS} s`);
    out.push('');
    out.push(
      '| target req/s | threads | client spans | achieved req/s | achieved/target | dropped | scheduling lag p99 | corrected p99 | generator CPU | CPU/request | spans received |',
    );
    out.push('| ---: | ---: | :---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const o of open) {
      out.push(
        `| ${o.target} | ${o.workers} | ${o.spans ? 'on' : 'off'} | ${o.achieved.toFixed(0)} | ${((o.achieved / o.target) * 100).toFixed(1)}% | ${o.dropped} | ${o.lag.toFixed(2)} ms | ${o.p99.toFixed(2)} ms | ${o.cpu.toFixed(0)}% | ${o.cpuPerReq.toFixed(1)} µs | ${o.received} |`,
      );
    }
    process.stdout.write(`${out.join('\n')}\n`);
  } finally {
    sink.close();
    child.stdin?.end();
    child.kill();
  }
}

await main();
