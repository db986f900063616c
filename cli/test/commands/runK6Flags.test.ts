// A k6 user's CLI, spawned as the real command against a loopback server: --version, the
// execution shortcuts, -u/-d/-i, -e into {{__ENV.X}}, --summary-export in k6's JSON shape,
// --quiet, a progress line every 10 s without a terminal, the k6 v1 summary (units, per-check
// lines) and Ctrl-C: graceful stop, partial summary, exit 105.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { cleanup, run, tempHome } from './runCli.ts';

const BIN = fileURLToPath(new URL('../../bin/marketbench.js', import.meta.url));
let server: http.Server;
let target: string;
const paths: string[] = [];
let dir: string;

before(async () => {
  server = http.createServer((req, res) => {
    paths.push(req.url ?? '');
    const status = req.url?.startsWith('/missing') ? 404 : 200;
    setTimeout(() => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: status === 200 }));
    }, 2);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  target = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  dir = tempHome();
});
after(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  cleanup();
});

function scenarioFile(name: string, options: Record<string, unknown>, pathTemplate = '/ping/{{vu}}'): string {
  const file = path.join(dir, `${name}.ts`);
  const def = {
    apiVersion: 'marketbench/v1',
    name,
    description: 'k6 flags test',
    options,
    journeys: {
      ping: {
        weight: 3,
        steps: [
          {
            name: 'ping',
            method: 'GET',
            path: pathTemplate,
            checks: { 'ping answers 200': { status: 200 }, 'ping is ok': { jsonPath: 'ok', equals: true } },
          },
        ],
      },
      missing: {
        weight: 1,
        steps: [
          {
            name: 'missing',
            method: 'GET',
            path: '/missing',
            expectedStatuses: [404],
            checks: { 'missing answers 200': { status: 200 } },
          },
        ],
      },
    },
  };
  fs.writeFileSync(file, `export default ${JSON.stringify(def, null, 2)};\n`);
  return file;
}

test('--version prints the version and the runtime, exit 0', async () => {
  const r = await run(['--version'], dir);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^marketbench \d+\.\d+\.\d+ \(node v\d+/);
});

test('-u/-d on a shortcut scenario, -e into __ENV, --summary-export in k6 shape, --quiet, the k6 v1 summary', async () => {
  paths.length = 0;
  const file = scenarioFile(
    'shortcut',
    {
      vus: 1,
      duration: '10s',
      thresholds: { http_req_failed: ['rate<0.01'], 'http_req_duration{name:ping}': ['p(95)<1'] },
    },
    '/ping/{{__ENV.SHOP}}',
  );
  const exported = path.join(dir, 'summary.json');
  const r = await run(
    [
      'run',
      file,
      '--target',
      target,
      '--no-store',
      '-u',
      '2',
      '-d',
      '1s',
      '-e',
      'SHOP=north pole',
      '--summary-export',
      exported,
      '-q',
    ],
    dir,
  );
  assert.equal(r.code, 99, r.stderr); // p(95)<1 ms fails
  assert.doesNotMatch(r.stderr, /running/);
  assert.ok(
    paths.some((p) => p === '/ping/north%20pole'),
    paths.slice(0, 3).join(' '),
  );
  // k6 v1 layout: thresholds with units, checks totals, one line per check, grouped metrics
  assert.match(r.stdout, /█ THRESHOLDS/);
  assert.match(r.stdout, /✗ 'p\(95\)<1' p\(95\)=\d+\.\d\dms/);
  assert.match(r.stdout, /✓ 'rate<0\.01' rate=0\.00%/);
  assert.match(r.stdout, /checks_total\.+: \d+/);
  assert.match(r.stdout, /checks_succeeded\.+: \d+\.\d\d%\s+\d+ out of \d+/);
  assert.match(r.stdout, /✓ ping answers 200/);
  assert.match(r.stdout, /✗ missing answers 200\n\s+↳ {2}0% — ✓ 0 \/ ✗ \d+/);
  assert.match(r.stdout, /HTTP\n\s+http_req_duration\.+: avg=\d+\.\d\dms/);
  assert.match(r.stdout, /\{ expected_response:true \}\.+: avg=\d+\.\d\dms/);
  assert.match(r.stdout, /EXECUTION\n/);
  assert.match(r.stdout, /NETWORK\n\s+data_received\.+: [\d.]+ k?B/);
  const doc = JSON.parse(fs.readFileSync(exported, 'utf8'));
  const requests = paths.length;
  assert.equal(doc.metrics.http_reqs.count, requests);
  assert.equal(typeof doc.metrics.http_reqs.rate, 'number');
  // k6's quirks: a rate's passes are its non-zero samples; a threshold maps to true when it failed
  assert.equal(doc.metrics.http_req_failed.passes, 0);
  assert.equal(doc.metrics.http_req_failed.fails, requests);
  assert.deepEqual(doc.metrics.http_req_failed.thresholds, { 'rate<0.01': false });
  assert.deepEqual(doc.metrics['http_req_duration{name:ping}'].thresholds, { 'p(95)<1': true });
  for (const k of ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)'])
    assert.equal(typeof doc.metrics.http_req_duration[k], 'number', k);
  const missing = doc.root_group.checks.find((c: { name: string }) => c.name === 'missing answers 200');
  assert.equal(missing.path, '::missing answers 200');
  assert.equal(missing.passes, 0);
  assert.ok(missing.fails > 0);
  assert.ok(doc.state.testRunDurationMs > 900);
  // -d 1s with 2 VUs against a 2 ms server: a closed loop, so well over 2 requests
  assert.ok(requests > 20, `${requests} requests`);
});

test('-i runs exactly N iterations shared by -u VUs (k6 -i), and an invalid -e is a usage error', async () => {
  paths.length = 0;
  const file = scenarioFile('iterations', {
    scenarios: { open: { executor: 'constant-arrival-rate', rate: 5, duration: '1m', preAllocatedVUs: 2 } },
  });
  const r = await run(['run', file, '--target', target, '--no-store', '-i', '7', '-u', '3', '-q'], dir);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(paths.length, 7);
  assert.match(r.stdout, /iterations\.+: 7 /);
  const bad = await run(['run', file, '--target', target, '--no-store', '-e', 'NOEQUALS'], dir);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /--env must be KEY=VALUE.*\[MB_ERR_USAGE\]/);
});

test('-s ramps VUs through the stages (k6 -s), --no-thresholds runs without them, and bad stages are usage errors', async () => {
  paths.length = 0;
  const file = scenarioFile('stages', {
    scenarios: { open: { executor: 'constant-arrival-rate', rate: 5, duration: '1m', preAllocatedVUs: 2 } },
    thresholds: { http_req_duration: ['p(95)<0.001'] },
  });
  const r = await run(
    [
      'run',
      file,
      '--target',
      target,
      '--no-store',
      '--no-client-spans',
      '-s',
      '1s:3',
      '-s',
      '1s:0',
      '--no-thresholds',
      '-q',
    ],
    dir,
  );
  // The p(95) threshold would fail: it is not evaluated.
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
  assert.doesNotMatch(r.stdout, /THRESHOLDS/);
  // A closed loop of up to 3 VUs for 2 s against a 2 ms server, not the scenario's 5/s for a minute.
  assert.ok(paths.length > 20, `${paths.length} requests`);
  assert.match(r.stdout, /vus_max\.+: 3\b/);
  // The same run with thresholds: it fails as k6 does.
  const failing = await run(
    ['run', file, '--target', target, '--no-store', '--no-client-spans', '-s', '1s:1', '-q'],
    dir,
  );
  assert.equal(failing.code, 99, failing.stderr);
  for (const [args, message] of [
    [['-s', '30s'], /--stage must be DURATION:VUS such as 30s:10, got "30s".*\[MB_ERR_USAGE\]/],
    [['-s', 'soon:3'], /--stage must be DURATION:VUS/],
    [['-s', '1s:3', '-d', '1s'], /--stage sets the whole schedule; it cannot be combined with --duration/],
  ] as const) {
    const bad = await run(['run', file, '--target', target, '--no-store', ...args], dir);
    assert.equal(bad.code, 1, bad.stderr);
    assert.match(bad.stderr, message);
  }
});

test('without a terminal a progress line goes to stderr every 10 s', async () => {
  const file = scenarioFile('progress', { vus: 1, duration: '11s' });
  const r = await run(['run', file, '--target', target, '--no-store'], dir);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stderr.split('\n').filter((l) => l.startsWith('running ('));
  assert.equal(lines.length, 1, r.stderr);
  assert.match(
    lines[0],
    /^running \(0m1\d\.\ds\/0m11\.0s\), \d+\/\d+ VUs, \d+ iterations started, [\d.]+ it\/s, \d+ req\/s, p99 [\d.]+ms, 0 failed/,
  );
});

test('Ctrl-C stops the run gracefully, prints the partial summary and exits 105 (k6 external abort)', async () => {
  paths.length = 0;
  const file = scenarioFile('interrupt', { vus: 2, duration: '60s' });
  const home = tempHome();
  const env: NodeJS.ProcessEnv = { ...process.env, MARKETBENCH_HOME: home };
  delete env.CLICKHOUSE_URL;
  const child = spawn(process.execPath, [BIN, 'run', file, '--target', target, '--no-store', '-q'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const started = Date.now();
  while (paths.length < 20 && Date.now() - started < 30_000) await new Promise((r) => setTimeout(r, 100));
  assert.ok(paths.length >= 20, 'the run never started');
  child.kill('SIGINT');
  const code = await new Promise<number | null>((r) => child.on('close', r));
  assert.equal(code, 105, stderr);
  assert.ok(Date.now() - started < 40_000, 'did not stop early');
  assert.match(stderr, /SIGINT: stopping the run gracefully/);
  assert.match(stdout, /█ TOTAL RESULTS/);
  assert.match(stdout, /http_reqs\.+: \d+/);
  assert.match(stdout, /stopped: interrupted/);
});
