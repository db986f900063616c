// `marketbench run`, `scenarios list` and `export k6` spawned as the real command against a
// real loopback HTTP server: exit codes (0, 99 as k6, 1 for invalid input), the summary, the
// JSON output, and one stored row per request.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { cleanup, run, tempHome } from './runCli.ts';

let server: http.Server;
let target: string;
let hits = 0;
let dir: string;
/** OTLP/HTTP trace export bodies the same server received on /v1/traces. */
const exports: Buffer[] = [];

before(async () => {
  server = http.createServer((req, res) => {
    if (req.url === '/v1/traces') {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        exports.push(Buffer.concat(chunks));
        res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      });
      return;
    }
    hits++;
    setTimeout(() => res.end(JSON.stringify({ ok: true, path: req.url })), 5);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  target = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // The generator's client spans go to the OTLP endpoint of the environment: this server, never
  // whatever else may listen on the default 127.0.0.1:4318.
  process.env.OTEL_EXPORTER_OTLP_ENDPOINT = target;
  dir = tempHome();
});
after(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  cleanup();
});

function scenarioFile(
  name: string,
  thresholds: Record<string, string[]>,
  executor: Record<string, unknown>,
): string {
  const file = path.join(dir, `${name}.ts`);
  const def = {
    apiVersion: 'marketbench/v1',
    name,
    description: 'cli test',
    options: { scenarios: { main: executor }, thresholds },
    journeys: { j: { weight: 1, steps: [{ name: 'ping', method: 'GET', path: '/ping/{{vu}}' }] } },
  };
  fs.writeFileSync(file, `export default ${JSON.stringify(def, null, 2)};\n`);
  return file;
}

const shared = { executor: 'shared-iterations', vus: 2, iterations: 20 };

test('run exits 99 when a threshold fails and prints the verdict, as k6', async () => {
  const file = scenarioFile(
    'failing',
    { http_req_duration: ['p(99)<1'], http_req_failed: ['rate<0.01'] },
    shared,
  );
  const r = await run(['run', file, '--target', target, '--no-store'], tempHome());
  assert.equal(r.code, 99, r.stderr);
  assert.match(r.stdout, /✗ 'p\(99\)<1' p\(99\)=\d+/);
  assert.match(r.stdout, /✓ 'rate<0.01' rate=0/);
  assert.match(r.stdout, /http_reqs\.+: 20 /);
  assert.match(r.stdout, /✗ thresholds failed/);
});

test('run exits 0 when every threshold passes; --json prints the summary; one row per request lands in the store', async () => {
  const home = tempHome();
  const file = scenarioFile(
    'passing',
    { http_req_failed: ['rate<0.01'], 'http_req_duration{name:ping}': ['p(99)<5000'] },
    shared,
  );
  const r = await run(
    ['run', file, '--target', target, '--json', '--tag', 'build=42', '--out', path.join(home, 'out')],
    home,
  );
  assert.equal(r.code, 0, r.stderr);
  const summary = JSON.parse(r.stdout);
  assert.equal(summary.thresholdsPassed, true);
  assert.equal(summary.totals.requests, 20);
  assert.equal(summary.rows.stored, 20);
  assert.ok(fs.existsSync(path.join(home, 'out', 'summary.json')));
  const q = await run(
    [
      'query',
      "SELECT count() AS n, countIf(length(trace_id) = 32) AS traced, any(tags['build']) AS build FROM marketbench_load_requests WHERE run_id = {id:String}",
      '--param',
      `id=${summary.runId}`,
      '--format',
      'json',
    ],
    home,
  );
  assert.equal(q.code, 0, q.stderr);
  assert.deepEqual(JSON.parse(q.stdout), [{ n: '20', traced: '20', build: '42' }]);
  const runs = await run(
    [
      'query',
      'SELECT status, requests_total FROM marketbench_load_runs FINAL WHERE run_id = {id:String}',
      '--param',
      `id=${summary.runId}`,
      '--format',
      'json',
    ],
    home,
  );
  assert.deepEqual(JSON.parse(runs.stdout), [{ status: 'passed', requests_total: '20' }]);
});

test('run --target exports a client span per request to the OTLP endpoint; --no-client-spans sends none', async () => {
  const file = scenarioFile('spans', {}, shared);
  exports.length = 0;
  const on = await run(['run', file, '--target', target, '--no-store', '--json'], tempHome());
  assert.equal(on.code, 0, on.stderr);
  const summary = JSON.parse(on.stdout);
  assert.deepEqual(
    [summary.clientSpans.recorded, summary.clientSpans.exported],
    [summary.totals.requests, summary.totals.requests],
  );
  assert.ok(exports.length > 0, 'OTLP requests reached /v1/traces');
  const body = Buffer.concat(exports);
  assert.ok(body.includes('marketbench-load'), 'service.name of the generator');
  assert.ok(body.includes(summary.runId), 'the run id attribute');
  exports.length = 0;
  const off = await run(
    ['run', file, '--target', target, '--no-store', '--json', '--no-client-spans'],
    tempHome(),
  );
  assert.equal(off.code, 0, off.stderr);
  assert.equal(JSON.parse(off.stdout).clientSpans, undefined);
  assert.equal(exports.length, 0);
});

test('an invalid scenario exits 1 before any request, naming the file, the field and the code', async () => {
  const before = hits;
  const file = scenarioFile(
    'invalid',
    {},
    { executor: 'constant-arival-rate', rate: 10, duration: '1s', preAllocatedVUs: 1 },
  );
  const r = await run(['run', file, '--target', target, '--no-store'], tempHome());
  assert.equal(r.code, 1);
  assert.match(
    r.stderr,
    /invalid\.ts: options\.scenarios\.main\.executor: unknown executor "constant-arival-rate".*\[MB_ERR_SCENARIO_EXECUTOR\]/,
  );
  assert.equal(hits, before);
  const neg = await run(['run', file, '--target', target, '--rate', '-3'], tempHome());
  assert.equal(neg.code, 1);
  assert.match(neg.stderr, /--rate must be a non-negative number/);
});

test('run refuses a target that is not loopback', async () => {
  const file = scenarioFile('remote', {}, shared);
  for (const t of ['http://10.1.2.3:8080', 'http://128.0.0.1']) {
    const r = await run(['run', file, '--target', t, '--no-store'], tempHome());
    assert.equal(r.code, 1, t);
    assert.match(r.stderr, /is not a loopback address.*\[MB_ERR_SCENARIO_TARGET\]/, t);
  }
  const unknown = await run(['run', 'no-such-scenario', '--target', target], tempHome());
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /MB_ERR_SCENARIO_UNKNOWN/);
});

test('run saturate finds the max closed-model throughput of one route with autocannon', async () => {
  const before = hits;
  const r = await run(
    [
      'run',
      'saturate',
      '--target',
      target,
      '--path',
      '/listings/1',
      '--connections',
      '1,4',
      '--duration',
      '1s',
      '--json',
    ],
    tempHome(),
  );
  assert.equal(r.code, 0, r.stderr);
  const result = JSON.parse(r.stdout);
  assert.deepEqual(
    result.steps.map((s: { connections: number }) => s.connections),
    [1, 4],
  );
  assert.ok(result.best.requestsPerSecond > 0);
  assert.ok(hits - before >= result.steps[0].requestsPerSecond * 0.5, 'the requests reached the server');
  const noPath = await run(['run', 'saturate', '--target', target], tempHome());
  assert.equal(noPath.code, 1);
  assert.match(noPath.stderr, /saturate needs --path/);
});
