// SLOs for a service that is not marketbench's: a spec written here for "my-api", a small
// node:http server instrumented with @marketbench/instrumentation (its own routes and its own
// labelled counter), and the one spec driving both backends: its generated Prometheus rules get
// data in a real Prometheus scraping the server, and its ClickHouse SQL (the burn-rate query and
// every Grafana alert query, macros expanded) returns rows on chDB fed by the OTLP ingest and the
// scraper. Needs Debian's prometheus (fails under CI=true without it).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { expandQuery } from '@marketbench/dashboards';
import { startTelemetry } from '@marketbench/instrumentation';
import { type Ingest, openStore, Scraper, type Store, startIngest } from '@marketbench/telemetry-store';
import { Counter } from 'prom-client';
import { missingCommand, needs } from '../../../test-support/dependency.ts';
import { windowedSliSql } from '../../src/clickhouse/sliSql.ts';
import { windowQueries } from '../../src/grafana/grafanaAlertRules.ts';
import { type PrometheusServer, startPrometheus } from '../../src/live/PrometheusServer.ts';
import { compileSpec } from '../../src/pipeline/compileSpec.ts';
import { prometheusRulesYaml } from '../../src/prometheus/prometheusRules.ts';

const SPEC = `
apiVersion: marketbench/v1
kind: ServiceLevelObjectives
metadata: { name: my-api }
spec:
  service: my-api
  slos:
    - name: widget-availability
      description: Widget pages answer without a server error.
      indicator: { httpAvailability: { routes: ['/widgets/:id'], methods: [GET] } }
      objectives: [{ target: 0.99 }]
      timeWindow: { duration: 28d, isRolling: true }
      budgetingMethod: Occurrences
    - name: order-latency
      description: Orders are placed within 250 ms.
      indicator: { httpLatency: { routes: [/orders], threshold: 250ms } }
      objectives: [{ target: 0.99 }]
      timeWindow: { duration: 28d, isRolling: true }
      budgetingMethod: Occurrences
    - name: job-success
      description: Background jobs finish without failing.
      indicator:
        counterRatio: { metric: my_api_jobs_total, selector: { queue: default }, badWhen: { outcome: [failed] } }
      objectives: [{ target: 0.99 }]
      timeWindow: { duration: 28d, isRolling: true }
      budgetingMethod: Occurrences
`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test("a user's service: its spec's rules get data in Prometheus and its SQL returns rows on chDB", async (t) => {
  if (!needs(t, missingCommand('prometheus'))) return;
  const slos = compileSpec(SPEC, 'my-api.yaml');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mb-slo-any-'));
  let store: Store | undefined;
  let ingest: Ingest | undefined;
  let prom: PrometheusServer | undefined;
  let server: http.Server | undefined;
  let scraper: Scraper | undefined;
  try {
    store = await openStore({ home: dir, owner: true });
    ingest = await startIngest({
      store,
      home: dir,
      port: 0,
      flushIntervalMs: 100,
      publishOwner: false,
      log: () => {},
    });
    const tel = startTelemetry({
      serviceName: 'my-api',
      environment: 'test',
      otlpEndpoint: ingest.url,
      handleSignals: false,
      logLevel: 'silent',
      scheduledDelayMs: 100,
    });
    const jobs = new Counter({
      name: 'my_api_jobs_total',
      help: 'Jobs by queue and outcome',
      labelNames: ['queue', 'outcome'],
      registers: [tel.registry as never],
    });
    let n = 0;
    let widgets = 0;
    server = tel.instrumentHttpServer(
      http.createServer((req, res) => {
        n++;
        if (req.url?.startsWith('/widgets/')) {
          widgets++;
          res.statusCode = widgets % 50 === 0 ? 500 : 200;
          res.end('{}');
        } else if (req.url === '/orders' && req.method === 'POST') {
          setTimeout(
            () => {
              res.statusCode = 201;
              res.end('{}');
            },
            n % 20 === 0 ? 300 : 5,
          );
        } else {
          res.statusCode = 404;
          res.end();
        }
      }),
      {
        route: (req) =>
          req.url?.startsWith('/widgets/') ? '/widgets/:id' : req.url === '/orders' ? '/orders' : undefined,
      },
    );
    await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const rulesFile = path.join(dir, 'my-api.rules.yaml');
    fs.writeFileSync(rulesFile, prometheusRulesYaml(slos, '# test'));
    prom = await startPrometheus({
      dir: path.join(dir, 'prometheus'),
      ruleFiles: [rulesFile],
      targets: [{ url: `${base}/metrics`, job: 'my-api' }],
      scrapeInterval: '1s',
      evaluationInterval: '1s',
    });
    scraper = new Scraper({
      store,
      targets: [{ url: `${base}/metrics`, job: 'my-api' }],
      intervalMs: 1000,
      log: () => {},
    });
    scraper.start();

    // Traffic: widget pages (1 in 50 a 500), orders (1 in 20 slow), jobs (1 in 10 failed).
    const records = new Set(
      slos.flatMap((s) => [
        `slo:sli_error:ratio_rate5m{slo_id="${s.id}"}`,
        `slo:sli_error:ratio_rate28d{slo_id="${s.id}"}`,
      ]),
    );
    const deadline = Date.now() + 60_000;
    let missing = [...records];
    for (let i = 0; Date.now() < deadline; i++) {
      await Promise.all([
        fetch(`${base}/widgets/${i}`).then((r) => r.arrayBuffer()),
        fetch(`${base}/orders`, { method: 'POST' }).then((r) => r.arrayBuffer()),
      ]);
      jobs.inc({ queue: 'default', outcome: i % 10 === 9 ? 'failed' : 'done' });
      if (i % 20 === 19) {
        const present = new Set(
          (await prom.query('{__name__=~"slo:sli_error:.+"}')).map(
            (s) => `${s.metric.__name__}{slo_id="${s.metric.slo_id}"}`,
          ),
        );
        missing = [...records].filter((r) => !present.has(r));
        if (missing.length === 0 && i > 200) break;
      }
      await sleep(10);
    }
    assert.deepEqual(missing, [], 'every SLI recording rule of the spec has data in Prometheus');
    const errorRatio = await prom.query('slo:sli_error:ratio_rate5m{slo_id="my-api-job-success"}');
    assert.ok(
      errorRatio[0].value > 0.05 && errorRatio[0].value < 0.15,
      `job error ratio ${errorRatio[0].value}`,
    );

    // chDB: the same spec's SQL over the spans the ingest wrote and the metrics the scraper wrote.
    await tel.forceFlush();
    await scraper.scrapeOnce();
    await ingest.flush();
    const at = `fromUnixTimestamp64Milli(toInt64(${Date.now() + 1000}), 'UTC')`;
    for (const slo of slos) {
      const [row] = await store.query<{ bad_0: string; total_0: string }>(
        windowedSliSql(slo.sli, [3_600_000], at),
      );
      assert.ok(Number(row.total_0) > 0, `${slo.id}: no events in chDB`);
      if (slo.id !== 'my-api-order-latency')
        assert.ok(Number(row.bad_0) > 0, `${slo.id}: no bad events in chDB`);
      for (const q of windowQueries(slo, 'page')) {
        const sql = expandQuery(q.rawSql, {
          from: new Date(Date.now() - 3_600_000),
          to: new Date(Date.now() + 60_000),
          intervalMs: 60_000,
        });
        const rows: { error_ratio: number }[] = await store.query<{ error_ratio: number }>(sql);
        assert.equal(rows.length, 1, `${slo.id} ${q.refId}: ${sql}`);
      }
    }
    await tel.shutdown();
  } finally {
    await scraper?.stop();
    await prom?.stop();
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    await ingest?.close();
    await store?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
