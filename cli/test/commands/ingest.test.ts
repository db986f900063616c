// `marketbench ingest` as a user runs it: listens, takes OTLP, scrapes a /metrics endpoint,
// answers `marketbench ingest stats` and `marketbench query` through owner.json, and on SIGTERM
// flushes and exits 0 with the data in the store.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import readline from 'node:readline';
import { after, test } from 'node:test';
import { cleanup, run, tempHome } from './runCli.ts';

const BIN = path.resolve(import.meta.dirname, '..', '..', 'bin', 'marketbench.js');
after(cleanup);

test('ingest --help documents flags, endpoints and exit codes', async () => {
  const r = await run(['ingest', '--help'], tempHome());
  assert.equal(r.code, 0);
  for (const s of [
    '--port',
    '--scrape <[job=]url>',
    '--scrape-interval',
    'POST /v1/traces',
    'Exit codes',
    'stats',
  ])
    assert.ok(r.stdout.includes(s), `help lacks ${s}`);
});

test('ingest stats without a running ingest exits 3 with MB_ERR_INGEST_NOT_RUNNING', async () => {
  const r = await run(['ingest', 'stats'], tempHome());
  assert.equal(r.code, 3);
  assert.match(r.stderr, /MB_ERR_INGEST_NOT_RUNNING/);
});

test('a bad --scrape-interval is a usage error', async () => {
  const r = await run(['ingest', '--scrape-interval', 'soon'], tempHome());
  assert.equal(r.code, 1);
  assert.match(
    r.stderr,
    /^marketbench: --scrape-interval must be a duration such as 500ms, 5s, 1m30s or 2d \(a bare number is ms\), got "soon" \[MB_ERR_USAGE\]\n$/,
  );
});

test('ingest runs in the foreground, takes OTLP and scrapes, then flushes on SIGTERM', {
  timeout: 90_000,
}, async () => {
  const home = tempHome();
  const target = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    res.end('# TYPE jobs_done_total counter\njobs_done_total{queue="a"} 7\n');
  });
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
  const metricsUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}/metrics`;
  const env: NodeJS.ProcessEnv = { ...process.env, MARKETBENCH_HOME: home };
  delete env.CLICKHOUSE_URL;
  const child = spawn(
    process.execPath,
    [BIN, 'ingest', '--port', '0', '--scrape', `worker=${metricsUrl}`, '--scrape-interval', '200ms'],
    { env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  try {
    const first = await new Promise<string>((resolve, reject) => {
      readline.createInterface({ input: child.stdout }).once('line', resolve);
      child.once('exit', (code) => reject(new Error(`ingest exited ${code}: ${stderr}`)));
    });
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    const url = /listening on (http:\/\/\S+?)[ ,]/.exec(first)?.[1];
    assert.ok(url, first);
    const res = await fetch(`${url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        resourceSpans: [
          {
            resource: { attributes: [{ key: 'service.name', value: { stringValue: 'cli-test' } }] },
            scopeSpans: [
              {
                spans: [
                  {
                    traceId: '0af7651916cd43dd8448eb211c80319c',
                    spanId: 'b7ad6b7169203331',
                    name: 'GET /x',
                    kind: 2,
                  },
                ],
              },
            ],
          },
        ],
      }),
    });
    assert.equal(res.status, 200);
    const stats = await run(['ingest', 'stats', '--json'], home);
    assert.equal(stats.code, 0, stats.stderr);
    assert.equal(JSON.parse(stats.stdout).rows.traces.received, 1);
    // Another command reaches the store through the running ingest (owner.json).
    let scraped = 0;
    for (let i = 0; i < 50 && scraped === 0; i++) {
      await new Promise((r) => setTimeout(r, 200));
      const q = await run(
        [
          'query',
          "SELECT count() AS n FROM otel_metrics_sum WHERE ServiceName = 'worker' AND MetricName = 'jobs_done_total'",
          '--format',
          'json',
        ],
        home,
      );
      assert.equal(q.code, 0, q.stderr);
      scraped = Number(JSON.parse(q.stdout)[0].n);
    }
    assert.ok(scraped > 0, 'the scraper wrote jobs_done_total');
  } finally {
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    assert.equal(await exited, 0, stderr);
    target.close();
  }
  assert.match(stdout, /traces\s+1\s+1\s+0\s+0/);
  const q = await run(
    ['query', "SELECT SpanKind, TraceId FROM otel_traces WHERE ServiceName = 'cli-test'", '--format', 'json'],
    home,
  );
  assert.equal(q.code, 0, q.stderr);
  assert.deepEqual(JSON.parse(q.stdout), [
    { SpanKind: 'Server', TraceId: '0af7651916cd43dd8448eb211c80319c' },
  ]);
});
