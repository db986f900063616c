// A prom-client registry served over HTTP is scraped twice into real chDB: counters become
// monotonic cumulative sums with a stable start time, histograms explicit bounds with per-bucket
// counts, gauges gauges; job/instance become resource attributes; a dead target yields up = 0.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { Counter, Gauge, Histogram, type OpenMetricsContentType, Registry, Summary } from 'prom-client';
import { parseScrapeTarget, Scraper } from '../../src/scrape/Scraper.ts';
import { openStore } from '../../src/store/openStore.ts';
import type { Store } from '../../src/types.ts';

let home: string;
let store: Store;
let server: http.Server;
let url: string;
const registry = new Registry();
const requests = new Counter({
  name: 'app_requests_total',
  help: 'Requests served.',
  labelNames: ['route'],
  registers: [registry],
});
const inflight = new Gauge({ name: 'app_inflight', help: 'In flight.', registers: [registry] });
const latency = new Histogram({
  name: 'app_latency_seconds',
  help: 'Latency.',
  labelNames: ['route'],
  buckets: [0.1, 0.5, 1],
  registers: [registry],
});
const sizes = new Summary({
  name: 'app_size_bytes',
  help: 'Sizes.',
  percentiles: [0.5, 0.9],
  registers: [registry],
});

before(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'mb-scrape-'));
  store = await openStore({ home, owner: true });
  server = http.createServer(async (_req, res) => {
    res.writeHead(200, { 'content-type': registry.contentType }).end(await registry.metrics());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
});
after(async () => {
  server?.close();
  await store?.close();
  fs.rmSync(home, { recursive: true, force: true });
});

test('counter, gauge, histogram and summary land as the prometheus receiver + exporter write them', async () => {
  const scraper = new Scraper({ store, targets: [parseScrapeTarget(`shop=${url}`)], log: () => {} });
  requests.inc({ route: '/cart' }, 3);
  inflight.set(4);
  for (const v of [0.05, 0.3, 0.3, 2]) latency.observe({ route: '/cart' }, v);
  for (const v of [10, 20, 30]) sizes.observe(v);
  await scraper.scrapeOnce();
  await new Promise((r) => setTimeout(r, 20));
  requests.inc({ route: '/cart' }, 2);
  await scraper.scrapeOnce();

  const sums = await store.query<Record<string, unknown>>(
    `SELECT Value, IsMonotonic, AggregationTemporality, Attributes, ResourceAttributes, ServiceName,
            toUnixTimestamp64Nano(StartTimeUnix) AS start, toUnixTimestamp64Nano(TimeUnix) AS time
     FROM otel_metrics_sum WHERE MetricName = 'app_requests_total' ORDER BY TimeUnix`,
  );
  assert.equal(sums.length, 2);
  assert.deepEqual(
    sums.map((r) => r.Value),
    [3, 5],
  );
  assert.equal(sums[0].IsMonotonic, true);
  assert.equal(sums[0].AggregationTemporality, 2);
  assert.deepEqual(sums[0].Attributes, { route: '/cart' });
  assert.equal(sums[0].ServiceName, 'shop');
  const port = new URL(url).port;
  assert.deepEqual(sums[0].ResourceAttributes, {
    'service.name': 'shop',
    'service.instance.id': `127.0.0.1:${port}`,
    'server.port': port,
    'url.scheme': 'http',
  });
  assert.equal(sums[1].start, sums[0].start, 'a cumulative series keeps its start time');
  assert.ok(BigInt(sums[1].time as string) > BigInt(sums[0].time as string));

  const [hist] = await store.query<Record<string, unknown>>(
    "SELECT Count, Sum, BucketCounts, ExplicitBounds, AggregationTemporality FROM otel_metrics_histogram WHERE MetricName = 'app_latency_seconds' ORDER BY TimeUnix DESC LIMIT 1",
  );
  assert.deepEqual(hist, {
    Count: '4',
    Sum: 2.65,
    BucketCounts: ['1', '2', '0', '1'],
    ExplicitBounds: [0.1, 0.5, 1],
    AggregationTemporality: 2,
  });
  const [gauge] = await store.query<Record<string, unknown>>(
    "SELECT Value FROM otel_metrics_gauge WHERE MetricName = 'app_inflight' LIMIT 1",
  );
  assert.equal(gauge.Value, 4);
  const [summary] = await store.query<Record<string, unknown>>(
    "SELECT Count, Sum, ValueAtQuantiles.Quantile AS q FROM otel_metrics_summary WHERE MetricName = 'app_size_bytes' LIMIT 1",
  );
  assert.deepEqual(summary, { Count: '3', Sum: 60, q: [0.5, 0.9] });
  const up = await store.query<{ Value: number }>(
    "SELECT Value FROM otel_metrics_gauge WHERE MetricName = 'up' AND ServiceName = 'shop'",
  );
  assert.deepEqual(
    up.map((r) => r.Value),
    [1, 1],
  );
  assert.equal(scraper.stats().scrapes, 2);
});

test('an unreachable target is counted and written as up = 0', async () => {
  const dead = http.createServer();
  await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
  const deadPort = (dead.address() as AddressInfo).port;
  await new Promise((r) => dead.close(r));
  const scraper = new Scraper({
    store,
    targets: [{ url: `http://127.0.0.1:${deadPort}/metrics`, job: 'gone' }],
    log: () => {},
  });
  await scraper.scrapeOnce();
  assert.equal(scraper.stats().failures, 1);
  const up = await store.query<{ Value: number }>(
    "SELECT Value FROM otel_metrics_gauge WHERE MetricName = 'up' AND ServiceName = 'gone'",
  );
  assert.deepEqual(up, [{ Value: 0 }]);
});

test('start() scrapes on the interval until stop()', async () => {
  const scraper = new Scraper({ store, targets: [{ url, job: 'interval' }], intervalMs: 50, log: () => {} });
  scraper.start();
  const deadline = Date.now() + 20_000;
  while (scraper.stats().scrapes < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  assert.ok(scraper.stats().scrapes >= 3, `only ${scraper.stats().scrapes} scrapes`);
  await scraper.stop();
  const n = scraper.stats().scrapes;
  await new Promise((r) => setTimeout(r, 150));
  assert.equal(scraper.stats().scrapes, n, 'no scrape after stop()');
});

test('an OpenMetrics target: exemplar trace ids land in the Exemplars columns', async () => {
  const om = new Registry<OpenMetricsContentType>();
  om.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  const h = new Histogram({
    name: 'om_latency_seconds',
    help: 'L.',
    buckets: [0.5],
    registers: [om],
    enableExemplars: true,
  });
  h.observe({
    value: 0.2,
    labels: {},
    exemplarLabels: { trace_id: '0af7651916cd43dd8448eb211c80319c', span_id: 'b7ad6b7169203331' },
  });
  const srv = http.createServer(async (_req, res) => {
    res.writeHead(200, { 'content-type': om.contentType }).end(await om.metrics());
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  try {
    const target = `http://127.0.0.1:${(srv.address() as AddressInfo).port}/metrics`;
    await new Scraper({ store, targets: [{ url: target, job: 'om' }], log: () => {} }).scrapeOnce();
    const [row] = await store.query<Record<string, unknown>>(
      "SELECT Count, BucketCounts, Exemplars.TraceId AS t, Exemplars.SpanId AS s, Exemplars.Value AS v FROM otel_metrics_histogram WHERE ServiceName = 'om'",
    );
    assert.deepEqual(row, {
      Count: '1',
      BucketCounts: ['1', '0'],
      t: ['0af7651916cd43dd8448eb211c80319c'],
      s: ['b7ad6b7169203331'],
      v: [0.2],
    });
  } finally {
    srv.close();
  }
});
