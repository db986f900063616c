// Closed-model driver for profiling: alternates autocannon and our runner (constant-vus) against the
// trivial server and prints req/s plus the runner's own CPU µs per request.
// Usage: node bench/load-generator/closedOnly.ts [--seconds 5] [--rounds 3] [--connections 50] [--skip-autocannon]

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runScenario } from '@marketbench/load-scenarios';
import autocannon from 'autocannon';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '5' },
    connections: { type: 'string', default: '50' },
    'skip-autocannon': { type: 'boolean', default: false },
  },
});
const SECONDS = Number(values.seconds);
const CONNECTIONS = Number(values.connections);
const headers = {
  traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
  baggage: 'marketbench.run_id=20261122T001500-abcdef,marketbench.step=get',
};
const child = spawn(process.execPath, [fileURLToPath(new URL('./trivialServer.ts', import.meta.url))], {
  stdio: ['pipe', 'pipe', 'inherit'],
});
const url = await new Promise<string>((resolve) => {
  readline.createInterface({ input: child.stdout as NodeJS.ReadableStream }).once('line', resolve);
});
function serverCpuMicros(): number {
  const f = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1e6) / 100;
}
const def = (d: string) => ({
  apiVersion: 'marketbench/v1' as const,
  name: 'bench',
  description: 'closed',
  options: { scenarios: { main: { executor: 'constant-vus' as const, vus: CONNECTIONS, duration: d } } },
  journeys: { get: { weight: 1, steps: [{ name: 'get', method: 'GET' as const, path: '/' }] } },
});
try {
  await runScenario(def('2s'), { target: url, connections: CONNECTIONS });
  for (let i = 0; i < Number(values.rounds); i++) {
    let ac = 0;
    let acCpu = 0;
    let acSrv = 0;
    if (!values['skip-autocannon']) {
      const c0 = process.cpuUsage();
      const s0 = serverCpuMicros();
      const res = await autocannon({ url, connections: CONNECTIONS, duration: SECONDS, headers });
      const c = process.cpuUsage(c0);
      acCpu = (c.user + c.system) / res.requests.total;
      acSrv = (serverCpuMicros() - s0) / res.requests.total;
      ac = res.requests.total / SECONDS;
    }
    const s0 = serverCpuMicros();
    const t0 = process.threadCpuUsage();
    const cpu0 = process.cpuUsage();
    const r = await runScenario(def(`${SECONDS}s`), { target: url, connections: CONNECTIONS });
    const cpu = process.cpuUsage(cpu0);
    const t = process.threadCpuUsage(t0);
    const srv = (serverCpuMicros() - s0) / r.totals.requests;
    const rps = r.totals.requests / r.durationSec;
    console.log(
      `round ${i + 1}: autocannon ${ac.toFixed(0)} ours ${rps.toFixed(0)} ratio ${(rps / ac).toFixed(2)} run ${r.durationSec.toFixed(3)} s, µs/req: ac proc ${acCpu.toFixed(1)} srv ${acSrv.toFixed(1)} | ours proc ${((cpu.user + cpu.system) / r.totals.requests).toFixed(1)} main ${((t.user + t.system) / r.totals.requests).toFixed(1)} srv ${srv.toFixed(1)}`,
    );
  }
} finally {
  child.stdin?.end();
  child.kill();
}
