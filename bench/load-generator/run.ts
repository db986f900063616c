// Load generator benchmark, against one trivial node:http server (its own process) in one run:
// (a) closed-model throughput of our runner on one thread vs autocannon with the same
//     connections (target >= 1.0x);
// (b) open-model achieved rate vs target at 1k, 5k and 10k req/s (target within 1% at 5k),
//     with scheduling-lag p99 and the generator's CPU, each after a 2 s warm-up at its rate.
// Usage: node bench/load-generator/run.ts [--seconds 5] [--rounds 3] [--connections 50] [--rates 1000,5000,10000]
// Loopback only, bounded in time (about 1 minute with the defaults).

import { type ChildProcess, spawn } from 'node:child_process';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
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

function lagP99(r: RunResult): number {
  return r.metrics.aggregate('http_req_scheduling_lag', {}, r.durationSec)?.percentile(99) ?? 0;
}

async function main(): Promise<void> {
  const { url, child } = await startServer();
  try {
    // Warm both paths (JIT, connections) before measuring.
    await runScenario(scenario({ executor: 'constant-vus', vus: CONNECTIONS, duration: '2s' }), {
      target: url,
      connections: CONNECTIONS,
    });
    await autocannon({ url, connections: CONNECTIONS, duration: 2, headers: SAME_HEADERS });

    // Alternate the two generators (three rounds each) so a burst of noise on this shared
    // machine hits both; report every round and the median ratio.
    const rounds: Array<{ autocannon: number; ours: number }> = [];
    for (let i = 0; i < ROUNDS; i++) {
      const ac = await autocannon({
        url,
        connections: CONNECTIONS,
        duration: SECONDS,
        headers: SAME_HEADERS,
      });
      const ours = await runScenario(
        scenario({ executor: 'constant-vus', vus: CONNECTIONS, duration: `${SECONDS}s` }),
        {
          target: url,
          connections: CONNECTIONS,
        },
      );
      rounds.push({ autocannon: ac.requests.total / SECONDS, ours: ours.totals.requests / ours.durationSec });
    }
    const ratios = rounds.map((r) => r.ours / r.autocannon).sort((a, b) => a - b);
    const medianRatio = ratios[Math.floor(ratios.length / 2)];

    const open: Array<{
      target: number;
      workers: number;
      achieved: number;
      lag: number;
      cpu: number;
      dropped: number;
      p99: number;
    }> = [];
    const plan = [
      ...RATES.map((rate) => ({ rate, workers: 1 })),
      ...RATES.filter((rate) => rate >= 5000).map((rate) => ({ rate, workers: 2 })),
    ];
    for (const { rate, workers } of plan) {
      // 2 s at the same rate first: JIT and the first connection storm are not the steady state
      // this row measures (a real run reports its own start-up in its first seconds).
      await runScenario(
        scenario({
          executor: 'constant-arrival-rate',
          rate,
          duration: '2s',
          preAllocatedVUs: 200,
          maxVUs: 2000,
          gracefulStop: '2s',
        }),
        { target: url, workers },
      );
      const r = await runScenario(
        scenario({
          executor: 'constant-arrival-rate',
          rate,
          duration: `${SECONDS}s`,
          preAllocatedVUs: 200,
          maxVUs: 2000,
          gracefulStop: '2s',
        }),
        { target: url, workers },
      );
      open.push({
        target: rate,
        workers,
        achieved: r.totals.requests / SECONDS,
        lag: lagP99(r),
        cpu: r.generatorCpu.meanPercent,
        dropped: r.totals.droppedIterations,
        p99: r.metrics.aggregate('http_req_duration', {}, r.durationSec)?.percentile(99) ?? 0,
      });
    }

    const out: string[] = [];
    out.push(`(a) closed model, ${CONNECTIONS} connections, ${SECONDS} s, one thread`);
    out.push('');
    out.push('| round | autocannon req/s | marketbench req/s | ratio |');
    out.push('| ---: | ---: | ---: | ---: |');
    rounds.forEach((r, i) => {
      out.push(
        `| ${i + 1} | ${r.autocannon.toFixed(0)} | ${r.ours.toFixed(0)} | ${(r.ours / r.autocannon).toFixed(2)}× |`,
      );
    });
    out.push(`| median | | | ${medianRatio.toFixed(2)}× |`);
    out.push('');
    out.push(`(b) open model, constant-arrival-rate, ${SECONDS} s`);
    out.push('');
    out.push(
      '| target req/s | threads | achieved req/s | achieved/target | dropped | scheduling lag p99 | corrected p99 | generator CPU |',
    );
    out.push('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const o of open) {
      out.push(
        `| ${o.target} | ${o.workers} | ${o.achieved.toFixed(0)} | ${((o.achieved / o.target) * 100).toFixed(1)}% | ${o.dropped} | ${o.lag.toFixed(2)} ms | ${o.p99.toFixed(2)} ms | ${o.cpu.toFixed(0)}% |`,
      );
    }
    process.stdout.write(`${out.join('\n')}\n`);
  } finally {
    child.stdin?.end();
    child.kill();
  }
}

await main();
